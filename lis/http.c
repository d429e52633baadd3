/*
 * The evhttp shell: routing, the HTTP rules of RFC 5985 §9 / SPEC §4.1,
 * connection accounting and the per-worker event loop. All HELD logic is in
 * handler.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "lis/lis_internal.h"

#define HELD_CTYPE "application/held+xml;charset=utf-8"
#define TEXT_CTYPE "text/plain; charset=utf-8"
#define METRICS_CTYPE "text/plain; version=0.0.4; charset=utf-8"
#define DRAIN_MAX_USEC 3000000u

/* ---------------- connection accounting ---------------------------------- */

static void on_close(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	(void)arg;
	lis_metrics_connection(-1);
}

/* Runs once the evhttp_connection around a new bufferevent exists: its
 * address is the bufferevent's callback argument. We hold a reference on
 * the bufferevent, so it is still valid even when evhttp already dropped it
 * (then its callbacks are cleared). */
static void attach(lis_worker_t *w, struct bufferevent *bev)
{
	bufferevent_data_cb rcb = NULL, wcb = NULL;
	bufferevent_event_cb ecb = NULL;
	void *arg = NULL;

	bufferevent_getcb(bev, &rcb, &wcb, &ecb, &arg);
	if (!rcb && !ecb) {
		lis_metrics_connection(-1); /* gone before we saw it */
	} else {
		struct evhttp_connection *evcon = arg;
		evhttp_connection_set_closecb(evcon, on_close, w);
		if (atomic_load(&w->srv->draining) ||
		    lis_metrics_open_connections() > (long)w->srv->cfg->max_connections) {
			lis_metrics_connection_rejected();
			static _Atomic uint64_t last_warn;
			uint64_t now = lis_now_usec(), prev = atomic_load(&last_warn);
			if (!atomic_load(&w->srv->draining) && now - prev >= 1000000u &&
			    atomic_compare_exchange_strong(&last_warn, &prev, now))
				lis_log(
				    LIS_LOG_WARN,
				    "limits.max_connections (%u) reached: closing new connections",
				    w->srv->cfg->max_connections);
			evhttp_connection_free(evcon);
		}
	}
	bufferevent_decref(bev);
}

static void flush_pending(lis_worker_t *w)
{
	size_t n = w->n_pending;
	w->n_pending = 0;
	for (size_t i = 0; i < n; i++)
		attach(w, w->pending[i]);
}

static void on_fixup(evutil_socket_t fd, short what, void *arg)
{
	flush_pending(arg);
}

/* evhttp asks us for every accepted connection's bufferevent. */
static struct bufferevent *on_bev(struct event_base *base, void *arg)
{
	lis_front_t *f = arg;
	lis_worker_t *w = f->w;
	struct bufferevent *bev = NULL;

	/* Earlier connections of this accept burst are complete by now. */
	flush_pending(w);
	if (f->ctx) {
		SSL *ssl = SSL_new(f->ctx);
		if (ssl) {
			bev = bufferevent_openssl_socket_new(
			    base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
			if (bev)
				bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
			else
				SSL_free(ssl);
		}
	}
	if (!bev)
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		return NULL;
	lis_metrics_connection(+1);
	bufferevent_incref(bev);
	w->pending[w->n_pending++] = bev;
	event_active(w->fixup_ev, EV_TIMEOUT, 0);
	return bev;
}

/* ---------------- request helpers ---------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

static void reply(lis_worker_t *w, struct evhttp_request *req, int status, const char *ctype,
                  const char *body, size_t len, const char *allow)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	char cl[24];

	snprintf(cl, sizeof cl, "%zu", len);
	evhttp_add_header(oh, "Content-Type", ctype);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	evhttp_add_header(oh, "Content-Length", cl);
	if (allow)
		evhttp_add_header(oh, "Allow", allow);
	if (atomic_load(&w->srv->draining))
		evhttp_add_header(oh, "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	evhttp_send_reply(req, status, reason(status), NULL);
}

static void reply_text(lis_worker_t *w, struct evhttp_request *req, int status, const char *text,
                       const char *allow)
{
	reply(w, req, status, TEXT_CTYPE, text, strlen(text), allow);
}

bool lis_held_media_type_ok(const char *ct)
{
	static const char *const ok[] = {"application/held+xml", "application/xml", "text/xml"};
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0)
			return true;
	return false;
}

/* RFC 5985 §9: If-* -> 412; Expect or Range -> 501. 0 when neither. */
static int forbidden_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	int status = 0;
	for (kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
		if (strncasecmp(kv->key, "If-", 3) == 0)
			status = status ? status : 412;
		else if (strcasecmp(kv->key, "Expect") == 0 || strcasecmp(kv->key, "Range") == 0)
			status = 501;
	}
	return status;
}

static void peer_of(struct evhttp_request *req, lis_client_t *c, char *text, size_t textlen)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct sockaddr *sa = evcon ? evhttp_connection_get_addr(evcon) : NULL;

	c->has_source = false;
	snprintf(text, textlen, "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		c->source.family = 4;
		memcpy(c->source.a, &in->sin_addr, 4);
		c->has_source = true;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			c->source.family = 4;
			memcpy(c->source.a, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			c->source.family = 6;
			memcpy(c->source.a, in6->sin6_addr.s6_addr, 16);
		}
		c->has_source = true;
	}
	if (c->has_source)
		wm_ip_format(&c->source, text);
}

static const char *method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		return "?";
	}
}

static void on_complete(struct evhttp_request *req, void *arg)
{
	lis_worker_t *w = arg;
	if (w->inflight)
		w->inflight--;
}

/* ---------------- endpoints ---------------------------------------------- */

static int serve_held(lis_worker_t *w, struct evhttp_request *req, const char *tenant,
                      size_t tenant_len, const lis_client_t *client, const char *peer,
                      lis_outcome_t *oc)
{
	const lis_config_t *cfg = w->srv->cfg;
	int status;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply_text(w, req, 405, "HELD requests use POST\n", "POST");
		return 405;
	}
	if ((status = forbidden_headers(req)) != 0) {
		reply_text(w, req, status,
		           status == 412 ? "conditional requests are not supported by HELD\n"
		                         : "Expect and Range are not supported by HELD\n",
		           NULL);
		return status;
	}
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	if (!lis_held_media_type_ok(ct)) {
		reply_text(
		    w, req, 415,
		    "send HELD requests as application/held+xml (or application/xml, text/xml)\n",
		    NULL);
		return 415;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	if (len > cfg->max_body) {
		reply_text(w, req, 413, "request body over limits.max_body\n", NULL);
		return 413;
	}
	const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
	if (!body) {
		reply_text(w, req, 500, "out of memory\n", NULL);
		return 500;
	}

	lis_ixref_t *ref = lis_reloader_acquire(w->srv->reloader);
	held_buf_reset(&w->out);
	status = lis_held_handle(&w->srv->handler, ref ? ref->ix : NULL, tenant, tenant_len, body,
	                         len, client, &w->out, oc);
	lis_ixref_release(ref);
	lis_metrics_held(oc);
	if (status == 200 && oc->code == HELD_LOCATION_UNKNOWN && oc->tenant[0]) {
		/* Durable before the answer leaves (SPEC §4.5): lis_events_emit
		 * returns once the event is in the file and the outbox. */
		lis_event_t ev = {
		    .type = LIS_EV_UNKNOWN_LOCATION,
		    .tenant = oc->tenant,
		    .device = oc->ids,
		    .source = client->has_source ? peer : NULL,
		    .ts = client->now,
		};
		int erc = lis_events_emit(w->srv->events, &ev);
		if (erc)
			lis_log(LIS_LOG_WARN,
			        "unknown_location event for tenant %s not recorded: %s", oc->tenant,
			        lis_strerror(erc));
	}
	if (status == 200)
		reply(w, req, 200, HELD_CTYPE, w->out.p ? w->out.p : "", w->out.len, NULL);
	else if (status == 404)
		reply_text(w, req, 404, "unknown tenant\n", NULL);
	else
		reply_text(w, req, status, "internal error\n", NULL);
	return status;
}

/* GET/POST /loc/{token}: transport only; the logic is in deref.c. */
static int serve_loc(lis_front_t *f, struct evhttp_request *req, const char *token,
                     const char *peer, const lis_client_t *client, lis_deref_out_t *o)
{
	lis_worker_t *w = f->w;
	struct evkeyvalq *ih = evhttp_request_get_input_headers(req);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	lis_deref_req_t r = {
	    .method = m == EVHTTP_REQ_GET    ? LIS_HTTP_GET
	              : m == EVHTTP_REQ_HEAD ? LIS_HTTP_HEAD
	              : m == EVHTTP_REQ_POST ? LIS_HTTP_POST
	                                     : LIS_HTTP_OTHER,
	    .token = token,
	    .token_len = strlen(token),
	    .query = u ? evhttp_uri_get_query(u) : NULL,
	    .accept = evhttp_find_header(ih, "Accept"),
	    .authorization = evhttp_find_header(ih, "Authorization"),
	    .content_type = evhttp_find_header(ih, "Content-Type"),
	    .source = client->has_source ? peer : NULL,
	    .now = client->now,
	};
	int status;

	if (r.method == LIS_HTTP_POST && (status = forbidden_headers(req)) != 0) {
		memset(o, 0, sizeof *o);
		o->status = status;
		o->result = LIS_DR_OTHER;
		o->event = -1;
		lis_metrics_deref(o);
		reply_text(w, req, status,
		           status == 412 ? "conditional requests are not supported by HELD\n"
		                         : "Expect and Range are not supported by HELD\n",
		           NULL);
		return status;
	}
	if (r.method == LIS_HTTP_POST) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		r.body_len = evbuffer_get_length(in);
		r.body = r.body_len ? (const char *)evbuffer_pullup(in, -1) : "";
		if (!r.body) {
			reply_text(w, req, 500, "out of memory\n", NULL);
			return 500;
		}
	}
	if (f->ctx) {
		struct evhttp_connection *evcon = evhttp_request_get_connection(req);
		struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
		r.ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	}
	lis_ixref_t *ref = lis_reloader_acquire(w->srv->reloader);
	held_buf_reset(&w->out);
	status = lis_deref_handle(&w->srv->handler, ref ? ref->ix : NULL, w->srv->events, &r,
	                          &w->out, o);
	lis_ixref_release(ref);
	lis_metrics_deref(o);
	reply(w, req, status, o->ctype ? o->ctype : TEXT_CTYPE, w->out.p ? w->out.p : "",
	      w->out.len, o->allow);
	return status;
}

static int serve_healthz(lis_worker_t *w, struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		reply_text(w, req, 405, "use GET\n", "GET, HEAD");
		return 405;
	}
	if (atomic_load(&w->srv->draining)) {
		reply_text(w, req, 503, "shutting down\n", NULL);
		return 503;
	}
	if (!lis_reloader_serving(w->srv->reloader)) {
		reply_text(w, req, 503, "wiremap not loaded\n", NULL);
		return 503;
	}
	reply_text(w, req, 200, "ok\n", NULL);
	return 200;
}

static int serve_metrics(lis_worker_t *w, struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		reply_text(w, req, 405, "use GET\n", "GET, HEAD");
		return 405;
	}
	lis_ixref_t *ref = lis_reloader_acquire(w->srv->reloader);
	held_buf_reset(&w->out);
	int rc = lis_metrics_render(&w->out, ref ? ref->ix : NULL);
	lis_ixref_release(ref);
	if (rc == 0 && w->srv->events)
		rc = lis_events_metrics(w->srv->events, &w->out);
	if (rc) {
		reply_text(w, req, 500, "out of memory\n", NULL);
		return 500;
	}
	reply(w, req, 200, METRICS_CTYPE, w->out.p, w->out.len, NULL);
	return 200;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	lis_front_t *f = arg;
	lis_worker_t *w = f->w;
	uint64_t t0 = lis_now_usec();
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	lis_client_t client = {0};
	lis_outcome_t oc;
	lis_deref_out_t dr;
	bool held = false, deref = false;
	char peer[64], logpath[48];
	int status;

	memset(&oc, 0, sizeof oc);
	memset(&dr, 0, sizeof dr);
	w->inflight++;
	evhttp_request_set_on_complete_cb(req, on_complete, w);
	peer_of(req, &client, peer, sizeof peer);
	client.now = time(NULL);
	if (!path || !*path)
		path = "/";

	if (strcmp(path, "/held") == 0) {
		held = true;
		status = serve_held(w, req, NULL, 0, &client, peer, &oc);
	} else if (strncmp(path, "/held/", 6) == 0 && path[6] && !strchr(path + 6, '/')) {
		held = true;
		status = serve_held(w, req, path + 6, strlen(path + 6), &client, peer, &oc);
	} else if (strcmp(path, "/healthz") == 0) {
		status = serve_healthz(w, req);
	} else if (strcmp(path, "/metrics") == 0) {
		status = serve_metrics(w, req);
	} else if (strncmp(path, "/loc/", 5) == 0) {
		status = serve_loc(f, req, path + 5, peer, &client, &dr);
		deref = true;
		/* Never log a token: /loc/ and a short hash of it. */
		snprintf(logpath, sizeof logpath, "/loc/{sha256:%s}",
		         dr.token_hash[0] ? dr.token_hash : "-");
		path = logpath;
	} else {
		reply_text(w, req, 404, "not found\n", NULL);
		status = 404;
	}
	bool counted = (held && oc.status != 0) || deref; /* lis_metrics_held/deref saw it */
	if (status >= 400 && !counted && strcmp(path, "/healthz") != 0)
		lis_metrics_http_error(status);

	lis_access_t a = {
	    .peer = peer,
	    .method = method_name(evhttp_request_get_command(req)),
	    .path = path,
	    .oc = deref             ? &dr.oc
	          : held && counted ? &oc
	                            : NULL,
	    .status = status,
	    .usec = lis_now_usec() - t0,
	};
	lis_log_access(&a);
}

/* ---------------- the worker loop ---------------------------------------- */

static void on_drain(evutil_socket_t fd, short what, void *arg)
{
	lis_worker_t *w = arg;
	if (w->inflight == 0 || lis_now_usec() >= w->drain_deadline)
		event_base_loopbreak(w->base);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	lis_worker_t *w = arg;
	const lis_config_t *cfg = w->srv->cfg;

	/* Stop accepting; the listening fds stay open (the server owns them). */
	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (!w->bound[i])
			continue;
		size_t fi = 0;
		if (cfg->listen[i].tls)
			for (fi = 0; fi < w->n_fronts && w->fronts[fi].ctx != w->srv->ctxs[i]; fi++)
				;
		evhttp_del_accept_socket(w->fronts[fi].http, w->bound[i]);
		w->bound[i] = NULL;
	}
	w->drain_deadline = lis_now_usec() + DRAIN_MAX_USEC;
	struct timeval tv = {0, 20000};
	event_add(w->drain_ev, &tv);
}

/* How long the listeners rest after accept() ran out of descriptors. */
#define ACCEPT_PAUSE_MSEC 100

/* The worker whose event loop runs on this thread (listener callbacks carry
 * the evhttp, not the worker). */
static __thread lis_worker_t *tl_worker;

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	lis_worker_t *w = arg;
	for (size_t i = 0; i < w->srv->cfg->n_listen; i++) /* NULL once draining */
		if (w->bound[i])
			evconnlistener_enable(evhttp_bound_socket_get_listener(w->bound[i]));
}

/*
 * accept() failed for a reason other than "try again". Out of descriptors
 * (EMFILE, ENFILE) or memory, the pending connection stays in the backlog and
 * the listening socket stays readable: without a pause libevent would call
 * accept() again at once, forever, at 100% CPU. The listener rests
 * ACCEPT_PAUSE_MSEC, so open connections keep being served and the backlog
 * is taken up as soon as descriptors are free again.
 */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	(void)arg;
	int e = EVUTIL_SOCKET_ERROR();
	lis_worker_t *w = tl_worker;
	static _Atomic uint64_t last_warn;
	uint64_t now = lis_now_usec(), prev = atomic_load(&last_warn);
	if (now - prev >= 10000000u && atomic_compare_exchange_strong(&last_warn, &prev, now))
		lis_log(LIS_LOG_WARN,
		        "accept: %s: not accepting for %d ms (see limits.max_connections and the "
		        "open files limit)",
		        strerror(e), ACCEPT_PAUSE_MSEC);
	lis_metrics_accept_error();
	if (!w)
		return;
	struct timeval tv = {0, ACCEPT_PAUSE_MSEC * 1000};
	evconnlistener_disable(lev);
	event_add(w->resume_ev, &tv);
}

int lis_worker_init(lis_worker_t *w, lis_server_t *s, unsigned id, char *err, size_t errlen)
{
	const lis_config_t *cfg = s->cfg;
	struct timeval tmo = {cfg->request_timeout_ms / 1000,
	                      (cfg->request_timeout_ms % 1000) * 1000};
	bool any_plain = false;

	memset(w, 0, sizeof *w);
	w->srv = s;
	w->id = id;
	held_buf_init(&w->out);
	if (!(w->base = event_base_new())) {
		snprintf(err, errlen, "cannot create an event loop");
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->n_listen; i++)
		any_plain |= !cfg->listen[i].tls;
	w->fronts = calloc(cfg->n_listen + 1, sizeof *w->fronts);
	w->bound = calloc(cfg->n_listen + 1, sizeof *w->bound);
	if (!w->fronts || !w->bound)
		abort();
	/* front 0: every plain listener; then one per TLS listener (its own cert). */
	if (any_plain)
		w->fronts[w->n_fronts++].ctx = NULL;
	for (size_t i = 0; i < cfg->n_listen; i++)
		if (cfg->listen[i].tls)
			w->fronts[w->n_fronts++].ctx = s->ctxs[i];
	for (size_t i = 0; i < w->n_fronts; i++) {
		lis_front_t *f = &w->fronts[i];
		f->w = w;
		if (!(f->http = evhttp_new(w->base))) {
			snprintf(err, errlen, "cannot create an HTTP server");
			return -ENOMEM;
		}
		evhttp_set_gencb(f->http, on_request, f);
		evhttp_set_bevcb(f->http, on_bev, f);
		evhttp_set_max_body_size(f->http, (ev_ssize_t)cfg->max_body);
		evhttp_set_max_headers_size(f->http, 16384);
		evhttp_set_timeout_tv(f->http, &tmo);
		evhttp_set_allowed_methods(
		    f->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
		                 EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
		                 EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
		evhttp_set_default_content_type(f->http, TEXT_CTYPE);
	}
	for (size_t i = 0; i < cfg->n_listen; i++) {
		size_t fi = 0;
		if (cfg->listen[i].tls)
			for (fi = 0; fi < w->n_fronts && w->fronts[fi].ctx != s->ctxs[i]; fi++)
				;
		/* backlog 0: the socket already listens; shared by every worker. */
		struct evconnlistener *lev =
		    evconnlistener_new(w->base, NULL, NULL, LEV_OPT_REUSEABLE, 0, s->fds[i]);
		if (!lev || !(w->bound[i] = evhttp_bind_listener(w->fronts[fi].http, lev))) {
			if (lev)
				evconnlistener_free(lev);
			snprintf(err, errlen, "listen %s: cannot attach to the event loop",
			         cfg->listen[i].addr);
			return -ENOMEM;
		}
		evconnlistener_set_error_cb(lev, on_accept_error);
	}
	w->stop_ev = event_new(w->base, -1, 0, on_stop, w);
	w->drain_ev = event_new(w->base, -1, EV_PERSIST, on_drain, w);
	w->fixup_ev = event_new(w->base, -1, 0, on_fixup, w);
	w->resume_ev = event_new(w->base, -1, 0, on_accept_resume, w);
	if (!w->stop_ev || !w->drain_ev || !w->fixup_ev || !w->resume_ev) {
		snprintf(err, errlen, "cannot create events");
		return -ENOMEM;
	}
	return 0;
}

void *lis_worker_main(void *arg)
{
	lis_worker_t *w = arg;
	tl_worker = w;
	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

void lis_worker_deinit(lis_worker_t *w)
{
	if (!w->base)
		return;
	flush_pending(w);
	for (size_t i = 0; i < w->n_fronts; i++)
		if (w->fronts[i].http)
			evhttp_free(w->fronts[i].http); /* closes connections and listeners */
	flush_pending(w);
	if (w->stop_ev)
		event_free(w->stop_ev);
	if (w->drain_ev)
		event_free(w->drain_ev);
	if (w->fixup_ev)
		event_free(w->fixup_ev);
	if (w->resume_ev)
		event_free(w->resume_ev);
	event_base_free(w->base);
	free(w->fronts);
	free(w->bound);
	held_buf_deinit(&w->out);
	memset(w, 0, sizeof *w);
}
