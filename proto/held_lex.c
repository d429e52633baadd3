/*
 * Lexical forms of the XML Schema types the decoder interprets. Every
 * function applies whiteSpace="collapse" (leading/trailing XML whitespace is
 * insignificant) and rejects anything else the type does not allow.
 */
#include <string.h>

#include "proto/proto_internal.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *held_lex_trim(const char *s, size_t *n)
{
	size_t len = *n;
	while (len && is_ws(*s))
		s++, len--;
	while (len && is_ws(s[len - 1]))
		len--;
	*n = len;
	return s;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

bool held_lex_boolean(const char *s, size_t n, bool *out)
{
	s = held_lex_trim(s, &n);
	if (eq(s, n, "true") || eq(s, n, "1"))
		*out = true;
	else if (eq(s, n, "false") || eq(s, n, "0"))
		*out = false;
	else
		return false;
	return true;
}

/* xs:nonNegativeInteger, saturating at max. */
static bool lex_nonneg(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	bool neg = false;
	uint64_t v = 0;

	s = held_lex_trim(s, &n);
	if (n && (*s == '+' || *s == '-')) {
		neg = *s == '-';
		s++, n--;
	}
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v < max) {
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > max)
				v = max;
		}
	}
	if (neg && v != 0) /* "-0" is a valid nonNegativeInteger */
		return false;
	*out = v;
	return true;
}

bool held_lex_response_time(const char *s, size_t n, held_rt_kind_t *kind, uint32_t *ms)
{
	uint64_t v;

	s = held_lex_trim(s, &n);
	if (eq(s, n, "emergencyRouting")) {
		*kind = HELD_RT_ROUTING;
		*ms = 0;
		return true;
	}
	if (eq(s, n, "emergencyDispatch")) {
		*kind = HELD_RT_DISPATCH;
		*ms = 0;
		return true;
	}
	if (!lex_nonneg(s, n, UINT32_MAX, &v))
		return false;
	*kind = HELD_RT_MS;
	*ms = (uint32_t)v;
	return true;
}

bool held_lex_byte(const char *s, size_t n, unsigned *out)
{
	uint64_t v;
	if (!lex_nonneg(s, n, 256, &v) || v > 255)
		return false;
	*out = (unsigned)v;
	return true;
}

bool held_lex_location_type(const char *s, size_t n, bool *any, uint8_t types[3], uint8_t *n_types,
                            const char **why)
{
	bool saw_any = false;
	uint8_t k = 0;
	size_t ntok = 0;
	size_t i = 0;

	while (i < n) {
		while (i < n && is_ws(s[i]))
			i++;
		if (i == n)
			break;
		size_t b = i;
		while (i < n && !is_ws(s[i]))
			i++;
		const char *t = s + b;
		size_t tl = i - b;
		uint8_t lt;

		ntok++;
		if (eq(t, tl, "any")) {
			saw_any = true;
			continue;
		} else if (eq(t, tl, "civic")) {
			lt = HELD_LT_CIVIC;
		} else if (eq(t, tl, "geodetic")) {
			lt = HELD_LT_GEODETIC;
		} else if (eq(t, tl, "locationURI")) {
			lt = HELD_LT_URI;
		} else {
			*why =
			    "locationType: unknown location type (expected any, civic, geodetic, "
			    "locationURI)";
			return false;
		}
		bool dup = false;
		for (uint8_t j = 0; j < k; j++)
			dup |= types[j] == lt;
		if (!dup)
			types[k++] = lt;
	}
	if (ntok == 0) {
		*why = "locationType: empty";
		return false;
	}
	if (saw_any && ntok > 1) {
		*why = "locationType: \"any\" cannot be combined with other types";
		return false;
	}
	*any = saw_any;
	*n_types = k;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool held_lex_hex(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	s = held_lex_trim(s, &n);
	if (n % 2 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}
