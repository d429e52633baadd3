/*
 * Location by reference over real sockets with the real lisd and a real key
 * file (SPEC §4.1, RFC 6753 §3, RFC 5808 §4.1): HELD -> location URI -> GET
 * and POST dereference, content negotiation, the one 404 for bad tokens,
 * expiry, tenants' access-control models (bearer and mutual TLS), two lisd
 * processes sharing a key, call signalling with its event and the 933
 * read-back.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


#include "lis/lis.h"
#include "tests/integration/integ.h"

#define SECRET_B "globex-bearer-secret-0123456789"
#define REQ_PORT_A                                                                                 \
	LLDP("4", SW1, "5", GI107) /* Acme's a-port (and Globex's b-port, same identifiers) */

static char *db, *dir, *keyfile;

/* 32 random bytes, mode 0600: what `openssl rand 32 > token.key` writes. */
static char *write_key(const char *name)
{
	char *path = NULL;
	unsigned char k[32];
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	int r = open("/dev/urandom", O_RDONLY);
	cr_assert(r >= 0 && read(r, k, sizeof k) == (ssize_t)sizeof k);
	close(r);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0 && write(fd, k, sizeof k) == (ssize_t)sizeof k);
	close(fd);
	return path;
}

static void setup(void)
{
	db = fixture_db("two-tenants.yaml");
	dir = ts_mkdtemp();
	keyfile = write_key("token.key");
	char *sec = ts_write_file(dir, "globex.secret", SECRET_B "\n");
	chmod(sec, 0600);
	free(sec);
}

static void teardown(void)
{
	ts_rmdb(db);
	ts_rmtree(dir);
	free(db);
	free(dir);
	free(keyfile);
}

TestSuite(deref, .init = setup, .fini = teardown, .timeout = 120);

/* A config: http on @PORT@, the fixture db, URIs on, events to a file. */
static char *config(const char *key, const char *extra)
{
	char *c = NULL;
	cr_assert(asprintf(&c,
	                   "listen:\n"
	                   "  - http: 127.0.0.1:@PORT@\n"
	                   "%s"
	                   "db: %s\n"
	                   "public_url: http://127.0.0.1:@PORT@\n"
	                   "token: {key_file: %s, lifetime: 30m}\n"
	                   "events: {file: %s/events.jsonl, outbox: %s/outbox}\n"
	                   "tenants:\n"
	                   "  - id: " TENANT_B "\n"
	                   "    deref: {auth: bearer, secret_file: %s/globex.secret}\n",
	                   extra ? extra : "", db, key, dir, dir, dir) > 0);
	return c;
}

static void start(ts_lisd_t *l, const char *key)
{
	char *c = config(key, NULL);
	ts_lisd_start(l, db, c, NULL);
	free(c);
}

/* POSTs a HELD request for the tenant's a-port/b-port and returns the URI's path. */
static char *issue(const ts_lisd_t *l, const char *tenant)
{
	ts_http_resp_t r;
	char path[128], want[128];
	snprintf(path, sizeof path, "/held/%s", tenant);
	char *x = held_req("any", 0, REQ_PORT_A);
	post_held(l->port, path, x, &r);
	free(x);
	ASSERT_LOCATION(&r, "<locationUriSet expires=\"", "civicAddress");
	snprintf(want, sizeof want, "<locationURI>http://127.0.0.1:%d/loc/", l->port);
	const char *p = strstr(r.body, want);
	cr_assert_not_null(p, "no URI for this lisd in:\n%s", r.body);
	p += strlen(want) - strlen("/loc/");
	const char *e = strstr(p, "</locationURI>");
	char *uri = strndup(p, (size_t)(e - p));
	ts_http_resp_free(&r);
	return uri;
}

static void get(int port, const char *path, const char *headers, ts_http_resp_t *r)
{
	cr_assert_eq(ts_http(port, "GET", path, headers, NULL, 0, r), 0, "no answer for GET %s",
	             path);
}

static void assert_header(const ts_http_resp_t *r, const char *name, const char *want)
{
	char *v = ts_http_header(r, name);
	cr_assert_not_null(v, "no %s header in:\n%s", name, r->headers);
	cr_assert_str_eq(v, want, "%s: %s", name, v);
	free(v);
}

/* The one answer for a token that leads nowhere. */
static void assert_not_found(const ts_http_resp_t *r)
{
	cr_assert_eq(r->status, 404, "HTTP %d: %s", r->status, r->body);
	cr_assert_str_eq(r->body, LIS_DEREF_NOT_FOUND_BODY);
	assert_header(r, "Content-Type", "text/plain; charset=utf-8");
	assert_header(r, "Cache-Control", "no-store");
	char cl[16];
	snprintf(cl, sizeof cl, "%zu", strlen(LIS_DEREF_NOT_FOUND_BODY));
	assert_header(r, "Content-Length", cl);
}

Test(deref, held_uri_then_get_and_post)
{
	ts_lisd_t l;
	ts_http_resp_t r;
	start(&l, keyfile);
	char *path = issue(&l, TENANT_A);

	get(l.port, path, NULL, &r);
	ASSERT_LOCATION(&r, "Tasman", "gml:", "<gp:method>Wiremap</gp:method>");
	cr_assert_null(strstr(r.body, "locationUriSet"), "never a new URI:\n%s", r.body);
	assert_header(&r, "Content-Type", "application/held+xml;charset=utf-8");
	assert_header(&r, "Cache-Control", "no-store");
	char cl[16];
	snprintf(cl, sizeof cl, "%zu", r.body_len);
	assert_header(&r, "Content-Length", cl);
	ts_http_resp_free(&r);

	/* RFC 6753 §3.2's Accept: the bare PIDF-LO */
	get(l.port, path, "Accept: application/pidf+xml,application/held+xml;q=0.5\r\n", &r);
	cr_assert_eq(r.status, 200);
	assert_header(&r, "Content-Type", "application/pidf+xml;charset=utf-8");
	cr_assert(strstr(r.body, "<presence"), "%s", r.body);
	cr_assert(strstr(r.body, "Tasman"), "%s", r.body);
	TS_ASSERT_VALID(r.body, r.body_len);
	ts_http_resp_free(&r);
	get(l.port, path, "Accept: application/held+xml, application/pidf+xml;q=0.9\r\n", &r);
	assert_header(&r, "Content-Type", "application/held+xml;charset=utf-8");
	ts_http_resp_free(&r);

	/* POST: a HELD dereference, locationType honoured, never a URI */
	char *x = held_req("geodetic", 1, NULL);
	post_held(l.port, path, x, &r);
	free(x);
	ASSERT_LOCATION(&r, "gml:");
	cr_assert_null(strstr(r.body, "civicAddress"), "%s", r.body);
	ts_http_resp_free(&r);
	x = held_req("locationURI", 1, NULL);
	post_held(l.port, path, x, &r);
	free(x);
	ASSERT_HELD_ERROR(&r, "cannotProvideLiType");
	ts_http_resp_free(&r);
	cr_assert_eq(ts_http(l.port, "POST", path, "Content-Type: text/plain\r\n", "x", 1, &r), 0);
	cr_assert_eq(r.status, 415);
	ts_http_resp_free(&r);

	/* other methods: 405 with Allow; GET never is */
	cr_assert_eq(ts_http(l.port, "PUT", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 405);
	assert_header(&r, "Allow", "GET, POST");
	ts_http_resp_free(&r);
	cr_assert_eq(ts_http(l.port, "DELETE", "/loc/whatever", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 405);
	ts_http_resp_free(&r);

	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(path);
}

Test(deref, bad_tokens_get_one_answer)
{
	ts_lisd_t l;
	ts_http_resp_t r;
	start(&l, keyfile);
	char *path = issue(&l, TENANT_A);
	size_t n = strlen(path);

	/* a flipped character, anywhere */
	size_t positions[] = {5, 6, n / 2, n - 2, n - 1};
	for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
		char *bad = strdup(path);
		bad[positions[i]] = bad[positions[i]] == 'x' ? 'y' : 'x';
		get(l.port, bad, NULL, &r);
		assert_not_found(&r);
		ts_http_resp_free(&r);
		free(bad);
	}
	/* truncated, unknown, over-long, another deployment's key */
	char *cut = strndup(path, n - 4);
	get(l.port, cut, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	free(cut);
	get(l.port, "/loc/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	    &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	char *longp = malloc(6000);
	memcpy(longp, "/loc/", 5);
	memset(longp + 5, 'A', 5990);
	longp[5995] = 0;
	get(l.port, longp, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	free(longp);
	get(l.port, "/loc/", NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);

	lis_token_key_t k;
	char err[256], tok[1024], p2[1100];
	char *other = write_key("other.key");
	cr_assert_eq(lis_token_key_load(other, &k, err, sizeof err), 0, "%s", err);
	lis_token_claims_t c = {.tenant = TENANT_A,
	                        .location = "a-port",
	                        .method = WM_M_LLDP_PORT,
	                        .issued = time(NULL),
	                        .expires = time(NULL) + 600};
	cr_assert_eq(lis_token_issue(&k, &c, tok, sizeof tok), 0);
	snprintf(p2, sizeof p2, "/loc/%s", tok);
	get(l.port, p2, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);

	/* expiry: issued in this process with the deployment's key, already expired
	 * (token.lifetime cannot go below 30m) */
	cr_assert_eq(lis_token_key_load(keyfile, &k, err, sizeof err), 0, "%s", err);
	c.issued = time(NULL) - 1900;
	c.expires = time(NULL) - 100;
	cr_assert_eq(lis_token_issue(&k, &c, tok, sizeof tok), 0);
	snprintf(p2, sizeof p2, "/loc/%s", tok);
	get(l.port, p2, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	c.expires = time(NULL) + 2;
	cr_assert_eq(lis_token_issue(&k, &c, tok, sizeof tok), 0);
	snprintf(p2, sizeof p2, "/loc/%s", tok);
	get(l.port, p2, NULL, &r);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	sleep(3);
	get(l.port, p2, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);

	/* the access log has no token, and /metrics counts the results */
	get(l.port, "/metrics", NULL, &r);
	cr_assert(strstr(r.body, "lis_derefs_total{result=\"not_found\"} 12"), "%s", r.body);
	cr_assert(strstr(r.body, "lis_derefs_total{result=\"ok\"} 1"), "%s", r.body);
	ts_http_resp_free(&r);
	char *log = ts_read_file(l.log, NULL);
	cr_assert_null(strstr(log, path + 5), "token in the log:\n%s", log);
	cr_assert(strstr(log, "path=/loc/{sha256:"), "%s", log);
	free(log);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(other);
	free(path);
}

Test(deref, bearer_tenant)
{
	ts_lisd_t l;
	ts_http_resp_t r;
	start(&l, keyfile);
	char *pa = issue(&l, TENANT_A), *pb = issue(&l, TENANT_B);

	/* no credential or a non-bearer one: the plain 404, nothing learnt */
	get(l.port, pb, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	get(l.port, pb, "Authorization: Basic Z2xvYmV4OnNlY3JldA==\r\n", &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	/* a secret nobody holds: 403, whatever the token */
	get(l.port, pb, "Authorization: Bearer wrong-wrong-wrong-wrong\r\n", &r);
	cr_assert_eq(r.status, 403);
	cr_assert_str_eq(r.body, LIS_DEREF_FORBIDDEN_BODY);
	ts_http_resp_free(&r);
	get(l.port, "/loc/nonsense", "Authorization: Bearer wrong-wrong-wrong-wrong\r\n", &r);
	cr_assert_eq(r.status, 403);
	ts_http_resp_free(&r);
	/* the right secret */
	get(l.port, pb, "Authorization: Bearer " SECRET_B "\r\n", &r);
	ASSERT_LOCATION(&r, "Broadway");
	ts_http_resp_free(&r);
	char *x = held_req("civic", 1, NULL);
	cr_assert_eq(ts_http(l.port, "POST", pb, HELD_CT "Authorization: Bearer " SECRET_B "\r\n",
	                     x, strlen(x), &r),
	             0);
	ASSERT_LOCATION(&r, "Broadway");
	ts_http_resp_free(&r);
	free(x);

	/* tenant A's token (possession) still needs nothing; a tenant-A token
	 * is never served under tenant B's secret as B's */
	get(l.port, pa, NULL, &r);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);

	/* a token of tenant A presented with B's secret, where A requires its own:
	 * re-configure A as bearer with another secret */
	cr_assert_eq(ts_lisd_stop(&l), 0);
	char *sa = ts_write_file(dir, "acme.secret", "acme-bearer-secret-0123456789\n");
	chmod(sa, 0600);
	char extra_tenant[512];
	snprintf(extra_tenant, sizeof extra_tenant,
	         "  - id: " TENANT_A "\n    deref: {auth: bearer, secret_file: %s}\n", sa);
	char *c = config(keyfile, NULL), *c2 = NULL;
	cr_assert(asprintf(&c2, "%s%s", c, extra_tenant) > 0);
	ts_lisd_start(&l, db, c2, NULL);
	/* URIs carry the old port: dereference by path on the new lisd */
	get(l.port, pa, "Authorization: Bearer " SECRET_B "\r\n", &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	get(l.port, pa, "Authorization: Bearer acme-bearer-secret-0123456789\r\n", &r);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	get(l.port, pb, "Authorization: Bearer acme-bearer-secret-0123456789\r\n", &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(c);
	free(c2);
	free(sa);
	free(pa);
	free(pb);
}

Test(deref, two_lisd_share_a_key)
{
	ts_lisd_t a, b, other;
	ts_http_resp_t r;
	start(&a, keyfile);
	start(&b, keyfile);
	char *otherkey = write_key("other.key");
	char *c = config(otherkey, NULL);
	ts_lisd_start(&other, db, c, NULL);
	free(c);

	char *path = issue(&a, TENANT_A);
	get(b.port, path, NULL, &r);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	char *x = held_req("any", 0, NULL);
	post_held(b.port, path, x, &r);
	free(x);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	get(other.port, path, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&a), 0);
	cr_assert_eq(ts_lisd_stop(&b), 0);
	cr_assert_eq(ts_lisd_stop(&other), 0);
	free(otherkey);
	free(path);
}

Test(deref, call_signalling_and_readback)
{
	ts_lisd_t l;
	ts_http_resp_t r;
	char q[1024], evpath[4096];
	start(&l, keyfile);
	char *path = issue(&l, TENANT_A);

	snprintf(q, sizeof q, "%s?dialed=933&caller=tel%%3A%%2B14085550199&call_id=call-42", path);
	get(l.port, q, NULL, &r);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	/* the event is durable before the answer: the file has it now */
	snprintf(evpath, sizeof evpath, "%s/events.jsonl", dir);
	char *ev = ts_read_file(evpath, NULL);
	cr_assert_not_null(ev, "no events file %s", evpath);
	const char *line = strstr(ev, "\"test_call\"");
	cr_assert_not_null(line, "no test_call in:\n%s", ev);
	const char *bol = line;
	while (bol > ev && bol[-1] != '\n')
		bol--;
	char *l1 = strndup(bol, strcspn(bol, "\n"));
	cr_assert(strstr(l1, "\"a-port\""), "%s", l1);
	cr_assert(strstr(l1, "Tasman"), "%s", l1);
	cr_assert(strstr(l1, "+14085550199"), "%s", l1);
	cr_assert(strstr(l1, "call-42"), "%s", l1);
	cr_assert(strstr(l1, TENANT_A), "%s", l1);
	free(l1);
	free(ev);

	/* 911 by POST: an emergency_call */
	snprintf(q, sizeof q, "%s?dialed=911", path);
	char *x = held_req(NULL, 0, NULL);
	post_held(l.port, q, x, &r);
	free(x);
	ASSERT_LOCATION(&r, "Tasman");
	ts_http_resp_free(&r);
	ev = ts_read_file(evpath, NULL);
	cr_assert(strstr(ev, "\"emergency_call\""), "%s", ev);
	free(ev);

	/* the 933 read-back */
	snprintf(q, sizeof q, "%s?format=text&caller=tel:%%2B14085550100", path);
	get(l.port, q, NULL, &r);
	cr_assert_eq(r.status, 200);
	assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
	cr_assert_str_eq(r.body, "Your callback number is +1 408 555 0100. The address on file is "
	                         "170 Tasman Drive, floor 1, room 101, San Jose, California "
	                         "95134.\n");
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(path);
}

/* ---------------- mutual TLS --------------------------------------------- */

Test(deref, mtls_tenant)
{
	ts_lisd_t l;
	char body[16384];
	ts_make_cert(dir, "routers-ca", NULL);
	ts_make_cert(dir, "other-ca", NULL);
	ts_make_cert(dir, "server", NULL);
	ts_make_cert(dir, "router", "routers-ca");
	ts_make_cert(dir, "stranger", "other-ca");
	char skey[4096];
	snprintf(skey, sizeof skey, "%s/server.key", dir);
	chmod(skey, 0600);

	int tport = ts_free_port();
	char extra[9000], *c = NULL, *c2 = NULL;
	snprintf(extra, sizeof extra,
	         "  - https: 127.0.0.1:%d\n    cert: %s/server.pem\n    key: %s\n", tport, dir,
	         skey);
	c = config(keyfile, extra);
	char ten[4096];
	snprintf(ten, sizeof ten,
	         "  - id: " TENANT_A "\n    deref: {auth: mtls, client_ca: %s/routers-ca.pem}\n",
	         dir);
	cr_assert(asprintf(&c2, "%s%s", c, ten) > 0);
	ts_lisd_start(&l, db, c2, NULL);
	char *path = issue(&l, TENANT_A);

	/* the router's certificate chains to the tenant's client_ca */
	int st = ts_https_get(tport, path, dir, "router", body, sizeof body);
	cr_assert_eq(st, 200, "HTTP %d: %s", st, body);
	cr_assert(strstr(body, "Tasman"), "%s", body);
	TS_ASSERT_VALID(body, strlen(body));
	/* no certificate, or one from another CA: the plain 404 */
	st = ts_https_get(tport, path, dir, NULL, body, sizeof body);
	cr_assert_eq(st, 404, "HTTP %d: %s", st, body);
	cr_assert_str_eq(body, LIS_DEREF_NOT_FOUND_BODY);
	st = ts_https_get(tport, path, dir, "stranger", body, sizeof body);
	cr_assert_eq(st, 404, "HTTP %d: %s", st, body);
	cr_assert_str_eq(body, LIS_DEREF_NOT_FOUND_BODY);
	/* the plain listener has no certificate at all */
	ts_http_resp_t r;
	get(l.port, path, NULL, &r);
	assert_not_found(&r);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(path);
	free(c);
	free(c2);
}
