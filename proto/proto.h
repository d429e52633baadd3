/*
 * proto — HELD (RFC 5985, 6155, 7105, HELD+) decoding and HELD / PIDF-LO
 * (RFC 4119, 5139, 5491) encoding. No sockets here: bytes in, bytes out.
 *
 * Thread-safety: call proto_global_init() once before any thread starts;
 * after that every function is re-entrant (no shared mutable state).
 */
#ifndef OPENLIS_PROTO_H
#define OPENLIS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "wiremap/wiremap.h"

/** Namespaces the server reads and writes. */
#define HELD_NS "urn:ietf:params:xml:ns:geopriv:held"
#define HELD_ID_NS "urn:ietf:params:xml:ns:geopriv:held:id"
#define HELD_PLUS_NS "urn:openlis:params:xml:ns:held-plus"

/** HELD error codes (RFC 5985 §6.3, RFC 6155 §7.3). */
typedef enum {
	HELD_OK = 0,
	HELD_REQUEST_ERROR,
	HELD_XML_ERROR,
	HELD_GENERAL_LIS_ERROR,
	HELD_LOCATION_UNKNOWN,
	HELD_UNSUPPORTED_MESSAGE,
	HELD_TIMEOUT,
	HELD_CANNOT_PROVIDE_LI_TYPE,
	HELD_NOT_LOCATABLE,
	HELD_BAD_IDENTIFIER,
	HELD_CODE_COUNT
} held_code_t;

/** The registered token ("requestError", ...); "" for HELD_OK. */
const char *held_code_name(held_code_t c);

/**
 * Makes libxml2 safe for hostile input process-wide: no network, no DTD
 * loading, no entity expansion (an external entity loader that refuses
 * everything). Call once at start-up.
 */
void proto_global_init(void);

/** Bounds applied while parsing a request. */
typedef struct {
	size_t max_bytes;   /**< body size (the HTTP layer also enforces it) */
	unsigned max_depth; /**< element nesting */
	size_t max_nodes;   /**< elements in the document */
} held_limits_t;

/** 64 KiB, depth 32, 4096 elements. */
void held_limits_default(held_limits_t *l);

/** locationType values (RFC 5985 §6.2), used as bit flags and order entries. */
enum {
	HELD_LT_CIVIC = 1,
	HELD_LT_GEODETIC = 2,
	HELD_LT_URI = 4,
};

typedef enum {
	HELD_RT_NONE = 0,
	HELD_RT_MS,
	HELD_RT_ROUTING,  /**< "emergencyRouting" */
	HELD_RT_DISPATCH, /**< "emergencyDispatch" */
} held_rt_kind_t;

#define HELD_MAX_MAC 4
#define HELD_MAX_URI 4
#define HELD_URI_MAX 256

/** Bytes of civic text a provided address may hold (values, NULs included). */
#define HELD_CIVIC_TEXT 2048

/**
 * A civic address the user typed (HELD+ <hp:providedAddress>, SPEC §4.4):
 * RFC 5139 / RFC 6848 elements, values whitespace-collapsed (xs:token).
 * Plain data, no pointers: copy freely.
 */
typedef struct {
	bool set;                  /**< a ca:civicAddress was decoded */
	uint16_t off[WM_CA_COUNT]; /**< 1 + offset of the value in text; 0 = absent */
	uint16_t used;             /**< bytes of text in use */
	char text[HELD_CIVIC_TEXT];
} held_civic_t;

/** Value of element k, NUL-terminated, or NULL when absent. Valid while c lives. */
const char *held_civic_get(const held_civic_t *c, wm_ca_key_t k);
/**
 * Stores value s[0..n) for k. False when k is already set, n is 0, or the
 * text does not fit. Used by the decoder and the nomadic store.
 */
bool held_civic_put(held_civic_t *c, wm_ca_key_t k, const char *s, size_t n);
/**
 * True when the address is complete enough to dispatch to: country, A1
 * (state/province), A3 (city) and a street or place (RD, LOC or NAM).
 * Otherwise false and *why names what is missing (static text).
 */
bool held_civic_usable(const held_civic_t *c, const char **why);

/** A decoded locationRequest. Plain data, no pointers: copy freely. */
typedef struct {
	held_rt_kind_t rt_kind;
	uint32_t rt_ms;   /**< when rt_kind == HELD_RT_MS (saturates) */
	bool type_any;    /**< "any" or no locationType (RFC 5985 §6.2 default) */
	uint8_t n_types;  /**< ordered list when !type_any */
	uint8_t types[3]; /**< HELD_LT_* in request order, no repeats */
	bool exact;       /**< exact="true"; callers treat any+exact as not exact */

	wm_query_t q; /**< identifiers feeding the precedence (q.source set by caller) */

	/* RFC 6155 identities as seen, for the echo and the access log */
	uint8_t n_ip_id;   /**< how many of q.ip came from <ip> identities */
	uint8_t n_mac;
	wm_mac_t mac[HELD_MAX_MAC];
	uint8_t n_uri;
	char uri[HELD_MAX_URI][HELD_URI_MAX]; /**< tel:/sip:/sips: identities */
	bool has_other_id; /**< identities we accept but do not use (fqdn, nai, duid ...) */
	bool has_measurements;
	char user[HELD_URI_MAX]; /**< HELD+ <hp:user>, "" when absent */
	held_civic_t provided;   /**< HELD+ <hp:providedAddress>; provided.set when present */
	bool serving_bssid;      /**< q.bssid[0] is the AP marked serving="true" */

	/* RFC 7105 §5.2 DHCP relay agent information (lm:dhcp <dhcp-rai>):
	 * decoded and kept for logs and later use, not matched. */
	bool has_dhcp;
	wm_ip_t dhcp_giaddr;
	uint8_t dhcp_circuit_len; /**< octets kept in dhcp_circuit (first 64) */
	uint8_t dhcp_circuit[64];
	uint8_t dhcp_remote_len; /**< octets kept in dhcp_remote (first 64) */
	uint8_t dhcp_remote[64];
} held_request_t;

/**
 * Decodes a HELD request document. On success returns HELD_OK and fills
 * `out`. Otherwise returns the error code to answer with and writes a short
 * English reason into msg (always NUL-terminated):
 *   - not well-formed, over a limit, a HELD element invalid per held.xsd, a
 *     value of an understood element that violates its schema type -> HELD_XML_ERROR
 *   - a well-formed document element other than {HELD_NS}locationRequest
 *     -> HELD_UNSUPPORTED_MESSAGE (RFC 5985 §5.1), except names unknown in
 *     the HELD namespace, which are schema-invalid -> HELD_XML_ERROR
 *   - a device identity that is malformed -> HELD_BAD_IDENTIFIER (RFC 6155 §2.2)
 * Anything not understood below the document element is ignored (§5.1).
 */
held_code_t held_decode_request(const char *body, size_t len, const held_limits_t *lim,
                                held_request_t *out, char *msg, size_t msglen);

/* ---------------- output ------------------------------------------------- */

/** A growable output buffer. */
typedef struct {
	char *p;
	size_t len, cap;
} held_buf_t;

void held_buf_init(held_buf_t *b);
void held_buf_deinit(held_buf_t *b);
void held_buf_reset(held_buf_t *b); /**< len = 0, keeps the memory */

/** What to put into a response, chosen by held_select(). */
typedef struct {
	uint8_t n;
	uint8_t order[3]; /**< HELD_LT_* in the order they go out */
} held_selection_t;

/**
 * RFC 5985 §6.2 / §6.2.1: picks the LI types to return given what is
 * available. With exact="true" (and not "any") every requested type must be
 * available, and only those are returned; otherwise returns
 * HELD_CANNOT_PROVIDE_LI_TYPE. Without exact, requested types come first in
 * request order, then the LIS adds what else it has (civic, geodetic, URI
 * when can_uri). Returns HELD_LOCATION_UNKNOWN when nothing at all is available.
 */
held_code_t held_select(const held_request_t *r, bool have_civic, bool have_geo, bool can_uri,
                        held_selection_t *out);

typedef struct {
	const wm_location_t *loc;
	wm_method_t method;       /**< gp:method: Wiremap / DID / Manual */
	held_selection_t sel;     /**< what goes out, in order */
	const char *const *uris;  /**< location URIs when sel has HELD_LT_URI */
	size_t n_uris;
	time_t uri_expires;
	time_t now;               /**< dm:timestamp */
	unsigned retention_s;     /**< retention-expiry = now + retention_s */
	const char *entity;       /**< presence entity, "pres:..." */
	const char *device_id;    /**< dm:deviceID, a URI ("mac:..." or "urn:uuid:...") */
	const held_request_t *echo; /**< RFC 6155 §2.2: echo the identities used, or NULL */
} held_response_spec_t;

/**
 * Appends a complete locationResponse document (UTF-8, with XML declaration).
 * Civic and geodetic each get their own dm:device/gp:geopriv (RFC 5491 rule 2).
 * Returns 0 or -ENOMEM.
 */
int held_encode_response(held_buf_t *b, const held_response_spec_t *s);

/** Appends a bare PIDF-LO <presence> document (for application/pidf+xml). */
int pidf_encode(held_buf_t *b, const held_response_spec_t *s);

/**
 * Appends a HELD <error> document with code, an English message, and, when
 * address_required, the HELD+ <hp:addressRequired/> child (SPEC §4.4).
 */
int held_encode_error(held_buf_t *b, held_code_t code, const char *message,
                      bool address_required);

/** Writes an xs:dateTime in UTC ("2026-11-23T14:08:03Z") into out[21]. */
void held_format_time(time_t t, char out[21]);

#endif
