/*
 * lis — the lisd daemon: configuration, the socket-free HELD handler, the
 * evhttp/TLS server shell around it, index lifecycle, metrics and logging.
 *
 * The HELD core (lis_held_handle) is pure: bytes and a client context in,
 * an HTTP status and a HELD document out. Unit tests and fuzzers drive it
 * directly; the HTTP server is a thin shell around it.
 *
 * Thread-safety: a lis_config_t and a lis_handler_t are read-only once set
 * up and may be shared by any number of threads. lis_held_handle() is
 * re-entrant (call proto_global_init() once first). Metrics and logging
 * functions are thread-safe.
 */
#ifndef OPENLIS_LIS_H
#define OPENLIS_LIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <sys/socket.h>

#include "proto/proto.h"
#include "wiremap/wiremap.h"

/* ------------------------------------------------------------------ */
/* Configuration (lisd.yaml, SPEC §4.6)                                */
/* ------------------------------------------------------------------ */

typedef enum { LIS_LOG_DEBUG = 0, LIS_LOG_INFO, LIS_LOG_WARN, LIS_LOG_ERROR } lis_log_level_t;
typedef enum { LIS_LOG_TEXT = 0, LIS_LOG_JSON } lis_log_format_t;

/** One listener: `{http: ADDR:PORT}` or `{https: ADDR:PORT, cert, key, client_ca?}`. */
typedef struct {
	bool tls;
	char addr[64];              /**< as written, e.g. "[::1]:8443" */
	struct sockaddr_storage sa; /**< parsed address */
	socklen_t salen;
	char *cert, *key, *client_ca; /**< https only; client_ca NULL = no mTLS */
	unsigned line;                /**< config line (0 = command line) */
} lis_listen_t;

/** The whole configuration. Strings are owned (lis_config_deinit frees). */
typedef struct {
	char *file; /**< config file read, or NULL */
	lis_listen_t *listen;
	size_t n_listen;
	char *db;
	char *public_url;        /**< NULL when not configured */
	char *token_key_file;    /**< NULL when not configured */
	unsigned token_key_line; /**< its config line, for messages */
	unsigned token_lifetime_s;
	char *events_file;    /**< NULL when not configured */
	char *events_webhook; /**< NULL when not configured */
	uint64_t max_body;
	unsigned request_timeout_ms;
	unsigned max_connections;
	unsigned log_level;  /**< lis_log_level_t */
	unsigned log_format; /**< lis_log_format_t */
	unsigned workers;
	unsigned retention_s;

	/* events (SPEC §4.5; issue #3) */
	char *events_outbox;          /**< outbox LMDB dir; default "<db>-events" */
	unsigned events_dedup_s;      /**< unknown_location de-duplication window; default 10m */
	unsigned events_outbox_max;   /**< outbox bound (events); default 100000 */
	unsigned events_retry_max_s;  /**< longest webhook back-off; default 5m */

	/* nomadic users (SPEC §4.2 step 6) */
	char *nomadic_store;          /**< LMDB dir; default "<db>-nomadic" */
	unsigned nomadic_ttl_s;       /**< how long a given address is remembered; default 90d */
	unsigned nomadic_max;         /**< entries at most; default 100000 */

	/* per-tenant settings (the `tenants:` list of lisd.yaml) */
	struct lis_tenant_cfg *tenants;
	size_t n_tenants;

	/* privileges (issue #5): dropped after binding and opening every file */
	char *user;  /**< run as this user after start-up, or NULL (stay as started) */
	char *group; /**< its group instead of the user's primary group, or NULL */
} lis_config_t;

/** How a tenant's location URIs may be dereferenced (RFC 5808 §4.1). */
typedef enum {
	LIS_DEREF_POSSESSION = 0, /**< holding the URI is the authorisation (default) */
	LIS_DEREF_BEARER,         /**< plus "Authorization: Bearer <tenant secret>" */
	LIS_DEREF_MTLS,           /**< plus a client certificate chained to client_ca */
} lis_deref_auth_t;

/** A webhook for one building of a tenant. */
typedef struct {
	char *building;
	char *url;
} lis_building_hook_t;

/**
 * `tenants:` entry of lisd.yaml: id, deref {auth, secret_file, client_ca},
 * emergency_numbers (default [911]), test_numbers (default [933]), webhook,
 * buildings {BUILDING-ID: URL}. Strings owned by the config.
 */
typedef struct lis_tenant_cfg {
	char *id;
	unsigned line;
	lis_deref_auth_t deref_auth;
	char *secret_file;   /**< bearer secret (read at start; never logged) */
	char *client_ca;     /**< mTLS CA bundle for this tenant's dereferences */
	char **emergency;    /**< dialled numbers that are emergency calls */
	size_t n_emergency;
	char **test;         /**< dialled numbers that are test calls */
	size_t n_test;
	char *webhook;       /**< tenant webhook (overrides events.webhook) */
	lis_building_hook_t *building_hooks;
	size_t n_building_hooks;
} lis_tenant_cfg_t;

/** The tenant's settings, or NULL when lisd.yaml has none for it. */
const lis_tenant_cfg_t *lis_config_tenant(const lis_config_t *c, const char *id);

/**
 * Derives defaults that depend on other keys once every source is merged
 * (events.outbox = "<db>-events"). Call before lis_config_check.
 */
void lis_config_finish(lis_config_t *c);

/** Sets every key to its default (no listeners, no db). */
void lis_config_init(lis_config_t *c);
/** Frees what the config owns; leaves it re-initialised. */
void lis_config_deinit(lis_config_t *c);

/**
 * Reads a lisd.yaml file over the current values. Every problem is added to
 * `diag` as "FILE:LINE: key: reason"; returns LIS_ECONFIG when any, else 0.
 */
int lis_config_load(lis_config_t *c, const char *path, wm_diag_t *diag);
/** Same, from text in memory; `name` is used as FILE in messages. */
int lis_config_load_string(lis_config_t *c, const char *name, const char *text, size_t len,
                           wm_diag_t *diag);
/**
 * Adds a plain-HTTP listener from a command-line "ADDR:PORT" (IPv6 as
 * "[::1]:8080"). Returns 0 or LIS_ECONFIG (reason in diag).
 */
int lis_config_add_listen(lis_config_t *c, const char *spec, wm_diag_t *diag);
/** Drops every listener (command-line --listen replaces the file's list). */
void lis_config_clear_listen(lis_config_t *c);
/** Sets db (command-line --db overrides the file). */
void lis_config_set_db(lis_config_t *c, const char *db);
/**
 * Whole-config checks after all sources are merged: db and at least one
 * listener present; key/cert/CA/token files exist, are readable, private
 * keys not accessible by group/others. Returns 0 or LIS_ECONFIG.
 */
int lis_config_check(const lis_config_t *c, wm_diag_t *diag);

/** "90s", "30m", "24h", "500ms", "2d" -> milliseconds. 0 or LIS_EDATA. */
int lis_parse_duration_ms(const char *s, size_t len, uint64_t *ms);
/** "65536", "64k", "1M", "1MiB" (powers of 1024) -> bytes. 0 or LIS_EDATA. */
int lis_parse_size(const char *s, size_t len, uint64_t *bytes);
/** "1.2.3.4:80", "[::1]:8080", "*:80" (IPv4 any). 0 or LIS_EDATA. */
int lis_parse_hostport(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen);
/** Host part of an http(s) URL ("https://lis.example.com:8443/x" -> "lis.example.com"). */
int lis_url_host(const char *url, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* Socket-free HELD handler                                            */
/* ------------------------------------------------------------------ */

/** Per-deployment handler settings (copied from a config; no pointers into it). */
typedef struct {
	unsigned retention_s; /**< retention-expiry = now + retention_s */
	char host[256];       /**< host for the presence entity "pres:...@host" */
	held_limits_t limits; /**< request parsing bounds */
	struct lis_refs *refs; /**< location-by-reference state (lis_handler_setup), or NULL */
	struct lis_nomadic *nomadic; /**< remembered user addresses (step 6), or NULL */
} lis_handler_t;

typedef struct lis_nomadic lis_nomadic_t;

/** Fills from a config, or defaults when cfg is NULL. */
void lis_handler_init(lis_handler_t *h, const lis_config_t *cfg);
/**
 * Location by reference (issue #3): loads token.key_file, the tenants'
 * bearer secrets and mTLS CA stores. With token.key_file and public_url both
 * set, lis_held_handle issues location URIs. `cfg` must outlive `h` (the
 * tenants' settings are referenced, not copied). 0, or LIS_ECONFIG with a
 * one-line reason in err. Call lis_handler_deinit to free.
 */
int lis_handler_setup(lis_handler_t *h, const lis_config_t *cfg, char *err, size_t errlen);
/** Frees what lis_handler_setup loaded (keys are wiped). Safe after init alone. */
void lis_handler_deinit(lis_handler_t *h);

/** What the transport knows about the client. */
typedef struct {
	bool has_source;
	wm_ip_t source; /**< connection source address */
	time_t now;
} lis_client_t;

/** What happened, for metrics and the access log. Plain data. */
typedef struct {
	int status;         /**< HTTP status */
	held_code_t code;   /**< HELD_OK when a location was returned */
	char tenant[80];    /**< tenant id resolved or asked for ("" when none) */
	char ids[384];      /**< identifiers seen, compact "kind=value ..." text */
	wm_method_t method; /**< matched precedence step */
	char location[80];  /**< matched location id ("" when none) */
	uint64_t usec;      /**< handling time (lis_held_handle fills it) */
} lis_outcome_t;

/**
 * Handles one HELD POST body. `tenant` is the /held/{tenant} path segment
 * (`tenant_len` bytes, not percent-decoded) or NULL for /held. `ix` may be
 * NULL (no wiremap loaded). Appends the response document to `out` and
 * returns the HTTP status: 200 with a locationResponse or a HELD error
 * document, or 404 (unknown tenant; `out` left empty). `oc` is filled.
 * Re-entrant; allocates only inside `out` and libxml2's parse.
 */
int lis_held_handle(const lis_handler_t *h, const wm_index_t *ix, const char *tenant,
                    size_t tenant_len, const char *body, size_t len, const lis_client_t *c,
                    held_buf_t *out, lis_outcome_t *oc);

/* ------------------------------------------------------------------ */
/* Location URI tokens (token.c; RFC 5808, RFC 6753)                   */
/* ------------------------------------------------------------------ */

#define LIS_TOKEN_ID_MAX 255
/**
 * Bytes a token may spend on an embedded nomadic address, serialized (one
 * count octet, then per element: key octet, 2-octet length, value). A
 * longer address is not embedded: the token refers to the issuing node's
 * nomadic store only (token format 1).
 */
#define LIS_TOKEN_CIVIC_MAX 600

/** AEAD key derived from token.key_file. */
typedef struct {
	uint8_t key[32];
} lis_token_key_t;

/** What a token carries, encrypted (nothing is readable in the URI). */
typedef struct {
	char tenant[LIS_TOKEN_ID_MAX + 1];
	char location[LIS_TOKEN_ID_MAX + 1];
	uint8_t method;  /**< wm_method_t of the match that issued it */
	int64_t issued;  /**< unix seconds */
	int64_t expires; /**< unix seconds */
	/** A nomadic answer's address (token format 2) when civic.set; unset in
	 * format 1 tokens. At most LIS_TOKEN_CIVIC_MAX bytes serialized. */
	held_civic_t civic;
	int64_t civic_given; /**< unix seconds the user gave civic (when civic.set) */
} lis_token_claims_t;

/**
 * Loads and derives the key from a file of >= 32 random bytes that only its
 * owner can read. 0, or LIS_ECONFIG with a one-line reason in err.
 */
int lis_token_key_load(const char *path, lis_token_key_t *k, char *err, size_t errlen);
/**
 * Seals claims into a base64url token (NUL-terminated in out, at most
 * LIS_TOKEN_TEXT_MAX characters). With c->civic.set the token is format 2
 * and carries the address (LIS_ELIMIT when lis_token_can_embed says no),
 * else format 1. 0 or error.
 */
int lis_token_issue(const lis_token_key_t *k, const lis_token_claims_t *c, char *out,
                    size_t outlen);
/** True when c is non-empty and serializes within LIS_TOKEN_CIVIC_MAX bytes. Pure. */
bool lis_token_can_embed(const held_civic_t *c);
/**
 * Opens a token of format 1 or 2: 0 and the claims (civic.set only for
 * format 2), or LIS_EDATA for anything malformed, truncated, extended,
 * tampered, forged or sealed under another key (one answer for all).
 * Expiry is the caller's check.
 */
int lis_token_open(const lis_token_key_t *k, const char *tok, size_t toklen,
                   lis_token_claims_t *c);

/* ------------------------------------------------------------------ */
/* Dereference: GET/POST /loc/{token} (deref.c; RFC 6753 §3)           */
/* ------------------------------------------------------------------ */

struct lis_events;

/**
 * Longest token path segment looked at; longer ones get the plain 404.
 * The longest token lis_token_issue makes (two 255-byte ids and a
 * LIS_TOKEN_CIVIC_MAX address: 1544 characters) fits; token.c checks it.
 */
#define LIS_TOKEN_TEXT_MAX 1600

typedef enum { LIS_HTTP_GET = 0, LIS_HTTP_HEAD, LIS_HTTP_POST, LIS_HTTP_OTHER } lis_http_method_t;

/** A dereference request as the transport saw it. Pointers borrowed for the call. */
typedef struct {
	lis_http_method_t method;
	const char *token; /**< the path segment after /loc/ (not decoded) */
	size_t token_len;
	const char *query;         /**< raw query string (after '?'), or NULL */
	const char *accept;        /**< Accept header, or NULL */
	const char *authorization; /**< Authorization header, or NULL */
	const char *content_type;  /**< Content-Type header (POST), or NULL */
	const char *body;          /**< POST body */
	size_t body_len;
	void *ssl;          /**< the connection's SSL * on an https listener, else NULL */
	const char *source; /**< client address text (events), or NULL */
	time_t now;         /**< 0 = time(NULL) */
} lis_deref_req_t;

/** How a dereference ended (lis_derefs_total{result}). */
typedef enum {
	LIS_DR_OK = 0,    /**< a location (or read-back text) was returned */
	LIS_DR_NOT_FOUND, /**< unknown, malformed, tampered, expired or foreign token */
	LIS_DR_REFUSED,   /**< the tenant's access-control model refused it */
	LIS_DR_GONE,      /**< a valid token whose location is no longer provisioned */
	LIS_DR_OTHER,     /**< method, media type, size or HELD request errors */
	LIS_DR_COUNT
} lis_deref_result_t;

/** The answer's metadata; the body is in the caller's buffer. */
typedef struct {
	int status;              /**< HTTP status */
	const char *ctype;       /**< Content-Type (static string) */
	const char *allow;       /**< Allow header for 405, else NULL */
	lis_deref_result_t result;
	lis_outcome_t oc;        /**< tenant, location, method, HELD code; ids = "token=HASH ..." */
	char token_hash[13];     /**< first 12 hex digits of SHA-256(token), for logs */
	int event;               /**< lis_event_type_t emitted, or -1 */
} lis_deref_out_t;

/** The fixed 404 body for every token that does not lead to a location. */
#define LIS_DEREF_NOT_FOUND_BODY "no such location URI\n"
/** The fixed 403 body for a bearer secret that no tenant holds. */
#define LIS_DEREF_FORBIDDEN_BODY "credentials not accepted\n"

/**
 * Handles one dereference (RFC 6753 §3): token -> claims -> access control
 * (RFC 5808 §4.1) -> the location's current record in `ix` -> a HELD
 * locationResponse (never a locationUriSet), a bare PIDF-LO when Accept
 * prefers application/pidf+xml, or the read-back sentence for
 * ?format=text. ?dialed= numbers of the tenant emit emergency_call /
 * test_call into `ev` (may be NULL) before this returns. `ix` may be NULL.
 * Appends the body to `out` and fills `o`; returns the HTTP status.
 */
int lis_deref_handle(const lis_handler_t *h, const wm_index_t *ix, struct lis_events *ev,
                     const lis_deref_req_t *r, held_buf_t *out, lis_deref_out_t *o);

/**
 * Content negotiation of RFC 6753 §3.2 GETs: true when `accept` gives
 * application/pidf+xml a higher q-value than application/held+xml (the
 * default; ties and no header -> HELD). Pure.
 */
bool lis_accept_prefers_pidf(const char *accept);

/**
 * The 933 read-back sentence (UTF-8, no newline): callback number (`caller`
 * when it is a tel: URI, else the location's ECBN, else "none on file")
 * and the dispatchable address from the merged civic. `loc` NULL -> the
 * "no longer on file" sentence. Returns the length (truncated to outlen-1).
 * Pure.
 */
size_t lis_readback_text(const wm_location_t *loc, const char *caller, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* Events (events.c, outbox.c, webhook.c; SPEC §4.5)                   */
/* ------------------------------------------------------------------ */

typedef enum {
	LIS_EV_EMERGENCY_CALL = 0, /**< a dereference with an emergency dialled number (911) */
	LIS_EV_TEST_CALL,          /**< a dereference with a test number (933) */
	LIS_EV_UNKNOWN_LOCATION,   /**< a HELD request that matched nothing */
	LIS_EV_TYPE_COUNT
} lis_event_type_t;

/** "emergency_call", "test_call", "unknown_location". */
const char *lis_event_type_name(lis_event_type_t t);

/** One event as the request path knows it. Pointers are borrowed for the call. */
typedef struct {
	lis_event_type_t type;
	const char *tenant;
	const wm_location_t *loc; /**< NULL for unknown_location */
	wm_method_t method;
	const char *device;  /**< identifiers the device reported (lis_outcome_t.ids) */
	const char *source;  /**< connection source address text, or NULL */
	const char *dialed;  /**< dialled number, or NULL */
	const char *caller;  /**< caller URI (tel:/sip:), or NULL */
	const char *call_id; /**< call router's call id, or NULL */
	time_t ts;
} lis_event_t;

typedef struct lis_events lis_events_t;

/**
 * Opens the event sinks of a config: the JSON Lines file, the durable
 * outbox (LMDB at cfg->events_outbox) for webhooks. With neither file nor
 * any webhook configured, events are only counted. Caller frees.
 */
int lis_events_open(const lis_config_t *cfg, lis_events_t **out, char *err, size_t errlen);
/** Starts the webhook delivery thread (redelivers what the outbox holds). */
int lis_events_start(lis_events_t *ev);
/** Reopens events.file by name (after log rotation; lisd does it on SIGHUP). */
int lis_events_reopen(lis_events_t *ev);
/** Stops delivery (pending events stay in the outbox) and frees. NULL ok. */
void lis_events_close(lis_events_t *ev);
/**
 * Records one event durably before returning: the file line is written and
 * the outbox transaction committed, so an event survives a SIGKILL right
 * after the response that caused it. unknown_location events are
 * de-duplicated per (tenant, device) over events_dedup_s, carrying a count.
 * Thread-safe. Returns 0, or an error (the event is then counted as lost).
 */
int lis_events_emit(lis_events_t *ev, const lis_event_t *e);
/** Appends the events metrics (by type and delivery outcome, outbox depth). */
int lis_events_metrics(lis_events_t *ev, held_buf_t *b);

/* ------------------------------------------------------------------ */
/* Metrics (process-wide, lock-free counters)                          */
/* ------------------------------------------------------------------ */

/** Counts one answered HELD request (outcome, method, latency). */
void lis_metrics_held(const lis_outcome_t *oc);
/** Counts one dereference by result (and HELD outcome when it answered HELD). */
void lis_metrics_deref(const lis_deref_out_t *o);
/** Counts a request answered with an HTTP error status (404, 405, 413 ...). */
void lis_metrics_http_error(int status);
void lis_metrics_reload(bool ok);
void lis_metrics_connection(int delta);
void lis_metrics_connection_rejected(void);
/** accept() failed (EMFILE, ENFILE, ENOMEM...): http.c paused accepting. */
void lis_metrics_accept_error(void);
/** Current open connections (all workers). */
long lis_metrics_open_connections(void);
/**
 * Appends the Prometheus text exposition to `b`; `ix` (may be NULL) gives
 * the index gauges. Returns 0 or -ENOMEM.
 */
int lis_metrics_render(held_buf_t *b, const wm_index_t *ix);
/** Zeroes every counter (tests). */
void lis_metrics_reset(void);

/* ------------------------------------------------------------------ */
/* Logging (stderr, one write per line)                                */
/* ------------------------------------------------------------------ */

void lis_log_setup(lis_log_level_t level, lis_log_format_t format);
void lis_log(lis_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** One access-log line: what the request was and what it got. */
typedef struct {
	const char *peer;        /**< client address text */
	const char *method;      /**< HTTP method */
	const char *path;        /**< request path (escaped when logged) */
	const lis_outcome_t *oc; /**< HELD outcome, or NULL for other endpoints */
	int status;
	uint64_t usec;
} lis_access_t;

void lis_log_access(const lis_access_t *a);
/**
 * Formats the access line into out (no newline) in the given format;
 * returns its length. Exposed for tests.
 */
size_t lis_access_format(const lis_access_t *a, lis_log_format_t fmt, time_t now, char *out,
                         size_t outlen);

/* ------------------------------------------------------------------ */
/* The daemon                                                          */
/* ------------------------------------------------------------------ */

typedef struct lis_server lis_server_t;

/**
 * Prepares the daemon: TLS contexts, the store (opened now when present,
 * else retried every second), the listening sockets. Does not start threads.
 * On failure returns an error (LIS_ECONFIG, LIS_ETLS, -errno) with a
 * one-line reason in err. `cfg` must outlive the server.
 */
int lis_server_new(const lis_config_t *cfg, lis_server_t **out, char *err, size_t errlen);
/**
 * Drops root to cfg->user (and cfg->group, else the user's primary group):
 * setgroups(0), setgid, setuid, then checks that root cannot be regained.
 * Call after lis_server_new (sockets bound, store, outbox and key files
 * open) and before lis_server_run starts threads. Without `user` it only
 * warns when running as root. 0, LIS_ECONFIG (unknown user/group, or not
 * root and asked to become someone else) or -errno, reason in err.
 */
int lis_drop_privileges(const lis_config_t *cfg, char *err, size_t errlen);
/**
 * Runs until SIGTERM/SIGINT: N worker threads with their own event loop on
 * the shared sockets, SIGHUP and store-generation reloads. Drains in-flight
 * requests (a few seconds at most) and returns 0.
 */
int lis_server_run(lis_server_t *s);
void lis_server_free(lis_server_t *s);

/** Prints the lisd version and the linked library versions. */
void lis_print_versions(FILE *out);

#endif
