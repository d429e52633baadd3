/*
 * SPEC §4.2 step 6 / §4.4 against the real lisd over loopback HTTP: a
 * nomadic user's address is asked for (addressRequired), answered (Manual),
 * remembered across a lisd restart, refers by URI, and a 911 dereference
 * event carries it. Two nodes sharing the token key but not their stores
 * (a load-balanced deployment) dereference each other's nomadic URIs.
 * Every HELD document is schema-validated.
 */
#include <sys/stat.h>

#include "lis/lis.h"
#include "tests/integration/integ.h"

#define HOME_GW "<hp:gatewayMac>02-aa-bb-cc-dd-01</hp:gatewayMac>"
#define ALICE "<hp:user>sip:alice@example.com</hp:user>"
#define ADDR                                                                                       \
	"<hp:providedAddress><ca:civicAddress "                                                    \
	"xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\">"                            \
	"<ca:country>US</ca:country><ca:A1>TX</ca:A1><ca:A3>Austin</ca:A3>"                        \
	"<ca:RD>Elm</ca:RD><ca:STS>St</ca:STS><ca:HNO>42</ca:HNO>"                                 \
	"</ca:civicAddress></hp:providedAddress>"

typedef struct {
	char *tmp, *db, *file, *key, *cfg;
} env_t;

/* One node's files: its own db copy (the fixture), events file and nomadic
 * store; the token key file its own, or shared_key (one deployment). */
static void env_init_key(env_t *e, const char *shared_key)
{
	memset(e, 0, sizeof *e);
	e->tmp = ts_mkdtemp();
	e->db = fixture_db("nomadic.yaml");
	cr_assert(asprintf(&e->file, "%s/events.jsonl", e->tmp) > 0);
	if (shared_key) {
		e->key = strdup(shared_key);
	} else {
		e->key = ts_write_file(e->tmp, "token.key", "0123456789abcdefghijklmnopqrstuv");
		chmod(e->key, 0600);
	}
	cr_assert(asprintf(&e->cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "db: %s\n"
	                   "public_url: http://127.0.0.1:@PORT@\n"
	                   "token:\n  key_file: %s\n"
	                   "events:\n  file: %s\n"
	                   "nomadic:\n  store: %s/nomadic\n  ttl: 90d\n",
	                   e->db, e->key, e->file, e->tmp) > 0);
}

static void env_init(env_t *e)
{
	env_init_key(e, NULL);
}

static void env_free(env_t *e)
{
	ts_rmdb(e->db);
	ts_rmtree(e->tmp);
	free(e->db);
	free(e->tmp);
	free(e->file);
	free(e->key);
	free(e->cfg);
}

TestSuite(nomadic_integ, .timeout = 120);

static void ask(int port, const char *types, int exact, const char *inner, ts_http_resp_t *r)
{
	char *xml = held_req(types, exact, inner);
	post_held(port, "/held/" TENANT_A, xml, r);
	free(xml);
}

Test(nomadic_integ, asked_answered_remembered_across_restart_and_dereferenced)
{
	env_t e;
	env_init(&e);
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, e.cfg, NULL);
	ts_http_resp_t r;

	/* off premises, nothing known yet: the error asks for an address */
	ask(l.port, NULL, 0, HPLUS(HOME_GW ALICE), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	cr_assert(strstr(r.body, "addressRequired"), "%s", r.body);
	ts_http_resp_free(&r);

	/* without hp:user the client cannot ask anyone: no addressRequired */
	ask(l.port, NULL, 0, HPLUS(HOME_GW), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	cr_assert_null(strstr(r.body, "addressRequired"), "%s", r.body);
	ts_http_resp_free(&r);

	/* the user gives it: answered by value, Manual */
	ask(l.port, "civic", 0, HPLUS(HOME_GW ALICE ADDR), &r);
	ASSERT_LOCATION(&r, "<ca:RD>Elm</ca:RD>", "<ca:A3>Austin</ca:A3>", "Manual");
	ts_http_resp_free(&r);

	/* an on-premises device never uses a typed address */
	ask(l.port, NULL, 0, LLDP("4", SW1, "5", GI107) HPLUS(HOME_GW ALICE ADDR), &r);
	ASSERT_LOCATION(&r, "Wiremap", "San Jose");
	cr_assert_null(strstr(r.body, "Elm"), "%s", r.body);
	ts_http_resp_free(&r);

	cr_assert_eq(ts_lisd_stop(&l), 0);
	ts_lisd_start(&l, e.db, e.cfg, NULL);

	/* remembered across the restart, for this user on this network */
	ask(l.port, NULL, 0, HPLUS(HOME_GW ALICE), &r);
	ASSERT_LOCATION(&r, "<ca:HNO>42</ca:HNO>", "Manual");
	ts_http_resp_free(&r);
	ask(l.port, NULL, 0, HPLUS(HOME_GW "<hp:user>sip:bob@example.com</hp:user>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	char *xml = held_req(NULL, 0, HPLUS(HOME_GW ALICE));
	post_held(l.port, "/held/" TENANT_B, xml, &r);
	free(xml);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);

	/* by reference: the URI dereferences to the address, and a 911
	 * dereference event carries it */
	ask(l.port, "locationURI", 1, HPLUS(HOME_GW ALICE), &r);
	ASSERT_LOCATION(&r, "/loc/");
	const char *p = strstr(r.body, "/loc/") + 5;
	char *tok = strndup(p, strcspn(p, "<\" "));
	ts_http_resp_free(&r);
	char path[LIS_TOKEN_TEXT_MAX + 64];
	snprintf(path, sizeof path, "/loc/%s?dialed=911&call_id=c-nomadic", tok);
	cr_assert_eq(ts_http(l.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
	cr_assert(strstr(r.body, "<ca:RD>Elm</ca:RD>") && strstr(r.body, "Manual"), "%s", r.body);
	TS_ASSERT_VALID(r.body, r.body_len);
	ts_http_resp_free(&r);
	free(tok);

	char *ev = ts_read_file(e.file, NULL);
	cr_assert_not_null(ev);
	const char *line = strstr(ev, "\"type\":\"emergency_call\"");
	cr_assert_not_null(line, "%s", ev);
	cr_assert(strstr(line, "Elm") && strstr(line, "Austin"), "the event has the address: %s",
	          ev);
	cr_assert(strstr(line, "\"method\":\"nomadic\""), "%s", ev);
	free(ev);

	cr_assert_eq(ts_lisd_stop(&l), 0);
	env_free(&e);
}

Test(nomadic_integ, invalid_provided_address_is_an_xml_error)
{
	env_t e;
	env_init(&e);
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, e.cfg, NULL);
	ts_http_resp_t r;
	ask(l.port, NULL, 0,
	    HPLUS(HOME_GW ALICE "<hp:providedAddress><ca:civicAddress "
	                        "xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\">"
	                        "<ca:country>usa</ca:country></ca:civicAddress>"
	                        "</hp:providedAddress>"),
	    &r);
	ASSERT_HELD_ERROR(&r, "xmlError");
	ts_http_resp_free(&r);
	/* complete enough to parse, not to dispatch: asked again */
	ask(l.port, NULL, 0,
	    HPLUS(HOME_GW ALICE "<hp:providedAddress><ca:civicAddress "
	                        "xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\">"
	                        "<ca:country>US</ca:country></ca:civicAddress>"
	                        "</hp:providedAddress>"),
	    &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	cr_assert(strstr(r.body, "addressRequired"), "%s", r.body);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	env_free(&e);
}

/* The token of the one location URI in a response. Caller frees. */
static char *token_of(const ts_http_resp_t *r)
{
	const char *p = strstr(r->body, "/loc/");
	cr_assert_not_null(p, "no location URI in\n%s", r->body);
	p += 5;
	size_t n = strcspn(p, "<\" ");
	cr_assert_leq(n, LIS_TOKEN_TEXT_MAX);
	return strndup(p, n);
}

/* GET /loc/TOKEN?QUERY on port, with an Accept header or none. */
static void get_loc(int port, const char *tok, const char *query, const char *accept,
                    ts_http_resp_t *r)
{
	char path[LIS_TOKEN_TEXT_MAX + 128], hdr[128] = "";
	snprintf(path, sizeof path, "/loc/%s%s%s", tok, query ? "?" : "", query ? query : "");
	if (accept)
		snprintf(hdr, sizeof hdr, "Accept: %s\r\n", accept);
	cr_assert_eq(ts_http(port, "GET", path, accept ? hdr : NULL, NULL, 0, r), 0);
}

Test(nomadic_integ, a_nomadic_uri_from_node_a_dereferences_on_node_b)
{
	env_t ea, eb;
	env_init(&ea);
	env_init_key(&eb, ea.key); /* separate db copy and store, the same key file */
	ts_lisd_t a, b;
	ts_lisd_start(&a, ea.db, ea.cfg, NULL);
	ts_lisd_start(&b, eb.db, eb.cfg, NULL);
	ts_http_resp_t r;

	/* node A: the user gives the address, A remembers it and issues a URI */
	ask(a.port, "civic locationURI", 0, HPLUS(HOME_GW ALICE ADDR), &r);
	ASSERT_LOCATION(&r, "<ca:RD>Elm</ca:RD>", "Manual", "/loc/");
	char *tok = token_of(&r);
	ts_http_resp_free(&r);
	/* node B never heard of the user */
	ask(b.port, NULL, 0, HPLUS(HOME_GW ALICE), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);

	/* the call router's dereference lands on node B */
	get_loc(b.port, tok, "dialed=911&call_id=c-lb-1&caller=tel:%2B14085550199", NULL, &r);
	ASSERT_LOCATION(&r, "<ca:RD>Elm</ca:RD>", "<ca:A3>Austin</ca:A3>", "<ca:HNO>42</ca:HNO>",
	                "<gp:method>Manual</gp:method>");
	cr_assert_null(strstr(r.body, "locationUriSet"), "%s", r.body);
	ts_http_resp_free(&r);
	/* and as a bare PIDF-LO (RFC 6753 §3.2) */
	get_loc(b.port, tok, NULL, "application/pidf+xml", &r);
	cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
	cr_assert(strstr(r.body, "<ca:RD>Elm</ca:RD>") && strstr(r.body, "<presence"), "%s",
	          r.body);
	TS_ASSERT_VALID(r.body, r.body_len);
	ts_http_resp_free(&r);

	/* node B recorded the 911 call with the user's address; A did not */
	char *ev = ts_read_file(eb.file, NULL);
	cr_assert_not_null(ev, "node B wrote no events file");
	const char *line = strstr(ev, "\"type\":\"emergency_call\"");
	cr_assert_not_null(line, "%s", ev);
	cr_assert(strstr(line, "\"dialed\":\"911\"") && strstr(line, "c-lb-1"), "%s", ev);
	cr_assert(strstr(line, "Elm") && strstr(line, "Austin"), "the event has the address: %s",
	          ev);
	cr_assert(strstr(line, "\"method\":\"nomadic\""), "%s", ev);
	free(ev);
	ev = ts_read_file(ea.file, NULL);
	cr_assert(!ev || !strstr(ev, "emergency_call"), "%s", ev);
	free(ev);
	free(tok);

	/* an address used once (no hp:user) has a URI too, and B answers it */
	ask(a.port, "locationURI", 1, HPLUS(HOME_GW ADDR), &r);
	ASSERT_LOCATION(&r, "/loc/");
	tok = token_of(&r);
	ts_http_resp_free(&r);
	get_loc(b.port, tok, "dialed=933", NULL, &r);
	ASSERT_LOCATION(&r, "<ca:RD>Elm</ca:RD>", "Manual");
	ts_http_resp_free(&r);
	free(tok);
	ev = ts_read_file(eb.file, NULL);
	cr_assert(ev && strstr(ev, "\"type\":\"test_call\""), "%s", ev ? ev : "(none)");
	free(ev);

	cr_assert_eq(ts_lisd_stop(&a), 0);
	cr_assert_eq(ts_lisd_stop(&b), 0);
	env_free(&ea);
	env_free(&eb);
}
