/*
 * wiremap internals of the LMDB side: the store handle, the binary record
 * encoding (record.c), the tenant loader shared by import/export, and the
 * longest-prefix-match table of the index (lpm.c). Module-internal only.
 *
 * The LMDB layout itself is documented at the top of store.c.
 */
#ifndef OPENLIS_WIREMAP_STORE_INTERNAL_H
#define OPENLIS_WIREMAP_STORE_INTERNAL_H

#include <lmdb.h>

#include "wiremap/wiremap_internal.h"

/* ---------------- store handle ---------------------------------------- */

struct wm_store {
	MDB_env *env;
	MDB_dbi meta, tenants, buildings, locations, elements, dids;
	unsigned flags;
	size_t maxkey; /**< mdb_env_get_maxkeysize() */
	char *dir;
};

/** Begins a transaction (read-only when rdonly); returns 0 or a LIS error. */
int wm_store_txn(wm_store_t *st, bool rdonly, MDB_txn **out);

/** Prefix "tenant\0" of every per-tenant key; returns the length written. */
size_t wm_store_tenant_prefix(const char *tenant, uint8_t *buf, size_t buflen);

/** Deletes every record of `tenant` (all tables) inside a write txn. */
int wm_store_delete_tenant(wm_store_t *st, MDB_txn *txn, const char *tenant);

/**
 * Appends the stored records of tenant t->id to `t` (src.file = NULL).
 * Buildings and locations whose id `t` already holds are skipped (the file
 * version wins); elements and DIDs identical to one already in `t` are
 * skipped, conflicting ones are added so wm_model_validate reports them.
 * Tenant attributes are copied when t->has_attrs is false. *found tells
 * whether the tenant exists in the store. Returns 0 or a LIS error.
 */
int wm_store_load_tenant(wm_store_t *st, MDB_txn *txn, wm_model_t *m, wm_m_tenant_t *t,
                         bool *found);

/** Writes every record of model tenant `t` (keys must not exist yet). */
int wm_store_put_tenant(wm_store_t *st, MDB_txn *txn, const wm_m_tenant_t *t, wm_diag_t *diag);

/** Reads / writes the generation counter inside a txn. */
int wm_store_get_generation(wm_store_t *st, MDB_txn *txn, uint64_t *gen);
int wm_store_set_generation(wm_store_t *st, MDB_txn *txn, uint64_t gen);

/* ---------------- record encoding (record.c) -------------------------- */

/** A growable byte buffer (heap; aborts on OOM like the arena). */
typedef struct {
	uint8_t *p;
	size_t len, cap;
} wm_buf_t;

void wm_buf_free(wm_buf_t *b);
void wm_buf_put(wm_buf_t *b, const void *p, size_t n);

/*
 * Values are written with LEB128 lengths; strings as (len+1, bytes) where
 * a 0 length means NULL. Decoders return 0 or LIS_ECORRUPT and place strings
 * in the arena. The key of each record (its id) is not part of the value.
 */
void wm_rec_tenant_encode(wm_buf_t *b, const wm_m_tenant_t *t);
/** Fills name, did_fallback and pushes the trusted networks onto t->trusted. */
int wm_rec_tenant_decode(const void *p, size_t n, wm_arena_t *a, wm_m_tenant_t *t);
void wm_rec_building_encode(wm_buf_t *b, const wm_m_building_t *bd);
int wm_rec_building_decode(const void *p, size_t n, wm_arena_t *a, wm_m_building_t *bd);
void wm_rec_location_encode(wm_buf_t *b, const wm_m_location_t *l);
int wm_rec_location_decode(const void *p, size_t n, wm_arena_t *a, wm_m_location_t *l);

/* ---------------- hashing --------------------------------------------- */

/** 64-bit hash of bytes (FNV-1a + a splitmix finaliser), seeded. */
uint64_t wm_hash_bytes(const void *p, size_t n, uint64_t seed);
/** Finaliser for integer keys. */
static inline uint64_t wm_hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* ---------------- longest prefix match (lpm.c) ------------------------ */

/**
 * Longest prefix match per tenant (lpm.c): one hash per family, prefix
 * lengths grouped four at a time so that a lookup reads about one cache line
 * per group the tenant uses. Built by wm_lpm_insert(), then read-only (any
 * number of threads).
 */
typedef struct wm_lpm wm_lpm_t;

/** New table for up to `n4` IPv4 and `n6` IPv6 prefixes over `ntenants` tenants. Caller frees. */
wm_lpm_t *wm_lpm_new(size_t n4, size_t n6, size_t ntenants);
void wm_lpm_free(wm_lpm_t *l);
/**
 * Adds a prefix; returns 0, LIS_EDATA when the same prefix is already there,
 * or LIS_ELIMIT past the count given to wm_lpm_new() (a caller bug).
 */
int wm_lpm_insert(wm_lpm_t *l, uint32_t tenant, const wm_cidr_t *c, uint32_t val);
/** Longest prefix of `ip` in `tenant`: 1 found (*val, *plen set), 0 none. */
int wm_lpm_lookup(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip, uint32_t *val,
                  uint8_t *plen);
/** Prefetches the first slot of every prefix-length group the tenant uses for ip. */
void wm_lpm_prefetch(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip);
size_t wm_lpm_count(const wm_lpm_t *l);
size_t wm_lpm_bytes(const wm_lpm_t *l);

#endif
