/*
 * Events (lis/events.c): the JSON line, de-duplication and the file sink.
 * Routing and delivery: test_events_delivery.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lis/events_fixture.h"

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
