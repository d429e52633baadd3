/*
 * Encoders: every document a client can receive is validated against the
 * official schemas (../shared/schemas, via ts_validate) and checked for
 * the content RFC 5491 / RFC 5985 / RFC 6155 require.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

static void setup(void)
{
	proto_global_init();
}

TestSuite(encode, .init = setup, .timeout = 60);

#define C HELD_LT_CIVIC
#define G HELD_LT_GEODETIC
#define U HELD_LT_URI

static wm_location_t g_loc;
static const char *const g_uris[] = {"https://lis.example.com/loc/abc123",
                                     "https://lis.example.com/loc/abc123?x=1&y=2"};

static void fill_location(wm_location_t *l)
{
	memset(l, 0, sizeof *l);
	l->id = "sj-hq-1e";
	l->name = "1st floor, East Wing";
	l->civic[WM_CA_COUNTRY] = "US";
	l->civic[WM_CA_A1] = "CA";
	l->civic[WM_CA_A3] = "San Jose";
	l->civic[WM_CA_PRD] = "W";
	l->civic[WM_CA_RD] = "Tasman";
	l->civic[WM_CA_STS] = "Dr";
	l->civic[WM_CA_HNO] = "170";
	l->civic[WM_CA_LOC] = "East Wing";
	l->civic[WM_CA_FLR] = "1";
	l->civic[WM_CA_PC] = "95134-1706";
	l->geo.set = true;
	l->geo.lat = 37.41075;
	l->geo.lon = -121.9539;
	l->geo.radius = 15;
}

static held_response_spec_t spec(const uint8_t *order, uint8_t n)
{
	held_response_spec_t s;
	memset(&s, 0, sizeof s);
	fill_location(&g_loc);
	s.loc = &g_loc;
	s.method = WM_M_LLDP_PORT;
	s.sel.n = n;
	for (uint8_t i = 0; i < n; i++)
		s.sel.order[i] = order[i];
	s.uris = g_uris;
	s.n_uris = 2;
	s.now = 1795442883; /* 2026-11-23T... */
	s.uri_expires = s.now + 1800;
	s.retention_s = 86400;
	s.entity = "pres:device@lis.example.com";
	s.device_id = "mac:001b213c4d5e";
	return s;
}

/* Encodes, validates, and returns the NUL-terminated document (static). */
static const char *enc(const held_response_spec_t *s)
{
	static held_buf_t b;
	held_buf_reset(&b);
	cr_assert_eq(held_encode_response(&b, s), 0);
	cr_assert_eq(strlen(b.p), b.len, "NUL-terminated, no NUL inside");
	TS_ASSERT_VALID(b.p, b.len);
	return b.p;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void assert_before(const char *doc, const char *a, const char *b)
{
	const char *pa = strstr(doc, a), *pb = strstr(doc, b);
	cr_assert_not_null(pa, "missing %s", a);
	cr_assert_not_null(pb, "missing %s", b);
	cr_assert_lt(pa, pb, "%s must come before %s", a, b);
}

Test(encode, civic_only)
{
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	const char *d = enc(&s);
	cr_assert_eq(count(d, "<dm:device "), 1);
	cr_assert(strstr(d, "<ca:RD>Tasman</ca:RD>"));
	cr_assert(strstr(d, "<ca:country>US</ca:country>"));
	cr_assert(strstr(d, "<gp:method>Wiremap</gp:method>"));
	cr_assert(strstr(d, "<dm:deviceID>mac:001b213c4d5e</dm:deviceID>"));
	cr_assert(strstr(d, "entity=\"pres:device@lis.example.com\""));
	cr_assert_null(strstr(d, "locationUriSet"));
	cr_assert_null(strstr(d, "gml:"));
	/* civicAddr.xsd sequence order */
	assert_before(d, "<ca:country>", "<ca:A1>");
	assert_before(d, "<ca:A3>", "<ca:PRD>");
	assert_before(d, "<ca:PRD>", "<ca:RD>");
	assert_before(d, "<ca:STS>", "<ca:HNO>");
	assert_before(d, "<ca:LOC>", "<ca:FLR>");
	assert_before(d, "<ca:FLR>", "<ca:PC>");
	/* geopriv content order, then deviceID and timestamp */
	assert_before(d, "<gp:location-info>", "<gp:usage-rules>");
	assert_before(d, "<gp:usage-rules>", "<gp:method>");
	assert_before(d, "</gp:geopriv>", "<dm:deviceID>");
	assert_before(d, "<dm:deviceID>", "<dm:timestamp>");
	char now[21], exp[21];
	held_format_time(s.now, now);
	held_format_time(s.now + 86400, exp);
	char want[128];
	snprintf(want, sizeof want, "<dm:timestamp>%s</dm:timestamp>", now);
	cr_assert(strstr(d, want), "%s", d);
	snprintf(want, sizeof want, "<gbp:retention-expiry>%s</gbp:retention-expiry>", exp);
	cr_assert(strstr(d, want), "%s", d);
}

Test(encode, civic_all_keys_with_extensions)
{
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	static char vals[WM_CA_COUNT][16];
	for (int k = 0; k < WM_CA_COUNT; k++) {
		snprintf(vals[k], sizeof vals[k], "v%d", k);
		g_loc.civic[k] = vals[k];
	}
	g_loc.civic[WM_CA_COUNTRY] = "de"; /* lower case: upper-cased */
	const char *d = enc(&s);
	cr_assert(strstr(d, "<ca:country>DE</ca:country>"));
	cr_assert(strstr(d, "<ca:ADDCODE>"));
	cr_assert(strstr(d, "<cae:HNP>"), "%s", d);
	assert_before(d, "<ca:ADDCODE>", "<cae:PN>");
	assert_before(d, "<cae:PN>", "<cae:MP>");
	assert_before(d, "<cae:STP>", "<cae:HNP>");
	for (int k = 0; k < WM_CA_COUNT; k++) {
		char el[32];
		snprintf(el, sizeof el, ":%s>v%d<", wm_ca_key_name((wm_ca_key_t)k), k);
		if (k != WM_CA_COUNTRY)
			cr_assert(strstr(d, el), "missing %s", el);
	}
}

Test(encode, country_that_is_not_alpha2_is_left_out)
{
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	g_loc.civic[WM_CA_COUNTRY] = "USA";
	const char *d = enc(&s);
	cr_assert_null(strstr(d, "ca:country"));
}

Test(encode, escaping_and_bad_bytes)
{
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	g_loc.civic[WM_CA_NAM] = "Smith & Sons <\"R&D\"> ]]> \x01\x7f\xff caf\xc3\xa9 \r\n";
	s.entity = "pres:a&b\"c<@example.com";
	s.device_id = "urn:x:<&>";
	const char *d = enc(&s);
	cr_assert(strstr(d, "Smith &amp; Sons &lt;\"R&amp;D\"&gt; ]]&gt; "), "%s", d);
	cr_assert(strstr(d, "caf\xc3\xa9"));
	cr_assert(strstr(d, "\xef\xbf\xbd"), "bad bytes become U+FFFD");
	cr_assert(strstr(d, "entity=\"pres:a&amp;b&quot;c&lt;@example.com\""), "%s", d);
}

Test(encode, geodetic_point)
{
	held_response_spec_t s = spec((uint8_t[]){G}, 1);
	g_loc.geo.radius = 0;
	const char *d = enc(&s);
	cr_assert(strstr(d, "<gml:Point "));
	cr_assert(strstr(d, "srsName=\"urn:ogc:def:crs:EPSG::4326\""));
	cr_assert(strstr(d, "<gml:pos>37.41075 -121.9539</gml:pos>"), "%s", d);
	cr_assert_null(strstr(d, "gs:"));
	cr_assert_null(strstr(d, "ca:"));
}

Test(encode, geodetic_circle)
{
	held_response_spec_t s = spec((uint8_t[]){G}, 1);
	g_loc.geo.radius = 40.5;
	const char *d = enc(&s);
	cr_assert(strstr(d, "<gs:Circle "));
	cr_assert(strstr(d, "<gs:radius uom=\"urn:ogc:def:uom:EPSG::9001\">40.5</gs:radius>"), "%s",
	          d);
	cr_assert(strstr(d, "<gml:pos>37.41075 -121.9539</gml:pos>"));
}

Test(encode, geodetic_edges)
{
	held_response_spec_t s = spec((uint8_t[]){G}, 1);
	g_loc.geo.lat = -90;
	g_loc.geo.lon = 180;
	g_loc.geo.radius = 0.001;
	const char *d = enc(&s);
	cr_assert(strstr(d, "<gml:pos>-90 180</gml:pos>"), "%s", d);
	g_loc.geo.lat = -0.0000000001;
	g_loc.geo.lon = 0;
	d = enc(&s);
	cr_assert(strstr(d, "<gml:pos>0 0</gml:pos>"), "%s", d);
}

Test(encode, civic_and_geodetic_each_in_own_device)
{
	held_response_spec_t s = spec((uint8_t[]){C, G}, 2);
	const char *d = enc(&s);
	cr_assert_eq(count(d, "<dm:device "), 2);
	cr_assert_eq(count(d, "<gp:geopriv>"), 2, "RFC 5491 rule 2: one location per geopriv");
	cr_assert_eq(count(d, "<gp:location-info>"), 2);
	assert_before(d, "<ca:civicAddress", "<gs:Circle");

	s = spec((uint8_t[]){G, C}, 2);
	d = enc(&s);
	assert_before(d, "<gs:Circle", "<ca:civicAddress");
	cr_assert_eq(count(d, "<dm:device "), 2);
}

Test(encode, location_uri_set_comes_first)
{
	const uint8_t orders[][3] = {{U}, {U, C}, {C, U}, {G, U, C}, {C, G, U}, {U, G, C}};
	const uint8_t lens[] = {1, 2, 2, 3, 3, 3};
	for (size_t i = 0; i < sizeof lens; i++) {
		held_response_spec_t s = spec(orders[i], lens[i]);
		const char *d = enc(&s);
		cr_assert(
		    strstr(d, "<locationURI>https://lis.example.com/loc/abc123</locationURI>"));
		cr_assert(strstr(d, "abc123?x=1&amp;y=2"), "%s", d);
		char exp[21], want[128];
		held_format_time(s.uri_expires, exp);
		snprintf(want, sizeof want, "<locationUriSet expires=\"%s\">", exp);
		cr_assert(strstr(d, want), "%s", d);
		if (lens[i] > 1)
			assert_before(d, "<locationUriSet", "<presence");
		else
			cr_assert_null(strstr(d, "<presence"));
	}
}

Test(encode, methods)
{
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	s.method = WM_M_DID;
	cr_assert(strstr(enc(&s), "<gp:method>DID</gp:method>"));
	s.method = WM_M_NOMADIC;
	cr_assert(strstr(enc(&s), "<gp:method>Manual</gp:method>"));
	s.method = WM_M_SUBNET;
	cr_assert(strstr(enc(&s), "<gp:method>Wiremap</gp:method>"));
	s.method = WM_M_BSSID_WILD;
	cr_assert(strstr(enc(&s), "<gp:method>Wiremap</gp:method>"));
}

Test(encode, echo_of_identities)
{
	held_request_t r;
	char msg[128];
	const char *req = "<locationRequest xmlns=\"" HELD_NS "\"><device xmlns=\"" HELD_ID_NS "\">"
	                  "<ip v=\"4\">192.0.2.5</ip><ip v=\"6\">2001:db8::1</ip>"
	                  "<mac>00:1B:21:3C:4D:5E</mac><uri>tel:+14085551234</uri>"
	                  "<uri>sip:a&amp;b@example.com</uri></device></locationRequest>";
	cr_assert_eq(held_decode_request(req, strlen(req), NULL, &r, msg, sizeof msg), HELD_OK,
	             "%s", msg);
	/* the connection source the daemon adds is not an identity */
	r.q.ip[r.q.n_ip++] = r.q.ip[0];

	held_response_spec_t s = spec((uint8_t[]){C, G, U}, 3);
	s.echo = &r;
	const char *d = enc(&s);
	cr_assert(strstr(d, "<device xmlns=\"" HELD_ID_NS "\">"), "%s", d);
	cr_assert(strstr(d, "<ip v=\"4\">192.0.2.5</ip>"), "%s", d);
	cr_assert(strstr(d, "<ip v=\"6\">2001:db8::1</ip>"), "%s", d);
	cr_assert_eq(count(d, "<ip "), 2);
	cr_assert(strstr(d, "<mac>00-1b-21-3c-4d-5e</mac>"), "%s", d);
	cr_assert(strstr(d, "<uri>tel:+14085551234</uri>"));
	cr_assert(strstr(d, "<uri>sip:a&amp;b@example.com</uri>"));
	assert_before(d, "<locationUriSet", "<device ");

	/* the daemon passes only the identities it used */
	held_request_t used = r;
	used.n_ip_id = 0;
	used.n_mac = 0;
	used.n_uri = 1;
	s.echo = &used;
	d = enc(&s);
	cr_assert_null(strstr(d, "<ip "));
	cr_assert(strstr(d, "<uri>tel:+14085551234</uri>"));

	/* nothing used: no device element */
	used.n_uri = 0;
	d = enc(&s);
	cr_assert_null(strstr(d, "<device "));
}

Test(encode, bare_pidf)
{
	held_buf_t b;
	held_buf_init(&b);
	held_response_spec_t s = spec((uint8_t[]){C, G}, 2);
	cr_assert_eq(pidf_encode(&b, &s), 0);
	TS_ASSERT_VALID(b.p, b.len);
	const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence ";
	cr_assert_eq(strncmp(b.p, head, strlen(head)), 0, "%s", b.p);
	cr_assert_eq(count(b.p, "<dm:device "), 2);

	held_buf_reset(&b);
	s = spec((uint8_t[]){G, U}, 2); /* the URI is not part of a PIDF */
	g_loc.geo.radius = 0;
	cr_assert_eq(pidf_encode(&b, &s), 0);
	TS_ASSERT_VALID(b.p, b.len);
	cr_assert_null(strstr(b.p, "locationURI"));

	held_buf_reset(&b);
	s = spec((uint8_t[]){U}, 1);
	cr_assert_eq(pidf_encode(&b, &s), -EINVAL);
	cr_assert_eq(b.len, 0);
	held_buf_deinit(&b);
}

Test(encode, all_error_codes)
{
	held_buf_t b;
	held_buf_init(&b);
	for (int c = HELD_OK + 1; c < HELD_CODE_COUNT; c++) {
		for (int ar = 0; ar < 2; ar++) {
			held_buf_reset(&b);
			cr_assert_eq(held_encode_error(&b, (held_code_t)c, NULL, ar), 0);
			TS_ASSERT_VALID(b.p, b.len);
			char want[128];
			snprintf(want, sizeof want, "code=\"%s\"", held_code_name((held_code_t)c));
			cr_assert(strstr(b.p, want), "%s", b.p);
			cr_assert(strstr(b.p, "<message xml:lang=\"en\">"));
			cr_assert_eq(strstr(b.p, "addressRequired") != NULL, ar);

			/* a client decoding it as a request gets unsupportedMessage */
			held_request_t r;
			char msg[64];
			cr_assert_eq(held_decode_request(b.p, b.len, NULL, &r, msg, sizeof msg),
			             HELD_UNSUPPORTED_MESSAGE);
		}
	}
	held_buf_deinit(&b);
}

Test(encode, error_message_is_escaped)
{
	held_buf_t b;
	held_buf_init(&b);
	cr_assert_eq(
	    held_encode_error(&b, HELD_XML_ERROR, "not well-formed: <a> & \"b\"\x80", false), 0);
	TS_ASSERT_VALID(b.p, b.len);
	cr_assert(strstr(b.p, "not well-formed: &lt;a&gt; &amp; \"b\"\xef\xbf\xbd</message>"), "%s",
	          b.p);
	held_buf_reset(&b);
	cr_assert_eq(held_encode_error(&b, HELD_OK, "x", false), -EINVAL);
	cr_assert_eq(held_encode_error(&b, HELD_CODE_COUNT, "x", false), -EINVAL);
	cr_assert_eq(b.len, 0);
	held_buf_deinit(&b);
}

Test(encode, code_names)
{
	static const char *const want[HELD_CODE_COUNT] = {"",
	                                                  "requestError",
	                                                  "xmlError",
	                                                  "generalLisError",
	                                                  "locationUnknown",
	                                                  "unsupportedMessage",
	                                                  "timeout",
	                                                  "cannotProvideLiType",
	                                                  "notLocatable",
	                                                  "badIdentifier"};
	for (int c = 0; c < HELD_CODE_COUNT; c++)
		cr_assert_str_eq(held_code_name((held_code_t)c), want[c]);
}

Test(encode, invalid_specs_leave_the_buffer_alone)
{
	held_buf_t b;
	held_buf_init(&b);
	cr_assert_eq(held_encode_error(&b, HELD_TIMEOUT, NULL, false), 0);
	size_t before = b.len;

	held_response_spec_t s = spec((uint8_t[]){C}, 0);
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "empty selection");
	s = spec((uint8_t[]){C, U}, 2);
	s.n_uris = 0;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "URI selected, none given");
	s = spec((uint8_t[]){C}, 1);
	s.entity = NULL;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "no entity");
	s = spec((uint8_t[]){C}, 1);
	s.device_id = NULL;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "no deviceID");
	s = spec((uint8_t[]){G}, 1);
	g_loc.geo.set = false;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "no geo");
	s = spec((uint8_t[]){G}, 1);
	g_loc.geo.lat = NAN;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "NaN");
	s = spec((uint8_t[]){G}, 1);
	g_loc.geo.lat = 91;
	cr_assert_eq(held_encode_response(&b, &s), -EINVAL, "latitude out of range");

	cr_assert_eq(b.len, before);
	cr_assert_eq(strlen(b.p), before);
	TS_ASSERT_VALID(b.p, b.len);
	held_buf_deinit(&b);
}

Test(encode, appends_to_the_buffer)
{
	held_buf_t b;
	held_buf_init(&b);
	held_response_spec_t s = spec((uint8_t[]){C}, 1);
	cr_assert_eq(held_encode_response(&b, &s), 0);
	size_t one = b.len;
	cr_assert_eq(held_encode_response(&b, &s), 0);
	cr_assert_eq(b.len, 2 * one);
	cr_assert_eq(memcmp(b.p, b.p + one, one), 0);
	held_buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_geq(b.cap, 2 * one);
	held_buf_deinit(&b);
	cr_assert_null(b.p);
}

Test(encode, response_is_not_a_request)
{
	held_response_spec_t s = spec((uint8_t[]){C, G, U}, 3);
	const char *d = enc(&s);
	held_request_t r;
	char msg[64];
	cr_assert_eq(held_decode_request(d, strlen(d), NULL, &r, msg, sizeof msg),
	             HELD_UNSUPPORTED_MESSAGE);
}

Test(encode, format_time)
{
	char t[21];
	held_format_time(0, t);
	cr_assert_str_eq(t, "1970-01-01T00:00:00Z");
	struct tm tm = {.tm_year = 2026 - 1900,
	                .tm_mon = 10,
	                .tm_mday = 23,
	                .tm_hour = 14,
	                .tm_min = 8,
	                .tm_sec = 3};
	held_format_time(timegm(&tm), t);
	cr_assert_str_eq(t, "2026-11-23T14:08:03Z");
	held_format_time((time_t)253402300800LL, t); /* year 10000 */
	cr_assert_str_eq(t, "9999-12-31T23:59:59Z");
}
