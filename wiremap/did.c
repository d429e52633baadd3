/*
 * DIDs as E.164 numbers ("+" and 1..15 digits), from the bare form, tel: URIs
 * (RFC 3966 visual separators dropped, parameters ignored) and sip:/sips:
 * URIs whose user part is a global number.
 */
#include <string.h>
#include <strings.h>

#include "wiremap/wiremap.h"

static bool is_visual(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

int wm_did_parse(const char *s, size_t len, wm_did_t *out)
{
	wm_did_t d;
	size_t i = 0;
	bool visual = false;

	if (!s)
		return LIS_EDATA;
	if (len >= 4 && strncasecmp(s, "tel:", 4) == 0) {
		i = 4;
		visual = true;
	} else if (len >= 5 && strncasecmp(s, "sips:", 5) == 0) {
		i = 5;
		visual = true;
	} else if (len >= 4 && strncasecmp(s, "sip:", 4) == 0) {
		i = 4;
		visual = true;
	}
	if (i >= len || s[i] != '+')
		return LIS_EDATA;
	d.len = 0;
	d.d[d.len++] = '+';
	for (i++; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (d.len >= 16)
				return LIS_EDATA;
			d.d[d.len++] = c;
		} else if (visual && is_visual(c)) {
			continue;
		} else if (visual && (c == ';' || c == '@')) {
			break; /* parameters / host part */
		} else {
			return LIS_EDATA;
		}
	}
	if (d.len < 2)
		return LIS_EDATA;
	d.d[d.len] = '\0';
	*out = d;
	return 0;
}
