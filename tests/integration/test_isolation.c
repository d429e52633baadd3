/*
 * Tenant isolation at every entry point (issue #5), against the real lisd on
 * loopback and the real wiremap CLI, with fixtures/isolation.yaml: three
 * tenants sharing building id, location id and network elements of every
 * kind, each with its own address (A San Jose/Tasman, B New York/Broadway,
 * C Austin/Congress; C's id is A's plus "-eu"). B alone has a "vault".
 *
 *   HELD           /held/{tenant} answers that tenant's data only
 *   dereference    another tenant's bearer secret or client certificate gets
 *                  the same 404 as a random token, and triggers no event
 *   events         each tenant's events reach its own webhook only, with its
 *                  own tenant field; de-duplication and call numbers are per
 *                  tenant
 *   wiremap CLI    in test_isolation_cli.c
 *
 * Already proven elsewhere and not repeated: bare /held with several tenants
 * is a requestError and an unknown tenant a 404 (test_precedence.c), a
 * tenant-A token refused under B's secret when A requires its own, and the
 * mtls model with one tenant (test_deref.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lis/lis.h"
#include "tests/integration/isolation.h"
#include "tests/lis/receiver.h"

#define SECRET_A "acme-deref-secret-0123456789abcdef"
#define SECRET_B "globex-deref-secret-0123456789abcdef"
#define AUTH_A "Authorization: Bearer " SECRET_A "\r\n"
#define AUTH_B "Authorization: Bearer " SECRET_B "\r\n"

/* "Fa0/1" (a port nobody provisioned) and B's vault port "Te1/0/1", as hex. */
#define FA01 "4661302f31"
#define TE101 "5465312f302f31"

/* Identifiers that every tenant (C: those marked) maps to its own "desk". */
static const struct {
	const char *what, *inner;
	bool in_c;
} SHARED[] = {
    {"lldp chassis+port", LLDP("4", SW1, "5", GI107), true},
    {"lldp chassis alone", LLDP("4", SW1, "5", FA01), false},
    {"bssid exact", WIFI("00-11-22-33-44-55"), false},
    {"bssid wildcard", WIFI("00-11-22-33-44-6a"), false},
    {"subnet", DEVICE("<ip v=\"4\">10.20.30.9</ip>"), true},
    {"gateway mac", HPLUS("<hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac>"), false},
    {"did by identity", DEVICE("<uri>tel:+14085551234</uri>"), true},
    {"did fallback", HPLUS("<hp:did>tel:+14085551234</hp:did>"), true},
};

/* Identifiers only tenant B has (its vault). */
static const struct {
	const char *what, *inner;
} B_ONLY[] = {
    {"lldp chassis+port", LLDP("4", "00aabbccddee", "5", TE101)},
    {"bssid", WIFI("00-bb-cc-dd-ee-ff")},
    {"subnet", DEVICE("<ip v=\"4\">10.66.1.1</ip>")},
    {"gateway mac", HPLUS("<hp:gatewayMac>00-00-5e-00-01-66</hp:gatewayMac>")},
    {"did by identity", DEVICE("<uri>tel:+12125550166</uri>")},
    {"did fallback", HPLUS("<hp:did>tel:+12125550166</hp:did>")},
};

static void ask(int port, const char *path, const char *types, int exact, const char *inner,
                ts_http_resp_t *r)
{
	char *xml = held_req(types, exact, inner);
	post_held(port, path, xml, r);
	free(xml);
}

/* ====================== HELD by tenant path ============================= */

LISD_SUITE(isolation_held, "isolation.yaml", 120);

/*
 * Protection: the index keys every element by tenant, and /held/{tenant}
 * looks up in that tenant's tables only. Remove it and two tenants with the
 * same element (and the same location id) get one tenant's address.
 */
Test(isolation_held, same_elements_answer_each_tenant_its_own_address)
{
	static const struct {
		const char *path;
		const char *const *mine, *const *other1, *const *other2;
	} who[] = {
	    {"/held/" TENANT_A, MARK_A, MARK_B, MARK_C},
	    {"/held/" TENANT_B, MARK_B, MARK_A, MARK_C},
	    {"/held/" TENANT_C, MARK_C, MARK_A, MARK_B},
	};
	for (size_t t = 0; t < N_OF(who); t++)
		for (size_t i = 0; i < N_OF(SHARED); i++) {
			if (t == 2 && !SHARED[i].in_c)
				continue;
			ts_http_resp_t r;
			char what[128];
			snprintf(what, sizeof what, "%s on %s", SHARED[i].what, who[t].path);
			ask(lisd.port, who[t].path, "civic", 0, SHARED[i].inner, &r);
			ASSERT_LOCATION(&r, "civicAddress");
			assert_all(r.body, who[t].mine, what);
			assert_none(r.body, who[t].other1, what);
			assert_none(r.body, who[t].other2, what);
			ts_http_resp_free(&r);
		}
}

/*
 * Protection: a lookup never falls through to another tenant. Remove it and
 * /held/A answers with B's vault. Each identifier resolves on /held/B first,
 * so the locationUnknown elsewhere is isolation, not a malformed request.
 */
Test(isolation_held, elements_of_one_tenant_are_unknown_to_the_others)
{
	ts_http_resp_t r;
	for (size_t i = 0; i < N_OF(B_ONLY); i++) {
		ask(lisd.port, "/held/" TENANT_B, NULL, 0, B_ONLY[i].inner, &r);
		ASSERT_LOCATION(&r, "Vault", "Broadway");
		ts_http_resp_free(&r);
		const char *paths[] = {"/held/" TENANT_A, "/held/" TENANT_C};
		for (size_t p = 0; p < 2; p++) {
			char what[128];
			snprintf(what, sizeof what, "B's %s on %s", B_ONLY[i].what, paths[p]);
			ask(lisd.port, paths[p], NULL, 0, B_ONLY[i].inner, &r);
			ASSERT_HELD_ERROR(&r, "locationUnknown");
			assert_none(r.body, MARK_VAULT, what);
			assert_none(r.body, MARK_B, what);
			ts_http_resp_free(&r);
			/* nor a location URI that would lead there */
			ask(lisd.port, paths[p], "locationURI", 1, B_ONLY[i].inner, &r);
			ASSERT_HELD_ERROR(&r, "locationUnknown");
			cr_assert_null(strstr(r.body, "/loc/"), "%s: a URI:\n%s", what, r.body);
			ts_http_resp_free(&r);
		}
	}
	/* all of B's identifiers at once */
	ask(lisd.port, "/held/" TENANT_A, NULL, 0,
	    LLDP("4", "00aabbccddee", "5", TE101) DEVICE("<ip v=\"4\">10.66.1.1</ip>")
	        HPLUS("<hp:gatewayMac>00-00-5e-00-01-66</hp:gatewayMac><hp:did>tel:+12125550166</"
	              "hp:did>"),
	    &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	assert_none(r.body, MARK_VAULT, "all of B's identifiers on /held/A");
	ts_http_resp_free(&r);
}

/*
 * Protection: the tenant in the path is matched whole, never as a prefix,
 * and a path that is not exactly /held/{tenant} selects no tenant. Remove it
 * and /held/{A}-eu answers A's address, or a near-miss id answers someone's.
 * Bare /held with several tenants answers no tenant's data at all.
 */
Test(isolation_held, the_tenant_path_is_matched_whole)
{
	ts_http_resp_t r;
	ask(lisd.port, "/held/" TENANT_C, NULL, 0, LLDP("4", SW1, "5", GI107), &r);
	ASSERT_LOCATION(&r, "Congress");
	assert_none(r.body, MARK_A, "/held/{A}-eu");
	ts_http_resp_free(&r);

	static const char *const near[] = {
	    "/held/11111111-1111-4111-8111-11111111111", /* A less one character */
	    "/held/" TENANT_A "-",
	    "/held/" TENANT_A "/",
	    "/held/" TENANT_A "/x",
	    "/held/" TENANT_B "%00",
	    "/held/%322222222-2222-4222-8222-222222222222", /* B's id, '2' percent-encoded */
	    "/held//" TENANT_A,
	    "/held/" TENANT_A "?tenant=" TENANT_B,
	};
	for (size_t i = 0; i < N_OF(near); i++) {
		char *xml = held_req(NULL, 0, LLDP("4", SW1, "5", GI107));
		int rc = ts_http(lisd.port, "POST", near[i], HELD_CT, xml, strlen(xml), &r);
		free(xml);
		cr_assert_eq(rc, 0, "no answer for %s", near[i]);
		if (strchr(near[i], '?')) {
			/* the query is not part of the path: A answers, as A */
			ASSERT_LOCATION(&r, "Tasman");
			assert_none(r.body, MARK_B, near[i]);
		} else {
			cr_assert_eq(r.status, 404, "%s: HTTP %d\n%s", near[i], r.status, r.body);
		}
		assert_none(r.body, MARK_C, near[i]);
		if (!strchr(near[i], '?'))
			assert_none(r.body, MARK_A, near[i]);
		ts_http_resp_free(&r);
	}

	/* bare /held, several tenants: the SPEC's requestError, nobody's data */
	ask(lisd.port, "/held", NULL, 0, LLDP("4", SW1, "5", GI107), &r);
	ASSERT_HELD_ERROR(&r, "requestError");
	assert_none(r.body, MARK_A, "/held");
	assert_none(r.body, MARK_B, "/held");
	assert_none(r.body, MARK_C, "/held");
	ts_http_resp_free(&r);
}

/* ====================== shared by deref and events ====================== */

typedef struct {
	char *db, *dir, *key, *secret_a, *secret_b, *events;
} env_t;

static env_t env;

static char *secret_file(const char *name, const char *secret)
{
	char *p = ts_write_file(env.dir, name, secret);
	chmod(p, 0600);
	return p;
}

static void env_setup(void)
{
	memset(&env, 0, sizeof env);
	env.db = fixture_db("isolation.yaml");
	env.dir = ts_mkdtemp();
	char k[33];
	for (int i = 0; i < 32; i++)
		k[i] = (char)('a' + (i * 11) % 26);
	k[32] = 0;
	env.key = secret_file("token.key", k);
	env.secret_a = secret_file("acme.secret", SECRET_A "\n");
	env.secret_b = secret_file("globex.secret", SECRET_B "\n");
	cr_assert(asprintf(&env.events, "%s/events.jsonl", env.dir) > 0);
}

static void env_teardown(void)
{
	ts_stop_all();
	ts_rmdb(env.db);
	ts_rmtree(env.dir);
	free(env.db);
	free(env.dir);
	free(env.key);
	free(env.secret_a);
	free(env.secret_b);
	free(env.events);
}

/* The lisd.yaml head: HTTP on @PORT@, URIs on, events to the file. */
static char *config(const char *listen_extra, const char *events_extra, const char *tenants)
{
	char *c = NULL;
	cr_assert(asprintf(&c,
	                   "listen:\n  - http: 127.0.0.1:@PORT@\n%s"
	                   "db: %s\n"
	                   "public_url: http://127.0.0.1:@PORT@\n"
	                   "token: {key_file: %s, lifetime: 30m}\n"
	                   "events:\n  file: %s\n  outbox: %s/outbox\n%s"
	                   "tenants:\n%s",
	                   listen_extra ? listen_extra : "", env.db, env.key, env.events, env.dir,
	                   events_extra ? events_extra : "", tenants) > 0);
	return c;
}

/* Issues a location URI for the shared LLDP port on /held/{tenant}; returns "/loc/TOKEN". */
static char *issue(int port, const char *tenant)
{
	char *tok = issue_token(port, tenant), *uri = NULL;
	cr_assert(asprintf(&uri, "/loc/%s", tok) > 0);
	free(tok);
	return uri;
}

/* ====================== dereference ==================================== */

TestSuite(isolation_deref, .init = env_setup, .fini = env_teardown, .timeout = 180);

/* The whole answer minus the Date header: what a client can tell apart. */
static char *answer_of(const ts_http_resp_t *r)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	cr_assert_not_null(f);
	fprintf(f, "%d\n", r->status);
	for (const char *p = r->headers; p && *p;) {
		const char *e = strstr(p, "\r\n");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (strncasecmp(p, "Date:", 5) != 0)
			fprintf(f, "%.*s\n", (int)n, p);
		p += n + (e ? 2 : 0);
	}
	fprintf(f, "\n%.*s", (int)r->body_len, r->body);
	fclose(f);
	return s;
}

static char *exchange(int port, const char *method, const char *path, const char *headers)
{
	ts_http_resp_t r;
	char *body = strcmp(method, "POST") == 0 ? held_req("civic", 0, NULL) : NULL;
	char h[512];
	snprintf(h, sizeof h, "%s%s", body ? HELD_CT : "", headers ? headers : "");
	cr_assert_eq(ts_http(port, method, path, h, body, body ? strlen(body) : 0, &r), 0,
	             "no answer for %s %s", method, path);
	char *a = answer_of(&r);
	ts_http_resp_free(&r);
	free(body);
	return a;
}

/*
 * Protection: the token's own tenant decides which secret opens it (deref.c
 * step 4), and a refusal is the same bytes as a token that leads nowhere.
 * Remove it and B's secret opens A's location, or the answer tells a live
 * A token from a dead one. The two tokens name the same location id
 * ("desk"), so each answer also shows the token binds its tenant.
 */
Test(isolation_deref, another_tenants_bearer_secret_gets_the_random_token_404)
{
	char ten[2048];
	snprintf(ten, sizeof ten,
	         "  - id: " TENANT_A "\n    deref: {auth: bearer, secret_file: %s}\n"
	         "  - id: " TENANT_B "\n    deref: {auth: bearer, secret_file: %s}\n",
	         env.secret_a, env.secret_b);
	char *c = config(NULL, NULL, ten);
	ts_lisd_t l;
	ts_lisd_start(&l, env.db, c, NULL);
	char *ta = issue(l.port, TENANT_A), *tb = issue(l.port, TENANT_B);

	/* each with its own secret: its own address */
	ts_http_resp_t r;
	cr_assert_eq(ts_http(l.port, "GET", ta, AUTH_A, NULL, 0, &r), 0);
	ASSERT_LOCATION(&r, "Tasman");
	assert_none(r.body, MARK_B, "A's token");
	ts_http_resp_free(&r);
	cr_assert_eq(ts_http(l.port, "GET", tb, AUTH_B, NULL, 0, &r), 0);
	ASSERT_LOCATION(&r, "Broadway");
	assert_none(r.body, MARK_A, "B's token");
	ts_http_resp_free(&r);

	/* tokens that lead nowhere: a random one and A's with one character changed */
	char *tampered = strdup(ta);
	size_t n = strlen(tampered);
	tampered[n - 3] = tampered[n - 3] == 'Q' ? 'R' : 'Q';
	static const char *const methods[] = {"GET", "POST"};
	for (size_t m = 0; m < 2; m++) {
		char *ref = exchange(l.port, methods[m],
		                     "/loc/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		                     AUTH_B);
		cr_assert(strncmp(ref, "404\n", 4) == 0, "%s", ref);
		char *t1 = exchange(l.port, methods[m], tampered, AUTH_B);
		char *ab = exchange(l.port, methods[m], ta, AUTH_B);
		char *ba = exchange(l.port, methods[m], tb, AUTH_A);
		char *a_none = exchange(l.port, methods[m], ta, NULL);
		cr_assert_str_eq(t1, ref, "%s: a tampered token differs from a random one",
		                 methods[m]);
		cr_assert_str_eq(ab, ref,
		                 "%s: A's token under B's secret differs from a random "
		                 "token",
		                 methods[m]);
		cr_assert_str_eq(ba, ref,
		                 "%s: B's token under A's secret differs from a random "
		                 "token",
		                 methods[m]);
		cr_assert_str_eq(a_none, ref, "%s: A's token without a secret", methods[m]);
		free(ref);
		free(t1);
		free(ab);
		free(ba);
		free(a_none);
	}
	/* nor as a bare PIDF-LO, nor by asking for a call */
	char q[4096];
	snprintf(q, sizeof q, "%s?dialed=911", ta);
	char *ab = exchange(l.port, "GET", q, AUTH_B "Accept: application/pidf+xml\r\n");
	cr_assert(strncmp(ab, "404\n", 4) == 0, "%s", ab);
	assert_none(ab, MARK_A, "A's token, B's secret, PIDF");
	free(ab);
	char *ev = ts_read_file(env.events, NULL);
	cr_assert(!ev || !strstr(ev, "emergency_call"), "a refused 911 made an event:\n%s", ev);
	free(ev);

	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(tampered);
	free(ta);
	free(tb);
	free(c);
}

/* ---- mutual TLS: two tenants, two router CAs ---- */

/*
 * Protection: a client certificate is checked against the client_ca of the
 * token's tenant only (deref.c cert_ok with that tenant's store). Remove it
 * (any configured CA accepted) and B's call router reads A's locations.
 */
Test(isolation_deref, another_tenants_client_certificate_gets_the_plain_404)
{
	ts_make_cert(env.dir, "ca-a", NULL);
	ts_make_cert(env.dir, "ca-b", NULL);
	ts_make_cert(env.dir, "server", NULL);
	ts_make_cert(env.dir, "router-a", "ca-a");
	ts_make_cert(env.dir, "router-b", "ca-b");
	int tport = ts_free_port();
	char listen[8192], ten[8192];
	snprintf(listen, sizeof listen,
	         "  - https: 127.0.0.1:%d\n    cert: %s/server.pem\n    key: %s/server.key\n",
	         tport, env.dir, env.dir);
	snprintf(ten, sizeof ten,
	         "  - id: " TENANT_A "\n    deref: {auth: mtls, client_ca: %s/ca-a.pem}\n"
	         "  - id: " TENANT_B "\n    deref: {auth: mtls, client_ca: %s/ca-b.pem}\n",
	         env.dir, env.dir);
	char *c = config(listen, NULL, ten);
	ts_lisd_t l;
	ts_lisd_start(&l, env.db, c, NULL);
	char *ta = issue(l.port, TENANT_A), *tb = issue(l.port, TENANT_B);
	char body[32768];

	int st = ts_https_get(tport, ta, env.dir, "router-a", body, sizeof body);
	cr_assert_eq(st, 200, "A's router, A's token: HTTP %d %s", st, body);
	assert_all(body, MARK_A, "A's router, A's token");
	st = ts_https_get(tport, tb, env.dir, "router-b", body, sizeof body);
	cr_assert_eq(st, 200, "B's router, B's token: HTTP %d %s", st, body);
	assert_all(body, MARK_B, "B's router, B's token");

	const struct {
		const char *tok, *cert;
	} cross[] = {
	    {ta, "router-b"}, {tb, "router-a"}, {"/loc/AAAAAAAAAAAAAAAAAAAAAAAA", "router-b"}};
	for (size_t i = 0; i < N_OF(cross); i++) {
		st = ts_https_get(tport, cross[i].tok, env.dir, cross[i].cert, body, sizeof body);
		cr_assert_eq(st, 404, "%s with %s: HTTP %d %s", cross[i].tok, cross[i].cert, st,
		             body);
		cr_assert_str_eq(body, LIS_DEREF_NOT_FOUND_BODY);
	}
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(ta);
	free(tb);
	free(c);
}

/* ====================== events ========================================= */

TestSuite(isolation_events, .init = env_setup, .fini = env_teardown, .timeout = 180);

/* A HELD request nobody can place: device 198.51.100.7 by RFC 6155 <ip>. */
#define NOWHERE DEVICE("<ip v=\"4\">198.51.100.7</ip>")

static void deref_call(int port, const char *tok, const char *dialed, const char *auth, int want)
{
	char q[4096];
	ts_http_resp_t r;
	snprintf(q, sizeof q, "%s?dialed=%s&call_id=%s", tok, dialed, dialed);
	cr_assert_eq(ts_http(port, "GET", q, auth, NULL, 0, &r), 0);
	cr_assert_eq(r.status, want, "GET %s: HTTP %d\n%s", q, r.status, r.body);
	ts_http_resp_free(&r);
}

/* "lis_events_outbox_depth 0" and every delivery made, or time out. */
static bool all_delivered(int port, int n)
{
	char want[96];
	snprintf(want, sizeof want, "lis_event_deliveries_total{outcome=\"delivered\"} %d\n", n);
	for (int i = 0, tries = ts_ms(20000) / 100; i < tries; i++) {
		ts_http_resp_t m;
		bool ok = ts_http(port, "GET", "/metrics", NULL, NULL, 0, &m) == 0 && m.body &&
		          strstr(m.body, want) && strstr(m.body, "lis_events_outbox_depth 0\n");
		ts_http_resp_free(&m);
		if (ok)
			return true;
		usleep(100000);
	}
	return false;
}

static size_t count_in(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Every message of r is tenant `tenant`'s, on `path` (or path2), free of the others' marks. */
static void assert_receiver(rcv_t *r, const char *who, const char *tenant, const char *path,
                            const char *path2, const char *const *o1, const char *const *o2)
{
	char field[128];
	snprintf(field, sizeof field, "\"tenant\":\"%s\"", tenant);
	pthread_mutex_lock(&r->mu);
	size_t n = r->n;
	rcv_msg_t *v = r->msgs;
	pthread_mutex_unlock(&r->mu);
	for (size_t i = 0; i < n; i++) {
		cr_assert(strstr(v[i].body, field), "%s received another tenant's event:\n%s", who,
		          v[i].body);
		cr_assert(strcmp(v[i].path, path) == 0 || (path2 && strcmp(v[i].path, path2) == 0),
		          "%s: event on %s:\n%s", who, v[i].path, v[i].body);
		assert_none(v[i].body, o1, who);
		assert_none(v[i].body, o2, who);
	}
}

/*
 * Protections: (1) lis_events_route picks the webhook by the event's tenant
 * (building ids are matched within that tenant only: all three have "hq");
 * (2) unknown_location de-duplication is keyed per (tenant, device); (3) the
 * emergency/test numbers are those of the token's tenant; (4) a refused
 * dereference, a bare /held and an unknown tenant emit nothing. Remove any
 * one and an event reaches another tenant's receiver, carries the wrong
 * tenant, or goes missing.
 */
Test(isolation_events, each_tenant_alerts_its_own_receivers_only)
{
	rcv_t ra, rb, rg;
	cr_assert_eq(rcv_start(&ra, ts_free_port(), 0), 0);
	cr_assert_eq(rcv_start(&rb, ts_free_port(), 0), 0);
	cr_assert_eq(rcv_start(&rg, ts_free_port(), 0), 0);
	char evx[512], ten[4096];
	snprintf(evx, sizeof evx,
	         "  webhook: http://127.0.0.1:%d/all\n  dedup_window: 10m\n  retry_max: 1s\n",
	         rg.port);
	snprintf(ten, sizeof ten,
	         "  - id: " TENANT_A "\n"
	         "    webhook: http://127.0.0.1:%d/acme\n"
	         "    deref: {auth: bearer, secret_file: %s}\n"
	         "  - id: " TENANT_B "\n"
	         "    webhook: http://127.0.0.1:%d/globex\n"
	         "    buildings: {hq: \"http://127.0.0.1:%d/globex-hq\"}\n"
	         "    test_numbers: [\"933\", \"9933\"]\n"
	         "    deref: {auth: bearer, secret_file: %s}\n",
	         ra.port, env.secret_a, rb.port, rb.port, env.secret_b);
	char *c = config(NULL, evx, ten);
	ts_lisd_t l;
	ts_lisd_start(&l, env.db, c, NULL);
	ts_http_resp_t r;

	/* the same unknown device in each tenant: one event each */
	const char *paths[] = {"/held/" TENANT_A, "/held/" TENANT_B, "/held/" TENANT_C};
	for (int i = 0; i < 3; i++) {
		ask(l.port, paths[i], NULL, 0, NOWHERE, &r);
		ASSERT_HELD_ERROR(&r, "locationUnknown");
		ts_http_resp_free(&r);
	}
	/* no tenant, no event: bare /held with several tenants, an unknown tenant */
	ask(l.port, "/held", NULL, 0, NOWHERE, &r);
	ASSERT_HELD_ERROR(&r, "requestError");
	ts_http_resp_free(&r);
	ask(l.port, "/held/33333333-3333-4333-8333-333333333333", NULL, 0, NOWHERE, &r);
	cr_assert_eq(r.status, 404);
	ts_http_resp_free(&r);

	/* calls: each token with its own tenant's secret and numbers */
	char *ta = issue(l.port, TENANT_A), *tb = issue(l.port, TENANT_B),
	     *tc = issue(l.port, TENANT_C);
	deref_call(l.port, ta, "933", AUTH_A, 200);
	deref_call(l.port, ta, "911", AUTH_A, 200);
	deref_call(l.port, ta, "9933", AUTH_A, 200); /* B's test number, not A's: no event */
	deref_call(l.port, ta, "911", AUTH_B, 404);  /* B's secret on A's token: no event */
	deref_call(l.port, tb, "933", AUTH_B, 200);
	deref_call(l.port, tb, "9933", AUTH_B, 200);
	deref_call(l.port, tb, "911", AUTH_B, 200);
	deref_call(l.port, tb, "911", AUTH_A, 404);
	deref_call(l.port, tc, "911", NULL, 200); /* C: no tenant entry, possession model */

	/* the file: 9 events, each with its tenant and only its tenant's address */
	rcv_t *own[9] = {0};
	char ids[9][37];
	size_t nid = 0;
	char *ev = ts_read_file(env.events, NULL);
	cr_assert_not_null(ev, "no events file");
	const char *tf[] = {"\"tenant\":\"" TENANT_A "\"", "\"tenant\":\"" TENANT_B "\"",
	                    "\"tenant\":\"" TENANT_C "\""};
	cr_assert_eq(count_in(ev, "\n"), 9, "events:\n%s", ev);
	cr_assert_eq(count_in(ev, tf[0]), 3, "%s", ev);
	cr_assert_eq(count_in(ev, tf[1]), 4, "%s", ev);
	cr_assert_eq(count_in(ev, tf[2]), 2, "%s", ev);
	cr_assert_eq(count_in(ev, "\"type\":\"unknown_location\""), 3, "%s", ev);
	cr_assert_eq(count_in(ev, "\"type\":\"test_call\""), 3, "%s", ev);
	cr_assert_eq(count_in(ev, "\"type\":\"emergency_call\""), 3, "%s", ev);
	for (char *line = ev, *nl; (nl = strchr(line, '\n')) && nid < 9; line = nl + 1) {
		*nl = 0;
		const char *id = strstr(line, "\"id\":\"");
		cr_assert_not_null(id, "%s", line);
		snprintf(ids[nid], sizeof ids[nid], "%.36s", id + 6);
		own[nid++] = strstr(line, tf[0]) ? &ra : strstr(line, tf[1]) ? &rb : &rg;
		if (strstr(line, tf[0])) {
			assert_none(line, MARK_B, "A's event");
			assert_none(line, MARK_C, "A's event");
			cr_assert(!strstr(line, "\"dialed\":\"9933\""), "%s", line);
		} else if (strstr(line, tf[1])) {
			assert_none(line, MARK_A, "B's event");
			assert_none(line, MARK_C, "B's event");
		} else {
			cr_assert(strstr(line, tf[2]), "an event of no tenant: %s", line);
			assert_none(line, MARK_A, "C's event");
			assert_none(line, MARK_B, "C's event");
		}
	}
	free(ev);

	/* the webhooks: A 3 on /acme; B 1 on /globex + 3 on /globex-hq; C 2 on /all */
	for (int i = 0, tries = ts_ms(20000) / 50; i < tries; i++) {
		if (rcv_count(&ra) + rcv_count(&rb) + rcv_count(&rg) >= 9)
			break;
		rcv_wait(&ra, rcv_count(&ra) + 1, 50); /* 50 ms, or A's next event */
	}
	cr_assert(all_delivered(l.port, 9), "not every event was delivered: A %zu, B %zu, all %zu",
	          rcv_count(&ra), rcv_count(&rb), rcv_count(&rg));
	cr_assert(rcv_count(&ra) == 3 && rcv_count(&rb) == 4 && rcv_count(&rg) == 2,
	          "A's webhook got %zu events (want 3), B's %zu (4), the global one %zu (2)",
	          rcv_count(&ra), rcv_count(&rb), rcv_count(&rg));
	assert_receiver(&ra, "A's webhook", TENANT_A, "/acme", NULL, MARK_B, MARK_C);
	assert_receiver(&rb, "B's webhooks", TENANT_B, "/globex", "/globex-hq", MARK_A, MARK_C);
	assert_receiver(&rg, "the global webhook", TENANT_C, "/all", NULL, MARK_A, MARK_B);
	size_t hq = 0;
	for (size_t i = 0; i < rb.n; i++)
		if (strcmp(rb.msgs[i].path, "/globex-hq") == 0) {
			hq++;
			cr_assert_null(strstr(rb.msgs[i].body, "unknown_location"));
		}
	cr_assert_eq(hq, 3, "B's calls in building hq go to B's hq hook");
	/* each event once, at its own tenant's receiver */
	rcv_t *all[] = {&ra, &rb, &rg};
	for (size_t i = 0; i < nid; i++)
		for (int k = 0; k < 3; k++)
			cr_assert_eq(rcv_count_id(all[k], ids[i]), all[k] == own[i] ? 1u : 0u,
			             "event %s at receiver %d: %zu times", ids[i], k,
			             rcv_count_id(all[k], ids[i]));

	cr_assert_eq(ts_lisd_stop(&l), 0);
	rcv_free(&ra);
	rcv_free(&rb);
	rcv_free(&rg);
	free(ta);
	free(tb);
	free(tc);
	free(c);
}
