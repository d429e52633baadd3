/*
 * Crash safety (issue #5): lisd SIGKILLed under load, restarted on the same
 * db, outbox, events file and port.
 *
 * SPEC §4.5: "No event may be lost once the request that caused it has been
 * answered." Clients dereference a location URI with ?dialed=911 (each
 * complete 200 owes one emergency_call event, told apart by its call_id) and
 * send HELD requests that match nothing (each complete answer owes one
 * unknown_location event, told apart by its device IP), while a real webhook
 * receiver first acknowledges deliveries, then refuses them, so the SIGKILL
 * lands with events owed in the outbox. What each assertion proves:
 *
 *  A1 every answered request has exactly one whole line in the events file:
 *     the line is written and synced before the answer leaves (events.c).
 *  A2 every event answered before the kill was acknowledged by the receiver
 *     or sits in the outbox opened after the kill: the outbox commit, too,
 *     happens before the answer (an in-memory queue, or one filled after the
 *     answer, fails here).
 *  A3 no event the receiver acknowledged is still in that outbox: the delete
 *     after a 2xx is committed at once, not batched or kept in memory.
 *  A4 after the restart every owed event reaches the receiver, under the id
 *     of its line in the file: the outbox survives the crash and is replayed
 *     (A2 + A4: nothing owed is lost).
 *  A5 no event id is acknowledged twice, and every id the receiver saw is an
 *     id of the file: nothing acknowledged before the kill is delivered again,
 *     nothing is re-sent under a new id.
 *  A6 a line cut short by the crash does not swallow the next event: lisd
 *     ends it on restart (a SIGKILL inside write(2) stops the kernel's copy of
 *     a line that spans a page; the test cannot time a kill that precisely,
 *     so it appends such a prefix itself, as the kernel would leave it).
 *  A7 the restarted lisd answers a HELD request correctly within 1 s of its
 *     exec (not under valgrind), and a location URI issued before the crash
 *     still dereferences.
 *
 * The residual window: lisd deletes a delivered event from its outbox after
 * the receiver's 2xx, in one synchronous LMDB commit. A SIGKILL between that
 * 2xx and that commit (about one fsync long) makes the restarted lisd deliver
 * the event again, under the same id (X-Openlis-Event-Id, Idempotency-Key)
 * with a higher X-Openlis-Attempt: at-least-once delivery cannot close it
 * without a two-phase commit with the receiver, so receivers de-duplicate on
 * the id. The test kills lisd only after its delivered counter has caught up
 * with the receiver's acknowledgements, while the receiver refuses every
 * delivery, so no acknowledged delivery is inside that window and any
 * repeated id (A5) is a bug. A SIGKILL does not test fsync itself (the page
 * cache survives the process); that part rests on fdatasync and LMDB's
 * synchronous commits.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lis/lis_internal.h"
#include "tests/integration/integ.h"
#include "tests/lis/receiver.h"

/* ---------------- a lisd this test starts, kills and restarts ------------ */

static pid_t g_lisd = -1;

static void lisd_kill_tracked(void)
{
	if (g_lisd > 0) {
		kill(g_lisd, SIGKILL);
		waitpid(g_lisd, NULL, 0);
		g_lisd = -1;
	}
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/*
 * Forks and execs lisd --config cfg, its output appended to log; under
 * LIS_TEST_VALGRIND inside memcheck as ts_lisd_start does (report in
 * vgdir/valgrind-PID.log). The pid is tracked until lisd exits or is killed.
 */
static void lisd_spawn(const char *cfg, const char *log, const char *vgdir)
{
	static const char *const vg[] = {
	    "/usr/bin/valgrind",          "--quiet",
	    "--error-exitcode=97",        "--leak-check=full",
	    "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
	    "--num-callers=30",           "--child-silent-after-fork=yes"};
	const char *argv[24];
	char logopt[4200];
	int ac = 0;
	if (ts_valgrind()) {
		for (size_t i = 0; i < sizeof vg / sizeof *vg; i++)
			argv[ac++] = vg[i];
		snprintf(logopt, sizeof logopt, "--log-file=%s/valgrind-%%p.log", vgdir);
		argv[ac++] = logopt;
	}
	argv[ac++] = ts_bin("lisd");
	argv[ac++] = "--config";
	argv[ac++] = cfg;
	argv[ac] = NULL;
	static bool hooked;
	if (!hooked) {
		atexit(lisd_kill_tracked);
		hooked = true;
	}
	pid_t pid = fork();
	if (pid < 0)
		cr_assert_fail("fork: %s", strerror(errno)); /* never assert in the child */
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	g_lisd = pid;
}

/* True (and the exit status in *st) when the tracked lisd has exited. */
static bool lisd_exited(int *st)
{
	if (g_lisd > 0 && waitpid(g_lisd, st, WNOHANG) == g_lisd) {
		g_lisd = -1;
		return true;
	}
	return false;
}

/* SIGTERM, wait; fails the test on valgrind findings or an unclean exit. */
static void lisd_stop(const char *log, const char *vgdir)
{
	int st = 0;
	pid_t pid = g_lisd;
	cr_assert_gt(pid, 0, "lisd is not running");
	kill(pid, SIGTERM);
	for (int i = 0, tries = ts_ms(10000) / 20; g_lisd > 0 && i < tries; i++) {
		if (!lisd_exited(&st))
			usleep(20000);
	}
	if (g_lisd > 0) {
		lisd_kill_tracked();
		cr_assert_fail("lisd did not stop on SIGTERM");
	}
	if (ts_valgrind() && WIFEXITED(st) && WEXITSTATUS(st) == 97) {
		char path[4200];
		snprintf(path, sizeof path, "%s/valgrind-%d.log", vgdir, (int)pid);
		char *rep = ts_read_file(path, NULL);
		/* Counted by the runner too (see tests/support): a report in the
		 * folder it names fails the run even if this assertion is lost. */
		const char *found = getenv("LIS_TEST_VG_FOUND");
		if (found) {
			snprintf(path, sizeof path, "%s/%d.txt", found, (int)getpid());
			FILE *f = fopen(path, "a");
			if (f) {
				fprintf(f, "valgrind found errors in lisd:\n%s\n", rep ? rep : "");
				fclose(f);
			}
		}
		cr_assert_fail("valgrind found errors in lisd:\n%s", rep ? rep : "(no report)");
	}
	char *l = ts_read_file(log, NULL);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "lisd exit status %d; its log:\n%s", st,
	          l ? l : "");
	free(l);
}

/* ---------------- the environment ---------------------------------------- */

typedef struct {
	char *tmp, *db, *file, *outbox, *key, *cfg, *log, *vgdir;
	int port, rport;
} env_t;

static void env_write_cfg(env_t *e)
{
	char *text = NULL;
	cr_assert(asprintf(&text,
	                   "listen:\n  - {http: \"127.0.0.1:%d\"}\n"
	                   "db: %s\n"
	                   "public_url: http://127.0.0.1:%d\n"
	                   "workers: 2\n"
	                   "token:\n  key_file: %s\n"
	                   "events:\n"
	                   "  file: %s\n"
	                   "  webhook: http://127.0.0.1:%d/alerts\n"
	                   "  outbox: %s\n"
	                   "  retry_max: 1s\n"
	                   "log:\n  level: warn\n",
	                   e->port, e->db, e->port, e->key, e->file, e->rport, e->outbox) > 0);
	free(e->cfg);
	e->cfg = ts_write_file(e->tmp, "lisd.yaml", text);
	free(text);
}

static void env_init(env_t *e)
{
	memset(e, 0, sizeof *e);
	e->tmp = ts_mkdtemp();
	e->vgdir = ts_mkdtemp();
	e->db = fixture_db("two-tenants.yaml");
	cr_assert(asprintf(&e->file, "%s/events.jsonl", e->tmp) > 0);
	cr_assert(asprintf(&e->outbox, "%s/outbox", e->tmp) > 0);
	cr_assert(asprintf(&e->log, "%s/lisd.log", e->tmp) > 0);
	char keybytes[33];
	for (int i = 0; i < 32; i++)
		keybytes[i] = (char)('a' + (i * 11) % 26);
	keybytes[32] = 0;
	e->key = ts_write_file(e->tmp, "token.key", keybytes);
	chmod(e->key, 0600);
	e->rport = ts_free_port();
}

static void env_free(env_t *e)
{
	ts_rmdb(e->db);
	ts_rmtree(e->tmp);
	ts_rmtree(e->vgdir);
	free(e->db);
	free(e->tmp);
	free(e->vgdir);
	free(e->file);
	free(e->outbox);
	free(e->log);
	free(e->key);
	free(e->cfg);
}

/* The test's environment, removed by the suite's .fini even when an assertion failed. */
static env_t *g_env;

static void suite_fini(void)
{
	lisd_kill_tracked();
	if (g_env)
		env_free(g_env);
	g_env = NULL;
}

TestSuite(crash, .fini = suite_fini, .timeout = 240);

/* Starts lisd on a free port (another one if it dies at start); waits for 200. */
static void first_start(env_t *e)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		e->port = ts_free_port();
		env_write_cfg(e);
		lisd_spawn(e->cfg, e->log, e->vgdir);
		for (int i = 0, tries = ts_ms(10000) / 20; i < tries; i++) {
			ts_http_resp_t r;
			if (ts_http(e->port, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
				int st = r.status;
				ts_http_resp_free(&r);
				if (st == 200)
					return;
			}
			int st;
			if (lisd_exited(&st))
				break; /* maybe the port was taken: another one */
			usleep(20000);
		}
		lisd_kill_tracked();
	}
	char *log = ts_read_file(e->log, NULL);
	cr_assert_fail("lisd did not become healthy; its log:\n%s", log ? log : "(none)");
}

/* A value of lisd's /metrics ("name{labels}"), or -1. */
static long metric(int port, const char *name)
{
	ts_http_resp_t r;
	long v = -1;
	if (ts_http(port, "GET", "/metrics", NULL, NULL, 0, &r) != 0)
		return -1;
	char needle[256];
	snprintf(needle, sizeof needle, "\n%s ", name);
	const char *p = r.body ? strstr(r.body, needle) : NULL;
	if (r.status == 200 && p)
		v = strtol(p + strlen(needle), NULL, 10);
	ts_http_resp_free(&r);
	return v;
}

/* ---------------- the load: client threads (no assertion in them) -------- */

enum { MAX_PER_CLIENT = 9000, MAX_CLIENTS = 4 };

typedef struct {
	int idx, port;
	const char *token;
	atomic_bool *stop;
	atomic_int *calls;   /* answered 911 dereferences, every client */
	int *call_n, *unk_n; /* request numbers answered completely */
	size_t n_call, n_unk;
} client_t;

/* 200 with the whole body its Content-Length announced. */
static bool complete_200(const ts_http_resp_t *r)
{
	if (r->status != 200 || !r->body)
		return false;
	char *cl = ts_http_header(r, "Content-Length");
	bool ok = cl && strtoul(cl, NULL, 10) == r->body_len;
	free(cl);
	return ok;
}

/* The device IP of client c's request n: four 3-digit octets, in no subnet of
 * tenant A, so "198.101.103.105" never occurs inside another one. */
static void unk_ip(int c, int n, char out[24])
{
	snprintf(out, 24, "198.%03u.%03u.%03u", 100u + (unsigned)c % 100u,
	         100u + (unsigned)n / 100u % 100u, 100u + (unsigned)n % 100u);
}

static void *client_main(void *arg)
{
	client_t *c = arg;
	char path[1024], body[1024], ip[24];
	for (int n = 0; n < MAX_PER_CLIENT && !atomic_load(c->stop); n++) {
		ts_http_resp_t r;
		if (n % 3 == 2) {
			unk_ip(c->idx, n, ip);
			snprintf(
			    body, sizeof body,
			    "<?xml version=\"1.0\"?><locationRequest "
			    "xmlns=\"urn:ietf:params:xml:ns:geopriv:held\"><locationType "
			    "exact=\"false\">civic</locationType><device "
			    "xmlns=\"urn:ietf:params:xml:ns:geopriv:held:id\"><ip v=\"4\">%s</ip>"
			    "</device></locationRequest>",
			    ip);
			if (ts_http(c->port, "POST", "/held/" TENANT_A, HELD_CT, body, strlen(body),
			            &r) != 0)
				continue;
			if (complete_200(&r) && strstr(r.body, "locationUnknown"))
				c->unk_n[c->n_unk++] = n;
		} else {
			snprintf(path, sizeof path, "/loc/%s?dialed=911&call_id=crash-%d-%d",
			         c->token, c->idx, n);
			if (ts_http(c->port, "GET", path, NULL, NULL, 0, &r) != 0)
				continue;
			if (complete_200(&r) && strstr(r.body, "locationResponse")) {
				c->call_n[c->n_call++] = n;
				atomic_fetch_add(c->calls, 1);
			}
		}
		ts_http_resp_free(&r);
	}
	return NULL;
}

/* ---------------- what the file and the receiver hold -------------------- */

/*
 * The first failure of a check that runs over thousands of events: each
 * Criterion assertion is an IPC message under --full-stats, so the loops
 * only note what went wrong and the test asserts once after each of them.
 */
static char g_fail[4096];

__attribute__((format(printf, 1, 2))) static void fail_once(const char *fmt, ...)
{
	va_list ap;
	if (g_fail[0])
		return;
	va_start(ap, fmt);
	vsnprintf(g_fail, sizeof g_fail, fmt, ap);
	va_end(ap);
}

#define ASSERT_NO_FAILURE() cr_assert(!g_fail[0], "%s", g_fail)

typedef struct {
	char key[80]; /* "call crash-C-N" or "unk 198.x.y.z" */
	char id[37];
} kid_t;

static int kid_cmp(const void *a, const void *b)
{
	return strcmp(((const kid_t *)a)->key, ((const kid_t *)b)->key);
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_id(char **ids, size_t n, const char *id)
{
	return bsearch(&id, ids, n, sizeof *ids, id_cmp) != NULL;
}

static size_t count_id(char **sorted, size_t n, const char *id)
{
	char **p = bsearch(&id, sorted, n, sizeof *sorted, id_cmp);
	if (!p)
		return 0;
	while (p > sorted && strcmp(p[-1], id) == 0)
		p--;
	size_t c = 0;
	while (p + c < sorted + n && strcmp(p[c], id) == 0)
		c++;
	return c;
}

static int outbox_collect(void *arg, const lis_outbox_entry_t *e)
{
	char ***v = arg;
	size_t n = 0;
	while ((*v)[n])
		n++;
	char **g = realloc(*v, (n + 2) * sizeof *g);
	if (!g)
		return 1;
	g[n] = strdup(e->id);
	g[n + 1] = NULL;
	*v = g;
	return 0;
}

/* The event ids in the outbox dir (lisd not running), sorted; NULL-terminated. */
static char **outbox_ids(const char *dir, size_t *n)
{
	lis_outbox_t *ob = NULL;
	char err[512] = "";
	int rc = lis_outbox_open(dir, 0, &ob, err, sizeof err);
	cr_assert_eq(rc, 0, "cannot open the outbox after the kill: %s", err);
	char **v = calloc(1, sizeof *v);
	cr_assert_eq(lis_outbox_scan_due(ob, UINT64_MAX, outbox_collect, &v), 0);
	lis_outbox_close(ob);
	for (*n = 0; v[*n];)
		(*n)++;
	qsort(v, *n, sizeof *v, id_cmp);
	return v;
}

static void free_ids(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The acknowledged ids so far, sorted (caller frees with free_ids). */
static char **rcv_ids(rcv_t *r, size_t *n)
{
	pthread_mutex_lock(&r->mu);
	*n = r->n;
	char **v = calloc(r->n + 1, sizeof *v);
	for (size_t i = 0; i < r->n; i++)
		v[i] = strdup(r->msgs[i].id);
	pthread_mutex_unlock(&r->mu);
	qsort(v, *n, sizeof *v, id_cmp);
	return v;
}

/* One whole event line: exactly one JSON object, opening with its id. */
static bool whole_line(const char *l, size_t len)
{
	return len > 44 && strncmp(l, "{\"id\":\"", 7) == 0 && l[len - 1] == '}' && l[43] == '"' &&
	       !memmem(l + 1, len - 1, "{\"id\":", 6);
}

/* Copies the value of "name":"…" in line l (len bytes) into out, or "". */
static void field(const char *l, size_t len, const char *name, char *out, size_t outlen)
{
	char needle[64];
	int k = snprintf(needle, sizeof needle, "\"%s\":\"", name);
	const char *p = memmem(l, len, needle, (size_t)k);
	out[0] = 0;
	if (!p)
		return;
	p += k;
	const char *q = memchr(p, '"', (size_t)(l + len - p));
	if (q && (size_t)(q - p) < outlen)
		snprintf(out, outlen, "%.*s", (int)(q - p), p);
}

/*
 * Parses the events file: every line but `frag` must be whole (A1, A6);
 * returns the (key, id) of each, sorted by key, and every id (sorted, in
 * *ids). *frag_lines counts lines equal to frag.
 */
static kid_t *file_events(const char *path, const char *frag, size_t *n, char ***ids,
                          size_t *frag_lines)
{
	size_t len = 0;
	char *s = ts_read_file(path, &len);
	cr_assert_not_null(s, "no events file %s", path);
	size_t cap = 1024;
	kid_t *v = malloc(cap * sizeof *v);
	*ids = malloc(cap * sizeof **ids);
	*n = 0;
	*frag_lines = 0;
	for (char *p = s; p < s + len;) {
		char *nl = memchr(p, '\n', (size_t)(s + len - p));
		if (!nl) {
			fail_once("the events file ends inside a line: %s", p);
			break;
		}
		size_t l = (size_t)(nl - p);
		if (l == strlen(frag) && memcmp(p, frag, l) == 0) {
			(*frag_lines)++;
			p = nl + 1;
			continue;
		}
		if (!whole_line(p, l)) {
			fail_once("A1/A6: not one whole event per line:\n%.*s", (int)l, p);
			p = nl + 1;
			continue;
		}
		if (*n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof *v);
			*ids = realloc(*ids, cap * sizeof **ids);
		}
		char type[32], val[48];
		kid_t *k = &v[*n];
		snprintf(k->id, sizeof k->id, "%.36s", p + 7);
		(*ids)[*n] = strdup(k->id);
		field(p, l, "type", type, sizeof type);
		if (strcmp(type, "emergency_call") == 0) {
			field(p, l, "call_id", val, sizeof val);
			snprintf(k->key, sizeof k->key, "call %s", val);
		} else if (strcmp(type, "unknown_location") == 0) {
			const char *ip = memmem(p, l, "198.", 4);
			snprintf(k->key, sizeof k->key, "unk %.15s", ip ? ip : "?");
		} else {
			snprintf(k->key, sizeof k->key, "%s %s", type, k->id);
		}
		(*n)++;
		p = nl + 1;
	}
	free(s);
	qsort(v, *n, sizeof *v, kid_cmp);
	qsort(*ids, *n, sizeof **ids, id_cmp);
	return v;
}

/* The line of key in the sorted table, when it is there exactly once (A1). */
static const kid_t *line_of(const kid_t *v, size_t n, const char *key)
{
	kid_t k;
	snprintf(k.key, sizeof k.key, "%s", key);
	const kid_t *p = bsearch(&k, v, n, sizeof *v, kid_cmp);
	if (!p) {
		fail_once("A1: request %s was answered but its event is not in the file", key);
		return NULL;
	}
	if ((p > v && strcmp(p[-1].key, key) == 0) ||
	    (p + 1 < v + n && strcmp(p[1].key, key) == 0)) {
		fail_once("A1: request %s has more than one event in the file", key);
		return NULL;
	}
	return p;
}

/* ---------------- the test ----------------------------------------------- */

Test(crash, sigkill_under_load_loses_no_owed_event_and_restarts_in_1s)
{
	const bool vg = ts_valgrind();
	const int nclients = vg ? 2 : MAX_CLIENTS;
	const int acked_min = vg ? 4 : 30; /* acknowledged before the receiver refuses */
	const int owed_min = vg ? 6 : 40;  /* 911s answered while it refuses */
	static env_t e;
	env_init(&e);
	g_env = &e;
	rcv_t rc;
	/* The first 3 deliveries fail: a retry is part of the run. */
	cr_assert_eq(rcv_start(&rc, e.rport, 3), 0);
	first_start(&e);
	char *tok = issue_token(e.port, TENANT_A);

	atomic_bool stop;
	atomic_int calls;
	atomic_init(&stop, false);
	atomic_init(&calls, 0);
	client_t cl[MAX_CLIENTS];
	pthread_t th[MAX_CLIENTS];
	for (int i = 0; i < nclients; i++) {
		cl[i] = (client_t){
		    .idx = i, .port = e.port, .token = tok, .stop = &stop, .calls = &calls};
		cl[i].call_n = calloc(MAX_PER_CLIENT, sizeof(int));
		cl[i].unk_n = calloc(MAX_PER_CLIENT, sizeof(int));
		cr_assert_eq(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);
	}

	/* Phase 1: the receiver acknowledges (after its 3 failures). */
	bool acked = rcv_wait(&rc, (size_t)acked_min, ts_ms(20000));
	/* Phase 2: it refuses everything; lisd's delivered counter catches up
	 * with what it acknowledged (each delete committed), then the load goes
	 * on until enough answered 911s are owed, and lisd is killed mid-load. */
	atomic_store(&rc.fail_first, INT_MAX / 2);
	size_t acked_before = 0;
	bool settled = false;
	for (int t = 0; t < ts_ms(20000) && acked && !settled; t += 50) {
		size_t n = rcv_count(&rc);
		long d = metric(e.port, "lis_event_deliveries_total{outcome=\"delivered\"}");
		settled = d >= 0 && (size_t)d == n && n == acked_before;
		acked_before = n;
		if (!settled)
			usleep(50000);
	}
	int calls_at_refusal = atomic_load(&calls);
	bool owed = false;
	for (int t = 0; t < ts_ms(20000) && settled && !owed; t += 20) {
		owed = atomic_load(&calls) >= calls_at_refusal + owed_min &&
		       atomic_load(&rc.requests) > (int)acked_before + 3;
		if (!owed)
			usleep(20000);
	}
	long lost = metric(e.port, "lis_events_lost_total");
	kill(g_lisd, SIGKILL);
	waitpid(g_lisd, NULL, 0);
	g_lisd = -1;
	atomic_store(&stop, true);
	for (int i = 0; i < nclients; i++)
		pthread_join(th[i], NULL);
	int calls_before = atomic_load(&calls);
	size_t unk_before = 0;
	for (int i = 0; i < nclients; i++)
		unk_before += cl[i].n_unk;
	cr_assert(acked, "the receiver acknowledged only %zu of %d events before the kill",
	          rcv_count(&rc), acked_min);
	cr_assert(settled, "lisd's delivered counter did not catch up with the receiver (%zu)",
	          rcv_count(&rc));
	cr_assert(owed, "only %d 911s answered while the receiver refused (%d wanted)",
	          atomic_load(&calls) - calls_at_refusal, owed_min);
	cr_assert_eq(lost, 0, "lisd counted events it could not record before the kill");
	cr_assert_eq(rcv_count(&rc), acked_before, "an acknowledgement after the refusal began");

	/* What the kill left: the acknowledged ids, the outbox, the file. */
	size_t n_acked, n_ob;
	char **acked_ids = rcv_ids(&rc, &n_acked);
	char **ob_ids = outbox_ids(e.outbox, &n_ob);
	cr_assert_geq(n_ob, (size_t)owed_min, "the kill landed with only %zu events owed", n_ob);
	for (size_t i = 0; i < n_ob; i++)
		if (has_id(acked_ids, n_acked, ob_ids[i]))
			fail_once("A3: event %s was acknowledged, yet is still in the outbox after "
			          "the kill",
			          ob_ids[i]);
	ASSERT_NO_FAILURE();

	/* A6: the crash cut a line short (as a SIGKILL inside write(2) can). */
	const char *torn_id = "deadbeef-dead-4ead-8ead-deaddeadbeef";
	char frag[512];
	{
		size_t len;
		char *s = ts_read_file(e.file, &len);
		cr_assert(s && len > 1 && s[len - 1] == '\n', "the events file is not whole");
		s[len - 1] = 0;
		const char *last = strrchr(s, '\n') ? strrchr(s, '\n') + 1 : s;
		snprintf(frag, sizeof frag, "{\"id\":\"%s%.*s", torn_id,
		         (int)(strlen(last) * 3 / 5 - 43), last + 43);
		free(s);
		int fd = open(e.file, O_WRONLY | O_APPEND);
		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, frag, strlen(frag)), (ssize_t)strlen(frag));
		close(fd);
	}

	/* A7: restart on the same port, db, outbox and file; the receiver is back. */
	atomic_store(&rc.fail_first, 0);
	char *held = held_req("civic", 0, LLDP("4", SW1, "5", GI107));
	double t0 = now_ms(), served = -1;
	lisd_spawn(e.cfg, e.log, e.vgdir);
	ts_http_resp_t r = {0};
	while (now_ms() - t0 < ts_ms(15000)) {
		if (ts_http(e.port, "POST", "/held/" TENANT_A, HELD_CT, held, strlen(held), &r) ==
		    0) {
			if (complete_200(&r) && strstr(r.body, "locationResponse") &&
			    strstr(r.body, ">101<")) {
				served = now_ms() - t0;
				break;
			}
			ts_http_resp_free(&r);
		}
		int st;
		if (lisd_exited(&st))
			break;
		usleep(2000);
	}
	{
		char *log = ts_read_file(e.log, NULL);
		cr_assert_geq(served, 0, "the restarted lisd did not answer; its log:\n%s",
		              log ? log : "");
		free(log);
	}
	ASSERT_LOCATION(&r, ">101<");
	ts_http_resp_free(&r);
	free(held);
	if (!vg)
		cr_assert_lt(served, 1000.0, "A7: the restarted lisd answered after %.0f ms",
		             served);

	/* A location URI from before the crash still works (and owes an event). */
	char path[1024];
	snprintf(path, sizeof path, "/loc/%s?dialed=911&call_id=crash-after", tok);
	cr_assert_eq(ts_http(e.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert(complete_200(&r), "A7: old location URI after the restart: HTTP %d\n%s", r.status,
	          r.body);
	ts_http_resp_free(&r);

	/* Drain: the outbox empties, nothing more arrives. */
	double d0 = now_ms();
	bool drained = false;
	for (size_t last = SIZE_MAX; now_ms() - d0 < ts_ms(60000);) {
		size_t n = rcv_count(&rc);
		drained = metric(e.port, "lis_events_outbox_depth") == 0 && n == last;
		if (drained)
			break;
		last = n;
		usleep(200000);
	}
	double drain_ms = now_ms() - d0;
	usleep((useconds_t)ts_ms(500) * 1000); /* a repeated delivery would show now */
	if (!drained) {
		char *log = ts_read_file(e.log, NULL);
		size_t ll = log ? strlen(log) : 0;
		cr_assert_fail("A4: the outbox did not drain: %ld left, %zu acknowledged; lisd's "
		               "log ends:\n%s",
		               metric(e.port, "lis_events_outbox_depth"), rcv_count(&rc),
		               log ? log + (ll > 4000 ? ll - 4000 : 0) : "");
	}
	lisd_stop(e.log, e.vgdir);

	/* A1, A6: the file. */
	size_t n_file, frag_lines;
	char **file_ids;
	kid_t *fev = file_events(e.file, frag, &n_file, &file_ids, &frag_lines);
	ASSERT_NO_FAILURE();
	cr_assert_eq(frag_lines, 1, "A6: the torn line is not on a line of its own");
	for (size_t i = 1; i < n_file; i++)
		if (strcmp(file_ids[i - 1], file_ids[i]) == 0)
			fail_once("A1: two lines with event id %s", file_ids[i]);
	ASSERT_NO_FAILURE();

	/* A5: each id acknowledged once at most, and only ids of the file. */
	size_t n_rcv;
	char **rids = rcv_ids(&rc, &n_rcv);
	for (size_t i = 0; i < n_rcv; i++) {
		if (i > 0 && strcmp(rids[i - 1], rids[i]) == 0)
			fail_once("A5: event %s acknowledged twice", rids[i]);
		if (!has_id(file_ids, n_file, rids[i]))
			fail_once("A5: the receiver got event %s, which is not in the file",
			          rids[i]);
	}
	ASSERT_NO_FAILURE();
	cr_assert(!has_id(rids, n_rcv, torn_id), "A6: the torn event was delivered");
	char *log = ts_read_file(e.log, NULL);
	cr_assert(log && strstr(log, "cut short"), "A6: lisd did not report the torn line:\n%s",
	          log ? log : "");
	free(log);

	/* A1, A2, A4: every answered request, its line, its delivery. */
	size_t owed_total = 0;
	for (int i = 0; i < nclients; i++) {
		for (size_t j = 0; j < cl[i].n_call + cl[i].n_unk; j++) {
			char key[80], ip[24];
			if (j < cl[i].n_call) {
				snprintf(key, sizeof key, "call crash-%d-%d", i, cl[i].call_n[j]);
			} else {
				unk_ip(i, cl[i].unk_n[j - cl[i].n_call], ip);
				snprintf(key, sizeof key, "unk %s", ip);
			}
			const kid_t *k = line_of(fev, n_file, key);
			if (!k)
				continue;
			if (!has_id(acked_ids, n_acked, k->id) && !has_id(ob_ids, n_ob, k->id))
				fail_once("A2: %s (event %s) was answered before the kill but is "
				          "neither acknowledged nor in the outbox",
				          key, k->id);
			size_t times = count_id(rids, n_rcv, k->id);
			if (times != 1)
				fail_once("A4: %s (event %s) acknowledged %zu times", key, k->id,
				          times);
			owed_total++;
		}
	}
	const kid_t *after = line_of(fev, n_file, "call crash-after");
	ASSERT_NO_FAILURE();
	cr_assert_eq(rcv_count_id(&rc, after->id), 1, "A4: the call after the restart");

	fprintf(stderr,
	        "crash: %d 911s + %zu unknown answered before the kill (%zu owed events); "
	        "%zu acknowledged before it, %zu in the outbox at it; %zu lines in the file, "
	        "%zu deliveries in all; restart to first HELD answer %.0f ms; drained in "
	        "%.1f s\n",
	        calls_before, unk_before, owed_total, n_acked, n_ob, n_file, n_rcv, served,
	        drain_ms / 1000.0);

	free(fev);
	free_ids(file_ids, n_file);
	free_ids(rids, n_rcv);
	free_ids(acked_ids, n_acked);
	free_ids(ob_ids, n_ob);
	for (int i = 0; i < nclients; i++) {
		free(cl[i].call_n);
		free(cl[i].unk_n);
	}
	free(tok);
	rcv_free(&rc);
}
