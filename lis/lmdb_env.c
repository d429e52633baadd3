/*
 * The LMDB environments lisd keeps of its own (the events outbox, the nomadic
 * store): created on first use (mode 0700 directory, 0600 files), a "meta"
 * database with a "format" record, refused when another version wrote it.
 * Their records are little-endian (lis_put_le / lis_get_le).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis_internal.h"

void lis_put_le(uint8_t *o, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		o[i] = (uint8_t)(v >> (8 * i));
}

uint64_t lis_get_le(const uint8_t *o, int n)
{
	uint64_t v = 0;
	for (int i = n; i-- > 0;)
		v = v << 8 | o[i];
	return v;
}

/* Opens s->names into dbis and checks (or, when new, writes) the format. */
static int open_dbs(const lis_lmdb_spec_t *s, MDB_env *env, MDB_dbi *dbis, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(env, NULL, 0, &txn);
	for (size_t i = 0; !rc && s->names[i]; i++)
		rc = mdb_dbi_open(txn, s->names[i], MDB_CREATE, &dbis[i]);
	MDB_val k = {6, "format"}, v;
	if (!rc) {
		rc = mdb_get(txn, dbis[0], &k, &v);
		if (rc == MDB_NOTFOUND) {
			uint8_t f[4];
			lis_put_le(f, s->format, 4);
			v = (MDB_val){4, f};
			rc = mdb_put(txn, dbis[0], &k, &v, 0);
		} else if (rc == 0 && (v.mv_size != 4 || lis_get_le(v.mv_data, 4) != s->format)) {
			snprintf(err, errlen,
			         "%s %s: written by another openlis version (format %u); move it "
			         "away to start a new one%s",
			         s->what, s->dir,
			         v.mv_size == 4 ? (unsigned)lis_get_le(v.mv_data, 4) : 0u,
			         s->on_new ? s->on_new : "");
			mdb_txn_abort(txn);
			return LIS_EVERSION;
		}
	}
	if (rc) {
		mdb_txn_abort(txn);
	} else {
		rc = mdb_txn_commit(txn);
	}
	if (rc) {
		snprintf(err, errlen, "%s %s: %s", s->what, s->dir, mdb_strerror(rc));
		return wm_err_from_mdb(rc);
	}
	return 0;
}

int lis_lmdb_open(const lis_lmdb_spec_t *s, MDB_env **out, MDB_dbi *dbis, char *err, size_t errlen)
{
	MDB_env *env = NULL;
	unsigned n = 0;
	int rc;

	*out = NULL;
	while (s->names[n])
		n++;
	if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s %s: cannot create: %s", s->what, s->dir, strerror(errno));
		return rc;
	}
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, n)) ||
	    (rc = mdb_env_set_mapsize(env, s->map_size)) ||
	    (rc = mdb_env_open(env, s->dir, MDB_NOTLS, 0600))) {
		snprintf(err, errlen, "%s %s: %s", s->what, s->dir, mdb_strerror(rc));
		if (env)
			mdb_env_close(env);
		return wm_err_from_mdb(rc);
	}
	int dead; /* reader slots of a killed process */
	mdb_reader_check(env, &dead);
	if ((rc = open_dbs(s, env, dbis, err, errlen)) != 0) {
		mdb_env_close(env);
		return rc;
	}
	*out = env;
	return 0;
}
