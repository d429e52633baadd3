/*
 * held_select(): RFC 5985 §6.2 / §6.2.1 location type selection, for every
 * combination of request (any / each ordered list of types, exact or not)
 * and availability (civic, geodetic, URI).
 */
#include <string.h>

#include "proto/proto.h"
#include "tests/support/testsupport.h"

TestSuite(select, .timeout = 30);

static held_request_t req(bool any, bool exact, const uint8_t *types, uint8_t n)
{
	held_request_t r;
	memset(&r, 0, sizeof r);
	r.type_any = any;
	r.exact = exact;
	r.n_types = n;
	for (uint8_t i = 0; i < n; i++)
		r.types[i] = types[i];
	return r;
}

#define C HELD_LT_CIVIC
#define G HELD_LT_GEODETIC
#define U HELD_LT_URI

static void expect_sel(const held_selection_t *s, const uint8_t *want, uint8_t n)
{
	cr_assert_eq(s->n, n, "selection has %u entries, want %u", s->n, n);
	for (uint8_t i = 0; i < n; i++)
		cr_assert_eq(s->order[i], want[i], "entry %u is %u, want %u", i, s->order[i],
		             want[i]);
}

Test(select, any_returns_everything_in_lis_order)
{
	held_request_t r = req(true, false, NULL, 0);
	held_selection_t s;
	cr_assert_eq(held_select(&r, true, true, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C, G, U}, 3);
	cr_assert_eq(held_select(&r, false, true, false, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){G}, 1);
	cr_assert_eq(held_select(&r, true, false, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C, U}, 2);
}

Test(select, any_with_exact_is_not_exact)
{
	/* RFC 5985 §6.2.1: "any" + exact="true" is handled as exact="false" */
	held_request_t r = req(true, true, NULL, 0);
	held_selection_t s;
	cr_assert_eq(held_select(&r, false, true, false, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){G}, 1);
}

Test(select, nothing_available_is_location_unknown)
{
	held_selection_t s;
	held_request_t r = req(true, false, NULL, 0);
	cr_assert_eq(held_select(&r, false, false, false, &s), HELD_LOCATION_UNKNOWN);
	cr_assert_eq(s.n, 0);
	r = req(false, true, (uint8_t[]){C}, 1);
	cr_assert_eq(held_select(&r, false, false, false, &s), HELD_LOCATION_UNKNOWN);
}

Test(select, rfc5985_civic_example)
{
	/* §6.2: a request for "civic" without exact */
	held_request_t r = req(false, false, (uint8_t[]){C}, 1);
	held_selection_t s;
	cr_assert_eq(held_select(&r, true, false, false, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C}, 1);
	cr_assert_eq(held_select(&r, true, true, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C, G, U}, 3);
	cr_assert_eq(held_select(&r, false, true, true, &s), HELD_OK,
	             "civic unavailable: soft failover");
	expect_sel(&s, (uint8_t[]){G, U}, 2);
	cr_assert_eq(held_select(&r, false, false, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){U}, 1);
	/* with exact: civic or an error */
	r.exact = true;
	cr_assert_eq(held_select(&r, true, true, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C}, 1);
	cr_assert_eq(held_select(&r, false, true, true, &s), HELD_CANNOT_PROVIDE_LI_TYPE);
}

Test(select, request_order_is_kept)
{
	held_request_t r = req(false, false, (uint8_t[]){U, G, C}, 3);
	held_selection_t s;
	cr_assert_eq(held_select(&r, true, true, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){U, G, C}, 3);
	r = req(false, true, (uint8_t[]){G, C}, 2);
	cr_assert_eq(held_select(&r, true, true, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){G, C}, 2);
}

Test(select, uri_only_when_the_lis_can_make_one)
{
	held_request_t r = req(false, false, (uint8_t[]){U}, 1);
	held_selection_t s;
	cr_assert_eq(held_select(&r, true, true, false, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){C, G}, 2);
	r.exact = true;
	cr_assert_eq(held_select(&r, true, true, false, &s), HELD_CANNOT_PROVIDE_LI_TYPE);
	cr_assert_eq(held_select(&r, false, false, true, &s), HELD_OK);
	expect_sel(&s, (uint8_t[]){U}, 1);
}

/* ---- exhaustive: every request shape x every availability ------------ */

static bool has(const held_selection_t *s, uint8_t lt)
{
	for (uint8_t i = 0; i < s->n; i++)
		if (s->order[i] == lt)
			return true;
	return false;
}

static void check_one(const held_request_t *r, bool hc, bool hg, bool hu)
{
	held_selection_t s;
	memset(&s, 0xa5, sizeof s);
	held_code_t rc = held_select(r, hc, hg, hu, &s);
	unsigned avail = (hc ? C : 0) | (hg ? G : 0) | (hu ? U : 0);
	bool any = r->type_any || r->n_types == 0;
	const char *ctx = "case";

	if (avail == 0) {
		cr_assert_eq(rc, HELD_LOCATION_UNKNOWN, "%s", ctx);
		return;
	}
	bool all_req_avail = true;
	for (uint8_t i = 0; i < r->n_types; i++)
		all_req_avail &= (avail & r->types[i]) != 0;

	if (!any && r->exact && !all_req_avail) {
		cr_assert_eq(rc, HELD_CANNOT_PROVIDE_LI_TYPE);
		return;
	}
	cr_assert_eq(rc, HELD_OK);
	cr_assert_leq(s.n, 3);
	/* never something unavailable, never twice */
	unsigned seen = 0;
	for (uint8_t i = 0; i < s.n; i++) {
		cr_assert(avail & s.order[i], "selected an unavailable type %u", s.order[i]);
		cr_assert_not(seen & s.order[i], "type %u twice", s.order[i]);
		seen |= s.order[i];
	}
	if (!any && r->exact) {
		/* exactly the requested types, in request order */
		cr_assert_eq(s.n, r->n_types);
		for (uint8_t i = 0; i < r->n_types; i++)
			cr_assert_eq(s.order[i], r->types[i]);
		return;
	}
	/* everything available is returned */
	cr_assert_eq(seen, avail);
	/* available requested types first, in request order */
	uint8_t k = 0;
	if (!any)
		for (uint8_t i = 0; i < r->n_types; i++)
			if (avail & r->types[i])
				cr_assert_eq(s.order[k++], r->types[i]);
	/* then the rest in LIS order: civic, geodetic, locationURI */
	for (uint8_t i = k; i + 1 < s.n; i++)
		cr_assert_lt(s.order[i], s.order[i + 1]);
	cr_assert(!has(&s, U) || hu);
}

Test(select, every_combination)
{
	static const uint8_t lists[][3] = {
	    {C},    {G},       {U},       {C, G},    {C, U},    {G, C},    {G, U},    {U, C},
	    {U, G}, {C, G, U}, {C, U, G}, {G, C, U}, {G, U, C}, {U, C, G}, {U, G, C},
	};
	static const uint8_t lens[] = {1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3};
	int n = 0;

	for (int a = 0; a < 8; a++) {
		bool hc = a & 1, hg = a & 2, hu = a & 4;
		for (int exact = 0; exact < 2; exact++) {
			held_request_t r = req(true, exact, NULL, 0);
			check_one(&r, hc, hg, hu);
			n++;
			for (size_t l = 0; l < sizeof lens; l++) {
				r = req(false, exact, lists[l], lens[l]);
				check_one(&r, hc, hg, hu);
				n++;
			}
		}
	}
	cr_assert_eq(n, 8 * 2 * 16);
}
