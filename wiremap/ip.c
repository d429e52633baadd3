/*
 * IP addresses and CIDR prefixes. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
 * are stored as IPv4 so a dual-stack socket's view matches a v4 subnet.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wiremap/wiremap.h"

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int ip_parse(const char *s, size_t len, uint8_t *family, uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (!s || len == 0 || len >= sizeof buf)
		return LIS_EDATA;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(a, 0, 16);
	if (memchr(buf, ':', len)) {
		if (inet_pton(AF_INET6, buf, a) != 1)
			return LIS_EDATA;
		*family = 6;
	} else {
		if (inet_pton(AF_INET, buf, a) != 1)
			return LIS_EDATA;
		*family = 4;
	}
	return 0;
}

int wm_ip_parse(const char *s, size_t len, wm_ip_t *out)
{
	wm_ip_t ip;

	if (ip_parse(s, len, &ip.family, ip.a) < 0)
		return LIS_EDATA;
	if (ip.family == 6 && memcmp(ip.a, v4mapped, 12) == 0) {
		memmove(ip.a, ip.a + 12, 4);
		memset(ip.a + 4, 0, 12);
		ip.family = 4;
	}
	*out = ip;
	return 0;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;
	if (memcmp(a, b, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}

int wm_cidr_parse(const char *s, size_t len, wm_cidr_t *out)
{
	wm_cidr_t c;
	const char *slash;
	unsigned plen = 0;

	if (!s || !(slash = memchr(s, '/', len)))
		return LIS_EDATA;
	size_t alen = (size_t)(slash - s), plen_len = len - alen - 1;
	if (plen_len == 0 || plen_len > 3)
		return LIS_EDATA;
	for (size_t i = 0; i < plen_len; i++) {
		char ch = slash[1 + i];
		if (ch < '0' || ch > '9')
			return LIS_EDATA;
		plen = plen * 10 + (unsigned)(ch - '0');
	}
	if (ip_parse(s, alen, &c.family, c.a) < 0)
		return LIS_EDATA;
	if (plen > (c.family == 4 ? 32u : 128u))
		return LIS_EDATA;
	if (c.family == 6 && plen >= 96 && memcmp(c.a, v4mapped, 12) == 0) {
		memmove(c.a, c.a + 12, 4);
		memset(c.a + 4, 0, 12);
		c.family = 4;
		plen -= 96;
	}
	c.plen = (uint8_t)plen;
	/* host bits must be zero: 10.20.30.1/24 is almost always a typo */
	unsigned bytes = c.family == 4 ? 4 : 16;
	for (unsigned bit = plen; bit < bytes * 8; bit++)
		if (c.a[bit / 8] & (0x80 >> (bit % 8)))
			return LIS_EDATA;
	*out = c;
	return 0;
}

bool wm_cidr_contains(const wm_cidr_t *c, const wm_ip_t *ip)
{
	if (c->family != ip->family)
		return false;
	return prefix_eq(c->a, ip->a, c->plen);
}

void wm_ip_format(const wm_ip_t *ip, char out[46])
{
	if (!inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->a, out, 46))
		snprintf(out, 46, "?");
}

void wm_cidr_format(const wm_cidr_t *c, char out[50])
{
	char a[46];
	wm_ip_t ip;
	ip.family = c->family;
	memcpy(ip.a, c->a, 16);
	wm_ip_format(&ip, a);
	snprintf(out, 50, "%s/%u", a, (unsigned)c->plen);
}
