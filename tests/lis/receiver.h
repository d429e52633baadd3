/*
 * A real webhook receiver for the events tests (header-only test code): an
 * evhttp server (plain or TLS) on 127.0.0.1:port in its own thread that records the event
 * id, path and body of every POST it acknowledges with 200, and can answer
 * 500 to the first N requests. No Criterion assertion runs in its thread.
 */
#ifndef OPENLIS_TEST_RECEIVER_H
#define OPENLIS_TEST_RECEIVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

typedef struct {
	char *id, *path, *body, *attempt;
} rcv_msg_t;

typedef struct {
	int port;
	pthread_t th;
	struct event_base *base;
	struct evhttp *http;
	struct event *poll_ev;
	SSL_CTX *tls; /* https receiver (rcv_start_tls), else NULL */
	atomic_bool stop;
	atomic_int fail_first; /* answer 500 to this many requests first */
	atomic_int requests;   /* every request seen */
	pthread_mutex_t mu;
	rcv_msg_t *msgs; /* acknowledged with 200 */
	size_t n, cap;
} rcv_t;

static inline char *rcv_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static inline void rcv_cb(struct evhttp_request *req, void *arg)
{
	rcv_t *r = arg;
	atomic_fetch_add(&r->requests, 1);
	if (atomic_load(&r->fail_first) > 0) {
		atomic_fetch_sub(&r->fail_first, 1);
		evhttp_send_reply(req, 500, "Internal Server Error", NULL);
		return;
	}
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *id = evhttp_find_header(h, "X-Openlis-Event-Id");
	const char *att = evhttp_find_header(h, "X-Openlis-Attempt");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = (const char *)evbuffer_pullup(in, -1);
	rcv_msg_t m = {rcv_dup(id ? id : "", strlen(id ? id : "")),
	               rcv_dup(evhttp_request_get_uri(req), strlen(evhttp_request_get_uri(req))),
	               rcv_dup(body ? body : "", body ? len : 0),
	               rcv_dup(att ? att : "", strlen(att ? att : ""))};
	pthread_mutex_lock(&r->mu);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->msgs = realloc(r->msgs, r->cap * sizeof *r->msgs);
		if (!r->msgs)
			abort();
	}
	r->msgs[r->n++] = m;
	pthread_mutex_unlock(&r->mu);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static inline void rcv_poll(evutil_socket_t fd, short what, void *arg)
{
	rcv_t *r = arg;
	(void)fd;
	(void)what;
	if (atomic_load(&r->stop))
		event_base_loopbreak(r->base);
}

static inline void *rcv_main(void *arg)
{
	rcv_t *r = arg;
	event_base_loop(r->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static inline struct bufferevent *rcv_bev(struct event_base *base, void *arg)
{
	rcv_t *r = arg;
	SSL *ssl = SSL_new(r->tls);
	return ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	                                            BEV_OPT_CLOSE_ON_FREE)
	           : NULL;
}

static inline int rcv_listen(rcv_t *r, int port, int fail_first, SSL_CTX *tls)
{
	memset(r, 0, sizeof *r);
	r->port = port;
	r->tls = tls;
	pthread_mutex_init(&r->mu, NULL);
	atomic_init(&r->fail_first, fail_first);
	r->base = event_base_new();
	r->http = r->base ? evhttp_new(r->base) : NULL;
	if (!r->http)
		return -1;
	evhttp_set_gencb(r->http, rcv_cb, r);
	if (tls)
		evhttp_set_bevcb(r->http, rcv_bev, r);
	for (int i = 0; i < 50; i++) { /* the port may be in TIME_WAIT briefly */
		if (evhttp_bind_socket(r->http, "127.0.0.1", (unsigned short)port) == 0)
			goto bound;
		usleep(100000);
	}
	return -1;
bound:;
	struct timeval tv = {0, 20000};
	r->poll_ev = event_new(r->base, -1, EV_PERSIST, rcv_poll, r);
	event_add(r->poll_ev, &tv);
	return pthread_create(&r->th, NULL, rcv_main, r) ? -1 : 0;
}

/* Starts listening on 127.0.0.1:port (bound before it returns); 0 or -1. */
static inline int rcv_start(rcv_t *r, int port, int fail_first)
{
	return rcv_listen(r, port, fail_first, NULL);
}

/* The same over TLS, with the certificate chain cert_pem and its key. */
static inline int rcv_start_tls(rcv_t *r, int port, const char *cert_pem, const char *key_pem)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert_pem) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_pem, SSL_FILETYPE_PEM) != 1) {
		SSL_CTX_free(ctx);
		return -1;
	}
	return rcv_listen(r, port, 0, ctx);
}

/* Stops listening; the messages stay readable until rcv_free. */
static inline void rcv_stop(rcv_t *r)
{
	if (!r->base)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->th, NULL);
	event_free(r->poll_ev);
	evhttp_free(r->http);
	event_base_free(r->base);
	SSL_CTX_free(r->tls);
	r->tls = NULL;
	r->base = NULL;
}

static inline void rcv_free(rcv_t *r)
{
	rcv_stop(r);
	for (size_t i = 0; i < r->n; i++) {
		free(r->msgs[i].id);
		free(r->msgs[i].path);
		free(r->msgs[i].body);
		free(r->msgs[i].attempt);
	}
	free(r->msgs);
	pthread_mutex_destroy(&r->mu);
	memset(r, 0, sizeof *r);
}

static inline size_t rcv_count(rcv_t *r)
{
	pthread_mutex_lock(&r->mu);
	size_t n = r->n;
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* How many acknowledged messages carry event id `id`. */
static inline size_t rcv_count_id(rcv_t *r, const char *id)
{
	size_t c = 0;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->n; i++)
		c += strcmp(r->msgs[i].id, id) == 0;
	pthread_mutex_unlock(&r->mu);
	return c;
}

/* Waits until at least n messages were acknowledged (or timeout_ms). */
static inline bool rcv_wait(rcv_t *r, size_t n, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 20) {
		if (rcv_count(r) >= n)
			return true;
		usleep(20000);
	}
	return rcv_count(r) >= n;
}

#endif
