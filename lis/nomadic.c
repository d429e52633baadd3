/*
 * Nomadic users (SPEC §4.2 step 6, §4.4): the address a user gave for a
 * network, remembered per (tenant, user, network) in lisd's own LMDB
 * environment. Each lisd node remembers its own: nothing is replicated.
 *
 * Layout (format 1), default durability (every put is one synchronous
 * write transaction), MDB_NOTLS:
 *
 *   meta  "format" -> u32 LE (NOMADIC_FORMAT)
 *   addr  SHA-256(tenant NUL user NUL network-MAC) -> record
 *
 *   record: u8 version (1), i64 LE stored (when the user gave the
 *           address), i64 LE expires, u16 LE tenant length, tenant,
 *           u8 count, count x (u8 wm_ca_key_t, u16 LE length, value)
 *           (the address as lis_civic_pack writes it, civic_pack.c)
 *
 * The key is a hash so that any tenant id and user URI fit LMDB's key limit
 * and so that a location URI can name an entry (its hex) without carrying
 * the user's identity; the tenant in the record is checked on every read.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/sha.h>

#include "lis/lis_internal.h"

#define NOMADIC_FORMAT 1
#define REC_HEAD (1 + 8 + 8 + 2)

struct lis_nomadic {
	MDB_env *env;
	MDB_dbi meta, addr;
	size_t max;
	unsigned ttl_s;
};

void lis_nomadic_key(const char *tenant, const char *user, const wm_mac_t *net,
                     uint8_t key[LIS_NOMADIC_KEY])
{
	uint8_t buf[LIS_NOMADIC_TENANT_MAX + 1 + HELD_URI_MAX + 1 + 6];
	size_t tl = strnlen(tenant, LIS_NOMADIC_TENANT_MAX);
	size_t ul = strnlen(user, HELD_URI_MAX - 1);
	memcpy(buf, tenant, tl);
	buf[tl] = 0;
	memcpy(buf + tl + 1, user, ul);
	buf[tl + 1 + ul] = 0;
	memcpy(buf + tl + ul + 2, net->o, 6);
	SHA256(buf, tl + ul + 8, key);
}

int lis_nomadic_open(const char *dir, size_t max_entries, unsigned ttl_s, lis_nomadic_t **out,
                     char *err, size_t errlen)
{
	static const char *const names[] = {"meta", "addr", NULL};
	lis_nomadic_t *nm = calloc(1, sizeof *nm);
	MDB_dbi dbis[2];
	int rc;

	*out = NULL;
	if (!nm)
		return -ENOMEM;
	nm->max = max_entries ? max_entries : 100000;
	nm->ttl_s = ttl_s ? ttl_s : 90u * 86400u;
	/* Sized for the bound: every record at its largest, plus B-tree room. */
	size_t per = HELD_CIVIC_TEXT + 3 * WM_CA_COUNT + 256 + REC_HEAD + 1024;
	lis_lmdb_spec_t spec = {"nomadic store",
	                        dir,
	                        ((size_t)16 << 20) + nm->max * per,
	                        names,
	                        NOMADIC_FORMAT,
	                        " (users will be asked again)"};
	if ((rc = lis_lmdb_open(&spec, &nm->env, dbis, err, errlen)) != 0) {
		free(nm);
		return rc;
	}
	nm->meta = dbis[0], nm->addr = dbis[1];
	*out = nm;
	return 0;
}

void lis_nomadic_close(lis_nomadic_t *nm)
{
	if (!nm)
		return;
	if (nm->env)
		mdb_env_close(nm->env);
	free(nm);
}

/* Decodes a record into out (and when it was given into *given);
 * false when it does not fit (never trusted blindly). */
static bool rec_decode(const MDB_val *v, const char *tenant, int64_t now, held_civic_t *out,
                       time_t *given)
{
	const uint8_t *p = v->mv_data, *end = p + v->mv_size;

	if (v->mv_size < REC_HEAD + 1 || p[0] != 1)
		return false;
	int64_t stored = (int64_t)lis_get_le(p + 1, 8);
	int64_t expires = (int64_t)lis_get_le(p + 9, 8);
	size_t tl = (size_t)lis_get_le(p + 17, 2);
	p += REC_HEAD;
	if ((size_t)(end - p) < tl + 1 || strlen(tenant) != tl || memcmp(p, tenant, tl) != 0 ||
	    expires <= now)
		return false;
	p += tl;
	if (!lis_civic_unpack(p, (size_t)(end - p), out))
		return false;
	if (given)
		*given = (time_t)stored;
	return true;
}

int lis_nomadic_get_key(lis_nomadic_t *nm, const uint8_t key[LIS_NOMADIC_KEY], const char *tenant,
                        time_t now, held_civic_t *out, time_t *given)
{
	MDB_txn *txn;
	int rc;

	if (!nm)
		return 0;
	if ((rc = mdb_txn_begin(nm->env, NULL, MDB_RDONLY, &txn)) != 0)
		return wm_err_from_mdb(rc);
	MDB_val k = {LIS_NOMADIC_KEY, (void *)key}, v;
	rc = mdb_get(txn, nm->addr, &k, &v);
	if (rc == 0)
		rc = rec_decode(&v, tenant, (int64_t)now, out, given) ? 1 : 0;
	else
		rc = rc == MDB_NOTFOUND ? 0 : wm_err_from_mdb(rc);
	mdb_txn_abort(txn);
	return rc;
}

int lis_nomadic_get(lis_nomadic_t *nm, const char *tenant, const char *user, const wm_mac_t *net,
                    time_t now, held_civic_t *out, time_t *given)
{
	uint8_t key[LIS_NOMADIC_KEY];
	lis_nomadic_key(tenant, user, net, key);
	return lis_nomadic_get_key(nm, key, tenant, now, out, given);
}

/* Deletes every expired record inside txn; returns how many or an error. */
static int purge_expired(lis_nomadic_t *nm, MDB_txn *txn, int64_t now)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, n = 0;

	if ((rc = mdb_cursor_open(txn, nm->addr, &cur)) != 0)
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *p = v.mv_data;
		if (v.mv_size < REC_HEAD || (int64_t)lis_get_le(p + 9, 8) <= now) {
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			n++;
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? n : wm_err_from_mdb(rc);
}

int lis_nomadic_put(lis_nomadic_t *nm, const char *tenant, const char *user, const wm_mac_t *net,
                    const held_civic_t *c, time_t now)
{
	uint8_t key[LIS_NOMADIC_KEY];
	uint8_t rec[REC_HEAD + LIS_NOMADIC_TENANT_MAX + 1 + 1 + 3 * WM_CA_COUNT + HELD_CIVIC_TEXT];
	size_t tl = strlen(tenant), o = 0;
	MDB_txn *txn = NULL;
	int rc;

	if (!nm || tl > LIS_NOMADIC_TENANT_MAX)
		return LIS_EDATA;
	rec[o++] = 1;
	lis_put_le(rec + o, (uint64_t)(int64_t)now, 8);
	lis_put_le(rec + o + 8, (uint64_t)((int64_t)now + nm->ttl_s), 8);
	lis_put_le(rec + o + 16, tl, 2);
	o += 18;
	memcpy(rec + o, tenant, tl);
	o += tl;
	size_t cl = lis_civic_pack(c, rec + o, sizeof rec - o);
	if (cl == 0)
		return LIS_EDATA;
	o += cl;

	lis_nomadic_key(tenant, user, net, key);
	MDB_val k = {LIS_NOMADIC_KEY, key}, v = {o, rec}, old;
	if ((rc = mdb_txn_begin(nm->env, NULL, 0, &txn)) != 0) {
		txn = NULL;
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	rc = mdb_get(txn, nm->addr, &k, &old);
	if (rc == MDB_NOTFOUND) {
		MDB_stat st;
		if ((rc = mdb_stat(txn, nm->addr, &st)) != 0) {
			rc = wm_err_from_mdb(rc);
			goto out;
		}
		if (st.ms_entries >= nm->max) {
			/* Full: expired entries make room; live ones are never evicted
			 * (a user would silently lose the address they gave). */
			rc = purge_expired(nm, txn, (int64_t)now);
			if (rc < 0)
				goto out;
			if ((rc = mdb_stat(txn, nm->addr, &st)) != 0) {
				rc = wm_err_from_mdb(rc);
				goto out;
			}
			if (st.ms_entries >= nm->max) {
				rc = LIS_EFULL;
				goto out;
			}
		}
	} else if (rc != 0) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	if ((rc = mdb_put(txn, nm->addr, &k, &v, 0)) != 0) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		rc = wm_err_from_mdb(rc);
out:
	if (txn)
		mdb_txn_abort(txn);
	return rc;
}

void lis_nomadic_location(const held_civic_t *c, const char *id, wm_location_t *loc)
{
	memset(loc, 0, sizeof *loc);
	loc->id = id;
	loc->name = "address given by the user";
	for (int k = 0; k < WM_CA_COUNT; k++)
		loc->civic[k] = held_civic_get(c, (wm_ca_key_t)k);
}
