/*
 * SPEC §4.2 precedence, §4.3 trusted networks and tenant isolation, against
 * the real lisd over HTTP on a loopback port.
 */
#include "tests/integration/integ.h"

LISD_SUITE(precedence, "two-tenants.yaml", 60);

static void ask(const char *tenant, const char *inner, ts_http_resp_t *r)
{
	char path[128];
	snprintf(path, sizeof path, "/held/%s", tenant);
	char *xml = held_req(NULL, 0, inner);
	post_held(lisd.port, path, xml, r);
	free(xml);
}

Test(precedence, step1_lldp_chassis_and_port)
{
	ts_http_resp_t r;
	ask(TENANT_A, LLDP("4", SW1, "5", GI107), &r);
	ASSERT_LOCATION(&r, "ROOM>101<", "Wiremap", "San Jose");
	ts_http_resp_free(&r);
}

Test(precedence, step1_port_as_locally_assigned_text_subtype)
{
	ts_http_resp_t r;
	ask(TENANT_A, LLDP("4", SW1, "7", GI107), &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	ts_http_resp_free(&r);
}

Test(precedence, step2_bssid_exact_and_wildcard)
{
	ts_http_resp_t r;
	ask(TENANT_A, WIFI("00:11:22:33:44:55"), &r);
	ASSERT_LOCATION(&r, "FLR>2<");
	ts_http_resp_free(&r);
	ask(TENANT_A, WIFI("00-11-22-33-44-6A"), &r);
	ASSERT_LOCATION(&r, "FLR>2<");
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<ip v=\"4\">192.0.2.1</ip>") WIFI("00-11-22-33-44-7a"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
}

Test(precedence, step3_chassis_alone_when_port_unknown)
{
	ts_http_resp_t r;
	/* port "Gi1/0/9" */
	ask(TENANT_A, LLDP("4", SW1, "5", "4769312f302f39"), &r);
	ASSERT_LOCATION(&r, "Wiring closet");
	ts_http_resp_free(&r);
}

Test(precedence, lldp_port_beats_bssid_and_bssid_beats_chassis)
{
	ts_http_resp_t r;
	ask(TENANT_A,
	    "<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\">"
	    "<wifi xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>"
	    "00-11-22-33-44-55</bssid></ap></wifi>"
	    "<lldp xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><chassis type=\"4\">" SW1
	    "</chassis><port type=\"5\">" GI107 "</port></lldp></measurements>",
	    &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	ts_http_resp_free(&r);
	ask(TENANT_A,
	    "<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\">"
	    "<lldp xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><chassis type=\"4\">" SW1
	    "</chassis><port type=\"5\">6e6f6e65</port></lldp>"
	    "<wifi xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>"
	    "00-11-22-33-44-55</bssid></ap></wifi></measurements>",
	    &r);
	ASSERT_LOCATION(&r, "FLR>2<");
	ts_http_resp_free(&r);
}

Test(precedence, step4_subnet_longest_prefix_v4_v6)
{
	ts_http_resp_t r;
	ask(TENANT_A, DEVICE("<ip v=\"4\">10.20.30.9</ip>"), &r);
	ASSERT_LOCATION(&r, "ROOM>301<");
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<ip v=\"4\">10.20.99.1</ip>"), &r);
	ASSERT_LOCATION(&r, "FLR>3<");
	cr_assert_null(strstr(r.body, "ROOM>301<"));
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<ip v=\"6\">2001:db8:20:30::5</ip>"), &r);
	ASSERT_LOCATION(&r, "ROOM>301<");
	ts_http_resp_free(&r);
}

Test(precedence, step4_connection_source_when_no_ip_identity)
{
	ts_http_resp_t r;
	ask(TENANT_A, NULL, &r); /* from 127.0.0.1, inside a-lo's 127.0.0.0/8 */
	ASSERT_LOCATION(&r, "ROOM>Lab<");
	ts_http_resp_free(&r);
}

Test(precedence, step4_subnet_beats_step5_gateway)
{
	ts_http_resp_t r;
	ask(TENANT_A, HPLUS("<hp:gatewayMac>00:00:5E:00:01:01</hp:gatewayMac>"), &r);
	ASSERT_LOCATION(&r, "ROOM>Lab<");
	ts_http_resp_free(&r);
}

Test(precedence, step5_gateway_mac)
{
	ts_http_resp_t r;
	ask(TENANT_A,
	    DEVICE("<ip v=\"4\">192.0.2.1</ip>") HPLUS("<hp:gatewayMac>00005e000101</hp:gatewayMac>"),
	    &r);
	ASSERT_LOCATION(&r, "FLR>4<");
	ts_http_resp_free(&r);
}

Test(precedence, step7_did_fallback)
{
	ts_http_resp_t r;
	ask(TENANT_A, DEVICE("<ip v=\"4\">192.0.2.1</ip>") HPLUS("<hp:did>tel:+14085551234</hp:did>"),
	    &r);
	ASSERT_LOCATION(&r, "FLR>5<", ">DID<");
	ts_http_resp_free(&r);
}

Test(precedence, call_router_by_identity_resolves_by_did_not_by_its_own_address)
{
	ts_http_resp_t r;
	/* the request comes from 127.0.0.1 (a-lo's subnet): only the DID may count */
	ask(TENANT_A, DEVICE("<uri>tel:+1-408-555-1234</uri>"), &r);
	ASSERT_LOCATION(&r, "FLR>5<", ">DID<");
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<uri>sip:+14085551234@pbx.example.com;user=phone</uri>"), &r);
	ASSERT_LOCATION(&r, "FLR>5<");
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<uri>tel:+14085550000</uri>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
}

Test(precedence, step8_nothing_matches)
{
	ts_http_resp_t r;
	ask(TENANT_A, DEVICE("<ip v=\"4\">192.0.2.1</ip>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
}

Test(precedence, trusted_networks_gate_subnet_matching)
{
	ts_http_resp_t r;
	/* tenant B trusts only 203.0.113.0/24; we connect from 127.0.0.1 */
	ask(TENANT_B, DEVICE("<ip v=\"4\">10.20.30.9</ip>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	ask(TENANT_B, NULL, &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	/* the other steps still work from outside */
	ask(TENANT_B, LLDP("4", SW1, "5", GI107), &r);
	ASSERT_LOCATION(&r, "FLR>30<", "New York");
	ts_http_resp_free(&r);
}

Test(precedence, tenant_isolation)
{
	ts_http_resp_t r;
	/* identical identifiers give each tenant its own location */
	ask(TENANT_B, WIFI("00-11-22-33-44-55"), &r);
	ASSERT_LOCATION(&r, "FLR>30<");
	cr_assert_null(strstr(r.body, "San Jose"));
	ts_http_resp_free(&r);
	/* tenant A's identifiers never resolve under tenant B */
	ask(TENANT_B, HPLUS("<hp:gatewayMac>00-00-5e-00-01-01</hp:gatewayMac>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	ask(TENANT_B, WIFI("00-11-22-33-44-6a"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	ask(TENANT_B, DEVICE("<uri>tel:+14085551234</uri>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	cr_assert_null(strstr(r.body, "San Jose"));
	ts_http_resp_free(&r);
	ask(TENANT_A, DEVICE("<uri>tel:+12125550100</uri>"), &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
}

Test(precedence, did_fallback_off_but_call_router_identity_still_resolves)
{
	ts_http_resp_t r;
	ask(TENANT_B, LLDP("4", "aabbccddeeff", "5", GI107) HPLUS("<hp:did>tel:+12125550100</hp:did>"),
	    &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	ask(TENANT_B, DEVICE("<uri>tel:+12125550100</uri>"), &r);
	ASSERT_LOCATION(&r, "FLR>30<", ">DID<");
	ts_http_resp_free(&r);
}

Test(precedence, bare_held_path_needs_a_tenant_when_several)
{
	ts_http_resp_t r;
	char *xml = held_req(NULL, 0, LLDP("4", SW1, "5", GI107));
	post_held(lisd.port, "/held", xml, &r);
	ASSERT_HELD_ERROR(&r, "requestError");
	ts_http_resp_free(&r);
	post_held(lisd.port, "/held/33333333-3333-4333-8333-333333333333", xml, &r);
	cr_assert_eq(r.status, 404);
	ts_http_resp_free(&r);
	free(xml);
}
