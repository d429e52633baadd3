/*
 * LLDP chassis/port ids (SPEC §2, RFC 7105 §5.1, IEEE 802.1AB subtypes),
 * normalised to a class + octets so a configured string and a measured id
 * compare with memcmp.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wiremap/wiremap.h"

int wm_lldp_parse_config(const char *s, size_t len, wm_lldp_id_t *out)
{
	wm_mac_t mac;
	wm_ip_t ip;

	if (!s || len == 0 || len > WM_LLDP_MAX)
		return LIS_EDATA;
	memset(out, 0, sizeof(*out));
	if (wm_mac_parse(s, len, &mac) == 0) {
		out->cls = WM_LLDP_MAC;
		out->len = 6;
		memcpy(out->v, mac.o, 6);
	} else if (wm_ip_parse(s, len, &ip) == 0) {
		out->cls = WM_LLDP_NETADDR;
		if (ip.family == 4) {
			out->v[0] = 1;
			memcpy(out->v + 1, ip.a, 4);
			out->len = 5;
		} else {
			out->v[0] = 2;
			memcpy(out->v + 1, ip.a, 16);
			out->len = 17;
		}
	} else {
		out->cls = WM_LLDP_TEXT;
		out->len = (uint8_t)len;
		memcpy(out->v, s, len);
	}
	return 0;
}

int wm_lldp_from_wire(bool is_port, unsigned subtype, const uint8_t *octets, size_t len,
                      wm_lldp_id_t *out)
{
	unsigned mac_st = is_port ? 3 : 4, net_st = is_port ? 4 : 5;

	if (subtype < 1 || subtype > 7 || len == 0 || len > WM_LLDP_MAX || !octets)
		return LIS_EDATA;
	memset(out, 0, sizeof(*out));
	if (subtype == mac_st) {
		/* a MAC-class id of any length; only 6 octets can ever match */
		out->cls = WM_LLDP_MAC;
	} else if (subtype == net_st) {
		out->cls = WM_LLDP_NETADDR;
		if ((len == 4 || len == 16) && len + 1 <= WM_LLDP_MAX) {
			/* address without its IANA family octet: add it */
			out->v[0] = len == 4 ? 1 : 2;
			memcpy(out->v + 1, octets, len);
			out->len = (uint8_t)(len + 1);
			return 0;
		}
	} else {
		out->cls = WM_LLDP_TEXT;
	}
	memcpy(out->v, octets, len);
	out->len = (uint8_t)len;
	return 0;
}

static void hex_octets(const uint8_t *v, size_t n, char sep, char *out, size_t outlen)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o + (i ? 3 : 2) >= outlen)
			break;
		if (i)
			out[o++] = sep;
		out[o++] = hx[v[i] >> 4];
		out[o++] = hx[v[i] & 15];
	}
	out[o] = '\0';
}

void wm_lldp_format(const wm_lldp_id_t *id, char *out, size_t outlen)
{
	if (!out || outlen == 0)
		return;
	out[0] = '\0';
	switch (id->cls) {
	case WM_LLDP_MAC:
		hex_octets(id->v, id->len, '-', out, outlen);
		return;
	case WM_LLDP_NETADDR:
		if ((id->len == 5 && id->v[0] == 1) || (id->len == 17 && id->v[0] == 2)) {
			char buf[INET6_ADDRSTRLEN];
			if (inet_ntop(id->v[0] == 1 ? AF_INET : AF_INET6, id->v + 1, buf,
			              sizeof buf)) {
				snprintf(out, outlen, "%s", buf);
				return;
			}
		}
		hex_octets(id->v, id->len, ':', out, outlen);
		return;
	default: {
		size_t o = 0;
		for (size_t i = 0; i < id->len && o + 1 < outlen; i++) {
			uint8_t c = id->v[i];
			if (c >= 0x20 && c < 0x7f && c != '\\') {
				out[o++] = (char)c;
			} else if (c >= 0x80) {
				out[o++] = (char)c; /* UTF-8 passes through */
			} else {
				if (o + 5 >= outlen)
					break;
				o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
			}
		}
		out[o] = '\0';
		return;
	}
	}
}
