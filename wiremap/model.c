/*
 * The import model (what files describe) and the value parsers that explain
 * to an administrator what is wrong with a value and how to write it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/wiremap_internal.h"

void wm_model_init(wm_model_t *m)
{
	memset(m, 0, sizeof(*m));
	wm_arena_init(&m->arena);
}

void wm_model_deinit(wm_model_t *m)
{
	for (size_t i = 0; i < m->tenants.n; i++) {
		wm_m_tenant_t *t = &m->tenants.v[i];
		free(t->trusted.v);
		free(t->buildings.v);
		free(t->locations.v);
		free(t->elements.v);
		free(t->dids.v);
	}
	free(m->tenants.v);
	wm_arena_deinit(&m->arena);
	memset(m, 0, sizeof(*m));
}

wm_m_tenant_t *wm_model_tenant(wm_model_t *m, const char *id, wm_src_t src)
{
	for (size_t i = 0; i < m->tenants.n; i++)
		if (strcmp(m->tenants.v[i].id, id) == 0)
			return &m->tenants.v[i];
	wm_m_tenant_t *t = WM_VEC_PUSH(m->tenants);
	t->id = wm_arena_strndup(&m->arena, id, strlen(id));
	t->src = src;
	return t;
}

void wm_model_add_element(wm_model_t *m, wm_m_tenant_t *t, wm_el_kind_t kind, const uint8_t *key,
                          size_t keylen, const char *location, wm_src_t src)
{
	wm_m_element_t *e = WM_VEC_PUSH(t->elements);
	e->kind = (uint8_t)kind;
	e->keylen = (uint16_t)keylen;
	e->key = wm_arena_memdup(&m->arena, key, keylen);
	e->location = location;
	e->src = src;
}

/* ---------------- value parsers with explanations ------------------ */

/* "value" for messages: at most 60 bytes, control characters shown as '?'. */
static const char *quoted(const char *s, size_t len, char buf[72])
{
	size_t n = len > 60 ? 60 : len, o = 0;
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (n < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

#define MAC_EXAMPLE                                                                                \
	"6 octets like 00-11-22-33-44-55 (also 00:11:22:33:44:55, 0011.2233.4455 or "              \
	"001122334455)"

static void explain_mac(const char *s, size_t len, bool wild_ok, const char *what, char *why,
                        size_t whylen)
{
	char q[72];
	size_t digits = 0;
	char seps[4] = "";
	size_t nsep = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (isxdigit((unsigned char)c) || (wild_ok && c == '*')) {
			digits++;
		} else if (c == '-' || c == ':' || c == '.') {
			if (!memchr(seps, c, nsep) && nsep < 3)
				seps[nsep++] = c;
		} else {
			snprintf(why, whylen,
			         "%s is not a %s: '%c' is not a hex digit; expected %s",
			         quoted(s, len, q), what, isprint((unsigned char)c) ? c : '?',
			         MAC_EXAMPLE);
			return;
		}
	}
	if (wild_ok && memchr(s, '*', len) && digits == 12) {
		snprintf(why, whylen,
		         "%s is not a %s: only the last 1 or 2 hex digits may be '*', like "
		         "00-11-22-33-44-5* or 00-11-22-33-44-**",
		         quoted(s, len, q), what);
		return;
	}
	if (digits != 12) {
		snprintf(why, whylen, "%s is not a %s: it has %zu hex digits, expected %s",
		         quoted(s, len, q), what, digits, MAC_EXAMPLE);
		return;
	}
	snprintf(why, whylen, "%s is not a %s: %s; expected %s", quoted(s, len, q), what,
	         nsep > 1 ? "mixed separators" : "misplaced separators", MAC_EXAMPLE);
}

int wm_in_mac(const char *s, size_t len, wm_mac_t *out, char *why, size_t whylen)
{
	if (wm_mac_parse(s, len, out) == 0)
		return 0;
	explain_mac(s, len, false, "MAC address", why, whylen);
	return LIS_EDATA;
}

int wm_in_bssid(const char *s, size_t len, wm_bssid_t *out, char *why, size_t whylen)
{
	if (wm_bssid_parse(s, len, out) == 0)
		return 0;
	explain_mac(s, len, true, "BSSID", why, whylen);
	return LIS_EDATA;
}

int wm_in_cidr(const char *s, size_t len, wm_cidr_t *out, char *why, size_t whylen)
{
	char q[72];
	const char *slash = memchr(s, '/', len);
	wm_ip_t ip;

	if (wm_cidr_parse(s, len, out) == 0)
		return 0;
	if (!slash) {
		if (wm_ip_parse(s, len, &ip) == 0)
			snprintf(why, whylen,
			         "%s has no prefix length: write the subnet as %.*s/%u (or the "
			         "network's real prefix, e.g. 10.20.30.0/24)",
			         quoted(s, len, q), (int)len, s, ip.family == 4 ? 32u : 128u);
		else
			snprintf(why, whylen,
			         "%s is not a subnet: expected an IPv4 or IPv6 CIDR like "
			         "10.20.30.0/24 or 2001:db8:1::/64",
			         quoted(s, len, q));
		return LIS_EDATA;
	}
	size_t alen = (size_t)(slash - s);
	if (wm_ip_parse(s, alen, &ip) < 0) {
		snprintf(why, whylen,
		         "%s is not a subnet: \"%.*s\" is not an IPv4 or IPv6 address; expected "
		         "a CIDR like 10.20.30.0/24 or 2001:db8:1::/64",
		         quoted(s, len, q), (int)(alen > 50 ? 50 : alen), s);
		return LIS_EDATA;
	}
	char *end = NULL;
	char pbuf[8] = "";
	size_t plen_len = len - alen - 1;
	if (plen_len > 0 && plen_len < sizeof pbuf)
		memcpy(pbuf, slash + 1, plen_len);
	unsigned long plen = strtoul(pbuf, &end, 10);
	unsigned max = ip.family == 4 ? 32 : 128;
	if (plen_len == 0 || plen_len >= sizeof pbuf || *end || !isdigit((unsigned char)pbuf[0]) ||
	    plen > max) {
		snprintf(why, whylen, "%s is not a subnet: the prefix length must be 0..%u",
		         quoted(s, len, q), max);
		return LIS_EDATA;
	}
	/* host bits set: suggest the network address */
	wm_cidr_t c;
	memset(&c, 0, sizeof c);
	c.family = ip.family;
	c.plen = (uint8_t)plen;
	memcpy(c.a, ip.a, 16);
	for (unsigned bit = (unsigned)plen; bit < 128; bit++)
		c.a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	char fix[50];
	wm_cidr_format(&c, fix);
	snprintf(why, whylen, "%s has host bits set: the subnet is %s", quoted(s, len, q), fix);
	return LIS_EDATA;
}

int wm_in_lldp(const char *s, size_t len, wm_lldp_id_t *out, char *why, size_t whylen)
{
	if (len == 0) {
		snprintf(why, whylen,
		         "is empty: give the MAC address or the name the switch reports");
		return LIS_EDATA;
	}
	if (len > WM_LLDP_MAX) {
		snprintf(why, whylen, "is %zu bytes long; an LLDP id has at most %d", len,
		         WM_LLDP_MAX);
		return LIS_EDATA;
	}
	return wm_lldp_parse_config(s, len, out);
}

int wm_in_did(const char *s, size_t len, wm_did_t *out, char *why, size_t whylen)
{
	char q[72];
	if (wm_did_parse(s, len, out) == 0)
		return 0;
	snprintf(why, whylen,
	         "%s is not an E.164 number: expected '+' and 1 to 15 digits, like +14085551234",
	         quoted(s, len, q));
	return LIS_EDATA;
}
