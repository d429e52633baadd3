/*
 * Webhook delivery: one thread with its own event_base takes due entries
 * from the outbox (earliest next attempt first, FIFO among equals), POSTs
 * them with libevent's HTTP client (bufferevent_openssl for https: TLS 1.2+,
 * peer verified against the system store, host name checked), and on a 2xx
 * deletes the entry; on anything else reschedules it with exponential
 * back-off. At least once: the receiver de-duplicates on the event id
 * (X-Openlis-Event-Id and Idempotency-Key headers).
 *
 * A URL that just failed is held back until its own back-off passes, so a
 * receiver that is down sees one probe at a time, not the whole backlog.
 * A delivery that succeeds starts the next one at once (refill_soon).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "lis/lis_internal.h"

#define MAX_URLS 256

unsigned lis_webhook_tick_ms = 250;

typedef struct {
	char *url;
	uint64_t until_ms; /* no new attempt before */
	uint32_t fails;    /* consecutive failures */
	unsigned inflight; /* requests on their way */
} url_state_t;

typedef struct inflight {
	lis_webhook_t *wh;
	bool busy;
	uint64_t seq;
	char id[37];
	uint32_t attempts;
	char *url;
	struct evhttp_connection *conn; /* freed on the next pass, outside its callback */
	struct evhttp_uri *uri;
} inflight_t;

struct lis_webhook {
	lis_outbox_t *ob;
	lis_ev_counters_t *ctr;
	unsigned retry_max_s;
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ssl;
	int wake[2];
	struct event *wake_ev, *tick_ev, *refill_ev;
	uint64_t pass_at_us, scan_us; /* when the last pass started, how long its scan took */
	pthread_t thread;
	bool started;
	atomic_bool stop;
	inflight_t fl[LIS_WEBHOOK_INFLIGHT];
	url_state_t urls[MAX_URLS];
	size_t n_urls;
};

uint64_t lis_webhook_backoff_ms(uint32_t attempts, unsigned retry_max_s)
{
	uint64_t cap = (uint64_t)(retry_max_s ? retry_max_s : 1) * 1000u;
	uint64_t d = 1000;
	for (uint32_t i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* Jitter: between 3/4 and the whole delay, so receivers coming back
	 * are not hit by every lisd at the same instant. */
	uint32_t r;
	lis_random_bytes(&r, sizeof r);
	return d - (d / 4) * (r % 1024) / 1024;
}

static url_state_t *url_state(lis_webhook_t *wh, const char *url)
{
	for (size_t i = 0; i < wh->n_urls; i++)
		if (strcmp(wh->urls[i].url, url) == 0)
			return &wh->urls[i];
	if (wh->n_urls == MAX_URLS) /* forget the first: only a hint */
		return NULL;
	char *u = strdup(url);
	if (!u)
		return NULL;
	wh->urls[wh->n_urls] = (url_state_t){u, 0, 0, 0};
	return &wh->urls[wh->n_urls++];
}

/* scheme://host[:port] only: a URL's userinfo, path or query may hold a secret. */
static void url_origin(const char *url, char *out, size_t outlen)
{
	const char *sep = strstr(url, "://");
	const char *p = sep ? sep + 3 : url;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	snprintf(out, outlen, "%.*s%.*s", (int)(sep ? sep + 3 - url : 0), url, (int)n, p);
}

static void slot_release(inflight_t *f)
{
	if (f->conn)
		evhttp_connection_free(f->conn);
	f->conn = NULL;
	if (f->uri)
		evhttp_uri_free(f->uri);
	f->uri = NULL;
	free(f->url);
	f->url = NULL;
}

/*
 * Refills the slot a delivery freed, on a pass of its own (a connection is
 * not freed inside its own callback), so a backlog (an outage, a restart)
 * drains at the receiver's pace instead of LIS_WEBHOOK_INFLIGHT events per
 * tick. A scan walks every due entry, also those of a receiver in back-off:
 * these extra passes start no sooner than 4 scan durations after the last
 * one started, so a large backlog for a dead receiver costs at most about a
 * quarter of this thread, whatever the pace of the live ones.
 */
static void refill_soon(lis_webhook_t *wh)
{
	if (evtimer_pending(wh->refill_ev, NULL))
		return;
	uint64_t now = lis_now_usec(), at = wh->pass_at_us + 4 * wh->scan_us;
	uint64_t d = at > now ? at - now : 0;
	struct timeval tv = {(time_t)(d / 1000000u), (suseconds_t)(d % 1000000u)};
	evtimer_add(wh->refill_ev, &tv);
}

static void on_done(struct evhttp_request *req, void *arg)
{
	inflight_t *f = arg;
	lis_webhook_t *wh = f->wh;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	uint64_t now = lis_wall_ms();
	url_state_t *us = url_state(wh, f->url);
	char origin[256];

	if (!f->busy)
		return;
	f->busy = false;
	if (us && us->inflight)
		us->inflight--;
	if (code >= 200 && code < 300) {
		int rc = lis_outbox_delete(wh->ob, f->seq, f->id);
		if (rc < 0)
			lis_log(LIS_LOG_ERROR,
			        "events outbox: cannot delete delivered event %s: %s", f->id,
			        lis_strerror(rc));
		atomic_fetch_add(&wh->ctr->delivered, 1);
		if (us)
			us->fails = 0, us->until_ms = 0;
		refill_soon(wh);
	} else {
		uint32_t att = f->attempts + 1;
		uint64_t d = lis_webhook_backoff_ms(att, wh->retry_max_s);
		int rc = lis_outbox_reschedule(wh->ob, f->seq, f->id, att, now + d);
		if (rc < 0)
			lis_log(LIS_LOG_ERROR, "events outbox: cannot reschedule event %s: %s",
			        f->id, lis_strerror(rc));
		atomic_fetch_add(&wh->ctr->retry, 1);
		url_origin(f->url, origin, sizeof origin);
		/* Requests that were in flight together count as one failure
		 * of their receiver. */
		if (us && now >= us->until_ms) {
			us->fails++;
			us->until_ms = now + lis_webhook_backoff_ms(us->fails, wh->retry_max_s);
		}
		if (code)
			lis_log(LIS_LOG_WARN,
			        "webhook %s: HTTP %d for event %s (attempt %u), retry in %.1fs",
			        origin, code, f->id, att, (double)d / 1000.0);
		else
			lis_log(
			    LIS_LOG_WARN,
			    "webhook %s: no answer (connection failed or timed out) for event %s "
			    "(attempt %u), retry in %.1fs",
			    origin, f->id, att, (double)d / 1000.0);
	}
	/* The connection is freed on the next pass, not inside its own callback. */
}

static SSL *new_ssl(lis_webhook_t *wh, const char *host)
{
	SSL *ssl = SSL_new(wh->ssl);
	if (!ssl)
		return NULL;
	struct in6_addr a6;
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
	return ssl;
}

enum { SEND_STARTED, SEND_FAILED, SEND_HANDLED };

/*
 * Starts one POST: SEND_STARTED, SEND_FAILED when it could not even be
 * started (the caller reschedules), or SEND_HANDLED when libevent failed it
 * synchronously and on_done already rescheduled it.
 */
static int send_one(lis_webhook_t *wh, inflight_t *f, const lis_outbox_entry_t *e)
{
	char host[256], path[LIS_EVENT_URL_MAX + 2], hdr[64];
	struct bufferevent *bev = NULL;

	f->uri = evhttp_uri_parse(e->url);
	const char *scheme = f->uri ? evhttp_uri_get_scheme(f->uri) : NULL;
	const char *h = f->uri ? evhttp_uri_get_host(f->uri) : NULL;
	if (!scheme || !h || (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")))
		return SEND_FAILED;
	bool tls = strcasecmp(scheme, "https") == 0;
	size_t hl = strlen(h);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
		snprintf(host, sizeof host, "%.*s", (int)(hl - 2), h + 1);
	else
		snprintf(host, sizeof host, "%s", h);
	int port = evhttp_uri_get_port(f->uri);
	if (port < 0)
		port = tls ? 443 : 80;
	const char *p = evhttp_uri_get_path(f->uri), *q = evhttp_uri_get_query(f->uri);
	snprintf(path, sizeof path, "%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "");

	if (tls) {
		SSL *ssl = new_ssl(wh, host);
		if (!ssl)
			return SEND_FAILED;
		bev =
		    bufferevent_openssl_socket_new(wh->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		                                   BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (!bev) {
			SSL_free(ssl);
			return SEND_FAILED;
		}
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	}
	f->conn = evhttp_connection_base_bufferevent_new(wh->base, wh->dns, bev, host,
	                                                 (unsigned short)port);
	if (!f->conn) {
		if (bev)
			bufferevent_free(bev);
		return SEND_FAILED;
	}
	evhttp_connection_set_timeout(f->conn, LIS_WEBHOOK_TIMEOUT_S);
	evhttp_connection_set_retries(f->conn, 0);
	struct evhttp_request *req = evhttp_request_new(on_done, f);
	if (!req)
		return SEND_FAILED;
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	char hosthdr[300];
	if (evhttp_uri_get_port(f->uri) >= 0)
		snprintf(hosthdr, sizeof hosthdr, "%s:%d", h, port);
	else
		snprintf(hosthdr, sizeof hosthdr, "%s", h);
	evhttp_add_header(hd, "Host", hosthdr);
	evhttp_add_header(hd, "Content-Type", "application/json");
	evhttp_add_header(hd, "User-Agent", "openlis/" LIS_VERSION);
	evhttp_add_header(hd, "X-Openlis-Event-Id", e->id);
	evhttp_add_header(hd, "Idempotency-Key", e->id);
	evhttp_add_header(hd, "X-Openlis-Event-Type", lis_event_type_name(e->type));
	snprintf(hdr, sizeof hdr, "%u", e->attempts + 1);
	evhttp_add_header(hd, "X-Openlis-Attempt", hdr);
	evhttp_add_header(hd, "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), e->body, e->body_len);
	f->busy = true;
	f->seq = e->seq;
	memcpy(f->id, e->id, sizeof f->id);
	f->attempts = e->attempts;
	if (evhttp_make_request(f->conn, req, EVHTTP_REQ_POST, path) != 0) {
		if (!f->busy)
			return SEND_HANDLED; /* on_done ran from inside the call */
		f->busy = false;
		return SEND_FAILED;
	}
	return SEND_STARTED;
}

typedef struct {
	lis_webhook_t *wh;
	uint64_t now;
	size_t free_slots;
} scan_t;

static int on_due(void *arg, const lis_outbox_entry_t *e)
{
	scan_t *s = arg;
	lis_webhook_t *wh = s->wh;
	inflight_t *slot = NULL;

	for (size_t i = 0; i < LIS_WEBHOOK_INFLIGHT; i++) {
		inflight_t *f = &wh->fl[i];
		if (f->busy && f->seq == e->seq)
			return 0; /* already on its way */
		if (!f->busy && !slot)
			slot = f;
	}
	if (!slot)
		return 1;
	url_state_t *us = url_state(wh, e->url);
	/* Its receiver failed a moment ago: wait for the back-off, then send
	 * one probe at a time until it answers again. */
	if (us && us->fails && (us->until_ms > s->now || us->inflight))
		return 0;
	slot_release(slot);
	slot->url = strdup(e->url);
	if (!slot->url)
		return 1;
	if (us)
		us->inflight++;
	int sent = send_one(wh, slot, e);
	if (sent == SEND_HANDLED)
		return 0;
	if (sent == SEND_FAILED) {
		if (us && us->inflight)
			us->inflight--;
		char origin[256];
		url_origin(e->url, origin, sizeof origin);
		uint32_t att = e->attempts + 1;
		uint64_t d = lis_webhook_backoff_ms(att, wh->retry_max_s);
		lis_log(LIS_LOG_ERROR, "webhook %s: cannot send event %s (bad URL or no memory)",
		        origin, e->id);
		atomic_fetch_add(&wh->ctr->retry, 1);
		/* A write inside the scan's read transaction is fine in LMDB
		 * (MDB_NOTLS); the scan keeps its snapshot. */
		lis_outbox_reschedule(wh->ob, e->seq, e->id, att, s->now + d);
		slot_release(slot);
		return 0;
	}
	return 0;
}

static void pass(lis_webhook_t *wh)
{
	for (size_t i = 0; i < LIS_WEBHOOK_INFLIGHT; i++)
		if (!wh->fl[i].busy)
			slot_release(&wh->fl[i]);
	if (atomic_load(&wh->stop))
		return;
	scan_t s = {wh, lis_wall_ms(), 0};
	wh->pass_at_us = lis_now_usec();
	int rc = lis_outbox_scan_due(wh->ob, s.now, on_due, &s);
	wh->scan_us = lis_now_usec() - wh->pass_at_us;
	if (rc)
		lis_log(LIS_LOG_ERROR, "events outbox: cannot read: %s", lis_strerror(rc));
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	lis_webhook_t *wh = arg;
	char buf[64];
	while (read(fd, buf, sizeof buf) > 0)
		;
	if (atomic_load(&wh->stop)) {
		event_base_loopbreak(wh->base);
		return;
	}
	pass(wh);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	pass(arg);
}

static void *thread_main(void *arg)
{
	lis_webhook_t *wh = arg;
	/* What an earlier run left behind goes out now: its back-off was for a
	 * receiver state this run knows nothing of, and an owed 911 alert should
	 * not wait up to retry_max after a restart. */
	int moved = lis_outbox_due_now(wh->ob, lis_wall_ms());
	if (moved < 0)
		lis_log(LIS_LOG_ERROR, "events outbox: cannot reschedule waiting events: %s",
		        lis_strerror(moved));
	else if (moved > 0)
		lis_log(LIS_LOG_INFO, "events outbox: %d event(s) waiting for a retry are due now",
		        moved);
	pass(wh);
	event_base_loop(wh->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

int lis_webhook_new(lis_outbox_t *ob, lis_ev_counters_t *ctr, unsigned retry_max_s,
                    lis_webhook_t **out, char *err, size_t errlen)
{
	lis_webhook_t *wh = calloc(1, sizeof *wh);
	int rc = -ENOMEM;

	*out = NULL;
	if (!wh)
		return -ENOMEM;
	wh->ob = ob;
	wh->ctr = ctr;
	wh->retry_max_s = retry_max_s ? retry_max_s : 300;
	wh->wake[0] = wh->wake[1] = -1;
	atomic_init(&wh->stop, false);
	for (size_t i = 0; i < LIS_WEBHOOK_INFLIGHT; i++)
		wh->fl[i].wh = wh;
	if (pipe2(wh->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		rc = -errno;
		snprintf(err, errlen, "events: pipe: %s", strerror(errno));
		goto out;
	}
	if (!(wh->base = event_base_new())) {
		snprintf(err, errlen, "events: cannot create an event loop");
		goto out;
	}
	/* Without a usable resolv.conf, fall back to libevent's blocking lookup. */
	wh->dns = evdns_base_new(wh->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	                                       EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	wh->ssl = SSL_CTX_new(TLS_client_method());
	if (!wh->ssl) {
		snprintf(err, errlen, "events: cannot create a TLS context");
		rc = LIS_ETLS;
		goto out;
	}
	SSL_CTX_set_min_proto_version(wh->ssl, TLS1_2_VERSION);
	SSL_CTX_set_verify(wh->ssl, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(wh->ssl) != 1) {
		snprintf(err, errlen, "events: cannot load the system CA store for https webhooks");
		rc = LIS_ETLS;
		goto out;
	}
	unsigned tick = lis_webhook_tick_ms ? lis_webhook_tick_ms : 250;
	struct timeval tv = {(time_t)(tick / 1000), (suseconds_t)(tick % 1000) * 1000};
	wh->wake_ev = event_new(wh->base, wh->wake[0], EV_READ | EV_PERSIST, on_wake, wh);
	wh->tick_ev = event_new(wh->base, -1, EV_PERSIST, on_tick, wh);
	wh->refill_ev = evtimer_new(wh->base, on_tick, wh);
	if (!wh->wake_ev || !wh->tick_ev || !wh->refill_ev || event_add(wh->wake_ev, NULL) ||
	    event_add(wh->tick_ev, &tv)) {
		snprintf(err, errlen, "events: cannot create events");
		goto out;
	}
	*out = wh;
	wh = NULL;
	rc = 0;
out:
	lis_webhook_free(wh);
	return rc;
}

int lis_webhook_start(lis_webhook_t *wh)
{
	if (wh->started)
		return 0;
	int rc = pthread_create(&wh->thread, NULL, thread_main, wh);
	if (rc)
		return -rc;
	wh->started = true;
	return 0;
}

void lis_webhook_wake(lis_webhook_t *wh)
{
	if (!wh || wh->wake[1] < 0)
		return;
	ssize_t w = write(wh->wake[1], "w", 1); /* EAGAIN: a wake-up is pending anyway */
	(void)w;
}

void lis_webhook_free(lis_webhook_t *wh)
{
	if (!wh)
		return;
	if (wh->started) {
		atomic_store(&wh->stop, true);
		lis_webhook_wake(wh);
		pthread_join(wh->thread, NULL);
	}
	for (size_t i = 0; i < LIS_WEBHOOK_INFLIGHT; i++) {
		wh->fl[i].busy = false;
		slot_release(&wh->fl[i]);
	}
	for (size_t i = 0; i < wh->n_urls; i++)
		free(wh->urls[i].url);
	if (wh->wake_ev)
		event_free(wh->wake_ev);
	if (wh->tick_ev)
		event_free(wh->tick_ev);
	if (wh->refill_ev)
		event_free(wh->refill_ev);
	if (wh->dns)
		evdns_base_free(wh->dns, 0);
	if (wh->base)
		event_base_free(wh->base);
	if (wh->ssl)
		SSL_CTX_free(wh->ssl);
	if (wh->wake[0] >= 0)
		close(wh->wake[0]);
	if (wh->wake[1] >= 0)
		close(wh->wake[1]);
	free(wh);
}
