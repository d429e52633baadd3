/* MAC and BSSID notations of SPEC §2. */
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap.h"

static const uint8_t want[6] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0xef};

static void parses(const char *s)
{
	wm_mac_t m;
	cr_assert_eq(wm_mac_parse(s, strlen(s), &m), 0, "rejected %s", s);
	cr_assert_arr_eq(m.o, want, 6, "wrong octets for %s", s);
}

Test(mac, every_notation_any_case)
{
	parses("00-1b-21-3c-4d-ef");
	parses("00-1B-21-3C-4D-EF");
	parses("00:1b:21:3c:4d:ef");
	parses("00:1B:21:3c:4D:eF");
	parses("001b.213c.4def");
	parses("001B.213C.4DEF");
	parses("001b213c4def");
	parses("001B213C4DEF");
}

Test(mac, rejects_malformed)
{
	static const char *const bad[] = {
	    "",
	    "00-11-22-33-44",
	    "00-11-22-33-44-55-66",
	    "00-11-22-33-44-5",
	    "00-11:22-33-44-55",
	    "00:11:22:33:44-55",
	    "0011.2233.445",
	    "0011.2233:4455",
	    "00112233445",
	    "0011223344556",
	    "00-11-22-33-44-5g",
	    "0g1122334455",
	    " 00-11-22-33-44-55",
	    "00-11-22-33-44-55 ",
	    "00--11-22-33-44-55",
	    "0-11-22-33-44-555",
	    "00.11.22.33.44.55",
	    "00_11_22_33_44_55",
	    "00-11-22-33-44-**",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wm_mac_t m;
		cr_expect_eq(wm_mac_parse(bad[i], strlen(bad[i]), &m), LIS_EDATA, "accepted \"%s\"",
		             bad[i]);
	}
}

Test(mac, format_is_lower_case_dashes)
{
	wm_mac_t m;
	char out[18];
	cr_assert_eq(wm_mac_parse("AABB.CCDD.EEFF", 14, &m), 0);
	wm_mac_format(&m, out);
	cr_assert_str_eq(out, "aa-bb-cc-dd-ee-ff");
}

Test(bssid, exact_is_wild_zero)
{
	wm_bssid_t b;
	cr_assert_eq(wm_bssid_parse("00:11:22:33:44:55", 17, &b), 0);
	cr_assert_eq(b.wild, 0);
	cr_assert_eq(b.mac.o[5], 0x55);
}

Test(bssid, wildcards_in_every_notation)
{
	static const struct {
		const char *s;
		uint8_t wild, last;
	} ok[] = {
	    {"00-11-22-33-44-6*", 1, 0x60}, {"00-11-22-33-44-**", 2, 0x00},
	    {"00:11:22:33:44:6*", 1, 0x60}, {"00:11:22:33:44:**", 2, 0x00},
	    {"0011.2233.446*", 1, 0x60},    {"0011.2233.44**", 2, 0x00},
	    {"00112233446*", 1, 0x60},      {"0011223344**", 2, 0x00},
	    {"00-11-22-33-44-F*", 1, 0xf0},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		wm_bssid_t b;
		cr_assert_eq(wm_bssid_parse(ok[i].s, strlen(ok[i].s), &b), 0, "rejected %s",
		             ok[i].s);
		cr_expect_eq(b.wild, ok[i].wild, "%s", ok[i].s);
		cr_expect_eq(b.mac.o[5], ok[i].last, "%s: wildcarded bits must be zero", ok[i].s);
		cr_expect_eq(b.mac.o[4], 0x44);
	}
}

Test(bssid, wildcard_only_at_the_end)
{
	static const char *const bad[] = {
	    "00-11-22-33-44-*5",  "00-11-22-33-*4-55", "*0-11-22-33-44-55", "00-11-22-33-4*-**",
	    "00-11-22-33-44-***", "0011.2233.4*55",    "00-11-22-33-44-*"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wm_bssid_t b;
		cr_expect_eq(wm_bssid_parse(bad[i], strlen(bad[i]), &b), LIS_EDATA, "accepted %s",
		             bad[i]);
	}
}

Test(bssid, format_round_trips)
{
	static const char *const in[] = {"00-11-22-33-44-6*", "00-11-22-33-44-**",
	                                 "00-11-22-33-44-55"};
	for (size_t i = 0; i < 3; i++) {
		wm_bssid_t b, b2;
		char out[18];
		cr_assert_eq(wm_bssid_parse(in[i], strlen(in[i]), &b), 0);
		wm_bssid_format(&b, out);
		cr_expect_str_eq(out, in[i]);
		cr_assert_eq(wm_bssid_parse(out, strlen(out), &b2), 0);
		cr_expect_eq(memcmp(&b, &b2, sizeof b), 0);
	}
}
