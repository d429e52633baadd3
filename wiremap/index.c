/*
 * The in-memory index, built from one LMDB read transaction (so it always
 * reflects exactly one committed import), immutable afterwards.
 * Layout and sizes: index_internal.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/index_internal.h"

/* ---------------- hash tables ----------------------------------------- */

static size_t table_cap(size_t n)
{
	size_t cap = 16;
	while (cap < n + n / 3 + 1)
		cap <<= 1;
	return cap;
}

static uint64_t mac_key(unsigned tag, const wm_mac_t *m)
{
	uint64_t k = 0;
	for (int i = 0; i < 6; i++)
		k = k << 8 | m->o[i];
	return k | (uint64_t)tag << 48;
}

static uint64_t mac_hash(uint64_t key, uint32_t tenant)
{
	return wm_hash_mix(key ^ ((uint64_t)tenant * 0x9e3779b97f4a7c15ULL));
}

/* Returns 0, or LIS_EDATA when the key is already present (with *loc). */
static int mac_put(wm_index_t *ix, uint32_t tenant, unsigned tag, const wm_mac_t *m, uint32_t loc)
{
	uint64_t key = mac_key(tag, m);
	for (size_t i = mac_hash(key, tenant) & ix->mac_mask;; i = (i + 1) & ix->mac_mask) {
		wm_ix_mac_slot_t *s = &ix->mac[i];
		if (s->loc == WM_IX_NONE) {
			s->key = key;
			s->tenant = tenant;
			s->loc = loc;
			return 0;
		}
		if (s->key == key && s->tenant == tenant)
			return LIS_EDATA;
	}
}

int wm_ix_mac_get(const wm_index_t *ix, uint32_t tenant, unsigned tag, const wm_mac_t *m,
                  uint32_t *loc)
{
	uint64_t key = mac_key(tag, m);
	for (size_t i = mac_hash(key, tenant) & ix->mac_mask;; i = (i + 1) & ix->mac_mask) {
		const wm_ix_mac_slot_t *s = &ix->mac[i];
		if (s->loc == WM_IX_NONE)
			return 0;
		if (s->key == key && s->tenant == tenant) {
			*loc = s->loc;
			return 1;
		}
	}
}

void wm_ix_mac_prefetch(const wm_index_t *ix, uint32_t tenant, unsigned tag, const wm_mac_t *m)
{
	const char *p = (const char *)&ix->mac[mac_hash(mac_key(tag, m), tenant) & ix->mac_mask];
	/* a miss scans on to the next empty slot: that is often the next line */
	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
}

static uint64_t var_hash(uint32_t tenant, uint8_t kind, const uint8_t *key, size_t len)
{
	return wm_hash_bytes(key, len, (uint64_t)tenant << 8 | kind);
}

static bool var_eq(const wm_index_t *ix, uint32_t off, uint32_t tenant, uint8_t kind,
                   const uint8_t *key, size_t len)
{
	const uint8_t *b = ix->blob + off;
	uint32_t t;
	uint16_t l;
	memcpy(&t, b, 4);
	memcpy(&l, b + 5, 2);
	return t == tenant && b[4] == kind && l == len && memcmp(b + 7, key, len) == 0;
}

static int var_put(wm_index_t *ix, uint32_t tenant, uint8_t kind, const uint8_t *key, size_t len,
                   uint32_t loc)
{
	uint64_t h = var_hash(tenant, kind, key, len);
	size_t need = 7 + len;

	if (len > UINT16_MAX)
		return LIS_EDATA;
	for (size_t i = h & ix->var_mask;; i = (i + 1) & ix->var_mask) {
		wm_ix_var_slot_t *s = &ix->var[i];
		if (s->loc == WM_IX_NONE) {
			if (ix->blob_len + need > ix->blob_cap) {
				size_t cap = ix->blob_cap ? ix->blob_cap * 2 : 4096;
				while (cap < ix->blob_len + need)
					cap *= 2;
				if (cap > UINT32_MAX)
					return LIS_ELIMIT;
				uint8_t *nb = realloc(ix->blob, cap);
				if (!nb)
					return -ENOMEM;
				ix->blob = nb;
				ix->blob_cap = cap;
			}
			uint8_t *b = ix->blob + ix->blob_len;
			uint16_t l = (uint16_t)len;
			memcpy(b, &tenant, 4);
			b[4] = kind;
			memcpy(b + 5, &l, 2);
			memcpy(b + 7, key, len);
			s->hash = h;
			s->loc = loc;
			s->off = (uint32_t)ix->blob_len;
			ix->blob_len += need;
			return 0;
		}
		if (s->hash == h && var_eq(ix, s->off, tenant, kind, key, len))
			return LIS_EDATA;
	}
}

void wm_ix_var_prefetch(const wm_index_t *ix, uint32_t tenant, uint8_t kind, const uint8_t *key,
                        size_t len)
{
	const char *p = (const char *)&ix->var[var_hash(tenant, kind, key, len) & ix->var_mask];
	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
}

int wm_ix_var_get(const wm_index_t *ix, uint32_t tenant, uint8_t kind, const uint8_t *key,
                  size_t len, uint32_t *loc)
{
	uint64_t h = var_hash(tenant, kind, key, len);
	for (size_t i = h & ix->var_mask;; i = (i + 1) & ix->var_mask) {
		const wm_ix_var_slot_t *s = &ix->var[i];
		if (s->loc == WM_IX_NONE)
			return 0;
		if (s->hash == h && var_eq(ix, s->off, tenant, kind, key, len)) {
			*loc = s->loc;
			return 1;
		}
	}
}

/* ---------------- build ----------------------------------------------- */

typedef struct {
	uint32_t tenant;
	wm_m_building_t b;
} bld_t;

typedef struct {
	wm_index_t *ix;
	MDB_txn *txn;
	wm_store_t *st;
	bld_t *blds;
	size_t nblds;
	uint32_t last_tenant; /* cache: keys come in tenant order */
} build_t;

static int cmp_tenant_key(const char *id, size_t len, const wm_tenant_t *t)
{
	size_t tl = strlen(t->id);
	int c = memcmp(id, t->id, len < tl ? len : tl);
	if (c)
		return c;
	return len < tl ? -1 : len > tl;
}

static const wm_tenant_t *find_tenant(const wm_index_t *ix, const char *id, size_t len)
{
	size_t lo = 0, hi = ix->ntenants;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_tenant_key(id, len, &ix->tenants[mid]);
		if (c == 0)
			return &ix->tenants[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Splits "TENANT\0REST": returns the tenant index (or WM_IX_NONE), *rest. */
static uint32_t key_tenant(build_t *b, const MDB_val *k, const uint8_t **rest, size_t *restlen)
{
	const uint8_t *p = k->mv_data;
	const uint8_t *nul = memchr(p, '\0', k->mv_size);
	if (!nul)
		return WM_IX_NONE;
	size_t tl = (size_t)(nul - p);
	*rest = nul + 1;
	*restlen = k->mv_size - tl - 1;
	if (b->last_tenant != WM_IX_NONE) {
		const char *id = b->ix->tenants[b->last_tenant].id;
		if (strlen(id) == tl && memcmp(id, p, tl) == 0)
			return b->last_tenant;
	}
	const wm_tenant_t *t = find_tenant(b->ix, (const char *)p, tl);
	if (!t)
		return WM_IX_NONE;
	b->last_tenant = t->idx;
	return t->idx;
}

static int cmp_str_len(const char *s, const uint8_t *k, size_t klen)
{
	size_t sl = strlen(s);
	int c = memcmp(k, s, klen < sl ? klen : sl);
	if (c)
		return c;
	return klen < sl ? -1 : klen > sl;
}

static uint32_t find_location(const wm_index_t *ix, uint32_t tenant, const void *id, size_t len)
{
	size_t lo = 0, hi = ix->nlocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const wm_location_t *l = &ix->locs[mid];
		int c = (int)(tenant > l->tenant->idx) - (int)(tenant < l->tenant->idx);
		if (!c)
			c = cmp_str_len(l->id, id, len);
		if (c == 0)
			return (uint32_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return WM_IX_NONE;
}

static const wm_m_building_t *find_building(const build_t *b, uint32_t tenant, const char *id)
{
	size_t lo = 0, hi = b->nblds;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const bld_t *x = &b->blds[mid];
		int c = (int)(tenant > x->tenant) - (int)(tenant < x->tenant);
		if (!c)
			c = strcmp(id, x->b.id);
		if (c == 0)
			return &x->b;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int entries(MDB_txn *txn, MDB_dbi dbi, size_t *n)
{
	MDB_stat s;
	int rc = mdb_stat(txn, dbi, &s);
	*n = s.ms_entries;
	return wm_err_from_mdb(rc);
}

static int load_tenants(build_t *b)
{
	wm_index_t *ix = b->ix;
	MDB_cursor *c;
	MDB_val k, v;
	size_t n;
	int err = entries(b->txn, b->st->tenants, &n), rc;
	if (err)
		return err;
	ix->tenants = wm_arena_alloc(&ix->arena, (n ? n : 1) * sizeof(wm_tenant_t));
	if ((rc = mdb_cursor_open(b->txn, b->st->tenants, &c)))
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && ix->ntenants < n;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		wm_m_tenant_t mt;
		memset(&mt, 0, sizeof mt);
		if (memchr(k.mv_data, '\0', k.mv_size)) {
			err = LIS_ECORRUPT;
			break;
		}
		err = wm_rec_tenant_decode(v.mv_data, v.mv_size, &ix->arena, &mt);
		if (!err) {
			wm_tenant_t *t = &ix->tenants[ix->ntenants];
			t->id = wm_arena_strndup(&ix->arena, k.mv_data, k.mv_size);
			t->name = mt.name;
			t->did_fallback = mt.did_fallback;
			t->idx = (uint32_t)ix->ntenants++;
			t->ntrusted = mt.trusted.n;
			t->trusted = wm_arena_memdup(&ix->arena, mt.trusted.v,
			                             mt.trusted.n * sizeof(wm_cidr_t));
		}
		free(mt.trusted.v);
		if (err)
			break;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : wm_err_from_mdb(rc);
}

static int load_buildings(build_t *b)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t n;
	int err = entries(b->txn, b->st->buildings, &n), rc;
	if (err)
		return err;
	b->blds = calloc(n ? n : 1, sizeof(bld_t));
	if (!b->blds)
		return -ENOMEM;
	if ((rc = mdb_cursor_open(b->txn, b->st->buildings, &c)))
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && b->nblds < n;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *rest;
		size_t rl;
		uint32_t t = key_tenant(b, &k, &rest, &rl);
		if (t == WM_IX_NONE) {
			err = LIS_ECORRUPT;
			break;
		}
		bld_t *x = &b->blds[b->nblds];
		if ((err = wm_rec_building_decode(v.mv_data, v.mv_size, &b->ix->arena, &x->b)))
			break;
		x->tenant = t;
		x->b.id = wm_arena_strndup(&b->ix->arena, (const char *)rest, rl);
		b->nblds++;
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : wm_err_from_mdb(rc);
}

static int load_locations(build_t *b)
{
	wm_index_t *ix = b->ix;
	MDB_cursor *c;
	MDB_val k, v;
	size_t n;
	int err = entries(b->txn, b->st->locations, &n), rc;
	if (err)
		return err;
	ix->locs = calloc(n ? n : 1, sizeof(wm_location_t));
	if (!ix->locs)
		return -ENOMEM;
	if ((rc = mdb_cursor_open(b->txn, b->st->locations, &c)))
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && ix->nlocs < n;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *rest;
		size_t rl;
		wm_m_location_t ml;
		uint32_t t = key_tenant(b, &k, &rest, &rl);
		if (t == WM_IX_NONE) {
			err = LIS_ECORRUPT;
			break;
		}
		memset(&ml, 0, sizeof ml);
		if ((err = wm_rec_location_decode(v.mv_data, v.mv_size, &ix->arena, &ml)))
			break;
		const wm_m_building_t *bd = find_building(b, t, ml.building);
		if (!bd) {
			err = LIS_ECORRUPT;
			break;
		}
		wm_location_t *l = &ix->locs[ix->nlocs++];
		l->id = wm_arena_strndup(&ix->arena, (const char *)rest, rl);
		l->name = ml.name;
		l->building_id = bd->id;
		l->building_name = bd->name;
		for (int i = 0; i < WM_CA_COUNT; i++)
			l->civic[i] = ml.civic[i] ? ml.civic[i] : bd->civic[i];
		l->geo = ml.geo.set ? ml.geo : bd->geo;
		l->ecbn = ml.ecbn;
		l->tenant = &ix->tenants[t];
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : wm_err_from_mdb(rc);
}

/* Counts elements per table so every table is allocated once, at its size;
 * nsub[0] counts IPv4 subnets, nsub[1] IPv6 ones. */
static int count_elements(build_t *b, size_t *nmac, size_t *nvar, size_t nsub[2])
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	*nmac = *nvar = nsub[0] = nsub[1] = 0;
	if ((rc = mdb_cursor_open(b->txn, b->st->elements, &c)))
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *nul = memchr(k.mv_data, '\0', k.mv_size);
		size_t off = nul ? (size_t)(nul - (const uint8_t *)k.mv_data) + 1 : k.mv_size;
		uint8_t kind = off < k.mv_size ? ((const uint8_t *)k.mv_data)[off] : 0;
		if (kind == WM_EL_BSSID || kind == WM_EL_GATEWAY)
			(*nmac)++;
		else if (kind == WM_EL_SUBNET)
			nsub[off + 1 < k.mv_size && ((const uint8_t *)k.mv_data)[off + 1] == 6]++;
		else
			(*nvar)++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : wm_err_from_mdb(rc);
}

static int add_element(build_t *b, uint32_t t, const uint8_t *k, size_t kl, uint32_t loc)
{
	wm_index_t *ix = b->ix;
	uint8_t kind = k[0];
	const uint8_t *key = k + 1;
	size_t len = kl - 1;

	switch (kind) {
	case WM_EL_LLDP_PORT:
	case WM_EL_LLDP_CHASSIS: {
		wm_lldp_id_t ch, port;
		if (wm_key_lldp_decode(key, len, &ch, kind == WM_EL_LLDP_PORT ? &port : NULL))
			return LIS_ECORRUPT;
		if (kind == WM_EL_LLDP_PORT)
			ix->st.lldp_port++;
		else
			ix->st.lldp_chassis++;
		return var_put(ix, t, kind, key, len, loc);
	}
	case WM_EL_BSSID: {
		wm_mac_t m;
		if (len != 7 || key[0] > 2)
			return LIS_ECORRUPT;
		memcpy(m.o, key + 1, 6);
		if (key[0])
			ix->st.bssid_wild++;
		else
			ix->st.bssid++;
		return mac_put(ix, t, WM_IX_BSSID + key[0], &m, loc);
	}
	case WM_EL_GATEWAY: {
		wm_mac_t m;
		if (len != 6)
			return LIS_ECORRUPT;
		memcpy(m.o, key, 6);
		ix->st.gateway++;
		return mac_put(ix, t, WM_IX_GATEWAY, &m, loc);
	}
	case WM_EL_SUBNET: {
		wm_cidr_t c;
		memset(&c, 0, sizeof c);
		if (len < 2 || !((key[0] == 4 && len == 6 && key[1] <= 32) ||
		                 (key[0] == 6 && len == 18 && key[1] <= 128)))
			return LIS_ECORRUPT;
		c.family = key[0];
		c.plen = key[1];
		memcpy(c.a, key + 2, len - 2);
		ix->st.subnet++;
		return wm_lpm_insert(ix->lpm, t, &c, loc);
	}
	default:
		return LIS_ECORRUPT;
	}
}

static int load_elements(build_t *b, MDB_dbi dbi, bool dids)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc, err = 0;
	if ((rc = mdb_cursor_open(b->txn, dbi, &c)))
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *rest;
		size_t rl;
		uint32_t t = key_tenant(b, &k, &rest, &rl);
		uint32_t loc =
		    t == WM_IX_NONE ? WM_IX_NONE : find_location(b->ix, t, v.mv_data, v.mv_size);
		if (loc == WM_IX_NONE || rl < 2) {
			err = LIS_ECORRUPT;
			break;
		}
		if (dids) {
			b->ix->st.did++;
			err = var_put(b->ix, t, WM_IX_DID, rest, rl, loc);
		} else {
			err = add_element(b, t, rest, rl, loc);
		}
		if (err == LIS_EDATA)
			err = LIS_ECORRUPT; /* a duplicate key cannot come from LMDB */
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : wm_err_from_mdb(rc);
}

int wm_index_build(wm_store_t *st, wm_index_t **out)
{
	wm_index_t *ix = calloc(1, sizeof(*ix));
	build_t b = {0};
	size_t nmac, nvar, nsub[2], ndid;
	int err;

	*out = NULL;
	if (!ix)
		return -ENOMEM;
	wm_arena_init(&ix->arena);
	b.ix = ix;
	b.st = st;
	b.last_tenant = WM_IX_NONE;
	if ((err = wm_store_txn(st, true, &b.txn)))
		goto out;
	if ((err = wm_store_get_generation(st, b.txn, &ix->generation)) ||
	    (err = load_tenants(&b)) || (err = load_buildings(&b)) || (err = load_locations(&b)) ||
	    (err = count_elements(&b, &nmac, &nvar, nsub)) ||
	    (err = entries(b.txn, st->dids, &ndid)))
		goto out;

	size_t mcap = table_cap(nmac), vcap = table_cap(nvar + ndid);
	ix->mac = malloc(mcap * sizeof(*ix->mac));
	ix->var = malloc(vcap * sizeof(*ix->var));
	ix->lpm = wm_lpm_new(nsub[0], nsub[1], ix->ntenants);
	if (!ix->mac || !ix->var || !ix->lpm) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < mcap; i++)
		ix->mac[i].loc = WM_IX_NONE;
	for (size_t i = 0; i < vcap; i++)
		ix->var[i].loc = WM_IX_NONE;
	ix->mac_mask = mcap - 1;
	ix->var_mask = vcap - 1;
	if ((err = load_elements(&b, st->elements, false)) ||
	    (err = load_elements(&b, st->dids, true)))
		goto out;

	ix->st.tenants = ix->ntenants;
	ix->st.locations = ix->nlocs;
	ix->st.bytes = sizeof(*ix) + ix->arena.used + ix->nlocs * sizeof(wm_location_t) +
	               mcap * sizeof(*ix->mac) + vcap * sizeof(*ix->var) + ix->blob_cap +
	               wm_lpm_bytes(ix->lpm);
out:
	if (b.txn)
		mdb_txn_abort(b.txn);
	free(b.blds);
	if (err) {
		wm_index_free(ix);
		return err;
	}
	*out = ix;
	return 0;
}

void wm_index_free(wm_index_t *ix)
{
	if (!ix)
		return;
	wm_arena_deinit(&ix->arena);
	free(ix->locs);
	free(ix->mac);
	free(ix->var);
	free(ix->blob);
	wm_lpm_free(ix->lpm);
	free(ix);
}

uint64_t wm_index_generation(const wm_index_t *ix)
{
	return ix->generation;
}

void wm_index_stats(const wm_index_t *ix, wm_index_stats_t *out)
{
	*out = ix->st;
}

const wm_tenant_t *wm_index_tenant(const wm_index_t *ix, const char *id, size_t len)
{
	return find_tenant(ix, id, len);
}

const wm_location_t *wm_index_location(const wm_index_t *ix, const wm_tenant_t *t,
                                       const char *id, size_t len)
{
	uint32_t i = find_location(ix, t->idx, id, len);
	return i == WM_IX_NONE ? NULL : &ix->locs[i];
}

const wm_tenant_t *wm_index_sole_tenant(const wm_index_t *ix)
{
	return ix->ntenants == 1 ? &ix->tenants[0] : NULL;
}

const char *wm_tenant_id(const wm_tenant_t *t)
{
	return t->id;
}

const char *wm_tenant_name(const wm_tenant_t *t)
{
	return t->name;
}

bool wm_tenant_did_fallback(const wm_tenant_t *t)
{
	return t->did_fallback;
}

bool wm_tenant_trusts(const wm_tenant_t *t, const wm_ip_t *src)
{
	if (t->ntrusted == 0)
		return true;
	for (size_t i = 0; i < t->ntrusted; i++)
		if (wm_cidr_contains(&t->trusted[i], src))
			return true;
	return false;
}
