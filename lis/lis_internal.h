/*
 * Helpers shared inside lis/ only.
 */
#ifndef OPENLIS_LIS_INTERNAL_H
#define OPENLIS_LIS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <lmdb.h>
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

/* ---------------- location by reference (handler.c, deref.c) ------------ */

/** A tenant's dereference access control, loaded at start-up. */
typedef struct {
	const lis_tenant_cfg_t *cfg; /**< into the config (outlives the handler) */
	uint8_t *secret;             /**< bearer secret, trimmed; NULL unless bearer */
	size_t secret_len;
	X509_STORE *store; /**< client_ca for mtls, else NULL */
} lis_tenant_rt_t;

struct lis_refs {
	bool can_uri; /**< key and public_url: /held may issue URIs */
	bool has_key; /**< token.key_file loaded: /loc/ can open tokens */
	lis_token_key_t key;
	char base[512];      /**< public_url without a trailing '/' */
	unsigned lifetime_s; /**< token.lifetime */
	lis_tenant_rt_t *tenants;
	size_t n_tenants;
	bool any_bearer, any_mtls;
};

/** The runtime settings of a tenant id, or NULL (possession, default numbers). */
const lis_tenant_rt_t *lis_refs_tenant(const struct lis_refs *r, const char *id);

/** Random urn:uuid (v4) into out[46]. */
void lis_uuid_urn(char out[46]);
/** "pres:RANDOM@host" into out. */
void lis_presence_entity(const lis_handler_t *h, char *out, size_t outlen);

/** True for application/held+xml, application/xml, text/xml (parameters ignored). */
bool lis_held_media_type_ok(const char *ct);

/** Lets an https listener ask for (not require) a client certificate, checked per tenant. */
void lis_tls_request_client_cert(SSL_CTX *ctx);

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
	struct event *resume_ev;            /**< accepts again after EMFILE (http.c) */
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
	lis_events_t *events; /**< event sinks (lis_events_open at start-up) */
};

/** Sets up a worker's event base, evhttps and listeners (control thread). */
int lis_worker_init(lis_worker_t *w, lis_server_t *s, unsigned id, char *err, size_t errlen);
void lis_worker_deinit(lis_worker_t *w);
/** Worker thread body: runs the loop until drained. */
void *lis_worker_main(void *arg);

/* ================= events internals (events.c, outbox.c, webhook.c) ===== */

/** Longest event body and webhook URL the outbox accepts (bytes). */
#define LIS_EVENT_BODY_MAX 16384
#define LIS_EVENT_URL_MAX 2048
/** Webhook requests in flight at once. */
#define LIS_WEBHOOK_INFLIGHT 8
/** Seconds a webhook request may take before it counts as failed. */
#define LIS_WEBHOOK_TIMEOUT_S 10
/** unknown_location de-duplication keys kept at most (oldest evicted). */
#define LIS_DEDUP_MAX_KEYS 100000

/** Counters shared by the emit path and the delivery thread. */
typedef struct {
	atomic_uint_fast64_t by_type[LIS_EV_TYPE_COUNT];
	atomic_uint_fast64_t suppressed; /**< unknown_location repeats counted, not emitted */
	atomic_uint_fast64_t delivered;  /**< webhook answered 2xx */
	atomic_uint_fast64_t retry;      /**< failed attempts, rescheduled */
	atomic_uint_fast64_t dropped;    /**< evicted from or refused by a full outbox */
	atomic_uint_fast64_t lost;       /**< events no sink could record */
} lis_ev_counters_t;

/**
 * Writes the JSON line of one event (SPEC §4.5) into b, '\n' included.
 * id is the event's UUID, count the de-dup count (1 when not de-duplicated),
 * now_ms the wall clock in unix milliseconds (ts). 0 or -ENOMEM.
 */
int lis_event_json(held_buf_t *b, const lis_event_t *e, const char *id, unsigned count,
                   uint64_t now_ms);
/** One-line dispatchable address from a merged civic ("" when none) into out. */
void lis_event_address(const wm_location_t *loc, char *out, size_t outlen);
/** A random (v4) UUID, lower case, into out[37]. */
void lis_uuid_v4(char out[37]);
/** Wall clock, unix milliseconds. */
uint64_t lis_wall_ms(void);
/**
 * Webhook URL for an event: the building's hook when the tenant configures
 * one for `building`, else the tenant's webhook, else events.webhook; NULL
 * when none. Valid while cfg lives.
 */
const char *lis_events_route(const lis_config_t *cfg, const char *tenant, const char *building);

/* ---- outbox (outbox.c): the durable LMDB queue of webhook deliveries ---- */

typedef struct lis_outbox lis_outbox_t;

/** One queued delivery as read from the outbox; pointers valid during the callback. */
typedef struct {
	uint64_t seq;      /**< FIFO order, never reused */
	char id[37];       /**< event id (UUID) */
	uint8_t type;      /**< lis_event_type_t */
	uint32_t attempts; /**< failed attempts so far */
	uint64_t next_ms;  /**< next attempt, unix milliseconds */
	const char *url;   /**< NUL-terminated */
	const char *body;  /**< body_len bytes */
	size_t body_len;
} lis_outbox_entry_t;

/**
 * Opens (creating, mode 0700) the outbox environment in dir, bounded to
 * max_entries (0 = 100000). Caller frees with lis_outbox_close. Thread-safe.
 */
int lis_outbox_open(const char *dir, size_t max_entries, lis_outbox_t **out, char *err,
                    size_t errlen);
void lis_outbox_close(lis_outbox_t *ob);
/**
 * Commits one entry (synchronously, default LMDB durability), due at now_ms.
 * When the outbox is full, the oldest unknown_location entry is deleted
 * first (*dropped = 1); with none, returns LIS_EFULL and stores nothing.
 */
int lis_outbox_put(lis_outbox_t *ob, const char *id, lis_event_type_t type, const char *url,
                   const char *body, size_t len, uint64_t now_ms, unsigned *dropped);
/**
 * Calls fn for every entry due at now_ms (next_ms <= now_ms), in order of
 * (next_ms, seq); fn returns nonzero to stop. One read transaction.
 */
int lis_outbox_scan_due(lis_outbox_t *ob, uint64_t now_ms,
                        int (*fn)(void *arg, const lis_outbox_entry_t *e), void *arg);
/** Deletes entry seq when it still holds event id: 1 deleted, 0 not there, or error. */
int lis_outbox_delete(lis_outbox_t *ob, uint64_t seq, const char *id);
/** Records a failed attempt: attempts and next_ms of entry seq. 1, 0 not there, or error. */
int lis_outbox_reschedule(lis_outbox_t *ob, uint64_t seq, const char *id, uint32_t attempts,
                          uint64_t next_ms);
/**
 * Makes every entry due at now_ms (a restart: owed alerts go out at once
 * instead of waiting out a back-off the previous run chose). Attempt
 * counts are kept. One write transaction; returns the entries moved, or
 * error.
 */
int lis_outbox_due_now(lis_outbox_t *ob, uint64_t now_ms);
/** Entries held (as of the last commit). */
size_t lis_outbox_depth(lis_outbox_t *ob);
/** Earliest next_ms, or UINT64_MAX when empty. */
uint64_t lis_outbox_next_due(lis_outbox_t *ob);

/* ---- webhook delivery (webhook.c): one thread, its own event_base ---- */

typedef struct lis_webhook lis_webhook_t;

/**
 * How often the delivery thread looks for due retries (default 250 ms),
 * read by lis_webhook_new. Only tests change it: with an hour, a backlog
 * must still drain, which proves deliveries refill their own slots.
 */
extern unsigned lis_webhook_tick_ms;

/**
 * Delivery of what ob holds; back-off 1 s doubling up to retry_max_s (with
 * jitter). ob and ctr must outlive it. Caller frees with lis_webhook_free.
 */
int lis_webhook_new(lis_outbox_t *ob, lis_ev_counters_t *ctr, unsigned retry_max_s,
                    lis_webhook_t **out, char *err, size_t errlen);
/** Starts the thread. */
int lis_webhook_start(lis_webhook_t *wh);
/** Asks the thread to look at the outbox now (after a put). Any thread. */
void lis_webhook_wake(lis_webhook_t *wh);
/** Stops the thread (requests in flight are abandoned, entries kept) and frees. */
void lis_webhook_free(lis_webhook_t *wh);
/** Back-off before attempt attempts+1 (ms): 1 s * 2^(attempts-1), capped, jittered. */
uint64_t lis_webhook_backoff_ms(uint32_t attempts, unsigned retry_max_s);

/* ================= end of events internals ============================== */

/* ---- nomadic users (nomadic.c; SPEC §4.2 step 6, §4.4) ---------------- */

/** Bytes of an entry key (SHA-256); a location URI names it as 64 hex digits. */
#define LIS_NOMADIC_KEY 32
/** Longest tenant id an entry can carry. */
#define LIS_NOMADIC_TENANT_MAX 255
/** Location id prefix of a nomadic answer's location URI token. */
#define LIS_NOMADIC_ID_PREFIX "nomadic:"

/** The entry key of (tenant, user, network). */
void lis_nomadic_key(const char *tenant, const char *user, const wm_mac_t *net,
                     uint8_t key[LIS_NOMADIC_KEY]);
/**
 * Opens (creating, mode 0700) the store in dir, bounded to max_entries
 * (0 = 100000); entries live ttl_s seconds after they were given (0 = 90
 * days). Caller frees with lis_nomadic_close. Thread-safe.
 */
int lis_nomadic_open(const char *dir, size_t max_entries, unsigned ttl_s, lis_nomadic_t **out,
                     char *err, size_t errlen);
void lis_nomadic_close(lis_nomadic_t *nm);
/**
 * Remembers c for (tenant, user, net), replacing what was there, in one
 * synchronous write transaction. LIS_EFULL when max_entries live entries are
 * held (expired ones are purged first); nothing is evicted.
 */
int lis_nomadic_put(lis_nomadic_t *nm, const char *tenant, const char *user, const wm_mac_t *net,
                    const held_civic_t *c, time_t now);
/**
 * 1 and *out when (tenant, user, net) has a live entry, 0 when none, or
 * error. *given (may be NULL) is when the user gave the address.
 */
int lis_nomadic_get(lis_nomadic_t *nm, const char *tenant, const char *user, const wm_mac_t *net,
                    time_t now, held_civic_t *out, time_t *given);
/** Same by entry key; the record's tenant must be `tenant`. NULL nm: 0. */
int lis_nomadic_get_key(lis_nomadic_t *nm, const uint8_t key[LIS_NOMADIC_KEY], const char *tenant,
                        time_t now, held_civic_t *out, time_t *given);
/** A wm_location_t whose civic points into c (valid while c lives), id as given. */
void lis_nomadic_location(const held_civic_t *c, const char *id, wm_location_t *loc);

/**
 * The serialized form of a civic address shared by nomadic store records
 * and format 2 tokens (civic_pack.c): u8 count (1..WM_CA_COUNT), then count
 * x (u8 wm_ca_key_t, u16 LE length >= 1, value without NUL). Writes at most
 * cap bytes; returns the length, or 0 when c is empty or does not fit.
 */
size_t lis_civic_pack(const held_civic_t *c, uint8_t *out, size_t cap);
/** Strict inverse: exactly n bytes of one packed address, else false. */
bool lis_civic_unpack(const uint8_t *p, size_t n, held_civic_t *out);

/**
 * The location a nomadic token leads to (deref_nomadic.c; SPEC §4.2 step
 * 6): this node's live store entry the token names when the user gave it
 * at or after the token's embedded address, else the embedded address, else
 * NULL. loc->civic points into civ or into cl (both must outlive loc).
 */
const wm_location_t *lis_deref_nomadic_loc(const lis_handler_t *h, const lis_token_claims_t *cl,
                                           const wm_tenant_t *t, time_t now, held_civic_t *civ,
                                           wm_location_t *loc);

/* ---------------- reused OpenSSL objects (crypto_cache.c) ---------------- */

/** SHA-256, fetched once per process. */
const EVP_MD *lis_sha256(void);
/**
 * This thread's AES-256-GCM context for key, one per direction, ready for
 * the AAD and data of one message under iv (12 bytes). The key schedule is
 * kept between calls with the same key. Owned by the thread: never freed
 * by the caller, never shared. NULL on failure.
 */
EVP_CIPHER_CTX *lis_gcm_ctx(const uint8_t key[32], bool encrypt, const uint8_t iv[12]);

/* ---------------- lisd's own LMDB environments (lmdb_env.c) -------------- */

typedef struct {
	const char *what; /**< "events outbox": names it in messages */
	const char *dir;  /**< created (0700) when missing */
	size_t map_size;
	const char *const *names; /**< NULL-terminated; names[0] is the "meta" database */
	uint32_t format;          /**< the "format" record in meta */
	const char *on_new;       /**< appended to the "another version" message, or NULL */
} lis_lmdb_spec_t;

/**
 * Opens (creating) an environment of lisd's own: s->names into dbis, the
 * format checked or written. 0, LIS_EVERSION, or an error with err filled.
 */
int lis_lmdb_open(const lis_lmdb_spec_t *s, MDB_env **env, MDB_dbi *dbis, char *err, size_t errlen);
void lis_put_le(uint8_t *o, uint64_t v, int n);
uint64_t lis_get_le(const uint8_t *o, int n);

#endif
