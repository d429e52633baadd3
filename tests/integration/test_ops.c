/*
 * Operating lisd: heldq end to end, reload on import and SIGHUP, SIGTERM,
 * HTTPS with a real certificate, config checks, an empty store.
 */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/integ.h"

TestSuite(ops, .timeout = 120);

static const char *const MOVED_YAML =
    "format: 1\n"
    "tenants:\n"
    "  - id: " TENANT_A "\n"
    "    name: Acme\n"
    "    buildings:\n"
    "      - id: hq\n"
    "        name: Acme HQ\n"
    "        address: {country: US, A1: CA, A3: San Jose}\n"
    "        locations:\n"
    "          - id: moved\n"
    "            name: Moved desk\n"
    "            address: {FLR: \"9\", ROOM: \"901\"}\n"
    "            network:\n"
    "              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n";

static bool wait_for_room(int port, const char *needle)
{
	char *xml = held_req(NULL, 0, LLDP("4", SW1, "5", GI107));
	bool ok = false;
	for (int i = 0; i < 100 && !ok; i++) {
		ts_http_resp_t r;
		post_held(port, "/held/" TENANT_A, xml, &r);
		ok = r.body && strstr(r.body, needle);
		ts_http_resp_free(&r);
		if (!ok)
			usleep(100000);
	}
	free(xml);
	return ok;
}

Test(ops, heldq_gets_a_location)
{
	char *db = fixture_db("two-tenants.yaml");
	ts_lisd_t l;
	ts_lisd_start(&l, db, NULL, NULL);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/held/%s", l.port, TENANT_A);
	const char *argv[] = {ts_bin("heldq"), url, "--chassis", "00-1b-21-3c-4d-00", "--port",
	                      "Gi1/0/7", NULL};
	char *out = NULL, *err = NULL;
	int rc = ts_run(argv, NULL, &out, &err);
	cr_assert_eq(rc, 0, "heldq exit %d: %s", rc, err);
	cr_assert(strstr(out, "ROOM>101<") != NULL, "%s", out);
	TS_ASSERT_VALID(out, strlen(out));
	free(out);
	free(err);
	const char *argv2[] = {ts_bin("heldq"), url, "--ip", "192.0.2.1", "--type", "civic", "--exact", NULL};
	rc = ts_run(argv2, NULL, &out, &err);
	cr_assert_eq(rc, 2, "a HELD error must exit 2, got %d", rc);
	cr_assert(strstr(out, "locationUnknown") != NULL);
	free(out);
	free(err);
	const char *argv3[] = {ts_bin("heldq"), url, "--bogus", NULL};
	rc = ts_run(argv3, NULL, &out, &err);
	cr_assert_eq(rc, 64);
	free(out);
	free(err);
	ts_lisd_stop(&l);
	ts_rmdb(db);
	free(db);
}

Test(ops, reloads_when_the_store_changes_and_on_sighup)
{
	char *db = fixture_db("two-tenants.yaml");
	ts_lisd_t l;
	ts_lisd_start(&l, db, NULL, NULL);
	cr_assert(wait_for_room(l.port, "ROOM>101<"));
	const char *replace[] = {"--replace", NULL};
	ts_import_yaml(db, MOVED_YAML, replace);
	cr_assert(wait_for_room(l.port, "ROOM>901<"), "lisd did not pick up the new import");
	kill(l.pid, SIGHUP);
	cr_assert(wait_for_room(l.port, "ROOM>901<"), "lisd stopped answering after SIGHUP");
	ts_http_resp_t r;
	cr_assert_eq(ts_http(l.port, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert(strstr(r.body, "reload") != NULL, "%s", r.body);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&l), 0, "SIGTERM must exit 0");
	ts_rmdb(db);
	free(db);
}

Test(ops, empty_store_is_unhealthy_then_serves_after_import)
{
	char *db = ts_mkdtemp();
	char *cfg = NULL;
	cr_assert(asprintf(&cfg, "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\ndb: %s\n", db) > 0);
	ts_lisd_t l;
	ts_lisd_start(&l, NULL, cfg, NULL);
	ts_http_resp_t r;
	cr_assert_eq(ts_http(l.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 503);
	ts_http_resp_free(&r);
	char *xml = held_req(NULL, 0, NULL);
	post_held(l.port, "/held", xml, &r);
	ASSERT_HELD_ERROR(&r, "generalLisError");
	ts_http_resp_free(&r);
	free(xml);
	ts_import_yaml(db, MOVED_YAML, NULL);
	cr_assert(wait_for_room(l.port, "ROOM>901<"));
	cr_assert_eq(ts_http(l.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	ts_http_resp_free(&r);
	ts_lisd_stop(&l);
	free(cfg);
	ts_rmdb(db);
	free(db);
}

Test(ops, https_listener_with_real_tls)
{
	char *dir = ts_mkdtemp();
	char key[4096], crt[4096];
	snprintf(key, sizeof key, "%s/key.pem", dir);
	snprintf(crt, sizeof crt, "%s/cert.pem", dir);
	const char *gen[] = {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
	                     "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1",
	                     "-addext", "subjectAltName=IP:127.0.0.1", NULL};
	cr_assert_eq(ts_run(gen, NULL, NULL, NULL), 0, "openssl req failed");
	chmod(key, 0600);
	char *db = fixture_db("two-tenants.yaml");
	int tls_port = ts_free_port();
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "  - {https: \"127.0.0.1:%d\", cert: %s, key: %s}\n"
	                   "db: %s\n",
	                   tls_port, crt, key, db) > 0);
	ts_lisd_t l;
	ts_lisd_start(&l, db, cfg, NULL);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/held/%s", tls_port, TENANT_A);
	const char *argv[] = {ts_bin("heldq"), url, "--cacert", crt, "--bssid", "00-11-22-33-44-55", NULL};
	char *out = NULL, *err = NULL;
	int rc = ts_run(argv, NULL, &out, &err);
	cr_assert_eq(rc, 0, "heldq over TLS: %d %s", rc, err);
	cr_assert(strstr(out, "FLR>2<") != NULL, "%s", out);
	free(out);
	free(err);
	/* TLS 1.1 is refused */
	char connect[64];
	snprintf(connect, sizeof connect, "127.0.0.1:%d", tls_port);
	const char *old[] = {"/usr/bin/openssl", "s_client", "-connect", connect, "-tls1_1", NULL};
	rc = ts_run(old, "", &out, &err);
	cr_assert_neq(rc, 0, "a TLS 1.1 handshake succeeded:\n%s", out);
	free(out);
	free(err);
	/* plain HTTP on the TLS port gets no HELD answer */
	ts_http_resp_t r;
	char *xml = held_req(NULL, 0, NULL);
	int hrc = ts_http(tls_port, "POST", "/held/" TENANT_A, HELD_CT, xml, strlen(xml), &r);
	cr_assert(hrc != 0 || r.status != 200);
	if (hrc == 0)
		ts_http_resp_free(&r);
	free(xml);
	ts_lisd_stop(&l);
	free(cfg);
	ts_rmdb(db);
	free(db);
	ts_rmtree(dir);
	free(dir);
}

Test(ops, config_test_reports_every_error_with_line_numbers)
{
	char *dir = ts_mkdtemp();
	char *good = ts_write_file(dir, "good.yaml",
	                           "listen:\n  - {http: \"127.0.0.1:8080\"}\ndb: /tmp/x\n"
	                           "limits: {max_body: 64k, request_timeout: 10s}\nworkers: 1\n");
	const char *argv[] = {ts_bin("lisd"), "--config", good, "--test", NULL};
	char *out = NULL, *err = NULL;
	int rc = ts_run(argv, NULL, &out, &err);
	cr_assert_eq(rc, 0, "%s%s", out, err);
	cr_assert(strstr(out, "configuration OK") != NULL, "%s", out);
	free(out);
	free(err);
	char *bad = ts_write_file(dir, "bad.yaml",
	                          "listen:\n  - {http: \"127.0.0.1:8080\"}\n"
	                          "db: /tmp/x\n"
	                          "workers: 0\n"
	                          "bogus: 1\n"
	                          "limits: {request_timeout: forever}\n");
	const char *argv2[] = {ts_bin("lisd"), "--config", bad, "--test", NULL};
	rc = ts_run(argv2, NULL, &out, &err);
	cr_assert_eq(rc, 78);
	char l4[4200], l5[4200], l6[4200];
	snprintf(l4, sizeof l4, "%s:4:", bad);
	snprintf(l5, sizeof l5, "%s:5:", bad);
	snprintf(l6, sizeof l6, "%s:6:", bad);
	cr_assert(strstr(err, l4) && strstr(err, l5) && strstr(err, l6), "errors:\n%s", err);
	free(out);
	free(err);
	const char *argv3[] = {ts_bin("lisd"), "--no-such-option", NULL};
	rc = ts_run(argv3, NULL, &out, &err);
	cr_assert_eq(rc, 64);
	free(out);
	free(err);
	free(good);
	free(bad);
	ts_rmtree(dir);
	free(dir);
}
