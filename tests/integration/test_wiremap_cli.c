/*
 * The real `wiremap` binary as an administrator uses it: exit codes, one-line
 * errors, import/export/lookup/stats, and crash safety of an import killed
 * with SIGKILL.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/testsupport.h"

#define DEMO                                                                                       \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: 6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a\n"                                           \
	"    name: Example Corp\n"                                                                 \
	"    did_fallback: true\n"                                                                 \
	"    trusted_networks: [203.0.113.0/24]\n"                                                 \
	"    buildings:\n"                                                                         \
	"      - id: sj-hq\n"                                                                      \
	"        name: San Jose HQ\n"                                                              \
	"        address: {country: US, A1: CA, A3: San Jose, HNO: \"170\", RD: Tasman}\n"         \
	"        locations:\n"                                                                     \
	"          - id: sj-hq-1e\n"                                                               \
	"            name: 1st floor, East Wing\n"                                                 \
	"            address: {FLR: \"1\"}\n"                                                      \
	"            network:\n"                                                                   \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"              \
	"              - bssid: \"00-11-22-33-44-55\"\n"                                           \
	"              - bssid: \"00-11-22-33-44-6*\"\n"                                           \
	"          - id: sj-hq-2w\n"                                                               \
	"            name: 2nd floor, West Wing\n"                                                 \
	"            address: {FLR: \"2\"}\n"                                                      \
	"            network:\n"                                                                   \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\"}\n"                                 \
	"              - subnet: 10.20.31.0/24\n"                                                  \
	"              - gateway_mac: \"00-00-5e-00-01-01\"\n"                                     \
	"          - id: sj-hq-lobby\n"                                                            \
	"            name: Lobby\n"                                                                \
	"    dids:\n"                                                                              \
	"      - {did: \"+14085551234\", location: sj-hq-lobby}\n"

typedef struct {
	char *dir, *db;
	char *out, *err;
	int rc;
} cli_t;

static cli_t c;

static void setup(void)
{
	memset(&c, 0, sizeof c);
	c.dir = ts_mkdtemp();
	cr_assert(asprintf(&c.db, "%s/db", c.dir) > 0);
}

static void teardown(void)
{
	free(c.out);
	free(c.err);
	ts_rmtree(c.dir);
	free(c.dir);
	free(c.db);
}

TestSuite(wiremap_cli, .init = setup, .fini = teardown, .timeout = 300);

/* Runs wiremap with a NULL-terminated argument list; keeps out/err/rc. */
#define run(...) (c.rc = ts_run_tool("wiremap", &c.out, &c.err, __VA_ARGS__))

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static char *file(const char *name, const char *text)
{
	return ts_write_file(c.dir, name, text);
}

Test(wiremap_cli, help_version_and_usage_errors)
{
	cr_expect_eq(run("--help", NULL), 0);
	cr_expect(strstr(c.out, "usage: wiremap") && strstr(c.out, "lookup"), "%s", c.out);
	cr_expect_str_empty(c.err);
	const char *cmds[] = {"import", "export", "lookup", "stats"};
	for (size_t i = 0; i < 4; i++) {
		cr_expect_eq(run(cmds[i], "--help", NULL), 0, "%s --help", cmds[i]);
		cr_expect(strstr(c.out, "--db DIR"), "%s", c.out);
		cr_expect_eq(run(cmds[i], "-h", NULL), 0);
		cr_expect_eq(run(cmds[i], "--db", c.db, "--frobnicate", NULL), 64, "%s", cmds[i]);
		cr_expect_eq(lines(c.err), 1, "one line on stderr: %s", c.err);
		cr_expect(strstr(c.err, "--frobnicate") && strstr(c.err, "usage:"), "%s", c.err);
		cr_expect_str_empty(c.out);
		cr_expect_eq(run(cmds[i], "-V", NULL), 0);
		cr_expect(strstr(c.out, "LMDB") && strstr(c.out, "libyaml"), "%s", c.out);
	}
	cr_expect_eq(run("--version", NULL), 0);
	cr_expect(strstr(c.out, "LMDB") && strstr(c.out, "libyaml"), "%s", c.out);
	cr_expect_eq(run(NULL), 64);
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect_eq(run("frobnicate", NULL), 64);
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect_eq(run("import", "x.yaml", NULL), 64, "--db is required");
	cr_expect(strstr(c.err, "--db"), "%s", c.err);
	cr_expect_eq(run("import", "--db", NULL), 64);
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect_eq(run("import", "--db", c.db, NULL), 64, "no FILE");
	cr_expect_eq(run("lookup", "--db", c.db, "--port", "Gi1/0/7", NULL), 64,
	             "--port without --chassis");
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect_eq(run("export", "--db", c.db, NULL), 74, "no database yet");
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect(strstr(c.err, "wiremap import"), "says how to fix: %s", c.err);
}

Test(wiremap_cli, import_reports_every_error_with_file_and_line)
{
	char *good = file("good.yaml", DEMO);
	cr_assert_eq(run("import", "--db", c.db, good, NULL), 0, "%s", c.err);
	cr_expect(strstr(c.out, "imported 1 tenant, 1 building, 3 locations, 6 elements, 1 DID "
	                        "(generation 1)"),
	          "%s", c.out);
	cr_expect_eq(lines(c.out), 1);
	run("export", "--db", c.db, NULL);
	char *before = strdup(c.out);

	char *bad = file("bad.yaml", "format: 1\n"
	                             "tenants:\n"
	                             "  - id: 6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a\n"
	                             "    buildings:\n"
	                             "      - id: b2\n"
	                             "        address: {country: US, XX: nope}\n" /* 6 */
	                             "        locations:\n"
	                             "          - id: l2\n"
	                             "            network:\n"
	                             "              - bssid: \"00-11-22-33-44\"\n"      /* 10 */
	                             "              - subnet: 10.0.0.1/8\n"             /* 11 */
	                             "              - gateway_mac: 00-00-5e-00-01-01\n" /* 12 */
	                             "    dids:\n"
	                             "      - {did: \"555\", location: l2}\n"); /* 14 */
	char *csv = file("bad.csv", "location,bssid\nl2,02-00-00-00-00-01\n");
	cr_expect_eq(run("import", "--db", c.db, bad, csv, NULL), 65);
	const char *want[] = {"bad.yaml:6:",  "bad.yaml:10:", "bad.yaml:11:",
	                      "bad.yaml:12:", "bad.yaml:14:", "bad.csv"};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		cr_expect(strstr(c.err, want[i]), "%s missing from:\n%s", want[i], c.err);
	cr_expect(strstr(c.err, "sj-hq-2w"), "a conflict names the stored location:\n%s", c.err);
	cr_expect(strstr(c.err, "nothing imported"), "%s", c.err);
	cr_expect_str_empty(c.out);
	run("export", "--db", c.db, NULL);
	cr_expect_str_eq(c.out, before, "the database is untouched");
	run("stats", "--db", c.db, NULL);
	cr_expect(strstr(c.out, "generation 1"), "%s", c.out);
	free(before);
	free(good);
	free(bad);
	free(csv);
}

Test(wiremap_cli, dry_run_writes_nothing)
{
	char *good = file("good.yaml", DEMO);
	cr_expect_eq(run("import", "--db", c.db, "--dry-run", good, NULL), 0, "%s", c.err);
	cr_expect(strstr(c.out, "3 locations"), "%s", c.out);
	cr_expect_eq(access(c.db, F_OK), -1, "no database directory was created");

	cr_assert_eq(run("import", "--db", c.db, good, NULL), 0);
	char *other = file("o.yaml", "format: 1\ntenants:\n  - id: t2\n    name: Two\n"
	                             "    buildings: []\n");
	cr_expect_eq(run("import", "--db", c.db, "--dry-run", other, NULL), 0, "%s", c.err);
	run("stats", "--db", c.db, NULL);
	cr_expect(strstr(c.out, "1 tenant, generation 1"), "%s", c.out);
	/* whole words: the temporary directory in the output is random ("openlis-test-t2Bn4m") */
	cr_expect(!strstr(c.out, "tenant t2 ") && !strstr(c.out, "(Two)"), "%s", c.out);
	free(good);
	free(other);
}

Test(wiremap_cli, replace_and_roundtrip)
{
	char *good = file("good.yaml", DEMO);
	cr_assert_eq(run("import", "--db", c.db, good, NULL), 0);
	cr_assert_eq(run("export", "--db", c.db, NULL), 0);
	char *e1 = strdup(c.out);
	char *ex = file("export.yaml", e1);

	/* export -> import into a new db -> export: identical */
	char *db2 = NULL;
	cr_assert(asprintf(&db2, "%s/db2", c.dir) > 0);
	cr_expect_eq(run("import", "--db", db2, ex, NULL), 0, "%s", c.err);
	run("export", "--db", db2, NULL);
	cr_expect_str_eq(c.out, e1);
	/* re-importing the export into the same db (merge) changes nothing */
	cr_expect_eq(run("import", "--db", c.db, ex, NULL), 0, "%s", c.err);
	run("export", "--db", c.db, NULL);
	cr_expect_str_eq(c.out, e1);

	/* --replace: the tenant's old locations are gone */
	char *small =
	    file("small.yaml", "format: 1\ntenants:\n  - id: 6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a\n"
	                       "    name: Example Corp\n    buildings:\n      - id: new\n"
	                       "        locations:\n          - id: only\n            network:\n"
	                       "              - bssid: \"00-11-22-33-44-55\"\n");
	cr_expect_eq(run("import", "--db", c.db, small, NULL), 65, "merge: BSSID already assigned");
	cr_expect_eq(run("import", "--db", c.db, "--replace", small, NULL), 0, "%s", c.err);
	run("export", "--db", c.db, NULL);
	cr_expect(strstr(c.out, "\"only\"") && !strstr(c.out, "sj-hq-1e"), "%s", c.out);
	cr_expect_eq(run("lookup", "--db", c.db, "--bssid", "00:11:22:33:44:55", NULL), 0);
	cr_expect(strstr(c.out, "location only"), "%s", c.out);

	cr_expect_eq(run("export", "--db", c.db, "--tenant", "nope", NULL), 65);
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	free(e1);
	free(ex);
	free(db2);
	free(good);
	free(small);
}

Test(wiremap_cli, lookup_every_precedence_step)
{
	char *good = file("good.yaml", DEMO);
	cr_assert_eq(run("import", "--db", c.db, good, NULL), 0);
	struct {
		const char *args[8];
		const char *loc, *method, *element;
	} cases[] = {
	    {{"--chassis", "001b.213c.4d00", "--port", "Gi1/0/7", "--bssid", "00-11-22-33-44-55"},
	     "sj-hq-1e",
	     "lldp-port",
	     "chassis 00-1b-21-3c-4d-00 port Gi1/0/7"},
	    {{"--chassis", "00:1b:21:3c:4d:00", "--port", "Gi1/0/9", "--bssid", "001122334455"},
	     "sj-hq-1e",
	     "bssid",
	     "00-11-22-33-44-55"},
	    {{"--bssid", "00-11-22-33-44-6B", "--ip", "10.20.31.4"},
	     "sj-hq-1e",
	     "bssid-wildcard",
	     "00-11-22-33-44-6*"},
	    {{"--chassis", "00-1b-21-3c-4d-00", "--ip", "10.20.31.4"},
	     "sj-hq-2w",
	     "lldp-chassis",
	     "chassis 00-1b-21-3c-4d-00"},
	    {{"--ip", "10.20.31.4", "--gateway-mac", "00-00-5e-00-01-01"},
	     "sj-hq-2w",
	     "subnet",
	     "10.20.31.0/24"},
	    {{"--ip", "10.20.31.4", "--source", "198.51.100.1", "--gateway-mac",
	      "00-00-5e-00-01-01"},
	     "sj-hq-2w",
	     "gateway-mac",
	     "00-00-5e-00-01-01"},
	    {{"--ip", "10.99.0.1", "--did", "tel:+1-408-555-1234"},
	     "sj-hq-lobby",
	     "did",
	     "+14085551234"},
	    {{"--did", "+14085551234"}, "sj-hq-lobby", "did", "+14085551234"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *argv[16] = {ts_bin("wiremap"), "lookup", "--db", c.db};
		int n = 4;
		for (int j = 0; j < 8 && cases[i].args[j]; j++)
			argv[n++] = cases[i].args[j];
		argv[n] = NULL;
		free(c.out);
		free(c.err);
		int rc = ts_run(argv, NULL, &c.out, &c.err);
		char want[200];
		cr_expect_eq(rc, 0, "case %zu: %s", i, c.err);
		snprintf(want, sizeof want, "match: location %s", cases[i].loc);
		cr_expect(strstr(c.out, want), "case %zu:\n%s", i, c.out);
		snprintf(want, sizeof want, "method: %s\n", cases[i].method);
		cr_expect(strstr(c.out, want), "case %zu:\n%s", i, c.out);
		snprintf(want, sizeof want, "element: %s\n", cases[i].element);
		cr_expect(strstr(c.out, want), "case %zu:\n%s", i, c.out);
		cr_expect(strstr(c.out, "country=\"US\"") && strstr(c.out, "A3=\"San Jose\""),
		          "merged address, case %zu:\n%s", i, c.out);
		char *match = strstr(c.out, "match:"), *trace = strstr(c.out, "trace:");
		cr_expect(match && trace && match < trace, "result, then the trace:\n%s", c.out);
	}
	/* the trace lists each step tried */
	run("lookup", "--db", c.db, "--ip", "10.20.31.4", "--source", "198.51.100.1",
	    "--gateway-mac", "00-00-5e-00-01-01", NULL);
	cr_expect(strstr(c.out, "skipped: source 198.51.100.1 is outside the tenant's "
	                        "trusted_networks"),
	          "%s", c.out);
	cr_expect(strstr(c.out, "hit location sj-hq-2w"), "%s", c.out);

	/* not found: exit 1, says so, shows all 7 steps */
	cr_expect_eq(run("lookup", "--db", c.db, "--bssid", "02-00-00-00-00-01", NULL), 1);
	cr_expect(strstr(c.out, "no match"), "%s", c.out);
	cr_expect(strstr(c.out, "  6 nomadic") && strstr(c.out, "  7 did"), "%s", c.out);

	/* malformed values: 65, one line */
	const char *badv[][2] = {{"--bssid", "00-11-22"},
	                         {"--ip", "10.1.2"},
	                         {"--gateway-mac", "zz-00-5e-00-01-01"},
	                         {"--did", "5551234"}};
	for (size_t i = 0; i < 4; i++) {
		cr_expect_eq(run("lookup", "--db", c.db, badv[i][0], badv[i][1], NULL), 65, "%s",
		             badv[i][0]);
		cr_expect_eq(lines(c.err), 1, "%s", c.err);
		cr_expect(strstr(c.err, badv[i][1]), "names the value: %s", c.err);
	}

	/* several tenants: --tenant is needed */
	char *t2 = file("t2.yaml", "format: 1\ntenants:\n  - id: t2\n    name: Two\n"
	                           "    buildings:\n      - id: b\n        locations:\n"
	                           "          - id: t2-loc\n            network:\n"
	                           "              - bssid: \"00-11-22-33-44-55\"\n");
	cr_assert_eq(run("import", "--db", c.db, t2, NULL), 0, "%s", c.err);
	cr_expect_eq(run("lookup", "--db", c.db, "--bssid", "00-11-22-33-44-55", NULL), 64);
	cr_expect(strstr(c.err, "--tenant"), "%s", c.err);
	cr_expect_eq(lines(c.err), 1, "%s", c.err);
	cr_expect_eq(
	    run("lookup", "--db", c.db, "--tenant", "t2", "--bssid", "00-11-22-33-44-55", NULL), 0);
	cr_expect(strstr(c.out, "match: location t2-loc"), "%s", c.out);

	run("stats", "--db", c.db, NULL);
	cr_expect(strstr(c.out, "tenant t2 (Two)") && strstr(c.out, "2 tenants"), "%s", c.out);
	cr_expect(strstr(c.out, "bssid 2"), "%s", c.out);
	free(good);
	free(t2);
}

/* ---------------- crash safety ------------------------------------------ */

static char *big_yaml(int n)
{
	size_t cap = (size_t)n * 330 + 1024, o = 0;
	char *y = malloc(cap);
	o += (size_t)snprintf(y + o, cap - o,
	                      "format: 1\ntenants:\n  - id: 6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a\n"
	                      "    name: Example Corp\n    buildings:\n");
	for (int i = 0; i < n; i++) {
		if (i % 1000 == 0)
			o += (size_t)snprintf(y + o, cap - o,
			                      "      - id: big-%d\n        name: Building %d\n"
			                      "        address: {country: US, A1: CA}\n"
			                      "        locations:\n",
			                      i / 1000, i / 1000);
		o += (size_t)snprintf(
		    y + o, cap - o,
		    "          - id: l%d\n            address: {ROOM: \"%d\"}\n"
		    "            network:\n"
		    "              - lldp: {chassis: \"sw%d\", port: \"Gi1/0/%d\"}\n"
		    "              - bssid: \"02-%02x-%02x-%02x-00-10\"\n"
		    "              - gateway_mac: \"04-%02x-%02x-%02x-00-01\"\n",
		    i, i, i / 48, i % 48, i >> 16 & 255, i >> 8 & 255, i & 255, i >> 16 & 255,
		    i >> 8 & 255, i & 255);
	}
	cr_assert_lt(o, cap);
	return y;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts `wiremap import --replace --db db file` and SIGKILLs it after `after` s;
 * returns how the child ended (exit status, or 128 + signal). */
static int import_killed(const char *db, const char *path, double after)
{
	pid_t pid = fork();
	if (pid < 0)
		cr_assert_fail("fork"); /* never assert in the child */
	if (pid == 0) {
		int nul = open("/dev/null", 1);
		dup2(nul, 1);
		dup2(nul, 2);
		execl(ts_bin("wiremap"), "wiremap", "import", "--replace", "--db", db, path,
		      (char *)NULL);
		_exit(127);
	}
	struct timespec ts = {(time_t)after, (long)((after - (double)(time_t)after) * 1e9)};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(wiremap_cli, import_killed_midway_leaves_the_previous_data)
{
	/* The kill points are calibrated on the import's own speed; under
	 * memcheck every run of the CLI is ~30x slower and says nothing more
	 * about crash safety (the plain and sanitizer runs prove it). */
	if (ts_valgrind())
		cr_skip_test("a timing-calibrated SIGKILL test: not run under valgrind");
	char *good = file("good.yaml", DEMO);
	cr_assert_eq(run("import", "--db", c.db, good, NULL), 0);
	cr_assert_eq(run("export", "--db", c.db, NULL), 0);
	char *before = strdup(c.out);

	char *y = big_yaml(90000);
	char *big = file("big.yaml", y);
	free(y);

	/* calibrate: how long does the whole import take here? */
	char *cal = NULL;
	cr_assert(asprintf(&cal, "%s/cal", c.dir) > 0);
	double t0 = now();
	cr_assert_eq(run("import", "--db", cal, big, NULL), 0, "%s", c.err);
	double full = now() - t0;
	cr_log_info("a full import of 90000 locations takes %.2f s", full);

	cr_assert_eq(run("export", "--db", cal, NULL), 0);
	char *all_new = strdup(c.out);

	/* Killed at several points. Before the commit nothing of it may be
	 * visible; a kill that lands after the commit (while the process
	 * exits) must show all of it. Never anything in between. */
	int rolled_back = 0;
	const double at[] = {0.2, 0.5, 0.8, 0.95};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
		int st = import_killed(c.db, big, full * at[i]);
		cr_assert_eq(run("export", "--db", c.db, NULL), 0, "the database opens: %s", c.err);
		if (strcmp(c.out, before) == 0) {
			cr_expect_eq(st, 128 + SIGKILL,
			             "the import did not finish, so it was killed");
			rolled_back++;
			cr_expect_eq(run("lookup", "--db", c.db, "--chassis", "00-1b-21-3c-4d-00",
			                 "--port", "Gi1/0/7", NULL),
			             0, "the old data still answers");
			cr_expect(strstr(c.out, "match: location sj-hq-1e"), "%s", c.out);
		} else {
			cr_assert(
			    strcmp(c.out, all_new) == 0,
			    "killed at %.0f%% (status %d): the database holds neither the old "
			    "nor the complete new data",
			    at[i] * 100, st);
			cr_assert_eq(
			    run("lookup", "--db", c.db, "--bssid", "02-01-5f-8f-00-10", NULL), 0,
			    "%s", c.out);
			/* put the previous data back for the next round */
			cr_assert_eq(run("import", "--db", c.db, "--replace", good, NULL), 0);
			run("export", "--db", c.db, NULL);
			cr_assert_str_eq(c.out, before);
		}
	}
	cr_expect_gt(rolled_back, 0, "at least one import was killed before its commit");
	free(all_new);

	/* the next import works and lands completely */
	cr_expect_eq(run("import", "--db", c.db, "--replace", big, NULL), 0, "%s", c.err);
	cr_expect(strstr(c.out, "90000 locations"), "%s", c.out);
	cr_expect_eq(run("lookup", "--db", c.db, "--bssid", "02-01-5f-8f-00-10", NULL), 0, "%s",
	             c.out);
	cr_expect(strstr(c.out, "match: location l89999"), "%s", c.out);
	free(before);
	free(big);
	free(cal);
	free(good);
}
