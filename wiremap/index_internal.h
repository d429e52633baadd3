/*
 * The in-memory index (index.c) as lookup.c sees it. Module-internal only.
 *
 * Memory shape, per element:
 *   MAC-keyed kinds (BSSID exact/wildcard, gateway MAC): one 16-byte slot
 *     {48-bit MAC | tag << 48, tenant, location} in an open-addressing table;
 *   variable keys (LLDP chassis, chassis+port, DIDs): one 16-byte slot
 *     {64-bit hash, location, offset} plus the key bytes once in a blob;
 *   subnets: lpm.c.
 * Tables are kept at most 3/4 full with linear probing, so a lookup is about
 * one cache line per probe. Every key carries the tenant index: a key of one
 * tenant never matches another tenant's record.
 */
#ifndef OPENLIS_WIREMAP_INDEX_INTERNAL_H
#define OPENLIS_WIREMAP_INDEX_INTERNAL_H

#include "wiremap/store_internal.h"

#define WM_IX_NONE UINT32_MAX

/* Tags of the MAC table (part of the key). */
enum {
	WM_IX_BSSID = 1,
	WM_IX_BSSID_W1 = 2, /* last hex digit wildcarded: 44-bit prefix */
	WM_IX_BSSID_W2 = 3, /* last octet wildcarded: 40-bit prefix */
	WM_IX_GATEWAY = 4,
};

/* Kinds of the variable-key table: WM_EL_LLDP_PORT, WM_EL_LLDP_CHASSIS and: */
#define WM_IX_DID 0x44

struct wm_tenant {
	const char *id, *name;
	bool did_fallback;
	uint32_t idx;
	size_t ntrusted;
	const wm_cidr_t *trusted;
};

typedef struct {
	uint64_t key; /* mac (48 bits, o[0] most significant) | tag << 48 */
	uint32_t tenant;
	uint32_t loc; /* WM_IX_NONE = free */
} wm_ix_mac_slot_t;

typedef struct {
	uint64_t hash;
	uint32_t loc; /* WM_IX_NONE = free */
	uint32_t off; /* blob offset: u32 tenant, u8 kind, u16 len, bytes */
} wm_ix_var_slot_t;

struct wm_index {
	wm_arena_t arena; /* strings, tenants, trusted networks */
	uint64_t generation;
	wm_tenant_t *tenants; /* sorted by id */
	size_t ntenants;
	wm_location_t *locs; /* sorted by (tenant, id) */
	size_t nlocs;
	wm_ix_mac_slot_t *mac;
	size_t mac_mask;
	wm_ix_var_slot_t *var;
	size_t var_mask;
	uint8_t *blob;
	size_t blob_len, blob_cap;
	wm_lpm_t *lpm;
	wm_index_stats_t st;
};

/** 1 and *loc when (tenant, tag, mac) is in the MAC table, else 0. */
int wm_ix_mac_get(const wm_index_t *ix, uint32_t tenant, unsigned tag, const wm_mac_t *m,
                  uint32_t *loc);
/** 1 and *loc when (tenant, kind, key) is in the variable-key table, else 0. */
int wm_ix_var_get(const wm_index_t *ix, uint32_t tenant, uint8_t kind, const uint8_t *key,
                  size_t len, uint32_t *loc);

/*
 * Prefetch the first slot a get would probe. A lookup that may try several
 * keys issues every prefetch first, so their cache misses overlap instead of
 * queueing one after another (a miss then costs about one DRAM access).
 */
void wm_ix_mac_prefetch(const wm_index_t *ix, uint32_t tenant, unsigned tag, const wm_mac_t *m);
void wm_ix_var_prefetch(const wm_index_t *ix, uint32_t tenant, uint8_t kind, const uint8_t *key,
                        size_t len);

#endif
