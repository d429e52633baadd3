/* The LMDB store: opening, format versioning, records, map-full safety. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "tests/wiremap/store_fixture.h"
#include "wiremap/store_internal.h"

static bool exists(const char *dir, const char *name)
{
	char p[4096];
	struct stat sb;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &sb) == 0;
}

Test(store, create_then_reopen_read_only)
{
	char *dir = ts_mkdtemp();
	char db[4096];
	wm_store_t *st;
	uint64_t gen = 7;
	snprintf(db, sizeof db, "%s/new", dir);

	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, 0, &st), 0, "creates the directory");
	cr_expect(exists(db, "data.mdb"));
	cr_assert_eq(wm_store_generation(st, &gen), 0);
	cr_expect_eq(gen, 0, "a new database is at generation 0");
	wm_store_close(st);

	cr_assert_eq(wm_store_open(db, WM_STORE_RDONLY, 0, &st), 0);
	cr_assert_eq(wm_store_generation(st, &gen), 0);
	cr_expect_eq(gen, 0);
	wm_store_close(st);
	ts_rmtree(dir);
	free(dir);
}

Test(store, missing_database_is_not_created_by_readers)
{
	char *dir = ts_mkdtemp();
	wm_store_t *st = (wm_store_t *)1;
	cr_expect_eq(wm_store_open(dir, WM_STORE_RDONLY, 0, &st), -ENOENT);
	cr_expect_null(st);
	cr_expect_eq(wm_store_open(dir, 0, 0, &st), -ENOENT);
	cr_expect_not(exists(dir, "data.mdb"), "a failed open leaves nothing behind");
	ts_rmtree(dir);
	free(dir);
}

/* Writes meta/format = `format` (or no meta at all when format < 0) with raw LMDB. */
static void raw_db(const char *dir, long format, bool other_data)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	cr_assert_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	cr_assert_eq(mdb_env_open(env, dir, 0, 0600), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	if (format >= 0) {
		uint8_t f[4] = {(uint8_t)format, 0, 0, 0};
		MDB_val k = {6, "format"}, v = {4, f};
		cr_assert_eq(mdb_dbi_open(txn, "meta", MDB_CREATE, &dbi), 0);
		cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	}
	if (other_data) {
		MDB_val k = {3, "key"}, v = {5, "value"};
		cr_assert_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
		cr_assert_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	}
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

Test(store, newer_format_is_refused_never_misread)
{
	char *dir = ts_mkdtemp();
	wm_store_t *st = NULL;
	raw_db(dir, WM_STORE_FORMAT + 1, false);
	cr_expect_eq(wm_store_open(dir, WM_STORE_RDONLY, 0, &st), LIS_EVERSION);
	cr_expect_eq(wm_store_open(dir, WM_STORE_CREATE, 0, &st), LIS_EVERSION,
	             "an importer must not overwrite it either");
	cr_expect_null(st);
	cr_expect(strstr(lis_strerror(LIS_EVERSION), "format") != NULL,
	          "the message names the cause: %s", lis_strerror(LIS_EVERSION));
	ts_rmtree(dir);
	free(dir);
}

Test(store, foreign_lmdb_database_is_refused)
{
	char *dir = ts_mkdtemp();
	wm_store_t *st = NULL;
	raw_db(dir, -1, true);
	cr_expect_eq(wm_store_open(dir, WM_STORE_CREATE, 0, &st), LIS_EVERSION,
	             "an LMDB file without our meta table is not ours to initialise");
	cr_expect_eq(wm_store_open(dir, WM_STORE_RDONLY, 0, &st), LIS_EVERSION);
	ts_rmtree(dir);
	free(dir);
}

Test(store, records_round_trip_and_truncation_is_detected)
{
	wm_arena_t a;
	wm_buf_t b = {0};
	wm_m_location_t l = {0}, back;
	wm_arena_init(&a);
	l.building = "hq";
	l.name = "Room \"214\"";
	l.civic[WM_CA_COUNTRY] = "US";
	l.civic[WM_CA_HNP] = "ext key";
	l.civic[WM_CA_FLR] = "2";
	l.geo = (wm_geo_t){true, 37.41075, -121.9539, 15};
	l.ecbn = "+14085550100";
	wm_rec_location_encode(&b, &l);
	memset(&back, 0, sizeof back);
	cr_assert_eq(wm_rec_location_decode(b.p, b.len, &a, &back), 0);
	cr_expect_str_eq(back.building, "hq");
	cr_expect_str_eq(back.name, "Room \"214\"");
	cr_expect_str_eq(back.civic[WM_CA_COUNTRY], "US");
	cr_expect_str_eq(back.civic[WM_CA_HNP], "ext key");
	cr_expect_str_eq(back.civic[WM_CA_FLR], "2");
	cr_expect_null(back.civic[WM_CA_A1]);
	cr_expect(back.geo.set && back.geo.lat == 37.41075 && back.geo.lon == -121.9539 &&
	          back.geo.radius == 15);
	cr_expect_str_eq(back.ecbn, "+14085550100");
	for (size_t n = 0; n < b.len; n++)
		cr_expect_eq(wm_rec_location_decode(b.p, n, &a, &back), LIS_ECORRUPT,
		             "truncated at %zu", n);

	wm_m_tenant_t t = {0}, tb = {0};
	wm_cidr_t c4, c6;
	cr_assert_eq(wm_cidr_parse("203.0.113.0/24", 14, &c4), 0);
	cr_assert_eq(wm_cidr_parse("2001:db8:100::/48", 17, &c6), 0);
	*WM_VEC_PUSH(t.trusted) = c4;
	*WM_VEC_PUSH(t.trusted) = c6;
	t.name = "Example";
	t.did_fallback = true;
	b.len = 0;
	wm_rec_tenant_encode(&b, &t);
	cr_assert_eq(wm_rec_tenant_decode(b.p, b.len, &a, &tb), 0);
	cr_expect_str_eq(tb.name, "Example");
	cr_expect(tb.did_fallback);
	cr_assert_eq(tb.trusted.n, 2);
	cr_expect_eq(memcmp(&tb.trusted.v[1], &c6, sizeof c6), 0);
	free(t.trusted.v);
	free(tb.trusted.v);
	wm_buf_free(&b);
	wm_arena_deinit(&a);
}

/*
 * Protection: an empty LMDB environment (what a first import leaves when its
 * map cannot even hold the tables) reads as "no wiremap database yet", not
 * as one of an unsupported format, and a later import initialises it.
 */
Test(store, empty_environment_is_no_database_yet)
{
	char *dir = ts_mkdtemp();
	wm_store_t *st = NULL;
	raw_db(dir, -1, false);
	cr_expect_eq(wm_store_open(dir, WM_STORE_RDONLY, 0, &st), -ENOENT);
	cr_expect_null(st);
	cr_assert_eq(wm_store_open(dir, WM_STORE_CREATE, 0, &st), 0);
	wm_store_close(st);
	cr_assert_eq(wm_store_open(dir, WM_STORE_RDONLY, 0, &st), 0);
	wm_store_close(st);
	ts_rmtree(dir);
	free(dir);
}

/* Generates a wiremap with n locations, each with a few elements. */
static char *big_yaml(int n, const char *tenant)
{
	size_t cap = (size_t)n * 300 + 1024, o = 0;
	char *y = malloc(cap);
	o += (size_t)snprintf(y + o, cap - o,
	                      "format: 1\ntenants:\n  - id: %s\n    name: Big\n    buildings:\n"
	                      "      - id: b\n        name: A rather long building name\n"
	                      "        locations:\n",
	                      tenant);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(y + o, cap - o,
		                      "          - id: location-number-%d\n"
		                      "            name: Some floor, some wing, room %d\n"
		                      "            network:\n"
		                      "              - lldp: {chassis: switch-%d, port: port-%d}\n"
		                      "              - subnet: 10.%d.%d.0/24\n",
		                      i, i, i / 48, i, (i >> 8) & 255, i & 255);
	cr_assert_lt(o, cap);
	return y;
}

Test(store, map_full_aborts_cleanly_and_keeps_old_data)
{
	fx_t f;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	char *before = fx_export(&f, NULL, NULL);
	wm_store_close(f.st);
	/* reopen with a tiny map: the next big import cannot fit */
	cr_assert_eq(wm_store_open(f.db, WM_STORE_CREATE, 256 * 1024, &f.st), 0);
	char *y = big_yaml(20000, "tenant-c");
	int rc = fx_import(&f, "big.yaml", y, NULL, NULL);
	free(y);
	cr_expect_eq(rc, LIS_EFULL, "got %d (%s)", rc, lis_strerror(rc));
	cr_expect(strstr(lis_strerror(LIS_EFULL), "full") != NULL);
	cr_expect_eq(fx_gen(&f), 1, "generation unchanged");
	char *after = fx_export(&f, NULL, NULL);
	cr_expect_str_eq(after, before, "nothing of the failed import is visible");
	/* and the store still works */
	wm_import_opts_t o = {.replace = true};
	cr_expect_eq(fx_import(&f, "small.yaml", FX_TWO_TENANTS, &o, NULL), 0, "%s", fx_diags(&f));
	cr_expect_eq(fx_gen(&f), 2);
	free(before);
	free(after);
	fx_fini(&f);
}

Test(store, read_only_store_refuses_writes)
{
	fx_t f;
	wm_store_t *ro;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_assert_eq(wm_store_open(f.db, WM_STORE_RDONLY, 0, &ro), 0);
	char *path = ts_write_file(f.dir, "x.yaml", FX_TWO_TENANTS);
	const char *files[] = {path};
	wm_import_stats_t s;
	wm_import_opts_t o = {0};
	cr_expect_lt(wm_import(ro, files, 1, &o, f.diag, &s), 0);
	o.dry_run = true;
	cr_expect_eq(wm_import(ro, files, 1, &o, f.diag, &s), 0, "a dry run only reads");
	wm_store_close(ro);
	free(path);
	fx_fini(&f);
}

/*
 * Protection: wm_store_txn adopts a map grown by another process
 * (MDB_MAP_RESIZED -> mdb_env_set_mapsize(0)). Without it a long-running
 * reader (lisd) fails every transaction once an import with a larger
 * --map-size has grown the data beyond the reader's map, and keeps serving
 * stale data.
 */
Test(store, a_reader_follows_data_grown_beyond_its_map)
{
	fx_t f;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	wm_store_close(f.st);
	f.st = NULL;
	char *y = big_yaml(3000, "tenant-c");
	char *path = ts_write_file(f.dir, "big.yaml", y);
	free(y);

	/* a reader whose map is just the data of today (LMDB raises 64k to it) */
	wm_store_t *ro;
	cr_assert_eq(wm_store_open(f.db, WM_STORE_RDONLY, 64 * 1024, &ro), 0);
	size_t before = 0, after = 0;
	cr_assert_eq(wm_store_map_size(ro, &before), 0);

	/* another handle grows the data well past it: what an import with a larger
	 * --map-size does to lisd (a second handle in this process, not a fork:
	 * Criterion's IPC does not survive a fork without exec) */
	wm_store_t *w;
	wm_import_stats_t s;
	const char *files[] = {path};
	cr_assert_eq(wm_store_open(f.db, WM_STORE_CREATE, (size_t)64 << 20, &w), 0);
	int irc = wm_import(w, files, 1, NULL, f.diag, &s);
	wm_store_close(w);
	cr_assert_eq(irc, 0, "the growing import failed: %s %s", lis_strerror(irc), fx_diags(&f));

	uint64_t gen = 0;
	int rc = wm_store_generation(ro, &gen);
	cr_assert_eq(rc, 0, "the reader cannot read after the growth: %s", lis_strerror(rc));
	cr_expect_eq(gen, 2);
	cr_assert_eq(wm_store_map_size(ro, &after), 0);
	cr_expect_gt(after, before, "the reader adopted the grown map");
	wm_index_t *ix = NULL;
	cr_assert_eq(wm_index_build(ro, &ix), 0, "the whole grown data is readable");
	wm_index_stats_t st;
	wm_index_stats(ix, &st);
	cr_expect_eq(st.tenants, 3);
	wm_index_free(ix);
	wm_store_close(ro);
	free(path);
	fx_fini(&f);
}

/*
 * Protection: without an explicit size, wm_store_open uses the larger of
 * the default and the size stored in the database, so a database grown with
 * `wiremap import --map-size 8G` stays writable by plain imports and lisd.
 * An explicit size applies to that handle only and never shrinks the
 * stored one.
 */
Test(store, default_map_size_keeps_a_larger_stored_one)
{
	char *dir = ts_mkdtemp();
	char db[4096];
	wm_store_t *st;
	size_t map = 0;
	const size_t big = (size_t)8 << 30, small = (size_t)1 << 20;
	snprintf(db, sizeof db, "%s/db", dir);

	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, big, &st), 0);
	cr_assert_eq(wm_store_map_size(st, &map), 0);
	cr_expect_eq(map, big);
	wm_store_close(st);

	cr_assert_eq(wm_store_open(db, WM_STORE_RDONLY, 0, &st), 0);
	wm_store_map_size(st, &map);
	cr_expect_eq(map, big, "a reader with the default adopts the stored %zu, got %zu", big,
	             map);
	wm_store_close(st);

	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, small, &st), 0);
	wm_store_map_size(st, &map);
	cr_expect_eq(map, small, "an explicit size is this handle's");
	wm_store_close(st);

	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, 0, &st), 0);
	wm_store_map_size(st, &map);
	cr_expect_eq(map, big, "the smaller explicit size was not stored");
	wm_store_close(st);

	/* a new database gets the default; sizes are rounded up to a page */
	char db2[4200];
	snprintf(db2, sizeof db2, "%s/db2", dir);
	cr_assert_eq(wm_store_open(db2, WM_STORE_CREATE, 0, &st), 0);
	wm_store_map_size(st, &map);
	cr_expect_eq(map, WM_STORE_DEFAULT_MAPSIZE);
	wm_store_close(st);
	cr_assert_eq(wm_store_open(db2, WM_STORE_CREATE, small + 1, &st), 0);
	wm_store_map_size(st, &map);
	cr_expect_eq(map % (size_t)sysconf(_SC_PAGESIZE), 0);
	cr_expect_gt(map, small);
	wm_store_close(st);
	ts_rmtree(dir);
	free(dir);
}

/*
 * Protection: system errors LMDB passes through (positive errno: a full
 * disk, a refused mmap, a read-only directory) keep their meaning instead of
 * becoming "wiremap database error", so the CLI can say what to fix.
 */
Test(store, lmdb_system_errors_keep_their_errno)
{
	cr_expect_eq(wm_err_from_mdb(ENOSPC), -ENOSPC);
	cr_expect_eq(wm_err_from_mdb(ENOMEM), -ENOMEM);
	cr_expect_eq(wm_err_from_mdb(EACCES), -EACCES);
	cr_expect_eq(wm_err_from_mdb(MDB_MAP_FULL), LIS_EFULL);
	cr_expect_eq(wm_err_from_mdb(MDB_CORRUPTED), LIS_ECORRUPT);
	cr_expect_eq(wm_err_from_mdb(MDB_BAD_TXN), LIS_ESTORE);
	cr_expect_eq(wm_err_from_mdb(0), LIS_OK);
}
