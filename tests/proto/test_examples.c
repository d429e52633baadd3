/*
 * External fixtures: every document in ../shared/schemas/examples (listed
 * in MANIFEST.tsv with its schema verdict) goes through the decoder.
 *   - a valid locationRequest decodes (HELD_OK);
 *   - a not-well-formed document is xmlError;
 *   - a misspelt HELD document element is xmlError (schema-invalid);
 *   - every other document element (responses, errors, PIDF, bare
 *     measurement or device fragments) is unsupportedMessage.
 * Skipped, never passed, when ../shared is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

static void setup(void)
{
	proto_global_init();
}

TestSuite(examples, .init = setup, .timeout = 60);

typedef struct {
	char file[256];
	char result[32];
} entry_t;

static size_t load_manifest(entry_t *e, size_t cap)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/schemas/examples/MANIFEST.tsv", ts_shared_dir());
	size_t len;
	char *text = ts_read_file(path, &len);
	cr_assert_not_null(text, "cannot read %s", path);
	size_t n = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (!tab || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		char *res = tab + 1;
		char *tab2 = strchr(res, '\t');
		if (tab2)
			*tab2 = '\0';
		cr_assert_lt(n, cap);
		snprintf(e[n].file, sizeof e[n].file, "%s", line);
		snprintf(e[n].result, sizeof e[n].result, "%s", res);
		n++;
	}
	free(text);
	return n;
}

static char *read_example(const char *file, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/schemas/examples/%s", ts_shared_dir(), file);
	char *s = ts_read_file(path, len);
	cr_assert_not_null(s, "cannot read %s", path);
	return s;
}

/* The document element's local name, found with a plain DOM parse (test side). */
static bool root_name(const char *xml, size_t len, char *name, size_t cap, char *ns, size_t nscap)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)len, "x.xml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!d)
		return false;
	xmlNodePtr r = xmlDocGetRootElement(d);
	snprintf(name, cap, "%s", r ? (const char *)r->name : "");
	snprintf(ns, nscap, "%s", r && r->ns ? (const char *)r->ns->href : "");
	xmlFreeDoc(d);
	return true;
}

Test(examples, every_manifest_document)
{
	TS_REQUIRE_SHARED();
	static entry_t e[256];
	size_t n = load_manifest(e, 256);
	size_t requests = 0, unsupported = 0, xml_errors = 0;
	cr_assert_geq(n, 70, "MANIFEST lists %zu files", n);

	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *xml = read_example(e[i].file, &len);
		held_request_t r;
		char msg[256];
		held_code_t c = held_decode_request(xml, len, NULL, &r, msg, sizeof msg);
		char name[128], ns[256];
		bool wf = root_name(xml, len, name, sizeof name, ns, sizeof ns);

		if (strcmp(e[i].result, "not-well-formed") == 0) {
			cr_expect_eq(c, HELD_XML_ERROR,
			             "%s: not well-formed -> xmlError, got %s (%s)", e[i].file,
			             held_code_name(c), msg);
			xml_errors++;
		} else if (wf && strcmp(ns, HELD_NS) == 0 && strcmp(name, "locationRequest") == 0) {
			cr_expect_str_eq(e[i].result, "valid", "%s", e[i].file);
			cr_expect_eq(c, HELD_OK, "%s: valid locationRequest -> %s (%s)", e[i].file,
			             held_code_name(c), msg);
			requests++;
		} else if (wf && strcmp(ns, HELD_NS) == 0 &&
		           strcmp(name, "locationResponse") != 0 && strcmp(name, "error") != 0) {
			cr_expect_eq(c, HELD_XML_ERROR, "%s: unknown HELD element %s -> %s",
			             e[i].file, name, held_code_name(c));
			xml_errors++;
		} else {
			cr_expect(wf, "%s: libxml2 cannot parse it", e[i].file);
			cr_expect_eq(c, HELD_UNSUPPORTED_MESSAGE, "%s: root %s -> %s (%s)",
			             e[i].file, name, held_code_name(c), msg);
			unsupported++;
		}
		free(xml);
	}
	/* the corpus as shipped: 20 requests, 2 xmlError cases */
	cr_assert_geq(requests, 20, "%zu requests", requests);
	cr_assert_geq(xml_errors, 2);
	cr_assert_geq(unsupported, 40);
}

static held_code_t dec_file(const char *file, held_request_t *r)
{
	size_t len;
	char msg[256];
	char *xml = read_example(file, &len);
	held_code_t c = held_decode_request(xml, len, NULL, r, msg, sizeof msg);
	free(xml);
	return c;
}

Test(examples, dec112_requests)
{
	TS_REQUIRE_SHARED();
	held_request_t r;
	cr_assert_eq(dec_file("dec112-lost/test-ip.xml", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_MS);
	cr_assert_eq(r.rt_ms, 8);
	cr_assert(r.exact);
	cr_assert_eq(r.n_types, 2);
	cr_assert_eq(r.types[0], HELD_LT_GEODETIC);
	cr_assert_eq(r.types[1], HELD_LT_URI);
	cr_assert_eq(r.n_ip_id, 1);
	char ip[46];
	wm_ip_format(&r.q.ip[0], ip);
	cr_assert_str_eq(ip, "10.0.0.35");

	cr_assert_eq(dec_file("dec112-lost/test-uri-tel.xml", &r), HELD_OK);
	cr_assert(r.q.has_did);
	cr_assert_str_eq(r.q.did.d, "+336152555013");
	cr_assert(r.q.by_identity);

	cr_assert_eq(dec_file("dec112-lost/test-uri-sip.xml", &r), HELD_OK);
	cr_assert_eq(r.n_uri, 1);
	cr_assert_str_eq(r.uri[0], "sip:bob-04@plugtests.net");
	cr_assert_not(r.q.has_did);

	cr_assert_eq(dec_file("dec112-lost/test-wrong-xsd.xml", &r), HELD_XML_ERROR);
}

Test(examples, rfc_requests)
{
	TS_REQUIRE_SHARED();
	held_request_t r;
	cr_assert_eq(dec_file("rfc/rfc5985-s10.3-locationRequest.xml", &r), HELD_OK);
	cr_assert_eq(r.n_types, 3);
	cr_assert_eq(r.types[0], HELD_LT_GEODETIC);
	cr_assert_eq(r.types[1], HELD_LT_CIVIC);
	cr_assert_eq(r.types[2], HELD_LT_URI);

	cr_assert_eq(dec_file("rfc/rfc7840-s7-locationRequest.xml", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_ROUTING);
	cr_assert(r.type_any);

	/* RFC 7105 §3: an LLDP measurement (chassis subtype 4 = MAC class; this
	 * one has 4 octets, so it can never equal a configured MAC) */
	cr_assert_eq(dec_file("rfc/rfc7105-s3-locationRequest.xml", &r), HELD_OK);
	cr_assert(r.has_measurements);
	cr_assert_eq(r.q.n_lldp, 1);
	cr_assert(r.exact);

	cr_assert_eq(dec_file("rfc/rfc6915-s3-locationRequest.xml", &r), HELD_OK);
	cr_assert_eq(r.q.n_ip, 0, "flow identities are not device identities");
}

Test(examples, tamu_requests)
{
	TS_REQUIRE_SHARED();
	held_request_t r;
	cr_assert_eq(dec_file("tamu-ng911-dev/Location_request.xml", &r), HELD_OK);
	cr_assert_eq(r.rt_kind, HELD_RT_ROUTING);
	cr_assert_eq(dec_file("tamu-ng911-dev/Location_request_for_locationURI.xml", &r), HELD_OK);
	cr_assert_eq(r.types[0], HELD_LT_URI);
	cr_assert(r.has_other_id, "DEVICE_URI placeholder: a URI we cannot locate by");
	cr_assert_eq(dec_file("tamu-ng911-dev/TC_LIS_002_pass.request.xml", &r), HELD_OK);
	cr_assert_eq(r.n_uri, 1);
	cr_assert_not(r.q.has_did, "tel:123456789 is a local number");
}

/* RFC 7105 measurement fragments, wrapped into a request, decode as measurements. */
Test(examples, rfc7105_measurements_in_a_request)
{
	TS_REQUIRE_SHARED();
	static const char *const files[] = {
	    "rfc/rfc7105-s5.1-measurements.xml",   "rfc/rfc7105-s5.2-measurements.xml",
	    "rfc/rfc7105-s5.4-measurements.xml",   "rfc/rfc7105-s5.5-measurements.xml",
	    "rfc/rfc7105-s5.6.1-measurements.xml", "rfc/rfc7105-s5.6.4-measurements.xml",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		char *frag = read_example(files[i], &len);
		size_t cap = len + 200;
		char *doc = malloc(cap);
		int n = snprintf(doc, cap, "<locationRequest xmlns=\"%s\">%s</locationRequest>",
		                 HELD_NS, frag);
		held_request_t r;
		char msg[256];
		cr_expect_eq(held_decode_request(doc, (size_t)n, NULL, &r, msg, sizeof msg),
		             HELD_OK, "%s: %s", files[i], msg);
		cr_expect(r.has_measurements, "%s", files[i]);
		if (strstr(files[i], "s5.1-")) {
			/* chassis subtype 4 with 4 octets: MAC-class, any length */
			cr_expect_eq(r.q.n_lldp, 1);
		}
		if (strstr(files[i], "s5.2-")) {
			cr_expect(r.has_dhcp);
			cr_expect_eq(r.dhcp_circuit_len, 2);
		}
		free(doc);
		free(frag);
	}
}
