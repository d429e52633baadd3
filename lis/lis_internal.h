/*
 * Helpers shared inside lis/ only.
 */
#ifndef OPENLIS_LIS_INTERNAL_H
#define OPENLIS_LIS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/ssl.h>

#include "lis/lis.h"

struct event_base;
struct event;
struct evhttp;
struct evhttp_bound_socket;

/** Monotonic microseconds. */
uint64_t lis_now_usec(void);
/** Cryptographically random bytes (OpenSSL); aborts when none are available. */
void lis_random_bytes(void *p, size_t n);
/** Copies up to len bytes, control characters/quotes/backslashes become '?'. */
void lis_copy_clean(char *dst, size_t dstlen, const char *src, size_t len);

/** Leading decimal digits of s (at least one) -> *v, *used. 0 or LIS_EDATA on none/overflow. */
int lis_parse_u64(const char *s, size_t len, size_t *used, uint64_t *v);
/** printf-append into a held_buf_t (grows it). 0 or -ENOMEM. */
int lis_buf_printf(held_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** "2026-11-23T14:08:03.123Z" (UTC, milliseconds) into out[32]. */
void lis_log_time(char out[32]);
/** Current log level and format (set by lis_log_setup). */
lis_log_level_t lis_log_level(void);
lis_log_format_t lis_log_format_get(void);
/** Escapes s as a JSON string body into out; returns the length. */
size_t lis_json_escape(char *out, size_t outlen, const char *s);

/* ---------------- index lifecycle (reload.c) ----------------------------- */

/** A reference-counted index: requests hold one for as long as they run. */
typedef struct lis_ixref {
	wm_index_t *ix;
	atomic_uint refs;
} lis_ixref_t;

typedef struct lis_reloader lis_reloader_t;

/** Creates the reloader for db (store opened now when present). Caller frees. */
lis_reloader_t *lis_reloader_new(const char *db);
void lis_reloader_free(lis_reloader_t *r);
/** Takes a reference to the current index, or NULL when none is loaded. */
lis_ixref_t *lis_reloader_acquire(lis_reloader_t *r);
/** Drops a reference; the last one frees the index. NULL is a no-op. */
void lis_ixref_release(lis_ixref_t *ref);
/**
 * Called every second and on SIGHUP (force): opens the store when missing,
 * starts a background rebuild when the generation moved (or forced), and
 * reaps a finished rebuild. Control thread only.
 */
void lis_reloader_tick(lis_reloader_t *r, bool force);
/** Waits for a rebuild in progress (shutdown). */
void lis_reloader_join(lis_reloader_t *r);
/** True when an index with at least one tenant is being served. */
bool lis_reloader_serving(lis_reloader_t *r);

/* ---------------- TLS (tls.c) -------------------------------------------- */

/** Server SSL_CTX for an https listener: TLS >= 1.2, strong suites, optional mTLS. */
SSL_CTX *lis_tls_ctx_new(const lis_listen_t *l, char *err, size_t errlen);

/* ---------------- HTTP shell (http.c) ------------------------------------ */

typedef struct lis_server lis_server_t;
typedef struct lis_worker lis_worker_t;

/** One evhttp of a worker: all plain listeners, or one TLS listener. */
typedef struct {
	lis_worker_t *w;
	SSL_CTX *ctx; /**< NULL for plain HTTP */
	struct evhttp *http;
} lis_front_t;

#define LIS_PENDING_MAX 256

struct lis_worker {
	lis_server_t *srv;
	unsigned id;
	pthread_t thread;
	struct event_base *base;
	lis_front_t *fronts;
	size_t n_fronts;
	struct evhttp_bound_socket **bound; /**< per listening fd */
	struct event *stop_ev;              /**< activated by the control thread */
	struct event *drain_ev;             /**< polls in-flight requests while draining */
	struct event *fixup_ev;             /**< attaches close callbacks to new connections */
	struct bufferevent *pending[LIS_PENDING_MAX];
	size_t n_pending;
	unsigned inflight;
	uint64_t drain_deadline;
	held_buf_t out;
};

struct lis_server {
	const lis_config_t *cfg;
	lis_handler_t handler;
	lis_reloader_t *reloader;
	int *fds;       /**< listening sockets, per cfg->listen */
	SSL_CTX **ctxs; /**< per cfg->listen, NULL for http */
	lis_worker_t *workers;
	size_t n_workers;
	struct event_base *ctl;
	atomic_bool draining;
};

/** Sets up a worker's event base, evhttps and listeners (control thread). */
int lis_worker_init(lis_worker_t *w, lis_server_t *s, unsigned id, char *err, size_t errlen);
void lis_worker_deinit(lis_worker_t *w);
/** Worker thread body: runs the loop until drained. */
void *lis_worker_main(void *arg);

#endif
