/*
 * YAML wiremap loader (SPEC §2, format: 1). libyaml events are turned into a
 * compact node tree in a scratch arena (one allocation per many nodes, line
 * numbers kept), then walked to fill the model. Every problem is reported as
 * "FILE:LINE: field: what is wrong and how to fix it"; a syntax error stops
 * the file, any other error is collected and the walk goes on.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "wiremap/yaml_internal.h"

/* ---------------- walk context --------------------------------------- */

typedef struct {
	unsigned line;
	size_t seq;
	char *text; /**< "field: message" or "message" */
} yerror;

typedef struct {
	wm_model_t *m;
	wm_model_t sink; /**< receives records whose tenant id is unusable */
	wm_diag_t *diag;
	const char *file;
	size_t errors;
	WM_VEC(yerror) pend; /**< reported in line order at the end */
} yctx;

__attribute__((format(printf, 4, 5))) static void yerr(yctx *c, unsigned line, const char *field,
                                                       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	yerror *e = WM_VEC_PUSH(c->pend);
	e->line = line;
	e->seq = c->errors++;
	if (asprintf(&e->text, "%s%s%s", field ? field : "", field ? ": " : "", msg) < 0)
		abort();
}

static int cmp_yerror(const void *a, const void *b)
{
	const yerror *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_errors(yctx *c)
{
	if (c->pend.n > 1)
		qsort(c->pend.v, c->pend.n, sizeof(yerror), cmp_yerror);
	for (size_t i = 0; i < c->pend.n; i++) {
		wm_diag_add(c->diag, c->file, c->pend.v[i].line, NULL, "%s", c->pend.v[i].text);
		free(c->pend.v[i].text);
	}
	free(c->pend.v);
	c->pend.v = NULL;
	c->pend.n = c->pend.cap = 0;
}

static const char *ytype_name(const ynode *n)
{
	switch (n->type) {
	case YN_SEQ:
		return "a list";
	case YN_MAP:
		return "a mapping";
	default:
		return "a value";
	}
}

static bool is_null(const ynode *n)
{
	if (!n)
		return true;
	if (n->type != YN_SCALAR || !n->plain)
		return false;
	return n->n == 0 || (n->n == 1 && n->u.s[0] == '~') ||
	       (n->n == 4 && strncasecmp(n->u.s, "null", 4) == 0);
}

static bool want(yctx *c, const ynode *n, uint8_t type, const char *field)
{
	if (n->type == type)
		return true;
	static const char *const what[] = {"", "a value", "a list", "a mapping"};
	yerr(c, n->line, field, "expected %s, found %s", what[type], ytype_name(n));
	return false;
}

/* A non-empty scalar; reports and returns false otherwise. */
static bool want_value(yctx *c, const ynode *n, const char *field)
{
	if (!want(c, n, YN_SCALAR, field))
		return false;
	if (is_null(n) || n->n == 0) {
		yerr(c, n->line, field, "is empty; give a value");
		return false;
	}
	return true;
}

/*
 * Spreads the pairs of a mapping over `allowed` (vals[i] = value of
 * allowed[i]); unknown and repeated keys are reported. `prefix` is prepended
 * to key names in field paths ("address." ...), may be "".
 */
static void collect(yctx *c, const ynode *map, const char *const *allowed, size_t nallowed,
                    const ynode **vals, const char *prefix)
{
	char field[160];
	for (size_t i = 0; i < nallowed; i++)
		vals[i] = NULL;
	for (uint32_t p = 0; p < map->n; p++) {
		const ynode *k = map->u.kids[2 * p], *v = map->u.kids[2 * p + 1];
		if (k->type != YN_SCALAR) {
			yerr(c, k->line, prefix[0] ? prefix : NULL,
			     "a key must be a plain name, found %s", ytype_name(k));
			continue;
		}
		snprintf(field, sizeof field, "%s%.*s", prefix, (int)(k->n > 60 ? 60 : k->n),
		         k->u.s);
		size_t i;
		for (i = 0; i < nallowed; i++)
			if (strlen(allowed[i]) == k->n && memcmp(allowed[i], k->u.s, k->n) == 0)
				break;
		if (i == nallowed) {
			char list[400] = "";
			size_t o = 0;
			for (size_t j = 0; j < nallowed && o < sizeof list; j++)
				o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
				                      j ? ", " : "", allowed[j]);
			yerr(c, k->line, field, "unknown key \"%.*s\"; allowed here: %s",
			     (int)(k->n > 60 ? 60 : k->n), k->u.s, list);
			continue;
		}
		if (vals[i]) {
			yerr(c, k->line, field, "key given twice (first on line %u); keep one",
			     (unsigned)vals[i]->line);
			continue;
		}
		vals[i] = v;
	}
}

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------- values ---------------------------------------------- */

static const char *dup_id(yctx *c, const ynode *n, const char *field, bool tenant)
{
	if (!want_value(c, n, field))
		return NULL;
	for (uint32_t i = 0; i < n->n; i++) {
		unsigned char ch = (unsigned char)n->u.s[i];
		if (ch < 0x20 || ch == 0x7f) {
			yerr(c, n->line, field,
			     "contains a control character; ids are one line of text");
			return NULL;
		}
		if (tenant && (isspace(ch) || ch == '/' || ch == '?' || ch == '#')) {
			yerr(c, n->line, field,
			     "\"%.*s\" cannot be a tenant id: it appears in URLs (/held/{tenant}), "
			     "so "
			     "no spaces, '/', '?' or '#'; a GUID is typical",
			     (int)(n->n > 60 ? 60 : n->n), n->u.s);
			return NULL;
		}
	}
	return wm_arena_strndup(&c->m->arena, n->u.s, n->n);
}

static const char *dup_text(yctx *c, const ynode *n, const char *field)
{
	if (is_null(n))
		return NULL;
	if (!want(c, n, YN_SCALAR, field))
		return NULL;
	const char *t = wm_token_dup(&c->m->arena, n->u.s, n->n);
	return t[0] ? t : NULL;
}

static bool get_bool(yctx *c, const ynode *n, const char *field, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no",
	                                                                       "off"};
	if (!want(c, n, YN_SCALAR, field))
		return false;
	for (size_t i = 0; i < 3; i++) {
		if (n->n == strlen(yes[i]) && strncasecmp(n->u.s, yes[i], n->n) == 0) {
			*out = true;
			return true;
		}
		if (n->n == strlen(no[i]) && strncasecmp(n->u.s, no[i], n->n) == 0) {
			*out = false;
			return true;
		}
	}
	yerr(c, n->line, field, "\"%.*s\" is not a boolean: write true or false",
	     (int)(n->n > 60 ? 60 : n->n), n->u.s);
	return false;
}

static bool get_number(yctx *c, const ynode *n, const char *field, double lo, double hi,
                       double *out)
{
	char buf[64], *end;
	if (!want_value(c, n, field))
		return false;
	if (n->n >= sizeof buf)
		goto bad;
	memcpy(buf, n->u.s, n->n);
	buf[n->n] = '\0';
	errno = 0;
	double v = strtod(buf, &end);
	if (end == buf || *end || errno || !isfinite(v))
		goto bad;
	if (v < lo || v > hi) {
		if (isinf(hi))
			yerr(c, n->line, field, "%s is out of range: must be %g or more", buf, lo);
		else
			yerr(c, n->line, field, "%s is out of range: must be %g..%g", buf, lo, hi);
		return false;
	}
	*out = v;
	return true;
bad:
	yerr(c, n->line, field, "\"%.*s\" is not a number", (int)(n->n > 40 ? 40 : n->n), n->u.s);
	return false;
}

static void load_geo(yctx *c, const ynode *n, wm_geo_t *geo)
{
	static const char *const keys[] = {"lat", "lon", "radius"};
	const ynode *v[NKEYS(keys)];
	wm_geo_t g = {.set = true};
	bool ok = true;

	if (is_null(n) || !want(c, n, YN_MAP, "geo"))
		return;
	collect(c, n, keys, NKEYS(keys), v, "geo.");
	if (!v[0] || !v[1]) {
		yerr(c, n->line, "geo",
		     "needs both lat and lon (degrees, WGS 84), e.g. "
		     "{lat: 37.4107, lon: -121.954, radius: 40}");
		ok = false;
	}
	if (v[0] && !get_number(c, v[0], "geo.lat", -90, 90, &g.lat))
		ok = false;
	if (v[1] && !get_number(c, v[1], "geo.lon", -180, 180, &g.lon))
		ok = false;
	if (v[2] && !is_null(v[2]) && !get_number(c, v[2], "geo.radius", 0, INFINITY, &g.radius))
		ok = false;
	if (ok)
		*geo = g;
}

static void load_address(yctx *c, const ynode *n, const char **civic)
{
	char field[96];
	if (is_null(n) || !want(c, n, YN_MAP, "address"))
		return;
	for (uint32_t p = 0; p < n->n; p++) {
		const ynode *k = n->u.kids[2 * p], *v = n->u.kids[2 * p + 1];
		if (k->type != YN_SCALAR) {
			yerr(c, k->line, "address", "a key must be a civic element name, found %s",
			     ytype_name(k));
			continue;
		}
		int kk = wm_ca_key_lookup(k->u.s, k->n);
		snprintf(field, sizeof field, "address.%.*s", (int)(k->n > 60 ? 60 : k->n), k->u.s);
		if (kk < 0) {
			const char *hint = NULL;
			for (int i = 0; i < WM_CA_COUNT; i++) {
				const char *nm = wm_ca_key_name((wm_ca_key_t)i);
				if (strlen(nm) == k->n && strncasecmp(nm, k->u.s, k->n) == 0)
					hint = nm;
			}
			if (hint)
				yerr(c, k->line, field,
				     "unknown civic address key \"%.*s\"; did you mean %s? (names "
				     "are "
				     "case-sensitive)",
				     (int)(k->n > 60 ? 60 : k->n), k->u.s, hint);
			else
				yerr(c, k->line, field,
				     "unknown civic address key \"%.*s\"; use an RFC 5139/6848 "
				     "name: "
				     "country, A1-A6, PRM, PRD, RD, STS, POD, POM, RDSEC, RDBR, "
				     "RDSUBBR, "
				     "HNO, HNS, LMK, LOC, FLR, NAM, PC, BLD, UNIT, ROOM, SEAT, "
				     "PLC, PCN, "
				     "POBOX, ADDCODE, PN, MP, STP, HNP",
				     (int)(k->n > 60 ? 60 : k->n), k->u.s);
			continue;
		}
		if (!want(c, v, YN_SCALAR, field))
			continue;
		const char *t = wm_token_dup(&c->m->arena, v->u.s, v->n);
		if (is_null(v) || !t[0]) {
			yerr(c, v->line, field, "is empty; give a value or remove the key");
			continue;
		}
		if (kk == WM_CA_COUNTRY &&
		    !(strlen(t) == 2 && t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z')) {
			yerr(c, v->line, field,
			     "\"%s\" is not an ISO 3166-1 alpha-2 country code: two letters, upper "
			     "case, e.g. US",
			     t);
			continue;
		}
		if (civic[kk]) {
			yerr(c, k->line, field, "key given twice; keep one");
			continue;
		}
		civic[kk] = t;
	}
}

/* ---------------- records --------------------------------------------- */

static void load_network_item(yctx *c, wm_m_tenant_t *t, const char *loc, const ynode *it,
                              size_t idx)
{
	static const char *const keys[] = {"lldp", "bssid", "subnet", "gateway_mac"};
	const ynode *v[NKEYS(keys)];
	char pre[48], field[80], why[320];
	uint8_t key[WM_KEY_MAX];
	size_t klen = 0, present = 0, which = 0;
	wm_el_kind_t kind = WM_EL_BSSID;

	snprintf(pre, sizeof pre, "network[%zu]", idx);
	if (!want(c, it, YN_MAP, pre))
		return;
	snprintf(pre, sizeof pre, "network[%zu].", idx);
	collect(c, it, keys, NKEYS(keys), v, pre);
	for (size_t i = 0; i < NKEYS(keys); i++)
		if (v[i]) {
			if (present++ == 0)
				which = i;
		}
	snprintf(field, sizeof field, "network[%zu]", idx);
	if (present == 0) {
		if (it->n == 0)
			yerr(c, it->line, field,
			     "empty item; give one of lldp, bssid, subnet, gateway_mac");
		return;
	}
	if (present > 1) {
		yerr(c, it->line, field,
		     "an item holds exactly one of lldp, bssid, subnet, gateway_mac; put each on "
		     "its own \"- \" line");
		return;
	}
	const ynode *n = v[which];
	snprintf(field, sizeof field, "%s", keys[which]);
	wm_src_t src = {c->file, n->line};
	if (which == 0) {
		static const char *const lk[] = {"chassis", "port"};
		const ynode *lv[2];
		wm_lldp_id_t ch, port;
		if (!want(c, n, YN_MAP, "lldp"))
			return;
		collect(c, n, lk, 2, lv, "lldp.");
		if (!lv[0]) {
			yerr(c, n->line, "lldp",
			     "needs a chassis (the switch's chassis id: its MAC or "
			     "name), e.g. {chassis: \"00-1b-21-3c-4d-00\", port: Gi1/0/7}");
			return;
		}
		if (!want_value(c, lv[0], "lldp.chassis"))
			return;
		if (wm_in_lldp(lv[0]->u.s, lv[0]->n, &ch, why, sizeof why) < 0) {
			yerr(c, lv[0]->line, "lldp.chassis", "%s", why);
			return;
		}
		if (lv[1] && !is_null(lv[1])) {
			if (!want_value(c, lv[1], "lldp.port"))
				return;
			if (wm_in_lldp(lv[1]->u.s, lv[1]->n, &port, why, sizeof why) < 0) {
				yerr(c, lv[1]->line, "lldp.port", "%s", why);
				return;
			}
			kind = WM_EL_LLDP_PORT;
			klen = wm_key_lldp_port(&ch, &port, key);
		} else {
			kind = WM_EL_LLDP_CHASSIS;
			klen = wm_key_lldp_chassis(&ch, key);
		}
	} else {
		if (!want_value(c, n, field))
			return;
		int rc;
		if (which == 1) {
			wm_bssid_t b;
			kind = WM_EL_BSSID;
			if ((rc = wm_in_bssid(n->u.s, n->n, &b, why, sizeof why)) == 0)
				klen = wm_key_bssid(&b, key);
		} else if (which == 2) {
			wm_cidr_t cidr;
			kind = WM_EL_SUBNET;
			if ((rc = wm_in_cidr(n->u.s, n->n, &cidr, why, sizeof why)) == 0)
				klen = wm_key_subnet(&cidr, key);
		} else {
			wm_mac_t mac;
			kind = WM_EL_GATEWAY;
			if ((rc = wm_in_mac(n->u.s, n->n, &mac, why, sizeof why)) == 0)
				klen = wm_key_gateway(&mac, key);
		}
		if (rc < 0) {
			yerr(c, n->line, field, "%s", why);
			return;
		}
	}
	if (loc)
		wm_model_add_element(c->m, t, kind, key, klen, loc, src);
}

static void load_location(yctx *c, wm_m_tenant_t *t, const char *building, const ynode *it)
{
	static const char *const keys[] = {"id", "name", "address", "geo", "ecbn", "network"};
	const ynode *v[NKEYS(keys)];
	wm_m_location_t l;
	char why[320];

	if (!want(c, it, YN_MAP, "locations[]"))
		return;
	memset(&l, 0, sizeof l);
	collect(c, it, keys, NKEYS(keys), v, "");
	if (!v[0])
		yerr(c, it->line, "id",
		     "missing: every location needs an id, unique in the tenant");
	else
		l.id = dup_id(c, v[0], "id", false);
	l.src = (wm_src_t){c->file, v[0] ? v[0]->line : it->line};
	if (v[1])
		l.name = dup_text(c, v[1], "name");
	if (v[2])
		load_address(c, v[2], l.civic);
	if (v[3])
		load_geo(c, v[3], &l.geo);
	if (v[4] && !is_null(v[4]) && want_value(c, v[4], "ecbn")) {
		wm_did_t d;
		if (wm_in_did(v[4]->u.s, v[4]->n, &d, why, sizeof why) < 0)
			yerr(c, v[4]->line, "ecbn", "%s", why);
		else
			l.ecbn = wm_arena_strndup(&c->m->arena, d.d, d.len);
	}
	if (v[5] && !is_null(v[5]) && want(c, v[5], YN_SEQ, "network"))
		for (uint32_t i = 0; i < v[5]->n; i++)
			load_network_item(c, t, l.id, v[5]->u.kids[i], i);
	if (l.id) {
		l.building = building;
		*WM_VEC_PUSH(t->locations) = l;
	}
}

static void load_building(yctx *c, wm_m_tenant_t *t, const ynode *it)
{
	static const char *const keys[] = {"id", "name", "address", "geo", "locations"};
	const ynode *v[NKEYS(keys)];
	wm_m_building_t b;

	if (!want(c, it, YN_MAP, "buildings[]"))
		return;
	memset(&b, 0, sizeof b);
	collect(c, it, keys, NKEYS(keys), v, "");
	if (!v[0])
		yerr(c, it->line, "id",
		     "missing: every building needs an id, unique in the tenant");
	else
		b.id = dup_id(c, v[0], "id", false);
	b.src = (wm_src_t){c->file, v[0] ? v[0]->line : it->line};
	if (v[1])
		b.name = dup_text(c, v[1], "name");
	if (v[2])
		load_address(c, v[2], b.civic);
	if (v[3])
		load_geo(c, v[3], &b.geo);
	if (b.id)
		*WM_VEC_PUSH(t->buildings) = b;
	if (v[4] && !is_null(v[4]) && want(c, v[4], YN_SEQ, "locations"))
		for (uint32_t i = 0; i < v[4]->n; i++)
			load_location(c, t, b.id, v[4]->u.kids[i]);
}

static void load_did(yctx *c, wm_m_tenant_t *t, const ynode *it)
{
	static const char *const keys[] = {"did", "location"};
	const ynode *v[2];
	char why[320];
	wm_did_t d;
	bool ok = true;

	if (!want(c, it, YN_MAP, "dids[]"))
		return;
	collect(c, it, keys, 2, v, "");
	if (!v[0] || !v[1]) {
		yerr(c, it->line, v[0] ? "location" : "did",
		     "missing: a dids entry needs both, e.g. {did: \"+14085551234\", location: "
		     "sj-hq-1e}");
		ok = false;
	}
	if (v[0] && want_value(c, v[0], "did") &&
	    wm_in_did(v[0]->u.s, v[0]->n, &d, why, sizeof why) < 0) {
		yerr(c, v[0]->line, "did", "%s", why);
		ok = false;
	} else if (v[0] && (is_null(v[0]) || v[0]->type != YN_SCALAR)) {
		ok = false;
	}
	const char *loc = v[1] ? dup_id(c, v[1], "location", false) : NULL;
	if (!ok || !loc)
		return;
	wm_m_did_t *md = WM_VEC_PUSH(t->dids);
	md->did = d;
	md->location = loc;
	md->src = (wm_src_t){c->file, v[0]->line};
}

static void load_tenant(yctx *c, const ynode *it)
{
	static const char *const keys[] = {"id",        "name", "did_fallback", "trusted_networks",
	                                   "buildings", "dids"};
	const ynode *v[NKEYS(keys)];
	char field[48], why[320];

	if (!want(c, it, YN_MAP, "tenants[]"))
		return;
	collect(c, it, keys, NKEYS(keys), v, "");
	const char *id = NULL;
	if (!v[0])
		yerr(c, it->line, "id",
		     "missing: every tenant needs an id (its HELD company id, e.g. a GUID)");
	else
		id = dup_id(c, v[0], "id", true);
	wm_src_t src = {c->file, v[0] ? v[0]->line : it->line};
	/* a tenant whose id is unusable is still checked, into a throw-away model */
	wm_m_tenant_t *t = id ? wm_model_tenant(c->m, id, src) : wm_model_tenant(&c->sink, "", src);
	if (v[1] || v[2] || v[3]) {
		t->has_attrs = true;
		t->name = NULL;
		t->did_fallback = false;
		t->trusted.n = 0;
		if (t->src.file == NULL)
			t->src = src;
	}
	if (v[1])
		t->name = dup_text(c, v[1], "name");
	if (v[2])
		get_bool(c, v[2], "did_fallback", &t->did_fallback);
	if (v[3] && !is_null(v[3]) && want(c, v[3], YN_SEQ, "trusted_networks")) {
		for (uint32_t i = 0; i < v[3]->n; i++) {
			const ynode *n = v[3]->u.kids[i];
			wm_cidr_t cidr;
			snprintf(field, sizeof field, "trusted_networks[%u]", (unsigned)i);
			if (!want_value(c, n, field))
				continue;
			if (wm_in_cidr(n->u.s, n->n, &cidr, why, sizeof why) < 0) {
				yerr(c, n->line, field, "%s", why);
				continue;
			}
			*WM_VEC_PUSH(t->trusted) = cidr;
		}
	}
	if (v[4] && !is_null(v[4]) && want(c, v[4], YN_SEQ, "buildings"))
		for (uint32_t i = 0; i < v[4]->n; i++)
			load_building(c, t, v[4]->u.kids[i]);
	if (v[5] && !is_null(v[5]) && want(c, v[5], YN_SEQ, "dids"))
		for (uint32_t i = 0; i < v[5]->n; i++)
			load_did(c, t, v[5]->u.kids[i]);
}

static void load_root(yctx *c, const ynode *root)
{
	static const char *const keys[] = {"format", "tenants"};
	const ynode *v[2];

	if (!root || is_null(root)) {
		yerr(c, 1, NULL,
		     "the file is empty; a wiremap starts with \"format: 1\" and "
		     "\"tenants:\"");
		return;
	}
	if (root->type != YN_MAP) {
		yerr(c, root->line, NULL,
		     "expected a mapping with \"format: 1\" and \"tenants:\", found %s",
		     ytype_name(root));
		return;
	}
	collect(c, root, keys, 2, v, "");
	if (!v[0]) {
		yerr(c, root->line, "format", "missing; add \"format: 1\" at the top of the file");
		return;
	}
	if (v[0]->type != YN_SCALAR || v[0]->n != 1 || v[0]->u.s[0] != '1') {
		if (v[0]->type == YN_SCALAR)
			yerr(c, v[0]->line, "format",
			     "unsupported format %.*s; this openlis reads format 1",
			     (int)(v[0]->n > 20 ? 20 : v[0]->n), v[0]->u.s);
		else
			yerr(c, v[0]->line, "format", "expected 1, found %s", ytype_name(v[0]));
		return;
	}
	if (!v[1]) {
		yerr(c, root->line, "tenants", "missing; list the tenants (- id: ...)");
		return;
	}
	if (is_null(v[1]) || !want(c, v[1], YN_SEQ, "tenants"))
		return;
	for (uint32_t i = 0; i < v[1]->n; i++)
		load_tenant(c, v[1]->u.kids[i]);
}

int wm_model_load_yaml(wm_model_t *m, const char *path, wm_diag_t *diag)
{
	char *text = NULL;
	size_t len = 0;
	wm_arena_t scratch;
	ybuild b;
	yctx c;
	int rc = wm_read_file(path, &text, &len);

	if (rc < 0)
		return rc;
	wm_arena_init(&scratch);
	memset(&b, 0, sizeof b);
	b.a = &scratch;
	memset(&c, 0, sizeof c);
	c.m = m;
	c.diag = diag;
	wm_model_init(&c.sink);
	c.file = wm_arena_strndup(&m->arena, path, strlen(path));

	yaml_syntax_t syn;
	if (wm_yaml_tree(&b, text, len, &syn))
		load_root(&c, b.root);
	else
		yerr(&c, syn.line, NULL, "%s", syn.msg);
	rc = c.errors ? LIS_EDATA : 0;
	flush_errors(&c);

	wm_model_deinit(&c.sink);
	free(b.pending.v);
	free(b.open.v);
	free(b.anchors.v);
	wm_arena_deinit(&scratch);
	free(text);
	return rc;
}
