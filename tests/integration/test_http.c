/* HTTP-level rules of SPEC §4.1 and the shared example documents. */
#include <dirent.h>

#include "tests/integration/integ.h"

LISD_SUITE(http, "two-tenants.yaml", 120);

static const char *REQ = "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">" LLDP(
    "4", SW1, "5", GI107) "</locationRequest>";

Test(http, response_headers)
{
	ts_http_resp_t r;
	post_held(lisd.port, "/held/" TENANT_A, REQ, &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	char *ct = ts_http_header(&r, "Content-Type");
	char *cc = ts_http_header(&r, "Cache-Control");
	char *cl = ts_http_header(&r, "Content-Length");
	cr_assert_not_null(ct);
	cr_assert(strncmp(ct, "application/held+xml", 20) == 0, "Content-Type %s", ct);
	cr_assert_not_null(cc);
	cr_assert(strstr(cc, "no-store") != NULL);
	cr_assert_not_null(cl);
	cr_assert_eq((size_t)atol(cl), r.body_len);
	free(ct);
	free(cc);
	free(cl);
	ts_http_resp_free(&r);
}

Test(http, accepted_media_types)
{
	const char *types[] = {"application/held+xml", "application/xml", "text/xml",
	                       "application/held+xml; charset=UTF-8"};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		char hdr[128];
		snprintf(hdr, sizeof hdr, "Content-Type: %s\r\n", types[i]);
		ts_http_resp_t r;
		cr_assert_eq(ts_http(lisd.port, "POST", "/held/" TENANT_A, hdr, REQ, strlen(REQ), &r), 0);
		ASSERT_LOCATION(&r, "ROOM>101<");
		ts_http_resp_free(&r);
	}
}

Test(http, other_media_type_is_415)
{
	ts_http_resp_t r;
	cr_assert_eq(ts_http(lisd.port, "POST", "/held/" TENANT_A, "Content-Type: text/plain\r\n", REQ,
	                     strlen(REQ), &r), 0);
	cr_assert_eq(r.status, 415);
	ts_http_resp_free(&r);
	cr_assert_eq(ts_http(lisd.port, "POST", "/held/" TENANT_A, NULL, REQ, strlen(REQ), &r), 0);
	cr_assert_eq(r.status, 415, "missing Content-Type must be 415, got %d", r.status);
	ts_http_resp_free(&r);
}

Test(http, wrong_method_is_405_with_allow)
{
	const char *methods[] = {"GET", "PUT", "DELETE"};
	for (size_t i = 0; i < 3; i++) {
		ts_http_resp_t r;
		cr_assert_eq(ts_http(lisd.port, methods[i], "/held", NULL, NULL, 0, &r), 0);
		cr_assert_eq(r.status, 405, "%s /held -> %d", methods[i], r.status);
		char *allow = ts_http_header(&r, "Allow");
		cr_assert_not_null(allow);
		cr_assert(strstr(allow, "POST") != NULL);
		free(allow);
		ts_http_resp_free(&r);
	}
}

Test(http, body_over_limit_is_413)
{
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "<locationRequest", 16);
	big[n] = 0;
	ts_http_resp_t r;
	cr_assert_eq(ts_http(lisd.port, "POST", "/held/" TENANT_A, HELD_CT, big, n, &r), 0);
	cr_assert_eq(r.status, 413);
	ts_http_resp_free(&r);
	free(big);
	/* and the server still answers normally */
	post_held(lisd.port, "/held/" TENANT_A, REQ, &r);
	ASSERT_LOCATION(&r, "ROOM>101<");
	ts_http_resp_free(&r);
}

Test(http, unknown_paths_are_404)
{
	const char *paths[] = {"/", "/nope", "/held/" TENANT_A "/extra", "/held/no-such-tenant"};
	for (size_t i = 0; i < 4; i++) {
		ts_http_resp_t r;
		cr_assert_eq(ts_http(lisd.port, "POST", paths[i], HELD_CT, REQ, strlen(REQ), &r), 0);
		cr_assert_eq(r.status, 404, "%s -> %d", paths[i], r.status);
		ts_http_resp_free(&r);
	}
}

Test(http, healthz_and_metrics)
{
	ts_http_resp_t r;
	cr_assert_eq(ts_http(lisd.port, "GET", "/healthz", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	ts_http_resp_free(&r);
	post_held(lisd.port, "/held/" TENANT_A, REQ, &r);
	ts_http_resp_free(&r);
	char *miss = held_req(NULL, 0, DEVICE("<ip v=\"4\">192.0.2.1</ip>"));
	post_held(lisd.port, "/held/" TENANT_A, miss, &r);
	ts_http_resp_free(&r);
	free(miss);
	cr_assert_eq(ts_http(lisd.port, "GET", "/metrics", NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "# TYPE") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "lldp") != NULL, "metrics lack the match method:\n%s", r.body);
	cr_assert(strstr(r.body, "locationUnknown") != NULL, "metrics lack outcomes:\n%s", r.body);
	cr_assert(strstr(r.body, "_bucket{") != NULL, "metrics lack a histogram:\n%s", r.body);
	ts_http_resp_free(&r);
}

/* Every request example in ../shared/schemas/examples is answered: valid
 * locationRequests with a location or a non-XML HELD error, everything that
 * is not well-formed or not a HELD request with xmlError/unsupportedMessage.
 * Every answer validates. */
Test(http, shared_examples_are_answered)
{
	TS_REQUIRE_SHARED();
	char manifest[4096];
	snprintf(manifest, sizeof manifest, "%s/schemas/examples/MANIFEST.tsv", ts_shared_dir());
	char *m = ts_read_file(manifest, NULL);
	cr_assert_not_null(m);
	int requests = 0, others = 0;
	char *save = NULL;
	for (char *line = strtok_r(m, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char file[512], result[64];
		if (sscanf(line, "%511[^\t]\t%63[^\t\n]", file, result) != 2 || !strcmp(file, "file"))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/schemas/examples/%s", ts_shared_dir(), file);
		size_t len;
		char *doc = ts_read_file(path, &len);
		cr_assert_not_null(doc, "%s", path);
		ts_http_resp_t r;
		cr_assert_eq(ts_http(lisd.port, "POST", "/held/" TENANT_A, HELD_CT, doc, len, &r), 0,
		             "%s: no answer", file);
		cr_assert_eq(r.status, 200, "%s: HTTP %d", file, r.status);
		TS_ASSERT_VALID(r.body, r.body_len);
		char code[64];
		held_code_of(&r, code, sizeof code);
		bool is_request = strstr(doc, "locationRequest") != NULL && !strstr(doc, "locationRequesd");
		if (!strcmp(result, "valid") && is_request) {
			cr_assert(strcmp(code, "xmlError") && strcmp(code, "unsupportedMessage"),
			          "%s (valid request) answered %s:\n%s", file, code, r.body);
			requests++;
		} else if (!strcmp(result, "valid")) {
			cr_assert_str_eq(code, "unsupportedMessage", "%s", file);
			others++;
		} else {
			cr_assert(!strcmp(code, "xmlError") || !strcmp(code, "unsupportedMessage"),
			          "%s (%s) answered \"%s\"", file, result, code);
			if (strstr(file, "test-wrong-xsd") || !strcmp(result, "not-well-formed"))
				cr_assert_str_eq(code, "xmlError", "%s", file);
			others++;
		}
		ts_http_resp_free(&r);
		free(doc);
	}
	cr_assert_geq(requests, 15, "only %d request examples found", requests);
	cr_assert_gt(others, 10);
	free(m);
}
