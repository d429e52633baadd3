/*
 * The socket-free dereference path (lis_deref_handle, deref.c) over a real
 * LMDB store: content negotiation, the 933 read-back sentence, URIs issued
 * by lis_held_handle, the one 404 for every bad token, per-tenant access
 * control, call events, and what a token means after the wiremap changes
 * (a corrected address shows; a deleted location is locationUnknown).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis.h"
#include "tests/support/testsupport.h"

#define WIREMAP(street, extra)                                                                     \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: tenant-a\n"                                                                       \
	"    name: Tenant A\n"                                                                     \
	"    buildings:\n"                                                                         \
	"      - id: hq\n"                                                                         \
	"        name: HQ\n"                                                                       \
	"        address: {country: US, A1: CA, A3: San Jose, HNO: \"170\", PRD: W, RD: " street   \
	", STS: Dr, PC: \"95134-1706\"}\n"                                                         \
	"        geo: {lat: 37.4107, lon: -121.954, radius: 40}\n"                                 \
	"        locations:\n"                                                                     \
	"          - id: east\n"                                                                   \
	"            address: {FLR: \"1\", LOC: East Wing}\n"                                      \
	"            ecbn: \"+14085550100\"\n"                                                     \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-44-55\"\n" extra "  - id: tenant-b\n"                \
	"    name: Tenant B\n"                                                                     \
	"    buildings:\n"                                                                         \
	"      - id: ny\n"                                                                         \
	"        name: NY\n"                                                                       \
	"        address: {country: US, A1: NY, A3: New York, HNO: \"1\", RD: Broadway}\n"         \
	"        locations:\n"                                                                     \
	"          - id: b-desk\n"                                                                 \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-99-99\"\n"

#define WEST                                                                                       \
	"          - id: west\n"                                                                   \
	"            address: {FLR: \"2\", LOC: West Wing, ROOM: \"214\"}\n"                       \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-44-66\"\n"

#define REQ(lt, inner)                                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                               \
	"<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">" lt inner                 \
	"</locationRequest>"
#define WIFI(bssid)                                                                                \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><wifi "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>" bssid      \
	"</bssid></ap></wifi></measurements>"
#define SECRET_B "b-secret-0123456789abcdef"

static char *dir, *db;
static wm_store_t *st;
static wm_index_t *ix;
static lis_config_t cfg;
static lis_handler_t h;
static held_buf_t out;
static lis_deref_out_t o;

static void import(const char *yaml, bool replace)
{
	char *file = ts_write_file(dir, "map.yaml", yaml);
	wm_diag_t *d = wm_diag_new();
	const char *files[] = {file};
	wm_import_opts_t opts = {.replace = replace};
	int rc = wm_import(st, files, 1, &opts, d, NULL);
	for (size_t i = 0; i < wm_diag_count(d); i++)
		cr_log_error("%s", wm_diag_get(d, i));
	cr_assert_eq(rc, 0, "import failed: %s", lis_strerror(rc));
	wm_diag_free(d);
	free(file);
	wm_index_free(ix);
	ix = NULL;
	cr_assert_eq(wm_index_build(st, &ix), 0);
}

static void setup(void)
{
	char err[256], *text = NULL;
	proto_global_init();
	dir = ts_mkdtemp();
	cr_assert(asprintf(&db, "%s/db", dir) > 0);
	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, 0, &st), 0);
	import(WIREMAP("Tasman", WEST), false);

	char *key = ts_write_file(dir, "token.key", "0123456789abcdef0123456789abcdef");
	char *sec = ts_write_file(dir, "b.secret", SECRET_B "\n");
	chmod(key, 0600);
	chmod(sec, 0600);
	cr_assert(asprintf(&text,
	                   "public_url: https://lis.example.com:8443/\n"
	                   "token: {key_file: %s, lifetime: 1h}\n"
	                   "tenants:\n"
	                   "  - id: tenant-a\n"
	                   "    emergency_numbers: [911, \"112\"]\n"
	                   "  - id: tenant-b\n"
	                   "    deref: {auth: bearer, secret_file: %s}\n",
	                   key, sec) > 0);
	wm_diag_t *d = wm_diag_new();
	lis_config_init(&cfg);
	cr_assert_eq(lis_config_load_string(&cfg, "lisd.yaml", text, strlen(text), d), 0);
	wm_diag_free(d);
	lis_handler_init(&h, &cfg);
	cr_assert_eq(lis_handler_setup(&h, &cfg, err, sizeof err), 0, "%s", err);
	held_buf_init(&out);
	free(text);
	free(key);
	free(sec);
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
	free(db);
}

TestSuite(deref, .init = setup, .fini = teardown);

/* ---------------- pure parts --------------------------------------------- */

Test(deref_pure, accept_negotiation)
{
	cr_assert_not(lis_accept_prefers_pidf(NULL));
	cr_assert_not(lis_accept_prefers_pidf(""));
	cr_assert_not(lis_accept_prefers_pidf("*/*"));
	cr_assert_not(lis_accept_prefers_pidf("application/held+xml"));
	cr_assert_not(lis_accept_prefers_pidf("text/html"));
	cr_assert(lis_accept_prefers_pidf("application/pidf+xml"));
	/* RFC 6753 §3.2's example */
	cr_assert(lis_accept_prefers_pidf("application/pidf+xml,application/held+xml;q=0.5"));
	cr_assert_not(lis_accept_prefers_pidf("application/pidf+xml;q=0.5,application/held+xml"));
	cr_assert_not(lis_accept_prefers_pidf("application/pidf+xml, application/held+xml"));
	cr_assert(lis_accept_prefers_pidf("application/held+xml;q=0.1, application/pidf+xml"));
	cr_assert(lis_accept_prefers_pidf("APPLICATION/PIDF+XML ; Q=1.0 , */*;q=0.2"));
	cr_assert(lis_accept_prefers_pidf("application/pidf+xml;charset=utf-8;q=0.9, */*;q=0.8"));
	cr_assert_not(lis_accept_prefers_pidf("application/pidf+xml;q=0"));
	cr_assert_not(lis_accept_prefers_pidf("application/pidf+xml;q=0.000, */*"));
	/* the most specific range decides, not the first */
	cr_assert(lis_accept_prefers_pidf("application/*;q=0.3, application/pidf+xml;q=0.4"));
	cr_assert_not(lis_accept_prefers_pidf("application/*, application/pidf+xml;q=0.4"));
	cr_assert(lis_accept_prefers_pidf("application/pidf+xml, application/held+xml;q=0"));
	cr_assert_not(lis_accept_prefers_pidf(",,, ;;; , q=,"));
}

static wm_location_t demo_loc(void)
{
	wm_location_t l;
	memset(&l, 0, sizeof l);
	l.id = "east";
	l.civic[WM_CA_COUNTRY] = "US";
	l.civic[WM_CA_A1] = "CA";
	l.civic[WM_CA_A3] = "San Jose";
	l.civic[WM_CA_HNO] = "170";
	l.civic[WM_CA_PRD] = "W";
	l.civic[WM_CA_RD] = "Tasman";
	l.civic[WM_CA_STS] = "Dr";
	l.civic[WM_CA_PC] = "95134-1706";
	l.civic[WM_CA_FLR] = "1";
	l.civic[WM_CA_LOC] = "East Wing";
	l.ecbn = "+14085550100";
	return l;
}

Test(deref_pure, readback_sentence)
{
	char s[512];
	wm_location_t l = demo_loc();
	lis_readback_text(&l, NULL, s, sizeof s);
	cr_assert_str_eq(s, "Your callback number is +1 408 555 0100. The address on file is 170 "
	                    "West Tasman Drive, floor 1, East Wing, San Jose, California "
	                    "95134-1706.");
	/* the caller's tel: number wins over the ECBN */
	lis_readback_text(&l, "tel:+1-650-555-0199", s, sizeof s);
	cr_assert(strncmp(s, "Your callback number is +1 650 555 0199. ", 41) == 0, "%s", s);
	/* a sip: caller is not a callback number: the ECBN is used */
	lis_readback_text(&l, "sip:alice@example.com", s, sizeof s);
	cr_assert(strncmp(s, "Your callback number is +1 408 555 0100. ", 41) == 0, "%s", s);
	l.ecbn = NULL;
	lis_readback_text(&l, NULL, s, sizeof s);
	cr_assert(strncmp(s, "No callback number is on file. The address on file is 170 ", 58) == 0,
	          "%s", s);
	lis_readback_text(&l, "tel:+442079460000", s, sizeof s);
	cr_assert(strncmp(s, "Your callback number is +442079460000.", 38) == 0, "%s", s);
	/* room and unit */
	l.civic[WM_CA_LOC] = NULL;
	l.civic[WM_CA_ROOM] = "214";
	l.civic[WM_CA_UNIT] = "B";
	lis_readback_text(&l, NULL, s, sizeof s);
	cr_assert_str_eq(s, "No callback number is on file. The address on file is 170 West "
	                    "Tasman Drive, floor 1, room 214, unit B, San Jose, California "
	                    "95134-1706.");
	/* outside the US nothing is expanded */
	wm_location_t de;
	memset(&de, 0, sizeof de);
	de.civic[WM_CA_COUNTRY] = "DE";
	de.civic[WM_CA_A1] = "BY";
	de.civic[WM_CA_A3] = "München";
	de.civic[WM_CA_RD] = "Marienplatz";
	de.civic[WM_CA_HNO] = "8";
	de.civic[WM_CA_PC] = "80331";
	lis_readback_text(&de, NULL, s, sizeof s);
	cr_assert_str_eq(s, "No callback number is on file. The address on file is 8 Marienplatz, "
	                    "München, BY 80331.");
	/* nothing at all */
	wm_location_t none;
	memset(&none, 0, sizeof none);
	lis_readback_text(&none, NULL, s, sizeof s);
	cr_assert_str_eq(s, "No callback number is on file. No address is on file for this "
	                    "location.");
	lis_readback_text(NULL, NULL, s, sizeof s);
	cr_assert_str_eq(s, "The location for this call is no longer on file.");
	/* truncation is safe */
	char tiny[10];
	size_t n = lis_readback_text(&l, NULL, tiny, sizeof tiny);
	cr_assert_eq(n, 9);
	cr_assert_eq(strlen(tiny), 9);
}

/* ---------------- issuing URIs ------------------------------------------- */

static char *uri_of(const char *doc)
{
	const char *p = strstr(doc, "<locationURI>");
	cr_assert_not_null(p, "no locationURI in:\n%s", doc);
	p += strlen("<locationURI>");
	const char *e = strstr(p, "</locationURI>");
	return strndup(p, (size_t)(e - p));
}

/* Issues a URI for `bssid` of `tenant` with lis_held_handle; returns the token. */
static char *issue(const char *tenant, const char *bssid_req)
{
	lis_client_t c = {.now = time(NULL)};
	lis_outcome_t oc;
	held_buf_reset(&out);
	int hs = lis_held_handle(&h, ix, tenant, strlen(tenant), bssid_req, strlen(bssid_req), &c,
	                         &out, &oc);
	cr_assert_eq(hs, 200);
	cr_assert_eq(oc.code, HELD_OK, "%.*s", (int)out.len, out.p);
	TS_ASSERT_VALID(out.p, out.len);
	char *uri = uri_of(out.p);
	cr_assert(strncmp(uri, "https://lis.example.com:8443/loc/", 33) == 0, "%s", uri);
	char *tok = strdup(uri + 33);
	free(uri);
	return tok;
}

#define REQ_EAST REQ("", WIFI("00-11-22-33-44-55"))
#define REQ_B REQ("", WIFI("00-11-22-33-99-99"))

Test(deref, held_issues_uri_with_policy)
{
	lis_client_t c = {.now = 1800000000};
	lis_outcome_t oc;
	const char *any =
	    REQ("<locationType exact=\"false\">any</locationType>", WIFI("00-11-22-33-44-55"));
	held_buf_reset(&out);
	cr_assert_eq(lis_held_handle(&h, ix, "tenant-a", 8, any, strlen(any), &c, &out, &oc), 200);
	TS_ASSERT_VALID(out.p, out.len);
	cr_assert(strstr(out.p, "civicAddress"), "%s", out.p);
	cr_assert(strstr(out.p, "gml:Point") || strstr(out.p, "Circle"), "%s", out.p);
	cr_assert(strstr(out.p, "expires=\"2027-01-15T09:00:00Z\""), "%s", out.p); /* now + 1h */

	const char *exact = REQ("<locationType exact=\"true\">locationURI</locationType>",
	                        WIFI("00-11-22-33-44-55"));
	held_buf_reset(&out);
	cr_assert_eq(lis_held_handle(&h, ix, "tenant-a", 8, exact, strlen(exact), &c, &out, &oc),
	             200);
	TS_ASSERT_VALID(out.p, out.len);
	cr_assert(strstr(out.p, "locationUriSet"), "%s", out.p);
	cr_assert_null(strstr(out.p, "civicAddress"), "%s", out.p);

	/* without a token key: exact locationURI -> cannotProvideLiType */
	lis_handler_t plain;
	lis_handler_init(&plain, NULL);
	held_buf_reset(&out);
	cr_assert_eq(
	    lis_held_handle(&plain, ix, "tenant-a", 8, exact, strlen(exact), &c, &out, &oc), 200);
	cr_assert_eq(oc.code, HELD_CANNOT_PROVIDE_LI_TYPE);
	TS_ASSERT_VALID(out.p, out.len);
	held_buf_reset(&out);
	cr_assert_eq(lis_held_handle(&plain, ix, "tenant-a", 8, any, strlen(any), &c, &out, &oc),
	             200);
	cr_assert_null(strstr(out.p, "locationUriSet"), "%s", out.p);
}

/* ---------------- dereference --------------------------------------------- */

static int deref_full(lis_http_method_t m, const char *tok, const char *query, const char *accept,
                      const char *auth, const char *body, time_t now)
{
	lis_deref_req_t r = {
	    .method = m,
	    .token = tok,
	    .token_len = strlen(tok),
	    .query = query,
	    .accept = accept,
	    .authorization = auth,
	    .content_type = body ? "application/held+xml" : NULL,
	    .body = body,
	    .body_len = body ? strlen(body) : 0,
	    .now = now,
	};
	held_buf_reset(&out);
	int ds = lis_deref_handle(&h, ix, NULL, &r, &out, &o);
	cr_assert_eq(ds, o.status);
	if (ds == 200 && o.ctype && strstr(o.ctype, "xml"))
		TS_ASSERT_VALID(out.p, out.len);
	return ds;
}

static int deref(lis_http_method_t m, const char *tok, const char *query, const char *accept,
                 const char *auth, const char *body)
{
	return deref_full(m, tok, query, accept, auth, body, 0);
}

static void expect_404(void)
{
	cr_assert_eq(o.status, 404);
	cr_assert_str_eq(o.ctype, "text/plain; charset=utf-8");
	cr_assert_eq(out.len, strlen(LIS_DEREF_NOT_FOUND_BODY));
	cr_assert(memcmp(out.p, LIS_DEREF_NOT_FOUND_BODY, out.len) == 0);
	cr_assert_null(o.allow);
	cr_assert_str_eq(o.oc.tenant, "");
	cr_assert_str_eq(o.oc.location, "");
}

Test(deref, get_post_and_negotiation)
{
	char *tok = issue("tenant-a", REQ_EAST);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, NULL, NULL, NULL, NULL), 200);
	cr_assert_str_eq(o.ctype, "application/held+xml;charset=utf-8");
	cr_assert_eq(o.result, LIS_DR_OK);
	cr_assert_str_eq(o.oc.tenant, "tenant-a");
	cr_assert_str_eq(o.oc.location, "east");
	cr_assert_eq(o.oc.method, WM_M_BSSID);
	cr_assert(strstr(out.p, "<locationResponse"), "%s", out.p);
	cr_assert(strstr(out.p, "East Wing"), "%s", out.p);
	cr_assert(strstr(out.p, "gml:Point") || strstr(out.p, "Circle"), "%s", out.p);
	cr_assert_null(strstr(out.p, "locationUriSet"), "never a new URI:\n%s", out.p);
	cr_assert_eq(o.event, -1);
	cr_assert(strncmp(o.oc.ids, "token=", 6) == 0 && strlen(o.oc.ids) == 18, "%s", o.oc.ids);

	cr_assert_eq(deref(LIS_HTTP_GET, tok, NULL,
	                   "application/pidf+xml,application/held+xml;q=0.5", NULL, NULL),
	             200);
	cr_assert_str_eq(o.ctype, "application/pidf+xml;charset=utf-8");
	cr_assert(strstr(out.p, "<presence"), "%s", out.p);
	cr_assert_null(strstr(out.p, "locationResponse"));

	cr_assert_eq(deref(LIS_HTTP_HEAD, tok, NULL, NULL, NULL, NULL), 200);

	/* POST: locationType honoured; locationURI never issued */
	cr_assert_eq(deref(LIS_HTTP_POST, tok, NULL, NULL, NULL,
	                   REQ("<locationType exact=\"true\">civic</locationType>", "")),
	             200);
	cr_assert(strstr(out.p, "civicAddress"), "%s", out.p);
	cr_assert_null(strstr(out.p, "gml:"), "%s", out.p);
	cr_assert_eq(deref(LIS_HTTP_POST, tok, NULL, "application/pidf+xml", NULL,
	                   REQ("<locationType exact=\"true\">locationURI</locationType>", "")),
	             200);
	cr_assert_eq(o.oc.code, HELD_CANNOT_PROVIDE_LI_TYPE);
	cr_assert_str_eq(o.ctype, "application/held+xml;charset=utf-8");
	cr_assert_eq(deref(LIS_HTTP_POST, tok, NULL, NULL, NULL,
	                   REQ("<locationType exact=\"false\">locationURI</locationType>", "")),
	             200);
	cr_assert_eq(o.oc.code, HELD_OK);
	cr_assert_null(strstr(out.p, "locationUriSet"), "%s", out.p);
	cr_assert(strstr(out.p, "civicAddress"), "%s", out.p);
	cr_assert_eq(deref(LIS_HTTP_POST, tok, NULL, NULL, NULL, "<notxml"), 200);
	cr_assert_eq(o.oc.code, HELD_XML_ERROR);

	/* media type, method */
	lis_deref_req_t r = {.method = LIS_HTTP_POST,
	                     .token = tok,
	                     .token_len = strlen(tok),
	                     .content_type = "text/plain",
	                     .body = "x",
	                     .body_len = 1};
	cr_assert_eq(lis_deref_handle(&h, ix, NULL, &r, &out, &o), 415);
	cr_assert_eq(deref(LIS_HTTP_OTHER, tok, NULL, NULL, NULL, NULL), 405);
	cr_assert_str_eq(o.allow, "GET, POST");
	cr_assert_eq(deref(LIS_HTTP_OTHER, "junk", NULL, NULL, NULL, NULL), 405);
	free(tok);
}

Test(deref, every_bad_token_is_the_same_404)
{
	char *tok = issue("tenant-a", REQ_EAST);
	char bad[1024];
	snprintf(bad, sizeof bad, "%s", tok);
	bad[strlen(bad) / 2] = bad[strlen(bad) / 2] == 'A' ? 'B' : 'A';
	deref(LIS_HTTP_GET, bad, NULL, NULL, NULL, NULL);
	expect_404();
	cr_assert_eq(o.result, LIS_DR_NOT_FOUND);
	deref(LIS_HTTP_GET, "", NULL, NULL, NULL, NULL);
	expect_404();
	deref(LIS_HTTP_GET, "no/such", NULL, NULL, NULL, NULL);
	expect_404();
	char big[2000];
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = 0;
	deref(LIS_HTTP_GET, big, NULL, NULL, NULL, NULL);
	expect_404();
	tok[strlen(tok) - 3] = 0; /* truncated */
	deref(LIS_HTTP_POST, tok, NULL, NULL, NULL, REQ("", ""));
	expect_404();

	/* expired: a token issued with a past expiry */
	lis_token_key_t k;
	char err[256], path[4096], etok[1024];
	snprintf(path, sizeof path, "%s/token.key", dir);
	cr_assert_eq(lis_token_key_load(path, &k, err, sizeof err), 0);
	lis_token_claims_t c = {.tenant = "tenant-a",
	                        .location = "east",
	                        .method = WM_M_BSSID,
	                        .issued = time(NULL) - 3600,
	                        .expires = time(NULL) - 1};
	cr_assert_eq(lis_token_issue(&k, &c, etok, sizeof etok), 0);
	deref(LIS_HTTP_GET, etok, NULL, NULL, NULL, NULL);
	expect_404();
	c.expires = time(NULL) + 60;
	cr_assert_eq(lis_token_issue(&k, &c, etok, sizeof etok), 0);
	cr_assert_eq(deref(LIS_HTTP_GET, etok, NULL, NULL, NULL, NULL), 200);
	cr_assert_eq(deref_full(LIS_HTTP_GET, etok, NULL, NULL, NULL, NULL, c.expires), 404);
	expect_404();
	free(tok);
}

Test(deref, bearer_tenant_access_control)
{
	char *tb = issue("tenant-b", REQ_B);
	char *ta = issue("tenant-a", REQ_EAST);
	/* no credential, wrong scheme: the plain 404, as for an unknown token */
	deref(LIS_HTTP_GET, tb, NULL, NULL, NULL, NULL);
	expect_404();
	cr_assert_eq(o.result, LIS_DR_REFUSED);
	deref(LIS_HTTP_GET, tb, NULL, NULL, "Basic " SECRET_B, NULL);
	expect_404();
	/* a secret no tenant holds: 403 whatever the token */
	cr_assert_eq(deref(LIS_HTTP_GET, tb, NULL, NULL, "Bearer nope-nope-nope-nope", NULL), 403);
	cr_assert_eq(out.len, strlen(LIS_DEREF_FORBIDDEN_BODY));
	cr_assert_eq(deref(LIS_HTTP_GET, "garbage", NULL, NULL, "Bearer nope-nope-nope-nope", NULL),
	             403);
	/* the right one */
	cr_assert_eq(deref(LIS_HTTP_GET, tb, NULL, NULL, "Bearer   " SECRET_B " ", NULL), 200);
	cr_assert_str_eq(o.oc.location, "b-desk");
	/* possession tenant: no credential needed; B's secret does not hurt */
	cr_assert_eq(deref(LIS_HTTP_GET, ta, NULL, NULL, NULL, NULL), 200);
	cr_assert_eq(deref(LIS_HTTP_GET, ta, NULL, NULL, "Bearer " SECRET_B, NULL), 200);
	free(ta);
	free(tb);
}

Test(deref, call_signalling_and_readback)
{
	char *tok = issue("tenant-a", REQ_EAST);
	cr_assert_eq(deref(LIS_HTTP_GET, tok,
	                   "dialed=933&caller=tel%3A%2B14085550199&call_id=abc%20123", NULL, NULL,
	                   NULL),
	             200);
	cr_assert_eq(o.event, LIS_EV_TEST_CALL);
	cr_assert(strstr(o.oc.ids, "dialed=933 caller=tel:+14085550199 call_id=abc 123"), "%s",
	          o.oc.ids);
	cr_assert_eq(deref(LIS_HTTP_POST, tok, "dialed=911", NULL, NULL, REQ("", "")), 200);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "dialed=112", NULL, NULL, NULL), 200);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL); /* the tenant's own list */
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "dialed=411", NULL, NULL, NULL), 200);
	cr_assert_eq(o.event, -1);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "dialed=9%0a11", NULL, NULL, NULL), 200);
	cr_assert_eq(o.event, -1);
	cr_assert_eq(deref(LIS_HTTP_HEAD, tok, "dialed=911", NULL, NULL, NULL), 200);
	cr_assert_eq(o.event, -1); /* HEAD is not a call */
	/* an invalid token never emits */
	deref(LIS_HTTP_GET, "AAAA", "dialed=911", NULL, NULL, NULL);
	cr_assert_eq(o.event, -1);

	cr_assert_eq(deref(LIS_HTTP_GET, tok, "format=text&dialed=933&caller=tel:%2B14085550123",
	                   NULL, NULL, NULL),
	             200);
	cr_assert_str_eq(o.ctype, "text/plain; charset=utf-8");
	cr_assert_eq(o.event, LIS_EV_TEST_CALL);
	cr_assert_eq(out.len, strlen(out.p));
	cr_assert_str_eq(out.p, "Your callback number is +1 408 555 0123. The address on file is "
	                        "170 West Tasman Drive, floor 1, East Wing, San Jose, California "
	                        "95134-1706.\n");
	free(tok);
}

Test(deref, corrected_address_after_reimport)
{
	char *tok = issue("tenant-a", REQ_EAST);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "format=text", NULL, NULL, NULL), 200);
	cr_assert(strstr(out.p, "West Tasman Drive"), "%s", out.p);
	/* the administrator corrects the street; the URI already handed out follows */
	import(WIREMAP("Java", WEST), false);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "format=text", NULL, NULL, NULL), 200);
	cr_assert(strstr(out.p, "170 West Java Drive"), "%s", out.p);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, NULL, NULL, NULL, NULL), 200);
	cr_assert(strstr(out.p, ">Java<"), "%s", out.p);
	free(tok);
}

Test(deref, deleted_location_is_location_unknown)
{
	char *tok = issue("tenant-a", REQ("", WIFI("00-11-22-33-44-66"))); /* west */
	cr_assert_eq(deref(LIS_HTTP_GET, tok, NULL, NULL, NULL, NULL), 200);
	cr_assert_str_eq(o.oc.location, "west");
	import(WIREMAP("Tasman", ""), true);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "dialed=911", NULL, NULL, NULL), 200);
	cr_assert_eq(o.result, LIS_DR_GONE);
	cr_assert_eq(o.oc.code, HELD_LOCATION_UNKNOWN);
	cr_assert(strstr(out.p, "no longer provisioned"), "%s", out.p);
	cr_assert_eq(o.event, LIS_EV_EMERGENCY_CALL); /* a 911 call is reported regardless */
	cr_assert_eq(deref(LIS_HTTP_GET, tok, NULL, "application/pidf+xml", NULL, NULL), 200);
	cr_assert_eq(o.oc.code, HELD_LOCATION_UNKNOWN);
	cr_assert_eq(deref(LIS_HTTP_GET, tok, "format=text", NULL, NULL, NULL), 200);
	cr_assert_str_eq(out.p, "The location for this call is no longer on file.\n");
	free(tok);
}

Test(deref, no_key_no_index)
{
	lis_handler_t plain;
	lis_handler_init(&plain, NULL);
	lis_deref_req_t r = {.method = LIS_HTTP_GET, .token = "abc", .token_len = 3};
	held_buf_reset(&out);
	cr_assert_eq(lis_deref_handle(&plain, ix, NULL, &r, &out, &o), 404);
	expect_404();
	char *tok = issue("tenant-a", REQ_EAST);
	r.token = tok;
	r.token_len = strlen(tok);
	held_buf_reset(&out);
	cr_assert_eq(lis_deref_handle(&h, NULL, NULL, &r, &out, &o), 200);
	cr_assert_eq(o.oc.code, HELD_GENERAL_LIS_ERROR);
	free(tok);
}
