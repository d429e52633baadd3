/* LLDP ids: configured strings vs measured (RFC 7105) octets compare equal. */
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap_internal.h"

static wm_lldp_id_t cfg(const char *s)
{
	wm_lldp_id_t id;
	cr_assert_eq(wm_lldp_parse_config(s, strlen(s), &id), 0, "rejected %s", s);
	return id;
}

static bool same(const wm_lldp_id_t *a, const wm_lldp_id_t *b)
{
	return a->cls == b->cls && a->len == b->len && memcmp(a->v, b->v, a->len) == 0;
}

Test(lldp, config_classes)
{
	wm_lldp_id_t id = cfg("00-1b-21-3c-4d-00");
	cr_assert_eq(id.cls, WM_LLDP_MAC);
	cr_assert_eq(id.len, 6);
	id = cfg("001b.213c.4d00");
	cr_assert_eq(id.cls, WM_LLDP_MAC);
	id = cfg("192.0.2.7");
	cr_assert_eq(id.cls, WM_LLDP_NETADDR);
	cr_assert_eq(id.len, 5);
	cr_assert_eq(id.v[0], 1);
	cr_assert_eq(id.v[4], 7);
	id = cfg("2001:db8::7");
	cr_assert_eq(id.cls, WM_LLDP_NETADDR);
	cr_assert_eq(id.len, 17);
	cr_assert_eq(id.v[0], 2);
	id = cfg("Gi1/0/7");
	cr_assert_eq(id.cls, WM_LLDP_TEXT);
	cr_assert_eq(id.len, 7);
	cr_assert_eq(memcmp(id.v, "Gi1/0/7", 7), 0);
}

Test(lldp, config_length_limits)
{
	wm_lldp_id_t id;
	char big[300];
	memset(big, 'x', sizeof big);
	cr_assert_eq(wm_lldp_parse_config("", 0, &id), LIS_EDATA);
	cr_assert_eq(wm_lldp_parse_config(big, 255, &id), 0);
	cr_assert_eq(wm_lldp_parse_config(big, 256, &id), LIS_EDATA);
}

Test(lldp, wire_mac_matches_config)
{
	const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x00};
	wm_lldp_id_t w, c = cfg("00:1B:21:3C:4D:00");
	cr_assert_eq(wm_lldp_from_wire(false, 4, mac, 6, &w), 0);
	cr_assert(same(&w, &c));
	cr_assert_eq(wm_lldp_from_wire(true, 3, mac, 6, &w), 0);
	cr_assert(same(&w, &c));
	/* a MAC subtype of the wrong length stays MAC-class and never matches */
	cr_assert_eq(wm_lldp_from_wire(false, 4, mac, 5, &w), 0);
	cr_assert_eq(w.cls, WM_LLDP_MAC);
	cr_assert_not(same(&w, &c));
}

Test(lldp, wire_text_matches_config)
{
	wm_lldp_id_t w, c = cfg("Gi1/0/7");
	for (unsigned st = 1; st <= 7; st++) {
		if (st == 3 || st == 4)
			continue;
		cr_assert_eq(wm_lldp_from_wire(true, st, (const uint8_t *)"Gi1/0/7", 7, &w), 0);
		cr_expect(same(&w, &c), "port subtype %u", st);
	}
	for (unsigned st = 1; st <= 7; st++) {
		if (st == 4 || st == 5)
			continue;
		cr_assert_eq(wm_lldp_from_wire(false, st, (const uint8_t *)"Gi1/0/7", 7, &w), 0);
		cr_expect(same(&w, &c), "chassis subtype %u", st);
	}
}

Test(lldp, wire_netaddr_with_and_without_family)
{
	const uint8_t with[5] = {1, 192, 0, 2, 7}, bare[4] = {192, 0, 2, 7};
	wm_lldp_id_t w, c = cfg("192.0.2.7");
	cr_assert_eq(wm_lldp_from_wire(false, 5, with, 5, &w), 0);
	cr_assert(same(&w, &c));
	cr_assert_eq(wm_lldp_from_wire(false, 5, bare, 4, &w), 0);
	cr_assert(same(&w, &c));
	cr_assert_eq(wm_lldp_from_wire(true, 4, bare, 4, &w), 0);
	cr_assert(same(&w, &c));
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	v6[15] = 7;
	wm_lldp_id_t c6 = cfg("2001:db8::7");
	cr_assert_eq(wm_lldp_from_wire(false, 5, v6, 16, &w), 0);
	cr_assert(same(&w, &c6));
}

Test(lldp, wire_rejects_bad_subtype_or_length)
{
	wm_lldp_id_t w;
	cr_assert_eq(wm_lldp_from_wire(false, 0, (const uint8_t *)"x", 1, &w), LIS_EDATA);
	cr_assert_eq(wm_lldp_from_wire(false, 8, (const uint8_t *)"x", 1, &w), LIS_EDATA);
	cr_assert_eq(wm_lldp_from_wire(true, 5, (const uint8_t *)"x", 0, &w), LIS_EDATA);
}

Test(lldp, format_as_written)
{
	char out[300];
	wm_lldp_id_t id = cfg("001B213C4D00");
	wm_lldp_format(&id, out, sizeof out);
	cr_assert_str_eq(out, "00-1b-21-3c-4d-00");
	id = cfg("192.0.2.7");
	wm_lldp_format(&id, out, sizeof out);
	cr_assert_str_eq(out, "192.0.2.7");
	id = cfg("Gi1/0/7");
	wm_lldp_format(&id, out, sizeof out);
	cr_assert_str_eq(out, "Gi1/0/7");
	wm_lldp_format(&id, out, 4);
	cr_assert_str_eq(out, "Gi1");
}

Test(lldp, keys_round_trip)
{
	uint8_t key[WM_KEY_MAX];
	char out[600];
	wm_lldp_id_t ch = cfg("00-1b-21-3c-4d-00"), port = cfg("Gi1/0/7"), c2, p2;
	size_t n = wm_key_lldp_port(&ch, &port, key);
	cr_assert_eq(wm_key_lldp_decode(key, n, &c2, &p2), 0);
	cr_assert(same(&ch, &c2));
	cr_assert(same(&port, &p2));
	wm_key_format(WM_EL_LLDP_PORT, key, n, out, sizeof out);
	cr_assert_str_eq(out, "lldp chassis 00-1b-21-3c-4d-00 port Gi1/0/7");
	cr_assert_eq(wm_key_lldp_decode(key, n - 1, &c2, &p2), LIS_ECORRUPT);
	n = wm_key_lldp_chassis(&ch, key);
	cr_assert_eq(wm_key_lldp_decode(key, n, &c2, NULL), 0);
	cr_assert_eq(wm_key_lldp_decode(key, n, &c2, &p2), LIS_ECORRUPT);
}
