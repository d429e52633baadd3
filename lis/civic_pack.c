/*
 * One serialized form of a user-given civic address (held_civic_t), used by
 * the nomadic store's records (nomadic.c) and by the location URI tokens
 * that embed a nomadic answer (token.c):
 *
 *   u8 count (1..WM_CA_COUNT), count x (u8 wm_ca_key_t, u16 LE length, value)
 *
 * Decoding trusts nothing: every length is checked against what is left,
 * keys must be known and appear once, values are non-empty and hold no NUL,
 * and the bytes must end exactly where the last value does.
 */
#include <string.h>

#include "lis/lis_internal.h"

size_t lis_civic_pack(const held_civic_t *c, uint8_t *out, size_t cap)
{
	size_t o = 1;
	unsigned count = 0;

	if (cap < 1)
		return 0;
	for (int k = 0; k < WM_CA_COUNT; k++) {
		const char *val = held_civic_get(c, (wm_ca_key_t)k);
		if (!val)
			continue;
		size_t len = strlen(val);
		if (len == 0 || len > 0xffff || cap - o < 3 + len)
			return 0;
		out[o] = (uint8_t)k;
		lis_put_le(out + o + 1, len, 2);
		memcpy(out + o + 3, val, len);
		o += 3 + len;
		count++;
	}
	if (count == 0)
		return 0;
	out[0] = (uint8_t)count;
	return o;
}

bool lis_civic_unpack(const uint8_t *p, size_t n, held_civic_t *out)
{
	memset(out, 0, sizeof *out);
	if (n < 1 || p[0] == 0 || p[0] > WM_CA_COUNT)
		return false;
	unsigned count = p[0];
	size_t off = 1;
	for (unsigned i = 0; i < count; i++) {
		if (n - off < 3)
			return false;
		unsigned k = p[off];
		size_t len = (size_t)lis_get_le(p + off + 1, 2);
		off += 3;
		if (n - off < len || k >= WM_CA_COUNT || memchr(p + off, 0, len) ||
		    !held_civic_put(out, (wm_ca_key_t)k, (const char *)p + off, len))
			return false;
		off += len;
	}
	if (off != n)
		return false;
	out->set = true;
	return true;
}
