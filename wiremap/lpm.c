/*
 * Longest prefix match for subnets, IPv4 and IPv6, per tenant.
 *
 * One open-addressing hash holds every prefix keyed by (tenant, family,
 * prefix length, network address); each tenant keeps a bitmap of the prefix
 * lengths it uses per family. A lookup masks the address to each present
 * length, longest first, and probes: a tenant with the usual handful of
 * prefix lengths costs that many probes of one cache line each, and a key of
 * one tenant can never be found under another.
 */
#include <stdlib.h>
#include <string.h>

#include "wiremap/store_internal.h"

#define EMPTY UINT32_MAX

typedef struct {
	uint8_t a[16];
	uint32_t tenant;
	uint32_t val; /* EMPTY = free slot */
	uint8_t family, plen;
} slot_t;

typedef struct {
	uint64_t v4;    /* bit p set: some /p IPv4 prefix exists */
	uint64_t v6[3]; /* bits 0..128 */
} lens_t;

struct wm_lpm {
	slot_t *slot;
	size_t mask, n;
	lens_t *lens;
	size_t ntenants;
};

wm_lpm_t *wm_lpm_new(size_t n, size_t ntenants)
{
	wm_lpm_t *l = calloc(1, sizeof(*l));
	size_t cap = 16;
	if (!l)
		return NULL;
	while (cap < 2 * n + 1) /* at most half full: a miss scans ~2.5 slots, not ~8.5 */
		cap <<= 1;
	l->slot = malloc(cap * sizeof(slot_t));
	l->lens = calloc(ntenants ? ntenants : 1, sizeof(lens_t));
	if (!l->slot || !l->lens) {
		wm_lpm_free(l);
		return NULL;
	}
	for (size_t i = 0; i < cap; i++)
		l->slot[i].val = EMPTY;
	l->mask = cap - 1;
	l->ntenants = ntenants;
	return l;
}

void wm_lpm_free(wm_lpm_t *l)
{
	if (!l)
		return;
	free(l->slot);
	free(l->lens);
	free(l);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t key_hash(uint32_t tenant, uint8_t family, uint8_t plen, const uint8_t *a)
{
	uint64_t h = ((uint64_t)tenant << 16) | ((uint64_t)family << 8) | plen;
	if (family == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		return wm_hash_mix(h ^ ((uint64_t)v << 32));
	}
	return wm_hash_mix(wm_hash_mix(h ^ load64(a)) ^ load64(a + 8));
}

static void mask_addr(const uint8_t *in, unsigned alen, unsigned plen, uint8_t *out)
{
	memset(out, 0, 16);
	unsigned full = plen / 8;
	memcpy(out, in, full);
	if (plen % 8 && full < alen)
		out[full] = in[full] & (uint8_t)(0xff << (8 - plen % 8));
}

static void set_len(lens_t *ls, uint8_t family, unsigned plen)
{
	if (family == 4)
		ls->v4 |= (uint64_t)1 << plen;
	else
		ls->v6[plen / 64] |= (uint64_t)1 << (plen % 64);
}

static bool has_len(const lens_t *ls, uint8_t family, unsigned plen)
{
	if (family == 4)
		return ls->v4 >> plen & 1;
	return ls->v6[plen / 64] >> (plen % 64) & 1;
}

int wm_lpm_insert(wm_lpm_t *l, uint32_t tenant, const wm_cidr_t *c, uint32_t val)
{
	unsigned alen = c->family == 4 ? 4 : 16;
	uint8_t a[16];

	if (tenant >= l->ntenants || (c->family != 4 && c->family != 6) || c->plen > alen * 8 ||
	    val == EMPTY)
		return LIS_EDATA;
	if ((l->n + 1) * 4 > (l->mask + 1) * 3)
		return LIS_ELIMIT; /* sized by wm_lpm_new(): a caller bug */
	mask_addr(c->a, alen, c->plen, a);
	for (size_t i = key_hash(tenant, c->family, c->plen, a) & l->mask;; i = (i + 1) & l->mask) {
		slot_t *s = &l->slot[i];
		if (s->val == EMPTY) {
			memcpy(s->a, a, 16);
			s->tenant = tenant;
			s->family = c->family;
			s->plen = c->plen;
			s->val = val;
			l->n++;
			set_len(&l->lens[tenant], c->family, c->plen);
			return 0;
		}
		if (s->tenant == tenant && s->family == c->family && s->plen == c->plen &&
		    memcmp(s->a, a, 16) == 0)
			return LIS_EDATA;
	}
}

int wm_lpm_lookup(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip, uint32_t *val,
                  uint8_t *plen)
{
	unsigned alen = ip->family == 4 ? 4 : 16;
	if (tenant >= l->ntenants || (ip->family != 4 && ip->family != 6))
		return 0;
	const lens_t *ls = &l->lens[tenant];
	for (int p = (int)alen * 8; p >= 0; p--) {
		if (!has_len(ls, ip->family, (unsigned)p))
			continue;
		uint8_t a[16];
		mask_addr(ip->a, alen, (unsigned)p, a);
		for (size_t i = key_hash(tenant, ip->family, (uint8_t)p, a) & l->mask;;
		     i = (i + 1) & l->mask) {
			const slot_t *s = &l->slot[i];
			if (s->val == EMPTY)
				break;
			if (s->tenant == tenant && s->family == ip->family && s->plen == p &&
			    memcmp(s->a, a, 16) == 0) {
				*val = s->val;
				if (plen)
					*plen = (uint8_t)p;
				return 1;
			}
		}
	}
	return 0;
}

void wm_lpm_prefetch(const wm_lpm_t *l, uint32_t tenant, const wm_ip_t *ip)
{
	unsigned alen = ip->family == 4 ? 4 : 16;
	if (tenant >= l->ntenants || (ip->family != 4 && ip->family != 6))
		return;
	const lens_t *ls = &l->lens[tenant];
	for (int p = (int)alen * 8; p >= 0; p--) {
		if (!has_len(ls, ip->family, (unsigned)p))
			continue;
		uint8_t a[16];
		mask_addr(ip->a, alen, (unsigned)p, a);
		__builtin_prefetch(&l->slot[key_hash(tenant, ip->family, (uint8_t)p, a) & l->mask]);
	}
}

size_t wm_lpm_count(const wm_lpm_t *l)
{
	return l->n;
}

size_t wm_lpm_bytes(const wm_lpm_t *l)
{
	return sizeof(*l) + (l->mask + 1) * sizeof(slot_t) + l->ntenants * sizeof(lens_t);
}
