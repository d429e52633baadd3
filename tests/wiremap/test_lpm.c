/* Longest prefix match of subnets (precedence step 4), IPv4 and IPv6, per tenant. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/store_internal.h"

static wm_ip_t ip(const char *s)
{
	wm_ip_t a;
	cr_assert_eq(wm_ip_parse(s, strlen(s), &a), 0, "rejected %s", s);
	return a;
}

static wm_cidr_t cidr(const char *s)
{
	wm_cidr_t c;
	cr_assert_eq(wm_cidr_parse(s, strlen(s), &c), 0, "rejected %s", s);
	return c;
}

static void add(wm_lpm_t *l, uint32_t tenant, const char *c, uint32_t val)
{
	wm_cidr_t x = cidr(c);
	cr_assert_eq(wm_lpm_insert(l, tenant, &x, val), 0, "insert %s", c);
}

/* Returns the value found, or -1. */
static long find(const wm_lpm_t *l, uint32_t tenant, const char *a, int *plen)
{
	wm_ip_t x = ip(a);
	uint32_t v;
	uint8_t p = 0;
	int rc = wm_lpm_lookup(l, tenant, &x, &v, &p);
	cr_assert(rc == 0 || rc == 1);
	if (plen)
		*plen = rc ? p : -1;
	return rc ? (long)v : -1;
}

Test(lpm, nested_prefixes_longest_wins)
{
	wm_lpm_t *l = wm_lpm_new(8, 8, 1);
	int p;
	add(l, 0, "10.0.0.0/8", 1);
	add(l, 0, "10.20.0.0/16", 2);
	add(l, 0, "10.20.30.0/24", 3);
	add(l, 0, "10.20.30.128/25", 4);
	cr_expect_eq(find(l, 0, "10.20.30.5", &p), 3);
	cr_expect_eq(p, 24);
	cr_expect_eq(find(l, 0, "10.20.30.200", &p), 4);
	cr_expect_eq(p, 25);
	cr_expect_eq(find(l, 0, "10.20.99.1", NULL), 2);
	cr_expect_eq(find(l, 0, "10.99.0.1", NULL), 1);
	cr_expect_eq(find(l, 0, "11.0.0.1", NULL), -1);
	cr_expect_eq(wm_lpm_count(l), 4);
	wm_lpm_free(l);
}

Test(lpm, default_route_and_host_routes)
{
	wm_lpm_t *l = wm_lpm_new(8, 8, 1);
	add(l, 0, "0.0.0.0/0", 1);
	add(l, 0, "192.0.2.7/32", 2);
	add(l, 0, "2001:db8::1/128", 3);
	add(l, 0, "::/0", 4);
	int p;
	cr_expect_eq(find(l, 0, "192.0.2.7", &p), 2);
	cr_expect_eq(p, 32);
	cr_expect_eq(find(l, 0, "192.0.2.8", &p), 1);
	cr_expect_eq(p, 0);
	cr_expect_eq(find(l, 0, "255.255.255.255", NULL), 1);
	cr_expect_eq(find(l, 0, "2001:db8::1", &p), 3);
	cr_expect_eq(p, 128);
	cr_expect_eq(find(l, 0, "2001:db8::2", NULL), 4);
	wm_lpm_free(l);
}

Test(lpm, ipv4_and_ipv6_never_mix)
{
	wm_lpm_t *l = wm_lpm_new(8, 8, 1);
	add(l, 0, "0.0.0.0/0", 1);
	add(l, 0, "2001:db8:20:31::/64", 2);
	cr_expect_eq(find(l, 0, "2001:db8:20:31::5", NULL), 2);
	cr_expect_eq(find(l, 0, "2001:db8:20:32::5", NULL), -1, "an IPv4 /0 must not match IPv6");
	/* IPv4-mapped IPv6 is IPv4 (wm_ip_parse), so the v4 route applies */
	cr_expect_eq(find(l, 0, "::ffff:10.1.2.3", NULL), 1);
	wm_lpm_free(l);

	l = wm_lpm_new(8, 8, 1);
	add(l, 0, "::/0", 1);
	cr_expect_eq(find(l, 0, "10.1.2.3", NULL), -1, "an IPv6 /0 must not match IPv4");
	wm_lpm_free(l);
}

Test(lpm, tenants_are_isolated)
{
	wm_lpm_t *l = wm_lpm_new(8, 8, 3);
	add(l, 0, "10.0.0.0/24", 10);
	add(l, 1, "10.0.0.0/24", 11);
	add(l, 1, "10.0.0.0/25", 12);
	cr_expect_eq(find(l, 0, "10.0.0.1", NULL), 10);
	cr_expect_eq(find(l, 1, "10.0.0.1", NULL), 12);
	cr_expect_eq(find(l, 1, "10.0.0.200", NULL), 11);
	cr_expect_eq(find(l, 2, "10.0.0.1", NULL), -1, "tenant 2 has no subnets");
	cr_expect_eq(find(l, 7, "10.0.0.1", NULL), -1, "unknown tenant index");
	wm_lpm_free(l);
}

Test(lpm, duplicate_prefix_is_rejected)
{
	wm_lpm_t *l = wm_lpm_new(4, 4, 1);
	add(l, 0, "10.0.0.0/8", 1);
	wm_cidr_t c = cidr("10.0.0.0/8");
	cr_expect_eq(wm_lpm_insert(l, 0, &c, 2), LIS_EDATA);
	cr_expect_eq(find(l, 0, "10.1.1.1", NULL), 1, "the first stays");
	wm_lpm_free(l);
}

/* Random prefixes against a linear scan with wm_cidr_contains. */
Test(lpm, matches_a_linear_scan)
{
	enum { N = 3000, Q = 20000 };
	wm_cidr_t *pre = calloc(N, sizeof(*pre));
	uint32_t *ten = calloc(N, sizeof(*ten));
	wm_lpm_t *l = wm_lpm_new(N, N, 2);
	size_t n = 0;
	srand(4242);
	for (int i = 0; i < N; i++) {
		wm_cidr_t c = {0};
		c.family = (rand() % 3) ? 4 : 6;
		unsigned max = c.family == 4 ? 32 : 128;
		/* few distinct high bits so prefixes nest */
		c.a[0] = (uint8_t)(rand() % 2 ? 10 : 0x20);
		for (unsigned b = 1; b < max / 8; b++)
			c.a[b] = (uint8_t)(rand() % 4);
		c.plen = (uint8_t)(rand() % (max + 1));
		for (unsigned bit = c.plen; bit < 128; bit++)
			c.a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
		uint32_t t = (uint32_t)(rand() % 2);
		if (wm_lpm_insert(l, t, &c, (uint32_t)n) == 0) {
			pre[n] = c;
			ten[n] = t;
			n++;
		}
	}
	cr_assert_eq(wm_lpm_count(l), n);
	for (int i = 0; i < Q; i++) {
		wm_ip_t a = {0};
		a.family = (rand() % 3) ? 4 : 6;
		a.a[0] = (uint8_t)(rand() % 2 ? 10 : 0x20);
		for (unsigned b = 1; b < (a.family == 4 ? 4u : 16u); b++)
			a.a[b] = (uint8_t)(rand() % 4);
		uint32_t t = (uint32_t)(rand() % 2);
		long best = -1;
		int bestlen = -1;
		for (size_t j = 0; j < n; j++)
			if (ten[j] == t && pre[j].family == a.family && pre[j].plen > bestlen &&
			    wm_cidr_contains(&pre[j], &a)) {
				best = (long)j;
				bestlen = pre[j].plen;
			}
		uint32_t v;
		uint8_t p;
		int rc = wm_lpm_lookup(l, t, &a, &v, &p);
		cr_assert_eq(rc, best >= 0, "query %d", i);
		if (rc) {
			cr_assert_eq(v, (uint32_t)best, "query %d", i);
			cr_assert_eq(p, bestlen);
		}
	}
	wm_lpm_free(l);
	free(pre);
	free(ten);
}

/* ---------------- differential test against a naive reference ------------- */

typedef struct {
	uint32_t tenant;
	wm_cidr_t c;
} ref_prefix_t;

static uint64_t diff_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned alen_of(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/* Bit i (0 = most significant) of a. */
static unsigned bit_at(const uint8_t *a, unsigned i)
{
	return a[i / 8] >> (7 - i % 8) & 1;
}

/* The reference: does c contain ip, by comparing the first plen bits one by one. */
static bool ref_contains(const wm_cidr_t *c, const wm_ip_t *ip)
{
	if (c->family != ip->family)
		return false;
	for (unsigned i = 0; i < c->plen; i++)
		if (bit_at(c->a, i) != bit_at(ip->a, i))
			return false;
	return true;
}

/* Sets every bit from `from` on to `one` (host part of a prefix). */
static void fill_host(uint8_t *a, unsigned alen, unsigned from, unsigned one)
{
	for (unsigned i = from; i < alen * 8; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));
		a[i / 8] = one ? (uint8_t)(a[i / 8] | m) : (uint8_t)(a[i / 8] & ~m);
	}
}

/* a += d (d is +1 or -1), wrapping, over alen big-endian bytes. */
static void step_addr(uint8_t *a, unsigned alen, int d)
{
	for (unsigned i = alen; i-- > 0;) {
		a[i] = (uint8_t)(a[i] + d);
		if ((d > 0 && a[i] != 0) || (d < 0 && a[i] != 0xff))
			return;
	}
}

/* A prefix length, biased towards the edges and the lengths real maps use. */
static uint8_t diff_plen(uint64_t *s, uint8_t family)
{
	unsigned max = alen_of(family) * 8, r = (unsigned)(diff_rng(s) % 8);
	static const uint8_t v4[] = {0, 1, 8, 16, 22, 24, 27, 28, 30, 31, 32};
	static const uint8_t v6[] = {0, 1, 32, 48, 56, 63, 64, 65, 96, 127, 128};
	if (r < 3)
		return (uint8_t)(diff_rng(s) % (max + 1));
	return family == 4 ? v4[diff_rng(s) % sizeof v4] : v6[diff_rng(s) % sizeof v6];
}

/* The naive LPM: the longest prefix of `tenant` containing ip, or -1. */
static long ref_lookup(const ref_prefix_t *p, size_t n, uint32_t tenant, const wm_ip_t *ip,
                       int *plen)
{
	long best = -1;
	*plen = -1;
	for (size_t j = 0; j < n; j++)
		if (p[j].tenant == tenant && (int)p[j].c.plen > *plen &&
		    ref_contains(&p[j].c, ip)) {
			best = (long)j;
			*plen = p[j].c.plen;
		}
	return best;
}

static void diff_check(const wm_lpm_t *l, const ref_prefix_t *p, size_t n, uint32_t tenant,
                       const wm_ip_t *ip, uint64_t seed, size_t qi)
{
	int want_len;
	long want = ref_lookup(p, n, tenant, ip, &want_len);
	uint32_t v = UINT32_MAX;
	uint8_t got_len = 0xff;
	char a[46];
	wm_ip_format(ip, a);
	int rc = wm_lpm_lookup(l, tenant, ip, &v, &got_len);
	cr_assert_eq(rc, want >= 0,
	             "seed %#llx query %zu: tenant %u %s: found %d, the reference says %d",
	             (unsigned long long)seed, qi, tenant, a, rc, want >= 0);
	if (rc) {
		cr_assert_eq(v, (uint32_t)want,
		             "seed %#llx query %zu: tenant %u %s: value %u, want %ld",
		             (unsigned long long)seed, qi, tenant, a, v, want);
		cr_assert_eq(got_len, want_len, "seed %#llx query %zu: tenant %u %s: /%u, want /%d",
		             (unsigned long long)seed, qi, tenant, a, got_len, want_len);
	}
}

/*
 * Thousands of random prefixes over four tenants (one of them empty), half of
 * them nested inside an earlier one, both families, /0 to /32 and /128; then
 * every prefix's first and last address, the addresses just outside it, a
 * random address inside it, each asked under every tenant, and random
 * addresses. Set LPM_SEED to replay a failure.
 */
Test(lpm, differential_against_naive_reference)
{
	enum { N = 4000, TENANTS = 4, RANDOM_Q = 20000 };
	uint64_t seed = getenv("LPM_SEED") ? strtoull(getenv("LPM_SEED"), NULL, 0) : 0x11571bULL;
	uint64_t s = seed;
	ref_prefix_t *p = calloc(N, sizeof(*p));
	wm_lpm_t *l = wm_lpm_new(N, N, TENANTS);
	size_t n = 0, qi = 0;
	cr_assert(p && l);

	for (int i = 0; i < N; i++) {
		ref_prefix_t x = {.tenant = (uint32_t)(diff_rng(&s) % (TENANTS - 1))};
		if (n && diff_rng(&s) % 2) { /* nested in (or equal to) an earlier prefix */
			const ref_prefix_t *up = &p[diff_rng(&s) % n];
			x.c = up->c;
			unsigned max = alen_of(x.c.family) * 8;
			x.c.plen = (uint8_t)(up->c.plen + diff_rng(&s) % (max - up->c.plen + 1));
			if (diff_rng(&s) % 4) /* same tenant, mostly */
				x.tenant = up->tenant;
		} else {
			x.c.family = diff_rng(&s) % 3 ? 4 : 6;
			x.c.plen = diff_plen(&s, x.c.family);
			/* few distinct high bytes, so unrelated prefixes overlap too */
			x.c.a[0] = (uint8_t)(diff_rng(&s) % 2 ? 10 : 0x20);
			x.c.a[1] = (uint8_t)(diff_rng(&s) % 3);
		}
		for (unsigned b = 2; b < alen_of(x.c.family); b++)
			if (b * 8 >= x.c.plen || diff_rng(&s) % 2)
				x.c.a[b] = (uint8_t)diff_rng(&s);
		fill_host(x.c.a, 16, x.c.plen, 0);
		int rc = wm_lpm_insert(l, x.tenant, &x.c, (uint32_t)n);
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = p[j].tenant == x.tenant && p[j].c.family == x.c.family &&
			      p[j].c.plen == x.c.plen && memcmp(p[j].c.a, x.c.a, 16) == 0;
		cr_assert_eq(rc, dup ? LIS_EDATA : 0, "seed %#llx prefix %d: insert gave %d",
		             (unsigned long long)seed, i, rc);
		if (!dup)
			p[n++] = x;
	}
	cr_assert_eq(wm_lpm_count(l), n);

	for (size_t j = 0; j < n; j++) {
		unsigned alen = alen_of(p[j].c.family);
		wm_ip_t q[5] = {{0}};
		for (int k = 0; k < 5; k++) {
			q[k].family = p[j].c.family;
			memcpy(q[k].a, p[j].c.a, alen);
		}
		step_addr(q[1].a, alen, -1);             /* just below the first address */
		fill_host(q[2].a, alen, p[j].c.plen, 1); /* the last address */
		fill_host(q[3].a, alen, p[j].c.plen, 1);
		step_addr(q[3].a, alen, +1);                      /* just past the last address */
		for (unsigned b = p[j].c.plen; b < alen * 8; b++) /* somewhere inside */
			if (diff_rng(&s) % 2)
				q[4].a[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		for (int k = 0; k < 5; k++)
			for (uint32_t t = 0; t < TENANTS; t++)
				diff_check(l, p, n, t, &q[k], seed, qi++);
	}
	for (int i = 0; i < RANDOM_Q; i++) {
		wm_ip_t a = {.family = diff_rng(&s) % 3 ? 4 : 6};
		for (unsigned b = 0; b < alen_of(a.family); b++)
			a.a[b] = (uint8_t)diff_rng(&s);
		if (diff_rng(&s) % 4) { /* near the prefixes, mostly */
			a.a[0] = (uint8_t)(diff_rng(&s) % 2 ? 10 : 0x20);
			a.a[1] = (uint8_t)(diff_rng(&s) % 3);
		}
		diff_check(l, p, n, (uint32_t)(diff_rng(&s) % TENANTS), &a, seed, qi++);
	}
	wm_lpm_free(l);
	free(p);
}
