/*
 * Hostile requests: each must get a defined HELD code, quickly, without
 * reading files or the network and without large memory. Memory is
 * measured by routing libxml2's allocator through counting wrappers.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlmemory.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

#define HELD "xmlns=\"" HELD_NS "\""
#define ID "xmlns=\"" HELD_ID_NS "\""

/* ---- libxml2 allocation accounting (no headers: safe to mix with malloc) */
static size_t g_cur, g_peak;

static void count_add(void *p)
{
	if (p) {
		g_cur += malloc_usable_size(p);
		if (g_cur > g_peak)
			g_peak = g_cur;
	}
}
static void count_sub(void *p)
{
	if (p) {
		size_t n = malloc_usable_size(p);
		g_cur = n > g_cur ? 0 : g_cur - n;
	}
}
static void *c_malloc(size_t n)
{
	void *p = malloc(n);
	count_add(p);
	return p;
}
static void *c_realloc(void *p, size_t n)
{
	count_sub(p);
	void *q = realloc(p, n);
	if (!q && n)
		count_add(p);
	count_add(q);
	return q;
}
static void c_free(void *p)
{
	count_sub(p);
	free(p);
}
static char *c_strdup(const char *s)
{
	char *p = strdup(s);
	count_add(p);
	return p;
}

static void setup(void)
{
	xmlMemSetup(c_free, c_malloc, c_realloc, c_strdup);
	proto_global_init();
}

TestSuite(hostile, .init = setup, .timeout = 20);

static char g_msg[256];

/* Decodes with default limits; checks the code and that libxml2 stayed small. */
static held_code_t dec_n(const char *xml, size_t len, held_request_t *r)
{
	g_cur = g_peak = 0;
	held_code_t c = held_decode_request(xml, len, NULL, r, g_msg, sizeof g_msg);
	cr_assert_lt(g_peak, (size_t)2 << 20, "libxml2 peaked at %zu bytes", g_peak);
	return c;
}

static held_code_t dec(const char *xml, held_request_t *r)
{
	return dec_n(xml, strlen(xml), r);
}

static char *read_hostname(void)
{
	size_t n;
	char *s = ts_read_file("/etc/hostname", &n);
	if (!s)
		return NULL;
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (n < 3) { /* too short to search for meaningfully */
		free(s);
		return NULL;
	}
	return s;
}

static void assert_no_leak_of(const char *secret, const held_request_t *r)
{
	if (!secret)
		return;
	cr_assert_null(strstr(g_msg, secret), "file content in the message: %s", g_msg);
	cr_assert_null(memmem(r, sizeof *r, secret, strlen(secret)), "file content in the request");
}

Test(hostile, xxe_external_entity_file)
{
	held_request_t r;
	char *host = read_hostname();
	const char *doc =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE locationRequest [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>\n"
	    "<locationRequest " HELD "><device " ID "><uri>tel:+1&xxe;</uri>"
	    "<fqdn>&xxe;</fqdn></device><hp:heldPlus xmlns:hp=\"" HELD_PLUS_NS
	    "\"><hp:user>&xxe;</hp:user></hp:heldPlus></locationRequest>";
	cr_assert_eq(dec(doc, &r), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "DOCTYPE"), "%s", g_msg);
	assert_no_leak_of(host, &r);
	free(host);
}

Test(hostile, xxe_external_dtd_and_parameter_entities)
{
	held_request_t r;
	char *host = read_hostname();
	const char *docs[] = {
	    "<!DOCTYPE locationRequest SYSTEM \"file:///etc/hostname\">"
	    "<locationRequest " HELD "/>",
	    "<!DOCTYPE locationRequest [<!ENTITY % p SYSTEM \"file:///etc/hostname\"> %p;]>"
	    "<locationRequest " HELD "/>",
	    "<!DOCTYPE locationRequest PUBLIC \"-//x//y\" \"http://127.0.0.1:9/x.dtd\">"
	    "<locationRequest " HELD "/>",
	    "<!DOCTYPE locationRequest>"
	    "<locationRequest " HELD "/>",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		cr_expect_eq(dec(docs[i], &r), HELD_XML_ERROR, "case %zu", i);
		assert_no_leak_of(host, &r);
	}
	free(host);
}

Test(hostile, undeclared_entity)
{
	held_request_t r;
	cr_assert_eq(
	    dec("<locationRequest " HELD "><x xmlns=\"urn:x\">&xxe;</x></locationRequest>", &r),
	    HELD_XML_ERROR);
	/* the five predefined ones and character references are fine */
	cr_assert_eq(dec("<locationRequest " HELD "><locationType>&#99;ivic &amp;</locationType>"
	                 "</locationRequest>",
	                 &r),
	             HELD_XML_ERROR, "'&' is not a location type");
	cr_assert_eq(dec("<locationRequest " HELD "><locationType>&#99;ivic</locationType>"
	                 "</locationRequest>",
	                 &r),
	             HELD_OK, "%s", g_msg);
	cr_assert_eq(r.types[0], HELD_LT_CIVIC);
}

Test(hostile, billion_laughs)
{
	held_request_t r;
	char doc[4096];
	size_t l = (size_t)snprintf(doc, sizeof doc,
	                            "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	                            "<!ENTITY lol \"lol\">\n");
	for (int i = 1; i <= 9; i++) {
		l += (size_t)snprintf(doc + l, sizeof doc - l, "<!ENTITY lol%d \"", i);
		for (int j = 0; j < 10; j++)
			l += (size_t)snprintf(doc + l, sizeof doc - l, "&lol%s;",
			                      i == 1 ? "" : (char[]){(char)('0' + i - 1), 0});
		l += (size_t)snprintf(doc + l, sizeof doc - l, "\">\n");
	}
	snprintf(doc + l, sizeof doc - l,
	         "]>\n<locationRequest " HELD "><hp:heldPlus xmlns:hp=\"" HELD_PLUS_NS
	         "\"><hp:user>&lol9;</hp:user></hp:heldPlus></locationRequest>");
	cr_assert_eq(dec(doc, &r), HELD_XML_ERROR);
	cr_assert_str_eq(r.user, "");
}

Test(hostile, deep_nesting)
{
	held_request_t r;
	size_t depth = 10000;
	char *doc = malloc(depth * 7 + 200);
	size_t l = (size_t)sprintf(doc, "<locationRequest " HELD ">");
	for (size_t i = 0; i < depth; i++)
		l += (size_t)sprintf(doc + l, "<a>");
	for (size_t i = 0; i < depth; i++)
		l += (size_t)sprintf(doc + l, "</a>");
	l += (size_t)sprintf(doc + l, "</locationRequest>");
	/* ~70 KB: over the default body limit, which already refuses it */
	cr_assert_eq(dec_n(doc, l, &r), HELD_XML_ERROR);

	/* with the body limit raised, the depth limit stops it at element 33 */
	held_limits_t lim = {.max_bytes = l, .max_depth = 32, .max_nodes = 100000};
	g_cur = g_peak = 0;
	cr_assert_eq(held_decode_request(doc, l, &lim, &r, g_msg, sizeof g_msg), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "nested"), "%s", g_msg);
	cr_assert_lt(g_peak, (size_t)2 << 20, "libxml2 peaked at %zu bytes", g_peak);

	/* the same depth in an unsupported document: still refused */
	l = 0;
	for (size_t i = 0; i < depth; i++)
		l += (size_t)sprintf(doc + l, "<a>");
	lim.max_bytes = l;
	cr_assert_eq(held_decode_request(doc, l, &lim, &r, g_msg, sizeof g_msg), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "nested"), "%s", g_msg);
	free(doc);
}

Test(hostile, depth_limit_is_exact)
{
	held_request_t r;
	held_limits_t lim;
	held_limits_default(&lim);
	lim.max_depth = 3;
	const char *ok = "<locationRequest " HELD "><a xmlns=\"urn:x\"><b/></a></locationRequest>";
	const char *deep =
	    "<locationRequest " HELD "><a xmlns=\"urn:x\"><b><c/></b></a></locationRequest>";
	cr_assert_eq(held_decode_request(ok, strlen(ok), &lim, &r, g_msg, sizeof g_msg), HELD_OK);
	cr_assert_eq(held_decode_request(deep, strlen(deep), &lim, &r, g_msg, sizeof g_msg),
	             HELD_XML_ERROR);
}

static char *many_identifiers(size_t n, size_t *len)
{
	char *doc = malloc(n * 40 + 200);
	size_t l = (size_t)sprintf(doc, "<locationRequest " HELD "><device " ID ">");
	for (size_t i = 0; i < n; i++)
		l += (size_t)sprintf(doc + l, "<mac>00-11-22-33-%02zx-%02zx</mac>", (i >> 8) & 0xff,
		                     i & 0xff);
	l += (size_t)sprintf(doc + l, "</device></locationRequest>");
	*len = l;
	return doc;
}

Test(hostile, ten_thousand_identifiers)
{
	held_request_t r;
	size_t len;
	char *doc = many_identifiers(10000, &len);

	/* over the body limit as well as the element limit */
	cr_assert_eq(dec_n(doc, len, &r), HELD_XML_ERROR);

	/* with limits raised, the caps apply silently and memory stays flat */
	held_limits_t lim = {.max_bytes = len, .max_depth = 32, .max_nodes = 20000};
	g_cur = g_peak = 0;
	cr_assert_eq(held_decode_request(doc, len, &lim, &r, g_msg, sizeof g_msg), HELD_OK, "%s",
	             g_msg);
	cr_assert_lt(g_peak, (size_t)4 << 20, "libxml2 peaked at %zu bytes", g_peak);
	cr_assert_eq(r.n_mac, HELD_MAX_MAC);
	free(doc);
}

Test(hostile, element_count_limit)
{
	held_request_t r;
	size_t len;
	char *doc = many_identifiers(4100, &len); /* ~150 KB */
	held_limits_t lim = {.max_bytes = len, .max_depth = 32, .max_nodes = 4096};
	cr_assert_eq(held_decode_request(doc, len, &lim, &r, g_msg, sizeof g_msg), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "elements"), "%s", g_msg);
	free(doc);
}

Test(hostile, oversize)
{
	held_request_t r;
	held_limits_t lim;
	held_limits_default(&lim);
	size_t n = lim.max_bytes + 1;
	char *doc = malloc(n);
	memset(doc, ' ', n);
	memcpy(doc, "<locationRequest " HELD "/>", strlen("<locationRequest " HELD "/>"));
	cr_assert_eq(dec_n(doc, n, &r), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "limit"), "%s", g_msg);
	cr_assert_eq(dec_n(doc, n - 1, &r), HELD_OK, "exactly at the limit: %s", g_msg);
	free(doc);
}

Test(hostile, invalid_utf8)
{
	held_request_t r;
	const char *docs[] = {
	    "<locationRequest " HELD "><x xmlns=\"urn:x\">\xff\xfe</x></locationRequest>",
	    "<locationRequest " HELD "><x xmlns=\"urn:x\">\xc0\xaf</x></locationRequest>",
	    "<locationRequest " HELD "><x xmlns=\"urn:x\">\xed\xa0\x80</x></locationRequest>",
	    "<locationRequest " HELD "><x xmlns=\"urn:x\">\xe2\x82</x></locationRequest>",
	    "<locationRequest " HELD " responseTime=\"8\xa0\"/>",
	    "<locationRequest\x80 " HELD "/>",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		cr_expect_eq(dec(docs[i], &r), HELD_XML_ERROR, "case %zu", i);
}

Test(hostile, control_characters)
{
	held_request_t r;
	cr_assert_eq(
	    dec("<locationRequest " HELD "><x xmlns=\"urn:x\">\x01</x></locationRequest>", &r),
	    HELD_XML_ERROR);
	cr_assert_eq(
	    dec("<locationRequest " HELD "><x xmlns=\"urn:x\">&#1;</x></locationRequest>", &r),
	    HELD_XML_ERROR);
}

Test(hostile, nul_bytes)
{
	held_request_t r;
	const char a[] = "<locationRequest " HELD "/>\0<junk>";
	cr_assert_eq(dec_n(a, sizeof a - 1, &r), HELD_XML_ERROR);
	const char b[] =
	    "<locationRequest " HELD "><locationType>civic\0</locationType></locationRequest>";
	cr_assert_eq(dec_n(b, sizeof b - 1, &r), HELD_XML_ERROR);
	const char c[] = "\0<locationRequest " HELD "/>";
	cr_assert_eq(dec_n(c, sizeof c - 1, &r), HELD_XML_ERROR);
	cr_assert(strstr(g_msg, "NUL"), "%s", g_msg);
}

Test(hostile, utf16_is_still_xml)
{
	held_request_t r;
	const char *src =
	    "<locationRequest " HELD "><locationType>civic</locationType></locationRequest>";
	size_t n = strlen(src);
	char *doc = malloc(2 * n + 2);
	doc[0] = (char)0xff, doc[1] = (char)0xfe; /* UTF-16LE BOM */
	for (size_t i = 0; i < n; i++)
		doc[2 + 2 * i] = src[i], doc[3 + 2 * i] = 0;
	cr_assert_eq(dec_n(doc, 2 * n + 2, &r), HELD_OK, "%s", g_msg);
	cr_assert_eq(r.types[0], HELD_LT_CIVIC);
	free(doc);
}

Test(hostile, duplicate_attributes)
{
	held_request_t r;
	cr_assert_eq(dec("<locationRequest " HELD " responseTime=\"1\" responseTime=\"2\"/>", &r),
	             HELD_XML_ERROR);
	/* the same expanded name through two prefixes (Namespaces in XML §6.3) */
	cr_assert_eq(dec("<locationRequest " HELD " xmlns:a=\"urn:x\" xmlns:b=\"urn:x\" a:z=\"1\" "
	                 "b:z=\"2\"/>",
	                 &r),
	             HELD_XML_ERROR);
	cr_assert_eq(dec("<locationRequest " HELD " " HELD "/>", &r), HELD_XML_ERROR);
}

Test(hostile, namespace_errors_are_not_well_formed)
{
	held_request_t r;
	/* xmlns with a leading space is not a URI (RFC 4119 §2.3 example, as published) */
	cr_assert_eq(dec("<locationRequest " HELD "><x xmlns=\" urn:x\"/></locationRequest>", &r),
	             HELD_XML_ERROR);
	cr_assert_eq(dec("<locationRequest xmlns=\" " HELD_NS "\"/>", &r), HELD_XML_ERROR);
	/* an undeclared prefix */
	cr_assert_eq(dec("<locationRequest " HELD "><p:x/></locationRequest>", &r), HELD_XML_ERROR);
	cr_assert_eq(dec("<p:locationRequest/>", &r), HELD_XML_ERROR);
	/* reserved prefixes */
	cr_assert_eq(dec("<locationRequest " HELD " xmlns:xml=\"urn:x\"/>", &r), HELD_XML_ERROR);
}

Test(hostile, not_well_formed)
{
	held_request_t r;
	const char *docs[] = {
	    "",
	    "   ",
	    "<locationRequest " HELD ">",
	    "<locationRequest " HELD "></locationReques>",
	    "<locationRequest " HELD "/><locationRequest " HELD "/>",
	    "<locationRequest " HELD "/>trailing",
	    "<?xml version=\"1.0\" encoding=\"no-such-charset\"?><locationRequest " HELD "/>",
	    "<?xml version=\"2.0\"?><locationRequest " HELD "/>",
	    "<locationRequest " HELD " a=\"<\"/>",
	    "<locationRequest " HELD "><![CDATA[</locationRequest>",
	    "plain text",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		held_code_t c =
		    held_decode_request(docs[i], strlen(docs[i]), NULL, &r, g_msg, sizeof g_msg);
		cr_expect_eq(c, HELD_XML_ERROR, "case %zu: %s -> %d", i, docs[i], c);
	}
	cr_assert_eq(held_decode_request(NULL, 0, NULL, &r, g_msg, sizeof g_msg), HELD_XML_ERROR);
}

Test(hostile, huge_text_and_attribute_values)
{
	held_request_t r;
	held_limits_t lim;
	held_limits_default(&lim);
	size_t n = lim.max_bytes - 200;
	char *doc = malloc(lim.max_bytes);
	size_t l = (size_t)sprintf(doc, "<locationRequest " HELD "><locationType>");
	memset(doc + l, ' ', n / 2);
	l += n / 2;
	l += (size_t)sprintf(doc + l, "civic");
	memset(doc + l, ' ', n / 4);
	l += n / 4;
	l += (size_t)sprintf(doc + l, "</locationType></locationRequest>");
	cr_assert_eq(dec_n(doc, l, &r), HELD_OK, "white space collapses: %s", g_msg);
	cr_assert_eq(r.types[0], HELD_LT_CIVIC);

	l = (size_t)sprintf(doc, "<locationRequest " HELD "><hp:heldPlus xmlns:hp=\"" HELD_PLUS_NS
	                         "\"><hp:user>sip:");
	memset(doc + l, 'a', n / 2);
	l += n / 2;
	l += (size_t)sprintf(doc + l, "@x</hp:user></hp:heldPlus></locationRequest>");
	cr_assert_eq(dec_n(doc, l, &r), HELD_XML_ERROR);
	free(doc);
}
