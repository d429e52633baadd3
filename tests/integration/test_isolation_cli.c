/*
 * Tenant isolation of the wiremap CLI (issue #5), with the real binary and
 * fixtures/isolation.yaml (see isolation.h): --tenant scopes import
 * (--replace, CSV, YAML), export and lookup to one tenant.
 */

#include "tests/integration/isolation.h"

/* ====================== the wiremap CLI ================================ */

typedef struct {
	char *db, *dir, *out, *err;
} cli_t;

static cli_t cli;

static void cli_setup(void)
{
	memset(&cli, 0, sizeof cli);
	cli.db = fixture_db("isolation.yaml");
	cli.dir = ts_mkdtemp();
}

static void cli_teardown(void)
{
	free(cli.out);
	free(cli.err);
	ts_rmdb(cli.db);
	ts_rmtree(cli.dir);
	free(cli.db);
	free(cli.dir);
}

TestSuite(isolation_cli, .init = cli_setup, .fini = cli_teardown, .timeout = 300);

/* wiremap ARGS... (NULL-terminated); keeps stdout/stderr in cli. */
#define wm(...) ts_run_tool("wiremap", &cli.out, &cli.err, __VA_ARGS__)

static char *export_of(const char *tenant)
{
	int rc = tenant ? wm("export", "--db", cli.db, "--tenant", tenant, NULL)
	                : wm("export", "--db", cli.db, NULL);
	cr_assert_eq(rc, 0, "export failed (%d): %s", rc, cli.err);
	return strdup(cli.out);
}

static char *file(const char *name, const char *text)
{
	return ts_write_file(cli.dir, name, text);
}

/* A's new data: the desk moved to the 9th floor, a new BSSID by CSV. */
#define A_NEW                                                                                      \
	"format: 1\ntenants:\n  - id: " TENANT_A "\n    name: Acme\n    buildings:\n"              \
	"      - id: hq\n        name: Acme HQ\n"                                                  \
	"        address: {country: US, A1: CA, A3: San Jose, HNO: \"170\", RD: Tasman}\n"         \
	"        locations:\n          - id: desk\n            address: {FLR: \"9\"}\n"            \
	"            network:\n              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: "      \
	"\"Gi1/0/7\"}\n"

/*
 * Protection: replace deletes one tenant's key range, "TENANT\0..." (store.c),
 * so no other tenant's record, not even one of a tenant whose id starts
 * with it (C = A + "-eu"), is touched. Remove the terminator from the range
 * and --replace of A wipes C too.
 */
Test(isolation_cli, replacing_one_tenant_leaves_the_others_byte_identical)
{
	char *b0 = export_of(TENANT_B), *c0 = export_of(TENANT_C);
	char *y = file("a.yaml", A_NEW);
	char *csv = file("a-wifi.csv", "location,bssid\ndesk,00-11-22-33-44-99\n");
	int rc = wm("import", "--db", cli.db, "--tenant", TENANT_A, "--replace", y, csv, NULL);
	cr_assert_eq(rc, 0, "%s%s", cli.out, cli.err);
	char *a1 = export_of(TENANT_A), *b1 = export_of(TENANT_B), *c1 = export_of(TENANT_C);
	cr_assert(strstr(a1, "FLR: \"9\"") && strstr(a1, "00-11-22-33-44-99"), "%s", a1);
	cr_assert_null(strstr(a1, "00-00-5e-00-01-01"), "A's old data is gone:\n%s", a1);
	cr_assert_str_eq(b1, b0, "tenant B changed");
	cr_assert_str_eq(c1, c0, "tenant C (A's id + \"-eu\") changed");

	/* and the other way round: replacing C leaves A as it is now */
	char *cy = file("c.yaml", "format: 1\ntenants:\n  - id: " TENANT_C "\n    name: Acme EU\n");
	rc = wm("import", "--db", cli.db, "--replace", cy, NULL);
	cr_assert_eq(rc, 0, "%s%s", cli.out, cli.err);
	char *a2 = export_of(TENANT_A), *b2 = export_of(TENANT_B);
	cr_assert_str_eq(a2, a1, "tenant A changed by replacing C");
	cr_assert_str_eq(b2, b0, "tenant B changed by replacing C");
	free(b0);
	free(c0);
	free(a1);
	free(b1);
	free(c1);
	free(a2);
	free(b2);
	free(y);
	free(csv);
	free(cy);
}

/*
 * Protection: export --tenant reads that tenant's key range only. Remove it
 * and A's export (which an administrator may hand to A) carries B's sites.
 */
Test(isolation_cli, export_of_one_tenant_shows_nothing_of_the_others)
{
	char *a = export_of(TENANT_A);
	assert_all(a, MARK_A, "export --tenant A");
	static const char *const not_a[] = {
	    TENANT_B,    "Globex",       "Broadway", "vault",    "00-bb-cc-dd-ee-ff",
	    "10.66.0.0", "+12125550166", TENANT_C,   "Congress", NULL};
	assert_none(a, not_a, "export --tenant A");
	/* it imports back as tenant A alone */
	char *f = file("a-export.yaml", a);
	char db2[4200];
	snprintf(db2, sizeof db2, "%s/db2", cli.dir);
	cr_assert_eq(wm("import", "--db", db2, f, NULL), 0, "%s", cli.err);
	cr_assert_eq(wm("stats", "--db", db2, NULL), 0, "%s", cli.err);
	cr_assert(strstr(cli.out, "1 tenant,"), "%s", cli.out);
	free(a);
	free(f);
}

/*
 * Protection: lookup --tenant runs the precedence in that tenant only, and
 * its trace names nothing of another tenant. Remove it and A's administrator
 * can locate B's devices.
 */
Test(isolation_cli, lookup_in_one_tenant_finds_nothing_of_the_others)
{
	int rc =
	    wm("lookup", "--db", cli.db, "--tenant", TENANT_A, "--chassis", "00-aa-bb-cc-dd-ee",
	       "--port", "Te1/0/1", "--bssid", "00-bb-cc-dd-ee-ff", "--ip", "10.66.1.1",
	       "--gateway-mac", "00-00-5e-00-01-66", "--did", "+12125550166", NULL);
	cr_assert_eq(rc, 1, "B's elements in A: exit %d\n%s%s", rc, cli.out, cli.err);
	cr_assert(strstr(cli.out, "no match"), "%s", cli.out);
	assert_none(cli.out, MARK_VAULT, "lookup --tenant A");
	assert_none(cli.out, MARK_B, "lookup --tenant A");
	/* the same request in B finds the vault: the identifiers are right */
	rc = wm("lookup", "--db", cli.db, "--tenant", TENANT_B, "--chassis", "00-aa-bb-cc-dd-ee",
	        "--port", "Te1/0/1", NULL);
	cr_assert_eq(rc, 0, "%s%s", cli.out, cli.err);
	cr_assert(strstr(cli.out, "location vault"), "%s", cli.out);

	/* a shared element: each tenant its own desk and address */
	const char *t[] = {TENANT_A, TENANT_B, TENANT_C};
	const char *const *mine[] = {MARK_A, MARK_B, MARK_C};
	for (int i = 0; i < 3; i++) {
		rc = wm("lookup", "--db", cli.db, "--tenant", t[i], "--chassis",
		        "00-1b-21-3c-4d-00", "--port", "Gi1/0/7", NULL);
		cr_assert_eq(rc, 0, "%s%s", cli.out, cli.err);
		cr_assert(strstr(cli.out, "location desk"), "%s", cli.out);
		assert_all(cli.out, mine[i], t[i]);
		assert_none(cli.out, mine[(i + 1) % 3], t[i]);
		assert_none(cli.out, mine[(i + 2) % 3], t[i]);
	}
}

/*
 * Protection: a CSV file is loaded into the --tenant tenant, and its
 * location column resolves in that tenant only. Remove it and a CSV for A
 * could attach elements to B's locations.
 */
Test(isolation_cli, csv_for_one_tenant_cannot_write_into_another)
{
	char *a0 = export_of(TENANT_A), *b0 = export_of(TENANT_B);
	char *f = file("to-vault.csv", "location,bssid\nvault,00-cc-cc-cc-cc-01\n");
	int rc = wm("import", "--db", cli.db, "--tenant", TENANT_A, f, NULL);
	cr_assert_eq(rc, 65, "B's location from A's CSV: exit %d\n%s%s", rc, cli.out, cli.err);
	cr_assert(strstr(cli.err, "to-vault.csv:2:") && strstr(cli.err, "vault"), "%s", cli.err);
	char *a1 = export_of(TENANT_A), *b1 = export_of(TENANT_B);
	cr_assert_str_eq(a1, a0);
	cr_assert_str_eq(b1, b0);

	/* B's DID and B's vault port, given to A's desk: A's own records */
	char *d = file("dids.csv", "did,location\n+12125550166,desk\n");
	char *p = file("ports.csv", "location,chassis,port\ndesk,00-aa-bb-cc-dd-ee,Te1/0/1\n");
	rc = wm("import", "--db", cli.db, "--tenant", TENANT_A, d, p, NULL);
	cr_assert_eq(rc, 0, "%s%s", cli.out, cli.err);
	char *b2 = export_of(TENANT_B);
	cr_assert_str_eq(b2, b0, "tenant B changed by A's CSV");
	rc = wm("lookup", "--db", cli.db, "--tenant", TENANT_B, "--did", "+12125550166", NULL);
	cr_assert(rc == 0 && strstr(cli.out, "location vault"), "%s", cli.out);
	rc = wm("lookup", "--db", cli.db, "--tenant", TENANT_A, "--did", "+12125550166", NULL);
	cr_assert(rc == 0 && strstr(cli.out, "location desk") && strstr(cli.out, "Tasman"), "%s",
	          cli.out);
	free(a0);
	free(b0);
	free(a1);
	free(b1);
	free(b2);
	free(f);
	free(d);
	free(p);
}

/*
 * Defined here (issue #5): --tenant scopes the whole import; a YAML file
 * naming another tenant is refused with FILE:LINE: id: ..., exit 65, nothing
 * written. Protection: the check in wm_import. Remove it and
 * `import --tenant A b.yaml` silently writes (or with --replace, wipes) B.
 */
Test(isolation_cli, yaml_naming_another_tenant_is_refused_under_tenant)
{
	char *a0 = export_of(TENANT_A), *b0 = export_of(TENANT_B);
	cr_assert_eq(wm("stats", "--db", cli.db, NULL), 0);
	char *stats0 = strdup(cli.out);
	char *by = file("b.yaml", "format: 1\ntenants:\n  - id: " TENANT_B "\n    name: Hijacked\n"
	                          "    buildings: []\n");
	char *ab = file("ab.yaml", "format: 1\ntenants:\n  - id: " TENANT_A "\n    name: Acme\n"
	                           "  - id: " TENANT_B "\n    name: Hijacked\n");
	const char *const modes[][2] = {{NULL, NULL}, {"--replace", NULL}, {"--dry-run", NULL}};
	const char *files[] = {by, ab};
	for (size_t m = 0; m < N_OF(modes); m++)
		for (size_t i = 0; i < 2; i++) {
			int rc = modes[m][0] ? wm("import", "--db", cli.db, "--tenant", TENANT_A,
			                          modes[m][0], files[i], NULL)
			                     : wm("import", "--db", cli.db, "--tenant", TENANT_A,
			                          files[i], NULL);
			cr_assert_eq(rc, 65, "%s %s: exit %d\n%s%s", modes[m][0] ? modes[m][0] : "",
			             files[i], rc, cli.out, cli.err);
			char want[4300];
			snprintf(want, sizeof want,
			         "%s:%d: id: tenant \"" TENANT_B "\" is not the "
			         "--tenant of this import",
			         files[i], i == 0 ? 3 : 5);
			cr_assert(strstr(cli.err, want), "expected \"%s\" in:\n%s", want, cli.err);
			cr_assert(strstr(cli.err, "--tenant " TENANT_B), "says how: %s", cli.err);
		}
	char *a1 = export_of(TENANT_A), *b1 = export_of(TENANT_B);
	cr_assert_str_eq(a1, a0);
	cr_assert_str_eq(b1, b0);
	cr_assert_eq(wm("stats", "--db", cli.db, NULL), 0);
	cr_assert_str_eq(cli.out, stats0, "the generation moved");
	/* the file is fine without --tenant, or with its own */
	cr_assert_eq(wm("import", "--db", cli.db, "--tenant", TENANT_B, "--dry-run", by, NULL), 0,
	             "%s", cli.err);
	free(a0);
	free(b0);
	free(a1);
	free(b1);
	free(stats0);
	free(by);
	free(ab);
}
