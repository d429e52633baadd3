/*
 * locationType / exact (RFC 5985 §6.2, §6.2.1), responseTime, and every HELD
 * error code lisd can produce, over real HTTP.
 */
#include "tests/integration/integ.h"

LISD_SUITE(types, "two-tenants.yaml", 60);

#define PORT_REQ LLDP("4", SW1, "5", GI107)              /* a-port: civic + Point */
#define NOGEO_REQ DEVICE("<ip v=\"4\">10.99.1.1</ip>") /* a-nogeo: civic only */

static void ask(const char *types, int exact, const char *inner, ts_http_resp_t *r)
{
	char *xml = held_req(types, exact, inner);
	post_held(lisd.port, "/held/" TENANT_A, xml, r);
	free(xml);
}

static bool has_civic(const ts_http_resp_t *r)
{
	return strstr(r->body, "civicAddress") != NULL;
}

static bool has_geo(const ts_http_resp_t *r)
{
	return strstr(r->body, "Point") != NULL || strstr(r->body, "Circle") != NULL;
}

Test(types, civic_exact_gives_only_civic)
{
	ts_http_resp_t r;
	ask("civic", 1, PORT_REQ, &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	cr_assert(has_civic(&r));
	cr_assert_not(has_geo(&r), "exact civic must not carry geodetic:\n%s", r.body);
	cr_assert_null(strstr(r.body, "locationUriSet"));
	ts_http_resp_free(&r);
}

Test(types, geodetic_exact_gives_only_geodetic_point)
{
	ts_http_resp_t r;
	ask("geodetic", 1, PORT_REQ, &r);
	ASSERT_LOCATION(&r, "Point", "37.41075", "EPSG::4326");
	cr_assert_not(has_civic(&r));
	ts_http_resp_free(&r);
}

Test(types, building_geo_is_a_circle)
{
	ts_http_resp_t r;
	/* a-chassis has no geo of its own: the building's circle of 40 m */
	ask("geodetic", 1, LLDP("4", SW1, "5", "4769312f302f39"), &r);
	ASSERT_LOCATION(&r, "Circle", "radius", "40");
	ts_http_resp_free(&r);
}

Test(types, order_follows_the_request)
{
	ts_http_resp_t r;
	ask("geodetic civic", 0, PORT_REQ, &r);
	ASSERT_LOCATION(&r, "civicAddress", "Point");
	cr_assert(strstr(r.body, "Point") < strstr(r.body, "civicAddress"));
	ts_http_resp_free(&r);
	ask("civic geodetic", 1, PORT_REQ, &r);
	ASSERT_LOCATION(&r, "civicAddress", "Point");
	cr_assert(strstr(r.body, "civicAddress") < strstr(r.body, "Point"));
	ts_http_resp_free(&r);
}

Test(types, not_exact_civic_may_add_geodetic)
{
	ts_http_resp_t r;
	ask("civic", 0, PORT_REQ, &r);
	ASSERT_LOCATION(&r, "civicAddress");
	cr_assert(strstr(r.body, "civicAddress") < (strstr(r.body, "Point") ? strstr(r.body, "Point") : r.body + r.body_len));
	ts_http_resp_free(&r);
}

Test(types, any_and_any_exact_give_everything)
{
	ts_http_resp_t r;
	ask("any", 1, PORT_REQ, &r); /* §6.2.1: exact is ignored for any */
	ASSERT_LOCATION(&r, "civicAddress", "Point");
	ts_http_resp_free(&r);
	ask(NULL, 0, PORT_REQ, &r); /* no locationType = any */
	ASSERT_LOCATION(&r, "civicAddress", "Point");
	ts_http_resp_free(&r);
}

Test(types, geodetic_exact_without_geo_is_cannotProvideLiType)
{
	ts_http_resp_t r;
	ask("geodetic", 1, NOGEO_REQ, &r);
	ASSERT_HELD_ERROR(&r, "cannotProvideLiType");
	ts_http_resp_free(&r);
	ask("civic geodetic", 1, NOGEO_REQ, &r);
	ASSERT_HELD_ERROR(&r, "cannotProvideLiType");
	ts_http_resp_free(&r);
	/* without exact the LIS falls back to what it has */
	ask("geodetic", 0, NOGEO_REQ, &r);
	ASSERT_LOCATION(&r, "civicAddress", "Milpitas");
	ts_http_resp_free(&r);
}

Test(types, response_time_forms)
{
	const char *forms[] = {"emergencyRouting", "emergencyDispatch", "0", "8", "250000"};
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		char *xml = NULL;
		cr_assert(asprintf(&xml,
		                   "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\" "
		                   "responseTime=\"%s\">" PORT_REQ "</locationRequest>",
		                   forms[i]) > 0);
		ts_http_resp_t r;
		post_held(lisd.port, "/held/" TENANT_A, xml, &r);
		ASSERT_LOCATION(&r, "ROOM>101<");
		ts_http_resp_free(&r);
		free(xml);
	}
	ts_http_resp_t r;
	const char *bad = "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\" "
	                  "responseTime=\"soon\"/>";
	post_held(lisd.port, "/held/" TENANT_A, bad, &r);
	ASSERT_HELD_ERROR(&r, "xmlError");
	ts_http_resp_free(&r);
}

Test(types, error_xmlError_for_malformed_and_invalid)
{
	const char *docs[] = {
	    "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">",
	    "not xml at all",
	    "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"><locationType>"
	    "street</locationType></locationRequest>",
	    "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"><locationType "
	    "exact=\"maybe\">civic</locationType></locationRequest>",
	    "<locationRequesd xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"/>",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		ts_http_resp_t r;
		post_held(lisd.port, "/held/" TENANT_A, docs[i], &r);
		ASSERT_HELD_ERROR(&r, "xmlError");
		ts_http_resp_free(&r);
	}
}

Test(types, error_xxe_is_refused_and_nothing_is_read)
{
	char host[256] = "";
	char *h = ts_read_file("/etc/hostname", NULL);
	if (h) {
		snprintf(host, sizeof host, "%s", h);
		host[strcspn(host, "\n")] = 0;
		free(h);
	}
	const char *doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "
	                  "\"file:///etc/hostname\">]>\n<locationRequest "
	                  "xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"><device "
	                  "xmlns=\"urn:ietf:params:xml:ns:geopriv:held:id\"><uri>&x;</uri></device>"
	                  "</locationRequest>";
	ts_http_resp_t r;
	post_held(lisd.port, "/held/" TENANT_A, doc, &r);
	ASSERT_HELD_ERROR(&r, "xmlError");
	/* a short host name ("vm", "en") can occur in any error text by chance */
	if (strlen(host) >= 8)
		cr_assert_null(strstr(r.body, host), "the entity was expanded:\n%s", r.body);
	ts_http_resp_free(&r);
}

Test(types, error_unsupportedMessage_for_other_documents)
{
	const char *doc = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"pres:a@b\"/>";
	ts_http_resp_t r;
	post_held(lisd.port, "/held/" TENANT_A, doc, &r);
	ASSERT_HELD_ERROR(&r, "unsupportedMessage");
	ts_http_resp_free(&r);
	doc = "<locationResponse xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"/>";
	post_held(lisd.port, "/held/" TENANT_A, doc, &r);
	ASSERT_HELD_ERROR(&r, "unsupportedMessage");
	ts_http_resp_free(&r);
}

Test(types, error_badIdentifier_for_malformed_identity)
{
	ts_http_resp_t r;
	ask(NULL, 0, DEVICE("<mac>not-a-mac</mac>"), &r);
	ASSERT_HELD_ERROR(&r, "badIdentifier");
	ts_http_resp_free(&r);
	ask(NULL, 0, DEVICE("<ip v=\"4\">10.1.2</ip>"), &r);
	ASSERT_HELD_ERROR(&r, "badIdentifier");
	ts_http_resp_free(&r);
}

Test(types, error_locationUnknown_and_requestError_carry_messages)
{
	ts_http_resp_t r;
	ask(NULL, 0, DEVICE("<ip v=\"4\">192.0.2.1</ip>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	cr_assert(strstr(r.body, "<message xml:lang=\"en\">") != NULL, "%s", r.body);
	ts_http_resp_free(&r);
	char *xml = held_req(NULL, 0, NULL);
	post_held(lisd.port, "/held", xml, &r);
	ASSERT_HELD_ERROR(&r, "requestError");
	ts_http_resp_free(&r);
	free(xml);
}

Test(types, echoes_the_identities_used)
{
	ts_http_resp_t r;
	ask(NULL, 0, DEVICE("<ip v=\"4\">10.20.30.9</ip>"), &r);
	ASSERT_LOCATION(&r, "10.20.30.9");
	ts_http_resp_free(&r);
}
