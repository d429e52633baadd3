/* Helpers shared by the integration tests (header-only, test code). */
#ifndef OPENLIS_TEST_INTEG_H
#define OPENLIS_TEST_INTEG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/testsupport.h"

#define TENANT_A "11111111-1111-4111-8111-111111111111"
#define TENANT_B "22222222-2222-4222-8222-222222222222"
#define HELD_CT "Content-Type: application/held+xml;charset=utf-8\r\n"

/* A locationRequest around `inner` (NULL = none). Caller frees. */
static inline char *held_req(const char *types, int exact, const char *inner)
{
	char *s = NULL;
	char lt[256] = "";
	if (types)
		snprintf(lt, sizeof lt, "<locationType exact=\"%s\">%s</locationType>",
		         exact ? "true" : "false", types);
	cr_assert(asprintf(&s,
	                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                   "<locationRequest xmlns=\"urn:ietf:params:xml:ns:geopriv:held\">%s%s"
	                   "</locationRequest>",
	                   lt, inner ? inner : "") > 0);
	return s;
}

#define LLDP(chassis_type, chassis_hex, port_type, port_hex)                                       \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><lldp "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\"><chassis type=\"" chassis_type           \
	"\">" chassis_hex "</chassis><port type=\"" port_type "\">" port_hex                       \
	"</port></lldp></measurements>"
#define WIFI(bssid)                                                                                \
	"<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\"><wifi "                         \
	"xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\"><ap serving=\"true\"><bssid>" bssid      \
	"</bssid></ap></wifi></measurements>"
#define DEVICE(ids) "<device xmlns=\"urn:ietf:params:xml:ns:geopriv:held:id\">" ids "</device>"
#define HPLUS(inner)                                                                               \
	"<hp:heldPlus xmlns:hp=\"urn:openlis:params:xml:ns:held-plus\">" inner "</hp:heldPlus>"

/* "Gi1/0/7" as hex, chassis 00-1b-21-3c-4d-00 as hex. */
#define GI107 "4769312f302f37"
#define SW1 "001b213c4d00"

/* POSTs a HELD document; asserts the HTTP exchange worked. */
static inline void post_held(int port, const char *path, const char *xml, ts_http_resp_t *r)
{
	cr_assert_eq(ts_http(port, "POST", path, HELD_CT, xml, strlen(xml), r), 0,
	             "no HTTP answer from lisd for POST %s", path);
}

/* Issues a location URI for the a-port (LLDP SW1 / Gi1/0/7) on /held/{tenant};
 * returns its token, the part after "/loc/". Caller frees. */
static inline char *issue_token(int port, const char *tenant)
{
	char *req = held_req("locationURI", 1, LLDP("4", SW1, "5", GI107));
	char path[160];
	snprintf(path, sizeof path, "/held/%s", tenant);
	ts_http_resp_t r;
	post_held(port, path, req, &r);
	free(req);
	cr_assert_eq(r.status, 200, "no location URI from %s:\n%s", path, r.body);
	const char *p = r.body ? strstr(r.body, "/loc/") : NULL;
	cr_assert_not_null(p, "no location URI in\n%s", r.body);
	p += 5;
	char *tok = strndup(p, strcspn(p, "<\" "));
	ts_http_resp_free(&r);
	return tok;
}

/* The HELD error code of a response body, or "" when it is a locationResponse. */
static inline const char *held_code_of(const ts_http_resp_t *r, char *buf, size_t len)
{
	buf[0] = 0;
	if (!r->body || !strstr(r->body, "error"))
		return buf;
	const char *p = strstr(r->body, "code=\"");
	if (!p || strstr(r->body, "locationResponse"))
		return buf;
	p += 6;
	const char *e = strchr(p, '"');
	snprintf(buf, len, "%.*s", (int)(e - p), p);
	return buf;
}

/* Asserts a 200 locationResponse, schema-valid, containing every needle. */
#define ASSERT_LOCATION(resp, ...)                                                                 \
	do {                                                                                       \
		cr_assert_eq((resp)->status, 200, "HTTP %d: %s", (resp)->status, (resp)->body);    \
		cr_assert(strstr((resp)->body, "locationResponse") != NULL,                        \
		          "not a locationResponse:\n%s", (resp)->body);                            \
		const char *needles_[] = {__VA_ARGS__, NULL};                                      \
		for (int i_ = 0; needles_[i_]; i_++)                                               \
			cr_assert(strstr((resp)->body, needles_[i_]) != NULL,                      \
			          "expected \"%s\" in:\n%s", needles_[i_], (resp)->body);          \
		TS_ASSERT_VALID((resp)->body, (resp)->body_len);                                   \
	} while (0)

#define ASSERT_HELD_ERROR(resp, code)                                                              \
	do {                                                                                       \
		char c_[64];                                                                       \
		cr_assert_eq((resp)->status, 200, "HTTP %d: %s", (resp)->status, (resp)->body);    \
		cr_assert_str_eq(held_code_of((resp), c_, sizeof c_), (code), "body:\n%s",         \
		                 (resp)->body);                                                    \
		TS_ASSERT_VALID((resp)->body, (resp)->body_len);                                   \
	} while (0)

/* Imports tests/integration/fixtures/NAME into a new temp db; returns the db dir. */
static inline char *fixture_db(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/integration/fixtures/%s", ts_source_dir(), name);
	char *yaml = ts_read_file(path, NULL);
	cr_assert_not_null(yaml, "missing fixture %s", path);
	char *db = ts_mkdtemp();
	ts_import_yaml(db, yaml, NULL);
	free(yaml);
	return db;
}

/*
 * A suite whose every test gets a fresh db imported from a fixture and a
 * running lisd on it: defines `db`, `lisd` and TestSuite(NAME).
 */
#define LISD_SUITE(name, fixture, secs)                                                            \
	static char *db;                                                                           \
	static ts_lisd_t lisd;                                                                     \
	static void suite_setup(void)                                                              \
	{                                                                                          \
		db = fixture_db(fixture);                                                          \
		ts_lisd_start(&lisd, db, NULL, NULL);                                              \
	}                                                                                          \
	static void suite_teardown(void)                                                           \
	{                                                                                          \
		ts_lisd_stop(&lisd);                                                               \
		ts_rmdb(db);                                                                     \
		free(db);                                                                          \
	}                                                                                          \
	TestSuite(name, .init = suite_setup, .fini = suite_teardown, .timeout = (secs))

#endif
