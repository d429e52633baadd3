/*
 * Events (lis/events.c, lis/webhook.c): webhook routing and at-least-once
 * delivery to a real local receiver (down then up, 500s, a full outbox, and a
 * SIGKILLed emitter).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lis/events_fixture.h"
#include "tests/lis/receiver.h"

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

typedef struct {
	uint64_t seq;
} seen_one_t;

static int seen_one(void *arg, const lis_outbox_entry_t *e)
{
	((seen_one_t *)arg)->seq = e->seq;
	return 1;
}

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
 * An event a previous run left waiting for a retry an hour away goes out as
 * soon as delivery starts again (a restart), its attempt count kept.
 */
Test(events, a_restart_sends_waiting_events_at_once, .timeout = 60)
{
	int port = ts_free_port();
	char *hook = url(port, "/hook"), ob[4200];
	snprintf(ob, sizeof ob, "%s/outbox", tmp);
	lis_outbox_t *box = NULL;
	char err[256] = "";
	cr_assert_eq(lis_outbox_open(ob, 0, &box, err, sizeof err), 0, "%s", err);
	const char *id = "0f0e0d0c-0b0a-4908-8706-050403020100", *body = "{\"type\":\"x\"}";
	uint64_t now = lis_wall_ms();
	cr_assert_eq(lis_outbox_put(box, id, LIS_EV_EMERGENCY_CALL, hook, body, strlen(body), now,
	                            NULL),
	             0);
	seen_one_t one = {0};
	cr_assert_eq(lis_outbox_scan_due(box, now, seen_one, &one), 0);
	cr_assert_eq(lis_outbox_reschedule(box, one.seq, id, 3, now + 3600u * 1000u), 1);
	lis_outbox_close(box);

	lis_config_t c;
	base_cfg(&c);
	c.events_webhook = hook;
	c.events_outbox = ob;
	lis_events_t *ev = open_ev(&c);
	rcv_t r;
	cr_assert_eq(rcv_start(&r, port, 0), 0);
	cr_assert_eq(lis_events_start(ev), 0);
	cr_assert(rcv_wait(&r, 1, ts_ms(10000)), "the waiting event was not sent after a restart");
	cr_assert_str_eq(r.msgs[0].id, id);
	cr_assert_str_eq(r.msgs[0].attempt, "4", "the attempt count is kept");
	cr_assert_str_eq(r.msgs[0].body, body);
	lis_events_close(ev);
	rcv_free(&r);
	free(hook);
}

/*
 * A backlog (an outage, a restart) drains at the receiver's pace: each
 * delivery that succeeds starts the next one at once. With the periodic
 * tick set to an hour, only that refill can move the backlog past the
 * first LIS_WEBHOOK_INFLIGHT events; refilling on the tick alone would
 * leave the rest waiting. The drain time is printed, not asserted.
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
	unsigned tick = lis_webhook_tick_ms;
	lis_webhook_tick_ms = 3600u * 1000u;
	lis_events_t *ev = open_ev(&c);
	lis_webhook_tick_ms = tick;
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
	bool all = rcv_wait(&r, N, ts_ms(30000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert(all, "only %zu of %d delivered with no periodic tick", rcv_count(&r), N);
	cr_log_info("%d waiting events reached the receiver in %.2f s", N, secs);
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
