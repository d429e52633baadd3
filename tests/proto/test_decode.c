/*
 * held_decode_request(): what a HELD client can send and what the LIS
 * makes of it (RFC 5985 §5.1, §6.2; RFC 6155; RFC 7105 §5; SPEC §4.4).
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

#define HELD "xmlns=\"" HELD_NS "\""
#define ID "xmlns=\"" HELD_ID_NS "\""
#define LM "xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\""
#define LLDP "xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\""
#define WIFI "xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\""
#define DHCP "xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:dhcp\""
#define HP "xmlns:hp=\"" HELD_PLUS_NS "\""

static void setup(void)
{
	proto_global_init();
}

TestSuite(decode, .init = setup, .timeout = 30);

static char g_msg[256];

static held_code_t dec(const char *xml, held_request_t *r)
{
	return held_decode_request(xml, strlen(xml), NULL, r, g_msg, sizeof g_msg);
}

/* Wraps a body into <locationRequest>. */
static held_code_t dec_req(const char *inner, held_request_t *r)
{
	char buf[8192];
	snprintf(buf, sizeof buf, "<locationRequest " HELD ">%s</locationRequest>", inner);
	return dec(buf, r);
}

static void mac_eq(const wm_mac_t *m, const char *text)
{
	char got[18];
	wm_mac_format(m, got);
	cr_assert_str_eq(got, text);
}

/* ---------------- document element -------------------------------------- */

Test(decode, minimal_request_defaults_to_any)
{
	held_request_t r;
	cr_assert_eq(dec("<locationRequest " HELD "/>", &r), HELD_OK, "%s", g_msg);
	cr_assert(r.type_any);
	cr_assert_not(r.exact);
	cr_assert_eq(r.n_types, 0);
	cr_assert_eq(r.rt_kind, HELD_RT_NONE);
	cr_assert_eq(r.q.n_ip, 0);
	cr_assert_not(r.q.by_identity);
	cr_assert_str_eq(r.user, "");
}

Test(decode, held_messages_other_than_request_are_unsupported)
{
	held_request_t r;
	cr_assert_eq(dec("<locationResponse " HELD "/>", &r), HELD_UNSUPPORTED_MESSAGE);
	cr_assert_eq(dec("<error " HELD " code=\"xmlError\"/>", &r), HELD_UNSUPPORTED_MESSAGE);
}

Test(decode, unknown_name_in_held_namespace_is_xml_error)
{
	held_request_t r;
	cr_assert_eq(dec("<locationRequesd " HELD "/>", &r), HELD_XML_ERROR);
	cr_assert_eq(dec("<h:foo xmlns:h=\"" HELD_NS "\"/>", &r), HELD_XML_ERROR);
}

Test(decode, root_in_other_namespace_is_unsupported)
{
	held_request_t r;
	cr_assert_eq(dec("<locationRequest/>", &r), HELD_UNSUPPORTED_MESSAGE);
	cr_assert_eq(dec("<locationRequest xmlns=\"urn:example:held\"/>", &r),
	             HELD_UNSUPPORTED_MESSAGE);
	cr_assert_eq(
	    dec("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"pres:a@b\"/>", &r),
	    HELD_UNSUPPORTED_MESSAGE);
	/* the namespace of the HELD identity extension is not HELD */
	cr_assert_eq(dec("<locationRequest " ID "/>", &r), HELD_UNSUPPORTED_MESSAGE);
}

Test(decode, unsupported_root_must_still_be_well_formed)
{
	held_request_t r;
	cr_assert_eq(dec("<foo><bar></foo>", &r), HELD_XML_ERROR);
}

Test(decode, prefix_agnostic)
{
	held_request_t r;
	const char *doc =
	    "<x:locationRequest xmlns:x=\"" HELD_NS "\" xmlns:i=\"" HELD_ID_NS "\""
	    " responseTime=\"emergencyDispatch\">"
	    "<x:locationType exact=\"true\">civic</x:locationType>"
	    "<i:device><i:ip v=\"4\">192.0.2.5</i:ip></i:device>"
	    "<zz:heldPlus xmlns:zz=\"" HELD_PLUS_NS "\"><zz:gatewayMac>00:00:5e:00:01:01"
	    "</zz:gatewayMac></zz:heldPlus>"
	    "</x:locationRequest>";
	cr_assert_eq(dec(doc, &r), HELD_OK, "%s", g_msg);
	cr_assert_eq(r.rt_kind, HELD_RT_DISPATCH);
	cr_assert_not(r.type_any);
	cr_assert_eq(r.n_types, 1);
	cr_assert_eq(r.types[0], HELD_LT_CIVIC);
	cr_assert(r.exact);
	cr_assert_eq(r.q.n_ip, 1);
	cr_assert_eq(r.n_ip_id, 1);
	cr_assert_eq(r.q.n_gw, 1);
	mac_eq(&r.q.gw[0], "00-00-5e-00-01-01");

	/* a default namespace redeclared half-way */
	doc = "<held:locationRequest xmlns:held=\"" HELD_NS "\">"
	      "<locationType " HELD ">geodetic</locationType></held:locationRequest>";
	cr_assert_eq(dec(doc, &r), HELD_OK, "%s", g_msg);
	cr_assert_eq(r.n_types, 1);
	cr_assert_eq(r.types[0], HELD_LT_GEODETIC);
}

Test(decode, namespace_exact)
{
	held_request_t r;
	/* an unqualified locationType is not HELD's: ignored (RFC 5985 §5.1) */
	cr_assert_eq(dec("<h:locationRequest xmlns:h=\"" HELD_NS "\"><locationType>civic"
	                 "</locationType></h:locationRequest>",
	                 &r),
	             HELD_OK, "%s", g_msg);
	cr_assert(r.type_any);
	/* a device in the wrong namespace carries no identity */
	cr_assert_eq(
	    dec_req("<device xmlns=\"urn:example\"><ip v=\"4\">192.0.2.1</ip></device>", &r),
	    HELD_OK);
	cr_assert_eq(r.q.n_ip, 0);
	/* identities must be in the held:id namespace even inside a held:id device */
	cr_assert_eq(dec_req("<device " ID "><ip xmlns=\"urn:example\" v=\"4\">192.0.2.1</ip>"
	                     "</device>",
	                     &r),
	             HELD_OK);
	cr_assert_eq(r.q.n_ip, 0);
	/* the prefix "held" bound to another namespace means nothing */
	cr_assert_eq(dec("<held:locationRequest xmlns:held=\"urn:example\"/>", &r),
	             HELD_UNSUPPORTED_MESSAGE);
	/* an unknown element in the HELD namespace inside the request */
	cr_assert_eq(dec_req("<locationTypes>civic</locationTypes>", &r), HELD_XML_ERROR);
}

Test(decode, unknown_children_are_ignored)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<foo xmlns=\"urn:example\" a=\"1\"><bar>text<baz/></bar></foo>"
	            "<?pi data?><!-- comment --><![CDATA[ x ]]>"
	            "<requestPolicyUri xmlns=\"urn:ietf:params:xml:ns:geopriv:held:policy\"/>",
	            &r),
	    HELD_OK, "%s", g_msg);
	cr_assert(r.type_any);
}

/* ---------------- responseTime ---------------------------------------- */

static held_code_t dec_rt(const char *v, held_request_t *r)
{
	char buf[512];
	snprintf(buf, sizeof buf, "<locationRequest " HELD " responseTime=\"%s\"/>", v);
	return dec(buf, r);
}

Test(decode, response_time)
{
	held_request_t r;
	cr_assert_eq(dec_rt("8", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_MS);
	cr_assert_eq(r.rt_ms, 8);
	cr_assert_eq(dec_rt(" 15000 ", &r), HELD_OK);
	cr_assert_eq(r.rt_ms, 15000);
	cr_assert_eq(dec_rt("+0", &r), HELD_OK);
	cr_assert_eq(r.rt_ms, 0);
	cr_assert_eq(dec_rt("99999999999999999999999", &r), HELD_OK);
	cr_assert_eq(r.rt_ms, UINT32_MAX);
	cr_assert_eq(dec_rt("emergencyRouting", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_ROUTING);
	cr_assert_eq(dec_rt("emergencyDispatch", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_DISPATCH);

	cr_assert_eq(dec_rt("-1", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_rt("", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_rt("1.5", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_rt("EmergencyRouting", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_rt("8 ms", &r), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "responseTime"), "message names the field: %s", g_msg);
}

Test(decode, response_time_in_another_namespace_is_not_held)
{
	held_request_t r;
	cr_assert_eq(
	    dec("<locationRequest " HELD " xmlns:o=\"urn:example\" o:responseTime=\"x\"/>", &r),
	    HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_NONE);
}

/* ---------------- locationType ------------------------------------------ */

static held_code_t dec_lt(const char *attrs, const char *v, held_request_t *r)
{
	char buf[512];
	snprintf(buf, sizeof buf, "<locationType%s>%s</locationType>", attrs, v);
	return dec_req(buf, r);
}

Test(decode, location_type_list_in_order)
{
	held_request_t r;
	cr_assert_eq(dec_lt(" exact=\"true\"", "\n   geodetic\n   civic\n   locationURI\n ", &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_not(r.type_any);
	cr_assert(r.exact);
	cr_assert_eq(r.n_types, 3);
	cr_assert_eq(r.types[0], HELD_LT_GEODETIC);
	cr_assert_eq(r.types[1], HELD_LT_CIVIC);
	cr_assert_eq(r.types[2], HELD_LT_URI);

	cr_assert_eq(dec_lt("", "locationURI civic", &r), HELD_OK);
	cr_assert_eq(r.n_types, 2);
	cr_assert_eq(r.types[0], HELD_LT_URI);
	cr_assert_eq(r.types[1], HELD_LT_CIVIC);
	cr_assert_not(r.exact);
}

Test(decode, location_type_duplicates_collapse)
{
	held_request_t r;
	cr_assert_eq(dec_lt("", "civic geodetic civic", &r), HELD_OK);
	cr_assert_eq(r.n_types, 2);
	cr_assert_eq(r.types[0], HELD_LT_CIVIC);
	cr_assert_eq(r.types[1], HELD_LT_GEODETIC);
}

Test(decode, location_type_any)
{
	held_request_t r;
	cr_assert_eq(dec_lt(" exact=\"true\"", " any ", &r), HELD_OK);
	cr_assert(r.type_any);
	cr_assert_eq(r.n_types, 0);
	cr_assert(r.exact, "exact is kept; held_select treats any+exact as not exact");
}

Test(decode, location_type_invalid)
{
	held_request_t r;
	cr_assert_eq(dec_lt("", "", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "   ", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "any civic", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "civic any", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "any any", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "Civic", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "civic,geodetic", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "uri", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt("", "civic<x " HELD "/>", &r), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "locationType") || strstr(g_msg, "element"), "%s", g_msg);
}

Test(decode, exact_is_xs_boolean)
{
	held_request_t r;
	cr_assert_eq(dec_lt(" exact=\"1\"", "civic", &r), HELD_OK);
	cr_assert(r.exact);
	cr_assert_eq(dec_lt(" exact=\" false \"", "civic", &r), HELD_OK);
	cr_assert_not(r.exact);
	cr_assert_eq(dec_lt(" exact=\"0\"", "civic", &r), HELD_OK);
	cr_assert_not(r.exact);
	cr_assert_eq(dec_lt(" exact=\"yes\"", "civic", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt(" exact=\"TRUE\"", "civic", &r), HELD_XML_ERROR);
	cr_assert_eq(dec_lt(" exact=\"\"", "civic", &r), HELD_XML_ERROR);
}

Test(decode, second_location_type_is_xml_error)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<locationType>civic</locationType><locationType>geodetic</locationType>", &r),
	    HELD_XML_ERROR);
}

/* ---------------- RFC 6155 identities ----------------------------------- */

Test(decode, ip_identities)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><ip v=\"4\"> 192.0.2.5 </ip>"
	                     "<ip v=\"6\">2001:db8::1:ea7:fee1:d1e</ip></device>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_ip, 2);
	cr_assert_eq(r.n_ip_id, 2);
	char ip[46];
	wm_ip_format(&r.q.ip[0], ip);
	cr_assert_str_eq(ip, "192.0.2.5");
	cr_assert_eq(r.q.ip[1].family, 6);
	cr_assert_not(r.q.by_identity);
}

Test(decode, ip_identity_malformed_is_bad_identifier)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><ip v=\"4\">192.0.2.300</ip></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><ip v=\"4\">2001:db8::1</ip></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><ip v=\"6\">192.0.2.1</ip></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><ip>192.0.2.1</ip></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><ip v=\"5\">192.0.2.1</ip></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><ip v=\"4\"></ip></device>", &r), HELD_BAD_IDENTIFIER);
	cr_assert(strstr(g_msg, "ip"), "%s", g_msg);
	cr_assert_eq(r.q.n_ip, 0, "nothing is returned with an error");
}

Test(decode, mac_identities)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID
	                     "><mac>00-1B-21-3C-4D-5E</mac><mac>00:11:22:33:44:55</mac>"
	                     "</device>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_eq(r.n_mac, 2);
	mac_eq(&r.mac[0], "00-1b-21-3c-4d-5e");
	mac_eq(&r.mac[1], "00-11-22-33-44-55");
	cr_assert_eq(dec_req("<device " ID "><mac>00-1B-21-3C-4D</mac></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(dec_req("<device " ID "><mac>zz-1B-21-3C-4D-5E</mac></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert(strstr(g_msg, "mac"), "%s", g_msg);
}

Test(decode, tel_uri_is_a_did_and_asks_by_identity)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><uri>tel:+1-408-555-1234</uri></device>", &r), HELD_OK,
	             "%s", g_msg);
	cr_assert_eq(r.n_uri, 1);
	cr_assert_str_eq(r.uri[0], "tel:+1-408-555-1234");
	cr_assert(r.q.has_did);
	cr_assert_str_eq(r.q.did.d, "+14085551234");
	cr_assert(r.q.by_identity);
}

Test(decode, sip_uris)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><uri>sip:+14085551234@example.com;user=phone</uri>"
	                     "</device>",
	                     &r),
	             HELD_OK);
	cr_assert(r.q.has_did);
	cr_assert_str_eq(r.q.did.d, "+14085551234");
	/* a SIP AoR that is not a number is kept (echo) but is no DID */
	cr_assert_eq(dec_req("<device " ID "><uri>sip:bob-04@plugtests.net</uri></device>", &r),
	             HELD_OK);
	cr_assert_eq(r.n_uri, 1);
	cr_assert_not(r.q.has_did);
	cr_assert_not(r.q.by_identity);
	/* a local tel: number is no DID either */
	cr_assert_eq(dec_req("<device " ID "><uri>tel:123456789</uri></device>", &r), HELD_OK);
	cr_assert_not(r.q.has_did);
}

Test(decode, other_uri_schemes_and_identities_are_accepted_unused)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><uri>https://example.com/d/1</uri></device>", &r),
	             HELD_OK);
	cr_assert_eq(r.n_uri, 0);
	cr_assert(r.has_other_id);
	cr_assert_eq(dec_req("<device " ID "><fqdn>host.example.com</fqdn><nai>u@example.net</nai>"
	                     "<duid>0001</duid><imsi>310150123456789</imsi></device>",
	                     &r),
	             HELD_OK);
	cr_assert(r.has_other_id);
	cr_assert_eq(r.q.n_ip + r.n_mac + r.n_uri, 0);
}

Test(decode, uri_identity_malformed)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><uri> </uri></device>", &r), HELD_BAD_IDENTIFIER);
	char big[600] = "<device " ID "><uri>tel:+1";
	size_t l = strlen(big);
	memset(big + l, '5', 300);
	strcpy(big + l + 300, "</uri></device>");
	cr_assert_eq(dec_req(big, &r), HELD_BAD_IDENTIFIER);
}

Test(decode, identity_caps_are_silent)
{
	held_request_t r;
	char buf[4096] = "<device " ID ">";
	for (int i = 0; i < 10; i++) {
		char one[80];
		snprintf(one, sizeof one,
		         "<mac>00-00-00-00-00-%02x</mac><ip v=\"4\">10.0.0.%d</ip>", i, i);
		strcat(buf, one);
	}
	strcat(buf, "</device>");
	cr_assert_eq(dec_req(buf, &r), HELD_OK, "%s", g_msg);
	cr_assert_eq(r.n_mac, HELD_MAX_MAC);
	cr_assert_eq(r.q.n_ip, WM_QUERY_MAX_IP);
	cr_assert_eq(r.n_ip_id, WM_QUERY_MAX_IP);
	mac_eq(&r.mac[0], "00-00-00-00-00-00");
}

/* ---------------- RFC 7105 measurements --------------------------------- */

Test(decode, lldp_measurement)
{
	held_request_t r;
	/* chassis: MAC subtype 4; port: interface name subtype 5 ("Gi1/0/7") */
	cr_assert_eq(dec_req("<measurements " LM "><lldp " LLDP ">"
	                     "<chassis type=\"4\">001B213C4D00</chassis>"
	                     "<port type=\"5\">4769312f302f37</port></lldp></measurements>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert(r.has_measurements);
	cr_assert_eq(r.q.n_lldp, 1);
	wm_lldp_id_t want;
	cr_assert_eq(wm_lldp_parse_config("00-1b-21-3c-4d-00", 17, &want), 0);
	cr_assert_eq(r.q.lldp[0].chassis.cls, want.cls);
	cr_assert_eq(r.q.lldp[0].chassis.len, want.len);
	cr_assert_eq(memcmp(r.q.lldp[0].chassis.v, want.v, want.len), 0);
	cr_assert(r.q.lldp[0].has_port);
	cr_assert_eq(wm_lldp_parse_config("Gi1/0/7", 7, &want), 0);
	cr_assert_eq(r.q.lldp[0].port.len, want.len);
	cr_assert_eq(memcmp(r.q.lldp[0].port.v, want.v, want.len), 0);
	cr_assert_not(r.q.by_identity);
}

Test(decode, lldp_prefixed_and_chassis_only)
{
	held_request_t r;
	cr_assert_eq(dec_req("<m:measurements xmlns:m=\"urn:ietf:params:xml:ns:geopriv:lm\" "
	                     "xmlns:l=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><l:lldp>"
	                     "<l:chassis type=\" 4 \">00 1b 21 3c 4d 00</l:chassis></l:lldp>"
	                     "</m:measurements>",
	                     &r),
	             HELD_XML_ERROR, "hexBinary has no inner spaces");
	cr_assert_eq(dec_req("<m:measurements xmlns:m=\"urn:ietf:params:xml:ns:geopriv:lm\" "
	                     "xmlns:l=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><l:lldp>"
	                     "<l:chassis type=\" 4 \"> 001b213c4d00 </l:chassis></l:lldp>"
	                     "</m:measurements>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_lldp, 1);
	cr_assert_not(r.q.lldp[0].has_port);
}

Test(decode, lldp_bad_values_are_xml_errors)
{
	held_request_t r;
	const char *bad[] = {
	    "<chassis type=\"4\">00112233445</chassis><port type=\"5\">41</port>",
	    "<chassis type=\"4\">0011223344zz</chassis><port type=\"5\">41</port>",
	    "<chassis type=\"4\"></chassis><port type=\"5\">41</port>",
	    "<chassis>001122334455</chassis><port type=\"5\">41</port>",
	    "<chassis type=\"256\">001122334455</chassis><port type=\"5\">41</port>",
	    "<chassis type=\"x\">001122334455</chassis><port type=\"5\">41</port>",
	    "<chassis type=\"4\">001122334455</chassis><port type=\"5\">4</port>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[1024];
		snprintf(buf, sizeof buf,
		         "<measurements " LM "><lldp " LLDP ">%s</lldp></measurements>", bad[i]);
		cr_expect_eq(dec_req(buf, &r), HELD_XML_ERROR, "case %zu: %s", i, bad[i]);
	}
	cr_assert(strstr(g_msg, "lldp"), "%s", g_msg);
}

Test(decode, lldp_unusable_subtype_is_dropped)
{
	held_request_t r;
	cr_assert_eq(dec_req("<measurements " LM "><lldp " LLDP
	                     "><chassis type=\"0\">0a01003c</chassis>"
	                     "<port type=\"6\">c2</port></lldp></measurements>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_lldp, 0);
	cr_assert(r.has_measurements);
}

Test(decode, wifi_serving_ap_first)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<measurements " LM "><wifi " WIFI "><nicType>x</nicType>"
	            "<ap><bssid>00-11-22-33-44-01</bssid><ssid>a</ssid></ap>"
	            "<ap serving=\"false\"><bssid>00-11-22-33-44-02</bssid></ap>"
	            "<ap serving=\"true\"><bssid verified=\"true\">00-11-22-33-44-03</bssid>"
	            "<channel>5</channel></ap>"
	            "<ap><bssid>00-11-22-33-44-04</bssid></ap>"
	            "</wifi></measurements>",
	            &r),
	    HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_bssid, 4);
	mac_eq(&r.q.bssid[0], "00-11-22-33-44-03");
	mac_eq(&r.q.bssid[1], "00-11-22-33-44-01");
	mac_eq(&r.q.bssid[2], "00-11-22-33-44-02");
	mac_eq(&r.q.bssid[3], "00-11-22-33-44-04");
}

Test(decode, wifi_cap_keeps_the_serving_ap)
{
	held_request_t r;
	char buf[8192];
	size_t l = (size_t)snprintf(buf, sizeof buf, "<measurements " LM "><wifi " WIFI ">");
	for (int i = 0; i < 20; i++)
		l += (size_t)snprintf(buf + l, sizeof buf - l,
		                      "<ap serving=\"%s\"><bssid>00-11-22-33-44-%02x</bssid></ap>",
		                      i == 19 ? "1" : "0", i);
	snprintf(buf + l, sizeof buf - l, "</wifi></measurements>");
	cr_assert_eq(dec_req(buf, &r), HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_bssid, WM_QUERY_MAX_BSSID);
	mac_eq(&r.q.bssid[0], "00-11-22-33-44-13");
	mac_eq(&r.q.bssid[1], "00-11-22-33-44-00");
	mac_eq(&r.q.bssid[15], "00-11-22-33-44-0e");
}

Test(decode, wifi_bad_values)
{
	held_request_t r;
	cr_assert_eq(dec_req("<measurements " LM "><wifi " WIFI "><ap><bssid>00-11-22</bssid></ap>"
	                     "</wifi></measurements>",
	                     &r),
	             HELD_XML_ERROR);
	cr_assert_eq(dec_req("<measurements " LM "><wifi " WIFI "><ap serving=\"maybe\">"
	                     "<bssid>00-11-22-33-44-55</bssid></ap></wifi></measurements>",
	                     &r),
	             HELD_XML_ERROR);
}

Test(decode, dhcp_rai_is_kept)
{
	held_request_t r;
	cr_assert_eq(dec_req("<measurements " LM "><dhcp-rai " DHCP "><giaddr>192.0.2.158</giaddr>"
	                     "<circuit>108b</circuit><remote enterprise=\"9\">0a0b</remote>"
	                     "</dhcp-rai></measurements>",
	                     &r),
	             HELD_OK, "%s", g_msg);
	cr_assert(r.has_dhcp);
	char ip[46];
	wm_ip_format(&r.dhcp_giaddr, ip);
	cr_assert_str_eq(ip, "192.0.2.158");
	cr_assert_eq(r.dhcp_circuit_len, 2);
	cr_assert_eq(r.dhcp_circuit[0], 0x10);
	cr_assert_eq(r.dhcp_circuit[1], 0x8b);
	cr_assert_eq(r.dhcp_remote_len, 2);
	cr_assert_eq(dec_req("<measurements " LM "><dhcp-rai " DHCP "><giaddr>192.0.2.</giaddr>"
	                     "</dhcp-rai></measurements>",
	                     &r),
	             HELD_XML_ERROR);
	cr_assert_eq(dec_req("<measurements " LM "><dhcp-rai " DHCP "><giaddr>192.0.2.1</giaddr>"
	                     "<circuit>10g</circuit></dhcp-rai></measurements>",
	                     &r),
	             HELD_XML_ERROR);
}

Test(decode, measurements_outside_measurements_are_ignored)
{
	held_request_t r;
	/* an lldp element directly under locationRequest is an unknown extension */
	cr_assert_eq(dec_req("<lldp " LLDP "><chassis type=\"4\">zz</chassis></lldp>", &r),
	             HELD_OK);
	cr_assert_eq(r.q.n_lldp, 0);
	cr_assert_not(r.has_measurements);
}

/* ---------------- HELD+ ------------------------------------------------- */

Test(decode, held_plus)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<locationType exact=\"false\">any</locationType>"
	            "<hp:heldPlus " HP "><hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac>"
	            "<hp:gatewayMac>0000.5e00.0102</hp:gatewayMac>"
	            "<hp:user>sip:alice@example.com</hp:user>"
	            "<hp:did>tel:+14085551234</hp:did>"
	            "<hp:providedAddress><ca:civicAddress xmlns:ca=\"urn:ietf:params:xml:ns:"
	            "pidf:geopriv10:civicAddr\"><ca:country>US</ca:country></ca:civicAddress>"
	            "</hp:providedAddress></hp:heldPlus>",
	            &r),
	    HELD_OK, "%s", g_msg);
	cr_assert_eq(r.q.n_gw, 2);
	mac_eq(&r.q.gw[0], "00-00-5e-00-01-01");
	mac_eq(&r.q.gw[1], "00-00-5e-00-01-02");
	cr_assert_str_eq(r.user, "sip:alice@example.com");
	cr_assert(r.q.has_did);
	cr_assert_str_eq(r.q.did.d, "+14085551234");
	cr_assert_not(r.q.by_identity, "a gateway MAC locates the device");
}

Test(decode, held_plus_did_alone_asks_by_identity)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<hp:heldPlus " HP "><hp:did>tel:+14085551234</hp:did></hp:heldPlus>", &r),
	    HELD_OK);
	cr_assert(r.q.by_identity);
	/* not a global number: unusable, not an error */
	cr_assert_eq(dec_req("<hp:heldPlus " HP "><hp:did>tel:5551234</hp:did></hp:heldPlus>", &r),
	             HELD_OK);
	cr_assert_not(r.q.has_did);
}

Test(decode, held_plus_bad_gateway_mac)
{
	held_request_t r;
	cr_assert_eq(dec_req("<hp:heldPlus " HP
	                     "><hp:gatewayMac>00-00-5e</hp:gatewayMac></hp:heldPlus>",
	                     &r),
	             HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "gatewayMac"), "%s", g_msg);
}

Test(decode, first_valid_did_wins)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><uri>tel:+15550000001</uri></device>"
	                     "<hp:heldPlus " HP "><hp:did>tel:+15550000002</hp:did></hp:heldPlus>",
	                     &r),
	             HELD_OK);
	cr_assert_str_eq(r.q.did.d, "+15550000001");
	cr_assert_eq(dec_req("<hp:heldPlus " HP "><hp:did>tel:+15550000002</hp:did></hp:heldPlus>"
	                     "<device " ID "><uri>sip:bob@example.com</uri>"
	                     "<uri>tel:+15550000001</uri></device>",
	                     &r),
	             HELD_OK);
	cr_assert_str_eq(r.q.did.d, "+15550000002");
	cr_assert_eq(r.n_uri, 2);
}

Test(decode, by_identity_only_without_location_hints)
{
	held_request_t r;
	const char *tel = "<device " ID "><uri>tel:+14085551234</uri>%s</device>%s";
	char buf[1024];

	snprintf(buf, sizeof buf, tel, "<ip v=\"4\">10.0.0.1</ip>", "");
	cr_assert_eq(dec_req(buf, &r), HELD_OK);
	cr_assert_not(r.q.by_identity, "ip identity");

	snprintf(buf, sizeof buf, tel, "", "<measurements " LM "/>");
	cr_assert_eq(dec_req(buf, &r), HELD_OK);
	cr_assert_not(r.q.by_identity, "measurements");

	snprintf(buf, sizeof buf, tel, "",
	         "<hp:heldPlus " HP
	         "><hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac></hp:heldPlus>");
	cr_assert_eq(dec_req(buf, &r), HELD_OK);
	cr_assert_not(r.q.by_identity, "gateway MAC");

	snprintf(buf, sizeof buf, tel, "<mac>00-11-22-33-44-55</mac>", "<foo xmlns=\"urn:x\"/>");
	cr_assert_eq(dec_req(buf, &r), HELD_OK);
	cr_assert(r.q.by_identity, "a MAC identity does not locate (no precedence step)");
}

Test(decode, errors_leave_a_clean_request)
{
	held_request_t r;
	cr_assert_eq(dec_req("<device " ID "><ip v=\"4\">10.0.0.1</ip><mac>bad</mac></device>", &r),
	             HELD_BAD_IDENTIFIER);
	cr_assert_eq(r.q.n_ip, 0);
	cr_assert(r.type_any);
}

Test(decode, schema_error_outranks_bad_identifier)
{
	held_request_t r;
	cr_assert_eq(
	    dec_req("<device " ID "><mac>bad</mac></device><locationType>x</locationType>", &r),
	    HELD_XML_ERROR);
}

Test(decode, limits_default)
{
	held_limits_t l;
	held_limits_default(&l);
	cr_assert_eq(l.max_bytes, 65536);
	cr_assert_eq(l.max_depth, 32);
	cr_assert_eq(l.max_nodes, 4096);
}

Test(decode, message_always_terminated)
{
	held_request_t r;
	char small[8];
	memset(small, 'x', sizeof small);
	cr_assert_eq(held_decode_request("<a", 2, NULL, &r, small, sizeof small), HELD_XML_ERROR);
	cr_assert_lt(strlen(small), sizeof small);
	cr_assert_eq(held_decode_request("<a", 2, NULL, &r, NULL, 0), HELD_XML_ERROR);
}
