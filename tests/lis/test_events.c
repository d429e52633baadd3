/*
 * Events (lis/events.c, lis/webhook.c): the JSON line, de-duplication, the
 * file sink, webhook routing and at-least-once delivery to a real local
 * receiver (down then up, 500s, and a SIGKILLed emitter).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lis/lis_internal.h"
#include "tests/lis/receiver.h"
#include "tests/support/testsupport.h"

#define TEN_A "11111111-1111-4111-8111-111111111111"
#define TEN_B "22222222-2222-4222-8222-222222222222"

static char *tmp;

static void setup(void)
{
	tmp = ts_mkdtemp();
	lis_log_setup(LIS_LOG_ERROR, LIS_LOG_TEXT);
}

static void teardown(void)
{
	ts_rmtree(tmp);
	free(tmp);
}

TestSuite(events, .init = setup, .fini = teardown);

/* ---------------- a tiny JSON checker ------------------------------------- */

static const char *jv(const char *p);

static const char *jws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static const char *jstring(const char *p)
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

static const char *jv(const char *p)
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
static bool json_line(const char *line, size_t len)
{
	if (len < 3 || line[0] != '{' || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		return false;
	const char *e = jv(line);
	return e && e == line + len - 1;
}

#define HAS(line, needle)                                                                          \
	cr_assert(strstr((line), (needle)) != NULL, "expected %s in\n%s", (needle), (line))

/* ---------------- fixtures ---------------------------------------------- */

static wm_location_t sample_loc(void)
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
static lis_event_t call_of(const wm_location_t *loc, const char *dialed)
{
	return (lis_event_t){.type = strcmp(dialed, "911") == 0 ? LIS_EV_EMERGENCY_CALL
	                                                        : LIS_EV_TEST_CALL,
	                     .tenant = TEN_A,
	                     .loc = loc,
	                     .method = WM_M_SUBNET,
	                     .dialed = dialed};
}

static void base_cfg(lis_config_t *c)
{
	memset(c, 0, sizeof *c);
	c->events_dedup_s = 600;
	c->events_outbox_max = 1000;
	c->events_retry_max_s = 1;
}

static lis_events_t *open_ev(const lis_config_t *c)
{
	lis_events_t *ev = NULL;
	char err[512] = "";
	int rc = lis_events_open(c, &ev, err, sizeof err);
	cr_assert_eq(rc, 0, "lis_events_open: %s (%s)", err, lis_strerror(rc));
	return ev;
}

static char **read_lines(const char *path, size_t *n)
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

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The "id" of an event line. */
static void line_id(const char *line, char out[37])
{
	const char *p = strstr(line, "\"id\":\"");
	cr_assert_not_null(p);
	snprintf(out, 37, "%.36s", p + 6);
}

/* ---------------- JSON content ------------------------------------------- */

Test(events, json_has_every_field)
{
	wm_location_t loc = sample_loc();
	lis_event_t e = {.type = LIS_EV_TEST_CALL,
	                 .tenant = TEN_A,
	                 .loc = &loc,
	                 .method = WM_M_LLDP_PORT,
	                 .device = "lldp=00-1b-21-3c-4d-00/Gi1/0/7",
	                 .source = "10.20.30.40",
	                 .dialed = "933",
	                 .caller = "tel:+14085551234",
	                 .call_id = "a84b4c76e66710@pc33.example.com",
	                 .ts = 0};
	held_buf_t b;
	held_buf_init(&b);
	/* 2026-11-23T14:08:03.123Z */
	cr_assert_eq(
	    lis_event_json(&b, &e, "0f8fad5b-d9cb-469f-a165-70867728950e", 1, 1795442883123ULL), 0);
	char *l = strndup(b.p, b.len);
	cr_assert(json_line(l, b.len), "not a JSON line: %s", l);
	HAS(l, "\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"");
	HAS(l, "\"ts\":\"2026-11-23T14:08:03.123Z\"");
	HAS(l, "\"type\":\"test_call\"");
	HAS(l, "\"tenant\":\"" TEN_A "\"");
	HAS(l, "\"building_id\":\"sj-hq\"");
	HAS(l, "\"location_id\":\"sj-hq-1e-214\"");
	HAS(l, "\"location_name\":\"Room 214\"");
	HAS(l, "\"address\":\"170 W Tasman Dr, FLR 1, East Wing, ROOM 214, San Jose, CA "
	       "95134-1706, US\"");
	HAS(l, "\"civic\":{\"country\":\"US\",\"A1\":\"CA\",\"A3\":\"San Jose\",\"PRD\":\"W\","
	       "\"RD\":\"Tasman\",\"STS\":\"Dr\",\"HNO\":\"170\",\"LOC\":\"East Wing\","
	       "\"FLR\":\"1\",\"PC\":\"95134-1706\",\"ROOM\":\"214\"}");
	HAS(l, "\"geo\":{\"lat\":37.4107500,\"lon\":-121.9539000,\"radius\":15.0}");
	HAS(l, "\"method\":\"lldp-port\"");
	HAS(l, "\"device\":\"lldp=00-1b-21-3c-4d-00/Gi1/0/7\"");
	HAS(l, "\"ecbn\":\"+14085550100\"");
	HAS(l, "\"source\":\"10.20.30.40\"");
	HAS(l, "\"dialed\":\"933\"");
	HAS(l, "\"caller\":\"tel:+14085551234\"");
	HAS(l, "\"call_id\":\"a84b4c76e66710@pc33.example.com\"");
	HAS(l, "\"count\":1}");
	free(l);
	held_buf_deinit(&b);
}

Test(events, json_for_unknown_location)
{
	lis_event_t e = {.type = LIS_EV_UNKNOWN_LOCATION,
	                 .tenant = TEN_B,
	                 .method = WM_M_NONE,
	                 .device = "bssid=00-11-22-33-44-55 src-ip=192.0.2.7",
	                 .source = "192.0.2.7"};
	held_buf_t b;
	held_buf_init(&b);
	cr_assert_eq(lis_event_json(&b, &e, "6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a", 4, 1000), 0);
	char *l = strndup(b.p, b.len);
	cr_assert(json_line(l, b.len), "%s", l);
	HAS(l, "\"type\":\"unknown_location\"");
	HAS(l, "\"ts\":\"1970-01-01T00:00:01.000Z\"");
	HAS(l, "\"location_id\":null");
	HAS(l, "\"building_id\":null");
	HAS(l, "\"address\":null");
	HAS(l, "\"civic\":null");
	HAS(l, "\"geo\":null");
	HAS(l, "\"method\":\"none\"");
	HAS(l, "\"device\":\"bssid=00-11-22-33-44-55 src-ip=192.0.2.7\"");
	HAS(l, "\"count\":4}");
	cr_assert_null(strstr(l, "\"dialed\""), "absent call fields are left out");
	free(l);
	held_buf_deinit(&b);
}

Test(events, json_escapes_hostile_strings)
{
	wm_location_t loc = sample_loc();
	loc.name = "Lab \"7\"\\\n</script>";
	loc.civic[WM_CA_LOC] = "Wing\r\nX-Injected: 1";
	lis_event_t e = {.type = LIS_EV_EMERGENCY_CALL,
	                 .tenant = "t\"},{\"evil\":1",
	                 .loc = &loc,
	                 .method = WM_M_DID,
	                 .device = "uri=sip:\x01\x1f\x7f@x",
	                 .caller = "tel:+1\"\\",
	                 .call_id = "\xff\xfe"};
	held_buf_t b;
	held_buf_init(&b);
	cr_assert_eq(lis_event_json(&b, &e, "0f8fad5b-d9cb-469f-a165-70867728950e", 1, 1), 0);
	char *l = strndup(b.p, b.len);
	cr_assert(json_line(l, b.len), "hostile input broke the line: %s", l);
	HAS(l, "\"tenant\":\"t\\\"},{\\\"evil\\\":1\"");
	HAS(l, "\"location_name\":\"Lab \\\"7\\\"\\\\\\u000a</script>\"");
	HAS(l, "\"LOC\":\"Wing\\u000d\\u000aX-Injected: 1\"");
	HAS(l, "\"device\":\"uri=sip:\\u0001\\u001f\\u007f@x\"");
	HAS(l, "\"caller\":\"tel:+1\\\"\\\\\"");
	HAS(l, "\"call_id\":\"??\"");
	free(l);
	held_buf_deinit(&b);
}

Test(events, address_line_and_uuid)
{
	wm_location_t loc;
	memset(&loc, 0, sizeof loc);
	char a[256];
	lis_event_address(&loc, a, sizeof a);
	cr_assert_str_eq(a, "");
	loc.civic[WM_CA_COUNTRY] = "DE";
	loc.civic[WM_CA_A3] = "Berlin";
	loc.civic[WM_CA_RD] = "Unter den Linden";
	loc.civic[WM_CA_HNO] = "77";
	loc.civic[WM_CA_PC] = "10117";
	loc.civic[WM_CA_BLD] = "B";
	loc.civic[WM_CA_NAM] = "Hotel Adlon";
	lis_event_address(&loc, a, sizeof a);
	cr_assert_str_eq(a, "Hotel Adlon, 77 Unter den Linden, BLDG B, Berlin, 10117, DE");

	char u1[37], u2[37];
	lis_uuid_v4(u1);
	lis_uuid_v4(u2);
	cr_assert_eq(strlen(u1), 36);
	cr_assert_str_neq(u1, u2);
	cr_assert_eq(u1[8], '-');
	cr_assert_eq(u1[14], '4', "version 4: %s", u1);
	cr_assert(strchr("89ab", u1[19]) != NULL, "RFC 4122 variant: %s", u1);
}

/* ---------------- file sink and de-duplication -------------------------- */

Test(events, file_sink_and_dedup_window)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/events.jsonl", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.events_file = path;
	c.events_dedup_s = 1;
	lis_events_t *ev = open_ev(&c);

	lis_event_t u = {.type = LIS_EV_UNKNOWN_LOCATION,
	                 .tenant = TEN_A,
	                 .device = "bssid=00-11-22-33-44-55 src-ip=10.9.9.9"};
	for (int i = 0; i < 3; i++)
		cr_assert_eq(lis_events_emit(ev, &u), 0);
	size_t n;
	char **v = read_lines(path, &n);
	cr_assert_eq(n, 1, "3 identical unknown_location -> 1 line, got %zu", n);
	HAS(v[0], "\"count\":1}");
	free_lines(v, n);

	/* Another device, or the same device under another tenant, is new. */
	lis_event_t u2 = u;
	u2.device = "bssid=00-11-22-33-44-66 src-ip=10.9.9.9";
	lis_event_t u3 = u;
	u3.tenant = TEN_B;
	cr_assert_eq(lis_events_emit(ev, &u2), 0);
	cr_assert_eq(lis_events_emit(ev, &u3), 0);
	v = read_lines(path, &n);
	cr_assert_eq(n, 3);
	free_lines(v, n);

	/* After the window: one line carrying the repeats + 1. */
	usleep(1200000);
	cr_assert_eq(lis_events_emit(ev, &u), 0);
	cr_assert_eq(lis_events_emit(ev, &u), 0); /* inside the new window */
	v = read_lines(path, &n);
	cr_assert_eq(n, 4);
	HAS(v[3], "\"count\":3}");
	HAS(v[3], "\"device\":\"bssid=00-11-22-33-44-55 src-ip=10.9.9.9\"");
	free_lines(v, n);

	/* Calls are never de-duplicated. */
	wm_location_t loc = sample_loc();
	lis_event_t call = call_of(&loc, "911");
	cr_assert_eq(lis_events_emit(ev, &call), 0);
	cr_assert_eq(lis_events_emit(ev, &call), 0);
	v = read_lines(path, &n);
	cr_assert_eq(n, 6);
	char id1[37], id2[37];
	line_id(v[4], id1);
	line_id(v[5], id2);
	cr_assert_str_neq(id1, id2, "every event has its own id");
	free_lines(v, n);

	held_buf_t m;
	held_buf_init(&m);
	lis_events_metrics(ev, &m);
	char *mt = strndup(m.p, m.len);
	HAS(mt, "lis_events_total{type=\"unknown_location\"} 4\n");
	HAS(mt, "lis_events_total{type=\"emergency_call\"} 2\n");
	HAS(mt, "lis_events_total{type=\"test_call\"} 0\n");
	HAS(mt, "lis_events_suppressed_total 3\n");
	HAS(mt, "lis_event_deliveries_total{outcome=\"delivered\"} 0\n");
	HAS(mt, "lis_events_outbox_depth 0\n");
	HAS(mt, "lis_events_lost_total 0\n");
	free(mt);
	held_buf_deinit(&m);
	lis_events_close(ev);
}

typedef struct {
	lis_events_t *ev;
	int n;
} thr_arg_t;

static void *emit_many(void *arg)
{
	thr_arg_t *a = arg;
	wm_location_t loc = sample_loc();
	lis_event_t call = {.type = LIS_EV_TEST_CALL,
	                    .tenant = TEN_A,
	                    .loc = &loc,
	                    .method = WM_M_BSSID,
	                    .dialed = "933"};
	for (int i = 0; i < a->n; i++)
		if (lis_events_emit(a->ev, &call) != 0)
			return (void *)1;
	return NULL;
}

Test(events, file_sink_lines_stay_whole_under_concurrency)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/events.jsonl", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.events_file = path;
	lis_events_t *ev = open_ev(&c);
	pthread_t th[4];
	thr_arg_t a = {ev, 40};
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, emit_many, &a);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		cr_assert_null(r, "emit failed");
	}
	lis_events_close(ev);
	size_t n;
	char **v = read_lines(path, &n); /* asserts every line is one JSON object */
	cr_assert_eq(n, 160);
	free_lines(v, n);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0077 & ~0040, 0, "events file not world-readable");
}

/*
 * A SIGKILL inside write(2) can leave the file ending inside a line (the
 * kernel stops copying a line that spans a page when the signal lands).
 * Reopened, the sink ends that fragment, so the next event is a whole line
 * of its own instead of being glued to it; a whole file is left as it is.
 */
Test(events, file_sink_ends_a_line_torn_by_a_crash)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/events.jsonl", tmp);
	const char *whole = "{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"count\":1}\n";
	const char *frag = "{\"id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"ts\":\"2026-11-2";
	char *init = NULL;
	cr_assert(asprintf(&init, "%s%s", whole, frag) > 0);
	free(ts_write_file(tmp, "events.jsonl", init));
	lis_config_t c;
	base_cfg(&c);
	c.events_file = path;
	lis_events_t *ev = open_ev(&c);
	wm_location_t loc = sample_loc();
	lis_event_t call = call_of(&loc, "911");
	cr_assert_eq(lis_events_emit(ev, &call), 0);
	lis_events_close(ev);

	char *s = ts_read_file(path, NULL);
	size_t pre = strlen(init);
	cr_assert(strncmp(s, init, pre) == 0, "the file was rewritten:\n%s", s);
	cr_assert_eq(s[pre], '\n', "the fragment was not ended:\n%s", s);
	const char *last = s + pre + 1;
	size_t last_len = strlen(last);
	cr_assert(json_line(last, last_len), "the next event is not a line of its own:\n%s", s);
	free(s);

	/* A file that ends in '\n' gets nothing but the next line. */
	ev = open_ev(&c);
	lis_events_close(ev);
	s = ts_read_file(path, NULL);
	cr_assert_eq(strlen(s), pre + 1 + last_len, "reopening changed a whole file:\n%s", s);
	free(s);
	free(init);
}

/*
 * A write cut short while lisd runs (a full disk; here the file size limit,
 * which truncates the write the same way) is reported as an error, and the
 * next event still starts a line of its own.
 */
Test(events, file_sink_ends_a_line_cut_short_at_run_time)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/events.jsonl", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.events_file = path;
	lis_events_t *ev = open_ev(&c);
	wm_location_t loc = sample_loc();
	lis_event_t call = call_of(&loc, "933");
	cr_assert_eq(lis_events_emit(ev, &call), 0);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 40;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = lis_events_emit(ev, &call);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert_neq(rc, 0, "a line cut short must be reported");
	cr_assert_eq(lis_events_emit(ev, &call), 0);
	lis_events_close(ev);

	char *s = ts_read_file(path, NULL);
	char *l1 = strchr(s, '\n') + 1, *l2 = strchr(l1, '\n');
	cr_assert_not_null(l2, "the cut line was not ended:\n%s", s);
	cr_assert_eq(l2 - l1, 40, "expected the 40 bytes the limit let through:\n%s", s);
	cr_assert(json_line(s, (size_t)(l1 - s)));
	cr_assert(json_line(l2 + 1, strlen(l2 + 1)), "the next event is not whole:\n%s", s);
	free(s);
}

Test(events, no_sink_only_counts)
{
	lis_config_t c;
	base_cfg(&c);
	lis_events_t *ev = open_ev(&c);
	lis_event_t u = {.type = LIS_EV_UNKNOWN_LOCATION, .tenant = TEN_A, .device = "x"};
	cr_assert_eq(lis_events_emit(ev, &u), 0);
	cr_assert_eq(lis_events_start(ev), 0);
	held_buf_t m;
	held_buf_init(&m);
	lis_events_metrics(ev, &m);
	char *mt = strndup(m.p, m.len);
	HAS(mt, "lis_events_total{type=\"unknown_location\"} 1\n");
	free(mt);
	held_buf_deinit(&m);
	lis_events_close(ev);
	lis_events_close(NULL);
}

/* ---------------- routing ------------------------------------------------ */

static lis_building_hook_t hooks_a[] = {{"sj-hq", "https://desk.example.com/sj"},
                                        {"nyc", "https://desk.example.com/nyc"}};
static lis_tenant_cfg_t tenants[] = {
    {.id = TEN_A,
     .webhook = "https://a.example.com/hook",
     .building_hooks = hooks_a,
     .n_building_hooks = 2},
    {.id = TEN_B},
};

Test(events, webhook_routing_building_then_tenant_then_global)
{
	lis_config_t c;
	base_cfg(&c);
	c.tenants = tenants;
	c.n_tenants = 2;
	c.events_webhook = "https://global.example.com/events";
	cr_assert_str_eq(lis_events_route(&c, TEN_A, "sj-hq"), "https://desk.example.com/sj");
	cr_assert_str_eq(lis_events_route(&c, TEN_A, "nyc"), "https://desk.example.com/nyc");
	cr_assert_str_eq(lis_events_route(&c, TEN_A, "other"), "https://a.example.com/hook");
	cr_assert_str_eq(lis_events_route(&c, TEN_A, NULL), "https://a.example.com/hook");
	cr_assert_str_eq(lis_events_route(&c, TEN_B, "sj-hq"), "https://global.example.com/events");
	cr_assert_str_eq(lis_events_route(&c, "unknown", NULL),
	                 "https://global.example.com/events");
	c.events_webhook = NULL;
	cr_assert_null(lis_events_route(&c, TEN_B, "sj-hq"));
	cr_assert_str_eq(lis_events_route(&c, TEN_A, "x"), "https://a.example.com/hook");
}

static char *url(int port, const char *path)
{
	char *s;
	cr_assert(asprintf(&s, "http://127.0.0.1:%d%s", port, path) > 0);
	return s;
}

Test(events, webhook_routing_end_to_end)
{
	int port = ts_free_port();
	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 0), 0);
	char *ub = url(port, "/building"), *ut = url(port, "/tenant"), *ug = url(port, "/global");
	lis_building_hook_t hb[] = {{"sj-hq", ub}};
	lis_tenant_cfg_t tc[] = {
	    {.id = TEN_A, .webhook = ut, .building_hooks = hb, .n_building_hooks = 1}};
	char ob[4200];
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.tenants = tc;
	c.n_tenants = 1;
	c.events_webhook = ug;
	c.events_outbox = ob;
	lis_events_t *ev = open_ev(&c);
	cr_assert_eq(lis_events_start(ev), 0);

	wm_location_t l1 = sample_loc(), l2 = sample_loc();
	l2.building_id = "other";
	lis_event_t e1 = {
	    .type = LIS_EV_EMERGENCY_CALL, .tenant = TEN_A, .loc = &l1, .dialed = "911"};
	lis_event_t e2 = {
	    .type = LIS_EV_EMERGENCY_CALL, .tenant = TEN_A, .loc = &l2, .dialed = "911"};
	lis_event_t e3 = {.type = LIS_EV_TEST_CALL, .tenant = TEN_B, .loc = &l1, .dialed = "933"};
	cr_assert_eq(lis_events_emit(ev, &e1), 0);
	cr_assert_eq(lis_events_emit(ev, &e2), 0);
	cr_assert_eq(lis_events_emit(ev, &e3), 0);
	cr_assert(rcv_wait(&r, 3, 10000), "only %zu of 3 delivered", rcv_count(&r));
	int seen = 0;
	for (size_t i = 0; i < r.n; i++) {
		const char *b = r.msgs[i].body;
		const char *end = jv(b);
		cr_assert(end && !*end, "body is not one JSON object: %s", b);
		if (strstr(b, "\"building_id\":\"sj-hq\"") && strstr(b, TEN_A)) {
			cr_assert_str_eq(r.msgs[i].path, "/building");
			seen |= 1;
		} else if (strstr(b, "\"building_id\":\"other\"")) {
			cr_assert_str_eq(r.msgs[i].path, "/tenant");
			seen |= 2;
		} else {
			cr_assert_str_eq(r.msgs[i].path, "/global");
			HAS(b, "\"type\":\"test_call\"");
			seen |= 4;
		}
		HAS(b, r.msgs[i].id);
		cr_assert_str_eq(r.msgs[i].attempt, "1");
	}
	cr_assert_eq(seen, 7);
	lis_events_close(ev);
	rcv_free(&r);
	free(ub);
	free(ut);
	free(ug);
}

/* ---------------- delivery to a real receiver ----------------------------- */

static void emit_calls(lis_events_t *ev, int n, char ids[][37], const char *file)
{
	wm_location_t loc = sample_loc();
	for (int i = 0; i < n; i++) {
		char cid[32];
		snprintf(cid, sizeof cid, "call-%d", i);
		lis_event_t e = {.type = i % 2 ? LIS_EV_TEST_CALL : LIS_EV_EMERGENCY_CALL,
		                 .tenant = TEN_A,
		                 .loc = &loc,
		                 .method = WM_M_SUBNET,
		                 .dialed = i % 2 ? "933" : "911",
		                 .call_id = cid};
		cr_assert_eq(lis_events_emit(ev, &e), 0);
	}
	size_t nl;
	char **v = read_lines(file, &nl);
	cr_assert_eq(nl, (size_t)n);
	for (int i = 0; i < n; i++)
		line_id(v[i], ids[i]);
	free_lines(v, nl);
}

static void assert_each_once(rcv_t *r, int n, char ids[][37])
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(rcv_count_id(r, ids[i]), 1, "event %s delivered %zu times", ids[i],
		             rcv_count_id(r, ids[i]));
	cr_assert_eq(rcv_count(r), (size_t)n, "%zu deliveries for %d events", rcv_count(r), n);
}

Test(events, receiver_down_then_up_gets_each_event_once)
{
	int port = ts_free_port();
	char *hook = url(port, "/hook"), ob[4200], file[4200];
	snprintf(file, sizeof file, "%s/events.jsonl", tmp);
	lis_config_t c;
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	base_cfg(&c);
	c.events_webhook = hook;
	c.events_outbox = ob;
	c.events_file = file;
	lis_events_t *ev = open_ev(&c);
	cr_assert_eq(lis_events_start(ev), 0);

	enum { N = 20 };
	char ids[N][37];
	emit_calls(ev, N, ids, file);
	usleep(1500000); /* the receiver is down: attempts fail and are rescheduled */
	held_buf_t m;
	held_buf_init(&m);
	lis_events_metrics(ev, &m);
	char *mt = strndup(m.p, m.len);
	HAS(mt, "lis_events_outbox_depth 20\n");
	cr_assert_null(strstr(mt, "outcome=\"retry\"} 0\n"), "failed attempts are counted:\n%s",
	               mt);
	free(mt);

	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 0), 0);
	cr_assert(rcv_wait(&r, N, 15000), "only %zu of %d delivered", rcv_count(&r), N);
	usleep(500000); /* any duplicate would arrive now */
	assert_each_once(&r, N, ids);
	held_buf_reset(&m);
	lis_events_metrics(ev, &m);
	mt = strndup(m.p, m.len);
	HAS(mt, "lis_event_deliveries_total{outcome=\"delivered\"} 20\n");
	HAS(mt, "lis_events_outbox_depth 0\n");
	free(mt);
	held_buf_deinit(&m);
	lis_events_close(ev);
	rcv_free(&r);
	free(hook);
}

/*
 * A backlog (an outage, a restart) drains at the receiver's pace: each
 * delivery that succeeds starts the next one at once. Refilling the
 * LIS_WEBHOOK_INFLIGHT slots only on the 250 ms tick would take N / 8 ticks
 * (12.5 s here); the bound below is well under that, not a speed goal.
 */
Test(events, backlog_drains_at_the_receivers_pace, .timeout = 60)
{
	int port = ts_free_port();
	char *hook = url(port, "/hook"), ob[4200];
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.events_webhook = hook;
	c.events_outbox = ob;
	lis_events_t *ev = open_ev(&c);
	enum { N = 400 };
	wm_location_t loc = sample_loc();
	lis_event_t call = call_of(&loc, "911");
	int bad = 0;
	for (int i = 0; i < N; i++)
		bad += lis_events_emit(ev, &call) != 0;
	cr_assert_eq(bad, 0);
	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 0), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(lis_events_start(ev), 0);
	bool all = rcv_wait(&r, N, 30000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert(all, "only %zu of %d delivered", rcv_count(&r), N);
	cr_assert_lt(secs, 5.0, "%d waiting events took %.1f s to reach a receiver that is up", N,
	             secs);
	lis_events_close(ev);
	rcv_free(&r);
	free(hook);
}

Test(events, receiver_failing_then_ok_gets_each_event_once)
{
	int port = ts_free_port();
	char *hook = url(port, "/hook"), ob[4200], file[4200];
	snprintf(file, sizeof file, "%s/events.jsonl", tmp);
	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 3), 0); /* 500, 500, 500, then 200 */
	lis_config_t c;
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	base_cfg(&c);
	c.events_webhook = hook;
	c.events_outbox = ob;
	c.events_file = file;
	lis_events_t *ev = open_ev(&c);
	cr_assert_eq(lis_events_start(ev), 0);
	char ids[1][37];
	emit_calls(ev, 1, ids, file);
	cr_assert(rcv_wait(&r, 1, 15000), "not delivered after the 500s");
	usleep(300000);
	cr_assert_eq(atomic_load(&r.requests), 4, "3 refusals then 1 acknowledgement");
	assert_each_once(&r, 1, ids);
	cr_assert_str_eq(r.msgs[0].attempt, "4");

	/* Several at once through more 500s. */
	atomic_store(&r.fail_first, 5);
	enum { N = 6 };
	char more[N][37];
	char file2[4200];
	snprintf(file2, sizeof file2, "%s/events.jsonl", tmp);
	wm_location_t loc = sample_loc();
	for (int i = 0; i < N; i++) {
		lis_event_t e = {
		    .type = LIS_EV_EMERGENCY_CALL, .tenant = TEN_A, .loc = &loc, .dialed = "911"};
		cr_assert_eq(lis_events_emit(ev, &e), 0);
	}
	size_t nl;
	char **v = read_lines(file2, &nl);
	cr_assert_eq(nl, 1 + N);
	for (int i = 0; i < N; i++)
		line_id(v[1 + i], more[i]);
	free_lines(v, nl);
	cr_assert(rcv_wait(&r, 1 + N, 20000), "only %zu delivered", rcv_count(&r));
	usleep(300000);
	for (int i = 0; i < N; i++)
		cr_assert_eq(rcv_count_id(&r, more[i]), 1);
	cr_assert_eq(rcv_count(&r), 1 + N);
	lis_events_close(ev);
	rcv_free(&r);
	free(hook);
}

Test(events, full_outbox_refuses_and_counts)
{
	char ob[4200];
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	lis_config_t c;
	base_cfg(&c);
	c.events_webhook = "http://127.0.0.1:9/hook";
	c.events_outbox = ob;
	c.events_outbox_max = 2;
	lis_events_t *ev = open_ev(&c); /* not started: nothing leaves the outbox */
	wm_location_t loc = sample_loc();
	lis_event_t u = {.type = LIS_EV_UNKNOWN_LOCATION, .tenant = TEN_A, .device = "d1"};
	lis_event_t e = {.type = LIS_EV_EMERGENCY_CALL, .tenant = TEN_A, .loc = &loc};
	cr_assert_eq(lis_events_emit(ev, &u), 0);
	cr_assert_eq(lis_events_emit(ev, &e), 0);
	cr_assert_eq(lis_events_emit(ev, &e), 0, "the unknown_location made room");
	cr_assert_eq(lis_events_emit(ev, &e), LIS_EFULL);
	held_buf_t m;
	held_buf_init(&m);
	lis_events_metrics(ev, &m);
	char *mt = strndup(m.p, m.len);
	HAS(mt, "lis_event_deliveries_total{outcome=\"dropped\"} 2\n");
	HAS(mt, "lis_events_outbox_depth 2\n");
	HAS(mt, "lis_events_lost_total 1\n");
	free(mt);
	held_buf_deinit(&m);
	lis_events_close(ev);
}

/*
 * SIGKILL: a child emits N events (its webhook's receiver is down), says so
 * through a file, and is killed. The parent opens the same outbox with the
 * receiver up: every one of the N arrives, once.
 *
 * The child is this test binary re-executed (fork + execve, nothing else in
 * between): a plain process without Criterion's state or threads, which
 * reports through its exit status and files only.
 */
#define CHILD_ENV "OPENLIS_TEST_EVENTS_CHILD"
enum { KILL_N = 25 };

__attribute__((constructor)) static void sigkill_child(void)
{
	const char *a = getenv(CHILD_ENV);
	if (!a)
		return;
	/* hook \n outbox \n file \n done */
	char buf[4 * 4200], *f[4];
	snprintf(buf, sizeof buf, "%s", a);
	f[0] = buf;
	for (int i = 1; i < 4; i++) {
		f[i] = strchr(f[i - 1], '\n');
		if (!f[i])
			_exit(10);
		*f[i]++ = 0;
	}
	lis_config_t c;
	base_cfg(&c);
	c.events_webhook = f[0];
	c.events_outbox = f[1];
	c.events_file = f[2];
	lis_events_t *ev = NULL;
	char err[256];
	if (lis_events_open(&c, &ev, err, sizeof err) || lis_events_start(ev))
		_exit(2);
	wm_location_t loc = sample_loc();
	for (int i = 0; i < KILL_N; i++) {
		lis_event_t e = {
		    .type = LIS_EV_EMERGENCY_CALL, .tenant = TEN_A, .loc = &loc, .dialed = "911"};
		if (lis_events_emit(ev, &e))
			_exit(3);
	}
	int fd = open(f[3], O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		_exit(4);
	close(fd);
	for (;;)
		pause();
}

Test(events, sigkill_after_emit_loses_nothing, .timeout = 120)
{
	int port = ts_free_port();
	char *hook = url(port, "/hook"), ob[4200], file[4200], done[4200], log[4200];
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	snprintf(file, sizeof file, "%s/events.jsonl", tmp);
	snprintf(done, sizeof done, "%s/done", tmp);
	snprintf(log, sizeof log, "%s/child.log", tmp);
	enum { N = KILL_N };

	/* Everything the child needs is built before fork. */
	char *arg;
	cr_assert(asprintf(&arg, CHILD_ENV "=%s\n%s\n%s\n%s", hook, ob, file, done) > 0);
	/* Only sanitizer settings pass: Criterion's own variables would make
	 * the child talk to the test runner. */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **envp = calloc(ne + 2, sizeof *envp);
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strstr(environ[i], "SAN_OPTIONS=") || !strncmp(environ[i], "PATH=", 5))
			envp[k++] = environ[i];
	envp[k] = arg;
	char exe[4096];
	ssize_t xl = readlink("/proc/self/exe", exe, sizeof exe - 1);
	cr_assert_gt(xl, 0);
	exe[xl] = 0;
	char *const argv[] = {exe, NULL};
	int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(lfd, 0);

	pid_t pid = fork();
	if (pid == 0) { /* no cr_assert before this: with --full-stats even a passing one talks */
		dup2(lfd, 2);
		dup2(lfd, 1);
		execve(exe, argv, envp);
		_exit(127);
	}
	cr_assert_neq(pid, -1);
	close(lfd);
	free(envp);
	free(arg);
	struct stat st;
	int waited = 0, status = 0;
	bool exited = false;
	while (stat(done, &st) != 0 && waited < 90000) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		usleep(20000);
		waited += 20;
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	char *clog = ts_read_file(log, NULL);
	cr_assert(!exited, "the emitting child exited early (status %d): %s", status, clog);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cr_assert_lt(waited, 90000, "the child did not finish emitting: %s", clog);
	free(clog);

	char ids[N][37];
	size_t nl;
	char **v = read_lines(file, &nl);
	cr_assert_eq(nl, (size_t)N);
	for (int i = 0; i < N; i++)
		line_id(v[i], ids[i]);
	free_lines(v, nl);

	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 0), 0);
	lis_config_t c;
	base_cfg(&c);
	c.events_webhook = hook;
	c.events_outbox = ob;
	lis_events_t *ev = open_ev(&c);
	cr_assert_eq(lis_events_start(ev), 0);
	cr_assert(rcv_wait(&r, N, 15000), "only %zu of %d delivered after the restart",
	          rcv_count(&r), N);
	usleep(500000);
	assert_each_once(&r, N, ids);
	lis_events_close(ev);
	rcv_free(&r);
	free(hook);
}
