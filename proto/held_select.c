/*
 * RFC 5985 §6.2 / §6.2.1: which location types go into a response, and in
 * which order.
 */
#include "proto/proto_internal.h"

static void sel_add(held_selection_t *s, uint8_t lt)
{
	for (uint8_t i = 0; i < s->n; i++)
		if (s->order[i] == lt)
			return;
	s->order[s->n++] = lt;
}

held_code_t held_select(const held_request_t *r, bool have_civic, bool have_geo, bool can_uri,
                        held_selection_t *out)
{
	static const uint8_t lis_order[3] = {HELD_LT_CIVIC, HELD_LT_GEODETIC, HELD_LT_URI};
	unsigned avail = (have_civic ? HELD_LT_CIVIC : 0) | (have_geo ? HELD_LT_GEODETIC : 0) |
	                 (can_uri ? HELD_LT_URI : 0);

	out->n = 0;
	if (avail == 0)
		return HELD_LOCATION_UNKNOWN;

	/* "any" (or no locationType) ignores exact (§6.2.1, last paragraph). */
	bool any = r->type_any || r->n_types == 0;
	if (!any && r->exact) {
		for (uint8_t i = 0; i < r->n_types; i++)
			if (!(avail & r->types[i]))
				return HELD_CANNOT_PROVIDE_LI_TYPE;
		for (uint8_t i = 0; i < r->n_types; i++)
			sel_add(out, r->types[i]);
		return HELD_OK;
	}
	/* Requested types first, in request order (§6.2: "SHOULD provide the
	 * locations in the response in the same order"), then what else the
	 * LIS has: §6.2 allows additional types when exact is false. */
	if (!any)
		for (uint8_t i = 0; i < r->n_types && i < 3; i++)
			if (avail & r->types[i])
				sel_add(out, r->types[i]);
	for (int i = 0; i < 3; i++)
		if (avail & lis_order[i])
			sel_add(out, lis_order[i]);
	return HELD_OK;
}
