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
} lis_config_t;

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
} lis_handler_t;

/** Fills from a config, or defaults when cfg is NULL. */
void lis_handler_init(lis_handler_t *h, const lis_config_t *cfg);

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
/* Metrics (process-wide, lock-free counters)                          */
/* ------------------------------------------------------------------ */

/** Counts one answered HELD request (outcome, method, latency). */
void lis_metrics_held(const lis_outcome_t *oc);
/** Counts a request answered with an HTTP error status (404, 405, 413 ...). */
void lis_metrics_http_error(int status);
void lis_metrics_reload(bool ok);
void lis_metrics_connection(int delta);
void lis_metrics_connection_rejected(void);
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
 * Runs until SIGTERM/SIGINT: N worker threads with their own event loop on
 * the shared sockets, SIGHUP and store-generation reloads. Drains in-flight
 * requests (a few seconds at most) and returns 0.
 */
int lis_server_run(lis_server_t *s);
void lis_server_free(lis_server_t *s);

/** Prints the lisd version and the linked library versions. */
void lis_print_versions(FILE *out);

#endif
