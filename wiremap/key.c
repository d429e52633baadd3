/*
 * Canonical element keys (part of the LMDB layout, see wiremap_internal.h):
 * encoders, the LLDP decoder and human text for traces and errors.
 */
#include <stdio.h>
#include <string.h>

#include "wiremap/wiremap_internal.h"

static size_t put_lldp(const wm_lldp_id_t *id, uint8_t *buf)
{
	buf[0] = id->cls;
	buf[1] = id->len;
	memcpy(buf + 2, id->v, id->len);
	return 2u + id->len;
}

size_t wm_key_lldp_port(const wm_lldp_id_t *chassis, const wm_lldp_id_t *port, uint8_t *buf)
{
	size_t n = put_lldp(chassis, buf);
	return n + put_lldp(port, buf + n);
}

size_t wm_key_lldp_chassis(const wm_lldp_id_t *chassis, uint8_t *buf)
{
	return put_lldp(chassis, buf);
}

size_t wm_key_bssid(const wm_bssid_t *b, uint8_t *buf)
{
	buf[0] = b->wild;
	memcpy(buf + 1, b->mac.o, 6);
	return 7;
}

size_t wm_key_subnet(const wm_cidr_t *c, uint8_t *buf)
{
	size_t alen = c->family == 4 ? 4 : 16;
	buf[0] = c->family;
	buf[1] = c->plen;
	memcpy(buf + 2, c->a, alen);
	return 2 + alen;
}

size_t wm_key_gateway(const wm_mac_t *m, uint8_t *buf)
{
	memcpy(buf, m->o, 6);
	return 6;
}

static int get_lldp(const uint8_t *key, size_t len, size_t *off, wm_lldp_id_t *id)
{
	if (len - *off < 2)
		return LIS_ECORRUPT;
	uint8_t cls = key[*off], n = key[*off + 1];
	if (cls < WM_LLDP_MAC || cls > WM_LLDP_TEXT || n == 0 || len - *off - 2 < n)
		return LIS_ECORRUPT;
	memset(id, 0, sizeof(*id));
	id->cls = cls;
	id->len = n;
	memcpy(id->v, key + *off + 2, n);
	*off += 2u + n;
	return 0;
}

int wm_key_lldp_decode(const uint8_t *key, size_t len, wm_lldp_id_t *chassis, wm_lldp_id_t *port)
{
	size_t off = 0;
	if (!key || get_lldp(key, len, &off, chassis) < 0)
		return LIS_ECORRUPT;
	if (port && get_lldp(key, len, &off, port) < 0)
		return LIS_ECORRUPT;
	return off == len ? 0 : LIS_ECORRUPT;
}

void wm_key_format(wm_el_kind_t kind, const uint8_t *key, size_t len, char *out, size_t outlen)
{
	char a[3 * WM_LLDP_MAX + 8], b[3 * WM_LLDP_MAX + 8];
	wm_lldp_id_t ch, port;

	if (!out || outlen == 0)
		return;
	switch (kind) {
	case WM_EL_LLDP_PORT:
		if (wm_key_lldp_decode(key, len, &ch, &port) < 0)
			break;
		wm_lldp_format(&ch, a, sizeof a);
		wm_lldp_format(&port, b, sizeof b);
		snprintf(out, outlen, "lldp chassis %s port %s", a, b);
		return;
	case WM_EL_LLDP_CHASSIS:
		if (wm_key_lldp_decode(key, len, &ch, NULL) < 0)
			break;
		wm_lldp_format(&ch, a, sizeof a);
		snprintf(out, outlen, "lldp chassis %s", a);
		return;
	case WM_EL_BSSID:
		if (len != 7 || key[0] > 2)
			break;
		{
			wm_bssid_t bs;
			char t[18];
			bs.wild = key[0];
			memcpy(bs.mac.o, key + 1, 6);
			wm_bssid_format(&bs, t);
			snprintf(out, outlen, "bssid %s", t);
		}
		return;
	case WM_EL_SUBNET:
		if (len < 2 || !((key[0] == 4 && len == 6 && key[1] <= 32) ||
		                 (key[0] == 6 && len == 18 && key[1] <= 128)))
			break;
		{
			wm_cidr_t c;
			char t[50];
			memset(&c, 0, sizeof c);
			c.family = key[0];
			c.plen = key[1];
			memcpy(c.a, key + 2, len - 2);
			wm_cidr_format(&c, t);
			snprintf(out, outlen, "subnet %s", t);
		}
		return;
	case WM_EL_GATEWAY:
		if (len != 6)
			break;
		{
			wm_mac_t m;
			char t[18];
			memcpy(m.o, key, 6);
			wm_mac_format(&m, t);
			snprintf(out, outlen, "gateway_mac %s", t);
		}
		return;
	default:
		break;
	}
	snprintf(out, outlen, "%s (undecodable key of %zu bytes)", wm_el_kind_field(kind), len);
}

const char *wm_el_kind_field(wm_el_kind_t kind)
{
	switch (kind) {
	case WM_EL_LLDP_PORT:
	case WM_EL_LLDP_CHASSIS:
		return "lldp";
	case WM_EL_BSSID:
		return "bssid";
	case WM_EL_SUBNET:
		return "subnet";
	case WM_EL_GATEWAY:
		return "gateway_mac";
	}
	return "element";
}
