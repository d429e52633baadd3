/*
 * What the events unit tests share (test_events.c: the JSON line, the file
 * sink, de-duplication; test_events_delivery.c: routing and delivery to a
 * real receiver): a temp dir per test, a tiny JSON checker, a sample
 * location, and helpers to open the sinks and read the file back.
 */
#ifndef OPENLIS_TEST_EVENTS_FIXTURE_H
#define OPENLIS_TEST_EVENTS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis_internal.h"
#include "tests/support/testsupport.h"

#define TEN_A "11111111-1111-4111-8111-111111111111"
#define TEN_B "22222222-2222-4222-8222-222222222222"

static char *tmp; /* each test's own temp dir */

static inline void setup(void)
{
	tmp = ts_mkdtemp();
	lis_log_setup(LIS_LOG_ERROR, LIS_LOG_TEXT);
}

static inline void teardown(void)
{
	ts_rmtree(tmp);
	free(tmp);
}

TestSuite(events, .init = setup, .fini = teardown);

/* ---------------- a tiny JSON checker ------------------------------------- */

static inline const char *jv(const char *p);

static inline const char *jws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static inline const char *jstring(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static inline const char *jv(const char *p)
{
	p = jws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = jws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = jstring(jws(p));
				if (!p)
					return NULL;
				p = jws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = jv(p);
			if (!p)
				return NULL;
			p = jws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return jstring(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	const char *s = p;
	if (*p == '-')
		p++;
	while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
	       *p == '-')
		p++;
	return p > s ? p : NULL;
}

/* True when line is exactly one JSON object followed by "\n". */
static inline bool json_line(const char *line, size_t len)
{
	if (len < 3 || line[0] != '{' || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		return false;
	const char *e = jv(line);
	return e && e == line + len - 1;
}

#define HAS(line, needle)                                                                          \
	cr_assert(strstr((line), (needle)) != NULL, "expected %s in\n%s", (needle), (line))

/* ---------------- fixtures ---------------------------------------------- */

static inline wm_location_t sample_loc(void)
{
	wm_location_t l;
	memset(&l, 0, sizeof l);
	l.id = "sj-hq-1e-214";
	l.name = "Room 214";
	l.building_id = "sj-hq";
	l.building_name = "San Jose HQ";
	l.civic[WM_CA_COUNTRY] = "US";
	l.civic[WM_CA_A1] = "CA";
	l.civic[WM_CA_A3] = "San Jose";
	l.civic[WM_CA_HNO] = "170";
	l.civic[WM_CA_PRD] = "W";
	l.civic[WM_CA_RD] = "Tasman";
	l.civic[WM_CA_STS] = "Dr";
	l.civic[WM_CA_PC] = "95134-1706";
	l.civic[WM_CA_FLR] = "1";
	l.civic[WM_CA_LOC] = "East Wing";
	l.civic[WM_CA_ROOM] = "214";
	l.geo = (wm_geo_t){true, 37.41075, -121.9539, 15};
	l.ecbn = "+14085550100";
	return l;
}

/* A 911 (emergency_call) or 933 (test_call) of tenant A, matched by subnet. */
static inline lis_event_t call_of(const wm_location_t *loc, const char *dialed)
{
	return (lis_event_t){.type = strcmp(dialed, "911") == 0 ? LIS_EV_EMERGENCY_CALL
	                                                        : LIS_EV_TEST_CALL,
	                     .tenant = TEN_A,
	                     .loc = loc,
	                     .method = WM_M_SUBNET,
	                     .dialed = dialed};
}

static inline void base_cfg(lis_config_t *c)
{
	memset(c, 0, sizeof *c);
	c->events_dedup_s = 600;
	c->events_outbox_max = 1000;
	c->events_retry_max_s = 1;
}

static inline lis_events_t *open_ev(const lis_config_t *c)
{
	lis_events_t *ev = NULL;
	char err[512] = "";
	int rc = lis_events_open(c, &ev, err, sizeof err);
	cr_assert_eq(rc, 0, "lis_events_open: %s (%s)", err, lis_strerror(rc));
	return ev;
}

static inline char **read_lines(const char *path, size_t *n)
{
	size_t len = 0;
	char *s = ts_read_file(path, &len);
	char **v = calloc(len + 1, sizeof *v);
	*n = 0;
	if (!s)
		return v;
	for (char *p = s; *p;) {
		char *nl = strchr(p, '\n');
		cr_assert_not_null(nl, "unterminated line in %s", path);
		size_t l = (size_t)(nl - p) + 1;
		v[*n] = strndup(p, l);
		cr_assert(json_line(v[*n], l), "not one JSON object per line: %s", v[*n]);
		(*n)++;
		p = nl + 1;
	}
	free(s);
	return v;
}

static inline void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The "id" of an event line. */
static inline void line_id(const char *line, char out[37])
{
	const char *p = strstr(line, "\"id\":\"");
	cr_assert_not_null(p);
	snprintf(out, 37, "%.36s", p + 6);
}

#endif
