/*
 * Dereference (RFC 6753 §3) through the socket-free lis_deref_handle().
 * The input reads like an HTTP request, so seeds stay legible:
 *
 *   METHOD SP TOKEN[?QUERY] LF
 *   (Accept|Authorization|Content-Type): VALUE LF ...
 *   LF
 *   BODY
 *
 * TOKEN is taken as written, except "@N" (N a digit) which stands for the
 * N-th valid token issued at start-up under the harness key (a live
 * location, a DID location, a bearer tenant's, a location no longer
 * provisioned, an expired one, an unknown tenant's, a geo-only location,
 * a nomadic address used once and a remembered one, both carried in the
 * token (format 2)), optionally "@N~K" cut to K characters, and followed by whatever the input
 * appends. A random token thus reaches the AEAD check, and a real one the
 * access control, the index lookup and the encoders.
 *
 * Invariants checked: a 404 is always the one fixed body, and it never
 * names a tenant or location in the outcome.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lis/lis.h"
#include "tests/fuzz/fuzz.h"

#define NOW 1700000000

static wm_index_t *ix;
static lis_handler_t h;
static lis_config_t cfg;
static held_buf_t out;
static bool verbose; /* FUZZ_VERBOSE=1: one line per input (status, result) */

static struct {
	const char *tenant, *location;
	int64_t expires;
} const issue[] = {
    {"tenant-a", "port-loc", NOW + 1800},
    {"tenant-a", "did-loc", NOW + 1800},
    {"tenant-b", "b-loc", NOW + 1800},
    {"tenant-a", "gone-loc", NOW + 1800},
    {"tenant-a", "port-loc", NOW - 1},
    {"nope", "x", NOW + 1800},
    {"tenant-a", "geo-loc", NOW + 60},
    {"tenant-a", "nomadic", NOW + 1800},
    {"tenant-a", "nomadic:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
     NOW + 1800},
};
#define N_TOK (sizeof issue / sizeof issue[0])
static char tokens[N_TOK][LIS_TOKEN_TEXT_MAX + 1];

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_deref: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	proto_global_init();
	lis_log_setup(LIS_LOG_ERROR, LIS_LOG_TEXT);
	ix = fz_index_from_yaml(FZ_WIREMAP);

	char *dir = fz_mkdtemp();
	char *key = fz_write_file(dir, "token.key", "0123456789abcdef0123456789abcdef", 32, 0600);
	char *secret = fz_write_file(dir, "b.secret", "s3cret-s3cret-s3cret\n", 21, 0600);
	char *yaml = NULL;
	must(asprintf(&yaml,
	              "public_url: https://lis.example.com/\n"
	              "token: {key_file: %s}\n"
	              "tenants:\n"
	              "  - id: tenant-a\n"
	              "    emergency_numbers: [\"911\", \"112\"]\n"
	              "    test_numbers: [\"933\"]\n"
	              "  - id: tenant-b\n"
	              "    deref: {auth: bearer, secret_file: %s}\n",
	              key, secret) > 0,
	     "asprintf");
	wm_diag_t *d = wm_diag_new();
	lis_config_init(&cfg);
	int rc = lis_config_load_string(&cfg, "fuzz.yaml", yaml, strlen(yaml), d);
	for (size_t i = 0; i < wm_diag_count(d); i++)
		fprintf(stderr, "%s\n", wm_diag_get(d, i));
	must(rc == 0, "config");
	lis_config_finish(&cfg);
	char err[256] = "";
	lis_handler_init(&h, &cfg);
	must(lis_handler_setup(&h, &cfg, err, sizeof err) == 0, err);

	lis_token_key_t k;
	must(lis_token_key_load(key, &k, err, sizeof err) == 0, err);
	for (size_t i = 0; i < N_TOK; i++) {
		lis_token_claims_t c = {.method = (uint8_t)(1 + i % 7),
		                        .issued = NOW - 10,
		                        .expires = issue[i].expires};
		snprintf(c.tenant, sizeof c.tenant, "%s", issue[i].tenant);
		snprintf(c.location, sizeof c.location, "%s", issue[i].location);
		if (strncmp(c.location, "nomadic", 7) == 0) {
			c.method = WM_M_NOMADIC;
			c.civic_given = NOW - 10;
			c.civic.set = held_civic_put(&c.civic, WM_CA_COUNTRY, "US", 2) &&
			              held_civic_put(&c.civic, WM_CA_A1, "TX", 2) &&
			              held_civic_put(&c.civic, WM_CA_A3, "Austin", 6) &&
			              held_civic_put(&c.civic, WM_CA_RD, "Elm", 3);
			must(c.civic.set, "civic");
		}
		must(lis_token_issue(&k, &c, tokens[i], sizeof tokens[i]) == 0, "issue");
	}
	wm_diag_free(d);
	fz_rmtree(dir);
	free(dir);
	free(key);
	free(secret);
	free(yaml);
	held_buf_init(&out);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

/* Exactly sized NUL-terminated copy (so ASan catches over-reads). */
static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static const uint8_t *line_end(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *e = memchr(p, '\n', (size_t)(end - p));
	return e ? e : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *token = NULL, *query = NULL, *accept = NULL, *auth = NULL, *ctype = NULL;
	lis_deref_req_t r = {.now = NOW};

	/* request line */
	const uint8_t *le = line_end(p, end);
	const uint8_t *sp = memchr(p, ' ', (size_t)(le - p));
	const uint8_t *target = sp ? sp + 1 : le;
	size_t mlen = (size_t)((sp ? sp : le) - p);
	if (mlen == 3 && memcmp(p, "GET", 3) == 0)
		r.method = LIS_HTTP_GET;
	else if (mlen == 4 && memcmp(p, "HEAD", 4) == 0)
		r.method = LIS_HTTP_HEAD;
	else if (mlen == 4 && memcmp(p, "POST", 4) == 0)
		r.method = LIS_HTTP_POST;
	else
		r.method = LIS_HTTP_OTHER;
	const uint8_t *q = memchr(target, '?', (size_t)(le - target));
	const uint8_t *tend = q ? q : le;
	if (q)
		query = dup_n(q + 1, (size_t)(le - q - 1));

	/* token: "@N[~K]rest" -> issued token N (cut to K) + rest; else as written */
	if (tend - target >= 2 && target[0] == '@' && target[1] >= '0' && target[1] <= '9') {
		const char *t = tokens[(target[1] - '0') % N_TOK];
		size_t tl = strlen(t);
		const uint8_t *rest = target + 2;
		if (rest < tend && *rest == '~') {
			size_t k = 0;
			for (rest++; rest < tend && *rest >= '0' && *rest <= '9'; rest++)
				k = k * 10 + (size_t)(*rest - '0') % 1000;
			if (k < tl)
				tl = k;
		}
		size_t rl = (size_t)(tend - rest);
		token = malloc(tl + rl + 1);
		if (!token)
			abort();
		memcpy(token, t, tl);
		memcpy(token + tl, rest, rl);
		token[tl + rl] = '\0';
		r.token_len = tl + rl;
	} else {
		token = dup_n(target, (size_t)(tend - target));
		r.token_len = (size_t)(tend - target);
	}
	r.token = token;
	r.query = query;

	/* headers */
	p = le < end ? le + 1 : end;
	while (p < end && *p != '\n') {
		le = line_end(p, end);
		const uint8_t *colon = memchr(p, ':', (size_t)(le - p));
		if (colon) {
			size_t nl = (size_t)(colon - p);
			const uint8_t *v = colon + 1;
			while (v < le && *v == ' ')
				v++;
			char **slot = NULL;
			if (nl == 6 && strncasecmp((const char *)p, "accept", 6) == 0)
				slot = &accept;
			else if (nl == 13 && strncasecmp((const char *)p, "authorization", 13) == 0)
				slot = &auth;
			else if (nl == 12 && strncasecmp((const char *)p, "content-type", 12) == 0)
				slot = &ctype;
			if (slot && !*slot)
				*slot = dup_n(v, (size_t)(le - v));
		}
		p = le < end ? le + 1 : end;
	}
	if (p < end)
		p++; /* the blank line */
	r.accept = accept;
	r.authorization = auth;
	r.content_type = ctype;
	r.body = (const char *)p;
	r.body_len = (size_t)(end - p);
	r.source = "192.0.2.7";

	lis_deref_out_t o;
	held_buf_reset(&out);
	int status = lis_deref_handle(&h, ix, NULL, &r, &out, &o);
	if (status != o.status || !o.ctype)
		abort();
	if (status == 404 && (out.len != strlen(LIS_DEREF_NOT_FOUND_BODY) ||
	                      memcmp(out.p, LIS_DEREF_NOT_FOUND_BODY, out.len) != 0 ||
	                      o.oc.tenant[0] || o.oc.location[0])) {
		fprintf(stderr, "a 404 that is not the fixed answer\n");
		abort();
	}
	if (status == 200 && out.len == 0)
		abort();
	if (verbose)
		fprintf(stderr, "deref: %d result=%d event=%d %.*s\n", status, (int)o.result,
		        o.event, (int)(out.len > 60 ? 60 : out.len), out.p);
	/* Side functions on the same bytes. */
	if (accept)
		(void)lis_accept_prefers_pidf(accept);

	free(token);
	free(query);
	free(accept);
	free(auth);
	free(ctype);
	return 0;
}
