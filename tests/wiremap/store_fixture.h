/* Test helpers for the store/import/index tests (header-only, test code). */
#ifndef OPENLIS_TEST_STORE_FIXTURE_H
#define OPENLIS_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/testsupport.h"
#include "wiremap/wiremap.h"

/* Two tenants; tenant-a has one location per precedence step. */
#define FX_TWO_TENANTS                                                                       \
	"format: 1\n"                                                                        \
	"tenants:\n"                                                                         \
	"  - id: tenant-a\n"                                                                 \
	"    name: Tenant A\n"                                                               \
	"    did_fallback: true\n"                                                           \
	"    trusted_networks: [203.0.113.0/24]\n"                                           \
	"    buildings:\n"                                                                   \
	"      - id: hq\n"                                                                   \
	"        name: HQ\n"                                                                 \
	"        address: {country: US, A1: CA, A3: San Jose, RD: Tasman, HNO: \"170\"}\n"   \
	"        geo: {lat: 37.4, lon: -121.9, radius: 40}\n"                                \
	"        locations:\n"                                                               \
	"          - id: port-loc\n"                                                         \
	"            name: Port location\n"                                                  \
	"            address: {FLR: \"1\", A3: Milpitas}\n"                                  \
	"            network:\n"                                                             \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"        \
	"          - id: bssid-loc\n"                                                        \
	"            network:\n"                                                             \
	"              - bssid: \"00-11-22-33-44-55\"\n"                                     \
	"          - id: wild1-loc\n"                                                        \
	"            network:\n"                                                             \
	"              - bssid: \"00-11-22-33-44-6*\"\n"                                     \
	"          - id: wild2-loc\n"                                                        \
	"            network:\n"                                                             \
	"              - bssid: \"00-11-22-33-45-**\"\n"                                     \
	"          - id: chassis-loc\n"                                                      \
	"            geo: {lat: 37.5, lon: -121.8}\n"                                        \
	"            network:\n"                                                             \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\"}\n"                           \
	"          - id: net24\n"                                                            \
	"            network:\n"                                                             \
	"              - subnet: 10.20.30.0/24\n"                                            \
	"              - subnet: \"2001:db8:20:31::/64\"\n"                                  \
	"          - id: net16\n"                                                            \
	"            network:\n"                                                             \
	"              - subnet: 10.20.0.0/16\n"                                             \
	"          - id: gw-loc\n"                                                           \
	"            ecbn: \"+14085550100\"\n"                                               \
	"            network:\n"                                                             \
	"              - gateway_mac: \"00-00-5e-00-01-01\"\n"                               \
	"          - id: did-loc\n"                                                          \
	"    dids:\n"                                                                        \
	"      - {did: \"+14085551234\", location: did-loc}\n"                               \
	"  - id: tenant-b\n"                                                                 \
	"    name: Tenant B\n"                                                               \
	"    buildings:\n"                                                                   \
	"      - id: hq\n"                                                                   \
	"        name: B HQ\n"                                                               \
	"        address: {country: US, A1: NY}\n"                                           \
	"        locations:\n"                                                               \
	"          - id: b-loc\n"                                                            \
	"            network:\n"                                                             \
	"              - bssid: \"00-11-22-33-44-55\"\n"                                     \
	"              - subnet: 10.20.30.0/24\n"                                            \
	"              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"        \
	"              - gateway_mac: \"00-00-5e-00-01-01\"\n"                               \
	"    dids:\n"                                                                        \
	"      - {did: \"+14085551234\", location: b-loc}\n"

typedef struct {
	char *dir;  /* temp dir holding files */
	char *db;   /* dir/db */
	wm_store_t *st;
	wm_diag_t *diag;
} fx_t;

static inline void fx_init(fx_t *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = ts_mkdtemp();
	cr_assert(asprintf(&f->db, "%s/db", f->dir) > 0);
	cr_assert_eq(wm_store_open(f->db, WM_STORE_CREATE, 0, &f->st), 0);
	f->diag = wm_diag_new();
}

static inline void fx_fini(fx_t *f)
{
	wm_store_close(f->st);
	wm_diag_free(f->diag);
	ts_rmtree(f->dir);
	free(f->dir);
	free(f->db);
	memset(f, 0, sizeof(*f));
}

/* All diagnostics, one per line (static buffer) for assertion messages. */
static inline const char *fx_diags(const fx_t *f)
{
	static char buf[16384];
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < wm_diag_count(f->diag) && o < sizeof buf - 1; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\n", wm_diag_get(f->diag, i));
	return buf;
}

static inline bool fx_diag_has(const fx_t *f, const char *needle)
{
	for (size_t i = 0; i < wm_diag_count(f->diag); i++)
		if (strstr(wm_diag_get(f->diag, i), needle))
			return true;
	return false;
}

/* Writes `text` to dir/name and imports it; returns wm_import's result. */
static inline int fx_import(fx_t *f, const char *name, const char *text,
                            const wm_import_opts_t *o, wm_import_stats_t *s)
{
	char *path = ts_write_file(f->dir, name, text);
	const char *files[] = {path};
	wm_import_stats_t dummy;
	int rc = wm_import(f->st, files, 1, o, f->diag, s ? s : &dummy);
	free(path);
	return rc;
}

static inline void fx_import_ok(fx_t *f, const char *text)
{
	int rc = fx_import(f, "in.yaml", text, NULL, NULL);
	cr_assert_eq(rc, 0, "import failed (%d): %s", rc, fx_diags(f));
}

/* The export as a malloc'd string. */
static inline char *fx_export(fx_t *f, const char *tenant, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	int r = wm_export(f->st, tenant, m);
	fclose(m);
	if (rc)
		*rc = r;
	else
		cr_assert_eq(r, 0, "export failed: %s", lis_strerror(r));
	return buf;
}

static inline uint64_t fx_gen(fx_t *f)
{
	uint64_t g = 99;
	cr_assert_eq(wm_store_generation(f->st, &g), 0);
	return g;
}

#endif
