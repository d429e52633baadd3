/*
 * The locationRequest decoder's private state, shared by held_decode.c
 * (SAX2 callbacks, element classification) and held_decode_leaf.c (what
 * each leaf element's text means). Not part of proto's interface.
 */
#ifndef OPENLIS_PROTO_HELD_DECODE_INTERNAL_H
#define OPENLIS_PROTO_HELD_DECODE_INTERNAL_H

#include <libxml/parser.h>

#include "proto/proto_internal.h"

typedef enum {
	K_IGNORE = 0,
	K_ROOT,
	K_LOCTYPE,
	K_DEVICE,
	K_ID_IP,
	K_ID_MAC,
	K_ID_URI,
	K_MEAS,
	K_LLDP,
	K_LLDP_CHASSIS,
	K_LLDP_PORT,
	K_WIFI,
	K_WIFI_AP,
	K_WIFI_BSSID,
	K_DHCP,
	K_DHCP_GIADDR,
	K_DHCP_CIRCUIT,
	K_DHCP_REMOTE,
	K_HP,
	K_HP_GW,
	K_HP_USER,
	K_HP_DID,
	K_HP_ADDR, /* hp:providedAddress */
	K_CA,      /* its ca:civicAddress */
	K_CA_EL,   /* an RFC 5139 / 6848 element of it (d->ca_key) */
} kind_t;

/* The deepest element read is locationRequest/measurements/wifi/ap/bssid. */
#define KIND_STACK 8
#define TEXT_MAX 1024

typedef enum { ROOT_NONE, ROOT_OK, ROOT_UNSUPPORTED, ROOT_BAD_HELD } root_t;

typedef struct {
	xmlParserCtxtPtr ctxt;
	const held_limits_t *lim;
	held_request_t *r;

	unsigned depth;
	size_t nodes;
	kind_t stack[KIND_STACK]; /* stack[d - 1] = kind of the element at depth d */

	/* text of the current leaf, whitespace collapsed */
	char text[TEXT_MAX];
	size_t text_len;
	bool text_over;  /* longer than TEXT_MAX */
	bool text_child; /* the leaf has element children */

	/* outcome */
	bool stopped; /* fatal: not well-formed, DOCTYPE, over a limit */
	char stop_msg[200];
	root_t root;
	bool schema_err;
	char schema_msg[200];
	bool bad_id;
	char bad_id_msg[200];

	/* element-local state */
	bool seen_loctype;
	char ip_v; /* v attribute of the current <ip>, 0 when absent/other */
	unsigned lldp_type;
	bool lldp_type_ok;
	bool lldp_has_chassis, lldp_has_port, lldp_seen_chassis, lldp_seen_port;
	wm_lldp_id_t lldp_chassis, lldp_port;
	bool ap_serving, ap_has_bssid, have_serving;
	bool dhcp_seen_giaddr;
	bool seen_user;
	bool seen_addr, seen_civic;
	int ca_key;
} dec_t;

/* Fatal: records the reason and stops libxml2 at once. */
void hd_stop(dec_t *d, const char *msg);
/* The request breaks the schema (xmlError); the first reason is kept. */
void hd_schema_err(dec_t *d, const char *msg);
/* A device identity is unusable (requestError); the first reason is kept. */
void hd_bad_id(dec_t *d, const char *msg);
/* The text of leaf element k (d->text) has ended: checks and stores it. */
void hd_end_leaf(dec_t *d, kind_t k);
/* The end of an <lldp> element: its chassis and port pair is complete. */
void hd_end_lldp(dec_t *d);

#endif
