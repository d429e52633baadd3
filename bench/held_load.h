/*
 * held-load's parts (bench/held_load.c: the load loop and the report;
 * bench/load_queries.c: query file -> prebuilt requests; bench/hist.c: the
 * latency histogram).
 */
#ifndef OPENLIS_BENCH_HELD_LOAD_H
#define OPENLIS_BENCH_HELD_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------- latency histogram (log-linear, ~0.2% resolution) ------- */

#define H_SUB 512
#define H_BUCKETS (2 * H_SUB + 40 * H_SUB)

typedef struct {
	uint64_t c[H_BUCKETS];
	uint64_t n, max;
} hist_t;

void h_add(hist_t *h, uint64_t v);
/** The p-th percentile (0 < p <= 100), capped at the maximum seen. */
uint64_t h_pct(const hist_t *h, double p);

/* ---------------- queries -> prebuilt requests ----------------------------- */

enum { Q_PORT, Q_CHASSIS, Q_BSSID, Q_BWILD, Q_IP, Q_GW, Q_DID, Q_MISS, Q_DEREF, Q_GET, Q_KINDS };
extern const char *const q_name[Q_KINDS];

typedef struct {
	uint8_t kind;
	bool held; /* a HELD answer: look for <error> */
	char *req;
	size_t len;
} preq_t;

typedef struct {
	preq_t *v;
	size_t n, cap;
} preqs_t;

typedef struct {
	char host[256], hostport[300], path[1024];
	int port;
	bool tls;
} target_t;

/**
 * Reads a query file (bench/gen.h line format, plus "deref URL" and "get
 * PATH") into prebuilt requests for tg; exits 65 naming FILE:LINE on a bad
 * line.
 */
void load_queries(const char *file, const target_t *tg, preqs_t *q);

#endif
