/*
 * Binary encoding of the tenant, building and location records stored in
 * LMDB (layout version WM_STORE_FORMAT; see store.c for the tables).
 *
 * Compact and explicit about byte order so a database can be copied between
 * hosts:
 *   str    = varint(len + 1) bytes        (varint 0 = absent/NULL)
 *   civic  = varint(mask of wm_ca_key_t)  then one str per set bit, in key order
 *   geo    = u8 set; when set: lat lon radius as IEEE-754 binary64, little endian
 *   tenant   = u8 flags (bit 0 did_fallback) str name varint n,
 *              n x (u8 family, u8 plen, 4|16 address octets)
 *   building = str name civic geo
 *   location = str building str name civic geo str ecbn
 * Element and DID values are the bare location id (no NUL).
 */
#include <stdlib.h>
#include <string.h>

#include "wiremap/store_internal.h"

_Static_assert(WM_CA_COUNT <= 64, "civic mask must fit in 64 bits");

void wm_buf_free(wm_buf_t *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void wm_buf_put(wm_buf_t *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q)
			abort(); /* as the arena: OOM is fatal */
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_u8(wm_buf_t *b, uint8_t v)
{
	wm_buf_put(b, &v, 1);
}

static void put_varint(wm_buf_t *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		tmp[n++] = c | (v ? 0x80 : 0);
	} while (v);
	wm_buf_put(b, tmp, n);
}

static void put_str(wm_buf_t *b, const char *s)
{
	if (!s) {
		put_varint(b, 0);
		return;
	}
	size_t n = strlen(s);
	put_varint(b, n + 1);
	wm_buf_put(b, s, n);
}

static void put_double(wm_buf_t *b, double d)
{
	uint64_t u;
	uint8_t o[8];
	memcpy(&u, &d, 8);
	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(u >> (8 * i));
	wm_buf_put(b, o, 8);
}

static void put_civic(wm_buf_t *b, const char *const civic[WM_CA_COUNT])
{
	uint64_t mask = 0;
	for (int k = 0; k < WM_CA_COUNT; k++)
		if (civic[k])
			mask |= (uint64_t)1 << k;
	put_varint(b, mask);
	for (int k = 0; k < WM_CA_COUNT; k++)
		if (civic[k])
			put_str(b, civic[k]);
}

static void put_geo(wm_buf_t *b, const wm_geo_t *g)
{
	put_u8(b, g->set ? 1 : 0);
	if (g->set) {
		put_double(b, g->lat);
		put_double(b, g->lon);
		put_double(b, g->radius);
	}
}

/* ---------------- reader ---------------------------------------------- */

typedef struct {
	const uint8_t *p, *end;
	bool bad;
} rd_t;

static uint8_t get_u8(rd_t *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static uint64_t get_varint(rd_t *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t c = get_u8(r);
		if (r->bad)
			return 0;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static const uint8_t *get_bytes(rd_t *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *q = r->p;
	r->p += n;
	return q;
}

static const char *get_str(rd_t *r, wm_arena_t *a)
{
	uint64_t n = get_varint(r);
	if (r->bad || n == 0)
		return NULL;
	const uint8_t *q = get_bytes(r, n - 1);
	if (!q)
		return NULL;
	if (memchr(q, '\0', n - 1)) {
		r->bad = true;
		return NULL;
	}
	return wm_arena_strndup(a, (const char *)q, n - 1);
}

static double get_double(rd_t *r)
{
	const uint8_t *o = get_bytes(r, 8);
	uint64_t u = 0;
	double d;
	if (!o)
		return 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)o[i] << (8 * i);
	memcpy(&d, &u, 8);
	return d;
}

static void get_civic(rd_t *r, wm_arena_t *a, const char *civic[WM_CA_COUNT])
{
	uint64_t mask = get_varint(r);
	if (mask >> WM_CA_COUNT) {
		r->bad = true;
		return;
	}
	for (int k = 0; k < WM_CA_COUNT; k++) {
		civic[k] = NULL;
		if (mask & ((uint64_t)1 << k)) {
			civic[k] = get_str(r, a);
			if (!civic[k])
				r->bad = true;
		}
	}
}

static void get_geo(rd_t *r, wm_geo_t *g)
{
	memset(g, 0, sizeof(*g));
	uint8_t set = get_u8(r);
	if (set > 1)
		r->bad = true;
	if (set == 1) {
		g->set = true;
		g->lat = get_double(r);
		g->lon = get_double(r);
		g->radius = get_double(r);
	}
}

static int rd_done(const rd_t *r)
{
	return (r->bad || r->p != r->end) ? LIS_ECORRUPT : 0;
}

/* ---------------- records --------------------------------------------- */

void wm_rec_tenant_encode(wm_buf_t *b, const wm_m_tenant_t *t)
{
	put_u8(b, t->did_fallback ? 1 : 0);
	put_str(b, t->name);
	put_varint(b, t->trusted.n);
	for (size_t i = 0; i < t->trusted.n; i++) {
		const wm_cidr_t *c = &t->trusted.v[i];
		put_u8(b, c->family);
		put_u8(b, c->plen);
		wm_buf_put(b, c->a, c->family == 4 ? 4 : 16);
	}
}

int wm_rec_tenant_decode(const void *p, size_t n, wm_arena_t *a, wm_m_tenant_t *t)
{
	rd_t r = {p, (const uint8_t *)p + n, false};
	uint8_t flags = get_u8(&r);
	if (flags > 1)
		return LIS_ECORRUPT;
	t->did_fallback = flags & 1;
	t->name = get_str(&r, a);
	uint64_t nt = get_varint(&r);
	if (nt > n)
		return LIS_ECORRUPT;
	for (uint64_t i = 0; i < nt && !r.bad; i++) {
		wm_cidr_t c = {0};
		c.family = get_u8(&r);
		c.plen = get_u8(&r);
		if (c.family != 4 && c.family != 6)
			return LIS_ECORRUPT;
		if (c.plen > (c.family == 4 ? 32 : 128))
			return LIS_ECORRUPT;
		const uint8_t *q = get_bytes(&r, c.family == 4 ? 4 : 16);
		if (!q)
			break;
		memcpy(c.a, q, c.family == 4 ? 4 : 16);
		*WM_VEC_PUSH(t->trusted) = c;
	}
	return rd_done(&r);
}

void wm_rec_building_encode(wm_buf_t *b, const wm_m_building_t *bd)
{
	put_str(b, bd->name);
	put_civic(b, bd->civic);
	put_geo(b, &bd->geo);
}

int wm_rec_building_decode(const void *p, size_t n, wm_arena_t *a, wm_m_building_t *bd)
{
	rd_t r = {p, (const uint8_t *)p + n, false};
	bd->name = get_str(&r, a);
	get_civic(&r, a, bd->civic);
	get_geo(&r, &bd->geo);
	return rd_done(&r);
}

void wm_rec_location_encode(wm_buf_t *b, const wm_m_location_t *l)
{
	put_str(b, l->building);
	put_str(b, l->name);
	put_civic(b, l->civic);
	put_geo(b, &l->geo);
	put_str(b, l->ecbn);
}

int wm_rec_location_decode(const void *p, size_t n, wm_arena_t *a, wm_m_location_t *l)
{
	rd_t r = {p, (const uint8_t *)p + n, false};
	l->building = get_str(&r, a);
	l->name = get_str(&r, a);
	get_civic(&r, a, l->civic);
	get_geo(&r, &l->geo);
	l->ecbn = get_str(&r, a);
	if (!l->building)
		return LIS_ECORRUPT;
	return rd_done(&r);
}

/* ---------------- hashing --------------------------------------------- */

uint64_t wm_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ wm_hash_mix(seed + 0x9e3779b97f4a7c15ULL);
	size_t i = 0;
	/* 8 bytes at a time, then the tail: FNV-style but word-wise */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return wm_hash_mix(h ^ n);
}
