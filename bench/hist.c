/* held-load's latency histogram: log-linear buckets, ~0.2% resolution. */
#include <math.h>

#include "bench/held_load.h"

static unsigned h_index(uint64_t v)
{
	if (v < 2 * H_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - 9; /* (v >> shift) in [512, 1023] */
	unsigned i = 2 * H_SUB + (shift - 1) * H_SUB + (unsigned)((v >> shift) - H_SUB);
	return i < H_BUCKETS ? i : H_BUCKETS - 1;
}

static uint64_t h_value(unsigned i) /* middle of bucket i */
{
	if (i < 2 * H_SUB)
		return i;
	unsigned shift = (i - 2 * H_SUB) / H_SUB + 1;
	uint64_t sub = (i - 2 * H_SUB) % H_SUB + H_SUB;
	return (sub << shift) + ((uint64_t)1 << (shift - 1));
}

void h_add(hist_t *h, uint64_t v)
{
	h->c[h_index(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

uint64_t h_pct(const hist_t *h, double p)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->n), seen = 0;
	if (want == 0)
		want = 1;
	for (unsigned i = 0; i < H_BUCKETS; i++) {
		seen += h->c[i];
		if (seen >= want)
			return h_value(i) < h->max ? h_value(i) : h->max;
	}
	return h->max;
}
