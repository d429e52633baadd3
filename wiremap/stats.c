/*
 * wiremap stats: record counts per tenant and element kind, and how much of
 * the LMDB map the database uses.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wiremap/store_internal.h"

typedef struct {
	size_t buildings, locations, dids;
	size_t el[6]; /* by wm_el_kind_t */
} counts_t;

static int count_range(MDB_txn *txn, MDB_dbi dbi, const uint8_t *pre, size_t n, size_t *count,
                       size_t el[6])
{
	MDB_cursor *c;
	MDB_val k = {n, (void *)pre}, v;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return wm_err_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < n || memcmp(k.mv_data, pre, n))
			break;
		(*count)++;
		if (el && k.mv_size > n) {
			uint8_t kind = ((const uint8_t *)k.mv_data)[n];
			if (kind < 6)
				el[kind]++;
		}
	}
	mdb_cursor_close(c);
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : wm_err_from_mdb(rc);
}

int wm_stats_print(wm_store_t *st, FILE *out)
{
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint64_t gen = 0;
	size_t ntenants = 0;
	int err, rc;

	if ((err = wm_store_txn(st, true, &txn)))
		return err;
	if ((err = wm_store_get_generation(st, txn, &gen)))
		goto out;
	if ((rc = mdb_cursor_open(txn, st->tenants, &cur))) {
		err = wm_err_from_mdb(rc);
		goto out;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint8_t pre[1024];
		counts_t c;
		size_t nel = 0;
		if (k.mv_size + 1 > sizeof pre)
			continue;
		memcpy(pre, k.mv_data, k.mv_size);
		pre[k.mv_size] = '\0';
		memset(&c, 0, sizeof c);
		if ((err =
		         count_range(txn, st->buildings, pre, k.mv_size + 1, &c.buildings, NULL)) ||
		    (err =
		         count_range(txn, st->locations, pre, k.mv_size + 1, &c.locations, NULL)) ||
		    (err = count_range(txn, st->elements, pre, k.mv_size + 1, &nel, c.el)) ||
		    (err = count_range(txn, st->dids, pre, k.mv_size + 1, &c.dids, NULL)))
			goto out;
		wm_model_t m;
		wm_m_tenant_t t;
		memset(&t, 0, sizeof t);
		wm_model_init(&m);
		err = wm_rec_tenant_decode(v.mv_data, v.mv_size, &m.arena, &t);
		fprintf(out, "tenant %.*s", (int)k.mv_size, (const char *)k.mv_data);
		if (!err && t.name)
			fprintf(out, " (%s)", t.name);
		fputs("\n", out);
		if (!err)
			fprintf(out, "  did_fallback %s, %zu trusted network%s\n",
			        t.did_fallback ? "on" : "off", t.trusted.n,
			        t.trusted.n == 1 ? "" : "s");
		free(t.trusted.v);
		wm_model_deinit(&m);
		if (err)
			goto out;
		fprintf(out,
		        "  buildings %zu, locations %zu\n"
		        "  elements %zu: lldp-port %zu, lldp-chassis %zu, bssid %zu, subnet %zu, "
		        "gateway-mac %zu\n"
		        "  dids %zu\n",
		        c.buildings, c.locations, nel, c.el[WM_EL_LLDP_PORT],
		        c.el[WM_EL_LLDP_CHASSIS], c.el[WM_EL_BSSID], c.el[WM_EL_SUBNET],
		        c.el[WM_EL_GATEWAY], c.dids);
		ntenants++;
	}
	if (rc != MDB_NOTFOUND) {
		err = wm_err_from_mdb(rc);
		goto out;
	}
	MDB_envinfo info;
	MDB_stat es;
	mdb_env_info(st->env, &info);
	mdb_env_stat(st->env, &es);
	size_t used = (info.me_last_pgno + 1) * (size_t)es.ms_psize;
	char path[4096];
	struct stat sb;
	long long fsize = -1;
	snprintf(path, sizeof path, "%s/data.mdb", st->dir);
	if (stat(path, &sb) == 0)
		fsize = (long long)sb.st_size;
	fprintf(out, "%zu tenant%s, generation %llu\n", ntenants, ntenants == 1 ? "" : "s",
	        (unsigned long long)gen);
	fprintf(out, "database %s: file %lld bytes, map %zu of %zu bytes used (%.1f%%)\n", path,
	        fsize, used, (size_t)info.me_mapsize,
	        info.me_mapsize ? 100.0 * (double)used / (double)info.me_mapsize : 0.0);
out:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return err;
}
