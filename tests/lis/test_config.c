/*
 * lisd.yaml: every key, defaults, durations, sizes, listener addresses, and
 * the "FILE:LINE: key: reason" errors (all of them in one run).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis.h"
#include "tests/support/testsupport.h"

static lis_config_t cfg;
static wm_diag_t *diag;

static void setup(void)
{
	lis_config_init(&cfg);
	diag = wm_diag_new();
}

static void teardown(void)
{
	lis_config_deinit(&cfg);
	wm_diag_free(diag);
}

TestSuite(config, .init = setup, .fini = teardown);

static int load(const char *text)
{
	return lis_config_load_string(&cfg, "lisd.yaml", text, strlen(text), diag);
}

/* True when some diagnostic equals `want` exactly. */
static bool has_diag(const char *want)
{
	for (size_t i = 0; i < wm_diag_count(diag); i++)
		if (strcmp(wm_diag_get(diag, i), want) == 0)
			return true;
	return false;
}

static bool has_diag_prefix(const char *want)
{
	for (size_t i = 0; i < wm_diag_count(diag); i++)
		if (strncmp(wm_diag_get(diag, i), want, strlen(want)) == 0)
			return true;
	return false;
}

static void dump(void)
{
	for (size_t i = 0; i < wm_diag_count(diag); i++)
		cr_log_info("%s", wm_diag_get(diag, i));
}

Test(config, defaults)
{
	cr_assert_eq(cfg.n_listen, 0);
	cr_assert_null(cfg.db);
	cr_assert_null(cfg.public_url);
	cr_assert_eq(cfg.token_lifetime_s, 1800);
	cr_assert_eq(cfg.max_body, 65536);
	cr_assert_eq(cfg.request_timeout_ms, 10000);
	cr_assert_eq(cfg.max_connections, 10000);
	cr_assert_eq(cfg.log_level, LIS_LOG_INFO);
	cr_assert_eq(cfg.log_format, LIS_LOG_TEXT);
	cr_assert_eq(cfg.workers, 1);
	cr_assert_eq(cfg.retention_s, 86400);
}

Test(config, every_key)
{
	int rc = load("# full example\n"
	              "listen:\n"
	              "  - http: 127.0.0.1:8080\n"
	              "  - http: \"[::1]:8081\"\n"
	              "  - https: 0.0.0.0:8443\n"
	              "    cert: /etc/openlis/lis.crt\n"
	              "    key: /etc/openlis/lis.key\n"
	              "    client_ca: /etc/openlis/ca.pem\n"
	              "db: /var/lib/openlis/db\n"
	              "public_url: https://lis.example.com:8443/\n"
	              "token:\n"
	              "  key_file: /etc/openlis/token.key\n"
	              "  lifetime: 2h\n"
	              "events:\n"
	              "  file: /var/log/openlis/events.jsonl\n"
	              "  webhook: https://alerts.example.com/hook\n"
	              "limits:\n"
	              "  max_body: 1M\n"
	              "  request_timeout: 90s\n"
	              "  max_connections: 500\n"
	              "log:\n"
	              "  level: debug\n"
	              "  format: json\n"
	              "workers: 4\n"
	              "retention: 30m\n");
	dump();
	cr_assert_eq(rc, 0);
	cr_assert_eq(wm_diag_count(diag), 0);
	cr_assert_eq(cfg.n_listen, 3);
	cr_assert_not(cfg.listen[0].tls);
	cr_assert_str_eq(cfg.listen[0].addr, "127.0.0.1:8080");
	cr_assert_eq(cfg.listen[0].sa.ss_family, AF_INET);
	cr_assert_eq(ntohs(((struct sockaddr_in *)&cfg.listen[0].sa)->sin_port), 8080);
	cr_assert_eq(cfg.listen[0].line, 3);
	cr_assert_eq(cfg.listen[1].sa.ss_family, AF_INET6);
	cr_assert_eq(ntohs(((struct sockaddr_in6 *)&cfg.listen[1].sa)->sin6_port), 8081);
	cr_assert(cfg.listen[2].tls);
	cr_assert_str_eq(cfg.listen[2].cert, "/etc/openlis/lis.crt");
	cr_assert_str_eq(cfg.listen[2].key, "/etc/openlis/lis.key");
	cr_assert_str_eq(cfg.listen[2].client_ca, "/etc/openlis/ca.pem");
	cr_assert_str_eq(cfg.db, "/var/lib/openlis/db");
	cr_assert_str_eq(cfg.public_url, "https://lis.example.com:8443/");
	cr_assert_str_eq(cfg.token_key_file, "/etc/openlis/token.key");
	cr_assert_eq(cfg.token_key_line, 12);
	cr_assert_eq(cfg.token_lifetime_s, 7200);
	cr_assert_str_eq(cfg.events_file, "/var/log/openlis/events.jsonl");
	cr_assert_str_eq(cfg.events_webhook, "https://alerts.example.com/hook");
	cr_assert_eq(cfg.max_body, 1 << 20);
	cr_assert_eq(cfg.request_timeout_ms, 90000);
	cr_assert_eq(cfg.max_connections, 500);
	cr_assert_eq(cfg.log_level, LIS_LOG_DEBUG);
	cr_assert_eq(cfg.log_format, LIS_LOG_JSON);
	cr_assert_eq(cfg.workers, 4);
	cr_assert_eq(cfg.retention_s, 1800);
}

Test(config, empty_file_keeps_defaults)
{
	cr_assert_eq(load(""), 0);
	cr_assert_eq(load("# only a comment\n"), 0);
	cr_assert_eq(cfg.max_body, 65536);
}

Test(config, durations)
{
	uint64_t ms;
	cr_assert_eq(lis_parse_duration_ms("90s", 3, &ms), 0);
	cr_assert_eq(ms, 90000);
	cr_assert_eq(lis_parse_duration_ms("30m", 3, &ms), 0);
	cr_assert_eq(ms, 1800000);
	cr_assert_eq(lis_parse_duration_ms("24h", 3, &ms), 0);
	cr_assert_eq(ms, 86400000);
	cr_assert_eq(lis_parse_duration_ms("500ms", 5, &ms), 0);
	cr_assert_eq(ms, 500);
	cr_assert_eq(lis_parse_duration_ms("2d", 2, &ms), 0);
	cr_assert_eq(ms, 172800000);
	const char *bad[] = {"10",  "",    "s",   "1.5h", "10x",
	                     "-5s", " 5s", "5 s", "5S",   "99999999999999999999s"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_neq(lis_parse_duration_ms(bad[i], strlen(bad[i]), &ms), 0, "%s", bad[i]);
}

Test(config, sizes)
{
	uint64_t b;
	struct {
		const char *s;
		uint64_t v;
	} ok[] = {{"65536", 65536},  {"64k", 65536},   {"64K", 65536}, {"1M", 1048576},
	          {"1MiB", 1048576}, {"1mb", 1048576}, {"512b", 512},  {"2G", 2147483648ull}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_assert_eq(lis_parse_size(ok[i].s, strlen(ok[i].s), &b), 0, "%s", ok[i].s);
		cr_assert_eq(b, ok[i].v, "%s", ok[i].s);
	}
	const char *bad[] = {"", "k", "64x", "1.5M", "-1", "64kk", "64 k", "1bB"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_neq(lis_parse_size(bad[i], strlen(bad[i]), &b), 0, "%s", bad[i]);
}

Test(config, hostport)
{
	struct sockaddr_storage sa;
	socklen_t len;
	cr_assert_eq(lis_parse_hostport("127.0.0.1:80", 12, &sa, &len), 0);
	cr_assert_eq(sa.ss_family, AF_INET);
	cr_assert_eq(lis_parse_hostport("[::1]:8080", 10, &sa, &len), 0);
	cr_assert_eq(sa.ss_family, AF_INET6);
	cr_assert_eq(lis_parse_hostport("[::]:8080", 9, &sa, &len), 0);
	cr_assert_eq(lis_parse_hostport("*:8080", 6, &sa, &len), 0);
	cr_assert_eq(sa.ss_family, AF_INET);
	const char *bad[] = {"127.0.0.1",      "127.0.0.1:", ":80",           "::1:80",
	                     "[::1]8080",      "[::1]:0",    "1.2.3.4:65536", "host.example:80",
	                     "[127.0.0.1]:80", "1.2.3.4:8x", "[]:80",         "1.2.3.4:-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_neq(lis_parse_hostport(bad[i], strlen(bad[i]), &sa, &len), 0, "%s",
		              bad[i]);
}

Test(config, url_host)
{
	char h[64];
	cr_assert_eq(lis_url_host("https://lis.example.com", h, sizeof h), 0);
	cr_assert_str_eq(h, "lis.example.com");
	cr_assert_eq(lis_url_host("http://lis.example.com:8080/x", h, sizeof h), 0);
	cr_assert_str_eq(h, "lis.example.com");
	cr_assert_eq(lis_url_host("https://[2001:db8::1]:8443/", h, sizeof h), 0);
	cr_assert_str_eq(h, "[2001:db8::1]");
	cr_assert_neq(lis_url_host("ftp://x", h, sizeof h), 0);
	cr_assert_neq(lis_url_host("https://", h, sizeof h), 0);
	cr_assert_neq(lis_url_host("https://user@host/", h, sizeof h), 0);
	cr_assert_neq(lis_url_host("https://host:port/", h, sizeof h), 0);
}

Test(config, bad_values_name_file_line_key)
{
	int rc = load("db: /tmp/db\n"                     /* 1 */
	              "workers: 0\n"                      /* 2 */
	              "retention: 10\n"                   /* 3 */
	              "limits:\n"                         /* 4 */
	              "  max_body: 64q\n"                 /* 5 */
	              "  request_timeout: forever\n"      /* 6 */
	              "  max_connections: -3\n"           /* 7 */
	              "log:\n"                            /* 8 */
	              "  level: loud\n"                   /* 9 */
	              "  format: xml\n"                   /* 10 */
	              "token:\n"                          /* 11 */
	              "  lifetime: 10m\n"                 /* 12 */
	              "public_url: lis.example.com\n"     /* 13 */
	              "events:\n"                         /* 14 */
	              "  webhook: mailto:x@example.com\n" /* 15 */
	              "workers: 2\n");                    /* 16 */
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag_prefix("lisd.yaml:2: workers: 0 is out of range"));
	cr_assert(has_diag_prefix("lisd.yaml:3: retention: \"10\" is not a duration"));
	cr_assert(has_diag_prefix("lisd.yaml:5: limits.max_body: \"64q\" is not a size"));
	cr_assert(
	    has_diag_prefix("lisd.yaml:6: limits.request_timeout: \"forever\" is not a duration"));
	cr_assert(has_diag_prefix("lisd.yaml:7: limits.max_connections: \"-3\" is not"));
	cr_assert(has_diag_prefix(
	    "lisd.yaml:9: log.level: \"loud\" is not one of debug, info, warn, error"));
	cr_assert(has_diag_prefix("lisd.yaml:10: log.format: \"xml\" is not one of text, json"));
	cr_assert(has_diag_prefix("lisd.yaml:12: token.lifetime: 10m is out of range: expected a "
	                          "duration between 30m and 24h"));
	cr_assert(has_diag_prefix("lisd.yaml:13: public_url: \"lis.example.com\" is not an http"));
	cr_assert(has_diag_prefix("lisd.yaml:15: events.webhook:"));
	cr_assert(has_diag("lisd.yaml:16: workers: duplicate key (first set on line 2)"));
	cr_assert_eq(wm_diag_count(diag), 11, "every error of the run is reported");
}

Test(config, ranges)
{
	cr_assert_eq(load("workers: 64\nlimits: {max_body: 16M, max_connections: 1}\n"
	                  "token: {lifetime: 24h}\nretention: 365d\n"),
	             0);
	dump();
	cr_assert_eq(cfg.workers, 64);
	cr_assert_eq(cfg.token_lifetime_s, 86400);
	cr_assert_neq(load("workers: 65\n"), 0);
	cr_assert_neq(load("limits: {max_body: 17M}\n"), 0);
	cr_assert_neq(load("limits: {max_body: 512}\n"), 0);
	cr_assert_neq(load("token: {lifetime: 25h}\n"), 0);
	cr_assert_neq(load("limits: {request_timeout: 50ms}\n"), 0);
	cr_assert_neq(load("limits: {max_connections: 0}\n"), 0);
}

Test(config, unknown_keys)
{
	int rc = load("db: /tmp/db\n"
	              "listen_on: 1.2.3.4:80\n"
	              "limits:\n"
	              "  max_bdy: 1k\n"
	              "log:\n"
	              "  colour: true\n");
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag_prefix("lisd.yaml:2: listen_on: unknown key (expected listen, db, "));
	cr_assert(has_diag("lisd.yaml:4: limits.max_bdy: unknown key (expected max_body, "
	                   "request_timeout or max_connections)"));
	cr_assert(has_diag("lisd.yaml:6: log.colour: unknown key (expected level or format)"));
	cr_assert_eq(wm_diag_count(diag), 3);
}

Test(config, wrong_shapes)
{
	int rc = load("limits: 5\n"
	              "workers: [1, 2]\n"
	              "listen: 127.0.0.1:80\n");
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag_prefix("lisd.yaml:1: limits: expected a mapping"));
	cr_assert(has_diag_prefix("lisd.yaml:2: workers: expected a single value"));
	cr_assert(has_diag_prefix("lisd.yaml:3: listen: expected a list"));
}

Test(config, listeners)
{
	int rc = load("listen:\n"
	              "  - http: 127.0.0.1:80\n"   /* 2 ok */
	              "  - https: 127.0.0.1:443\n" /* 3 no cert/key */
	              "  - http: localhost:80\n"   /* 4 not an address */
	              "  - http: 127.0.0.1:81\n"   /* 5 cert on http */
	              "    cert: /x\n"
	              "  - {http: 1.2.3.4:1, https: 1.2.3.4:2}\n" /* 7 both */
	              "  - {port: 80}\n"                          /* 8 unknown */
	              "  - {}\n");                                /* 9 neither */
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag(
	    "lisd.yaml:3: listen.https: an https listener needs cert: FILE and key: FILE"));
	cr_assert(has_diag_prefix("lisd.yaml:4: listen.http: \"localhost:80\" is not ADDR:PORT"));
	cr_assert(
	    has_diag("lisd.yaml:6: listen: cert, key and client_ca belong to https listeners"));
	cr_assert(has_diag_prefix("lisd.yaml:7: listen: an entry has one of http or https"));
	cr_assert(has_diag_prefix("lisd.yaml:8: listen: unknown key \"port\""));
	cr_assert(has_diag_prefix("lisd.yaml:9: listen: entry has neither http nor https"));
	cr_assert_eq(cfg.n_listen, 1);
}

Test(config, yaml_syntax_error_has_line)
{
	int rc = load("db: /tmp/db\nlimits:\n  max_body: [1k\n");
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert_eq(wm_diag_count(diag), 1);
	cr_assert(has_diag_prefix("lisd.yaml:"), "%s", wm_diag_get(diag, 0));
}

Test(config, command_line_listen_and_db)
{
	cr_assert_eq(lis_config_add_listen(&cfg, "127.0.0.1:8080", diag), 0);
	cr_assert_eq(lis_config_add_listen(&cfg, "[::1]:8080", diag), 0);
	cr_assert_eq(lis_config_add_listen(&cfg, "8080", diag), LIS_ECONFIG);
	cr_assert(has_diag_prefix("--listen: \"8080\" is not ADDR:PORT"));
	lis_config_set_db(&cfg, "/tmp/x");
	cr_assert_eq(cfg.n_listen, 2);
	lis_config_clear_listen(&cfg);
	cr_assert_eq(cfg.n_listen, 0);
}

Test(config, check_needs_db_and_listener)
{
	cr_assert_eq(lis_config_check(&cfg, diag), LIS_ECONFIG);
	cr_assert_eq(wm_diag_count(diag), 2);
	cr_assert(has_diag_prefix("(command line): db: no wiremap database"));
	cr_assert(has_diag_prefix("(command line): listen: no listener"));
}

Test(config, check_files)
{
	char *dir = ts_mkdtemp();
	char *cert = ts_write_file(dir, "lis.crt", "not really a cert\n");
	char *key = ts_write_file(dir, "lis.key", "not really a key\n");
	char *tok = ts_write_file(dir, "token.key", "short");
	char *text = NULL;
	chmod(key, 0644);
	chmod(tok, 0600);
	cr_assert(asprintf(&text,
	                   "db: %s\n"
	                   "listen:\n"
	                   "  - https: 127.0.0.1:8443\n"
	                   "    cert: %s\n"
	                   "    key: %s\n"
	                   "    client_ca: %s/missing-ca.pem\n"
	                   "token:\n"
	                   "  key_file: %s\n",
	                   dir, cert, key, dir, tok) > 0);
	cr_assert_eq(load(text), 0);
	cr_assert_eq(lis_config_check(&cfg, diag), LIS_ECONFIG);
	dump();
	cr_assert_eq(wm_diag_count(diag), 3);
	char want[4096];
	snprintf(want, sizeof want,
	         "lisd.yaml:3: listen.key: %s is accessible by group/others (mode 0644); run "
	         "chmod 600 %s",
	         key, key);
	cr_assert(has_diag(want));
	snprintf(want, sizeof want, "lisd.yaml:3: listen.client_ca: cannot read %s/missing-ca.pem",
	         dir);
	cr_assert(has_diag_prefix(want));
	snprintf(want, sizeof want, "lisd.yaml:8: token.key_file: %s holds 5 bytes", tok);
	cr_assert(has_diag_prefix(want));

	/* Fixed: owner-only key, 32-byte token key, no client CA. */
	wm_diag_free(diag);
	diag = wm_diag_new();
	chmod(key, 0600);
	free(ts_write_file(dir, "token.key", "0123456789abcdef0123456789abcdef"));
	free(cfg.listen[0].client_ca);
	cfg.listen[0].client_ca = NULL;
	cr_assert_eq(lis_config_check(&cfg, diag), 0);
	dump();
	free(text);
	free(cert);
	free(key);
	free(tok);
	ts_rmtree(dir);
	free(dir);
}

Test(config, load_file_names_it)
{
	char *dir = ts_mkdtemp();
	char *path = ts_write_file(dir, "lisd.yaml", "db: /tmp/x\nworkers: many\n");
	cr_assert_eq(lis_config_load(&cfg, path, diag), LIS_ECONFIG);
	char want[4096];
	snprintf(want, sizeof want, "%s:2: workers: \"many\" is not", path);
	cr_assert(has_diag_prefix(want));
	cr_assert_str_eq(cfg.file, path);

	wm_diag_free(diag);
	diag = wm_diag_new();
	snprintf(want, sizeof want, "%s/nope.yaml", dir);
	cr_assert_eq(lis_config_load(&cfg, want, diag), LIS_ECONFIG);
	cr_assert_eq(wm_diag_count(diag), 1);
	free(path);
	ts_rmtree(dir);
	free(dir);
}

Test(config, explicit_null_unsets)
{
	cr_assert_eq(load("public_url: https://a.example\n"), 0);
	cr_assert_eq(load("public_url: ~\ntoken:\n"), 0);
	cr_assert_null(cfg.public_url);
}

/* ---------------- issue 3: events keys and tenants ----------------------- */

Test(config, events_defaults_and_keys)
{
	cr_assert_null(cfg.events_outbox);
	cr_assert_eq(cfg.events_dedup_s, 600);
	cr_assert_eq(cfg.events_outbox_max, 100000);
	cr_assert_eq(cfg.events_retry_max_s, 300);
	cr_assert_eq(cfg.n_tenants, 0);
	lis_config_set_db(&cfg, "/var/lib/openlis/db/");
	lis_config_finish(&cfg);
	cr_assert_str_eq(cfg.events_outbox, "/var/lib/openlis/db-events");

	int rc = load("events:\n"
	              "  outbox: /var/spool/openlis\n"
	              "  dedup_window: 30s\n"
	              "  outbox_max: 5000\n"
	              "  retry_max: 1h\n");
	dump();
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(cfg.events_outbox, "/var/spool/openlis");
	cr_assert_eq(cfg.events_dedup_s, 30);
	cr_assert_eq(cfg.events_outbox_max, 5000);
	cr_assert_eq(cfg.events_retry_max_s, 3600);
	lis_config_finish(&cfg); /* an explicit outbox stays */
	cr_assert_str_eq(cfg.events_outbox, "/var/spool/openlis");
}

Test(config, events_ranges)
{
	int rc = load("events:\n"
	              "  dedup_window: 2d\n"
	              "  outbox_max: 5\n"
	              "  retry_max: soon\n"
	              "  sink: x\n");
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag_prefix("lisd.yaml:2: events.dedup_window: 2d is out of range"));
	cr_assert(has_diag_prefix("lisd.yaml:3: events.outbox_max: 5 is out of range"));
	cr_assert(has_diag_prefix("lisd.yaml:4: events.retry_max: \"soon\" is not a duration"));
	cr_assert(
	    has_diag_prefix("lisd.yaml:5: events.sink: unknown key (expected file, webhook, "));
}

Test(config, tenants_full_and_defaults)
{
	int rc = load("tenants:\n"
	              "  - id: acme\n"
	              "    deref:\n"
	              "      auth: bearer\n"
	              "      secret_file: /etc/openlis/acme.secret\n"
	              "    emergency_numbers: [911, \"112\"]\n"
	              "    test_numbers: [933]\n"
	              "    webhook: https://alerts.acme.example/lis\n"
	              "    buildings:\n"
	              "      hq: https://security.acme.example/hq\n"
	              "      annex: http://10.0.0.5/annex\n"
	              "  - id: globex\n"
	              "    deref: {auth: mtls, client_ca: /etc/openlis/globex-ca.pem}\n"
	              "  - id: initech\n");
	dump();
	cr_assert_eq(rc, 0);
	cr_assert_eq(cfg.n_tenants, 3);
	const lis_tenant_cfg_t *a = lis_config_tenant(&cfg, "acme");
	cr_assert_not_null(a);
	cr_assert_eq(a->line, 2);
	cr_assert_eq(a->deref_auth, LIS_DEREF_BEARER);
	cr_assert_str_eq(a->secret_file, "/etc/openlis/acme.secret");
	cr_assert_eq(a->n_emergency, 2);
	cr_assert_str_eq(a->emergency[0], "911");
	cr_assert_str_eq(a->emergency[1], "112");
	cr_assert_eq(a->n_test, 1);
	cr_assert_str_eq(a->test[0], "933");
	cr_assert_str_eq(a->webhook, "https://alerts.acme.example/lis");
	cr_assert_eq(a->n_building_hooks, 2);
	cr_assert_str_eq(a->building_hooks[0].building, "hq");
	cr_assert_str_eq(a->building_hooks[1].url, "http://10.0.0.5/annex");
	const lis_tenant_cfg_t *g = lis_config_tenant(&cfg, "globex");
	cr_assert_eq(g->deref_auth, LIS_DEREF_MTLS);
	cr_assert_str_eq(g->client_ca, "/etc/openlis/globex-ca.pem");
	const lis_tenant_cfg_t *i = lis_config_tenant(&cfg, "initech");
	cr_assert_eq(i->deref_auth, LIS_DEREF_POSSESSION);
	cr_assert_eq(i->n_emergency, 1);
	cr_assert_str_eq(i->emergency[0], "911");
	cr_assert_eq(i->n_test, 1);
	cr_assert_str_eq(i->test[0], "933");
	cr_assert_null(i->webhook);
	cr_assert_null(lis_config_tenant(&cfg, "umbrella"));
	cr_assert_null(lis_config_tenant(&cfg, NULL));
}

Test(config, tenants_errors_name_file_line_key)
{
	int rc = load("tenants:\n"
	              "  - deref: {auth: bearer}\n"          /* 2: no id, no secret */
	              "  - id: b\n"                          /* 3 */
	              "    deref: {auth: mtls}\n"            /* 4 */
	              "  - id: c\n"                          /* 5 */
	              "    deref: {auth: kerberos}\n"        /* 6 */
	              "    emergency_numbers: [\"9-1-1\"]\n" /* 7 */
	              "    colour: blue\n"                   /* 8 */
	              "  - id: d\n"                          /* 9 */
	              "    webhook: ftp://x\n"               /* 10 */
	              "    test_numbers: [911]\n"            /* 11: also emergency */
	              "  - id: b\n"                          /* 12: duplicate */
	              "  - id: e\n"                          /* 13 */
	              "    deref: {secret_file: /x}\n"       /* 14: secret without bearer */
	              "  - id: f\n"                          /* 15 */
	              "  - id: f\n");                        /* 16: duplicate */
	dump();
	cr_assert_eq(rc, LIS_ECONFIG);
	cr_assert(has_diag_prefix("lisd.yaml:2: tenants.id: each tenant needs id"));
	cr_assert(has_diag_prefix("lisd.yaml:2: tenants.deref: auth: bearer needs secret_file"));
	cr_assert(has_diag_prefix("lisd.yaml:3: tenants.deref: auth: mtls needs client_ca"));
	cr_assert(has_diag_prefix("lisd.yaml:6: tenants.deref.auth: \"kerberos\" is not one of "
	                          "possession, bearer, mtls"));
	cr_assert(
	    has_diag_prefix("lisd.yaml:7: tenants.emergency_numbers: expected a dialled number"));
	cr_assert(
	    has_diag_prefix("lisd.yaml:8: tenants.colour: unknown key (expected id, deref, "));
	cr_assert(has_diag_prefix("lisd.yaml:10: tenants.webhook: \"ftp://x\" is not"));
	cr_assert(
	    has_diag_prefix("lisd.yaml:11: tenants.test_numbers: \"911\" is also an emergency"));
	cr_assert(
	    has_diag("lisd.yaml:16: tenants.id: tenant \"f\" is listed twice (first on line 15)"));
	cr_assert(has_diag_prefix(
	    "lisd.yaml:13: tenants.deref.secret_file: is used only with auth: bearer"));
	cr_assert(has_diag_prefix("lisd.yaml:3: tenants.deref: auth: mtls"));
}

Test(config, tenant_files_checked)
{
	char *dir = ts_mkdtemp();
	char *sec = ts_write_file(dir, "acme.secret", "0123456789abcdef0123456789abcdef\n");
	char *shortsec = ts_write_file(dir, "short.secret", "abc\n");
	char *ca = ts_write_file(dir, "ca.pem", "-----BEGIN CERTIFICATE-----\n");
	char *text = NULL;
	chmod(sec, 0644);
	chmod(shortsec, 0600);
	cr_assert(asprintf(&text,
	                   "db: %s\n"
	                   "listen: [{http: 127.0.0.1:8080}]\n"
	                   "tenants:\n"
	                   "  - id: a\n"
	                   "    deref: {auth: bearer, secret_file: %s}\n"
	                   "  - id: b\n"
	                   "    deref: {auth: bearer, secret_file: %s}\n"
	                   "  - id: c\n"
	                   "    deref: {auth: mtls, client_ca: %s}\n",
	                   dir, sec, shortsec, ca) > 0);
	cr_assert_eq(load(text), 0);
	dump();
	cr_assert_eq(lis_config_check(&cfg, diag), LIS_ECONFIG);
	dump();
	char want[4096];
	snprintf(want, sizeof want,
	         "lisd.yaml:4: tenants.deref.secret_file: %s is accessible by group/others", sec);
	cr_assert(has_diag_prefix(want));
	snprintf(want, sizeof want, "lisd.yaml:6: tenants.deref.secret_file: %s holds 4 bytes",
	         shortsec);
	cr_assert(has_diag_prefix(want));
	cr_assert(has_diag("lisd.yaml:8: tenants.deref.auth: tenant c uses mtls but no https "
	                   "listener is configured"));
	cr_assert_eq(wm_diag_count(diag), 3);
	free(text);
	free(sec);
	free(shortsec);
	free(ca);
	ts_rmtree(dir);
	free(dir);
}

/* user/group (issue #5): names checked against the system at load time. */
Test(config, user_and_group)
{
	cr_assert_null(cfg.user);
	cr_assert_null(cfg.group);
	cr_assert_eq(load("user: root\ngroup: root\n"), 0);
	dump();
	cr_assert_str_eq(cfg.user, "root");
	cr_assert_str_eq(cfg.group, "root");
	cr_assert_neq(load("user: no-such-user-openlis\n"), 0);
	cr_assert(has_diag(
	    "lisd.yaml:1: user: no such user \"no-such-user-openlis\" on this system; create it "
	    "or fix the name"));
	cr_assert_neq(load("\ngroup: no-such-group-openlis\nuser: [a, b]\n"), 0);
	dump();
	cr_assert(has_diag_prefix("lisd.yaml:2: group: no such group \"no-such-group-openlis\""));
	cr_assert(has_diag_prefix("lisd.yaml:3: user: expected a single value"));
}
