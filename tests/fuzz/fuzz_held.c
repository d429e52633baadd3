/*
 * HELD requests (RFC 5985/6155/7105, HELD+): the whole input is a request
 * body. It goes to held_decode_request() directly (default and tight
 * limits), then through the socket-free lis_held_handle() against a real
 * LMDB-built index in several deployments: no tenant path, each tenant,
 * a trusted and an untrusted source, location-URI issuing on and off, no
 * wiremap at all. Every answer must be a complete document: a 200 always
 * carries a body that starts with the XML declaration.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis.h"
#include "tests/fuzz/fuzz.h"

static wm_index_t *ix, *ix1;
static lis_handler_t h_plain, h_refs;
static lis_config_t cfg;
static held_buf_t out;
static bool verbose; /* FUZZ_VERBOSE=1: one line per handler call */
static wm_ip_t src_trusted, src_lan, src_v6;

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_held: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	proto_global_init();
	lis_log_setup(LIS_LOG_ERROR, LIS_LOG_TEXT);
	ix = fz_index_from_yaml(FZ_WIREMAP);
	ix1 = fz_index_from_yaml(FZ_ONE_TENANT);

	/* A deployment that issues location URIs: token key + public_url. */
	char *dir = fz_mkdtemp();
	char *key = fz_write_file(dir, "token.key", "0123456789abcdef0123456789abcdef", 32, 0600);
	char *yaml = NULL;
	must(asprintf(&yaml,
	              "public_url: https://lis.example.com:8443/\n"
	              "token: {key_file: %s, lifetime: 30m}\n"
	              "retention: 1h\n",
	              key) > 0,
	     "asprintf");
	wm_diag_t *d = wm_diag_new();
	lis_config_init(&cfg);
	must(lis_config_load_string(&cfg, "fuzz.yaml", yaml, strlen(yaml), d) == 0, "config");
	lis_config_finish(&cfg);
	char err[256];
	lis_handler_init(&h_refs, &cfg);
	must(lis_handler_setup(&h_refs, &cfg, err, sizeof err) == 0, err);
	lis_handler_init(&h_plain, NULL);
	wm_diag_free(d);
	fz_rmtree(dir);
	free(dir);
	free(key);
	free(yaml);

	must(wm_ip_parse("192.0.2.7", 9, &src_trusted) == 0, "ip");
	must(wm_ip_parse("10.20.30.40", 11, &src_lan) == 0, "ip");
	must(wm_ip_parse("2001:db8:20:31::9", 17, &src_v6) == 0, "ip");
	held_buf_init(&out);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

static void handle(const lis_handler_t *h, const wm_index_t *x, const char *tenant,
                   const wm_ip_t *src, const uint8_t *data, size_t size)
{
	lis_client_t c = {.now = 1700000000};
	lis_outcome_t oc;
	if (src) {
		c.source = *src;
		c.has_source = true;
	}
	held_buf_reset(&out);
	int status = lis_held_handle(h, x, tenant, tenant ? strlen(tenant) : 0, (const char *)data,
	                             size, &c, &out, &oc);
	if (status == 200 && (out.len < 5 || memcmp(out.p, "<?xml", 5) != 0)) {
		fprintf(stderr, "200 without a document: %.*s\n", (int)out.len, out.p);
		abort();
	}
	if (verbose)
		fprintf(stderr, "held %s: %d %s %s\n", tenant ? tenant : "-", status,
		        held_code_name(oc.code), oc.location);
	if (status != 200 && status != 404) {
		fprintf(stderr, "unexpected status %d\n", status);
		abort();
	}
	if (oc.status != status || strnlen(oc.ids, sizeof oc.ids) == sizeof oc.ids ||
	    strnlen(oc.tenant, sizeof oc.tenant) == sizeof oc.tenant ||
	    strnlen(oc.location, sizeof oc.location) == sizeof oc.location)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	held_request_t r;
	held_limits_t lim;
	char msg[256];

	held_limits_default(&lim);
	held_code_t code = held_decode_request((const char *)data, size, &lim, &r, msg, sizeof msg);
	if (code >= HELD_CODE_COUNT || strnlen(msg, sizeof msg) == sizeof msg)
		abort();
	if (code == HELD_OK && (r.n_mac > HELD_MAX_MAC || r.n_uri > HELD_MAX_URI || r.n_types > 3))
		abort();
	/* Tight limits: depth, node count and size refusals on the same input. */
	lim.max_depth = 6;
	lim.max_nodes = 24;
	lim.max_bytes = 1024;
	(void)held_decode_request((const char *)data, size, &lim, &r, msg, sizeof msg);

	handle(&h_plain, ix, NULL, NULL, data, size);
	handle(&h_refs, ix, "tenant-a", &src_trusted, data, size);
	handle(&h_plain, ix, "tenant-b", &src_lan, data, size);
	handle(&h_refs, ix1, NULL, &src_v6, data, size);
	handle(&h_plain, NULL, NULL, &src_lan, data, size);
	handle(&h_plain, ix, "no-such-tenant", NULL, data, size);
	return 0;
}
