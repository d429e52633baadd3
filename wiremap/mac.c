/*
 * MAC addresses and BSSIDs in every notation of SPEC §2, normalised to octets
 * where they enter.
 */
#include <stdio.h>
#include <string.h>

#include "wiremap/wiremap.h"

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

/*
 * Collects the 12 digit characters of a MAC written in one of the accepted
 * notations (no check of the digits themselves). Returns 0 or LIS_EDATA.
 */
static int mac_digits(const char *s, size_t len, char d[12])
{
	size_t k = 0;

	if (len == 17) {
		char sep = s[2];
		if (sep != '-' && sep != ':')
			return LIS_EDATA;
		for (size_t i = 0; i < 17; i++) {
			if (i % 3 == 2) {
				if (s[i] != sep)
					return LIS_EDATA;
			} else {
				d[k++] = s[i];
			}
		}
		return 0;
	}
	if (len == 14) {
		for (size_t i = 0; i < 14; i++) {
			if (i == 4 || i == 9) {
				if (s[i] != '.')
					return LIS_EDATA;
			} else {
				d[k++] = s[i];
			}
		}
		return 0;
	}
	if (len == 12) {
		memcpy(d, s, 12);
		return 0;
	}
	return LIS_EDATA;
}

static int digits_to_mac(const char d[12], size_t ndig, wm_mac_t *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ndig; i++) {
		int v = hexval(d[i]);
		if (v < 0)
			return LIS_EDATA;
		out->o[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	return 0;
}

int wm_mac_parse(const char *s, size_t len, wm_mac_t *out)
{
	char d[12];
	wm_mac_t m;

	if (!s || mac_digits(s, len, d) < 0 || digits_to_mac(d, 12, &m) < 0)
		return LIS_EDATA;
	*out = m;
	return 0;
}

void wm_mac_format(const wm_mac_t *m, char out[18])
{
	snprintf(out, 18, "%02x-%02x-%02x-%02x-%02x-%02x", m->o[0], m->o[1], m->o[2], m->o[3],
	         m->o[4], m->o[5]);
}

int wm_bssid_parse(const char *s, size_t len, wm_bssid_t *out)
{
	char d[12];
	wm_bssid_t b;

	if (!s || mac_digits(s, len, d) < 0)
		return LIS_EDATA;
	b.wild = 0;
	if (d[11] == '*')
		b.wild = d[10] == '*' ? 2 : 1;
	if (digits_to_mac(d, 12u - b.wild, &b.mac) < 0)
		return LIS_EDATA;
	*out = b;
	return 0;
}

void wm_bssid_format(const wm_bssid_t *b, char out[18])
{
	wm_mac_format(&b->mac, out);
	if (b->wild >= 1)
		out[16] = '*';
	if (b->wild >= 2)
		out[15] = '*';
}
