/*
 * TLS server contexts for https listeners: TLS 1.2 minimum, forward-secret
 * AEAD suites only, optional client certificates (mutual TLS).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "lis/lis_internal.h"

/* TLS 1.2 suites: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305. TLS 1.3
 * suites are OpenSSL's defaults (all strong). */
#define LIS_TLS12_CIPHERS                                                                          \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

static void ssl_reason(char *out, size_t outlen)
{
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, out, outlen);
	else
		snprintf(out, outlen, "unknown TLS error");
	ERR_clear_error();
}

/* Accepts any client certificate during the handshake: the dereference
 * handler verifies it against the token's tenant's client_ca. */
static int accept_any_cert(int preverify_ok, X509_STORE_CTX *x)
{
	(void)preverify_ok;
	(void)x;
	return 1;
}

void lis_tls_request_client_cert(SSL_CTX *ctx)
{
	if (SSL_CTX_get_verify_mode(ctx) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
		return; /* listener-level mTLS already asks (and verifies) */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_cert);
	SSL_CTX_set_verify_depth(ctx, 8);
	static const unsigned char sid[] = "lisd-deref-mtls";
	SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
}

SSL_CTX *lis_tls_ctx_new(const lis_listen_t *l, char *err, size_t errlen)
{
	char why[256];
	struct stat st;
	SSL_CTX *ctx = NULL;

	if (stat(l->key, &st) != 0) {
		snprintf(err, errlen, "listen %s: key %s: %s", l->addr, l->key, strerror(errno));
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(
		    err, errlen,
		    "listen %s: key %s is accessible by group/others (mode %04o); run chmod 600 %s",
		    l->addr, l->key, (unsigned)(st.st_mode & 07777), l->key);
		goto fail;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		ssl_reason(why, sizeof why);
		snprintf(err, errlen, "listen %s: %s", l->addr, why);
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_NO_RENEGOTIATION |
	                             SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, LIS_TLS12_CIPHERS) != 1) {
		ssl_reason(why, sizeof why);
		snprintf(err, errlen, "listen %s: cipher suites: %s", l->addr, why);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, l->cert) != 1) {
		ssl_reason(why, sizeof why);
		snprintf(err, errlen, "listen %s: cert %s: %s", l->addr, l->cert, why);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, l->key, SSL_FILETYPE_PEM) != 1) {
		ssl_reason(why, sizeof why);
		snprintf(err, errlen, "listen %s: key %s: %s", l->addr, l->key, why);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "listen %s: key %s does not match cert %s", l->addr, l->key,
		         l->cert);
		ERR_clear_error();
		goto fail;
	}
	if (l->client_ca) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(l->client_ca);
		if (!names || SSL_CTX_load_verify_locations(ctx, l->client_ca, NULL) != 1) {
			if (names)
				sk_X509_NAME_pop_free(names, X509_NAME_free);
			ssl_reason(why, sizeof why);
			snprintf(err, errlen, "listen %s: client_ca %s: %s", l->addr, l->client_ca,
			         why);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		SSL_CTX_set_verify_depth(ctx, 8);
		static const unsigned char sid[] = "lisd-mtls";
		SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
