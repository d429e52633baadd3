/*
 * The LMDB store of the wiremap.
 *
 * Layout (WM_STORE_FORMAT 1): one LMDB environment in DIR (data.mdb,
 * lock.mdb), opened with MDB_NOTLS so read transactions may move between
 * threads, default durability (synchronous commit: an import either is on
 * disk entirely or not at all). Named databases, keys compared bytewise:
 *
 *   meta       "format"     -> u32 little endian (WM_STORE_FORMAT)
 *              "generation" -> u64 little endian, +1 per committed import
 *   tenants    TENANT                        -> tenant record   (record.c)
 *   buildings  TENANT \0 BUILDING-ID         -> building record
 *   locations  TENANT \0 LOCATION-ID         -> location record
 *   elements   TENANT \0 KIND KEY-BYTES      -> LOCATION-ID
 *              (KIND = wm_el_kind_t, KEY-BYTES = wm_key_*() encoding)
 *   dids       TENANT \0 "+E164"             -> LOCATION-ID
 *
 * Every per-tenant key starts with "TENANT\0", so one tenant's records are
 * one contiguous key range in each table (deleted with one range walk) and
 * no key of one tenant can equal a key of another.
 *
 * A database without a meta table or with another format number is refused
 * with LIS_EVERSION and never read; an empty environment (no table at all)
 * is "no wiremap yet" (-ENOENT) to readers, and initialised by an importer.
 *
 * Map size: see wm_store_open(); a handle adopts a map grown by another
 * process (MDB_MAP_RESIZED) in wm_store_txn().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wiremap/store_internal.h"

#define META_FORMAT "format"
#define META_GENERATION "generation"

static int mdberr(int rc)
{
	return wm_err_from_mdb(rc);
}

static void put_le(uint8_t *o, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *o, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)o[i] << (8 * i);
	return v;
}

static int open_dbis(wm_store_t *st, MDB_txn *txn, unsigned flags)
{
	static const char *const names[] = {"tenants", "buildings", "locations", "elements",
	                                    "dids"};
	MDB_dbi *dbis[] = {&st->tenants, &st->buildings, &st->locations, &st->elements, &st->dids};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int rc = mdb_dbi_open(txn, names[i], flags, dbis[i]);
		if (rc == MDB_NOTFOUND)
			return LIS_EVERSION; /* meta says format 1 but a table is missing */
		if (rc)
			return mdberr(rc);
	}
	return 0;
}

/* Checks (or, in a new database, writes) the format number. */
static int check_format(wm_store_t *st, MDB_txn *txn, bool create)
{
	MDB_val k = {strlen(META_FORMAT), META_FORMAT}, v;
	int rc = mdb_dbi_open(txn, "meta", 0, &st->meta);

	if (rc == MDB_NOTFOUND) {
		/* Only an empty environment may be initialised: anything else
		 * is some other LMDB database we must not touch. */
		MDB_stat ms;
		MDB_dbi main_dbi;
		if ((rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) ||
		    (rc = mdb_stat(txn, main_dbi, &ms)))
			return mdberr(rc);
		if (ms.ms_entries != 0)
			return LIS_EVERSION;
		/* An empty environment (a first import that failed, e.g. with a
		 * map too small for the tables) holds no wiremap yet. */
		if (!create)
			return -ENOENT;
		if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &st->meta)))
			return mdberr(rc);
		uint8_t f[4], g[8];
		put_le(f, WM_STORE_FORMAT, 4);
		put_le(g, 0, 8);
		MDB_val fv = {4, f};
		MDB_val gk = {strlen(META_GENERATION), META_GENERATION}, gv = {8, g};
		if ((rc = mdb_put(txn, st->meta, &k, &fv, 0)) ||
		    (rc = mdb_put(txn, st->meta, &gk, &gv, 0)))
			return mdberr(rc);
		return open_dbis(st, txn, MDB_CREATE);
	}
	if (rc)
		return mdberr(rc);
	rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return LIS_EVERSION;
	if (rc)
		return mdberr(rc);
	if (v.mv_size != 4 || get_le(v.mv_data, 4) != WM_STORE_FORMAT)
		return LIS_EVERSION;
	return open_dbis(st, txn, 0);
}

int wm_store_open(const char *dir, unsigned flags, size_t map_size, wm_store_t **out)
{
	wm_store_t *st = NULL;
	MDB_txn *txn = NULL;
	bool rdonly = flags & WM_STORE_RDONLY;
	bool create = (flags & WM_STORE_CREATE) && !rdonly;
	int rc, err;

	*out = NULL;
	if (create) {
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
	} else {
		/* never let LMDB create a fresh data.mdb behind the caller's back */
		char path[4096];
		struct stat sb;
		if (snprintf(path, sizeof path, "%s/data.mdb", dir) >= (int)sizeof path)
			return -ENAMETOOLONG;
		if (stat(path, &sb) < 0)
			return -errno;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->flags = flags;
	st->dir = strdup(dir);
	if (!st->dir) {
		err = -ENOMEM;
		goto out;
	}
	if ((rc = mdb_env_create(&st->env))) {
		st->env = NULL;
		err = mdberr(rc);
		goto out;
	}
	/* An explicit size is a multiple of the page size (LMDB's advice). */
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	if (map_size && map_size <= SIZE_MAX - page)
		map_size = (map_size + page - 1) / page * page;
	if ((rc = mdb_env_set_maxdbs(st->env, 8)) ||
	    (map_size && (rc = mdb_env_set_mapsize(st->env, map_size)))) {
		err = mdberr(rc);
		goto out;
	}
	rc = mdb_env_open(st->env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0), 0640);
	if (rc) {
		err = mdberr(rc);
		goto out;
	}
	/*
	 * No explicit size: the larger of the size stored in the environment
	 * (LMDB adopts it when none is set, and persists only increases, so it
	 * is the largest any writer asked for) and the default. A database an
	 * operator grew with `wiremap import --map-size` stays writable by
	 * later imports and readable by lisd without repeating the option. An
	 * explicit size applies to this handle only; LMDB silently raises one
	 * below the space already used to that space.
	 */
	if (!map_size) {
		MDB_envinfo info;
		mdb_env_info(st->env, &info);
		if (info.me_mapsize < WM_STORE_DEFAULT_MAPSIZE &&
		    (rc = mdb_env_set_mapsize(st->env, WM_STORE_DEFAULT_MAPSIZE))) {
			err = mdberr(rc);
			goto out;
		}
	}
	st->maxkey = (size_t)mdb_env_get_maxkeysize(st->env);
	/* readers of crashed processes would pin old pages forever */
	int dead = 0;
	mdb_reader_check(st->env, &dead);

	if ((rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn))) {
		err = mdberr(rc);
		goto out;
	}
	if ((err = check_format(st, txn, create)))
		goto out;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc) {
		err = mdberr(rc);
		goto out;
	}
	*out = st;
	return 0;
out:
	if (txn)
		mdb_txn_abort(txn);
	wm_store_close(st);
	return err;
}

void wm_store_close(wm_store_t *st)
{
	if (!st)
		return;
	if (st->env)
		mdb_env_close(st->env);
	free(st->dir);
	free(st);
}

int wm_store_txn(wm_store_t *st, bool rdonly, MDB_txn **out)
{
	if (!rdonly && (st->flags & WM_STORE_RDONLY))
		return -EROFS;
	int rc = mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0, out);
	if (rc == MDB_READERS_FULL) {
		int dead = 0;
		mdb_reader_check(st->env, &dead);
		if (dead)
			rc = mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0, out);
	}
	/* Another process (an import with a larger --map-size) grew the data
	 * beyond this handle's map: adopt the stored size and retry. Safe here
	 * because a handle is used by one thread at a time and no transaction
	 * of this handle is open while a new one begins. */
	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(st->env, 0)) == 0)
		rc = mdb_txn_begin(st->env, NULL, rdonly ? MDB_RDONLY : 0, out);
	return mdberr(rc);
}

int wm_store_map_size(wm_store_t *st, size_t *size)
{
	MDB_envinfo info;
	int rc = mdb_env_info(st->env, &info);
	*size = rc ? 0 : info.me_mapsize;
	return mdberr(rc);
}

int wm_store_get_generation(wm_store_t *st, MDB_txn *txn, uint64_t *gen)
{
	MDB_val k = {strlen(META_GENERATION), META_GENERATION}, v;
	int rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*gen = 0;
		return 0;
	}
	if (rc)
		return mdberr(rc);
	if (v.mv_size != 8)
		return LIS_ECORRUPT;
	*gen = get_le(v.mv_data, 8);
	return 0;
}

int wm_store_set_generation(wm_store_t *st, MDB_txn *txn, uint64_t gen)
{
	uint8_t g[8];
	put_le(g, gen, 8);
	MDB_val k = {strlen(META_GENERATION), META_GENERATION}, v = {8, g};
	return mdberr(mdb_put(txn, st->meta, &k, &v, 0));
}

int wm_store_generation(wm_store_t *st, uint64_t *gen)
{
	MDB_txn *txn;
	int err = wm_store_txn(st, true, &txn);
	if (err)
		return err;
	err = wm_store_get_generation(st, txn, gen);
	mdb_txn_abort(txn);
	return err;
}

size_t wm_store_tenant_prefix(const char *tenant, uint8_t *buf, size_t buflen)
{
	size_t n = strlen(tenant);
	if (n + 1 > buflen)
		return 0;
	memcpy(buf, tenant, n);
	buf[n] = '\0';
	return n + 1;
}

static bool has_prefix(const MDB_val *k, const uint8_t *pre, size_t n)
{
	return k->mv_size >= n && memcmp(k->mv_data, pre, n) == 0;
}

static int delete_range(MDB_txn *txn, MDB_dbi dbi, const uint8_t *pre, size_t n)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return mdberr(rc);
	for (;;) {
		k.mv_size = n;
		k.mv_data = (void *)pre;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND || (rc == 0 && !has_prefix(&k, pre, n))) {
			rc = 0;
			break;
		}
		if (rc || (rc = mdb_cursor_del(c, 0)))
			break;
	}
	mdb_cursor_close(c);
	return mdberr(rc);
}

int wm_store_delete_tenant(wm_store_t *st, MDB_txn *txn, const char *tenant)
{
	uint8_t pre[1024];
	size_t n = wm_store_tenant_prefix(tenant, pre, sizeof pre);
	int err;
	if (!n)
		return LIS_EDATA;
	if ((err = delete_range(txn, st->buildings, pre, n)) ||
	    (err = delete_range(txn, st->locations, pre, n)) ||
	    (err = delete_range(txn, st->elements, pre, n)) ||
	    (err = delete_range(txn, st->dids, pre, n)))
		return err;
	MDB_val k = {n - 1, (void *)tenant};
	int rc = mdb_del(txn, st->tenants, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : mdberr(rc);
}

/* ---------------- loading a tenant into a model ----------------------- */

/* Open-addressing set of indices (stored +1) with caller-supplied keys. */
typedef struct {
	uint32_t *slot;
	size_t mask;
} idxset_t;

static void idxset_init(idxset_t *s, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap <<= 1;
	s->slot = calloc(cap, sizeof(uint32_t));
	if (!s->slot)
		abort();
	s->mask = cap - 1;
}

typedef bool (*idx_eq_fn)(const void *ctx, uint32_t idx, const void *key, size_t keylen);

/* Returns the index found, or inserts `idx` (when != UINT32_MAX) and returns UINT32_MAX. */
static uint32_t idxset_find(idxset_t *s, uint64_t h, const void *ctx, idx_eq_fn eq, const void *key,
                            size_t keylen, uint32_t idx)
{
	for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
		if (!s->slot[i]) {
			if (idx != UINT32_MAX)
				s->slot[i] = idx + 1;
			return UINT32_MAX;
		}
		if (eq(ctx, s->slot[i] - 1, key, keylen))
			return s->slot[i] - 1;
	}
}

static bool eq_building(const void *ctx, uint32_t i, const void *key, size_t len)
{
	const char *id = ((const wm_m_tenant_t *)ctx)->buildings.v[i].id;
	return strlen(id) == len && memcmp(id, key, len) == 0;
}

static bool eq_location(const void *ctx, uint32_t i, const void *key, size_t len)
{
	const char *id = ((const wm_m_tenant_t *)ctx)->locations.v[i].id;
	return strlen(id) == len && memcmp(id, key, len) == 0;
}

/* element key here = kind byte + key bytes */
static bool eq_element(const void *ctx, uint32_t i, const void *key, size_t len)
{
	const wm_m_element_t *e = &((const wm_m_tenant_t *)ctx)->elements.v[i];
	const uint8_t *k = key;
	return e->kind == k[0] && e->keylen == len - 1 && memcmp(e->key, k + 1, len - 1) == 0;
}

static bool eq_did(const void *ctx, uint32_t i, const void *key, size_t len)
{
	const wm_did_t *d = &((const wm_m_tenant_t *)ctx)->dids.v[i].did;
	return d->len == len && memcmp(d->d, key, len) == 0;
}

static uint64_t element_hash(uint8_t kind, const uint8_t *key, size_t len)
{
	return wm_hash_bytes(key, len, kind);
}

/* Iterates the tenant's key range of one table; cb gets the key after the prefix. */
typedef int (*range_fn)(void *ctx, const uint8_t *k, size_t klen, const MDB_val *v);

static int walk_range(MDB_txn *txn, MDB_dbi dbi, const uint8_t *pre, size_t n, range_fn cb,
                      void *ctx)
{
	MDB_cursor *c;
	MDB_val k = {n, (void *)pre}, v;
	int rc = mdb_cursor_open(txn, dbi, &c);
	int err = 0;
	if (rc)
		return mdberr(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (!has_prefix(&k, pre, n))
			break;
		err = cb(ctx, (const uint8_t *)k.mv_data + n, k.mv_size - n, &v);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : mdberr(rc);
}

typedef struct {
	wm_model_t *m;
	wm_m_tenant_t *t;
	idxset_t set;
} load_ctx_t;

static int load_building(void *vctx, const uint8_t *k, size_t klen, const MDB_val *v)
{
	load_ctx_t *c = vctx;
	uint64_t h = wm_hash_bytes(k, klen, 0);
	if (idxset_find(&c->set, h, c->t, eq_building, k, klen, UINT32_MAX) != UINT32_MAX)
		return 0; /* the file redefines it */
	wm_m_building_t b = {0};
	int err = wm_rec_building_decode(v->mv_data, v->mv_size, &c->m->arena, &b);
	if (err)
		return err;
	b.id = wm_arena_strndup(&c->m->arena, (const char *)k, klen);
	*WM_VEC_PUSH(c->t->buildings) = b;
	return 0;
}

static int load_location(void *vctx, const uint8_t *k, size_t klen, const MDB_val *v)
{
	load_ctx_t *c = vctx;
	uint64_t h = wm_hash_bytes(k, klen, 0);
	if (idxset_find(&c->set, h, c->t, eq_location, k, klen, UINT32_MAX) != UINT32_MAX)
		return 0;
	wm_m_location_t l = {0};
	int err = wm_rec_location_decode(v->mv_data, v->mv_size, &c->m->arena, &l);
	if (err)
		return err;
	l.id = wm_arena_strndup(&c->m->arena, (const char *)k, klen);
	*WM_VEC_PUSH(c->t->locations) = l;
	return 0;
}

static bool same_location(const char *loc, const MDB_val *v)
{
	return strlen(loc) == v->mv_size && memcmp(loc, v->mv_data, v->mv_size) == 0;
}

static int load_element(void *vctx, const uint8_t *k, size_t klen, const MDB_val *v)
{
	load_ctx_t *c = vctx;
	if (klen < 2 || v->mv_size == 0)
		return LIS_ECORRUPT;
	uint32_t i = idxset_find(&c->set, element_hash(k[0], k + 1, klen - 1), c->t, eq_element, k,
	                         klen, UINT32_MAX);
	if (i != UINT32_MAX && same_location(c->t->elements.v[i].location, v))
		return 0; /* the file repeats it: nothing to merge */
	wm_m_element_t e = {0};
	e.kind = k[0];
	e.keylen = (uint16_t)(klen - 1);
	e.key = wm_arena_memdup(&c->m->arena, k + 1, klen - 1);
	e.location = wm_arena_strndup(&c->m->arena, v->mv_data, v->mv_size);
	*WM_VEC_PUSH(c->t->elements) = e;
	return 0;
}

static int load_did(void *vctx, const uint8_t *k, size_t klen, const MDB_val *v)
{
	load_ctx_t *c = vctx;
	if (klen < 2 || klen > 16 || v->mv_size == 0)
		return LIS_ECORRUPT;
	uint32_t i =
	    idxset_find(&c->set, wm_hash_bytes(k, klen, 0), c->t, eq_did, k, klen, UINT32_MAX);
	if (i != UINT32_MAX && same_location(c->t->dids.v[i].location, v))
		return 0;
	wm_m_did_t d = {0};
	d.did.len = (uint8_t)klen;
	memcpy(d.did.d, k, klen);
	d.location = wm_arena_strndup(&c->m->arena, v->mv_data, v->mv_size);
	*WM_VEC_PUSH(c->t->dids) = d;
	return 0;
}

int wm_store_load_tenant(wm_store_t *st, MDB_txn *txn, wm_model_t *m, wm_m_tenant_t *t, bool *found)
{
	uint8_t pre[1024];
	size_t n = wm_store_tenant_prefix(t->id, pre, sizeof pre);
	load_ctx_t c = {m, t, {0}};
	MDB_val k = {n - 1, (void *)t->id}, v;
	int err = 0, rc;

	*found = false;
	if (!n)
		return 0; /* an id this long was never stored */
	rc = mdb_get(txn, st->tenants, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return mdberr(rc);
	*found = true;
	if (!t->has_attrs) {
		t->trusted.n = 0;
		if ((err = wm_rec_tenant_decode(v.mv_data, v.mv_size, &m->arena, t)))
			return err;
	}

	/* Each table: index what the files hold, then add what they lack. */
	idxset_init(&c.set, t->buildings.n);
	for (size_t i = 0; i < t->buildings.n; i++) {
		const char *id = t->buildings.v[i].id;
		idxset_find(&c.set, wm_hash_bytes(id, strlen(id), 0), t, eq_building, id,
		            strlen(id), (uint32_t)i);
	}
	err = walk_range(txn, st->buildings, pre, n, load_building, &c);
	free(c.set.slot);
	if (err)
		return err;

	idxset_init(&c.set, t->locations.n);
	for (size_t i = 0; i < t->locations.n; i++) {
		const char *id = t->locations.v[i].id;
		idxset_find(&c.set, wm_hash_bytes(id, strlen(id), 0), t, eq_location, id,
		            strlen(id), (uint32_t)i);
	}
	err = walk_range(txn, st->locations, pre, n, load_location, &c);
	free(c.set.slot);
	if (err)
		return err;

	idxset_init(&c.set, t->elements.n);
	for (size_t i = 0; i < t->elements.n; i++) {
		const wm_m_element_t *e = &t->elements.v[i];
		uint8_t key[1 + WM_KEY_MAX];
		key[0] = e->kind;
		memcpy(key + 1, e->key, e->keylen);
		idxset_find(&c.set, element_hash(e->kind, e->key, e->keylen), t, eq_element, key,
		            (size_t)e->keylen + 1, (uint32_t)i);
	}
	err = walk_range(txn, st->elements, pre, n, load_element, &c);
	free(c.set.slot);
	if (err)
		return err;

	idxset_init(&c.set, t->dids.n);
	for (size_t i = 0; i < t->dids.n; i++) {
		const wm_did_t *d = &t->dids.v[i].did;
		idxset_find(&c.set, wm_hash_bytes(d->d, d->len, 0), t, eq_did, d->d, d->len,
		            (uint32_t)i);
	}
	err = walk_range(txn, st->dids, pre, n, load_did, &c);
	free(c.set.slot);
	return err;
}

/* ---------------- writing a tenant ------------------------------------ */

static int put_rec(wm_store_t *st, MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t klen,
                   const void *val, size_t vlen, const wm_src_t *src, const char *what,
                   wm_diag_t *diag)
{
	if (klen > st->maxkey) {
		wm_diag_add(diag, src->file, src->line, what,
		            "too long to store (key of %zu bytes, the limit is %zu): shorten it",
		            klen, st->maxkey);
		return LIS_EDATA;
	}
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
	int rc = mdb_put(txn, dbi, &k, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		wm_diag_add(diag, src->file, src->line, what, "defined more than once");
		return LIS_EDATA;
	}
	return mdberr(rc);
}

int wm_store_put_tenant(wm_store_t *st, MDB_txn *txn, const wm_m_tenant_t *t, wm_diag_t *diag)
{
	wm_buf_t key = {0}, val = {0};
	uint8_t pre[1024];
	size_t n = wm_store_tenant_prefix(t->id, pre, sizeof pre);
	int err = 0;

	if (!n || n - 1 > st->maxkey) {
		wm_diag_add(diag, t->src.file, t->src.line, "id", "tenant id too long to store");
		return LIS_EDATA;
	}
	wm_rec_tenant_encode(&val, t);
	if ((err = put_rec(st, txn, st->tenants, (const uint8_t *)t->id, n - 1, val.p, val.len,
	                   &t->src, "id", diag)))
		goto out;

	for (size_t i = 0; i < t->buildings.n; i++) {
		const wm_m_building_t *b = &t->buildings.v[i];
		key.len = val.len = 0;
		wm_buf_put(&key, pre, n);
		wm_buf_put(&key, b->id, strlen(b->id));
		wm_rec_building_encode(&val, b);
		if ((err = put_rec(st, txn, st->buildings, key.p, key.len, val.p, val.len, &b->src,
		                   "building id", diag)))
			goto out;
	}
	for (size_t i = 0; i < t->locations.n; i++) {
		const wm_m_location_t *l = &t->locations.v[i];
		key.len = val.len = 0;
		wm_buf_put(&key, pre, n);
		wm_buf_put(&key, l->id, strlen(l->id));
		wm_rec_location_encode(&val, l);
		if ((err = put_rec(st, txn, st->locations, key.p, key.len, val.p, val.len, &l->src,
		                   "location id", diag)))
			goto out;
	}
	for (size_t i = 0; i < t->elements.n; i++) {
		const wm_m_element_t *e = &t->elements.v[i];
		key.len = 0;
		wm_buf_put(&key, pre, n);
		wm_buf_put(&key, &e->kind, 1);
		wm_buf_put(&key, e->key, e->keylen);
		if ((err = put_rec(st, txn, st->elements, key.p, key.len, e->location,
		                   strlen(e->location), &e->src,
		                   wm_el_kind_field((wm_el_kind_t)e->kind), diag)))
			goto out;
	}
	for (size_t i = 0; i < t->dids.n; i++) {
		const wm_m_did_t *d = &t->dids.v[i];
		key.len = 0;
		wm_buf_put(&key, pre, n);
		wm_buf_put(&key, d->did.d, d->did.len);
		if ((err = put_rec(st, txn, st->dids, key.p, key.len, d->location,
		                   strlen(d->location), &d->src, "did", diag)))
			goto out;
	}
out:
	wm_buf_free(&key);
	wm_buf_free(&val);
	return err;
}
