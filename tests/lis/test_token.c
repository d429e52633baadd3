/*
 * Location URI tokens (token.c): sealed claims round-trip; anything altered,
 * cut short or sealed under another key opens as LIS_EDATA; key files are
 * refused when too short or readable by others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

Test(token, longest_ids_round_trip)
{
	lis_token_claims_t c, o;
	char tok[1024];
	claims(&c);
	memset(c.tenant, 't', LIS_TOKEN_ID_MAX);
	c.tenant[LIS_TOKEN_ID_MAX] = 0;
	memset(c.location, 'l', LIS_TOKEN_ID_MAX);
	c.location[LIS_TOKEN_ID_MAX] = 0;
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
