/* Civic element names (RFC 5139 schema order, RFC 6848) and xs:token values. */
#include <string.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap_internal.h"

Test(civic, names_in_schema_order)
{
	static const char *const names[] = {
	    "country", "A1",  "A2",    "A3",      "A4",    "A5",   "A6",      "PRM",  "PRD",
	    "RD",      "STS", "POD",   "POM",     "RDSEC", "RDBR", "RDSUBBR", "HNO",  "HNS",
	    "LMK",     "LOC", "FLR",   "NAM",     "PC",    "BLD",  "UNIT",    "ROOM", "SEAT",
	    "PLC",     "PCN", "POBOX", "ADDCODE", "PN",    "MP",   "STP",     "HNP"};
	cr_assert_eq(sizeof names / sizeof names[0], WM_CA_COUNT);
	for (int k = 0; k < WM_CA_COUNT; k++) {
		cr_expect_str_eq(wm_ca_key_name((wm_ca_key_t)k), names[k]);
		cr_expect_eq(wm_ca_key_lookup(names[k], strlen(names[k])), k);
		cr_expect_eq(wm_ca_key_is_ext((wm_ca_key_t)k), k >= WM_CA_PN, "%s", names[k]);
	}
}

Test(civic, unknown_and_wrong_case_rejected)
{
	cr_assert_eq(wm_ca_key_lookup("flr", 3), -1);
	cr_assert_eq(wm_ca_key_lookup("Country", 7), -1);
	cr_assert_eq(wm_ca_key_lookup("FLOOR", 5), -1);
	cr_assert_eq(wm_ca_key_lookup("", 0), -1);
	cr_assert_eq(wm_ca_key_lookup("A1x", 2), WM_CA_A1); /* length-bounded */
}

Test(civic, token_normalisation)
{
	wm_arena_t a;
	wm_arena_init(&a);
	cr_expect_str_eq(wm_token_dup(&a, "  East   Wing\t\n", 15), "East Wing");
	cr_expect_str_eq(wm_token_dup(&a, "San\tJose", 8), "San Jose");
	cr_expect_str_eq(wm_token_dup(&a, "   ", 3), "");
	cr_expect_str_eq(wm_token_dup(&a, "170", 3), "170");
	wm_arena_deinit(&a);
}
