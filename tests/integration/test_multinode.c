/*
 * One deployment, several lisd nodes (deploy/multinode/): each node has its
 * own wiremap database, loaded by deploy/multinode/wiremap-sync.sh from the
 * same file, and every node shares token.key_file. A location URI issued by
 * one node dereferences on another (a call router behind a balancer reaches
 * any node), that node writes the 911 event, and a node of another
 * deployment (another key) refuses the token like any unknown one. The sync
 * script refuses a broken file without touching a node and reports nodes
 * that drifted apart. The shipped node configuration passes `lisd --test`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/integ.h"

static struct {
	char *dir;     /* everything of the test */
	char *fixture; /* the wiremap file every node loads */
	char *key;     /* the deployment's token key */
} env;

static void write_key(const char *path)
{
	unsigned char k[32];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, k, sizeof k), (ssize_t)sizeof k);
	close(fd);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, k, sizeof k), (ssize_t)sizeof k);
	close(fd);
}

static void env_setup(void)
{
	env.dir = ts_mkdtemp();
	cr_assert(asprintf(&env.fixture, "%s/tests/integration/fixtures/two-tenants.yaml",
	                   ts_source_dir()) > 0);
	cr_assert(asprintf(&env.key, "%s/token.key", env.dir) > 0);
	write_key(env.key);
}

static void env_teardown(void)
{
	ts_rmtree(env.dir);
	free(env.dir);
	free(env.fixture);
	free(env.key);
}

TestSuite(multinode, .init = env_setup, .fini = env_teardown, .timeout = 180);

/* dir/name, to free. */
static char *path_of(const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", env.dir, name) > 0);
	return p;
}

/*
 * Runs deploy/multinode/wiremap-sync.sh with the build's wiremap; argv after
 * the script, NULL terminated. Returns the exit status; *out gets stdout and
 * stderr (to free).
 */
static int sync_run(char **out, const char *const *args)
{
	char script[4096], wm[4200];
	snprintf(script, sizeof script, "%s/deploy/multinode/wiremap-sync.sh", ts_source_dir());
	snprintf(wm, sizeof wm, "WIREMAP=%s", ts_bin("wiremap"));
	const char *argv[16] = {"/usr/bin/env", wm, "/bin/bash", script};
	size_t n = 4;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	char *so = NULL, *se = NULL;
	int st = ts_run(argv, NULL, &so, &se);
	cr_assert(asprintf(out, "%s%s", so ? so : "", se ? se : "") > 0);
	free(so);
	free(se);
	return st;
}

/* `wiremap export --db db`, to free. */
static char *export_of(const char *db)
{
	char *out = NULL, *err = NULL;
	cr_assert_eq(ts_run_tool("wiremap", &out, &err, "export", "--db", db, NULL), 0, "%s",
	             err);
	free(err);
	return out;
}

/* A node: HTTP on its own port, its own db and events file, the given key. */
static void node_start(ts_lisd_t *l, const char *name, const char *db, const char *key)
{
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - http: 127.0.0.1:@PORT@\n"
	                   "db: %s\n"
	                   "public_url: https://lis.example.com\n"
	                   "token: {key_file: %s, lifetime: 30m}\n"
	                   "events:\n  file: %s/%s-events.jsonl\n  outbox: %s/%s-outbox\n"
	                   "nomadic: {store: %s/%s-nomadic}\n",
	                   db, key, env.dir, name, env.dir, name, env.dir, name) > 0);
	ts_lisd_start(l, db, cfg, NULL);
	free(cfg);
}

Test(multinode, a_uri_issued_by_one_node_dereferences_on_another)
{
	char *dba = path_of("a-db"), *dbb = path_of("b-db"), *dbc = path_of("c-db"), *out = NULL;
	const char *args[] = {env.fixture, "--", dba, dbb, NULL};
	int st = sync_run(&out, args);
	cr_assert_eq(st, 0, "wiremap-sync:\n%s", out);
	cr_assert(strstr(out, "2 node(s) in sync"), "%s", out);
	free(out);
	char *o2 = NULL, *e2 = NULL;
	cr_assert_eq(ts_run_tool("wiremap", &o2, &e2, "import", "--db", dbc, env.fixture, NULL), 0,
	             "%s", e2);
	free(o2);
	free(e2);

	char *other_key = path_of("other.key");
	write_key(other_key);
	ts_lisd_t a, b, c;
	node_start(&a, "a", dba, env.key);
	node_start(&b, "b", dbb, env.key);
	node_start(&c, "c", dbc, other_key); /* another deployment, the same wiremap */

	/* the URI names the balancer, not the node that issued it */
	char *tok = issue_token(a.port, TENANT_A);
	char path[1024];
	snprintf(path, sizeof path, "/loc/%s?dialed=911&caller=tel:%%2B14085550100", tok);
	ts_http_resp_t r;
	cr_assert_eq(ts_http(b.port, "GET", path, NULL, NULL, 0, &r), 0);
	ASSERT_LOCATION(&r, "ROOM>101<");
	ts_http_resp_free(&r);

	/* node B, which answered the call router, wrote the Kari's Law event */
	char *evb = path_of("b-events.jsonl"), *eva = path_of("a-events.jsonl");
	char *lines = ts_read_file(evb, NULL);
	cr_assert_not_null(lines, "node B wrote no events file");
	cr_assert(strstr(lines, "\"type\":\"emergency_call\"") &&
	              strstr(lines, "\"location_id\":\"a-port\"") &&
	              strstr(lines, "\"dialed\":\"911\""),
	          "node B's events:\n%s", lines);
	free(lines);
	lines = ts_read_file(eva, NULL);
	cr_assert(!lines || !strstr(lines, "emergency_call"), "node A has the call:\n%s", lines);
	free(lines);

	/* another deployment's node: the same 404 as any unknown token */
	cr_assert_eq(ts_http(c.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert_str_eq(r.body, "no such location URI\n");
	ts_http_resp_free(&r);
	/* and node C's own tokens do not open on A */
	char *tokc = issue_token(c.port, TENANT_A);
	snprintf(path, sizeof path, "/loc/%s", tokc);
	cr_assert_eq(ts_http(a.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 404, "%s", r.body);
	ts_http_resp_free(&r);

	ts_lisd_stop(&a);
	ts_lisd_stop(&b);
	ts_lisd_stop(&c);
	free(tok);
	free(tokc);
	free(evb);
	free(eva);
	free(other_key);
	free(dba);
	free(dbb);
	free(dbc);
}

Test(multinode, sync_refuses_a_broken_file_and_reports_drift)
{
	char *dba = path_of("a-db"), *dbb = path_of("b-db"), *out = NULL;
	const char *args[] = {env.fixture, "--", dba, dbb, NULL};
	cr_assert_eq(sync_run(&out, args), 0, "%s", out);
	free(out);
	char *before = export_of(dba);

	/* a broken file: exit 65, the error names the line, no node changed */
	char *bad = ts_write_file(env.dir, "bad.yaml",
	                          "format: 1\ntenants:\n  - id: " TENANT_A "\n    name: Acme\n"
	                          "    buildings:\n      - id: hq\n        locations:\n"
	                          "          - id: x\n            network:\n"
	                          "              - subnet: 10.0.0.0/33\n");
	const char *bargs[] = {"--replace", bad, "--", dba, dbb, NULL};
	cr_assert_eq(sync_run(&out, bargs), 65, "%s", out);
	cr_assert(strstr(out, "bad.yaml:") && strstr(out, "no node was changed"), "%s", out);
	free(out);
	char *after_a = export_of(dba), *after_b = export_of(dbb);
	cr_assert_str_eq(after_a, before, "node A changed");
	cr_assert_str_eq(after_b, before, "node B changed");
	free(after_a);
	free(after_b);

	/* node B drifted (an import made there alone): exit 2, B's sum differs */
	ts_import_yaml(dbb, "format: 1\ntenants:\n  - id: drift-only-on-b\n    name: Drift\n"
	                    "    buildings: []\n", NULL);
	cr_assert_eq(sync_run(&out, args), 2, "%s", out);
	cr_assert(strstr(out, "do not hold the same wiremap"), "%s", out);
	free(out);

	/* an unreachable node: exit 1, the nodes before it are named as updated */
	char *missing = path_of("no-such-dir/sub/db");
	char *blocker = ts_write_file(env.dir, "no-such-dir", "a file where a directory should be");
	const char *margs[] = {env.fixture, "--", dba, missing, NULL};
	cr_assert_eq(sync_run(&out, margs), 1, "%s", out);
	cr_assert(strstr(out, "import failed on") && strstr(out, "already updated"), "%s", out);
	free(out);
	free(blocker);
	free(missing);
	free(bad);
	free(before);
	free(dba);
	free(dbb);
}

/*
 * deploy/multinode/lisd-node.yaml with its /etc and /var paths moved into a
 * temp dir (and a key, a certificate there) passes `lisd --test`: the
 * shipped example stays a valid configuration as the keys evolve.
 */
Test(multinode, the_shipped_node_config_is_valid)
{
	char src[4096];
	snprintf(src, sizeof src, "%s/deploy/multinode/lisd-node.yaml", ts_source_dir());
	char *text = ts_read_file(src, NULL);
	cr_assert_not_null(text, "missing %s", src);

	char *tls = path_of("tls");
	cr_assert_eq(mkdir(tls, 0700), 0);
	ts_make_cert(tls, "ca", NULL);
	ts_make_cert(tls, "lis.example.com", "ca");
	char *var = path_of("var");
	const char *sub[] = {"", "/log", "/log/openlis", "/lib", "/lib/openlis"};
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		char d[4200];
		snprintf(d, sizeof d, "%s%s", var, sub[i]);
		cr_assert_eq(mkdir(d, 0700), 0, "%s", d);
	}

	/* rewrite the absolute paths; drop comments and `user:` (the test is not root) */
	char *cfg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&cfg, &len);
	cr_assert_not_null(f);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "user:", 5) == 0 || line[strspn(line, " ")] == '#')
			continue;
		for (const char *p = line; *p;) {
			if (strncmp(p, "/etc/openlis/tls/lis.example.com.crt", 36) == 0) {
				fprintf(f, "%s/lis.example.com.pem", tls);
				p += 36;
			} else if (strncmp(p, "/etc/openlis/tls/", 17) == 0) {
				fprintf(f, "%s/", tls);
				p += 17;
			} else if (strncmp(p, "/etc/openlis/token.key", 22) == 0) {
				fputs(env.key, f);
				p += 22;
			} else if (strncmp(p, "/var/", 5) == 0) {
				fprintf(f, "%s/", var);
				p += 5;
			} else {
				fputc(*p++, f);
			}
		}
		fputc('\n', f);
	}
	fclose(f);
	cr_assert(strstr(cfg, "/etc/") == NULL, "a path was left:\n%s", cfg);
	char *path = ts_write_file(env.dir, "lisd-node.yaml", cfg);
	char *out = NULL, *err = NULL;
	int st = ts_run_tool("lisd", &out, &err, "--config", path, "--test", NULL);
	cr_assert_eq(st, 0, "lisd --test on the shipped node config:\n%s%s\n%s", out, err, cfg);
	free(out);
	free(err);
	free(path);
	free(cfg);
	free(text);
	free(tls);
	free(var);
}
