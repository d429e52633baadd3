/*
 * Location URI tokens: the input is a token text for lis_token_open() under
 * a fixed key (malformed, truncated, tampered and forged tokens must all be
 * LIS_EDATA, never a crash or an over-read). Inputs that open must give
 * claims that are NUL-terminated and re-seal to a token that opens to the
 * same claims. Separately, the input split at the first NUL byte becomes a
 * (tenant, location) pair that must survive issue -> open unchanged, in
 * format 1 and, with the location bytes as an embedded address (RD), in
 * format 2 when they fit LIS_TOKEN_CIVIC_MAX (refused with LIS_ELIMIT when
 * not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis.h"
#include "tests/fuzz/fuzz.h"

static lis_token_key_t key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (size_t i = 0; i < sizeof key.key; i++)
		key.key[i] = (uint8_t)(i * 7 + 1);
	return 0;
}

static void same(const lis_token_claims_t *a, const lis_token_claims_t *b)
{
	bool civic =
	    a->civic.set == b->civic.set && (!a->civic.set || a->civic_given == b->civic_given);
	for (int k = 0; civic && a->civic.set && k < WM_CA_COUNT; k++) {
		const char *x = held_civic_get(&a->civic, (wm_ca_key_t)k);
		const char *y = held_civic_get(&b->civic, (wm_ca_key_t)k);
		civic = (!x && !y) || (x && y && strcmp(x, y) == 0);
	}
	if (strcmp(a->tenant, b->tenant) || strcmp(a->location, b->location) ||
	    a->method != b->method || a->issued != b->issued || a->expires != b->expires ||
	    !civic) {
		fprintf(stderr, "token round trip changed the claims\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lis_token_claims_t c, c2; /* 2 KiB each */
	char tok[LIS_TOKEN_TEXT_MAX + 1];

	/* 1. the input as a token (exactly sized buffer: no NUL after it) */
	char *t = malloc(size ? size : 1);
	if (!t)
		abort();
	memcpy(t, data, size);
	if (lis_token_open(&key, t, size, &c) == 0) {
		if (memchr(c.tenant, 0, sizeof c.tenant) == NULL ||
		    memchr(c.location, 0, sizeof c.location) == NULL)
			abort();
		if (lis_token_issue(&key, &c, tok, sizeof tok) != 0 ||
		    lis_token_open(&key, tok, strlen(tok), &c2) != 0)
			abort();
		same(&c, &c2);
	}
	free(t);

	/* 2. the input as claims */
	memset(&c, 0, sizeof c);
	const uint8_t *nul = memchr(data, 0, size);
	size_t tl = nul ? (size_t)(nul - data) : size;
	size_t ll = nul ? size - tl - 1 : 0;
	if (tl <= LIS_TOKEN_ID_MAX && ll <= LIS_TOKEN_ID_MAX) {
		memcpy(c.tenant, data, tl);
		if (nul)
			memcpy(c.location, nul + 1, ll);
		if (memchr(c.location, 0, ll) == NULL) {
			c.method = (uint8_t)size;
			c.issued = (int64_t)size * 1000003;
			c.expires = -(int64_t)size;
			if (lis_token_issue(&key, &c, tok, sizeof tok) != 0 ||
			    lis_token_open(&key, tok, strlen(tok), &c2) != 0) {
				fprintf(stderr, "a valid claim set did not round-trip\n");
				abort();
			}
			same(&c, &c2);
			/* every truncation of a real token is refused */
			size_t n = strlen(tok);
			if (lis_token_open(&key, tok, n - 1 - size % (n - 1), &c2) == 0)
				abort();
			/* format 2: the location bytes as an embedded address */
			if (ll > 0) {
				c.civic_given = (int64_t)size * 7;
				c.civic.set = held_civic_put(&c.civic, WM_CA_RD, c.location, ll);
				bool fits = 1 + 3 + ll <= LIS_TOKEN_CIVIC_MAX;
				if (!c.civic.set || lis_token_can_embed(&c.civic) != fits)
					abort();
				int rc = lis_token_issue(&key, &c, tok, sizeof tok);
				if (!fits) {
					if (rc != LIS_ELIMIT)
						abort();
				} else if (rc != 0 ||
				           lis_token_open(&key, tok, strlen(tok), &c2) != 0) {
					fprintf(stderr, "an embedded address did not round-trip\n");
					abort();
				} else {
					same(&c, &c2);
					n = strlen(tok);
					if (lis_token_open(&key, tok, n - 1 - size % (n - 1),
					                   &c2) == 0)
						abort();
				}
			}
		}
	}
	return 0;
}
