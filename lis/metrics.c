/*
 * Process-wide counters (relaxed atomics, no locks on the request path) and
 * their Prometheus text exposition.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis_internal.h"

/* HTTP statuses counted by name; anything else falls into "other". */
static const int http_statuses[] = {400, 403, 404, 405, 408, 412, 413, 415, 500, 501, 503};
#define N_HTTP (sizeof http_statuses / sizeof http_statuses[0])

/* Latency buckets, microseconds (exposed in seconds). */
static const uint64_t buckets_us[] = {100,   250,   500,    1000,   2500,   5000,   10000,
                                      25000, 50000, 100000, 250000, 500000, 1000000};
#define N_BUCKETS (sizeof buckets_us / sizeof buckets_us[0])

#define N_METHODS ((size_t)WM_M_DID + 1)

static struct {
	atomic_ullong held[HELD_CODE_COUNT]; /* [HELD_OK] = location returned */
	atomic_ullong http[N_HTTP + 1];
	atomic_ullong method[N_METHODS];
	atomic_ullong bucket[N_BUCKETS + 1];
	atomic_ullong lat_sum_us;
	atomic_ullong lat_count;
	atomic_ullong reload_ok, reload_failed;
	atomic_long conns;
	atomic_ullong conns_rejected;
	atomic_ullong accept_errors;
	atomic_ullong deref_held[HELD_CODE_COUNT]; /* dereferences answered with HELD/PIDF/text */
	atomic_ullong deref[LIS_DR_COUNT];
} M;

#define INC(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#define GET(x) atomic_load_explicit(&(x), memory_order_relaxed)

void lis_metrics_held(const lis_outcome_t *oc)
{
	if (oc->status != 200) {
		lis_metrics_http_error(oc->status);
	} else if ((unsigned)oc->code < HELD_CODE_COUNT) {
		INC(M.held[oc->code]);
		if (oc->code == HELD_OK && (size_t)oc->method < N_METHODS)
			INC(M.method[oc->method]);
	}
	size_t b = 0;
	while (b < N_BUCKETS && oc->usec > buckets_us[b])
		b++;
	INC(M.bucket[b]);
	atomic_fetch_add_explicit(&M.lat_sum_us, oc->usec, memory_order_relaxed);
	INC(M.lat_count);
}

void lis_metrics_deref(const lis_deref_out_t *o)
{
	if ((unsigned)o->result < LIS_DR_COUNT && o->result != LIS_DR_OTHER)
		INC(M.deref[o->result]);
	if (o->status != 200)
		lis_metrics_http_error(o->status);
	else if ((unsigned)o->oc.code < HELD_CODE_COUNT)
		INC(M.deref_held[o->oc.code]);
}

void lis_metrics_http_error(int status)
{
	size_t i = 0;
	while (i < N_HTTP && http_statuses[i] != status)
		i++;
	INC(M.http[i]);
}

void lis_metrics_reload(bool ok)
{
	if (ok)
		INC(M.reload_ok);
	else
		INC(M.reload_failed);
}

void lis_metrics_connection(int delta)
{
	atomic_fetch_add_explicit(&M.conns, delta, memory_order_relaxed);
}

void lis_metrics_connection_rejected(void)
{
	INC(M.conns_rejected);
}

void lis_metrics_accept_error(void)
{
	INC(M.accept_errors);
}

long lis_metrics_open_connections(void)
{
	return GET(M.conns);
}

void lis_metrics_reset(void)
{
	long conns = GET(M.conns);
	memset(&M, 0, sizeof M);
	atomic_store(&M.conns, conns);
}

int lis_buf_printf(held_buf_t *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -ENOMEM;
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
}

#define P(...)                                                                                     \
	do {                                                                                       \
		if (lis_buf_printf(b, __VA_ARGS__))                                                \
			return -ENOMEM;                                                            \
	} while (0)

int lis_metrics_render(held_buf_t *b, const wm_index_t *ix)
{
	P("# HELP lis_requests_total HELD requests answered, by outcome: location, a HELD error "
	  "code, or http_<status> for HTTP-level errors.\n"
	  "# TYPE lis_requests_total counter\n");
	P("lis_requests_total{outcome=\"location\"} %llu\n", GET(M.held[HELD_OK]));
	for (int c = 1; c < HELD_CODE_COUNT; c++)
		P("lis_requests_total{outcome=\"%s\"} %llu\n", held_code_name((held_code_t)c),
		  GET(M.held[c]));
	for (size_t i = 0; i <= N_HTTP; i++) {
		if (i < N_HTTP)
			P("lis_requests_total{outcome=\"http_%d\"} %llu\n", http_statuses[i],
			  GET(M.http[i]));
		else
			P("lis_requests_total{outcome=\"http_other\"} %llu\n", GET(M.http[i]));
	}

	P("lis_requests_total{outcome=\"deref_location\"} %llu\n", GET(M.deref_held[HELD_OK]));
	for (int c = 1; c < HELD_CODE_COUNT; c++)
		P("lis_requests_total{outcome=\"deref_%s\"} %llu\n", held_code_name((held_code_t)c),
		  GET(M.deref_held[c]));
	P("# HELP lis_derefs_total Location URI dereferences (GET/POST /loc/), by result: ok, "
	  "not_found (unknown, tampered or expired token), refused (access control), gone "
	  "(location no longer provisioned).\n"
	  "# TYPE lis_derefs_total counter\n");
	static const char *const dr_names[] = {"ok", "not_found", "refused", "gone"};
	for (int r = 0; r < 4; r++)
		P("lis_derefs_total{result=\"%s\"} %llu\n", dr_names[r], GET(M.deref[r]));

	P("# HELP lis_matches_total Locations returned, by the precedence step that matched.\n"
	  "# TYPE lis_matches_total counter\n");
	for (size_t m = 1; m < N_METHODS; m++)
		P("lis_matches_total{method=\"%s\"} %llu\n", wm_method_name((wm_method_t)m),
		  GET(M.method[m]));

	P("# HELP lis_request_duration_seconds Time spent handling a HELD request.\n"
	  "# TYPE lis_request_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		cum += GET(M.bucket[i]);
		P("lis_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		  (double)buckets_us[i] / 1e6, cum);
	}
	cum += GET(M.bucket[N_BUCKETS]);
	P("lis_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	P("lis_request_duration_seconds_sum %.6f\n", (double)GET(M.lat_sum_us) / 1e6);
	P("lis_request_duration_seconds_count %llu\n", GET(M.lat_count));

	P("# HELP lis_wiremap_loaded 1 when a wiremap index is being served.\n"
	  "# TYPE lis_wiremap_loaded gauge\nlis_wiremap_loaded %d\n",
	  ix ? 1 : 0);
	if (ix) {
		wm_index_stats_t st;
		wm_index_stats(ix, &st);
		P("# HELP lis_index_generation Store generation the served index was built from.\n"
		  "# TYPE lis_index_generation gauge\nlis_index_generation %" PRIu64 "\n",
		  wm_index_generation(ix));
		P("# HELP lis_index_entries Entries in the served index, by kind.\n"
		  "# TYPE lis_index_entries gauge\n");
		const struct {
			const char *k;
			size_t v;
		} kinds[] = {{"tenant", st.tenants},
		             {"location", st.locations},
		             {"lldp_port", st.lldp_port},
		             {"lldp_chassis", st.lldp_chassis},
		             {"bssid", st.bssid},
		             {"bssid_wildcard", st.bssid_wild},
		             {"subnet", st.subnet},
		             {"gateway_mac", st.gateway},
		             {"did", st.did}};
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			P("lis_index_entries{kind=\"%s\"} %zu\n", kinds[i].k, kinds[i].v);
		P("# HELP lis_index_bytes Heap bytes held by the served index.\n"
		  "# TYPE lis_index_bytes gauge\nlis_index_bytes %zu\n",
		  st.bytes);
	}
	P("# HELP lis_reloads_total Index builds, by result.\n"
	  "# TYPE lis_reloads_total counter\n"
	  "lis_reloads_total{result=\"ok\"} %llu\nlis_reloads_total{result=\"failed\"} %llu\n",
	  GET(M.reload_ok), GET(M.reload_failed));
	P("# HELP lis_connections_open Client connections open now.\n"
	  "# TYPE lis_connections_open gauge\nlis_connections_open %ld\n",
	  GET(M.conns));
	P("# HELP lis_connections_rejected_total Connections closed at once because "
	  "limits.max_connections was reached.\n"
	  "# TYPE lis_connections_rejected_total counter\nlis_connections_rejected_total %llu\n",
	  GET(M.conns_rejected));
	P("# HELP lis_accept_errors_total accept() failures (out of descriptors or memory); "
	  "accepting pauses 100 ms after each.\n"
	  "# TYPE lis_accept_errors_total counter\nlis_accept_errors_total %llu\n",
	  GET(M.accept_errors));
	return 0;
}
