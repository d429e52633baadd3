/*
 * Test support shared by every test executable: temp dirs, running the real
 * binaries, schema validation against ../shared/schemas (skipped, never
 * passed, when the shared folder is absent), and a raw HTTP/1.1 client.
 */
#ifndef OPENLIS_TESTSUPPORT_H
#define OPENLIS_TESTSUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <criterion/criterion.h>

/** ../shared as configured (LIS_SHARED_DIR), or NULL when absent. */
const char *ts_shared_dir(void);
/** Source tree root. */
const char *ts_source_dir(void);
/** Path of a built binary ("lisd", "wiremap", "heldq"); static buffer per call slot. */
const char *ts_bin(const char *name);

/**
 * True when LIS_TEST_VALGRIND=1: ts_lisd_start and ts_run then run the
 * project's binaries under valgrind memcheck (any error or definite leak
 * fails the test with valgrind's report), and waits are stretched. Tests
 * that measure time or resident memory skip those figures under valgrind
 * (they are measured in the plain and sanitizer runs).
 */
bool ts_valgrind(void);
/** Milliseconds scaled for the run: ms normally, 20 x ms when ts_instrumented(). */
int ts_ms(int ms);
/**
 * True under valgrind, or when LIS_TEST_LISD names another lisd binary (the
 * ThreadSanitizer build of deploy/test.sh's race pass): lisd is many times
 * slower and bigger, so time, CPU and memory figures mean nothing there and
 * the tests that measure them skip those assertions.
 */
bool ts_instrumented(void);

/** New private temp dir (caller frees the string, removes with ts_rmtree). */
char *ts_mkdtemp(void);
void ts_rmtree(const char *dir);
/** Writes a file (path = dir/name); returns the malloc'd full path. */
char *ts_write_file(const char *dir, const char *name, const char *content);
/** Reads a whole file, NUL-terminated; NULL on error. Caller frees. */
char *ts_read_file(const char *path, size_t *len);

/**
 * Runs argv (argv[0] a path), optional stdin text, captures stdout/stderr
 * (malloc'd, NUL-terminated; pass NULL to discard). Returns the exit status,
 * or 128+signal.
 */
int ts_run(const char *const argv[], const char *stdin_text, char **out, char **err);

/**
 * Runs the built tool `name` ("wiremap", "heldq") with a NULL-terminated
 * argument list; frees *out and *err, then stores its stdout and stderr
 * there. Returns its exit status as ts_run.
 */
int ts_run_tool(const char *name, char **out, char **err, ...);

/**
 * Validates a document against held-pidflo-all.xsd (plus the project's
 * heldplus.xsd). Returns 0 valid, 1 invalid (reason in err), -1 when the
 * schemas are not available.
 */
int ts_validate(const char *xml, size_t len, char *err, size_t errlen);

/**
 * Stops every lisd this test process started and has not stopped yet. Called
 * before a test skips (Criterion runs no .fini after cr_skip_test) and at exit.
 */
void ts_stop_all(void);

/** Asserts the document validates; skips the test when schemas are absent. */
#define TS_ASSERT_VALID(xml, len)                                                        \
	do {                                                                             \
		char ts_err_[512];                                                       \
		int ts_rc_ = ts_validate((xml), (len), ts_err_, sizeof ts_err_);         \
		if (ts_rc_ < 0) {                                                        \
			ts_stop_all();                                                   \
			cr_skip_test("../shared/schemas not available: cannot validate"); \
		}                                                                        \
		cr_assert_eq(ts_rc_, 0, "schema-invalid document: %s\n%.*s", ts_err_,   \
		             (int)(len), (xml));                                         \
	} while (0)

/** Skips the calling test when ../shared is absent. */
#define TS_REQUIRE_SHARED()                                                               \
	do {                                                                              \
		if (!ts_shared_dir()) {                                                   \
			ts_stop_all();                                                    \
			cr_skip_test("../shared not available (LIS_SHARED_DIR)");         \
		}                                                                         \
	} while (0)

/* ---------------- HTTP over a real socket ------------------------------ */

typedef struct {
	int status;
	char *headers; /**< raw header block, lower-cased names kept as sent */
	char *body;
	size_t body_len;
} ts_http_resp_t;

/** Value of a response header (case-insensitive name), malloc'd, or NULL. */
char *ts_http_header(const ts_http_resp_t *r, const char *name);
void ts_http_resp_free(ts_http_resp_t *r);

/**
 * One HTTP/1.1 request on a new TCP connection to 127.0.0.1:port
 * (Connection: close). extra_headers is "Name: v\r\n..." or NULL. Returns 0
 * or -1 on a socket error / timeout (ts_ms(5000)).
 */
int ts_http(int port, const char *method, const char *path, const char *extra_headers,
            const char *body, size_t body_len, ts_http_resp_t *out);

/* ---------------- TLS (tls.c) ------------------------------------------- */

/**
 * dir/name.key (mode 0600) + dir/name.pem, P-256, CN=name, valid 2 days: a
 * self-signed CA when ca is NULL, else a leaf signed by dir/ca.{pem,key}
 * whose subjectAltName is localhost and 127.0.0.1 (usable by a server).
 * Uses the openssl CLI; asserts on failure.
 */
void ts_make_cert(const char *dir, const char *name, const char *ca);

/**
 * One HTTPS GET to 127.0.0.1:port (the server certificate is not verified),
 * presenting dir/cert.{pem,key} when cert is not NULL. Returns the status,
 * or -1 when the handshake or the exchange failed; the body in body.
 */
int ts_https_get(int port, const char *path, const char *dir, const char *cert, char *body,
                 size_t bodylen);

/* ---------------- a running lisd ---------------------------------------- */

typedef struct {
	int pid;
	int port;     /**< HTTP port on 127.0.0.1 */
	char *dir;    /**< its temp dir (config, logs) */
	char *log;    /**< stderr file path */
} ts_lisd_t;

/** A free TCP port on 127.0.0.1. */
int ts_free_port(void);

/**
 * Starts lisd (the build's, or $LIS_TEST_LISD) with `--db db --listen 127.0.0.1:PORT` plus extra argv (NULL
 * terminated, may be NULL), or with a config file when config_yaml is not NULL
 * (the text may contain "@PORT@", replaced by the chosen port). Waits until
 * /healthz answers 200 (10 s). Asserts on failure.
 */
void ts_lisd_start(ts_lisd_t *l, const char *db, const char *config_yaml,
                   const char *const *extra_args);
/** SIGTERM, wait; returns the exit status. Removes its temp dir. */
int ts_lisd_stop(ts_lisd_t *l);

/**
 * Removes a wiremap database and what a lisd serving it creates beside it
 * (`DB-nomadic`, `DB-events`).
 */
void ts_rmdb(const char *db);

/** Imports a YAML text into db with the real wiremap CLI; asserts exit 0. */
void ts_import_yaml(const char *db, const char *yaml_text, const char *const *extra_args);

#endif
