/*
 * Longest prefix match for subnets, IPv4 and IPv6, per tenant.
 *
 * One open-addressing hash per family holds every prefix. Prefix lengths are
 * grouped four at a time (/24../27 is one group, /28../31 the next): the home
 * slot of a prefix is hashed from (tenant, group, the network masked to the
 * group's shortest length), so every prefix of one group that can contain a
 * given address starts its probe run at the same slot. A lookup therefore
 * reads one short run, usually one cache line, per group the tenant uses,
 * instead of one line per prefix length; the runs of all groups are
 * prefetched together (wm_lpm_prefetch), so they overlap. IPv4 /22../30
 * subnets cost three lines instead of nine, and slots of 16 B (IPv4) and
 * 32 B (IPv6) instead of 28 B keep the tables small enough to stay mostly
 * in cache.
 *
 * Every slot stores the whole key (tenant, prefix length, network), so a key
 * of one tenant can never be found under another.
 */
#include <stdlib.h>
#include <string.h>

#include "wiremap/store_internal.h"

#define EMPTY UINT32_MAX
/* Lengths p and q share a group when p >> GROUP_BITS == q >> GROUP_BITS. */
#define GROUP_BITS 2
#define GROUPS6 ((128 >> GROUP_BITS) + 1)

typedef struct {
	uint32_t net, tenant;
	uint32_t val; /* EMPTY = free slot */
	uint8_t plen;
} slot4_t; /* 16 B: four to a cache line */

typedef struct {
	uint64_t hi, lo;
	uint32_t tenant;
	uint32_t val; /* EMPTY = free slot */
	uint8_t plen;
} slot6_t; /* 32 B */

typedef struct {
	uint64_t v4;                      /* bit g: some IPv4 prefix of group g */
	uint64_t v6[(GROUPS6 + 63) / 64]; /* the same for IPv6 */
} groups_t;

struct wm_lpm {
	slot4_t *s4;
	slot6_t *s6;
	size_t mask4, n4, mask6, n6;
	groups_t *grp;
	size_t ntenants;
};

/* A power of two at least 2n: at most half full, so a run stays within a line or two. */
static size_t lpm_cap(size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 1)
		cap <<= 1;
	return cap;
}

wm_lpm_t *wm_lpm_new(size_t n4, size_t n6, size_t ntenants)
{
	wm_lpm_t *l = calloc(1, sizeof(*l));
	size_t cap4 = lpm_cap(n4), cap6 = lpm_cap(n6);
	if (!l)
		return NULL;
	l->s4 = malloc(cap4 * sizeof(*l->s4));
	l->s6 = malloc(cap6 * sizeof(*l->s6));
	l->grp = calloc(ntenants ? ntenants : 1, sizeof(groups_t));
	if (!l->s4 || !l->s6 || !l->grp) {
		wm_lpm_free(l);
		return NULL;
	}
	memset(l->s4, 0xff, cap4 * sizeof(*l->s4)); /* val = EMPTY everywhere */
	memset(l->s6, 0xff, cap6 * sizeof(*l->s6));
	l->mask4 = cap4 - 1;
	l->mask6 = cap6 - 1;
	l->ntenants = ntenants;
	return l;
}

void wm_lpm_free(wm_lpm_t *l)
{
	if (!l)
		return;
	free(l->s4);
	free(l->s6);
	free(l->grp);
	free(l);
}

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load64(const uint8_t *p)
{
	return (uint64_t)load32(p) << 32 | load32(p + 4);
}

static uint32_t mask32(unsigned plen)
{
	return plen ? UINT32_MAX << (32 - plen) : 0;
}

static uint64_t mask64(unsigned plen) /* plen 0..64 */
{
	return plen ? UINT64_MAX << (64 - plen) : 0;
}

static uint64_t mask_hi(unsigned plen)
{
	return mask64(plen > 64 ? 64 : plen);
}

static uint64_t mask_lo(unsigned plen)
{
	return mask64(plen > 64 ? plen - 64 : 0);
}

/* Home slot of (tenant, group g) for an address; the network is masked to the group. */
static uint64_t hash4(uint32_t tenant, unsigned g, uint32_t x)
{
	uint64_t h = (uint64_t)tenant << 8 | g;
	return wm_hash_mix(h << 32 ^ (x & mask32(g << GROUP_BITS)));
}

static uint64_t hash6(uint32_t tenant, unsigned g, uint64_t hi, uint64_t lo)
{
	unsigned a = g << GROUP_BITS;
	uint64_t h = (uint64_t)tenant << 8 | g;
	return wm_hash_mix(wm_hash_mix(h ^ (hi & mask_hi(a))) ^ (lo & mask_lo(a)));
}

static int insert4(wm_lpm_t *l, uint32_t tenant, const wm_cidr_t *c, uint32_t val)
{
	slot4_t s = {load32(c->a) & mask32(c->plen), tenant, val, c->plen};
	size_t i = hash4(tenant, c->plen >> GROUP_BITS, s.net) & l->mask4;
	if ((l->n4 + 1) * 2 > l->mask4 + 1)
		return LIS_ELIMIT; /* sized by wm_lpm_new(): a caller bug */
	for (; l->s4[i].val != EMPTY; i = (i + 1) & l->mask4)
		if (l->s4[i].tenant == tenant && l->s4[i].plen == s.plen && l->s4[i].net == s.net)
			return LIS_EDATA;
	l->s4[i] = s;
	l->n4++;
	l->grp[tenant].v4 |= (uint64_t)1 << (c->plen >> GROUP_BITS);
	return 0;
}

static int insert6(wm_lpm_t *l, uint32_t tenant, const wm_cidr_t *c, uint32_t val)
{
	slot6_t s = {load64(c->a) & mask_hi(c->plen), load64(c->a + 8) & mask_lo(c->plen), tenant,
	             val, c->plen};
	unsigned g = c->plen >> GROUP_BITS;
	size_t i = hash6(tenant, g, s.hi, s.lo) & l->mask6;
	if ((l->n6 + 1) * 2 > l->mask6 + 1)
		return LIS_ELIMIT; /* sized by wm_lpm_new(): a caller bug */
	for (; l->s6[i].val != EMPTY; i = (i + 1) & l->mask6)
		if (l->s6[i].tenant == tenant && l->s6[i].plen == s.plen && l->s6[i].hi == s.hi &&
		    l->s6[i].lo == s.lo)
			return LIS_EDATA;
	l->s6[i] = s;
	l->n6++;
	l->grp[tenant].v6[g / 64] |= (uint64_t)1 << (g % 64);
	return 0;
}

int wm_lpm_insert(wm_lpm_t *l, uint32_t tenant, const wm_cidr_t *c, uint32_t val)
{
	if (tenant >= l->ntenants || val == EMPTY)
		return LIS_EDATA;
	if (c->family == 4 && c->plen <= 32)
		return insert4(l, tenant, c, val);
	if (c->family == 6 && c->plen <= 128)
		return insert6(l, tenant, c, val);
	return LIS_EDATA;
}

/* Longest prefix of group g containing x: its length, or -1. */
static int run4(const wm_lpm_t *l, uint32_t tenant, unsigned g, uint32_t x, uint32_t *val)
{
	int best = -1;
	for (size_t i = hash4(tenant, g, x) & l->mask4;; i = (i + 1) & l->mask4) {
		const slot4_t *s = &l->s4[i];
		if (s->val == EMPTY)
			return best;
		if (s->tenant == tenant && s->plen >> GROUP_BITS == g && s->plen > best &&
		    ((x ^ s->net) & mask32(s->plen)) == 0) {
			best = s->plen;
			*val = s->val;
		}
	}
}

static int run6(const wm_lpm_t *l, uint32_t tenant, unsigned g, uint64_t hi, uint64_t lo,
                uint32_t *val)
{
	int best = -1;
	for (size_t i = hash6(tenant, g, hi, lo) & l->mask6;; i = (i + 1) & l->mask6) {
		const slot6_t *s = &l->s6[i];
		if (s->val == EMPTY)
			return best;
		if (s->tenant == tenant && s->plen >> GROUP_BITS == g && s->plen > best &&
		    ((hi ^ s->hi) & mask_hi(s->plen)) == 0 &&
		    ((lo ^ s->lo) & mask_lo(s->plen)) == 0) {
			best = s->plen;
			*val = s->val;
		}
	}
}

/* Highest set bit of a group bitmap, or -1 when none is set. */
static int top_group(const uint64_t *bits, int words)
{
	for (int w = words - 1; w >= 0; w--)
		if (bits[w])
			return w * 64 + 63 - __builtin_clzll(bits[w]);
	return -1;
}

int wm_lpm_lookup(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip, uint32_t *val,
                  uint8_t *plen)
{
	int p = -1;
	if (tenant >= l->ntenants)
		return 0;
	const groups_t *gs = &l->grp[tenant];
	if (ip->family == 4) {
		uint32_t x = load32(ip->a);
		uint64_t bits = gs->v4;
		for (int g; p < 0 && (g = top_group(&bits, 1)) >= 0; bits &= ~((uint64_t)1 << g))
			p = run4(l, tenant, (unsigned)g, x, val);
	} else if (ip->family == 6) {
		uint64_t hi = load64(ip->a), lo = load64(ip->a + 8);
		uint64_t bits[sizeof(gs->v6) / 8];
		int words = (int)(sizeof(bits) / 8);
		memcpy(bits, gs->v6, sizeof bits);
		for (int g; p < 0 && (g = top_group(bits, words)) >= 0;
		     bits[g / 64] &= ~((uint64_t)1 << (g % 64)))
			p = run6(l, tenant, (unsigned)g, hi, lo, val);
	}
	if (p < 0)
		return 0;
	if (plen)
		*plen = (uint8_t)p;
	return 1;
}

void wm_lpm_prefetch(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip)
{
	if (tenant >= l->ntenants)
		return;
	const groups_t *gs = &l->grp[tenant];
	if (ip->family == 4) {
		uint32_t x = load32(ip->a);
		for (uint64_t bits = gs->v4; bits; bits &= bits - 1)
			__builtin_prefetch(
			    &l->s4[hash4(tenant, (unsigned)__builtin_ctzll(bits), x) & l->mask4]);
	} else if (ip->family == 6) {
		uint64_t hi = load64(ip->a), lo = load64(ip->a + 8);
		for (unsigned w = 0; w < sizeof(gs->v6) / 8; w++)
			for (uint64_t bits = gs->v6[w]; bits; bits &= bits - 1) {
				unsigned g = w * 64 + (unsigned)__builtin_ctzll(bits);
				__builtin_prefetch(&l->s6[hash6(tenant, g, hi, lo) & l->mask6]);
			}
	}
}

size_t wm_lpm_count(const wm_lpm_t *l)
{
	return l->n4 + l->n6;
}

size_t wm_lpm_bytes(const wm_lpm_t *l)
{
	return sizeof(*l) + (l->mask4 + 1) * sizeof(slot4_t) + (l->mask6 + 1) * sizeof(slot6_t) +
	       l->ntenants * sizeof(groups_t);
}
