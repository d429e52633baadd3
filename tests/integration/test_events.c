/*
 * Events end to end with the real lisd (SPEC §4.5, issue #3): HELD requests
 * that match nothing -> de-duplicated unknown_location events; 933 and 911
 * dereferences -> test_call / emergency_call with the location and address;
 * lisd SIGKILLed with every event still in the outbox (receiver down), then
 * restarted with the receiver up -> each event arrives once.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/integ.h"
#include "tests/lis/receiver.h"

typedef struct {
	char *tmp, *db, *file, *outbox, *key, *cfg;
	int rport;
} env_t;

static void env_init(env_t *e, const char *window)
{
	memset(e, 0, sizeof *e);
	e->tmp = ts_mkdtemp();
	e->db = fixture_db("two-tenants.yaml");
	cr_assert(asprintf(&e->file, "%s/events.jsonl", e->tmp) > 0);
	cr_assert(asprintf(&e->outbox, "%s/outbox", e->tmp) > 0);
	char keybytes[33];
	for (int i = 0; i < 32; i++)
		keybytes[i] = (char)('A' + (i * 7) % 26);
	keybytes[32] = 0;
	e->key = ts_write_file(e->tmp, "token.key", keybytes);
	chmod(e->key, 0600);
	e->rport = ts_free_port();
	cr_assert(asprintf(&e->cfg,
	                   "listen:\n  - {http: \"127.0.0.1:@PORT@\"}\n"
	                   "db: %s\n"
	                   "public_url: http://127.0.0.1:@PORT@\n"
	                   "token:\n  key_file: %s\n"
	                   "events:\n"
	                   "  file: %s\n"
	                   "  webhook: http://127.0.0.1:%d/alerts\n"
	                   "  outbox: %s\n"
	                   "  dedup_window: %s\n"
	                   "  retry_max: 1s\n",
	                   e->db, e->key, e->file, e->rport, e->outbox, window) > 0);
}

static void env_free(env_t *e)
{
	ts_rmdb(e->db);
	ts_rmtree(e->tmp);
	free(e->db);
	free(e->tmp);
	free(e->file);
	free(e->outbox);
	free(e->key);
	free(e->cfg);
}

/* Lines of the events file (each checked to end in "}\n"). Caller frees. */
static char **lines(const char *path, size_t *n)
{
	char *s = ts_read_file(path, NULL);
	*n = 0;
	char **v = calloc(256, sizeof *v);
	if (!s)
		return v;
	for (char *p = s, *nl; *p && (nl = strchr(p, '\n')) && *n < 255; p = nl + 1) {
		cr_assert(nl > p && nl[-1] == '}', "line is not a JSON object: %.*s", (int)(nl - p),
		          p);
		v[(*n)++] = strndup(p, (size_t)(nl - p));
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

static void id_of(const char *line, char out[37])
{
	const char *p = strstr(line, "\"id\":\"");
	cr_assert_not_null(p, "no id in %s", line);
	snprintf(out, 37, "%.36s", p + 6);
}

#define HAS(s, needle) cr_assert(strstr((s), (needle)) != NULL, "expected %s in\n%s", (needle), (s))

/* A request that matches nothing in tenant A: an RFC 6155 IP in no subnet. */
/* Polls /metrics until it holds both lines (10 s, scaled); asserts they came. */
static void wait_metrics(int port, const char *a, const char *b)
{
	ts_http_resp_t m = {0};
	bool ok = false;
	for (int i = 0; i < ts_ms(10000) / 50 && !ok; i++) {
		if (i)
			usleep(50000);
		ts_http_resp_free(&m);
		cr_assert_eq(ts_http(port, "GET", "/metrics", NULL, NULL, 0, &m), 0);
		ok = strstr(m.body, a) && strstr(m.body, b);
	}
	cr_assert(ok, "expected %s and %s in\n%s", a, b, m.body);
	ts_http_resp_free(&m);
}

static void unknown_request(int port, const char *ip)
{
	char inner[256];
	snprintf(inner, sizeof inner,
	         "<device xmlns=\"urn:ietf:params:xml:ns:geopriv:held:id\"><ip v=\"4\">%s</ip>"
	         "</device>",
	         ip);
	char *req = held_req("civic", 0, inner);
	ts_http_resp_t r;
	post_held(port, "/held/" TENANT_A, req, &r);
	ASSERT_HELD_ERROR(&r, "locationUnknown");
	ts_http_resp_free(&r);
	free(req);
}

Test(events_integ, unknown_location_dedup_calls_and_sigkill_restart, .timeout = 120)
{
	env_t e;
	env_init(&e, "2s");
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, e.cfg, NULL);

	/* 3 identical requests -> 1 event; another device -> its own event. */
	for (int i = 0; i < 3; i++)
		unknown_request(l.port, "198.51.100.7");
	size_t n;
	char **v = lines(e.file, &n);
	cr_assert_eq(n, 1, "3 identical unknown requests -> %zu lines", n);
	HAS(v[0], "\"type\":\"unknown_location\"");
	HAS(v[0], "\"tenant\":\"" TENANT_A "\"");
	HAS(v[0], "198.51.100.7");
	HAS(v[0], "\"source\":\"127.0.0.1\"");
	HAS(v[0], "\"count\":1}");
	free_lines(v, n);
	unknown_request(l.port, "198.51.100.8");
	/* After the window, the repeats are reported with the next one. */
	usleep(2200000);
	unknown_request(l.port, "198.51.100.7");
	v = lines(e.file, &n);
	cr_assert_eq(n, 3);
	HAS(v[2], "198.51.100.7");
	HAS(v[2], "\"count\":3}");
	free_lines(v, n);

	/* 933 by GET, 911 by POST, with caller and call id. */
	char *tok = issue_token(l.port, TENANT_A);
	char path[2048];
	snprintf(path, sizeof path, "/loc/%s?dialed=933&caller=tel:%%2B14085551234&call_id=c-933",
	         tok);
	ts_http_resp_t r;
	cr_assert_eq(ts_http(l.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200, "GET %s: %d\n%s", path, r.status, r.body);
	ts_http_resp_free(&r);
	snprintf(path, sizeof path, "/loc/%s?dialed=911&call_id=c-911", tok);
	char *body = held_req("civic", 0, NULL);
	cr_assert_eq(ts_http(l.port, "POST", path, HELD_CT, body, strlen(body), &r), 0);
	cr_assert_eq(r.status, 200, "POST %s: %d\n%s", path, r.status, r.body);
	ts_http_resp_free(&r);
	free(body);
	free(tok);

	v = lines(e.file, &n);
	cr_assert_eq(n, 5);
	HAS(v[3], "\"type\":\"test_call\"");
	HAS(v[3], "\"location_id\":\"a-port\"");
	HAS(v[3], "\"building_id\":\"hq\"");
	HAS(v[3], "\"address\":\"170 Tasman Dr, FLR 1, ROOM 101, San Jose, CA 95134, US\"");
	HAS(v[3], "\"dialed\":\"933\"");
	HAS(v[3], "\"caller\":\"tel:+14085551234\"");
	HAS(v[3], "\"call_id\":\"c-933\"");
	HAS(v[3], "\"method\":\"lldp-port\"");
	HAS(v[4], "\"type\":\"emergency_call\"");
	HAS(v[4], "\"dialed\":\"911\"");
	HAS(v[4], "\"location_id\":\"a-port\"");
	char ids[5][37];
	for (size_t i = 0; i < n; i++)
		id_of(v[i], ids[i]);
	free_lines(v, n);

	/* The receiver is down: every event waits in the outbox. */
	ts_http_resp_t m;
	cr_assert_eq(ts_http(l.port, "GET", "/metrics", NULL, NULL, 0, &m), 0);
	HAS(m.body, "lis_events_total{type=\"unknown_location\"} 3");
	HAS(m.body, "lis_events_total{type=\"test_call\"} 1");
	HAS(m.body, "lis_events_total{type=\"emergency_call\"} 1");
	HAS(m.body, "lis_events_suppressed_total 2");
	HAS(m.body, "lis_events_outbox_depth 5");
	ts_http_resp_free(&m);

	kill(l.pid, SIGKILL);
	waitpid(l.pid, NULL, 0);
	l.pid = 0;
	ts_lisd_stop(&l);

	rcv_t rc;
	cr_assert_eq(rcv_start(&rc, e.rport, 0), 0);
	ts_lisd_start(&l, e.db, e.cfg, NULL);
	bool all = rcv_wait(&rc, 5, 20000);
	usleep(500000); /* a duplicate would show up now */
	cr_assert(all, "only %zu of 5 events delivered after the restart", rcv_count(&rc));
	for (int i = 0; i < 5; i++)
		cr_assert_eq(rcv_count_id(&rc, ids[i]), 1, "event %s delivered %zu times", ids[i],
		             rcv_count_id(&rc, ids[i]));
	cr_assert_eq(rcv_count(&rc), 5);
	for (size_t i = 0; i < rc.n; i++) {
		cr_assert_str_eq(rc.msgs[i].path, "/alerts");
		if (strcmp(rc.msgs[i].id, ids[3]) == 0) {
			HAS(rc.msgs[i].body, "\"type\":\"test_call\"");
			HAS(rc.msgs[i].body, "\"location_id\":\"a-port\"");
			HAS(rc.msgs[i].body, "\"address\":\"170 Tasman Dr, FLR 1, ROOM 101, San "
			                     "Jose, CA 95134, US\"");
		}
	}
	/* lisd counts a delivery when the 2xx reaches it, after the receiver saw it */
	wait_metrics(l.port, "lis_event_deliveries_total{outcome=\"delivered\"} 5\n",
	             "lis_events_outbox_depth 0\n");
	ts_lisd_stop(&l);
	rcv_free(&rc);
	env_free(&e);
}

Test(events_integ, test_call_reaches_the_webhook_live, .timeout = 60)
{
	env_t e;
	env_init(&e, "10m");
	rcv_t rc;
	cr_assert_eq(rcv_start(&rc, e.rport, 0), 0);
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, e.cfg, NULL);
	char *tok = issue_token(l.port, TENANT_A);
	char path[2048];
	snprintf(path, sizeof path, "/loc/%s?dialed=933&caller=tel:%%2B14085551234&call_id=live",
	         tok);
	ts_http_resp_t r;
	cr_assert_eq(ts_http(l.port, "GET", path, NULL, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 200);
	ts_http_resp_free(&r);
	cr_assert(rcv_wait(&rc, 1, 10000), "the test call did not reach the webhook");
	HAS(rc.msgs[0].body, "\"type\":\"test_call\"");
	HAS(rc.msgs[0].body, "\"call_id\":\"live\"");
	HAS(rc.msgs[0].body,
	    "\"address\":\"170 Tasman Dr, FLR 1, ROOM 101, San Jose, CA 95134, US\"");
	HAS(rc.msgs[0].body, rc.msgs[0].id);
	free(tok);
	ts_lisd_stop(&l);
	rcv_free(&rc);
	env_free(&e);
}

/*
 * logrotate's default: the events file is renamed, lisd gets SIGHUP and must
 * write the next event to a new file of the configured name. Without the
 * reopen, the second event would land in the renamed file.
 */
Test(events_integ, sighup_reopens_the_events_file_after_rotation, .timeout = 60)
{
	env_t e;
	env_init(&e, "10m");
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, e.cfg, NULL);
	unknown_request(l.port, "198.51.100.41");
	char *rotated = NULL;
	cr_assert(asprintf(&rotated, "%s.1", e.file) > 0);
	cr_assert_eq(rename(e.file, rotated), 0);
	cr_assert_eq(kill(l.pid, SIGHUP), 0);
	/* the control loop handles the signal: the file reappears */
	for (int i = 0; i < ts_ms(5000) / 20 && access(e.file, F_OK) != 0; i++)
		usleep(20000);
	cr_assert_eq(access(e.file, F_OK), 0, "no new %s after SIGHUP", e.file);
	unknown_request(l.port, "198.51.100.42");

	size_t n_old, n_new;
	char **old = lines(rotated, &n_old), **now = lines(e.file, &n_new);
	cr_assert_eq(n_old, 1, "the rotated file has %zu lines", n_old);
	HAS(old[0], "198.51.100.41");
	cr_assert_eq(n_new, 1, "the new file has %zu lines", n_new);
	HAS(now[0], "198.51.100.42");
	free_lines(old, n_old);
	free_lines(now, n_new);
	cr_assert_eq(ts_lisd_stop(&l), 0);
	free(rotated);
	env_free(&e);
}

/*
 * An https:// webhook: lisd verifies the receiver's certificate (against the
 * system store; here SSL_CERT_FILE names the test CA) and its name. The
 * receiver whose certificate another CA signed never sees a request, and the
 * event stays owed (a retry is counted); the trusted one gets it.
 */
Test(events_integ, https_webhook_is_verified, .timeout = 90)
{
	env_t e;
	env_init(&e, "10m");
	ts_make_cert(e.tmp, "hook-ca", NULL);
	ts_make_cert(e.tmp, "rogue-ca", NULL);
	ts_make_cert(e.tmp, "hook", "hook-ca");
	ts_make_cert(e.tmp, "rogue", "rogue-ca");
	char pem[4200], key[4200], rpem[4200], rkey[4200], ca[4200];
	snprintf(pem, sizeof pem, "%s/hook.pem", e.tmp);
	snprintf(key, sizeof key, "%s/hook.key", e.tmp);
	snprintf(rpem, sizeof rpem, "%s/rogue.pem", e.tmp);
	snprintf(rkey, sizeof rkey, "%s/rogue.key", e.tmp);
	snprintf(ca, sizeof ca, "%s/hook-ca.pem", e.tmp);

	/* the webhook URL of env_init, over https */
	char *cfg = NULL, *p = strstr(e.cfg, "webhook: http://");
	cr_assert_not_null(p);
	cr_assert(asprintf(&cfg, "%.*swebhook: https://%s", (int)(p - e.cfg), e.cfg,
	                   p + strlen("webhook: http://")) > 0);
	rcv_t rogue;
	cr_assert_eq(rcv_start_tls(&rogue, e.rport, rpem, rkey), 0);
	setenv("SSL_CERT_FILE", ca, 1); /* lisd inherits it: its "system" store */
	ts_lisd_t l;
	ts_lisd_start(&l, e.db, cfg, NULL);
	unsetenv("SSL_CERT_FILE");
	unknown_request(l.port, "198.51.100.51");

	/* an untrusted certificate: no request gets through, a retry is counted */
	ts_http_resp_t m = {0};
	bool retried = false;
	for (int i = 0; i < ts_ms(10000) / 100 && !retried; i++) {
		usleep(100000);
		ts_http_resp_free(&m);
		cr_assert_eq(ts_http(l.port, "GET", "/metrics", NULL, NULL, 0, &m), 0);
		retried = !strstr(m.body, "lis_event_deliveries_total{outcome=\"retry\"} 0\n");
	}
	cr_assert(retried, "no failed delivery to the untrusted receiver:\n%s", m.body);
	HAS(m.body, "lis_events_outbox_depth 1");
	ts_http_resp_free(&m);
	cr_assert_eq(atomic_load(&rogue.requests), 0, "a request reached the untrusted receiver");
	rcv_free(&rogue);

	/* the trusted receiver on the same port gets it (retry_max is 1 s) */
	rcv_t hook;
	cr_assert_eq(rcv_start_tls(&hook, e.rport, pem, key), 0);
	cr_assert(rcv_wait(&hook, 1, ts_ms(15000)), "the event never reached the https receiver");
	HAS(hook.msgs[0].body, "198.51.100.51");
	HAS(hook.msgs[0].body, "\"type\":\"unknown_location\"");
	cr_assert_eq(ts_lisd_stop(&l), 0);
	rcv_free(&hook);
	free(cfg);
	env_free(&e);
}
