/*
 * Location URI tokens (token.c): sealed claims round-trip; anything altered,
 * cut short or sealed under another key opens as LIS_EDATA; key files are
 * refused when too short or readable by others. Format 2 tokens carry a
 * nomadic address (bounded, strictly decoded); format 1 tokens issued by
 * the previous release still open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "lis/lis.h"
#include "tests/support/testsupport.h"

static char *dir;
static lis_token_key_t key, key2;

/* A key file of n bytes (not text: every byte value) with the given mode. */
static char *key_file(const char *name, size_t n, mode_t mode)
{
	char *path = NULL;
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * 37 + (name[0] == 'b' ? 11 : 0)) & 0xff), f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void setup(void)
{
	char err[256];
	dir = ts_mkdtemp();
	char *a = key_file("a.key", 32, 0600), *b = key_file("b.key", 32, 0400);
	cr_assert_eq(lis_token_key_load(a, &key, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lis_token_key_load(b, &key2, err, sizeof err), 0, "%s", err);
	free(a);
	free(b);
}

static void teardown(void)
{
	ts_rmtree(dir);
	free(dir);
}

TestSuite(token, .init = setup, .fini = teardown);

static void claims(lis_token_claims_t *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->tenant, sizeof c->tenant, "11111111-1111-4111-8111-111111111111");
	snprintf(c->location, sizeof c->location, "a-port");
	c->method = WM_M_LLDP_PORT;
	c->issued = 1795000000;
	c->expires = 1795001800;
}

Test(token, round_trip)
{
	lis_token_claims_t c, o;
	char tok[1024];
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_eq(
	    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	    strlen(tok), "not base64url: %s", tok);
	cr_assert_gt(strlen(tok), 22); /* well over 128 bits */
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	cr_assert_str_eq(o.tenant, c.tenant);
	cr_assert_str_eq(o.location, c.location);
	cr_assert_eq(o.method, c.method);
	cr_assert_eq(o.issued, c.issued);
	cr_assert_eq(o.expires, c.expires);
	/* nothing of the target in clear */
	cr_assert_null(strstr(tok, "a-port"));
	cr_assert_null(strstr(tok, "1111"));
}

/* Tenant and location ids of the longest length a token takes. */
static void longest_ids(lis_token_claims_t *c)
{
	memset(c->tenant, 't', LIS_TOKEN_ID_MAX);
	c->tenant[LIS_TOKEN_ID_MAX] = 0;
	memset(c->location, 'l', LIS_TOKEN_ID_MAX);
	c->location[LIS_TOKEN_ID_MAX] = 0;
}

Test(token, longest_ids_round_trip)
{
	lis_token_claims_t c, o;
	char tok[1024];
	claims(&c);
	longest_ids(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_leq(strlen(tok), LIS_TOKEN_TEXT_MAX);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	cr_assert_str_eq(o.location, c.location);
	/* too small an output buffer is refused, not truncated */
	cr_assert_neq(lis_token_issue(&key, &c, tok, 100), 0);
}

Test(token, same_claims_differ)
{
	lis_token_claims_t c, o;
	char t1[1024], t2[1024];
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, t1, sizeof t1), 0);
	cr_assert_eq(lis_token_issue(&key, &c, t2, sizeof t2), 0);
	cr_assert_str_neq(t1, t2);
	cr_assert_eq(lis_token_open(&key, t2, strlen(t2), &o), 0);
}

Test(token, every_flipped_character_is_refused)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	lis_token_claims_t c, o;
	char tok[1024], bad[1024];
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	size_t n = strlen(tok);
	for (size_t i = 0; i < n; i++) {
		/* two different replacements at every position, and one outside the alphabet */
		for (int k = 1; k <= 2; k++) {
			memcpy(bad, tok, n + 1);
			const char *p = strchr(alphabet, tok[i]);
			bad[i] = alphabet[((size_t)(p - alphabet) + (size_t)k * 21) % 64];
			cr_assert_eq(lis_token_open(&key, bad, n, &o), LIS_EDATA,
			             "flipped position %zu opened", i);
		}
		memcpy(bad, tok, n + 1);
		bad[i] = '=';
		cr_assert_eq(lis_token_open(&key, bad, n, &o), LIS_EDATA);
	}
}

Test(token, truncated_extended_and_garbage_are_refused)
{
	lis_token_claims_t c, o;
	char tok[1024], longer[1100];
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	size_t n = strlen(tok);
	for (size_t l = 0; l < n; l++)
		cr_assert_eq(lis_token_open(&key, tok, l, &o), LIS_EDATA, "prefix %zu opened", l);
	snprintf(longer, sizeof longer, "%sA", tok);
	cr_assert_eq(lis_token_open(&key, longer, n + 1, &o), LIS_EDATA);
	snprintf(longer, sizeof longer, "%sAAAA", tok);
	cr_assert_eq(lis_token_open(&key, longer, n + 4, &o), LIS_EDATA);
	cr_assert_eq(lis_token_open(&key, "", 0, &o), LIS_EDATA);
	cr_assert_eq(lis_token_open(&key, "not-a-token", 11, &o), LIS_EDATA);
	char big[4000];
	memset(big, 'A', sizeof big);
	cr_assert_eq(lis_token_open(&key, big, sizeof big, &o), LIS_EDATA);
}

Test(token, other_key_is_refused)
{
	lis_token_claims_t c, o;
	char tok[1024];
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_eq(lis_token_open(&key2, tok, strlen(tok), &o), LIS_EDATA);
}

Test(token, same_key_file_same_key)
{
	/* Two nodes loading one key file open each other's tokens. */
	char err[256], tok[1024];
	lis_token_key_t k2;
	lis_token_claims_t c, o;
	char *a = key_file("a2.key", 32, 0600);
	cr_assert_eq(lis_token_key_load(a, &k2, err, sizeof err), 0);
	claims(&c);
	cr_assert_eq(lis_token_issue(&k2, &c, tok, sizeof tok), 0);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	free(a);
}

Test(token, key_file_refusals)
{
	char err[512];
	lis_token_key_t k;

	char *open_to_group = key_file("g.key", 32, 0640);
	cr_assert_eq(lis_token_key_load(open_to_group, &k, err, sizeof err), LIS_ECONFIG);
	cr_assert(strstr(err, "chmod 600"), "%s", err);

	char *world = key_file("w.key", 64, 0604);
	cr_assert_eq(lis_token_key_load(world, &k, err, sizeof err), LIS_ECONFIG);

	char *small = key_file("s.key", 31, 0600);
	cr_assert_eq(lis_token_key_load(small, &k, err, sizeof err), LIS_ECONFIG);
	cr_assert(strstr(err, "31 bytes"), "%s", err);
	cr_assert(strstr(err, "openssl rand 32"), "%s", err);

	char *empty = key_file("e.key", 0, 0600);
	cr_assert_eq(lis_token_key_load(empty, &k, err, sizeof err), LIS_ECONFIG);

	char missing[4096];
	snprintf(missing, sizeof missing, "%s/missing.key", dir);
	cr_assert_eq(lis_token_key_load(missing, &k, err, sizeof err), LIS_ECONFIG);
	cr_assert(strstr(err, "missing.key"), "%s", err);

	cr_assert_eq(lis_token_key_load(dir, &k, err, sizeof err), LIS_ECONFIG); /* a directory */

	char *big = key_file("big.key", 4096, 0600); /* more than enough is fine */
	cr_assert_eq(lis_token_key_load(big, &k, err, sizeof err), 0, "%s", err);
	free(open_to_group);
	free(world);
	free(small);
	free(empty);
	free(big);
}

/* ---------------- format 2: a nomadic address inside ------------------- */

static void civic_put(held_civic_t *c, wm_ca_key_t k, const char *v)
{
	cr_assert(held_civic_put(c, k, v, strlen(v)));
	c->set = true;
}

static void nomadic_claims(lis_token_claims_t *c)
{
	claims(c);
	snprintf(c->location, sizeof c->location, "nomadic");
	c->method = WM_M_NOMADIC;
	c->civic_given = 1794999000;
	civic_put(&c->civic, WM_CA_COUNTRY, "US");
	civic_put(&c->civic, WM_CA_A1, "TX");
	civic_put(&c->civic, WM_CA_A3, "Austin");
	civic_put(&c->civic, WM_CA_RD, "Elm");
	civic_put(&c->civic, WM_CA_HNO, "42");
}

static void assert_same_civic(const held_civic_t *a, const held_civic_t *b)
{
	cr_assert_eq(a->set, b->set);
	for (int k = 0; k < WM_CA_COUNT; k++) {
		const char *x = held_civic_get(a, (wm_ca_key_t)k),
		           *y = held_civic_get(b, (wm_ca_key_t)k);
		cr_assert_eq(x == NULL, y == NULL, "element %d", k);
		if (x)
			cr_assert_str_eq(x, y);
	}
}

/* The version octet of a token (its first 6 bits are the first character). */
static int version_of(const char *tok)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	return (int)((strchr(b64, tok[0]) - b64) << 2 | (strchr(b64, tok[1]) - b64) >> 4);
}

Test(token, address_round_trip_is_format_2_and_opaque)
{
	static lis_token_claims_t c, o;
	char tok[LIS_TOKEN_TEXT_MAX + 1];
	nomadic_claims(&c);
	cr_assert(lis_token_can_embed(&c.civic));
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_eq(version_of(tok), 2, "%s", tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	cr_assert_str_eq(o.tenant, c.tenant);
	cr_assert_str_eq(o.location, "nomadic");
	cr_assert_eq(o.method, WM_M_NOMADIC);
	cr_assert_eq(o.issued, c.issued);
	cr_assert_eq(o.expires, c.expires);
	cr_assert_eq(o.civic_given, c.civic_given);
	assert_same_civic(&o.civic, &c.civic);
	cr_assert_null(strstr(tok, "Austin"));
	cr_assert_null(strstr(tok, "Elm"));
	/* under another key it is the same refusal as any other token */
	cr_assert_eq(lis_token_open(&key2, tok, strlen(tok), &o), LIS_EDATA);
	cr_assert(!o.civic.set);

	/* without an address: still format 1, opened with no address */
	claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_eq(version_of(tok), 1);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	cr_assert(!o.civic.set);
}

Test(token, format_1_tokens_of_the_previous_release_still_open)
{
	/* Issued by the release before format 2 (git 1d00826, lis/token.c) under
	 * a.key: live for up to token.lifetime after an upgrade. */
	static const char nomadic_v1[] =
	    "Ae7YFRtrJeIEYkIhL7ZEOC6pUSPuV1rmio0Kd13ZpSqF5o9SF1JVPNGobkbxkfV1z6ovH0PMC6-39Jstxuq"
	    "EXrco0QXc2cXpNlS-Md7un3wA7i6ejUhSU3J4HpN5vR-j5PJMFeRT19o_kv2AnFno_0r9Ly-W0GSCpG1O"
	    "gmoUEYKbFJ38R6rJ5XmneKIR0TdM82JaN0bKz43O1JCU";
	static const char port_v1[] = "AWmM4xYvPPssh6rbDpEA5ghlZlcFNzytEjcXnDd7Q7RzEWULEEkcVp1u9Pei"
	                              "DSjPbU9n0PBnIvh-fRNs0t9iJpKkwV5LamfncU-28vlk3I8vyia64WrAn"
	                              "f4U";
	static lis_token_claims_t o;
	cr_assert_eq(lis_token_open(&key, nomadic_v1, strlen(nomadic_v1), &o), 0);
	cr_assert_str_eq(o.tenant, "11111111-1111-4111-8111-111111111111");
	cr_assert_str_eq(o.location, "nomadic:00112233445566778899aabbccddeeff00112233445566778899a"
	                             "abbccddeeff");
	cr_assert_eq(o.method, WM_M_NOMADIC);
	cr_assert_eq(o.issued, 1795000000);
	cr_assert_eq(o.expires, 1795001800);
	cr_assert(!o.civic.set);
	cr_assert_eq(lis_token_open(&key, port_v1, strlen(port_v1), &o), 0);
	cr_assert_str_eq(o.location, "a-port");
	cr_assert_eq(o.method, WM_M_LLDP_PORT);
	cr_assert(!o.civic.set);
}

Test(token, format_2_flipped_truncated_and_extended_are_refused)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	static lis_token_claims_t c, o;
	char tok[LIS_TOKEN_TEXT_MAX + 1], bad[LIS_TOKEN_TEXT_MAX + 8];
	nomadic_claims(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	size_t n = strlen(tok);
	for (size_t i = 0; i < n; i++) {
		memcpy(bad, tok, n + 1);
		const char *p = strchr(alphabet, tok[i]);
		bad[i] = alphabet[((size_t)(p - alphabet) + 21) % 64];
		cr_assert_eq(lis_token_open(&key, bad, n, &o), LIS_EDATA, "flipped %zu opened", i);
	}
	for (size_t l = 0; l < n; l++)
		cr_assert_eq(lis_token_open(&key, tok, l, &o), LIS_EDATA, "prefix %zu opened", l);
	for (size_t extra = 1; extra <= 4; extra++) {
		snprintf(bad, sizeof bad, "%s%.*s", tok, (int)extra, "AAAA");
		cr_assert_eq(lis_token_open(&key, bad, n + extra, &o), LIS_EDATA);
	}
	/* the version octet is authenticated: 2 -> 1 (and 3) does not open */
	for (int v = 1; v <= 3; v += 2) {
		memcpy(bad, tok, n + 1);
		bad[0] = 'A'; /* 000000 */
		bad[1] = alphabet[((strchr(alphabet, tok[1]) - alphabet) & 15) | (v << 4 & 48)];
		cr_assert_eq(version_of(bad), v);
		cr_assert_eq(lis_token_open(&key, bad, n, &o), LIS_EDATA, "as version %d", v);
	}
}

/* Seals arbitrary claim bytes the way token.c does, to reach the decoder
 * behind the tag: a bug there would be exploitable only with the key, but
 * a malformed claim set must still be refused, never read past. */
static void seal(uint8_t version, const uint8_t *plain, size_t n, char *out)
{
	uint8_t buf[2048];
	int len = 0, fin = 0;
	cr_assert_lt(1 + 12 + n + 16, sizeof buf);
	buf[0] = version;
	for (int i = 0; i < 12; i++)
		buf[1 + i] = (uint8_t)(i * 13 + n);
	EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
	cr_assert(cx && EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, key.key, buf + 1) == 1 &&
	          EVP_EncryptUpdate(cx, NULL, &len, buf, 1) == 1 &&
	          EVP_EncryptUpdate(cx, buf + 13, &len, plain, (int)n) == 1 &&
	          EVP_EncryptFinal_ex(cx, buf + 13 + len, &fin) == 1 &&
	          EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, 16, buf + 13 + n) == 1);
	EVP_CIPHER_CTX_free(cx);
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t total = 13 + n + 16, o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < total; i++) {
		acc = acc << 8 | buf[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[o++] = b64[(acc >> (bits - 6)) & 63];
	}
	if (bits)
		out[o++] = b64[(acc << (6 - bits)) & 63];
	out[o] = 0;
}

/* Format 1 claims of claims() into p; returns the length. */
static size_t v1_claims(uint8_t *p)
{
	size_t n = 0;
	const char *t = "tenant-a", *l = "nomadic";
	p[n++] = (uint8_t)strlen(t);
	memcpy(p + n, t, strlen(t));
	n += strlen(t);
	p[n++] = (uint8_t)strlen(l);
	memcpy(p + n, l, strlen(l));
	n += strlen(l);
	p[n++] = WM_M_NOMADIC;
	memset(p + n, 0, 16);
	p[n + 4] = 0x7f; /* issued, expires: far ahead */
	p[n + 12] = 0x7f;
	return n + 16;
}

typedef struct {
	const char *what;
	const uint8_t *addr; /* after the 8-byte given time */
	size_t len;
} addr_case_t;

Test(token, malformed_sealed_claims_are_refused)
{
	static lis_token_claims_t o;
	uint8_t p[2048];
	char tok[4096];
	/* a well-formed address: 2 elements, country "US" and A3 "Austin" */
	static const uint8_t good[] = {2, WM_CA_COUNTRY, 2,   0,   'U', 'S', WM_CA_A3, 6,
	                               0, 'A',           'u', 's', 't', 'i', 'n'};
	size_t n = v1_claims(p);

	/* the helper is right: these open */
	seal(1, p, n, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	memset(p + n, 0, 8);
	memcpy(p + n + 8, good, sizeof good);
	seal(2, p, n + 8 + sizeof good, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	cr_assert_str_eq(held_civic_get(&o.civic, WM_CA_A3), "Austin");

	/* format 1 with anything after the claims; format 2 without an address */
	seal(1, p, n + 8 + sizeof good, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA);
	for (size_t cut = 0; cut <= 8; cut++) {
		seal(2, p, n + cut, tok);
		cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA, "cut %zu", cut);
	}
	/* every strict prefix of the address, and one byte more */
	for (size_t l = 0; l < sizeof good; l++) {
		seal(2, p, n + 8 + l, tok);
		cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA, "prefix %zu",
		             l);
	}
	p[n + 8 + sizeof good] = 'x';
	seal(2, p, n + 8 + sizeof good + 1, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA);

	static const uint8_t zero_count[] = {0};
	static const uint8_t count_over[] = {3, WM_CA_COUNTRY, 2, 0, 'U', 'S'};
	static const uint8_t count_huge[] = {255, WM_CA_COUNTRY, 2, 0, 'U', 'S'};
	static const uint8_t bad_key[] = {1, WM_CA_COUNT, 2, 0, 'U', 'S'};
	static const uint8_t dup_key[] = {2, WM_CA_A3, 1, 0, 'a', WM_CA_A3, 1, 0, 'b'};
	static const uint8_t empty_value[] = {1, WM_CA_A3, 0, 0};
	static const uint8_t nul_value[] = {1, WM_CA_A3, 3, 0, 'a', 0, 'b'};
	static const uint8_t len_over[] = {1, WM_CA_A3, 3, 0, 'a', 'b'};
	static const uint8_t len_huge[] = {1, WM_CA_A3, 0xff, 0xff, 'a', 'b'};
	static const addr_case_t cases[] = {
	    {"no elements", zero_count, sizeof zero_count},
	    {"count over the elements", count_over, sizeof count_over},
	    {"count 255", count_huge, sizeof count_huge},
	    {"unknown key", bad_key, sizeof bad_key},
	    {"key twice", dup_key, sizeof dup_key},
	    {"empty value", empty_value, sizeof empty_value},
	    {"NUL in a value", nul_value, sizeof nul_value},
	    {"length past the end", len_over, sizeof len_over},
	    {"length 65535", len_huge, sizeof len_huge},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(p + n + 8, cases[i].addr, cases[i].len);
		seal(2, p, n + 8 + cases[i].len, tok);
		cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA, "%s",
		             cases[i].what);
		cr_assert(!o.civic.set, "%s", cases[i].what);
	}

	/* over the bound: one LOC of 598 bytes is 602 serialized */
	uint8_t *a = p + n + 8;
	a[0] = 1;
	a[1] = WM_CA_LOC;
	for (size_t vl = 595; vl <= 598; vl++) {
		a[2] = (uint8_t)(vl & 0xff);
		a[3] = (uint8_t)(vl >> 8);
		memset(a + 4, 'L', vl);
		seal(2, p, n + 8 + 4 + vl, tok);
		int want = 4 + vl <= LIS_TOKEN_CIVIC_MAX ? 0 : LIS_EDATA;
		cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), want,
		             "address of %zu bytes", 4 + vl);
	}
	/* unknown versions */
	seal(0, p, n, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA);
	seal(3, p, n + 8 + sizeof good, tok);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), LIS_EDATA);
}

Test(token, too_long_address_is_not_embedded)
{
	static lis_token_claims_t c, o;
	char tok[LIS_TOKEN_TEXT_MAX + 1], v[700];

	/* 1 count + 3 + 596 = 600: the largest address a token carries */
	nomadic_claims(&c);
	memset(&c.civic, 0, sizeof c.civic);
	memset(v, 'L', 596);
	v[596] = 0;
	civic_put(&c.civic, WM_CA_LOC, v);
	cr_assert(lis_token_can_embed(&c.civic));
	/* with the longest ids too: the longest token there is */
	longest_ids(&c);
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), 0);
	cr_assert_leq(strlen(tok), LIS_TOKEN_TEXT_MAX);
	cr_assert_eq(lis_token_open(&key, tok, strlen(tok), &o), 0);
	assert_same_civic(&o.civic, &c.civic);

	/* one byte more: not embedded, and issuing with it is refused */
	memset(&c.civic, 0, sizeof c.civic);
	v[597] = 0;
	v[596] = 'L';
	civic_put(&c.civic, WM_CA_LOC, v);
	cr_assert(!lis_token_can_embed(&c.civic));
	cr_assert_eq(lis_token_issue(&key, &c, tok, sizeof tok), LIS_ELIMIT);
	/* an empty address is not embedded either */
	memset(&c.civic, 0, sizeof c.civic);
	c.civic.set = true;
	cr_assert(!lis_token_can_embed(&c.civic));
}
