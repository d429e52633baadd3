/*
 * OpenSSL objects the hot paths reuse instead of rebuilding per request.
 *
 * OpenSSL 3 looks an algorithm up by name each time EVP_aes_256_gcm() or
 * EVP_sha256() is passed to an init call (a locked hash-table fetch), and
 * EVP_EncryptInit_ex with a key expands the AES key schedule and the GHASH
 * table: together about a quarter of a dereference (callgrind, README
 * "Benchmarks"). The algorithms are fetched once per process; each thread
 * keeps one AES-256-GCM context per direction with the key set, and a
 * token only sets its nonce (EVP_CipherInit_ex with a NULL cipher and key
 * keeps the key schedule and resets the GCM state for the new IV).
 * Contexts are freed, key material cleansed, when their thread exits.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lis/lis_internal.h"

typedef struct {
	EVP_CIPHER_CTX *cx[2]; /* [0] decrypt, [1] encrypt */
	bool ready[2];         /* cx[i] holds the key below */
	uint8_t key[32];
} gcm_cache_t;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static bool tls_ok;
static EVP_CIPHER *aes_gcm;
static EVP_MD *sha256;

static void cache_free(void *p)
{
	gcm_cache_t *c = p;
	EVP_CIPHER_CTX_free(c->cx[0]);
	EVP_CIPHER_CTX_free(c->cx[1]);
	OPENSSL_cleanse(c, sizeof *c);
	free(c);
}

static void fetch_once(void)
{
	tls_ok = pthread_key_create(&tls_key, cache_free) == 0;
	aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

const EVP_MD *lis_sha256(void)
{
	pthread_once(&once, fetch_once);
	return sha256 ? sha256 : EVP_sha256();
}

EVP_CIPHER_CTX *lis_gcm_ctx(const uint8_t key[32], bool encrypt, const uint8_t iv[12])
{
	pthread_once(&once, fetch_once);
	if (!tls_ok || !aes_gcm)
		return NULL;
	gcm_cache_t *c = pthread_getspecific(tls_key);
	if (!c) {
		if (!(c = calloc(1, sizeof *c)))
			return NULL;
		c->cx[0] = EVP_CIPHER_CTX_new();
		c->cx[1] = EVP_CIPHER_CTX_new();
		if (!c->cx[0] || !c->cx[1] || pthread_setspecific(tls_key, c) != 0) {
			cache_free(c);
			return NULL;
		}
	}
	if (CRYPTO_memcmp(c->key, key, sizeof c->key) != 0) {
		memcpy(c->key, key, sizeof c->key);
		c->ready[0] = c->ready[1] = false;
	}
	int e = encrypt ? 1 : 0;
	EVP_CIPHER_CTX *cx = c->cx[e];
	int ok = c->ready[e] ? EVP_CipherInit_ex(cx, NULL, NULL, NULL, iv, e)
	                     : EVP_CipherInit_ex(cx, aes_gcm, NULL, key, iv, e);
	c->ready[e] = ok == 1;
	return ok == 1 ? cx : NULL;
}
