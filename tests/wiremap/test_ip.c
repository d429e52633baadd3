/* IP addresses and CIDR prefixes (subnet elements, trusted_networks). */
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap.h"

static wm_ip_t ip(const char *s)
{
	wm_ip_t a;
	cr_assert_eq(wm_ip_parse(s, strlen(s), &a), 0, "rejected %s", s);
	return a;
}

static wm_cidr_t cidr(const char *s)
{
	wm_cidr_t c;
	cr_assert_eq(wm_cidr_parse(s, strlen(s), &c), 0, "rejected %s", s);
	return c;
}

Test(ip, v4_and_v6)
{
	wm_ip_t a = ip("10.20.30.40");
	cr_assert_eq(a.family, 4);
	cr_assert_eq(a.a[0], 10);
	cr_assert_eq(a.a[3], 40);
	a = ip("2001:db8::1");
	cr_assert_eq(a.family, 6);
	cr_assert_eq(a.a[0], 0x20);
	cr_assert_eq(a.a[15], 1);
}

Test(ip, v4_mapped_v6_becomes_v4)
{
	wm_ip_t a = ip("::ffff:10.20.30.40");
	cr_assert_eq(a.family, 4);
	cr_assert_eq(a.a[0], 10);
	cr_assert_eq(a.a[3], 40);
	cr_assert(wm_cidr_contains(&(wm_cidr_t){.family = 4, .plen = 24, .a = {10, 20, 30}}, &a));
}

Test(ip, rejects_garbage)
{
	static const char *const bad[] = {
	    "",           "10.20.30",    "10.20.30.256", "host.example",
	    "1.2.3.4/24", "2001:db8::g", " 10.0.0.1",    "fe80::1%eth0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wm_ip_t a;
		cr_expect_eq(wm_ip_parse(bad[i], strlen(bad[i]), &a), LIS_EDATA, "accepted %s",
		             bad[i]);
	}
}

Test(cidr, parses_and_contains)
{
	wm_cidr_t c = cidr("10.20.30.0/24");
	cr_assert_eq(c.family, 4);
	cr_assert_eq(c.plen, 24);
	wm_ip_t in = ip("10.20.30.7"), out = ip("10.20.31.7"), v6 = ip("2001:db8::1");
	cr_assert(wm_cidr_contains(&c, &in));
	cr_assert_not(wm_cidr_contains(&c, &out));
	cr_assert_not(wm_cidr_contains(&c, &v6));
	wm_cidr_t c6 = cidr("2001:db8:100::/48");
	cr_assert(wm_cidr_contains(
	    &c6, &(wm_ip_t){.family = 6, .a = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0xff}}));
	cr_assert_not(wm_cidr_contains(&c6, &v6));
	wm_cidr_t all = cidr("0.0.0.0/0");
	cr_assert(wm_cidr_contains(&all, &out));
	wm_cidr_t odd = cidr("10.20.30.128/25");
	wm_ip_t hi = ip("10.20.30.200");
	cr_assert(wm_cidr_contains(&odd, &hi));
	cr_assert_not(wm_cidr_contains(&odd, &in));
}

Test(cidr, host_bits_set_is_an_error)
{
	wm_cidr_t c;
	cr_assert_eq(wm_cidr_parse("10.20.30.1/24", 13, &c), LIS_EDATA);
	cr_assert_eq(wm_cidr_parse("2001:db8::1/64", 14, &c), LIS_EDATA);
	cr_assert_eq(wm_cidr_parse("10.20.30.1/32", 13, &c), 0);
}

Test(cidr, rejects_bad_prefix)
{
	static const char *const bad[] = {"10.0.0.0",    "10.0.0.0/",  "10.0.0.0/33",
	                                  "::/129",      "10.0.0.0/x", "10.0.0.0/-1",
	                                  "10.0.0.0/+8", "/8",         "10.0.0.0/8/8"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wm_cidr_t c;
		cr_expect_eq(wm_cidr_parse(bad[i], strlen(bad[i]), &c), LIS_EDATA, "accepted %s",
		             bad[i]);
	}
}

Test(cidr, mapped_prefix_becomes_v4)
{
	wm_cidr_t c = cidr("::ffff:10.0.0.0/104");
	cr_assert_eq(c.family, 4);
	cr_assert_eq(c.plen, 8);
}

Test(cidr, format)
{
	char out[50];
	wm_cidr_t c = cidr("2001:DB8:100::/48");
	wm_cidr_format(&c, out);
	cr_assert_str_eq(out, "2001:db8:100::/48");
	c = cidr("10.20.30.0/24");
	wm_cidr_format(&c, out);
	cr_assert_str_eq(out, "10.20.30.0/24");
	char ipo[46];
	wm_ip_t a = ip("::ffff:192.0.2.1");
	wm_ip_format(&a, ipo);
	cr_assert_str_eq(ipo, "192.0.2.1");
}
