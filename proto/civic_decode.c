/*
 * HELD+ <hp:providedAddress> (SPEC §4.4): the ca:civicAddress a nomadic
 * user typed. The SAX walk lives in held_decode.c; this file holds what it
 * knows about RFC 5139 / RFC 6848 elements and the held_civic_t store.
 */
#include <stdio.h>
#include <string.h>

#include "proto/proto_internal.h"

const char *held_civic_get(const held_civic_t *c, wm_ca_key_t k)
{
	if (!c || (unsigned)k >= WM_CA_COUNT || c->off[k] == 0)
		return NULL;
	return c->text + c->off[k] - 1;
}

bool held_civic_put(held_civic_t *c, wm_ca_key_t k, const char *s, size_t n)
{
	if ((unsigned)k >= WM_CA_COUNT || c->off[k] || n == 0 || n + 1 > sizeof c->text - c->used)
		return false;
	memcpy(c->text + c->used, s, n);
	c->text[c->used + n] = '\0';
	c->off[k] = (uint16_t)(c->used + 1);
	c->used = (uint16_t)(c->used + n + 1);
	return true;
}

bool held_civic_usable(const held_civic_t *c, const char **why)
{
	const char *w = NULL;
	if (!c->set)
		w = "no civic address";
	else if (!held_civic_get(c, WM_CA_COUNTRY))
		w = "the address has no country";
	else if (!held_civic_get(c, WM_CA_A1))
		w = "the address has no A1 (state or province)";
	else if (!held_civic_get(c, WM_CA_A3))
		w = "the address has no A3 (city)";
	else if (!held_civic_get(c, WM_CA_RD) && !held_civic_get(c, WM_CA_LOC) &&
	         !held_civic_get(c, WM_CA_NAM))
		w = "the address has no street (RD), location (LOC) or name (NAM)";
	if (why)
		*why = w;
	return w == NULL;
}

int held_civic_classify(const char *uri, const char *name)
{
	if (!uri)
		return HELD_CA_IGNORE;
	bool base = strcmp(uri, CA_NS) == 0;
	bool ext = strcmp(uri, CAE_NS) == 0;
	if (!base && !ext)
		return HELD_CA_IGNORE; /* ##other: lax, not understood */
	int k = wm_ca_key_lookup(name, strlen(name));
	if (k < 0 || wm_ca_key_is_ext((wm_ca_key_t)k) != ext)
		/* civicAddr.xsd declares every name of its namespace; the ext
		 * namespace is lax (##other), so an unknown name there is skipped */
		return base ? HELD_CA_INVALID : HELD_CA_IGNORE;
	return k;
}

bool held_civic_take(held_civic_t *c, int k, const char *s, size_t n, bool over, char *why,
                     size_t whylen)
{
	const char *name = wm_ca_key_name((wm_ca_key_t)k);

	if (c->off[k]) {
		snprintf(why, whylen, "providedAddress: civicAddress %s given twice", name);
		return false;
	}
	if (over) {
		snprintf(why, whylen, "providedAddress: civicAddress %s is too long", name);
		return false;
	}
	/* RFC 5139 §3.1, civicAddr.xsd iso3166a2: two upper-case letters */
	if (k == WM_CA_COUNTRY &&
	    !(n == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z')) {
		snprintf(why, whylen,
		         "providedAddress: civicAddress country must be an ISO 3166-1 alpha-2 "
		         "code (two upper-case letters)");
		return false;
	}
	if (n == 0)
		return true; /* an empty xs:token is valid and says nothing */
	if (!held_civic_put(c, (wm_ca_key_t)k, s, n)) {
		snprintf(why, whylen, "providedAddress: civicAddress is longer than %d bytes",
		         HELD_CIVIC_TEXT);
		return false;
	}
	return true;
}
