/*
 * Synthetic wiremap generator (see gen.h for the formats).
 *
 * Mix of network elements (percent of all): LLDP chassis+port 60, BSSID 20
 * (about 5% of them wildcards, half on the last hex digit, half on the last
 * octet), subnets 8 (70% IPv4 /22../30, 30% IPv6 /48../64), whole-switch
 * chassis 4, gateway MACs 3, DIDs 5. About 20 elements per location, 50
 * locations per building; the first tenant holds 70%, the others 20 and 10.
 *
 * Every kind draws its values from its own MAC prefix or address range, so
 * no element repeats within a tenant and no wildcard overlaps an exact BSSID.
 * Tenants reuse the same private address ranges, as real customers do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen.h"

#define ELEMENTS_PER_LOCATION 20
#define LOCATIONS_PER_BUILDING 50
#define PORTS_PER_SWITCH 48

typedef struct {
	uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rng_below(rng_t *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

void gen_opts_default(gen_opts_t *o)
{
	memset(o, 0, sizeof *o);
	o->elements = 1000;
	o->seed = 1;
	o->max_queries = 100000;
	o->miss_pct = 5;
}

static void fmt_mac(uint64_t v, char out[18])
{
	snprintf(out, 18, "%02x-%02x-%02x-%02x-%02x-%02x", (unsigned)(v >> 40) & 0xff,
	         (unsigned)(v >> 32) & 0xff, (unsigned)(v >> 24) & 0xff, (unsigned)(v >> 16) & 0xff,
	         (unsigned)(v >> 8) & 0xff, (unsigned)v & 0xff);
}

static void fmt_ip4(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* The upper 64 bits of an IPv6 address, then ::low (low < 2^16). */
static void fmt_ip6(uint64_t hi, unsigned low, char out[48])
{
	snprintf(out, 48, "%x:%x:%x:%x::%x", (unsigned)(hi >> 48), (unsigned)(hi >> 32) & 0xffff,
	         (unsigned)(hi >> 16) & 0xffff, (unsigned)hi & 0xffff, low);
}

/* Per-tenant generation state. */
typedef struct {
	unsigned idx;
	char id[40];
	uint64_t sw, port;     /* current switch and its next port */
	uint64_t whole_sw;     /* whole-switch chassis counter */
	uint64_t bssid, bw1, bw2, gw, did;
	uint64_t v4;           /* next free IPv4 address */
	uint64_t v6;           /* next free /64 (upper 64 bits) */
	uint64_t *dids;        /* DID numbers, with their location index */
	size_t *did_loc;
	size_t ndids, capdids;
} tenant_t;

typedef struct {
	const gen_opts_t *o;
	FILE *y, *q;
	rng_t rng;     /* element kinds and values */
	rng_t qrng;    /* query sampling (kept apart: same map for any query count) */
	double qprob;  /* probability that an element becomes a query line */
	bool need_network; /* "network:" not yet written for this location */
	gen_stats_t st;
} gen_t;

static bool sample(gen_t *g)
{
	if (!g->q)
		return false;
	return (double)(rng_next(&g->qrng) >> 11) * 0x1.0p-53 < g->qprob;
}

static void chassis_of_switch(const tenant_t *t, uint64_t sw, char *out, size_t n, bool *text)
{
	/* one switch in ten reports a locally assigned name instead of its MAC */
	*text = sw % 10 == 9;
	if (*text) {
		snprintf(out, n, "sw-t%u-%06" PRIu64, t->idx, sw);
	} else {
		char m[18];
		fmt_mac(((uint64_t)0x02 << 40) | ((uint64_t)t->idx << 32) | sw, m);
		snprintf(out, n, "%s", m);
	}
}

static void add_did(tenant_t *t, uint64_t num, size_t loc)
{
	if (t->ndids == t->capdids) {
		t->capdids = t->capdids ? 2 * t->capdids : 1024;
		t->dids = realloc(t->dids, t->capdids * sizeof *t->dids);
		t->did_loc = realloc(t->did_loc, t->capdids * sizeof *t->did_loc);
		if (!t->dids || !t->did_loc)
			abort();
	}
	t->dids[t->ndids] = num;
	t->did_loc[t->ndids++] = loc;
}

static void loc_id(const tenant_t *t, size_t loc, char out[48])
{
	snprintf(out, 48, "t%u-b%05zu-l%07zu", t->idx, loc / LOCATIONS_PER_BUILDING, loc);
}

/* One network element of location `loc`: a YAML list item and maybe a query. */
static void element(gen_t *g, tenant_t *t, size_t loc)
{
	FILE *y = g->y;
	unsigned r = rng_below(&g->rng, 100);
	char a[64], b[64];
	bool text;

	if (r < 95 && g->need_network) {
		fprintf(y, "            network:\n");
		g->need_network = false;
	}

	if (r < 60) { /* chassis + port */
		if (t->port == 0 || t->port > PORTS_PER_SWITCH) {
			t->sw++;
			t->port = 1;
		}
		chassis_of_switch(t, t->sw, a, sizeof a, &text);
		snprintf(b, sizeof b, text ? "ge-0/0/%" PRIu64 : "Gi1/0/%" PRIu64, t->port++);
		fprintf(y, "              - lldp: {chassis: \"%s\", port: \"%s\"}\n", a, b);
		g->st.lldp_port++;
		if (sample(g))
			fprintf(g->q, "@%s lldp-port %s %s\n", t->id, a, b), g->st.queries++;
	} else if (r < 80) { /* BSSID, ~5% wildcards */
		unsigned w = rng_below(&g->rng, 40);
		uint64_t base = (uint64_t)t->idx << 32, qm;
		if (w == 0) {
			uint64_t v = ((uint64_t)0x0b << 40) | base | (t->bw1++ << 4);
			fmt_mac(v, a);
			a[16] = '*';
			qm = v | rng_below(&g->rng, 16);
		} else if (w == 1) {
			uint64_t v = ((uint64_t)0x0c << 40) | base | (t->bw2++ << 8);
			fmt_mac(v, a);
			a[15] = a[16] = '*';
			qm = v | rng_below(&g->rng, 256);
		} else {
			qm = ((uint64_t)0x0a << 40) | base | t->bssid++;
			fmt_mac(qm, a);
		}
		fprintf(y, "              - bssid: \"%s\"\n", a);
		if (w < 2)
			g->st.bssid_wild++;
		else
			g->st.bssid++;
		if (sample(g)) {
			fmt_mac(qm, b);
			fprintf(g->q, "@%s %s %s\n", t->id, w < 2 ? "bssid-wild" : "bssid", b);
			g->st.queries++;
		}
	} else if (r < 88) { /* subnet */
		if (rng_below(&g->rng, 10) < 7) {
			static const unsigned plens[] = {22, 23, 24, 24, 24, 24, 24, 24, 25, 25,
			                                 26, 26, 26, 27, 27, 28, 28, 29, 29, 30};
			unsigned plen = plens[rng_below(&g->rng, 20)];
			uint64_t size = (uint64_t)1 << (32 - plen);
			uint64_t at = (t->v4 + size - 1) & ~(size - 1);
			t->v4 = at + size;
			fmt_ip4((uint32_t)at, a);
			fprintf(y, "              - subnet: %s/%u\n", a, plen);
			g->st.subnet4++;
			if (sample(g)) {
				fmt_ip4((uint32_t)(at + 1 + rng_below(&g->qrng, (unsigned)size - 2)), b);
				fprintf(g->q, "@%s ip %s\n", t->id, b), g->st.queries++;
			}
		} else {
			unsigned k = rng_below(&g->rng, 20);
			unsigned plen = k == 0 ? 48 : k < 4 ? 56 : 64;
			uint64_t size = (uint64_t)1 << (64 - plen);
			uint64_t at = (t->v6 + size - 1) & ~(size - 1);
			t->v6 = at + size;
			fmt_ip6(at, 0, a);
			/* "x:x:x:x::0" -> "x:x:x:x::" */
			a[strlen(a) - 1] = '\0';
			fprintf(y, "              - subnet: \"%s/%u\"\n", a, plen);
			g->st.subnet6++;
			if (sample(g)) {
				fmt_ip6(at + rng_below(&g->qrng, (unsigned)(size > 4096 ? 4096 : size)),
				        1 + rng_below(&g->qrng, 65000), b);
				fprintf(g->q, "@%s ip %s\n", t->id, b), g->st.queries++;
			}
		}
	} else if (r < 92) { /* whole switch */
		fmt_mac(((uint64_t)0x06 << 40) | ((uint64_t)t->idx << 32) | t->whole_sw++, a);
		fprintf(y, "              - lldp: {chassis: \"%s\"}\n", a);
		g->st.lldp_chassis++;
		if (sample(g))
			fprintf(g->q, "@%s lldp-chassis %s Gi2/0/%u\n", t->id, a,
			        1 + rng_below(&g->qrng, 48)),
			        g->st.queries++;
	} else if (r < 95) { /* gateway MAC */
		fmt_mac(((uint64_t)0x0e << 40) | ((uint64_t)t->idx << 32) | t->gw++, a);
		fprintf(y, "              - gateway_mac: \"%s\"\n", a);
		g->st.gateway++;
		if (sample(g))
			fprintf(g->q, "@%s gw %s\n", t->id, a), g->st.queries++;
	} else { /* DID, written in the tenant's dids: list */
		uint64_t num = 2125550000ULL + (uint64_t)t->idx * 1000000000ULL + t->did++;
		add_did(t, num, loc);
		g->st.did++;
		if (sample(g))
			fprintf(g->q, "@%s did +1%" PRIu64 "\n", t->id, num), g->st.queries++;
	}
}

static void miss_line(gen_t *g, const tenant_t *t)
{
	char ch[18], bs[18], gw[18], ip[48];
	fmt_mac(((uint64_t)0x3e << 40) | (rng_next(&g->qrng) & 0xffffffffULL), ch);
	fmt_mac(((uint64_t)0x3a << 40) | (rng_next(&g->qrng) & 0xffffffffULL), bs);
	fmt_mac(((uint64_t)0x3c << 40) | (rng_next(&g->qrng) & 0xffffffffULL), gw);
	uint64_t r = rng_next(&g->qrng);
	/* half off-net (a home network: 192.0.2.0/24, 3fff::/20), half in the tenant's
	 * own ranges past its last subnet (an office subnet nobody provisioned) */
	if ((r & 3) == 0)
		snprintf(ip, sizeof ip, "192.0.2.%u", 1 + (unsigned)(rng_next(&g->qrng) % 254));
	else if ((r & 3) == 1)
		fmt_ip6(0x3fff000000000000ULL | (rng_next(&g->qrng) & 0xffffffffULL), 1, ip);
	else if ((r & 3) == 2)
		fmt_ip4((uint32_t)(t->v4 + 1 + rng_next(&g->qrng) % 65534), ip);
	else
		fmt_ip6(t->v6 + rng_next(&g->qrng) % 4096, 1 + (unsigned)(rng_next(&g->qrng) % 65000),
		        ip);
	fprintf(g->q, "@%s miss %s Gi9/9/%u %s %s %s\n", t->id, ch,
	        (unsigned)(rng_next(&g->qrng) % 48) + 1, bs, ip, gw);
	g->st.queries++;
}

static void tenant(gen_t *g, tenant_t *t, size_t nel, size_t nmiss)
{
	FILE *y = g->y;
	size_t nloc = (nel + ELEMENTS_PER_LOCATION - 1) / ELEMENTS_PER_LOCATION;
	static const char *const tname[] = {"Example Corp", "Acme Health", "Northwind Schools"};
	static const char *const city[] = {"San Jose", "Austin", "Raleigh", "Denver", "Chicago"};
	static const char *const a1[] = {"CA", "TX", "NC", "CO", "IL"};

	fprintf(y, "  - id: %s\n    name: %s\n    did_fallback: true\n    buildings:\n", t->id,
	        tname[t->idx % 3]);
	size_t el = 0;
	for (size_t loc = 0; loc < nloc; loc++) {
		size_t bld = loc / LOCATIONS_PER_BUILDING;
		if (loc % LOCATIONS_PER_BUILDING == 0) {
			unsigned c = (unsigned)(bld % 5);
			double lat = 30.0 + (double)(bld % 997) * 0.01, lon = -120.0 + (double)(bld % 991) * 0.01;
			fprintf(y,
			        "      - id: t%u-b%05zu\n"
			        "        name: Building %zu%s\n"
			        "        address: {country: US, A1: %s, A3: %s, HNO: \"%zu\", RD: Main, STS: St,"
			        " PC: \"%05zu\"}\n"
			        "        geo: {lat: %.5f, lon: %.5f, radius: 60}\n"
			        "        locations:\n",
			        t->idx, bld, bld, g->o->rev ? " (rev)" : "", a1[c], city[c], 100 + bld,
			        10000 + bld % 89999, lat, lon);
			g->st.buildings++;
		}
		char id[48];
		loc_id(t, loc, id);
		unsigned flr = (unsigned)(loc % LOCATIONS_PER_BUILDING) / 10 + 1;
		fprintf(y,
		        "          - id: %s\n"
		        "            name: Floor %u, area %zu, rev %u\n"
		        "            address: {FLR: \"%u\", ROOM: \"%u%02zu\"}\n",
		        id, flr, loc % 10, g->o->rev, flr, flr, loc % 100);
		if (loc % 3 == 0)
			fprintf(y, "            geo: {lat: %.5f, lon: %.5f, radius: 15}\n",
			        30.0 + (double)(bld % 997) * 0.01 + (double)(loc % 50) * 1e-5,
			        -120.0 + (double)(bld % 991) * 0.01);
		if (loc % 4 == 0)
			fprintf(y, "            ecbn: \"+1212555%04zu\"\n", loc % 10000);
		g->st.locations++;
		size_t end = el + ELEMENTS_PER_LOCATION < nel ? el + ELEMENTS_PER_LOCATION : nel;
		g->need_network = true; /* written before the first non-DID element */
		for (; el < end; el++)
			element(g, t, loc);
	}
	if (t->ndids) {
		fprintf(y, "    dids:\n");
		for (size_t i = 0; i < t->ndids; i++) {
			char id[48];
			loc_id(t, t->did_loc[i], id);
			fprintf(y, "      - {did: \"+1%" PRIu64 "\", location: %s}\n", t->dids[i], id);
		}
	}
	if (g->q)
		for (size_t i = 0; i < nmiss; i++)
			miss_line(g, t);
}

int gen_write(const gen_opts_t *o, FILE *yaml, FILE *queries, gen_stats_t *st)
{
	gen_t g;
	unsigned nt = o->tenants ? o->tenants : o->elements < 10000 ? 1 : 3;
	static const unsigned share3[] = {70, 20, 10}, share2[] = {75, 25}, share1[] = {100};
	const unsigned *share = nt == 1 ? share1 : nt == 2 ? share2 : share3;
	int rc = 0;

	if (nt > 3)
		nt = 3;
	memset(&g, 0, sizeof g);
	g.o = o;
	g.y = yaml;
	g.q = queries;
	g.rng.s = o->seed;
	g.qrng.s = o->seed ^ 0x5bd1e995ULL;
	g.qprob = o->elements ? (double)o->max_queries / (double)o->elements : 0;
	fprintf(yaml, "# synthetic wiremap: %zu elements, seed %" PRIu64 ", rev %u (bench/gen.c)\n"
	              "format: 1\ntenants:\n",
	        o->elements, o->seed, o->rev);
	size_t left = o->elements;
	for (unsigned i = 0; i < nt; i++) {
		tenant_t t;
		memset(&t, 0, sizeof t);
		t.idx = i;
		snprintf(t.id, sizeof t.id, "6f1c2a7e-0b4d-4c55-9a0e-%012x", 0xbe0c0 + i);
		t.v4 = (uint64_t)10 << 24;
		t.v6 = 0x20010db800000000ULL;
		size_t n = i + 1 == nt ? left : o->elements * share[i] / 100;
		left -= n;
		size_t hits_expected = (size_t)(g.qprob * (double)n);
		if (hits_expected > n)
			hits_expected = n;
		tenant(&g, &t, n, hits_expected * o->miss_pct / 100);
		free(t.dids);
		free(t.did_loc);
	}
	g.st.tenants = nt;
	if (fflush(yaml) != 0 || ferror(yaml) || (queries && (fflush(queries) || ferror(queries))))
		rc = -1;
	if (st)
		*st = g.st;
	return rc;
}
