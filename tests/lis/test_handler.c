/*
 * The socket-free HELD path (lis_held_handle) over a real LMDB store built
 * with wm_import: every precedence step, the LI type rules, tenants, trusted
 * networks, identities. Every document produced is schema-validated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis.h"
#include "tests/support/testsupport.h"

#define A "tenant-a"
#define B "tenant-b"

#define WIREMAP                                                                                    \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: tenant-a\n"                                                                       \
	"    name: Tenant A\n"                                                                     \
	"    did_fallback: true\n"                                                                 \
	"    trusted_networks: [192.0.2.0/24]\n"                                                   \
	"    buildings:\n"                                                                         \
	"      - id: hq\n"                                                                         \
	"        name: HQ\n"                                                                       \
	"        address: {country: US, A1: CA, A3: San Jose, RD: Tasman, HNO: \"170\"}\n"         \
	"        geo: {lat: 37.4107, lon: -121.954, radius: 40}\n"                                 \
	"        locations:\n"                                                                     \
	"          - id: port-loc\n"                                                               \
	"            address: {FLR: \"1\"}\n"                                                      \
	"            network:\n"                                                                   \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"              \
	"          - id: bssid-loc\n"                                                              \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-44-55\"\n"                                           \
	"          - id: wild-loc\n"                                                               \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-44-6*\"\n"                                           \
	"          - id: chassis-loc\n"                                                            \
	"            network:\n"                                                                   \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\"}\n"                                 \
	"          - id: net-loc\n"                                                                \
	"            network:\n"                                                                   \
	"              - subnet: 10.20.30.0/24\n"                                                  \
	"          - id: gw-loc\n"                                                                 \
	"            network:\n"                                                                   \
	"              - gateway_mac: \"00-00-5e-00-01-01\"\n"                                     \
	"          - id: did-loc\n"                                                                \
	"            address: {ROOM: \"214\"}\n"                                                   \
	"      - id: annex\n"                                                                      \
	"        name: Annex\n"                                                                    \
	"        address: {country: US, A1: CA, A3: Milpitas, RD: Main, HNO: \"1\"}\n"             \
	"        locations:\n"                                                                     \
	"          - id: civic-only\n"                                                             \
	"            network:\n"                                                                   \
	"              - bssid: \"aa-bb-cc-00-00-01\"\n"                                           \
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
	"              - subnet: 10.20.30.0/24\n"                                                  \
	"              - bssid: \"00-11-22-33-99-99\"\n"

#define ONE_TENANT                                                                                 \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: solo\n"                                                                           \
	"    name: Solo\n"                                                                         \
	"    buildings:\n"                                                                         \
	"      - id: s\n"                                                                          \
	"        name: S\n"                                                                        \
	"        address: {country: US, A1: TX, A3: Austin, RD: Congress, HNO: \"5\"}\n"           \
	"        locations:\n"                                                                     \
	"          - id: solo-loc\n"                                                               \
	"            network:\n"                                                                   \
	"              - bssid: \"00-11-22-33-44-55\"\n"

#define REQ(lt, inner)                                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                               \
	"<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">" lt inner                 \
	"</locationRequest>"
#define ANY "<locationType exact=\"false\">any</locationType>"
#define LLDP(ctype, chex, ptype, phex)                                                             \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><lldp "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><chassis type=\"" ctype "\">" chex       \
	"</chassis><port type=\"" ptype "\">" phex "</port></lldp></measurements>"
#define WIFI(bssid)                                                                                \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><wifi "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>" bssid      \
	"</bssid></ap></wifi></measurements>"
#define DEVICE(ids) "<device xmlns=\"urn:ietf:params:xml:ns:geopriv:held:id\">" ids "</device>"
#define HPLUS(inner)                                                                               \
	"<hp:heldPlus xmlns:hp=\"urn:openlis:params:xml:ns:held-plus\">" inner "</hp:heldPlus>"
#define SW1 "001b213c4d00"
#define GI107 "4769312f302f37"

static char *dir, *dir1;
static wm_store_t *st, *st1;
static wm_index_t *ix, *ix1;
static lis_handler_t h;
static held_buf_t out;
static lis_outcome_t oc;

static wm_index_t *build(const char *yaml, char **dirp, wm_store_t **stp)
{
	wm_index_t *x = NULL;
	*dirp = ts_mkdtemp();
	char *file = ts_write_file(*dirp, "map.yaml", yaml);
	char db[4096];
	snprintf(db, sizeof db, "%s/db", *dirp);
	cr_assert_eq(wm_store_open(db, WM_STORE_CREATE, 0, stp), 0);
	wm_diag_t *d = wm_diag_new();
	const char *files[] = {file};
	wm_import_opts_t o = {0};
	int rc = wm_import(*stp, files, 1, &o, d, NULL);
	for (size_t i = 0; i < wm_diag_count(d); i++)
		cr_log_error("%s", wm_diag_get(d, i));
	cr_assert_eq(rc, 0, "import failed: %s", lis_strerror(rc));
	wm_diag_free(d);
	free(file);
	cr_assert_eq(wm_index_build(*stp, &x), 0);
	return x;
}

static void setup(void)
{
	proto_global_init();
	ix = build(WIREMAP, &dir, &st);
	ix1 = build(ONE_TENANT, &dir1, &st1);
	lis_config_t cfg;
	lis_config_init(&cfg);
	cfg.public_url = strdup("https://lis.example.com:8443/held");
	lis_handler_init(&h, &cfg);
	lis_config_deinit(&cfg);
	held_buf_init(&out);
}

static void teardown(void)
{
	held_buf_deinit(&out);
	wm_index_free(ix);
	wm_index_free(ix1);
	wm_store_close(st);
	wm_store_close(st1);
	ts_rmtree(dir);
	ts_rmtree(dir1);
	free(dir);
	free(dir1);
}

TestSuite(handler, .init = setup, .fini = teardown);

/* Runs the handler as if from connection source `src` (NULL = unknown). */
static int run_ix(const wm_index_t *x, const char *tenant, const char *src, const char *body)
{
	lis_client_t c = {.now = 1700000000};
	if (src) {
		cr_assert_eq(wm_ip_parse(src, strlen(src), &c.source), 0);
		c.has_source = true;
	}
	held_buf_reset(&out);
	int status = lis_held_handle(&h, x, tenant, tenant ? strlen(tenant) : 0, body, strlen(body),
	                             &c, &out, &oc);
	if (status == 200) {
		cr_assert_gt(out.len, 0);
		TS_ASSERT_VALID(out.p, out.len);
	}
	return status;
}

static int run(const char *tenant, const char *src, const char *body)
{
	return run_ix(ix, tenant, src, body);
}

static void expect_location(const char *loc, wm_method_t m)
{
	cr_assert_eq(oc.status, 200);
	cr_assert_eq(oc.code, HELD_OK, "expected %s, got %s: %.*s", loc, held_code_name(oc.code),
	             (int)out.len, out.p);
	cr_assert_str_eq(oc.location, loc);
	cr_assert_eq(oc.method, m, "method %s", wm_method_name(oc.method));
	cr_assert(strstr(out.p, "<locationResponse"), "%s", out.p);
}

static void expect_error(held_code_t code)
{
	cr_assert_eq(oc.status, 200);
	cr_assert_eq(oc.code, code, "expected %s, got %s: %.*s", held_code_name(code),
	             held_code_name(oc.code), (int)out.len, out.p);
	char want[64];
	snprintf(want, sizeof want, "code=\"%s\"", held_code_name(code));
	cr_assert(strstr(out.p, want), "%s", out.p);
}

/* ---------------- precedence, one step at a time ------------------------- */

Test(handler, step1_lldp_chassis_and_port)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, LLDP("4", SW1, "5", GI107))), 200);
	expect_location("port-loc", WM_M_LLDP_PORT);
	cr_assert(strstr(out.p, "<ca:FLR>1</ca:FLR>"), "%s", out.p);
	cr_assert(strstr(out.p, "entity=\"pres:"), "%s", out.p);
	cr_assert(strstr(out.p, "@lis.example.com\""), "%s", out.p);
	cr_assert(strstr(out.p, "<gp:method>Wiremap</gp:method>"), "%s", out.p);
	cr_assert(strstr(oc.ids, "lldp=00-1b-21-3c-4d-00/Gi1/0/7"), "%s", oc.ids);
	cr_assert_str_eq(oc.tenant, A);
}

Test(handler, step1_beats_every_other_step)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ(ANY, LLDP("4", SW1, "5", GI107) WIFI("00-11-22-33-44-55")
	                              DEVICE("<ip v=\"4\">10.20.30.5</ip>") HPLUS(
	                                  "<hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac>"))),
	             200);
	expect_location("port-loc", WM_M_LLDP_PORT);
}

Test(handler, step2_bssid_exact_then_wildcard)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00:11:22:33:44:55"))), 200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-6a"))), 200);
	expect_location("wild-loc", WM_M_BSSID_WILD);
}

Test(handler, step3_chassis_alone)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, LLDP("4", SW1, "5", "4769312f302f3939"))), 200);
	expect_location("chassis-loc", WM_M_LLDP_CHASSIS);
}

Test(handler, step4_subnet_from_ip_identity)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, DEVICE("<ip v=\"4\">10.20.30.5</ip>"))), 200);
	expect_location("net-loc", WM_M_SUBNET);
	/* RFC 6155: the identity used is echoed. */
	cr_assert(strstr(out.p, "10.20.30.5"), "%s", out.p);
}

Test(handler, step4_subnet_from_connection_source)
{
	/* tenant-b lists no trusted networks; no <ip>: the source is the device. */
	cr_assert_eq(run(B, "10.20.30.77", REQ(ANY, "")), 200);
	expect_location("b-loc", WM_M_SUBNET);
	cr_assert(strstr(oc.ids, "src-ip=10.20.30.77"), "%s", oc.ids);
	/* IPv4-mapped source behaves like IPv4. */
	cr_assert_eq(run(B, "::ffff:10.20.30.78", REQ(ANY, "")), 200);
	expect_location("b-loc", WM_M_SUBNET);
}

Test(handler, step5_gateway_mac)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ(ANY, HPLUS("<hp:gatewayMac>00:00:5e:00:01:01</hp:gatewayMac>"))),
	             200);
	expect_location("gw-loc", WM_M_GATEWAY);
}

Test(handler, step7_did_fallback)
{
	cr_assert_eq(
	    run(A, "192.0.2.9",
	        REQ(ANY, WIFI("00-99-99-99-99-99") HPLUS("<hp:did>tel:+14085551234</hp:did>"))),
	    200);
	expect_location("did-loc", WM_M_DID);
	cr_assert(strstr(out.p, "<gp:method>DID</gp:method>"), "%s", out.p);
}

Test(handler, by_identity_did)
{
	/* A call router asks by the caller's tel: URI alone: no source IP lookup. */
	cr_assert_eq(run(A, "198.51.100.1", REQ(ANY, DEVICE("<uri>tel:+1-408-555-1234</uri>"))),
	             200);
	expect_location("did-loc", WM_M_DID);
	cr_assert(strstr(out.p, "<ca:ROOM>214</ca:ROOM>"), "%s", out.p);
	cr_assert_null(strstr(oc.ids, "src-ip"), "%s", oc.ids);
}

Test(handler, location_unknown_says_what_was_tried)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-99-99-99-99-99"))), 200);
	expect_error(HELD_LOCATION_UNKNOWN);
	cr_assert(strstr(out.p, "00-99-99-99-99-99"), "%s", out.p);
	TS_ASSERT_VALID(out.p, out.len);
}

/* ---------------- trusted networks -------------------------------------- */

Test(handler, trusted_networks_gate_subnets)
{
	/* Same <ip>, but the request comes from a home network: no subnet match. */
	cr_assert_eq(run(A, "198.51.100.7", REQ(ANY, DEVICE("<ip v=\"4\">10.20.30.5</ip>"))), 200);
	expect_error(HELD_LOCATION_UNKNOWN);
	cr_assert(strstr(out.p, "trusted networks"), "%s", out.p);
	/* Source itself inside a provisioned subnet but outside trusted networks. */
	cr_assert_eq(run(A, "10.20.30.5", REQ(ANY, "")), 200);
	expect_error(HELD_LOCATION_UNKNOWN);
	/* Other identifiers still work from outside. */
	cr_assert_eq(run(A, "198.51.100.7", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	expect_location("bssid-loc", WM_M_BSSID);
}

/* ---------------- location types ---------------------------------------- */

Test(handler, exact_civic_only)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">civic</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert(strstr(out.p, "civicAddress"));
	cr_assert_null(strstr(out.p, "gml:pos"), "%s", out.p);
}

Test(handler, exact_geodetic_only)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">geodetic</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert(strstr(out.p, "gml:pos"));
	cr_assert_null(strstr(out.p, "civicAddress"), "%s", out.p);
}

Test(handler, exact_civic_and_geodetic)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">geodetic civic</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_location("bssid-loc", WM_M_BSSID);
	char *g = strstr(out.p, "gml:pos"), *c = strstr(out.p, "civicAddress");
	cr_assert(g && c);
	cr_assert_lt(g, c, "request order kept: geodetic first");
}

Test(handler, exact_geodetic_without_geo_cannot_provide)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">geodetic</locationType>",
	                     WIFI("aa-bb-cc-00-00-01"))),
	             200);
	expect_error(HELD_CANNOT_PROVIDE_LI_TYPE);
	cr_assert_str_eq(oc.location, "civic-only");
}

Test(handler, exact_location_uri_cannot_provide_yet)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">locationURI</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_error(HELD_CANNOT_PROVIDE_LI_TYPE);
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"true\">civic locationURI</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_error(HELD_CANNOT_PROVIDE_LI_TYPE);
}

Test(handler, inexact_location_uri_gets_values)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"false\">locationURI</locationType>",
	                     WIFI("00-11-22-33-44-55"))),
	             200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert(strstr(out.p, "civicAddress") && strstr(out.p, "gml:pos"), "%s", out.p);
	cr_assert_null(strstr(out.p, "locationUriSet"));
}

Test(handler, inexact_geodetic_without_geo_gets_civic)
{
	cr_assert_eq(run(A, "192.0.2.9",
	                 REQ("<locationType exact=\"false\">geodetic</locationType>",
	                     WIFI("aa-bb-cc-00-00-01"))),
	             200);
	expect_location("civic-only", WM_M_BSSID);
	cr_assert(strstr(out.p, "civicAddress"));
}

Test(handler, no_location_type_means_any)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ("", WIFI("00-11-22-33-44-55"))), 200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert(strstr(out.p, "civicAddress") && strstr(out.p, "gml:pos"), "%s", out.p);
}

/* ---------------- tenants ------------------------------------------------ */

Test(handler, several_tenants_on_bare_held)
{
	cr_assert_eq(run(NULL, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	expect_error(HELD_REQUEST_ERROR);
	cr_assert(strstr(out.p, "this LIS serves several tenants: POST to /held/{tenant-id}"), "%s",
	          out.p);
}

Test(handler, sole_tenant_on_bare_held)
{
	cr_assert_eq(run_ix(ix1, NULL, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	expect_location("solo-loc", WM_M_BSSID);
	cr_assert_str_eq(oc.tenant, "solo");
}

Test(handler, unknown_tenant_is_404)
{
	cr_assert_eq(run("tenant-z", "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 404);
	cr_assert_eq(oc.status, 404);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(run("", "192.0.2.9", REQ(ANY, "")), 404);
	cr_assert_eq(run("tenant-a/x", "192.0.2.9", REQ(ANY, "")), 404);
}

Test(handler, tenant_isolation)
{
	/* Tenant A's BSSID, LLDP, gateway and DID asked for via tenant B. */
	const char *bodies[] = {
	    REQ(ANY, WIFI("00-11-22-33-44-55")),
	    REQ(ANY, LLDP("4", SW1, "5", GI107)),
	    REQ(ANY, HPLUS("<hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac>")),
	    REQ(ANY, DEVICE("<uri>tel:+14085551234</uri>")),
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		cr_assert_eq(run(B, "192.0.2.9", bodies[i]), 200);
		expect_error(HELD_LOCATION_UNKNOWN);
		cr_assert_eq(oc.location[0], '\0');
	}
	/* and the other way round */
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-99-99"))), 200);
	expect_error(HELD_LOCATION_UNKNOWN);
	cr_assert_eq(run(B, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-99-99"))), 200);
	expect_location("b-loc", WM_M_BSSID);
}

Test(handler, no_index_is_general_lis_error)
{
	cr_assert_eq(run_ix(NULL, A, "192.0.2.9", REQ(ANY, "")), 200);
	expect_error(HELD_GENERAL_LIS_ERROR);
}

/* ---------------- request errors and identities -------------------------- */

Test(handler, malformed_xml_is_xml_error)
{
	cr_assert_eq(
	    run(A, "192.0.2.9", "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\""),
	    200);
	expect_error(HELD_XML_ERROR);
	cr_assert_eq(run(A, "192.0.2.9", ""), 200);
	expect_error(HELD_XML_ERROR);
}

Test(handler, other_message_is_unsupported)
{
	cr_assert_eq(run(A, "192.0.2.9", "<foo xmlns=\"urn:example\"/>"), 200);
	expect_error(HELD_UNSUPPORTED_MESSAGE);
}

Test(handler, bad_identity_is_bad_identifier)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, DEVICE("<ip v=\"4\">10.20.30.300</ip>"))), 200);
	expect_error(HELD_BAD_IDENTIFIER);
}

Test(handler, mac_identity_becomes_device_id)
{
	cr_assert_eq(
	    run(A, "192.0.2.9",
	        REQ(ANY, WIFI("00-11-22-33-44-55") DEVICE("<mac>00-1B-21-3C-4D-5E</mac>"))),
	    200);
	expect_location("bssid-loc", WM_M_BSSID);
	cr_assert(strstr(out.p, "<dm:deviceID>mac:001b213c4d5e</dm:deviceID>"), "%s", out.p);
	cr_assert(strstr(oc.ids, "mac=00-1b-21-3c-4d-5e"), "%s", oc.ids);
}

Test(handler, random_device_id_without_mac)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	const char *p = strstr(out.p, "<dm:deviceID>urn:uuid:");
	cr_assert(p, "%s", out.p);
	p += strlen("<dm:deviceID>urn:uuid:");
	cr_assert_eq(p[14], '4', "UUID version 4: %.36s", p);
	cr_assert_eq(p[36], '<');
}

Test(handler, retention_from_config)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	char want[64], t[21];
	held_format_time(1700000000 + 86400, t);
	snprintf(want, sizeof want, "retention-expiry>%s<", t);
	cr_assert(strstr(out.p, want), "want %s in %s", want, out.p);
}

Test(handler, outcome_timing_and_access_line)
{
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	lis_access_t a = {.peer = "192.0.2.9",
	                  .method = "POST",
	                  .path = "/held/tenant-a",
	                  .oc = &oc,
	                  .status = 200,
	                  .usec = 42};
	char line[2048];
	lis_access_format(&a, LIS_LOG_TEXT, 1700000000, line, sizeof line);
	cr_assert_eq(strncmp(line,
	                     "2023-11-14T22:13:20Z info access peer=192.0.2.9 method=POST "
	                     "path=/held/tenant-a ",
	                     77),
	             0, "%s", line);
	cr_assert(strstr(line, " tenant=tenant-a "), "%s", line);
	cr_assert(strstr(line, " ids=\"bssid=00-11-22-33-44-55 src-ip=192.0.2.9\" "), "%s", line);
	cr_assert(strstr(line, " match=bssid location=bssid-loc status=200 us=42"), "%s", line);
	lis_access_format(&a, LIS_LOG_JSON, 1700000000, line, sizeof line);
	cr_assert(strstr(line, "\"ids\":\"bssid=00-11-22-33-44-55 src-ip=192.0.2.9\""), "%s", line);
	cr_assert(strstr(line, "\"status\":200,\"us\":42}"), "%s", line);

	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-99-99-99-99-99"))), 200);
	lis_access_format(&a, LIS_LOG_TEXT, 1700000000, line, sizeof line);
	cr_assert(strstr(line, " error=locationUnknown "), "%s", line);
}

Test(handler, metrics_count_outcomes)
{
	lis_metrics_reset();
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-11-22-33-44-55"))), 200);
	lis_metrics_held(&oc);
	cr_assert_eq(run(A, "192.0.2.9", REQ(ANY, WIFI("00-99-99-99-99-99"))), 200);
	lis_metrics_held(&oc);
	cr_assert_eq(run("nope", "192.0.2.9", REQ(ANY, "")), 404);
	lis_metrics_held(&oc);
	held_buf_t m;
	held_buf_init(&m);
	cr_assert_eq(lis_metrics_render(&m, ix), 0);
	cr_assert(strstr(m.p, "lis_requests_total{outcome=\"location\"} 1\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_requests_total{outcome=\"locationUnknown\"} 1\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_requests_total{outcome=\"http_404\"} 1\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_matches_total{method=\"bssid\"} 1\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_request_duration_seconds_count 3\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_index_entries{kind=\"tenant\"} 2\n"), "%s", m.p);
	cr_assert(strstr(m.p, "lis_reloads_total{result=\"ok\"} 0\n"), "%s", m.p);
	held_buf_deinit(&m);
}
