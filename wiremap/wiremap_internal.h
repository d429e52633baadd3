/*
 * wiremap internals shared between the files of this module only.
 *
 * Data flow of an import:
 *   files --(yaml_load.c / csv_load.c)--> wm_model_t
 *   store.c merges the tenants already in LMDB into the model (merge mode),
 *   validate.c checks the whole model (duplicates, overlaps, dangling refs),
 *   store.c writes it in one write transaction.
 * The index (index.c) is built from LMDB, never from a model.
 */
#ifndef OPENLIS_WIREMAP_INTERNAL_H
#define OPENLIS_WIREMAP_INTERNAL_H

#include "wiremap/wiremap.h"

/* ---------------- arena: many small allocations freed at once -------- */

typedef struct wm_arena_chunk wm_arena_chunk_t;
typedef struct {
	wm_arena_chunk_t *head;
	size_t used; /**< bytes handed out (statistics) */
} wm_arena_t;

void wm_arena_init(wm_arena_t *a);
void wm_arena_deinit(wm_arena_t *a);
/** Zeroed, 8-byte aligned; aborts on OOM (fatal: broken invariant). */
void *wm_arena_alloc(wm_arena_t *a, size_t n);
char *wm_arena_strndup(wm_arena_t *a, const char *s, size_t n);
void *wm_arena_memdup(wm_arena_t *a, const void *p, size_t n);

/* ---------------- element keys ---------------------------------------- */

/** Element kinds; the numeric values are part of the LMDB layout. */
typedef enum {
	WM_EL_LLDP_PORT = 1,    /**< key: cls len bytes (chassis) cls len bytes (port) */
	WM_EL_LLDP_CHASSIS = 2, /**< key: cls len bytes */
	WM_EL_BSSID = 3,        /**< key: wild(1) mac(6), wildcarded bits zero */
	WM_EL_SUBNET = 4,       /**< key: family(1) plen(1) addr(4|16) */
	WM_EL_GATEWAY = 5,      /**< key: mac(6) */
} wm_el_kind_t;

#define WM_KEY_MAX (2 * (2 + WM_LLDP_MAX))

/** Encoders: write the canonical key bytes into buf, return the length. */
size_t wm_key_lldp_port(const wm_lldp_id_t *chassis, const wm_lldp_id_t *port, uint8_t *buf);
size_t wm_key_lldp_chassis(const wm_lldp_id_t *chassis, uint8_t *buf);
size_t wm_key_bssid(const wm_bssid_t *b, uint8_t *buf);
size_t wm_key_subnet(const wm_cidr_t *c, uint8_t *buf);
size_t wm_key_gateway(const wm_mac_t *m, uint8_t *buf);
/** Decoders for export and traces; return 0 or LIS_ECORRUPT. */
int wm_key_lldp_decode(const uint8_t *key, size_t len, wm_lldp_id_t *chassis,
                       wm_lldp_id_t *port /* NULL for chassis keys */);
/** Human text of a key ("lldp chassis 00-1b-... port Gi1/0/7", "subnet 10.0.0.0/8"). */
void wm_key_format(wm_el_kind_t kind, const uint8_t *key, size_t len, char *out, size_t outlen);
/** YAML/CSV field name for a kind: "lldp", "bssid", "subnet", "gateway_mac". */
const char *wm_el_kind_field(wm_el_kind_t kind);

/* ---------------- model (what files describe) -------------------------- */

/** Where a record came from; file NULL = already in the database. */
typedef struct {
	const char *file;
	unsigned line;
} wm_src_t;

typedef struct {
	uint8_t kind; /**< wm_el_kind_t */
	uint16_t keylen;
	const uint8_t *key;
	const char *location; /**< location id in the same tenant */
	wm_src_t src;
} wm_m_element_t;

typedef struct {
	wm_did_t did;
	const char *location;
	wm_src_t src;
} wm_m_did_t;

typedef struct {
	const char *id, *name;
	const char *civic[WM_CA_COUNT]; /**< normalised (xs:token) values or NULL */
	wm_geo_t geo;
	wm_src_t src;
} wm_m_building_t;

typedef struct {
	const char *id, *name;
	const char *building;           /**< building id */
	const char *civic[WM_CA_COUNT]; /**< the location's own keys, merged over the building's */
	wm_geo_t geo;
	const char *ecbn; /**< E.164 or NULL */
	wm_src_t src;
} wm_m_location_t;

/** A growable array of T inside the model's arena-independent heap. */
#define WM_VEC(T) struct { T *v; size_t n, cap; }

typedef struct {
	const char *id;
	const char *name;       /**< NULL when the files only carried elements (CSV) */
	bool has_attrs;         /**< name/did_fallback/trusted_networks were given */
	bool did_fallback;
	WM_VEC(wm_cidr_t) trusted;
	WM_VEC(wm_m_building_t) buildings;
	WM_VEC(wm_m_location_t) locations;
	WM_VEC(wm_m_element_t) elements;
	WM_VEC(wm_m_did_t) dids;
	wm_src_t src;
} wm_m_tenant_t;

typedef struct {
	wm_arena_t arena; /**< every string and key of the model */
	WM_VEC(wm_m_tenant_t) tenants;
} wm_model_t;

/** Grows a WM_VEC by one zeroed slot and returns it (aborts on OOM). */
void *wm_vec_push_(void *vec, size_t elsize);
#define WM_VEC_PUSH(vec) ((__typeof__((vec).v))wm_vec_push_(&(vec), sizeof(*(vec).v)))

void wm_model_init(wm_model_t *m);
void wm_model_deinit(wm_model_t *m);
/** Tenant by id, creating an empty one (src given) when absent. */
wm_m_tenant_t *wm_model_tenant(wm_model_t *m, const char *id, wm_src_t src);

/**
 * Parses one YAML wiremap file into the model. Syntax and value errors go to
 * diag (all of them, with line numbers); returns LIS_EDATA if any, -errno
 * when the file cannot be read.
 */
int wm_model_load_yaml(wm_model_t *m, const char *path, wm_diag_t *diag);
/**
 * Parses one CSV file (kind chosen by its header row) for `tenant`.
 */
int wm_model_load_csv(wm_model_t *m, const char *path, const char *tenant, wm_diag_t *diag);

/**
 * Whole-model checks: unique ids per tenant, one location per element,
 * overlapping BSSID wildcards that point elsewhere, dangling building/location
 * references, DIDs unique. Records from the database (src.file NULL) are
 * reported through the file record they conflict with.
 */
int wm_model_validate(const wm_model_t *m, wm_diag_t *diag);

/** Normalises an xs:token value (trim, collapse runs of whitespace) into the arena. */
const char *wm_token_dup(wm_arena_t *a, const char *s, size_t len);

/* ---------------- import helpers (model.c; used by yaml_load.c, csv_load.c) */

/**
 * Parse a user-written value where it enters. On LIS_EDATA, `why` (NUL-
 * terminated, may be truncated) says what is wrong and how to fix it, e.g.
 * "\"00-11-22\" is not a MAC address: expected 6 octets like 00-11-22-33-44-55".
 */
int wm_in_mac(const char *s, size_t len, wm_mac_t *out, char *why, size_t whylen);
int wm_in_bssid(const char *s, size_t len, wm_bssid_t *out, char *why, size_t whylen);
int wm_in_cidr(const char *s, size_t len, wm_cidr_t *out, char *why, size_t whylen);
int wm_in_lldp(const char *s, size_t len, wm_lldp_id_t *out, char *why, size_t whylen);
int wm_in_did(const char *s, size_t len, wm_did_t *out, char *why, size_t whylen);

/** Appends an element to t (key copied into the model arena; location not copied). */
void wm_model_add_element(wm_model_t *m, wm_m_tenant_t *t, wm_el_kind_t kind,
                          const uint8_t *key, size_t keylen, const char *location, wm_src_t src);

/** Reads a whole file (malloc'd, not NUL-terminated); 0 or -errno. */
int wm_read_file(const char *path, char **buf, size_t *len);

#endif
