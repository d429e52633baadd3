/*
 * wiremap import: files -> model -> (+ stored data of the same tenants) ->
 * validation -> one LMDB write transaction. Any problem aborts the
 * transaction, so the database is either fully updated or untouched.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "wiremap/store_internal.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Loads every file; reports all problems, returns LIS_EDATA or -errno. */
static int load_files(wm_model_t *m, const char *const *files, size_t nfiles,
                      const wm_import_opts_t *opts, wm_diag_t *diag)
{
	int first = 0;
	for (size_t i = 0; i < nfiles; i++) {
		const char *f = files[i];
		int err;
		if (ends_with(f, ".yaml") || ends_with(f, ".yml")) {
			err = wm_model_load_yaml(m, f, diag);
		} else if (ends_with(f, ".csv")) {
			if (!opts || !opts->tenant || !*opts->tenant) {
				wm_diag_add(
				    diag, f, 0, NULL,
				    "a CSV file needs the tenant it belongs to: add --tenant ID");
				err = LIS_EDATA;
			} else {
				err = wm_model_load_csv(m, f, opts->tenant, diag);
			}
		} else {
			wm_diag_add(diag, f, 0, NULL,
			            "unknown file type: name it *.yaml, *.yml or *.csv");
			err = LIS_EDATA;
		}
		if (err < 0 && err > -1000) {
			/* unreadable: one line naming the file, like any other input error */
			wm_diag_add(diag, f, 0, NULL, "cannot read it: %s", strerror(-err));
			err = LIS_EDATA;
		}
		if (err && !first)
			first = err;
	}
	return first;
}

static void count_from_files(const wm_model_t *m, wm_import_stats_t *s)
{
	memset(s, 0, sizeof(*s));
	s->tenants = m->tenants.n;
	for (size_t i = 0; i < m->tenants.n; i++) {
		const wm_m_tenant_t *t = &m->tenants.v[i];
		for (size_t j = 0; j < t->buildings.n; j++)
			s->buildings += t->buildings.v[j].src.file != NULL;
		for (size_t j = 0; j < t->locations.n; j++)
			s->locations += t->locations.v[j].src.file != NULL;
		for (size_t j = 0; j < t->elements.n; j++)
			s->elements += t->elements.v[j].src.file != NULL;
		for (size_t j = 0; j < t->dids.n; j++)
			s->dids += t->dids.v[j].src.file != NULL;
	}
}

/* st may be NULL for a dry run against an empty database. */
int wm_import(wm_store_t *st, const char *const *files, size_t nfiles, const wm_import_opts_t *opts,
              wm_diag_t *diag, wm_import_stats_t *stats)
{
	static const wm_import_opts_t defaults = {0};
	wm_model_t m;
	MDB_txn *txn = NULL;
	uint64_t gen = 0;
	int err;

	if (!opts)
		opts = &defaults;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	wm_model_init(&m);
	size_t ndiag0 = wm_diag_count(diag);
	err = load_files(&m, files, nfiles, opts, diag);
	if (err && err != LIS_EDATA)
		goto out;
	/* --tenant scopes the whole run to one tenant: a YAML file naming
	 * another one is refused, never written (an operator delegated one
	 * tenant must not reach the others by accident or by design). */
	if (opts->tenant && *opts->tenant) {
		for (size_t i = 0; i < m.tenants.n; i++) {
			const wm_m_tenant_t *t = &m.tenants.v[i];
			if (strcmp(t->id, opts->tenant) == 0)
				continue;
			wm_diag_add(
			    diag, t->src.file ? t->src.file : "-", t->src.line, "id",
			    "tenant \"%.80s\" is not the --tenant of this import (\"%.80s\"): "
			    "import that file without --tenant, or with --tenant %.80s",
			    t->id, opts->tenant, t->id);
			err = LIS_EDATA;
		}
	}

	/* The write txn is taken before reading what is stored, so the data
	 * merged and validated is exactly the data this txn replaces. */
	if (!st && !opts->dry_run) {
		err = -EINVAL;
		goto out;
	}
	if (st && (err = wm_store_txn(st, opts->dry_run && (st->flags & WM_STORE_RDONLY), &txn)))
		goto out;
	if (st && !opts->replace) {
		for (size_t i = 0; i < m.tenants.n; i++) {
			bool found;
			if ((err = wm_store_load_tenant(st, txn, &m, &m.tenants.v[i], &found)))
				goto out;
		}
	}
	wm_model_validate(&m, diag);
	if (wm_diag_count(diag) > ndiag0) {
		err = LIS_EDATA;
		goto out;
	}
	if (stats)
		count_from_files(&m, stats);
	if (opts->dry_run) {
		err = 0;
		goto out;
	}
	/* Every named tenant is rewritten whole: in merge mode the model holds
	 * its stored records plus the files', in replace mode the files' only. */
	for (size_t i = 0; i < m.tenants.n; i++) {
		const wm_m_tenant_t *t = &m.tenants.v[i];
		if ((err = wm_store_delete_tenant(st, txn, t->id)) ||
		    (err = wm_store_put_tenant(st, txn, t, diag)))
			goto out;
	}
	if ((err = wm_store_get_generation(st, txn, &gen)) ||
	    (err = wm_store_set_generation(st, txn, gen + 1)))
		goto out;
	err = wm_err_from_mdb(mdb_txn_commit(txn));
	txn = NULL;
out:
	if (txn)
		mdb_txn_abort(txn);
	if (err && stats)
		memset(stats, 0, sizeof(*stats));
	wm_model_deinit(&m);
	return err;
}
