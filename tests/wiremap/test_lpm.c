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
	wm_lpm_t *l = wm_lpm_new(8, 1);
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
	wm_lpm_t *l = wm_lpm_new(8, 1);
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
	wm_lpm_t *l = wm_lpm_new(8, 1);
	add(l, 0, "0.0.0.0/0", 1);
	add(l, 0, "2001:db8:20:31::/64", 2);
	cr_expect_eq(find(l, 0, "2001:db8:20:31::5", NULL), 2);
	cr_expect_eq(find(l, 0, "2001:db8:20:32::5", NULL), -1, "an IPv4 /0 must not match IPv6");
	/* IPv4-mapped IPv6 is IPv4 (wm_ip_parse), so the v4 route applies */
	cr_expect_eq(find(l, 0, "::ffff:10.1.2.3", NULL), 1);
	wm_lpm_free(l);

	l = wm_lpm_new(8, 1);
	add(l, 0, "::/0", 1);
	cr_expect_eq(find(l, 0, "10.1.2.3", NULL), -1, "an IPv6 /0 must not match IPv4");
	wm_lpm_free(l);
}

Test(lpm, tenants_are_isolated)
{
	wm_lpm_t *l = wm_lpm_new(8, 3);
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
	wm_lpm_t *l = wm_lpm_new(4, 1);
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
	wm_lpm_t *l = wm_lpm_new(N, 2);
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
