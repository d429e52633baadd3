/*
 * lisd --version: our version and the versions of the libraries actually
 * linked (not the headers we were compiled against).
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>
#include <libxml/parser.h>
#include <lmdb.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "lis/lis.h"

void lis_print_versions(FILE *out)
{
	fprintf(out, "lisd %s\n", LIS_VERSION);
	fprintf(out, "libevent %s\n", event_get_version());
	fprintf(out, "%s\n", OpenSSL_version(OPENSSL_VERSION));
	int xv = atoi(xmlParserVersion); /* "20914" = 2.9.14 */
	fprintf(out, "libxml2 %d.%d.%d\n", xv / 10000, xv / 100 % 100, xv % 100);
	fprintf(out, "%s\n", mdb_version(NULL, NULL, NULL));
	fprintf(out, "libyaml %s\n", yaml_get_version_string());
}
