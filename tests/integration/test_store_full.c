/*
 * The store full, through the CLI (issue #5): `wiremap import --map-size`
 * with a map too small for the data -> one clear line, exit 73, nothing
 * changed, `wiremap stats` and a running lisd unaffected; a larger
 * --map-size then succeeds, lisd serves the new data, and the size stays
 * for later imports and lisd without repeating the option.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/integ.h"

#define BIG_TENANT "big-tenant"

typedef struct {
	char *dir, *db, *out, *err;
} fx_t;

static fx_t f;

static void setup(void)
{
	memset(&f, 0, sizeof f);
	f.dir = ts_mkdtemp();
	f.db = fixture_db("two-tenants.yaml");
}

static void teardown(void)
{
	ts_stop_all();
	free(f.out);
	free(f.err);
	ts_rmdb(f.db);
	ts_rmtree(f.dir);
	free(f.db);
	free(f.dir);
}

TestSuite(store_full, .init = setup, .fini = teardown, .timeout = 300);

/* wiremap ARGS... (NULL-terminated); keeps stdout/stderr in f. */
#define wm(...) ts_run_tool("wiremap", &f.out, &f.err, __VA_ARGS__)

static char *export_all(const char *db)
{
	int rc = wm("export", "--db", db, NULL);
	cr_assert_eq(rc, 0, "export failed (%d): %s", rc, f.err);
	return strdup(f.out);
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* dir/big.yaml: n locations of BIG_TENANT, each a switch port and a /24. */
static char *big_file(int n)
{
	size_t cap = (size_t)n * 220 + 512, o = 0;
	char *y = malloc(cap);
	o += (size_t)snprintf(y + o, cap - o,
	                      "format: 1\ntenants:\n  - id: " BIG_TENANT "\n    name: Big\n"
	                      "    buildings:\n      - id: b\n        name: Big building\n"
	                      "        address: {country: US, A1: CA, A3: Fremont, RD: Big}\n"
	                      "        locations:\n");
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(y + o, cap - o,
		                      "          - id: loc-%d\n"
		                      "            address: {ROOM: \"R%d\"}\n"
		                      "            network:\n"
		                      "              - lldp: {chassis: switch-%d, port: port-%d}\n"
		                      "              - subnet: 10.%d.%d.0/24\n",
		                      i, i, i / 48, i, (i >> 8) & 255, i & 255);
	cr_assert_lt(o, cap);
	char *path = ts_write_file(f.dir, "big.yaml", y);
	free(y);
	return path;
}

static void ask(int port, const char *tenant, const char *inner, ts_http_resp_t *r)
{
	char path[128];
	snprintf(path, sizeof path, "/held/%s", tenant);
	char *xml = held_req("civic", 0, inner);
	post_held(port, path, xml, r);
	free(xml);
}

/* "switch-0" / "port-0" as hex (LLDP locally assigned, text). */
#define SWITCH0 "7377697463682d30"
#define PORT0 "706f72742d30"

static bool big_tenant_served(int port)
{
	ts_http_resp_t r;
	ask(port, BIG_TENANT, LLDP("7", SWITCH0, "7", PORT0), &r);
	bool ok = r.status == 200 && strstr(r.body, "Fremont") && strstr(r.body, ">R0<");
	ts_http_resp_free(&r);
	return ok;
}

static void assert_old_data_served(int port)
{
	ts_http_resp_t r;
	ask(port, TENANT_A, LLDP("4", SW1, "5", GI107), &r);
	ASSERT_LOCATION(&r, "ROOM>101<", "Tasman");
	ts_http_resp_free(&r);
	cr_assert_eq(ts_http(port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	ts_http_resp_free(&r);
}

/*
 * Protection: an import is one LMDB transaction, aborted whole on
 * MDB_MAP_FULL (import.c), and the CLI reports it as the store full with its
 * fix (tools/wiremap.c). Remove either and a half-written import shows in
 * the export and in lisd, or the operator gets "database error" with no way
 * forward. Then: --map-size raises the map for that import, and lisd, whose
 * read-only handle has its own map, serves the grown data after its reload.
 */
Test(store_full, a_full_store_changes_nothing_and_a_larger_map_size_fixes_it)
{
	ts_lisd_t l;
	ts_lisd_start(&l, f.db, NULL, NULL);
	char *before = export_all(f.db);
	char *big = big_file(3000);

	int rc = wm("import", "--db", f.db, "--map-size", "256k", big, NULL);
	cr_assert_eq(rc, 73, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(lines(f.err), 1, "one line: %s", f.err);
	cr_assert(strstr(f.err, "the database is full") && strstr(f.err, "nothing was changed") &&
	              strstr(f.err, "larger --map-size"),
	          "%s", f.err);
	cr_assert_str_empty(f.out);

	/* nothing of it is stored, the store still works, lisd serves on */
	char *after = export_all(f.db);
	cr_assert_str_eq(after, before, "the failed import left traces");
	cr_assert_eq(wm("stats", "--db", f.db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "2 tenants, generation 1"), "%s", f.out);
	usleep(1200000); /* lisd polls the generation every second: let it look once */
	assert_old_data_served(l.port);
	cr_assert(!big_tenant_served(l.port));

	/* the fix the message names */
	rc = wm("import", "--db", f.db, "--map-size", "64M", big, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert(strstr(f.out, "imported 1 tenant, 1 building, 3000 locations"), "%s", f.out);
	bool served = false;
	for (int i = 0, tries = ts_ms(10000) / 100; i < tries && !served; i++) {
		served = big_tenant_served(l.port);
		if (!served)
			usleep(100000);
	}
	cr_assert(served, "lisd did not pick up the import that fitted");
	assert_old_data_served(l.port);

	/* later imports need no --map-size: the stored size (4G default or more) */
	char *small =
	    ts_write_file(f.dir, "t.yaml", "format: 1\ntenants:\n  - id: t3\n    name: Three\n");
	rc = wm("import", "--db", f.db, small, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(wm("stats", "--db", f.db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "4 tenants, generation 3"), "%s", f.out);
	cr_assert(strstr(f.out, "of 4294967296 bytes"), "%s", f.out);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(before);
	free(after);
	free(big);
	free(small);
}

/*
 * A first import into a new directory with too small a map: the database is
 * created empty (generation 0, no tenant), the import is refused whole, and
 * the next import with room fills it. (An empty LMDB environment without
 * even the tables, as a first import killed mid-way leaves, reads as "no
 * wiremap database": tests/wiremap/test_store.c.)
 */
Test(store_full, a_new_database_too_small_for_the_first_import)
{
	char db[4200];
	snprintf(db, sizeof db, "%s/new", f.dir);
	char *big = big_file(300);
	int rc = wm("import", "--db", db, "--map-size", "64k", big, NULL);
	cr_assert_eq(rc, 73, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert(strstr(f.err, "the database is full") && strstr(f.err, "--map-size"), "%s",
	          f.err);
	cr_assert_eq(wm("stats", "--db", db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "0 tenants, generation 0"), "%s", f.out);
	rc = wm("import", "--db", db, "--map-size", "16M", big, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(wm("stats", "--db", db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "1 tenant, generation 1"), "%s", f.out);
	free(big);
}

/*
 * Protection: without --map-size, the store opens with the larger of the
 * default and the size stored in the database (store.c). Remove it and a
 * database grown past 4G with --map-size 8G becomes unwritable by a plain
 * import, and lisd maps less than the data.
 */
Test(store_full, a_larger_map_size_is_kept_for_later_imports_and_lisd)
{
	char db[4200];
	snprintf(db, sizeof db, "%s/grown", f.dir);
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/integration/fixtures/two-tenants.yaml",
	         ts_source_dir());
	int rc = wm("import", "--db", db, "--map-size", "8G", path, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(wm("stats", "--db", db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "of 8589934592 bytes"), "%s", f.out);
	rc = wm("import", "--db", db, path, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(wm("stats", "--db", db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "generation 2") && strstr(f.out, "of 8589934592 bytes"), "%s",
	          f.out);
	/* an explicit smaller size is that import's only */
	rc = wm("import", "--db", db, "--map-size", "1M", path, NULL);
	cr_assert_eq(rc, 0, "exit %d\n%s%s", rc, f.out, f.err);
	cr_assert_eq(wm("stats", "--db", db, NULL), 0, "%s", f.err);
	cr_assert(strstr(f.out, "of 8589934592 bytes"), "%s", f.out);
	ts_lisd_t l;
	ts_lisd_start(&l, db, NULL, NULL);
	assert_old_data_served(l.port);
	cr_assert_eq(ts_lisd_stop(&l), 0);
}

/* Protection: --map-size is checked where it enters (exit 64, one line). */
Test(store_full, map_size_values_are_checked)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/integration/fixtures/two-tenants.yaml",
	         ts_source_dir());
	static const char *const bad[] = {
	    "0", "1",     "65535", "64x", "-1",       "1P",  "2T",
	    "",  "12.5M", "M",     "1kk", "0x100000", "1 G", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = wm("import", "--db", f.db, "--map-size", bad[i], path, NULL);
		cr_assert_eq(rc, 64, "--map-size \"%s\": exit %d\n%s", bad[i], rc, f.err);
		cr_assert_eq(lines(f.err), 1, "%s", f.err);
		cr_assert(strstr(f.err, "--map-size") && strstr(f.err, "usage:"), "%s", f.err);
	}
	cr_assert_eq(wm("import", "--db", f.db, path, "--map-size", NULL), 64);
	cr_assert(strstr(f.err, "needs a value"), "%s", f.err);
	static const char *const good[] = {"64k", "65536", "512M", "2g", "1G"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int rc = wm("import", "--db", f.db, "--dry-run", "--map-size", good[i], path, NULL);
		cr_assert_eq(rc, 0, "--map-size %s: exit %d\n%s", good[i], rc, f.err);
	}
	cr_assert_eq(wm("import", "--help", NULL), 0);
	cr_assert(strstr(f.out, "--map-size SIZE"), "%s", f.out);
}
