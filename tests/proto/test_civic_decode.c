/*
 * HELD+ <hp:providedAddress> (SPEC §4.4): decoding the ca:civicAddress a
 * nomadic user typed (RFC 5139, RFC 6848), its schema rules, the
 * completeness check, and hostile tricks (namespaces, prefixes, sizes).
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

#define HELD "xmlns=\"" HELD_NS "\""
#define HP "xmlns:hp=\"" HELD_PLUS_NS "\""
#define CA_URI "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
#define CA "xmlns:ca=\"" CA_URI "\""
#define CAE "xmlns:cae=\"" CA_URI ":ext\""

static void setup(void)
{
	proto_global_init();
}

TestSuite(civic_decode, .init = setup, .timeout = 30);

static char g_msg[256];
static char g_buf[70000];

/* <locationRequest><hp:heldPlus><hp:providedAddress>inner</...> */
static held_code_t dec_pa(const char *inner, held_request_t *r)
{
	snprintf(g_buf, sizeof g_buf,
	         "<locationRequest " HELD "><hp:heldPlus " HP "><hp:user>sip:a@example.com"
	         "</hp:user><hp:providedAddress>%s</hp:providedAddress></hp:heldPlus>"
	         "</locationRequest>",
	         inner);
	return held_decode_request(g_buf, strlen(g_buf), NULL, r, g_msg, sizeof g_msg);
}

static const char *get(const held_request_t *r, wm_ca_key_t k)
{
	return held_civic_get(&r->provided, k);
}

Test(civic_decode, full_address_with_extension_elements)
{
	held_request_t r;
	cr_assert_eq(dec_pa("<ca:civicAddress " CA " " CAE " xml:lang=\"en-US\">"
	                    "<ca:country>US</ca:country><ca:A1>TX</ca:A1>"
	                    "<ca:A3>\n  Austin \t</ca:A3><ca:RD>Elm   Creek</ca:RD>"
	                    "<ca:HNO>42</ca:HNO><ca:PC/><cae:PN>5</cae:PN>"
	                    "<other xmlns=\"urn:example\">x</other>"
	                    "</ca:civicAddress>",
	                    &r),
	             HELD_OK, "%s", g_msg);
	cr_assert(r.provided.set);
	cr_assert_str_eq(get(&r, WM_CA_COUNTRY), "US");
	cr_assert_str_eq(get(&r, WM_CA_A3), "Austin", "xs:token collapse");
	cr_assert_str_eq(get(&r, WM_CA_RD), "Elm Creek");
	cr_assert_str_eq(get(&r, WM_CA_HNO), "42");
	cr_assert_str_eq(get(&r, WM_CA_PN), "5");
	cr_assert_null(get(&r, WM_CA_PC), "an empty element says nothing");
	cr_assert_null(get(&r, WM_CA_A2));
	const char *why = NULL;
	cr_assert(held_civic_usable(&r.provided, &why), "%s", why);
}

Test(civic_decode, default_namespace_and_other_prefix_match_by_uri)
{
	held_request_t r;
	cr_assert_eq(dec_pa("<civicAddress xmlns=\"" CA_URI "\"><country>DE</country>"
	                    "<A1>BY</A1></civicAddress>",
	                    &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_str_eq(get(&r, WM_CA_A1), "BY");
	cr_assert_eq(dec_pa("<zz:civicAddress xmlns:zz=\"" CA_URI "\"><zz:country>FR</zz:country>"
	                    "</zz:civicAddress>",
	                    &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_str_eq(get(&r, WM_CA_COUNTRY), "FR");
}

Test(civic_decode, absent_means_not_set)
{
	held_request_t r;
	snprintf(g_buf, sizeof g_buf,
	         "<locationRequest " HELD "><hp:heldPlus " HP "><hp:user>sip:a@example.com"
	         "</hp:user></hp:heldPlus></locationRequest>");
	cr_assert_eq(held_decode_request(g_buf, strlen(g_buf), NULL, &r, g_msg, sizeof g_msg),
	             HELD_OK);
	cr_assert_not(r.provided.set);
	/* a providedAddress outside heldPlus is not understood: ignored */
	snprintf(g_buf, sizeof g_buf,
	         "<locationRequest " HELD "><hp:providedAddress " HP "><ca:civicAddress " CA
	         "><ca:country>US</ca:country></ca:civicAddress></hp:providedAddress>"
	         "</locationRequest>");
	cr_assert_eq(held_decode_request(g_buf, strlen(g_buf), NULL, &r, g_msg, sizeof g_msg),
	             HELD_OK);
	cr_assert_not(r.provided.set);
}

static void expect_xml_error(const char *inner, const char *why)
{
	held_request_t r;
	cr_assert_eq(dec_pa(inner, &r), HELD_XML_ERROR, "%s: got %s (%s)", why,
	             held_code_name(dec_pa(inner, &r)), g_msg);
	cr_assert_not(r.provided.set, "a refused request carries nothing");
}

Test(civic_decode, schema_invalid_content_is_an_xml_error)
{
	expect_xml_error("<ca:civicAddress " CA "><ca:country>us</ca:country></ca:civicAddress>",
	                 "lower-case country");
	expect_xml_error("<ca:civicAddress " CA "><ca:country>USA</ca:country></ca:civicAddress>",
	                 "three-letter country");
	expect_xml_error("<ca:civicAddress " CA "><ca:A1>TX</ca:A1><ca:A1>CA</ca:A1>"
	                 "</ca:civicAddress>",
	                 "an element twice");
	expect_xml_error("<ca:civicAddress " CA "><ca:STREET>x</ca:STREET></ca:civicAddress>",
	                 "a name civicAddr.xsd does not declare");
	expect_xml_error("<ca:civicAddress " CA "><ca:PN>5</ca:PN></ca:civicAddress>",
	                 "an RFC 6848 name in the RFC 5139 namespace");
	expect_xml_error("<ca:civicAddress " CA "><ca:RD><b>x</b></ca:RD></ca:civicAddress>",
	                 "a child element in a value");
	expect_xml_error("", "no civicAddress");
	expect_xml_error("<x xmlns=\"urn:example\"/>", "only a foreign element");
	expect_xml_error("<ca:civicAddress " CA "/><ca:civicAddress " CA "/>", "two addresses");
	expect_xml_error("<ca:country " CA ">US</ca:country>", "not a civicAddress");
}

Test(civic_decode, two_provided_addresses_are_an_xml_error)
{
	held_request_t r;
	snprintf(g_buf, sizeof g_buf,
	         "<locationRequest " HELD "><hp:heldPlus " HP ">"
	         "<hp:providedAddress><ca:civicAddress " CA "/></hp:providedAddress>"
	         "<hp:providedAddress><ca:civicAddress " CA "/></hp:providedAddress>"
	         "</hp:heldPlus></locationRequest>");
	cr_assert_eq(held_decode_request(g_buf, strlen(g_buf), NULL, &r, g_msg, sizeof g_msg),
	             HELD_XML_ERROR);
}

Test(civic_decode, hostile_namespace_tricks)
{
	held_request_t r;
	/* the ca prefix bound to a look-alike namespace: not an address */
	expect_xml_error("<ca:civicAddress xmlns:ca=\"" CA_URI "/\"><ca:country>US</ca:country>"
	                 "</ca:civicAddress>",
	                 "trailing slash namespace");
	expect_xml_error("<ca:civicAddress xmlns:ca=\"URN:IETF:PARAMS:XML:NS:PIDF:GEOPRIV10:"
	                 "CIVICADDR\"/>",
	                 "case-changed namespace");
	/* elements in a foreign namespace under a real civicAddress are skipped */
	cr_assert_eq(dec_pa("<ca:civicAddress " CA "><x:country xmlns:x=\"urn:evil\">ZZ"
	                    "</x:country><ca:country>US</ca:country></ca:civicAddress>",
	                    &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_str_eq(get(&r, WM_CA_COUNTRY), "US");
	/* an undeclared prefix is not well-formed */
	expect_xml_error("<ca:civicAddress><ca:country>US</ca:country></ca:civicAddress>",
	                 "undeclared prefix");
	/* entities: not expanded, not declared */
	expect_xml_error("<ca:civicAddress " CA "><ca:RD>&xxe;</ca:RD></ca:civicAddress>",
	                 "undeclared entity");
	/* predefined entities and character references are text */
	cr_assert_eq(dec_pa("<ca:civicAddress " CA "><ca:RD>A &amp; B &#x3c;</ca:RD>"
	                    "</ca:civicAddress>",
	                    &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_str_eq(get(&r, WM_CA_RD), "A & B <");
}

Test(civic_decode, sizes_are_bounded)
{
	char inner[65000], big[1100];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(inner, sizeof inner, "<ca:civicAddress " CA "><ca:RD>%s</ca:RD></ca:civicAddress>",
	         big);
	expect_xml_error(inner, "one value over 1 KiB");

	/* many values that fit one by one but not together */
	char v[900];
	memset(v, 'y', sizeof v - 1);
	v[sizeof v - 1] = '\0';
	snprintf(inner, sizeof inner,
	         "<ca:civicAddress " CA "><ca:A1>%s</ca:A1><ca:A2>%s</ca:A2><ca:A3>%s</ca:A3>"
	         "</ca:civicAddress>",
	         v, v, v);
	expect_xml_error(inner, "all values over HELD_CIVIC_TEXT");

	/* deep nesting under the address stops at the depth limit */
	size_t o = (size_t)snprintf(inner, sizeof inner, "<ca:civicAddress " CA ">");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(inner + o, sizeof inner - o, "<x xmlns=\"urn:e\">");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(inner + o, sizeof inner - o, "</x>");
	snprintf(inner + o, sizeof inner - o, "</ca:civicAddress>");
	expect_xml_error(inner, "nesting over the limit");
}

Test(civic_decode, completeness_for_dispatch)
{
	held_request_t r;
	const char *why = NULL;
	cr_assert_eq(dec_pa("<ca:civicAddress " CA "/>", &r), HELD_OK, "%s", g_msg);
	cr_assert(r.provided.set);
	cr_assert_not(held_civic_usable(&r.provided, &why));
	cr_assert(strstr(why, "country"), "%s", why);
	cr_assert_eq(dec_pa("<ca:civicAddress " CA "><ca:country>US</ca:country><ca:A1>TX</ca:A1>"
	                    "<ca:A3>Austin</ca:A3></ca:civicAddress>",
	                    &r),
	             HELD_OK);
	cr_assert_not(held_civic_usable(&r.provided, &why));
	cr_assert(strstr(why, "RD"), "%s", why);
	cr_assert_eq(dec_pa("<ca:civicAddress " CA "><ca:country>US</ca:country><ca:A1>TX</ca:A1>"
	                    "<ca:A3>Austin</ca:A3><ca:LOC>Mile 12</ca:LOC></ca:civicAddress>",
	                    &r),
	             HELD_OK);
	cr_assert(held_civic_usable(&r.provided, &why), "%s", why);
}
