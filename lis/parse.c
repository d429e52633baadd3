/*
 * Value parsers for configuration text: durations, sizes, ADDR:PORT and
 * http(s) URLs. Pure functions, no allocation.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>

#include "lis/lis_internal.h"

int lis_parse_u64(const char *s, size_t len, size_t *used, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return LIS_EDATA;
		x = x * 10 + d;
		i++;
	}
	if (i == 0)
		return LIS_EDATA;
	*used = i;
	*v = x;
	return 0;
}

int lis_parse_duration_ms(const char *s, size_t len, uint64_t *ms)
{
	static const struct {
		const char *u;
		uint64_t mul;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
	uint64_t n;
	size_t used;

	if (lis_parse_u64(s, len, &used, &n))
		return LIS_EDATA;
	const char *u = s + used;
	size_t ul = len - used;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (ul == strlen(units[i].u) && memcmp(u, units[i].u, ul) == 0) {
			if (n > UINT64_MAX / units[i].mul)
				return LIS_EDATA;
			*ms = n * units[i].mul;
			return 0;
		}
	}
	return LIS_EDATA;
}

int lis_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	uint64_t n;
	size_t used;
	unsigned shift = 0;

	if (lis_parse_u64(s, len, &used, &n))
		return LIS_EDATA;
	const char *u = s + used;
	size_t ul = len - used;
	if (ul > 0) {
		switch (tolower((unsigned char)u[0])) {
		case 'b':
			shift = 0;
			break;
		case 'k':
			shift = 10;
			break;
		case 'm':
			shift = 20;
			break;
		case 'g':
			shift = 30;
			break;
		default:
			return LIS_EDATA;
		}
		const char *rest = u + 1;
		size_t rl = ul - 1;
		if (shift == 0 && rl != 0)
			return LIS_EDATA;
		if (!(rl == 0 || (rl == 1 && (rest[0] == 'B' || rest[0] == 'b')) ||
		      (rl == 2 && rest[0] == 'i' && rest[1] == 'B')))
			return LIS_EDATA;
	}
	if (shift && n > (UINT64_MAX >> shift))
		return LIS_EDATA;
	*bytes = n << shift;
	return 0;
}

int lis_parse_hostport(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen)
{
	char host[64];
	const char *port;
	size_t hl, pl;

	if (len == 0)
		return LIS_EDATA;
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb || rb + 1 >= s + len || rb[1] != ':')
			return LIS_EDATA;
		hl = (size_t)(rb - s - 1);
		if (hl == 0 || hl >= sizeof host)
			return LIS_EDATA;
		memcpy(host, s + 1, hl);
		port = rb + 2;
	} else {
		const char *colon = NULL;
		for (size_t i = 0; i < len; i++)
			if (s[i] == ':') {
				if (colon)
					return LIS_EDATA; /* bare IPv6 needs brackets */
				colon = s + i;
			}
		if (!colon)
			return LIS_EDATA;
		hl = (size_t)(colon - s);
		if (hl == 0 || hl >= sizeof host)
			return LIS_EDATA;
		memcpy(host, s, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	pl = (size_t)(s + len - port);
	uint64_t p;
	size_t used;
	if (pl == 0 || pl > 5 || lis_parse_u64(port, pl, &used, &p) || used != pl || p == 0 ||
	    p > 65535)
		return LIS_EDATA;

	memset(sa, 0, sizeof *sa);
	struct sockaddr_in *in4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	if (strcmp(host, "*") == 0) {
		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
		in4->sin_port = htons((uint16_t)p);
		*salen = sizeof *in4;
	} else if (s[0] != '[' && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		*salen = sizeof *in4;
	} else if (s[0] == '[' && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*salen = sizeof *in6;
	} else {
		return LIS_EDATA;
	}
	return 0;
}

int lis_url_host(const char *url, char *out, size_t outlen)
{
	const char *p;
	if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return LIS_EDATA;
	size_t n;
	if (*p == '[') {
		const char *rb = strchr(p, ']');
		if (!rb)
			return LIS_EDATA;
		n = (size_t)(rb - p + 1);
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0 || n >= outlen || memchr(p, '@', n))
		return LIS_EDATA;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)p[i]))
			return LIS_EDATA;
	memcpy(out, p, n);
	out[n] = '\0';
	if (p[n] == ':') { /* port: digits only */
		size_t d = strspn(p + n + 1, "0123456789");
		if (d == 0 || d > 5 || (p[n + 1 + d] != '\0' && p[n + 1 + d] != '/'))
			return LIS_EDATA;
	}
	return 0;
}
