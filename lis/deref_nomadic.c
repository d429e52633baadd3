/*
 * Dereferencing a nomadic answer's location URI (SPEC §4.2 step 6, RFC 6753
 * §3). Each lisd node remembers user-given addresses in its own store, and
 * a load balancer sends the call router's dereference to any node, so a
 * format 2 token carries the address itself (sealed, lis/token.c) besides
 * naming the store entry ("nomadic:HEX", or "nomadic" for an address used
 * once). Which address answers:
 *
 *   1. this node's live entry for the token's key (same tenant), when the
 *      user gave it at or after the token's address was given: the user
 *      corrected it here since (RFC 6753 §3: a dereference returns the
 *      current location, as a wiremap token shows a corrected address);
 *   2. else the token's address (another node's answer, or this node's
 *      entry expired or was never written: store full or failing);
 *   3. a format 1 token (issued before the upgrade, or an address too long
 *      to embed) has only the entry: as before, the store or nothing.
 *
 * Times are whole seconds; a tie goes to the store, because on the node
 * that issued the token an entry of the same second is either the very
 * write the token was issued with (the same address) or a correction.
 */
#include <string.h>

#include "lis/lis_internal.h"

/* "nomadic:HEX" -> the entry key; false for anything else. */
static bool entry_key(const char *id, uint8_t key[LIS_NOMADIC_KEY])
{
	size_t pl = strlen(LIS_NOMADIC_ID_PREFIX);

	if (strlen(id) != pl + 2 * LIS_NOMADIC_KEY || memcmp(id, LIS_NOMADIC_ID_PREFIX, pl) != 0)
		return false;
	/* the token is sealed by this deployment: the id is ours, still checked */
	const char *x = id + pl;
	for (size_t i = 0; i < 2 * LIS_NOMADIC_KEY; i++) {
		char ch = x[i];
		int v = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (v < 0)
			return false;
		key[i / 2] = (uint8_t)(i % 2 ? key[i / 2] | v : v << 4);
	}
	return true;
}

const wm_location_t *lis_deref_nomadic_loc(const lis_handler_t *h, const lis_token_claims_t *cl,
                                           const wm_tenant_t *t, time_t now, held_civic_t *civ,
                                           wm_location_t *loc)
{
	uint8_t key[LIS_NOMADIC_KEY];
	const held_civic_t *use = NULL;
	bool keyed = entry_key(cl->location, key);

	if (!keyed && strcmp(cl->location, "nomadic") != 0)
		return NULL;
	if (keyed) {
		time_t given = 0;
		int rc = lis_nomadic_get_key(h->nomadic, key, cl->tenant, now, civ, &given);
		if (rc < 0)
			lis_log(LIS_LOG_ERROR, "nomadic store: dereference lookup failed: %s%s",
			        lis_strerror(rc),
			        cl->civic.set ? " (answered with the address in the token)" : "");
		if (rc == 1 && (!cl->civic.set || (int64_t)given >= cl->civic_given))
			use = civ;
	}
	if (!use && cl->civic.set)
		use = &cl->civic;
	if (!use)
		return NULL;
	lis_nomadic_location(use, cl->location, loc);
	loc->tenant = t;
	return loc;
}
