/*
 * SPEC §4.2 step 6 / §4.4, nomadic users, through the socket-free
 * lis_held_handle with a real nomadic LMDB store: the wiremap wins, a
 * provided address is answered (Manual) and remembered per (tenant, user,
 * network), it expires, it is never shared across users, networks or
 * tenants, and addressRequired is asked for. Every document is validated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis_internal.h"
#include "tests/support/testsupport.h"

#define WIREMAP                                                                                    \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: tenant-a\n"                                                                       \
	"    name: Tenant A\n"                                                                     \
	"    did_fallback: true\n"                                                                 \
	"    buildings:\n"                                                                         \
	"      - id: hq\n"                                                                         \
	"        name: HQ\n"                                                                       \
	"        address: {country: US, A1: CA, A3: San Jose, RD: Tasman, HNO: \"170\"}\n"         \
	"        locations:\n"                                                                     \
	"          - id: gw-loc\n"                                                                 \
	"            network:\n"                                                                   \
	"              - gateway_mac: \"00-00-5e-00-01-01\"\n"                                     \
	"          - id: did-loc\n"                                                                \
	"            address: {ROOM: \"214\"}\n"                                                   \
	"    dids:\n"                                                                              \
	"      - {did: \"+14085551234\", location: did-loc}\n"                                     \
	"  - id: tenant-b\n"                                                                       \
	"    name: Tenant B\n"                                                                     \
	"    buildings:\n"                                                                         \
	"      - id: b-hq\n"                                                                       \
	"        name: B HQ\n"                                                                     \
	"        address: {country: US, A1: NY, A3: New York, RD: Broadway, HNO: \"1\"}\n"         \
	"        locations:\n"                                                                     \
	"          - id: b-loc\n"                                                                  \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-99-99\"\n"

#define REQ(lt, inner)                                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                               \
	"<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">" lt inner                 \
	"</locationRequest>"
#define ANY "<locationType exact=\"false\">any</locationType>"
#define URI_ONLY "<locationType exact=\"true\">locationURI</locationType>"
#define HPLUS(inner)                                                                               \
	"<hp:heldPlus xmlns:hp=\"urn:openlis:params:xml:ns:held-plus\">" inner "</hp:heldPlus>"
#define GW(m) "<hp:gatewayMac>" m "</hp:gatewayMac>"
#define USER(u) "<hp:user>" u "</hp:user>"
#define HOME_GW GW("02-aa-bb-cc-dd-01")
#define ALICE USER("sip:alice@example.com")
#define ADDR                                                                                       \
	"<hp:providedAddress><ca:civicAddress "                                                    \
	"xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\">"                            \
	"<ca:country>US</ca:country><ca:A1>TX</ca:A1><ca:A3>Austin</ca:A3>"                        \
	"<ca:RD>Elm</ca:RD><ca:STS>St</ca:STS><ca:HNO>42</ca:HNO>"                                 \
	"</ca:civicAddress></hp:providedAddress>"
#define ADDR_NO_CITY                                                                               \
	"<hp:providedAddress><ca:civicAddress "                                                    \
	"xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr\">"                            \
	"<ca:country>US</ca:country><ca:A1>TX</ca:A1><ca:RD>Elm</ca:RD>"                           \
	"</ca:civicAddress></hp:providedAddress>"
#define WIFI(bssid)                                                                                \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><wifi "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>" bssid      \
	"</bssid></ap></wifi></measurements>"

#define T0 1700000000
#define DAY 86400

static char *dir, *keypath;
static wm_store_t *st;
static wm_index_t *ix;
static lis_handler_t h;
static lis_config_t cfg;
static held_buf_t out;
static lis_outcome_t oc;

static void open_handler(void)
{
	char err[256] = "";
	lis_handler_init(&h, &cfg);
	cr_assert_eq(lis_handler_setup(&h, &cfg, err, sizeof err), 0, "%s", err);
	cr_assert_not_null(h.nomadic);
}

static void setup(void)
{
	proto_global_init();
	dir = ts_mkdtemp();
	char *file = ts_write_file(dir, "map.yaml", WIREMAP);
	char db[4096];
	snprintf(db, sizeof db, "%s/db", dir);
	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, 0, &st), 0);
	wm_diag_t *d = wm_diag_new();
	const char *files[] = {file};
	wm_import_opts_t o = {0};
	cr_assert_eq(wm_import(st, files, 1, &o, d, NULL), 0);
	wm_diag_free(d);
	free(file);
	cr_assert_eq(wm_index_build(st, &ix), 0);

	keypath = ts_write_file(dir, "token.key", "0123456789abcdef0123456789abcdef");
	char *yaml = NULL;
	cr_assert(asprintf(&yaml,
	                   "db: %s\npublic_url: https://lis.example.com/\n"
	                   "token: {key_file: %s}\nnomadic: {ttl: 30d, max_entries: 100}\n",
	                   db, keypath) > 0);
	chmod(keypath, 0600);
	d = wm_diag_new();
	lis_config_init(&cfg);
	int rc = lis_config_load_string(&cfg, "lisd.yaml", yaml, strlen(yaml), d);
	for (size_t i = 0; i < wm_diag_count(d); i++)
		cr_log_error("%s", wm_diag_get(d, i));
	cr_assert_eq(rc, 0);
	wm_diag_free(d);
	free(yaml);
	lis_config_finish(&cfg);
	cr_assert_not_null(strstr(cfg.nomadic_store, "db-nomadic"));
	cr_assert_eq(cfg.nomadic_ttl_s, 30 * DAY);
	open_handler();
	held_buf_init(&out);
}

static void teardown(void)
{
	held_buf_deinit(&out);
	lis_handler_deinit(&h);
	lis_config_deinit(&cfg);
	wm_index_free(ix);
	wm_store_close(st);
	ts_rmtree(dir);
	free(dir);
	free(keypath);
}

TestSuite(nomadic, .init = setup, .fini = teardown);

static void run_at(const char *tenant, const char *body, time_t now)
{
	lis_client_t c = {.now = now};
	held_buf_reset(&out);
	int status =
	    lis_held_handle(&h, ix, tenant, strlen(tenant), body, strlen(body), &c, &out, &oc);
	cr_assert_eq(status, 200);
	cr_assert_gt(out.len, 0);
	TS_ASSERT_VALID(out.p, out.len);
}

static void run(const char *tenant, const char *body)
{
	run_at(tenant, body, T0);
}

static void expect_manual(const char *street)
{
	cr_assert_eq(oc.code, HELD_OK, "%.*s", (int)out.len, out.p);
	cr_assert_eq(oc.method, WM_M_NOMADIC, "method %s", wm_method_name(oc.method));
	cr_assert(strstr(out.p, "<gp:method>Manual</gp:method>"), "%s", out.p);
	cr_assert(strstr(out.p, street), "%s", out.p);
}

static void expect_unknown(bool address_required)
{
	cr_assert_eq(oc.code, HELD_LOCATION_UNKNOWN, "%.*s", (int)out.len, out.p);
	cr_assert(strstr(out.p, "code=\"locationUnknown\""), "%s", out.p);
	cr_assert_eq(strstr(out.p, "addressRequired") != NULL, address_required, "%s", out.p);
}

Test(nomadic, wiremap_wins_over_a_provided_address)
{
	run("tenant-a", REQ(ANY, HPLUS(GW("00-00-5e-00-01-01") ALICE ADDR)));
	cr_assert_eq(oc.code, HELD_OK);
	cr_assert_str_eq(oc.location, "gw-loc");
	cr_assert_eq(oc.method, WM_M_GATEWAY);
	cr_assert_null(strstr(out.p, "Elm"), "%s", out.p);
	/* and nothing was remembered from it */
	held_civic_t c;
	wm_mac_t net;
	cr_assert_eq(wm_mac_parse("00-00-5e-00-01-01", 17, &net), 0);
	cr_assert_eq(
	    lis_nomadic_get(h.nomadic, "tenant-a", "sip:alice@example.com", &net, T0, &c, NULL), 0);
}

Test(nomadic, provided_is_answered_remembered_and_survives_reopen)
{
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)));
	expect_manual("<ca:RD>Elm</ca:RD>");
	cr_assert(strncmp(oc.location, "nomadic:", 8) == 0, "%s", oc.location);
	cr_assert(strstr(out.p, "locationURI"), "a remembered address has a URI: %s", out.p);

	/* the same user on the same network, without an address */
	run_at("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)), T0 + DAY);
	expect_manual("<ca:A3>Austin</ca:A3>");

	/* a new handler on the same store (a lisd restart) still knows it */
	lis_handler_deinit(&h);
	open_handler();
	run_at("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)), T0 + 2 * DAY);
	expect_manual("<ca:HNO>42</ca:HNO>");
}

Test(nomadic, serving_bssid_is_the_network_when_no_gateway)
{
	run("tenant-a", REQ(ANY, WIFI("02-00-00-00-00-07") HPLUS(ALICE ADDR)));
	expect_manual("Elm");
	run("tenant-a", REQ(ANY, WIFI("02-00-00-00-00-07") HPLUS(ALICE)));
	expect_manual("Elm");
	run("tenant-a", REQ(ANY, WIFI("02-00-00-00-00-08") HPLUS(ALICE)));
	expect_unknown(true);
}

Test(nomadic, never_shared_across_users_networks_or_tenants)
{
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)));
	expect_manual("Elm");
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW USER("sip:bob@example.com"))));
	expect_unknown(true);
	run("tenant-a", REQ(ANY, HPLUS(GW("02-aa-bb-cc-dd-02") ALICE)));
	expect_unknown(true);
	run("tenant-b", REQ(ANY, HPLUS(HOME_GW ALICE)));
	expect_unknown(true);
	/* no user: nothing to look up, and no address is asked for */
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW)));
	expect_unknown(false);
}

Test(nomadic, entries_expire_after_the_ttl)
{
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)));
	expect_manual("Elm");
	run_at("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)), T0 + 30 * DAY - 1);
	expect_manual("Elm");
	run_at("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)), T0 + 30 * DAY);
	expect_unknown(true);
}

/* The token of the location URI in `out` (static; valid until the next call). */
static const char *uri_token(void)
{
	static char tok[LIS_TOKEN_TEXT_MAX + 1];
	const char *u = strstr(out.p, "https://lis.example.com/loc/");
	cr_assert_not_null(u, "no location URI: %s", out.p);
	u += strlen("https://lis.example.com/loc/");
	size_t n = strcspn(u, "<");
	cr_assert_leq(n, LIS_TOKEN_TEXT_MAX);
	memcpy(tok, u, n);
	tok[n] = '\0';
	return tok;
}

/* GET /loc/{tok}?query on handler hh at `now`; the answer in out. */
static void deref_on(lis_handler_t *hh, const char *tok, const char *query, time_t now,
                     lis_deref_out_t *o)
{
	lis_deref_req_t r = {.method = LIS_HTTP_GET,
	                     .token = tok,
	                     .token_len = strlen(tok),
	                     .query = query,
	                     .now = now};
	held_buf_reset(&out);
	lis_deref_handle(hh, ix, NULL, &r, &out, o);
	if (o->status == 200 && o->result == LIS_DR_OK)
		TS_ASSERT_VALID(out.p, out.len);
}

Test(nomadic, without_user_or_network_used_once_by_value)
{
	/* no network: answered, not remembered; the URI carries the address */
	run("tenant-a", REQ(ANY, HPLUS(ALICE ADDR)));
	expect_manual("Elm");
	cr_assert_str_eq(oc.location, "nomadic");
	const char *tok = uri_token();
	lis_deref_out_t o;
	deref_on(&h, tok, "dialed=911", T0 + 60, &o);
	cr_assert_eq(o.result, LIS_DR_OK, "%.*s", (int)out.len, out.p);
	cr_assert(strstr(out.p, "<ca:RD>Elm</ca:RD>") && strstr(out.p, "Manual"), "%s", out.p);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL);
	cr_assert_str_eq(o.oc.location, "nomadic");
	run("tenant-a", REQ(ANY, HPLUS(ALICE)));
	expect_unknown(true);
	/* no user */
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ADDR)));
	expect_manual("Elm");
	cr_assert(strstr(out.p, "locationUriSet"), "%s", out.p);
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW)));
	expect_unknown(false);
	/* exactly a URI for an address used once: now it can (RFC 5985 §6.2) */
	run("tenant-a", REQ(URI_ONLY, HPLUS(ADDR)));
	cr_assert_eq(oc.code, HELD_OK, "%s", out.p);
	cr_assert_null(strstr(out.p, "civicAddress"), "exact: the URI only: %s", out.p);
	deref_on(&h, uri_token(), "dialed=933", T0 + 60, &o);
	cr_assert_eq(o.result, LIS_DR_OK);
	cr_assert(strstr(out.p, "<ca:A3>Austin</ca:A3>"), "%s", out.p);
	cr_assert_eq(o.event, LIS_EV_TEST_CALL);
	/* exactly civic: still no URI */
	run("tenant-a", REQ("<locationType exact=\"true\">civic</locationType>", HPLUS(ADDR)));
	cr_assert_eq(oc.code, HELD_OK);
	cr_assert_null(strstr(out.p, "locationUriSet"), "%s", out.p);
}

Test(nomadic, step6_comes_before_the_did_but_not_for_a_call_router)
{
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE "<hp:did>tel:+14085551234</hp:did>" ADDR)));
	expect_manual("Elm");
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE "<hp:did>tel:+14085551234</hp:did>")));
	expect_manual("Elm");
	/* a new user on that network with a DID: step 7 */
	run("tenant-a",
	    REQ(ANY,
	        HPLUS(HOME_GW USER("sip:carol@example.com") "<hp:did>tel:+14085551234</hp:did>")));
	cr_assert_eq(oc.code, HELD_OK);
	cr_assert_eq(oc.method, WM_M_DID);
}

Test(nomadic, incomplete_address_is_refused_and_asked_again)
{
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR_NO_CITY)));
	expect_unknown(true);
	cr_assert(strstr(out.p, "A3"), "the reason names what is missing: %s", out.p);
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)));
	expect_unknown(true);
}

Test(nomadic, a_uri_for_a_remembered_address_dereferences_to_it)
{
	run("tenant-a", REQ(URI_ONLY, HPLUS(HOME_GW ALICE ADDR)));
	cr_assert_eq(oc.code, HELD_OK, "%s", out.p);
	const char *u = strstr(out.p, "https://lis.example.com/loc/");
	cr_assert_not_null(u, "%s", out.p);
	u += strlen("https://lis.example.com/loc/");
	size_t n = strcspn(u, "<");
	char tok[1024];
	cr_assert_lt(n, sizeof tok);
	memcpy(tok, u, n);
	tok[n] = '\0';

	lis_deref_req_t r = {.method = LIS_HTTP_GET, .token = tok, .token_len = n, .now = T0 + 60};
	lis_deref_out_t o;
	held_buf_reset(&out);
	lis_deref_handle(&h, ix, NULL, &r, &out, &o);
	cr_assert_eq(o.status, 200, "%.*s", (int)out.len, out.p);
	cr_assert_eq(o.result, LIS_DR_OK);
	cr_assert(strstr(out.p, "<ca:RD>Elm</ca:RD>"), "%.*s", (int)out.len, out.p);
	cr_assert(strstr(out.p, "Manual"), "%.*s", (int)out.len, out.p);
	TS_ASSERT_VALID(out.p, out.len);

	/* the user corrects the address: the same URI shows the new one */
	run("tenant-a",
	    REQ(ANY, HPLUS(HOME_GW ALICE "<hp:providedAddress><ca:civicAddress "
	                                 "xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:"
	                                 "civicAddr\"><ca:country>US</ca:country><ca:A1>TX</"
	                                 "ca:A1><ca:A3>Austin</ca:A3><ca:RD>Oak</ca:RD>"
	                                 "</ca:civicAddress></hp:providedAddress>")));
	expect_manual("Oak");
	held_buf_reset(&out);
	lis_deref_handle(&h, ix, NULL, &r, &out, &o);
	cr_assert_eq(o.status, 200);
	cr_assert(strstr(out.p, "<ca:RD>Oak</ca:RD>"), "%.*s", (int)out.len, out.p);

	/* the token outlived: not found (a token lives at most 24h, an entry at least 1h) */
	r.now = T0 + 31 * DAY;
	held_buf_reset(&out);
	lis_deref_handle(&h, ix, NULL, &r, &out, &o);
	cr_assert_neq(o.result, LIS_DR_OK);
}

Test(nomadic, store_full_still_answers_but_does_not_remember)
{
	char body[2048];
	for (int i = 0; i < 100; i++) {
		snprintf(
		    body, sizeof body,
		    REQ(ANY,
		        HPLUS(
		            GW("02-aa-bb-cc-dd-01") "<hp:user>sip:u%d@example.com</hp:user>" ADDR)),
		    i);
		run("tenant-a", body);
		expect_manual("Elm");
	}
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)));
	expect_manual("Elm");
	cr_assert_str_eq(oc.location, "nomadic", "full: used once, not remembered");
	/* ... yet its location URI works: the address is in the token */
	lis_deref_out_t o;
	deref_on(&h, uri_token(), "dialed=911", T0 + 60, &o);
	cr_assert_eq(o.result, LIS_DR_OK, "%.*s", (int)out.len, out.p);
	cr_assert(strstr(out.p, "<ca:RD>Elm</ca:RD>"), "%s", out.p);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL);
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE)));
	expect_unknown(true);
	/* once the others expire, there is room again */
	run_at("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)), T0 + 30 * DAY);
	cr_assert(strncmp(oc.location, "nomadic:", 8) == 0, "%s", oc.location);
}

/* ---------------- another node: same token key, its own store ---------- */

/* A second handler ("node B") sharing the token key, with the nomadic
 * store dir/NAME of its own. */
static void open_node(lis_handler_t *hb, lis_config_t *cb, const char *name)
{
	char err[256] = "", *yaml = NULL;
	cr_assert(asprintf(&yaml,
	                   "public_url: https://lis.example.com/\ntoken: {key_file: %s}\n"
	                   "nomadic: {store: %s/%s, ttl: 30d}\n",
	                   keypath, dir, name) > 0);
	wm_diag_t *d = wm_diag_new();
	lis_config_init(cb);
	cr_assert_eq(lis_config_load_string(cb, "b.yaml", yaml, strlen(yaml), d), 0, "%s",
	             wm_diag_count(d) ? wm_diag_get(d, 0) : "");
	wm_diag_free(d);
	free(yaml);
	lis_config_finish(cb);
	lis_handler_init(hb, cb);
	cr_assert_eq(lis_handler_setup(hb, cb, err, sizeof err), 0, "%s", err);
	cr_assert_not_null(hb->nomadic);
}

static void close_node(lis_handler_t *hb, lis_config_t *cb)
{
	lis_handler_deinit(hb);
	lis_config_deinit(cb);
}

static void civic_of(const char *rd, held_civic_t *c)
{
	memset(c, 0, sizeof *c);
	cr_assert(held_civic_put(c, WM_CA_COUNTRY, "US", 2));
	cr_assert(held_civic_put(c, WM_CA_A1, "TX", 2));
	cr_assert(held_civic_put(c, WM_CA_A3, "Austin", 6));
	cr_assert(held_civic_put(c, WM_CA_RD, rd, strlen(rd)));
	c->set = true;
}

static void expect_deref(lis_handler_t *hh, const char *tok, time_t now, const char *rd)
{
	lis_deref_out_t o;
	char want[64];
	deref_on(hh, tok, "dialed=911&call_id=c1", now, &o);
	cr_assert_eq(o.status, 200, "%.*s", (int)out.len, out.p);
	cr_assert_eq(o.result, LIS_DR_OK, "%.*s", (int)out.len, out.p);
	snprintf(want, sizeof want, "<ca:RD>%s</ca:RD>", rd);
	cr_assert(strstr(out.p, want), "want %s in %.*s", rd, (int)out.len, out.p);
	cr_assert(strstr(out.p, "<gp:method>Manual</gp:method>"), "%s", out.p);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL, "the 911 event, whichever the source");
	cr_assert_eq(o.oc.method, WM_M_NOMADIC);
}

static void expect_gone(lis_handler_t *hh, const char *tok, time_t now)
{
	lis_deref_out_t o;
	deref_on(hh, tok, "dialed=911", now, &o);
	cr_assert_eq(o.result, LIS_DR_GONE, "%d %.*s", o.status, (int)out.len, out.p);
	cr_assert(strstr(out.p, "locationUnknown"), "%s", out.p);
}

Test(nomadic, token_carries_the_address_to_a_node_with_an_empty_store)
{
	lis_handler_t hb;
	lis_config_t cb;
	open_node(&hb, &cb, "node-b");
	run("tenant-a", REQ(URI_ONLY, HPLUS(HOME_GW ALICE ADDR)));
	cr_assert_eq(oc.code, HELD_OK, "%s", out.p);
	char tok[LIS_TOKEN_TEXT_MAX + 1];
	snprintf(tok, sizeof tok, "%s", uri_token());
	/* the address is inside, sealed */
	lis_token_claims_t *cl = calloc(1, sizeof *cl);
	cr_assert_eq(lis_token_open(&h.refs->key, tok, strlen(tok), cl), 0);
	cr_assert(cl->civic.set);
	cr_assert_eq(cl->civic_given, T0);
	cr_assert(strncmp(cl->location, "nomadic:", 8) == 0);
	cr_assert_null(strstr(tok, "Elm"));
	free(cl);

	expect_deref(&hb, tok, T0 + 60, "Elm"); /* node B: nothing in its store */
	expect_deref(&h, tok, T0 + 60, "Elm");  /* node A: its own entry */
	/* a node whose store fails over to nothing still answers */
	lis_nomadic_close(hb.nomadic);
	hb.nomadic = NULL;
	expect_deref(&hb, tok, T0 + 60, "Elm");
	close_node(&hb, &cb);
}

Test(nomadic, a_correction_given_later_wins_over_the_token)
{
	lis_handler_t hb;
	lis_config_t cb;
	held_civic_t c;
	wm_mac_t home;
	cr_assert_eq(wm_mac_parse("02-aa-bb-cc-dd-01", 17, &home), 0);
	open_node(&hb, &cb, "node-b");

	run("tenant-a", REQ(URI_ONLY, HPLUS(HOME_GW ALICE ADDR))); /* given at T0 on A */
	char tok[LIS_TOKEN_TEXT_MAX + 1];
	snprintf(tok, sizeof tok, "%s", uri_token());

	/* B holds an older address for the same user and network: the token's wins */
	civic_of("Oak", &c);
	cr_assert_eq(
	    lis_nomadic_put(hb.nomadic, "tenant-a", "sip:alice@example.com", &home, &c, T0 - 10),
	    0);
	expect_deref(&hb, tok, T0 + 60, "Elm");
	/* the user corrects it on B after: B answers the correction */
	civic_of("Pine", &c);
	cr_assert_eq(
	    lis_nomadic_put(hb.nomadic, "tenant-a", "sip:alice@example.com", &home, &c, T0 + 30),
	    0);
	expect_deref(&hb, tok, T0 + 60, "Pine");
	/* node A never saw the correction: the token's address */
	expect_deref(&h, tok, T0 + 60, "Elm");

	/* A recalls Elm a day later: that token's address was given at T0, so
	 * the correction B got at T0+30 still wins there (the user's latest) */
	run_at("tenant-a", REQ(URI_ONLY, HPLUS(HOME_GW ALICE)), T0 + DAY);
	cr_assert_eq(oc.code, HELD_OK, "%s", out.p);
	snprintf(tok, sizeof tok, "%s", uri_token());
	expect_deref(&h, tok, T0 + DAY + 60, "Elm");
	expect_deref(&hb, tok, T0 + DAY + 60, "Pine");

	close_node(&hb, &cb);
}

Test(nomadic, format_1_token_refers_to_the_store_only)
{
	lis_handler_t hb;
	lis_config_t cb;
	wm_mac_t home;
	uint8_t key[LIS_NOMADIC_KEY];
	static const char hexd[] = "0123456789abcdef";
	cr_assert_eq(wm_mac_parse("02-aa-bb-cc-dd-01", 17, &home), 0);
	open_node(&hb, &cb, "node-b");
	run("tenant-a", REQ(ANY, HPLUS(HOME_GW ALICE ADDR)));
	expect_manual("Elm");

	/* what the previous release issued: the entry's name, no address */
	lis_token_claims_t *cl = calloc(1, sizeof *cl);
	snprintf(cl->tenant, sizeof cl->tenant, "tenant-a");
	lis_nomadic_key("tenant-a", "sip:alice@example.com", &home, key);
	int n = snprintf(cl->location, sizeof cl->location, "nomadic:");
	for (int i = 0; i < LIS_NOMADIC_KEY; i++) {
		cl->location[n++] = hexd[key[i] >> 4];
		cl->location[n++] = hexd[key[i] & 15];
	}
	cl->method = WM_M_NOMADIC;
	cl->issued = T0;
	cl->expires = T0 + 3600;
	char tok[LIS_TOKEN_TEXT_MAX + 1];
	cr_assert_eq(lis_token_issue(&h.refs->key, cl, tok, sizeof tok), 0);
	free(cl);
	expect_deref(&h, tok, T0 + 60, "Elm");
	expect_gone(&hb, tok, T0 + 60);
	close_node(&hb, &cb);
}

Test(nomadic, too_long_address_refers_to_the_store_only)
{
	lis_handler_t hb;
	lis_config_t cb;
	char body[4096], loc[701], tok[LIS_TOKEN_TEXT_MAX + 1];
	memset(loc, 'x', 700);
	loc[700] = 0;
	open_node(&hb, &cb, "node-b");
#define LONG_ADDR(who)                                                                             \
	REQ(URI_ONLY, HPLUS(HOME_GW who "<hp:providedAddress><ca:civicAddress "                    \
	                                "xmlns:ca=\"urn:ietf:params:xml:ns:pidf:geopriv10:"        \
	                                "civicAddr\"><ca:country>US</ca:country><ca:A1>TX</"       \
	                                "ca:A1><ca:A3>Austin</ca:A3><ca:LOC>%s</ca:LOC>"           \
	                                "</ca:civicAddress></hp:providedAddress>"))
	/* remembered: the URI names the entry only (format 1) */
	snprintf(body, sizeof body, LONG_ADDR(ALICE), loc);
	run("tenant-a", body);
	cr_assert_eq(oc.code, HELD_OK, "%s", out.p);
	snprintf(tok, sizeof tok, "%s", uri_token());
	lis_token_claims_t *cl = calloc(1, sizeof *cl);
	cr_assert_eq(lis_token_open(&h.refs->key, tok, strlen(tok), cl), 0);
	cr_assert(!cl->civic.set, "a %zu-byte address is not embedded", strlen(loc));
	free(cl);
	lis_deref_out_t o;
	deref_on(&h, tok, NULL, T0 + 60, &o);
	cr_assert_eq(o.result, LIS_DR_OK);
	cr_assert(strstr(out.p, loc), "%s", out.p);
	expect_gone(&hb, tok, T0 + 60);
	/* used once: no URI at all, and the reason says so */
	snprintf(body, sizeof body, LONG_ADDR(""), loc);
	run("tenant-a", body);
	cr_assert_eq(oc.code, HELD_CANNOT_PROVIDE_LI_TYPE, "%s", out.p);
	cr_assert(strstr(out.p, "too long"), "%s", out.p);
#undef LONG_ADDR
	close_node(&hb, &cb);
}

Test(nomadic_config, keys_ranges_and_file_line_errors)
{
	lis_config_t c;
	lis_config_init(&c);
	cr_assert_null(c.nomadic_store);
	cr_assert_eq(c.nomadic_ttl_s, 90 * DAY);
	cr_assert_eq(c.nomadic_max, 100000);
	lis_config_set_db(&c, "/var/lib/openlis/db/");
	lis_config_finish(&c);
	cr_assert_str_eq(c.nomadic_store, "/var/lib/openlis/db-nomadic");
	lis_config_deinit(&c);

	const char *bad = "db: /x\nnomadic:\n  ttl: 10m\n  max_entries: 5\n";
	wm_diag_t *d = wm_diag_new();
	lis_config_init(&c);
	cr_assert_neq(lis_config_load_string(&c, "lisd.yaml", bad, strlen(bad), d), 0);
	bool ttl = false, max = false;
	for (size_t i = 0; i < wm_diag_count(d); i++) {
		ttl |= strncmp(wm_diag_get(d, i), "lisd.yaml:3: nomadic.ttl", 24) == 0;
		max |= strncmp(wm_diag_get(d, i), "lisd.yaml:4: nomadic.max_entries", 32) == 0;
	}
	cr_assert(ttl && max, "%s", wm_diag_count(d) ? wm_diag_get(d, 0) : "(no diagnostics)");
	wm_diag_free(d);
	lis_config_deinit(&c);
}
