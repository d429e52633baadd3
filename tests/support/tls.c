/* Test support, TLS: certificates made with the openssl CLI and one HTTPS
 * GET with an optional client certificate (see testsupport.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tests/support/testsupport.h"

static void openssl_cli(const char *const *args)
{
	char *err = NULL;
	int rc = ts_run(args, NULL, NULL, &err);
	cr_assert_eq(rc, 0, "openssl %s failed: %s", args[2], err ? err : "");
	free(err);
}

void ts_make_cert(const char *dir, const char *name, const char *ca)
{
	char key[4096], crt[4096], csr[4096], subj[256], cak[4096], cac[4096];
	snprintf(key, sizeof key, "%s/%s.key", dir, name);
	snprintf(crt, sizeof crt, "%s/%s.pem", dir, name);
	snprintf(csr, sizeof csr, "%s/%s.csr", dir, name);
	snprintf(subj, sizeof subj, "/CN=%s", name);
	const char *req[] = {"/usr/bin/env",
	                     "openssl",
	                     "req",
	                     ca ? "-new" : "-x509",
	                     "-newkey",
	                     "ec",
	                     "-pkeyopt",
	                     "ec_paramgen_curve:P-256",
	                     "-nodes",
	                     "-keyout",
	                     key,
	                     "-out",
	                     ca ? csr : crt,
	                     "-subj",
	                     subj,
	                     "-days",
	                     "2",
	                     NULL};
	if (ca) /* a leaf: no -days on a request; a server's name for loopback */
		req[15] = "-addext", req[16] = "subjectAltName=DNS:localhost,IP:127.0.0.1";
	openssl_cli(req);
	if (ca) {
		snprintf(cak, sizeof cak, "%s/%s.key", dir, ca);
		snprintf(cac, sizeof cac, "%s/%s.pem", dir, ca);
		const char *sign[] = {"/usr/bin/env",
		                      "openssl",
		                      "x509",
		                      "-req",
		                      "-in",
		                      csr,
		                      "-CA",
		                      cac,
		                      "-CAkey",
		                      cak,
		                      "-CAcreateserial",
		                      "-out",
		                      crt,
		                      "-days",
		                      "2",
		                      "-copy_extensions",
		                      "copy",
		                      NULL};
		openssl_cli(sign);
	}
	chmod(key, 0600);
}

int ts_https_get(int port, const char *path, const char *dir, const char *cert, char *body,
                 size_t bodylen)
{
	int status = -1;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	body[0] = 0;
	if (!ctx || fd < 0)
		goto out;
	if (cert) {
		char c[4096], k[4096];
		snprintf(c, sizeof c, "%s/%s.pem", dir, cert);
		snprintf(k, sizeof k, "%s/%s.key", dir, cert);
		if (SSL_CTX_use_certificate_file(ctx, c, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, k, SSL_FILETYPE_PEM) != 1)
			goto out;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto out;
	struct timeval tv = {ts_ms(5000) / 1000, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		goto out;
	char req[4096];
	int n = snprintf(req, sizeof req,
	                 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
	if (n <= 0 || n >= (int)sizeof req || SSL_write(ssl, req, n) != n)
		goto out;
	static char buf[65536];
	size_t len = 0;
	int r;
	while (len < sizeof buf - 1 &&
	       (r = SSL_read(ssl, buf + len, (int)(sizeof buf - 1 - len))) > 0)
		len += (size_t)r;
	buf[len] = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	const char *b = strstr(buf, "\r\n\r\n");
	snprintf(body, bodylen, "%s", b ? b + 4 : "");
out:
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return status;
}
