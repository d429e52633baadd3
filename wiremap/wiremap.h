/*
 * wiremap — the provisioned network map of openlis: model, normalisation,
 * YAML/CSV import, LMDB store, in-memory index and precedence lookup.
 *
 * This is the lowest module: it also defines the project-wide error space
 * (lis_strerror) that proto/ and lis/ share.
 *
 * Thread-safety: a wm_index_t is immutable once built and may be read from
 * any number of threads. A wm_store_t may be used from one thread at a time.
 */
#ifndef OPENLIS_WIREMAP_H
#define OPENLIS_WIREMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Errors (shared by every module)                                     */
/* ------------------------------------------------------------------ */

/**
 * Result codes: LIS_OK, negative errno values (-ENOMEM, -EIO, ...), or one
 * of the project's own codes below -1000. Lookups return 1 (found),
 * 0 (not found) or a negative error: not found is not an error.
 */
enum {
	LIS_OK = 0,
	LIS_EDATA = -1001,     /**< input data invalid; details in a wm_diag_t */
	LIS_EVERSION = -1002,  /**< store written by a newer/unknown format */
	LIS_EFULL = -1003,     /**< store map size reached */
	LIS_ECORRUPT = -1004,  /**< store content does not decode */
	LIS_ESTORE = -1005,    /**< other LMDB failure */
	LIS_EXML = -1006,      /**< XML not well-formed / not acceptable */
	LIS_ELIMIT = -1007,    /**< a size, depth or count limit was hit */
	LIS_ECONFIG = -1008,   /**< configuration invalid */
	LIS_ETLS = -1009,      /**< TLS setup failed */
	LIS_ENOTENANT = -1010, /**< tenant unknown or ambiguous */
	LIS_EBUSY = -1011,     /**< store locked by another writer */
};

/** Human-readable text for any result code above. Never NULL. */
const char *lis_strerror(int err);

/** Translates an LMDB return code into the error space above (the one place). */
int wm_err_from_mdb(int mdb_rc);

/* ------------------------------------------------------------------ */
/* Diagnostics: "FILE:LINE: field: what is wrong"                      */
/* ------------------------------------------------------------------ */

typedef struct wm_diag wm_diag_t;

/** New empty diagnostics list; caller frees with wm_diag_free(). */
wm_diag_t *wm_diag_new(void);
void wm_diag_free(wm_diag_t *d);
/** Appends "FILE:LINE: FIELD: message" (FIELD omitted when NULL). */
void wm_diag_add(wm_diag_t *d, const char *file, unsigned line, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
size_t wm_diag_count(const wm_diag_t *d);
/** i-th message, valid until wm_diag_free(). */
const char *wm_diag_get(const wm_diag_t *d, size_t i);

/* ------------------------------------------------------------------ */
/* Normalised identifiers (parsed once, where they enter)              */
/* ------------------------------------------------------------------ */

typedef struct {
	uint8_t o[6];
} wm_mac_t;

/**
 * Parses aa-bb-cc-dd-ee-ff, aa:bb:cc:dd:ee:ff, aabb.ccdd.eeff, aabbccddeeff,
 * any case. Returns 0 or LIS_EDATA.
 */
int wm_mac_parse(const char *s, size_t len, wm_mac_t *out);
/** Writes "aa-bb-cc-dd-ee-ff" (lower case, NUL-terminated). */
void wm_mac_format(const wm_mac_t *m, char out[18]);

/** A BSSID, possibly with its last 1 or 2 hex digits wildcarded. */
typedef struct {
	wm_mac_t mac; /**< wildcarded bits are zero */
	uint8_t wild; /**< 0 = exact, 1 or 2 = number of trailing hex digits */
} wm_bssid_t;

/** Parses a MAC in any notation, the last 1 or 2 hex digits may be '*'. */
int wm_bssid_parse(const char *s, size_t len, wm_bssid_t *out);
/** Writes "aa-bb-cc-dd-ee-f*" style text. */
void wm_bssid_format(const wm_bssid_t *b, char out[18]);

/** What an LLDP chassis or port id compares as (SPEC §2). */
typedef enum {
	WM_LLDP_MAC = 1,     /**< 6 octets */
	WM_LLDP_NETADDR = 2, /**< IANA family octet (1 IPv4, 2 IPv6) + address */
	WM_LLDP_TEXT = 3,    /**< the bytes of the string the switch reports */
} wm_lldp_class_t;

#define WM_LLDP_MAX 255

typedef struct {
	uint8_t cls; /**< wm_lldp_class_t */
	uint8_t len;
	uint8_t v[WM_LLDP_MAX];
} wm_lldp_id_t;

/**
 * A configured chassis/port string: MAC notation -> WM_LLDP_MAC; an IPv4/IPv6
 * literal -> WM_LLDP_NETADDR; anything else (1..255 bytes) -> WM_LLDP_TEXT.
 */
int wm_lldp_parse_config(const char *s, size_t len, wm_lldp_id_t *out);
/**
 * A measured id (RFC 7105 §5.1: hex octets + IEEE 802.1AB subtype). Chassis
 * subtypes: 4 MAC, 5 network address, 1/2/3/6/7 text. Port subtypes: 3 MAC,
 * 4 network address, 1/2/5/6/7 text. Returns 0 or LIS_EDATA.
 */
int wm_lldp_from_wire(bool is_port, unsigned subtype, const uint8_t *octets, size_t len,
                      wm_lldp_id_t *out);
/** Text as an administrator would write it (MAC/IP notation or the string). */
void wm_lldp_format(const wm_lldp_id_t *id, char *out, size_t outlen);

/** An IP address; IPv4-mapped IPv6 addresses are stored as IPv4. */
typedef struct {
	uint8_t family; /**< 4 or 6 */
	uint8_t a[16];  /**< IPv4 uses a[0..3] */
} wm_ip_t;

typedef struct {
	uint8_t family; /**< 4 or 6 */
	uint8_t plen;
	uint8_t a[16]; /**< host bits are zero */
} wm_cidr_t;

int wm_ip_parse(const char *s, size_t len, wm_ip_t *out);
/** Parses "a.b.c.d/n" or "x::/n"; host bits set is an error (LIS_EDATA). */
int wm_cidr_parse(const char *s, size_t len, wm_cidr_t *out);
bool wm_cidr_contains(const wm_cidr_t *c, const wm_ip_t *ip);
void wm_ip_format(const wm_ip_t *ip, char out[46]);
void wm_cidr_format(const wm_cidr_t *c, char out[50]);

/** A DID as E.164: '+' and 1..15 digits. */
typedef struct {
	uint8_t len;
	char d[17]; /**< NUL-terminated, e.g. "+14085551234" */
} wm_did_t;

/**
 * Accepts "+14085551234", "tel:+1-408-555-1234" (RFC 3966 visual separators
 * dropped, parameters ignored) and "sip:+14085551234@host;user=phone" /
 * "sips:". Returns 0, or LIS_EDATA when it is not a global number.
 */
int wm_did_parse(const char *s, size_t len, wm_did_t *out);

/* ------------------------------------------------------------------ */
/* Civic address (RFC 5139 + RFC 6848 element names, schema order)     */
/* ------------------------------------------------------------------ */

typedef enum {
	WM_CA_COUNTRY = 0,
	WM_CA_A1, WM_CA_A2, WM_CA_A3, WM_CA_A4, WM_CA_A5, WM_CA_A6,
	WM_CA_PRM, WM_CA_PRD, WM_CA_RD, WM_CA_STS, WM_CA_POD, WM_CA_POM,
	WM_CA_RDSEC, WM_CA_RDBR, WM_CA_RDSUBBR, WM_CA_HNO, WM_CA_HNS,
	WM_CA_LMK, WM_CA_LOC, WM_CA_FLR, WM_CA_NAM, WM_CA_PC, WM_CA_BLD,
	WM_CA_UNIT, WM_CA_ROOM, WM_CA_SEAT, WM_CA_PLC, WM_CA_PCN,
	WM_CA_POBOX, WM_CA_ADDCODE,
	/* RFC 6848 extension namespace ...civicAddr:ext */
	WM_CA_PN, WM_CA_MP, WM_CA_STP, WM_CA_HNP,
	WM_CA_COUNT
} wm_ca_key_t;

/** Element name ("country", "A1", ... "HNP"). */
const char *wm_ca_key_name(wm_ca_key_t k);
/** Key for an element name (exact case), or -1 when unknown. */
int wm_ca_key_lookup(const char *name, size_t len);
/** True for the RFC 6848 keys (emitted in the civicAddr:ext namespace). */
bool wm_ca_key_is_ext(wm_ca_key_t k);

/** Geodetic position, WGS 84 (EPSG 4326). radius 0 means a Point. */
typedef struct {
	bool set;
	double lat, lon, radius;
} wm_geo_t;

/* ------------------------------------------------------------------ */
/* Store (LMDB)                                                        */
/* ------------------------------------------------------------------ */

typedef struct wm_store wm_store_t;

enum {
	WM_STORE_RDONLY = 1, /**< open read-only (lisd) */
	WM_STORE_CREATE = 2, /**< create the directory and database if missing */
};

/** LMDB layout version written to and checked in the meta table. */
#define WM_STORE_FORMAT 1
/** Default LMDB map size (bytes); enough for several million elements. */
#define WM_STORE_DEFAULT_MAPSIZE ((size_t)4 << 30)

/**
 * Opens the store in directory `dir`. A database of a newer format is refused
 * with LIS_EVERSION (never misread). map_size is the LMDB map size, the
 * upper bound of the database (rounded up to a page): 0 = the larger of
 * WM_STORE_DEFAULT_MAPSIZE and the size stored in the database (the largest
 * any writer used); an explicit size applies to this handle only, raised by
 * LMDB to the space already used when smaller. Caller closes.
 */
int wm_store_open(const char *dir, unsigned flags, size_t map_size, wm_store_t **out);
void wm_store_close(wm_store_t *st);
/** The map size this handle uses (bytes), for messages and stats. */
int wm_store_map_size(wm_store_t *st, size_t *size);
/** Import generation: incremented by every committed import. */
int wm_store_generation(wm_store_t *st, uint64_t *gen);

typedef struct {
	bool dry_run;       /**< validate everything, write nothing */
	bool replace;       /**< the named tenants' data is replaced, not merged */
	const char *tenant; /**< tenant for CSV files (required when any CSV); when set,
	                         YAML files naming another tenant are refused (LIS_EDATA) */
} wm_import_opts_t;

typedef struct {
	size_t tenants, buildings, locations, elements, dids;
} wm_import_stats_t;

/**
 * Validates and loads YAML (*.yaml, *.yml) and CSV (*.csv) files in one LMDB
 * write transaction: all of it lands or none. Every problem found is added to
 * `diag` as "FILE:LINE: field: what is wrong"; returns LIS_EDATA when any.
 * Merge (default): records are added or updated by id, nothing is deleted; an
 * element already assigned to another location is an error. Replace: each
 * tenant named in the files loses all its data first.
 */
int wm_import(wm_store_t *st, const char *const *files, size_t nfiles,
              const wm_import_opts_t *opts, wm_diag_t *diag, wm_import_stats_t *stats);

/** Writes the YAML (format: 1) that imports back to the same data. */
int wm_export(wm_store_t *st, const char *tenant, FILE *out);

/** Prints counts per tenant and element kind, and the DB size. */
int wm_stats_print(wm_store_t *st, FILE *out);

/* ------------------------------------------------------------------ */
/* In-memory index and lookup                                          */
/* ------------------------------------------------------------------ */

typedef struct wm_index wm_index_t;
typedef struct wm_tenant wm_tenant_t;

/** A location as the encoder sees it: building + location merged. */
typedef struct wm_location {
	const char *id;
	const char *name;
	const char *building_id;
	const char *building_name;
	const char *civic[WM_CA_COUNT]; /**< merged; NULL = absent */
	wm_geo_t geo;                   /**< location geo, else building geo */
	const char *ecbn;               /**< callback number or NULL */
	const wm_tenant_t *tenant;
} wm_location_t;

/** Builds an index from one read transaction. Caller frees. */
int wm_index_build(wm_store_t *st, wm_index_t **out);
void wm_index_free(wm_index_t *ix);
/** Store generation the index was built from. */
uint64_t wm_index_generation(const wm_index_t *ix);

typedef struct {
	size_t tenants, locations;
	size_t lldp_port, lldp_chassis, bssid, bssid_wild, subnet, gateway, did;
	size_t bytes; /**< heap bytes held by the index */
} wm_index_stats_t;
void wm_index_stats(const wm_index_t *ix, wm_index_stats_t *out);

/** Tenant by id (exact), or NULL. Valid while the index lives. */
const wm_tenant_t *wm_index_tenant(const wm_index_t *ix, const char *id, size_t len);
/** The only tenant when the index holds exactly one, else NULL. */
const wm_tenant_t *wm_index_sole_tenant(const wm_index_t *ix);
/** A tenant's location by id (exact), or NULL. Valid while the index lives. */
const wm_location_t *wm_index_location(const wm_index_t *ix, const wm_tenant_t *t,
                                       const char *id, size_t len);
const char *wm_tenant_id(const wm_tenant_t *t);
const char *wm_tenant_name(const wm_tenant_t *t);
bool wm_tenant_did_fallback(const wm_tenant_t *t);
/** True when the tenant lists no trusted_networks or `src` is inside one. */
bool wm_tenant_trusts(const wm_tenant_t *t, const wm_ip_t *src);

#define WM_QUERY_MAX_LLDP 4
#define WM_QUERY_MAX_BSSID 16
#define WM_QUERY_MAX_IP 4
#define WM_QUERY_MAX_GW 4

/** Everything a request reported, already normalised. */
typedef struct {
	size_t n_lldp;
	struct {
		wm_lldp_id_t chassis;
		wm_lldp_id_t port;
		bool has_port;
	} lldp[WM_QUERY_MAX_LLDP];
	size_t n_bssid; /**< serving AP first */
	wm_mac_t bssid[WM_QUERY_MAX_BSSID];
	size_t n_ip; /**< device IPs: RFC 6155 <ip>, else the connection source */
	wm_ip_t ip[WM_QUERY_MAX_IP];
	bool has_source; /**< connection source known (lisd); gates step 4 */
	wm_ip_t source;
	size_t n_gw;
	wm_mac_t gw[WM_QUERY_MAX_GW];
	bool has_did;
	wm_did_t did;
	bool by_identity; /**< call router asking by tel:/sip: alone: DID first */
} wm_query_t;

/** Which precedence step matched (SPEC §4.2). */
typedef enum {
	WM_M_NONE = 0,
	WM_M_LLDP_PORT,    /**< 1 */
	WM_M_BSSID,        /**< 2, exact */
	WM_M_BSSID_WILD,   /**< 2, wildcard */
	WM_M_LLDP_CHASSIS, /**< 3 */
	WM_M_SUBNET,       /**< 4 */
	WM_M_GATEWAY,      /**< 5 */
	WM_M_NOMADIC,      /**< 6 */
	WM_M_DID,          /**< 7 */
} wm_method_t;

/** Short name: "lldp-port", "bssid", "bssid-wildcard", "lldp-chassis", "subnet",
 *  "gateway-mac", "nomadic", "did", "none". */
const char *wm_method_name(wm_method_t m);

typedef struct {
	wm_method_t method;
	const wm_location_t *loc;
	uint8_t qi;   /**< which identifier of its kind in the query matched */
	uint8_t wild; /**< BSSID wildcard digits (WM_M_BSSID_WILD) */
	uint8_t plen; /**< prefix length that matched (WM_M_SUBNET) */
} wm_match_t;

/**
 * The matched element as an administrator wrote it ("10.20.30.0/24",
 * "chassis 00-1b-21-3c-4d-00 port Gi1/0/7", "00-11-22-33-44-6*"), formatted on
 * demand so the lookup itself never formats text. `q` is the query that was
 * looked up. Writes "" when nothing matched.
 */
void wm_match_element(const wm_query_t *q, const wm_match_t *m, char *out, size_t n);

/** Called for every precedence step tried (wiremap lookup's trace). */
typedef void (*wm_trace_fn)(void *arg, int step, const char *what, const char *key,
                            const char *result);

/**
 * Runs SPEC §4.2 precedence for one tenant. Returns 1 and fills `out` on a
 * hit, 0 when nothing matched. `trace` may be NULL (the hot path).
 */
int wm_lookup(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q,
              wm_match_t *out, wm_trace_fn trace, void *trace_arg);

#endif
