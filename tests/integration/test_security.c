/*
 * Security of the service (issue #5) against the real lisd: TLS versions
 * and suites checked with `openssl s_client`, private key and secret file
 * permissions, the privilege drop after binding, and secrets that never
 * reach the log or /metrics.
 */
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lis/lis.h"
#include "tests/integration/integ.h"

#define SECRET_B "globex-bearer-secret-0123456789"

static char *db, *dir;

static void setup(void)
{
	db = fixture_db("two-tenants.yaml");
	dir = ts_mkdtemp();
}

static void teardown(void)
{
	ts_rmdb(db);
	ts_rmtree(dir);
	free(db);
	free(dir);
}

TestSuite(security, .init = setup, .fini = teardown, .timeout = 120);

static const char *REQ = "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">" LLDP(
    "4", SW1, "5", GI107) "</locationRequest>";

static void assert_serving(int port)
{
	ts_http_resp_t r;
	post_held(port, "/held/" TENANT_A, REQ, &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	ts_http_resp_free(&r);
}

/* A self-signed RSA certificate for 127.0.0.1 in dir: cert.pem, key.pem (0600). */
static void make_cert(char *crt, char *key, size_t len)
{
	snprintf(key, len, "%s/key.pem", dir);
	snprintf(crt, len, "%s/cert.pem", dir);
	const char *gen[] = {"/usr/bin/env",
	                     "openssl",
	                     "req",
	                     "-x509",
	                     "-newkey",
	                     "rsa:2048",
	                     "-nodes",
	                     "-keyout",
	                     key,
	                     "-out",
	                     crt,
	                     "-days",
	                     "2",
	                     "-subj",
	                     "/CN=127.0.0.1",
	                     "-addext",
	                     "subjectAltName=IP:127.0.0.1",
	                     NULL};
	char *err = NULL;
	int rc = ts_run(gen, NULL, NULL, &err);
	cr_assert_eq(rc, 0, "openssl req failed: %s", err ? err : "");
	free(err);
	chmod(key, 0600);
}

/* openssl s_client with extra args; returns its exit status, output in *text. */
static int s_client(int port, const char *const *args, char **text)
{
	char connect[64];
	const char *argv[24];
	int ac = 0;
	snprintf(connect, sizeof connect, "127.0.0.1:%d", port);
	argv[ac++] = "/usr/bin/env";
	argv[ac++] = "openssl";
	argv[ac++] = "s_client";
	argv[ac++] = "-connect";
	argv[ac++] = connect;
	argv[ac++] = "-servername";
	argv[ac++] = "localhost";
	for (int i = 0; args[i] && ac < 22; i++)
		argv[ac++] = args[i];
	argv[ac] = NULL;
	char *out = NULL, *err = NULL;
	int rc = ts_run(argv, "", &out, &err);
	cr_assert(asprintf(text, "%s\n%s", out ? out : "", err ? err : "") > 0);
	free(out);
	free(err);
	return rc;
}

/* A handshake completed: s_client printed a negotiated cipher. */
static bool handshake_ok(const char *text)
{
	return strstr(text, "Cipher is (NONE)") == NULL && strstr(text, ", Cipher is ") != NULL;
}

Test(security, tls_versions_and_suites_with_openssl_s_client)
{
	char crt[4096], key[4096];
	make_cert(crt, key, sizeof crt);
	int tport = ts_free_port();
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "  - {https: \"127.0.0.1:%d\", cert: %s, key: %s}\n"
	                   "db: %s\nevents: {outbox: %s/outbox}\n",
	                   tport, crt, key, db, dir) > 0);
	ts_lisd_t l;
	ts_lisd_start(&l, db, cfg, NULL);
	char *t = NULL;

	/* accepted: TLS 1.3 and TLS 1.2 with an ECDHE AEAD suite */
	const char *v13[] = {"-tls1_3", NULL};
	cr_assert_eq(s_client(tport, v13, &t), 0, "TLS 1.3 refused:\n%s", t);
	cr_assert(handshake_ok(t) && strstr(t, "TLSv1.3"), "no TLS 1.3 session:\n%s", t);
	free(t);
	const char *v12[] = {"-tls1_2", NULL};
	cr_assert_eq(s_client(tport, v12, &t), 0, "TLS 1.2 refused:\n%s", t);
	cr_assert(handshake_ok(t) && strstr(t, "TLSv1.2"), "no TLS 1.2 session:\n%s", t);
	cr_assert(strstr(t, "ECDHE-RSA-AES") || strstr(t, "ECDHE-RSA-CHACHA20"),
	          "TLS 1.2 negotiated a suite other than ECDHE+AEAD:\n%s", t);
	free(t);

	/* refused: TLS 1.1 and 1.0 (the client is allowed to offer them) */
	const char *v11[] = {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", NULL};
	cr_assert_neq(s_client(tport, v11, &t), 0, "a TLS 1.1 handshake succeeded:\n%s", t);
	cr_assert(!handshake_ok(t), "%s", t);
	free(t);
	const char *v10[] = {"-tls1", "-cipher", "DEFAULT:@SECLEVEL=0", NULL};
	cr_assert_neq(s_client(tport, v10, &t), 0, "a TLS 1.0 handshake succeeded:\n%s", t);
	free(t);

	/* refused: weak or non-forward-secret TLS 1.2 suites, each offered alone */
	const char *weak[] = {"DES-CBC3-SHA",         "RC4-SHA",
	                      "AES128-SHA",           "AES256-GCM-SHA384",
	                      "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA",
	                      "ECDHE-RSA-NULL-SHA",   "EXP-RC4-MD5"};
	int offered = 0;
	for (size_t i = 0; i < sizeof weak / sizeof *weak; i++) {
		char list[128];
		snprintf(list, sizeof list, "%s:@SECLEVEL=0", weak[i]);
		/* only suites this openssl can still offer prove anything */
		const char *probe[] = {"/usr/bin/env", "openssl", "ciphers", list, NULL};
		if (ts_run(probe, NULL, NULL, NULL) != 0)
			continue;
		offered++;
		const char *a[] = {"-tls1_2", "-cipher", list, NULL};
		int rc = s_client(tport, a, &t);
		cr_assert(rc != 0 && !handshake_ok(t), "weak suite %s accepted:\n%s", weak[i], t);
		cr_assert(strstr(t, "alert") || strstr(t, "handshake failure"),
		          "%s: not refused by the server:\n%s", weak[i], t);
		free(t);
	}
	cr_assert_geq(offered, 4, "the local openssl offers too few weak suites to test");
	/* the control: the same client settings with a strong suite work */
	const char *strong[] = {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
	                        NULL};
	cr_assert_eq(s_client(tport, strong, &t), 0, "strong suite refused:\n%s", t);
	cr_assert(handshake_ok(t), "%s", t);
	free(t);
	assert_serving(l.port);
	ts_lisd_stop(&l);
	free(cfg);
}

/* lisd --test and lisd itself refuse group/world-readable private files (exit 78). */
Test(security, readable_private_keys_are_refused)
{
	char crt[4096], key[4096];
	make_cert(crt, key, sizeof crt);
	char tok[4200];
	snprintf(tok, sizeof tok, "%s/token.key", dir);
	int fd = open(tok, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0 && write(fd, "0123456789abcdef0123456789abcdef0123", 36) == 36);
	close(fd);
	char *sec = ts_write_file(dir, "b.secret", SECRET_B "\n");
	chmod(sec, 0600);
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - {http: \"127.0.0.1:%d\"}\n"
	                   "  - {https: \"127.0.0.1:%d\", cert: %s, key: %s}\n"
	                   "db: %s\nevents: {outbox: %s/outbox}\n"
	                   "token: {key_file: %s}\n"
	                   "tenants:\n  - id: " TENANT_B "\n"
	                   "    deref: {auth: bearer, secret_file: %s}\n",
	                   ts_free_port(), ts_free_port(), crt, key, db, dir, tok, sec) > 0);
	char *path = ts_write_file(dir, "lisd.yaml", cfg);
	const char *check[] = {ts_bin("lisd"), "--config", path, "--test", NULL};
	const char *run[] = {ts_bin("lisd"), "--config", path, NULL};
	char *out = NULL, *err = NULL;
	cr_assert_eq(ts_run(check, NULL, &out, &err), 0, "the 0600 files must pass: %s", err);
	free(out);
	free(err);
	const char *files[] = {key, tok, sec};
	const char *keys[] = {"listen.key", "token.key_file", "tenants.deref.secret_file"};
	const mode_t modes[] = {0640, 0604, 0644};
	for (size_t i = 0; i < 3; i++) {
		for (size_t m = 0; m < 3; m++) {
			chmod(files[i], modes[m]);
			for (int mode = 0; mode < 2; mode++) {
				int rc = ts_run(mode ? run : check, NULL, &out, &err);
				cr_assert_eq(rc, 78, "%s mode %04o: lisd%s exit %d\n%s", keys[i],
				             (unsigned)modes[m], mode ? "" : " --test", rc, err);
				cr_assert(strstr(err, keys[i]) && strstr(err, "group/others") &&
				              strstr(err, "chmod 600") && strstr(err, files[i]),
				          "unclear message for %s: %s", keys[i], err);
				char line[4300];
				snprintf(line, sizeof line, "%s:", path);
				cr_assert(strstr(err, line), "no FILE:LINE in: %s", err);
				free(out);
				free(err);
			}
		}
		chmod(files[i], 0600);
	}
	free(cfg);
	free(path);
	free(sec);
}

/* /proc/PID/status "Name:\tA\tB..." -> A (the real id); -1 when absent. */
static long status_field(int pid, const char *name, char *rest, size_t restlen)
{
	char path[64], line[512];
	long v = -1;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = strlen(name);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			if (rest)
				snprintf(rest, restlen, "%s", line + n + 1);
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

Test(security, drops_privileges_after_binding)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to test the privilege drop");
	const struct passwd *pw = getpwnam("nobody");
	if (!pw)
		cr_skip_test("no user nobody on this system");
	uid_t uid = pw->pw_uid;
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "db: %s\nevents: {outbox: %s/outbox}\n"
	                   "user: nobody\n",
	                   db, dir) > 0);
	ts_lisd_t l;
	ts_lisd_start(&l, db, cfg, NULL);
	char uids[256], gids[256], groups[256] = "";
	status_field(l.pid, "Uid", uids, sizeof uids);
	status_field(l.pid, "Gid", gids, sizeof gids);
	status_field(l.pid, "Groups", groups, sizeof groups);
	unsigned r, e, s, fs;
	cr_assert_eq(sscanf(uids, "%u %u %u %u", &r, &e, &s, &fs), 4, "%s", uids);
	cr_assert(r == uid && e == uid && s == uid && fs == uid,
	          "lisd still holds another uid: Uid:%s (nobody is %u)", uids, (unsigned)uid);
	cr_assert_eq(sscanf(gids, "%u %u %u %u", &r, &e, &s, &fs), 4, "%s", gids);
	cr_assert(r == pw->pw_gid && e == pw->pw_gid && s == pw->pw_gid, "lisd kept gid: Gid:%s",
	          gids);
	cr_assert(strspn(groups, " \t\n") == strlen(groups), "supplementary groups kept: Groups:%s",
	          groups);
	/* it still serves, also after an index rebuild (SIGHUP) */
	assert_serving(l.port);
	kill(l.pid, SIGHUP);
	usleep(300000);
	assert_serving(l.port);
	char *log = ts_read_file(l.log, NULL);
	cr_assert(log && strstr(log, "running as user nobody"), "%s", log);
	free(log);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(cfg);
}

Test(security, unknown_user_is_a_config_error_with_file_and_line)
{
	char *path = ts_write_file(dir, "lisd.yaml",
	                           "listen:\n  - {http: \"127.0.0.1:8080\"}\n"
	                           "db: /tmp/x\n"
	                           "user: no-such-user-openlis\n"
	                           "group: no-such-group-openlis\n");
	const char *argv[] = {ts_bin("lisd"), "--config", path, "--test", NULL};
	char *out = NULL, *err = NULL;
	cr_assert_eq(ts_run(argv, NULL, &out, &err), 78, "%s", err);
	char l4[4200], l5[4200];
	snprintf(l4, sizeof l4, "%s:4: user: no such user \"no-such-user-openlis\"", path);
	snprintf(l5, sizeof l5, "%s:5: group: no such group \"no-such-group-openlis\"", path);
	cr_assert(strstr(err, l4) && strstr(err, l5), "errors:\n%s", err);
	free(out);
	free(err);
	free(path);
}

/* ---------------- secrets stay out of logs and metrics -------------------- */

static bool contains(const char *hay, size_t len, const void *needle, size_t nlen)
{
	return hay && nlen && memmem(hay, len, needle, nlen) != NULL;
}

static void hex(const unsigned char *p, size_t n, char *out, bool upper)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, upper ? "%02X" : "%02x", p[i]);
}

Test(security, secrets_never_in_logs_or_metrics)
{
	unsigned char k[32];
	int r = open("/dev/urandom", O_RDONLY);
	cr_assert(r >= 0 && read(r, k, sizeof k) == (ssize_t)sizeof k);
	close(r);
	char keyfile[4200];
	snprintf(keyfile, sizeof keyfile, "%s/token.key", dir);
	int fd = open(keyfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0 && write(fd, k, sizeof k) == (ssize_t)sizeof k);
	close(fd);
	char *sec = ts_write_file(dir, "b.secret", SECRET_B "\n");
	chmod(sec, 0600);
	char *cfg = NULL;
	cr_assert(asprintf(&cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "db: %s\npublic_url: http://127.0.0.1:@PORT@\n"
	                   "token: {key_file: %s}\n"
	                   "events: {file: %s/events.jsonl, outbox: %s/outbox}\n"
	                   "log: {level: debug}\n"
	                   "tenants:\n  - id: " TENANT_B "\n"
	                   "    deref: {auth: bearer, secret_file: %s}\n",
	                   db, keyfile, dir, dir, sec) > 0);
	ts_lisd_t l;
	ts_lisd_start(&l, db, cfg, NULL);

	/* a location URI of the bearer tenant, dereferenced with the secret */
	ts_http_resp_t resp;
	char *x = held_req("any", 0, LLDP("4", SW1, "5", GI107));
	post_held(l.port, "/held/" TENANT_B, x, &resp);
	free(x);
	const char *p = strstr(resp.body, "/loc/");
	cr_assert_not_null(p, "no URI:\n%s", resp.body);
	char *token = strndup(p + 5, strcspn(p + 5, "<"));
	ts_http_resp_free(&resp);
	char path[1024];
	snprintf(path, sizeof path, "/loc/%s", token);
	cr_assert_eq(
	    ts_http(l.port, "GET", path, "Authorization: Bearer " SECRET_B "\r\n", NULL, 0, &resp),
	    0);
	cr_assert_eq(resp.status, 200, "deref with the secret: %d %s", resp.status, resp.body);
	ts_http_resp_free(&resp);
	char dialed[1200];
	snprintf(dialed, sizeof dialed, "%s?dialed=911&caller=tel:+14085550100", path);
	cr_assert_eq(ts_http(l.port, "GET", dialed, "Authorization: Bearer " SECRET_B "\r\n", NULL,
	                     0, &resp),
	             0);
	ts_http_resp_free(&resp);
	/* a wrong secret, and the secret against a garbled token */
	cr_assert_eq(ts_http(l.port, "GET", path, "Authorization: Bearer not-" SECRET_B "\r\n",
	                     NULL, 0, &resp),
	             0);
	cr_assert_neq(resp.status, 200);
	ts_http_resp_free(&resp);
	path[strlen(path) - 3] = 0;
	cr_assert_eq(ts_http(l.port, "POST", path, "Authorization: Bearer " SECRET_B "\r\n" HELD_CT,
	                     REQ, strlen(REQ), &resp),
	             0);
	ts_http_resp_free(&resp);

	cr_assert_eq(ts_http(l.port, "GET", "/metrics", NULL, NULL, 0, &resp), 0);
	cr_assert_eq(resp.status, 200);
	size_t loglen = 0;
	char *log = ts_read_file(l.log, &loglen);
	cr_assert_not_null(log);
	cr_assert(strstr(log, "/loc/{sha256:"), "dereferences not logged at all?\n%s", log);
	char khex[65], kHEX[65];
	hex(k, sizeof k, khex, false);
	hex(k, sizeof k, kHEX, true);
	struct {
		const char *what;
		const void *p;
		size_t n;
	} needles[] = {
	    {"bearer secret", SECRET_B, strlen(SECRET_B)},
	    {"bearer secret (first half)", SECRET_B, 16},
	    {"token key (raw)", k, sizeof k},
	    {"token key (raw, first 8 bytes)", k, 8},
	    {"token key (hex)", khex, 64},
	    {"token key (HEX)", kHEX, 64},
	    {"token key (hex, first 8 bytes)", khex, 16},
	    {"token", token, strlen(token)},
	    {"token (first 24 characters)", token, 24},
	};
	for (size_t i = 0; i < sizeof needles / sizeof *needles; i++) {
		cr_assert(!contains(log, loglen, needles[i].p, needles[i].n), "%s in the log:\n%s",
		          needles[i].what, log);
		cr_assert(!contains(resp.body, resp.body_len, needles[i].p, needles[i].n),
		          "%s in /metrics:\n%s", needles[i].what, resp.body);
	}
	ts_http_resp_free(&resp);
	free(log);
	free(token);
	ts_lisd_stop(&l);
	free(cfg);
	free(sec);
}
