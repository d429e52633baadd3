/* The durable webhook outbox (lis/outbox.c): LMDB queue, bound, schedule. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis_internal.h"
#include "tests/support/testsupport.h"

static char *tmp;
static char dir[4096];

static void setup(void)
{
	tmp = ts_mkdtemp();
	snprintf(dir, sizeof dir, "%s/outbox", tmp);
}

static void teardown(void)
{
	ts_rmtree(tmp);
	free(tmp);
}

TestSuite(outbox, .init = setup, .fini = teardown);

typedef struct {
	size_t n;
	uint64_t seq[32];
	char id[32][37];
	char url[32][128];
	char body[32][128];
	uint32_t attempts[32];
	uint64_t next[32];
	uint8_t type[32];
} seen_t;

static int collect(void *arg, const lis_outbox_entry_t *e)
{
	seen_t *s = arg;
	if (s->n == 32)
		return 1;
	s->seq[s->n] = e->seq;
	snprintf(s->id[s->n], 37, "%s", e->id);
	snprintf(s->url[s->n], 128, "%s", e->url);
	snprintf(s->body[s->n], 128, "%.*s", (int)e->body_len, e->body);
	s->attempts[s->n] = e->attempts;
	s->next[s->n] = e->next_ms;
	s->type[s->n] = e->type;
	s->n++;
	return 0;
}

static lis_outbox_t *open_ob(size_t max)
{
	lis_outbox_t *ob = NULL;
	char err[256] = "";
	int rc = lis_outbox_open(dir, max, &ob, err, sizeof err);
	cr_assert_eq(rc, 0, "open: %s", err);
	return ob;
}

static void put(lis_outbox_t *ob, const char *id, lis_event_type_t t, uint64_t now,
                unsigned *dropped)
{
	char body[64];
	snprintf(body, sizeof body, "{\"id\":\"%s\"}", id);
	int rc =
	    lis_outbox_put(ob, id, t, "http://127.0.0.1:9/hook", body, strlen(body), now, dropped);
	cr_assert_eq(rc, 0, "put %s: %s", id, lis_strerror(rc));
}

Test(outbox, put_scan_delete)
{
	lis_outbox_t *ob = open_ob(10);
	struct stat st;
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "outbox dir mode %o", st.st_mode & 0777);

	put(ob, "id-a", LIS_EV_EMERGENCY_CALL, 1000, NULL);
	put(ob, "id-b", LIS_EV_TEST_CALL, 1000, NULL);
	put(ob, "id-c", LIS_EV_UNKNOWN_LOCATION, 1000, NULL);
	cr_assert_eq(lis_outbox_depth(ob), 3);

	seen_t s = {0};
	cr_assert_eq(lis_outbox_scan_due(ob, 1000, collect, &s), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.id[0], "id-a");
	cr_assert_str_eq(s.id[1], "id-b");
	cr_assert_str_eq(s.id[2], "id-c");
	cr_assert(s.seq[0] < s.seq[1] && s.seq[1] < s.seq[2], "FIFO sequence");
	cr_assert_str_eq(s.url[1], "http://127.0.0.1:9/hook");
	cr_assert_str_eq(s.body[1], "{\"id\":\"id-b\"}");
	cr_assert_eq(s.type[1], LIS_EV_TEST_CALL);
	cr_assert_eq(s.attempts[1], 0);
	cr_assert_eq(s.next[1], 1000);

	/* Not due yet before its time. */
	seen_t early = {0};
	cr_assert_eq(lis_outbox_scan_due(ob, 999, collect, &early), 0);
	cr_assert_eq(early.n, 0);

	/* A delete naming another event id leaves the entry alone. */
	cr_assert_eq(lis_outbox_delete(ob, s.seq[1], "id-x"), 0);
	cr_assert_eq(lis_outbox_delete(ob, s.seq[1], "id-b"), 1);
	cr_assert_eq(lis_outbox_delete(ob, s.seq[1], "id-b"), 0, "already gone");
	cr_assert_eq(lis_outbox_depth(ob), 2);
	seen_t s2 = {0};
	lis_outbox_scan_due(ob, 5000, collect, &s2);
	cr_assert_eq(s2.n, 2);
	cr_assert_str_eq(s2.id[0], "id-a");
	cr_assert_str_eq(s2.id[1], "id-c");
	lis_outbox_close(ob);
}

Test(outbox, survives_close_and_reopen)
{
	lis_outbox_t *ob = open_ob(10);
	put(ob, "id-1", LIS_EV_EMERGENCY_CALL, 1000, NULL);
	put(ob, "id-2", LIS_EV_UNKNOWN_LOCATION, 1001, NULL);
	seen_t s = {0};
	lis_outbox_scan_due(ob, 2000, collect, &s);
	cr_assert_eq(lis_outbox_reschedule(ob, s.seq[0], "id-1", 3, 7000), 1);
	lis_outbox_close(ob);

	ob = open_ob(10);
	cr_assert_eq(lis_outbox_depth(ob), 2, "depth after reopen");
	seen_t r = {0};
	lis_outbox_scan_due(ob, 10000, collect, &r);
	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.id[0], "id-2");
	cr_assert_str_eq(r.id[1], "id-1");
	cr_assert_eq(r.attempts[1], 3, "attempts kept");
	cr_assert_eq(r.next[1], 7000, "schedule kept");
	cr_assert_str_eq(r.body[0], "{\"id\":\"id-2\"}");

	/* Sequence numbers are never reused, even after the newest is deleted. */
	cr_assert_eq(lis_outbox_delete(ob, r.seq[0], "id-2"), 1);
	put(ob, "id-3", LIS_EV_TEST_CALL, 1002, NULL);
	seen_t t = {0};
	lis_outbox_scan_due(ob, 10000, collect, &t);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(t.id[0], "id-3");
	cr_assert_gt(t.seq[0], r.seq[0]);
	lis_outbox_close(ob);
}

Test(outbox, bound_drops_oldest_unknown_location_first)
{
	lis_outbox_t *ob = open_ob(3);
	unsigned d = 0;
	put(ob, "u1", LIS_EV_UNKNOWN_LOCATION, 1000, &d);
	put(ob, "e1", LIS_EV_EMERGENCY_CALL, 1001, &d);
	put(ob, "u2", LIS_EV_UNKNOWN_LOCATION, 1002, &d);
	cr_assert_eq(d, 0);
	cr_assert_eq(lis_outbox_depth(ob), 3);

	put(ob, "t1", LIS_EV_TEST_CALL, 1003, &d);
	cr_assert_eq(d, 1, "the oldest unknown_location made room");
	put(ob, "e2", LIS_EV_EMERGENCY_CALL, 1004, &d);
	cr_assert_eq(d, 1);
	cr_assert_eq(lis_outbox_depth(ob), 3);

	seen_t s = {0};
	lis_outbox_scan_due(ob, 5000, collect, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.id[0], "e1");
	cr_assert_str_eq(s.id[1], "t1");
	cr_assert_str_eq(s.id[2], "e2");

	/* Nothing droppable left: the new event is refused, nothing is lost. */
	const char *b = "{}";
	d = 0;
	int rc = lis_outbox_put(ob, "e3", LIS_EV_EMERGENCY_CALL, "http://h/", b, 2, 1005, &d);
	cr_assert_eq(rc, LIS_EFULL, "%s", lis_strerror(rc));
	cr_assert_eq(d, 0);
	rc = lis_outbox_put(ob, "u3", LIS_EV_UNKNOWN_LOCATION, "http://h/", b, 2, 1005, &d);
	cr_assert_eq(rc, LIS_EFULL);
	cr_assert_eq(lis_outbox_depth(ob), 3);
	seen_t s2 = {0};
	lis_outbox_scan_due(ob, 5000, collect, &s2);
	cr_assert_eq(s2.n, 3);
	cr_assert_str_eq(s2.id[0], "e1");
	lis_outbox_close(ob);
}

Test(outbox, schedule_orders_by_next_attempt)
{
	lis_outbox_t *ob = open_ob(10);
	put(ob, "a", LIS_EV_EMERGENCY_CALL, 1000, NULL);
	put(ob, "b", LIS_EV_EMERGENCY_CALL, 1001, NULL);
	put(ob, "c", LIS_EV_EMERGENCY_CALL, 1002, NULL);
	cr_assert_eq(lis_outbox_next_due(ob), 1000);
	seen_t s = {0};
	lis_outbox_scan_due(ob, 1000, collect, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(lis_outbox_reschedule(ob, s.seq[0], "a", 1, 5000), 1);
	cr_assert_eq(lis_outbox_reschedule(ob, s.seq[0], "not-a", 9, 1), 0, "id must match");
	cr_assert_eq(lis_outbox_next_due(ob), 1001);

	seen_t mid = {0};
	lis_outbox_scan_due(ob, 2000, collect, &mid);
	cr_assert_eq(mid.n, 2);
	cr_assert_str_eq(mid.id[0], "b");
	cr_assert_str_eq(mid.id[1], "c");

	seen_t all = {0};
	lis_outbox_scan_due(ob, 6000, collect, &all);
	cr_assert_eq(all.n, 3);
	cr_assert_str_eq(all.id[2], "a");
	cr_assert_eq(all.attempts[2], 1);
	cr_assert_eq(all.next[2], 5000);

	/* Deleting the rescheduled entry removes its schedule too. */
	cr_assert_eq(lis_outbox_delete(ob, s.seq[0], "a"), 1);
	cr_assert_eq(lis_outbox_next_due(ob), 1001);
	seen_t end = {0};
	lis_outbox_scan_due(ob, 9000, collect, &end);
	cr_assert_eq(end.n, 2);
	lis_outbox_close(ob);
	ob = open_ob(10);
	cr_assert_eq(lis_outbox_depth(ob), 2);
	lis_outbox_close(ob);
}

/* A restart makes what waits for a retry due at once, attempts kept. */
Test(outbox, due_now_moves_waiting_entries_keeping_attempts)
{
	lis_outbox_t *ob = open_ob(10);
	put(ob, "a", LIS_EV_EMERGENCY_CALL, 1000, NULL);
	put(ob, "b", LIS_EV_TEST_CALL, 1001, NULL);
	put(ob, "c", LIS_EV_EMERGENCY_CALL, 1002, NULL);
	seen_t s = {0};
	lis_outbox_scan_due(ob, 2000, collect, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(lis_outbox_reschedule(ob, s.seq[1], "b", 5, 3601000), 1);
	cr_assert_eq(lis_outbox_reschedule(ob, s.seq[2], "c", 7, 7200000), 1);

	cr_assert_eq(lis_outbox_due_now(ob, 2000), 2);
	cr_assert_eq(lis_outbox_due_now(ob, 2000), 0, "nothing waits any more");
	lis_outbox_close(ob);
	ob = open_ob(10); /* committed */
	seen_t now = {0};
	lis_outbox_scan_due(ob, 2000, collect, &now);
	cr_assert_eq(now.n, 3, "every entry is due at 2000");
	cr_assert_str_eq(now.id[0], "a");
	cr_assert_eq(now.next[0], 1000, "an entry already due keeps its time");
	for (size_t i = 1; i < 3; i++) {
		cr_assert_eq(now.next[i], 2000);
		cr_assert_eq(now.attempts[i], strcmp(now.id[i], "b") == 0 ? 5u : 7u);
	}
	cr_assert_eq(lis_outbox_next_due(ob), 1000);
	/* the entries are intact and still deletable by (seq, id) */
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(lis_outbox_delete(ob, now.seq[i], now.id[i]), 1);
	cr_assert_eq(lis_outbox_depth(ob), 0);
	cr_assert_eq(lis_outbox_next_due(ob), UINT64_MAX);
	lis_outbox_close(ob);
}

Test(outbox, refuses_oversized_entries)
{
	lis_outbox_t *ob = open_ob(10);
	size_t n = LIS_EVENT_BODY_MAX + 1;
	char *big = malloc(n);
	memset(big, 'x', n);
	cr_assert_eq(lis_outbox_put(ob, "big", LIS_EV_EMERGENCY_CALL, "http://h/", big, n, 1, NULL),
	             LIS_ELIMIT);
	cr_assert_eq(
	    lis_outbox_put(ob, "ok", LIS_EV_EMERGENCY_CALL, "http://h/", big, n - 1, 1, NULL), 0);
	free(big);
	cr_assert_eq(lis_outbox_depth(ob), 1);
	lis_outbox_close(ob);
}

Test(outbox, creates_missing_directory_and_reports_errors)
{
	lis_outbox_t *ob = NULL;
	char err[256] = "", bad[4200];
	snprintf(bad, sizeof bad, "%s/no/such/parent", tmp);
	cr_assert_neq(lis_outbox_open(bad, 10, &ob, err, sizeof err), 0);
	cr_assert_null(ob);
	cr_assert(strstr(err, bad) != NULL, "error names the directory: %s", err);
}
