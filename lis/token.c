/*
 * Location URI tokens (RFC 5808 §4-5, RFC 6753): the token is the
 * authorisation to dereference, so it must be unguessable, unforgeable and
 * opaque.
 *
 *   token = base64url( version(1) | nonce(12) | AES-256-GCM(claims) | tag(16) )
 *
 *   claims, format 1: str tenant | str location | u8 method |
 *                     u64 BE issued | u64 BE expires        (str = u8 len, bytes)
 *   claims, format 2: the same, then u64 BE given | address
 *                     (address as lis_civic_pack writes it, 3..LIS_TOKEN_CIVIC_MAX
 *                     bytes, up to the end of the claims)
 *
 * Format 2 carries a nomadic answer's address (SPEC §4.2 step 6), which
 * lives only in the issuing node's own store: with it inside the token, any
 * node holding the key answers a call router's dereference. Format 1 is
 * still issued for everything else and still opened: tokens issued before
 * an upgrade live out their lifetime.
 *
 * The AEAD key is derived with HKDF-SHA256 from token.key_file (≥ 32 random
 * bytes shared by every node of a deployment), so any lisd with the same key
 * file opens a token another one issued, with no shared state. The version
 * octet is authenticated as associated data (a format 2 token cannot be
 * passed off as format 1 or back). Claims, the address included, are
 * encrypted: the URI says nothing about the target in clear. RFC 5808 §3.3
 * lets "a possession model URI ... include location information in its
 * representation", but C4 wants by default that "the location URI does not
 * contain location-information-specific components" and C5 that it "MUST
 * NOT contain information that identifies the Target": sealed under the
 * deployment's key, the address is opaque to everyone but a LIS node. A
 * token is 128+ bits an attacker cannot predict (C8): the 96-bit random
 * nonce plus the 128-bit tag under a secret key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "lis/lis_internal.h"

#define TOKEN_V1 1 /* no address */
#define TOKEN_V2 2 /* a nomadic answer's address inside */
#define NONCE_LEN 12
#define TAG_LEN 16
#define CLAIMS_V1_MAX (2 + LIS_TOKEN_ID_MAX * 2 + 1 + 8 + 8)
#define CLAIMS_MAX (CLAIMS_V1_MAX + 8 + LIS_TOKEN_CIVIC_MAX)
#define SEALED_MAX (1 + NONCE_LEN + CLAIMS_MAX + TAG_LEN)

_Static_assert((SEALED_MAX * 4 + 2) / 3 <= LIS_TOKEN_TEXT_MAX,
               "the longest token must fit LIS_TOKEN_TEXT_MAX");

int lis_token_key_load(const char *path, lis_token_key_t *k, char *err, size_t errlen)
{
	int rc = LIS_ECONFIG;
	uint8_t raw[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return LIS_ECONFIG;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
		         "%s: readable by group or others (mode %03o); run chmod 600 %s", path,
		         (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	ssize_t n = read(fd, raw, sizeof raw);
	if (n < 32) {
		snprintf(
		    err, errlen,
		    "%s: holds %zd bytes, need at least 32 random bytes (openssl rand 32 > %s)",
		    path, n < 0 ? (ssize_t)0 : n, path);
		goto out;
	}
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t outlen = sizeof k->key;
	if (!kc || EVP_PKEY_derive_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_hkdf_md(kc, EVP_sha256()) <= 0 ||
	    EVP_PKEY_CTX_set1_hkdf_key(kc, raw, (int)n) <= 0 ||
	    EVP_PKEY_CTX_add1_hkdf_info(kc, (const unsigned char *)"openlis location token v1",
	                                25) <= 0 ||
	    EVP_PKEY_derive(kc, k->key, &outlen) <= 0) {
		snprintf(err, errlen, "%s: key derivation failed", path);
		EVP_PKEY_CTX_free(kc);
		goto out;
	}
	EVP_PKEY_CTX_free(kc);
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof raw);
	close(fd);
	return rc;
}

static size_t put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);
	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = B64URL[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = B64URL[(acc << (6 - bits)) & 63];
	out[o] = 0;
	return o;
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Strict: no padding, no stray bits (one encoding per token). */
static int b64url_decode(const char *in, size_t n, uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64url_val(in[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 6 || (acc & ((1u << bits) - 1)))
		return -1;
	*outlen = o;
	return 0;
}

bool lis_token_can_embed(const held_civic_t *c)
{
	uint8_t tmp[LIS_TOKEN_CIVIC_MAX];
	bool ok = c->set && lis_civic_pack(c, tmp, sizeof tmp) != 0;
	OPENSSL_cleanse(tmp, sizeof tmp);
	return ok;
}

int lis_token_issue(const lis_token_key_t *k, const lis_token_claims_t *c, char *out, size_t outlen)
{
	uint8_t plain[CLAIMS_MAX], buf[SEALED_MAX];
	int rc = -EIO, len = 0, fin = 0;
	EVP_CIPHER_CTX *cx = NULL;
	if (strlen(c->tenant) > LIS_TOKEN_ID_MAX || strlen(c->location) > LIS_TOKEN_ID_MAX)
		return LIS_EDATA;
	size_t n = 0;
	n += put_str(plain + n, c->tenant);
	n += put_str(plain + n, c->location);
	plain[n++] = (uint8_t)c->method;
	put_u64(plain + n, (uint64_t)c->issued);
	n += 8;
	put_u64(plain + n, (uint64_t)c->expires);
	n += 8;
	buf[0] = TOKEN_V1;
	if (c->civic.set) {
		put_u64(plain + n, (uint64_t)c->civic_given);
		n += 8;
		size_t al = lis_civic_pack(&c->civic, plain + n, LIS_TOKEN_CIVIC_MAX);
		if (al == 0) {
			rc = LIS_ELIMIT; /* the caller asks lis_token_can_embed first */
			goto out;
		}
		n += al;
		buf[0] = TOKEN_V2;
	}

	if (RAND_bytes(buf + 1, NONCE_LEN) != 1)
		goto out;
	cx = lis_gcm_ctx(k->key, true, buf + 1);
	if (!cx || EVP_EncryptUpdate(cx, NULL, &len, buf, 1) != 1 ||
	    EVP_EncryptUpdate(cx, buf + 1 + NONCE_LEN, &len, plain, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(cx, buf + 1 + NONCE_LEN + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + 1 + NONCE_LEN + n) != 1)
		goto out;
	size_t total = 1 + NONCE_LEN + n + TAG_LEN;
	if (outlen < (total * 4 + 2) / 3 + 1) {
		rc = LIS_ELIMIT;
		goto out;
	}
	b64url_encode(buf, total, out);
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof plain);
	return rc;
}

static int get_str(const uint8_t *p, size_t n, size_t *off, char *out)
{
	if (*off >= n)
		return -1;
	size_t l = p[*off];
	if (l > LIS_TOKEN_ID_MAX || *off + 1 + l > n || memchr(p + *off + 1, 0, l))
		return -1;
	memcpy(out, p + *off + 1, l);
	out[l] = 0;
	*off += 1 + l;
	return 0;
}

int lis_token_open(const lis_token_key_t *k, const char *tok, size_t toklen, lis_token_claims_t *c)
{
	uint8_t buf[SEALED_MAX], plain[CLAIMS_MAX];
	size_t n;
	c->civic.set = false;
	c->civic_given = 0;
	if (toklen > (sizeof buf * 4 + 2) / 3 || b64url_decode(tok, toklen, buf, sizeof buf, &n) ||
	    n < 1 + NONCE_LEN + TAG_LEN + 2 + 1 + 16 || (buf[0] != TOKEN_V1 && buf[0] != TOKEN_V2))
		return LIS_EDATA;
	size_t clen = n - 1 - NONCE_LEN - TAG_LEN;
	int rc = LIS_EDATA, len = 0, fin = 0;
	EVP_CIPHER_CTX *cx = lis_gcm_ctx(k->key, false, buf + 1);
	if (!cx ||
	    EVP_DecryptUpdate(cx, NULL, &len, buf, 1) != 1 ||
	    EVP_DecryptUpdate(cx, plain, &len, buf + 1 + NONCE_LEN, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, buf + 1 + NONCE_LEN + clen) !=
	        1 ||
	    EVP_DecryptFinal_ex(cx, plain + len, &fin) != 1)
		goto out; /* tampered, forged, or another deployment's key */
	size_t off = 0;
	if (get_str(plain, clen, &off, c->tenant) || get_str(plain, clen, &off, c->location) ||
	    clen - off < 17)
		goto out;
	c->method = plain[off];
	c->issued = (int64_t)get_u64(plain + off + 1);
	c->expires = (int64_t)get_u64(plain + off + 9);
	off += 17;
	if (buf[0] == TOKEN_V1) {
		if (off != clen)
			goto out;
	} else {
		/* format 2: given, then exactly one bounded address to the end */
		if (clen - off < 8 || clen - off - 8 > LIS_TOKEN_CIVIC_MAX ||
		    !lis_civic_unpack(plain + off + 8, clen - off - 8, &c->civic))
			goto out;
		c->civic_given = (int64_t)get_u64(plain + off);
	}
	rc = 0;
out:
	if (rc != 0)
		c->civic.set = false;
	OPENSSL_cleanse(plain, sizeof plain);
	return rc;
}
