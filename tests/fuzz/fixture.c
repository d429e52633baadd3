/* Fixtures shared by the fuzz harnesses (see fuzz.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

const char FZ_WIREMAP[] =
    "format: 1\n"
    "tenants:\n"
    "  - id: tenant-a\n"
    "    name: Tenant A\n"
    "    did_fallback: true\n"
    "    trusted_networks: [192.0.2.0/24, \"2001:db8:ff::/48\"]\n"
    "    buildings:\n"
    "      - id: hq\n"
    "        name: HQ\n"
    "        address: {country: US, A1: CA, A3: San Jose, PRD: N, RD: Tasman, STS: Dr, HNO: "
    "\"170\","
    " PC: \"95134\"}\n"
    "        geo: {lat: 37.4107, lon: -121.954, radius: 40}\n"
    "        locations:\n"
    "          - id: port-loc\n"
    "            address: {FLR: \"1\", ROOM: \"101\"}\n"
    "            ecbn: \"+14085550100\"\n"
    "            network:\n"
    "              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"
    "          - id: bssid-loc\n"
    "            network:\n"
    "              - bssid: \"00-11-22-33-44-55\"\n"
    "          - id: wild-loc\n"
    "            network:\n"
    "              - bssid: \"00-11-22-33-44-6*\"\n"
    "          - id: chassis-loc\n"
    "            network:\n"
    "              - lldp: {chassis: \"00-1b-21-3c-4d-00\"}\n"
    "          - id: net-loc\n"
    "            network:\n"
    "              - subnet: 10.20.30.0/24\n"
    "              - subnet: \"2001:db8:20:31::/64\"\n"
    "          - id: gw-loc\n"
    "            network:\n"
    "              - gateway_mac: \"00-00-5e-00-01-01\"\n"
    "          - id: did-loc\n"
    "            address: {ROOM: \"214\"}\n"
    "      - id: annex\n"
    "        name: Annex\n"
    "        address: {country: US, A1: CA, A3: Milpitas, RD: Main, HNO: \"1\"}\n"
    "        locations:\n"
    "          - id: civic-only\n"
    "            network:\n"
    "              - bssid: \"aa-bb-cc-00-00-01\"\n"
    "      - id: geo-only\n"
    "        name: Field\n"
    "        geo: {lat: -33.86, lon: 151.2}\n"
    "        locations:\n"
    "          - id: geo-loc\n"
    "            network:\n"
    "              - subnet: 10.99.0.0/16\n"
    "    dids:\n"
    "      - {did: \"+14085551234\", location: did-loc}\n"
    "  - id: tenant-b\n"
    "    name: Tenant B\n"
    "    buildings:\n"
    "      - id: b-hq\n"
    "        name: B HQ\n"
    "        address: {country: DE, A1: BE, A3: Berlin, RD: Unter den Linden, HNO: \"1\"}\n"
    "        locations:\n"
    "          - id: b-loc\n"
    "            network:\n"
    "              - subnet: 10.20.30.0/24\n"
    "              - bssid: \"00-11-22-33-99-99\"\n";

const char FZ_ONE_TENANT[] =
    "format: 1\n"
    "tenants:\n"
    "  - id: solo\n"
    "    name: Solo\n"
    "    buildings:\n"
    "      - id: s\n"
    "        name: S\n"
    "        address: {country: US, A1: TX, A3: Austin, RD: Congress, HNO: \"5\"}\n"
    "        locations:\n"
    "          - id: solo-loc\n"
    "            network:\n"
    "              - bssid: \"00-11-22-33-44-55\"\n"
    "              - subnet: 0.0.0.0/0\n";

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz fixture: %s: %s\n", what, detail ? detail : "");
	abort();
}

char *fz_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;
	if (asprintf(&p, "%s/openlis-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		die("asprintf", NULL);
	if (!mkdtemp(p))
		die("mkdtemp", strerror(errno));
	return p;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void fz_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *fz_write_file(const char *dir, const char *name, const void *data, size_t len, unsigned mode)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		die("asprintf", NULL);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) != 0)
		die(p, strerror(errno));
	return p;
}

wm_index_t *fz_index_from_yaml(const char *yaml)
{
	char *dir = fz_mkdtemp(), *db = NULL;
	char *file = fz_write_file(dir, "map.yaml", yaml, strlen(yaml), 0600);
	wm_store_t *st = NULL;
	wm_index_t *ix = NULL;
	if (asprintf(&db, "%s/db", dir) < 0)
		die("asprintf", NULL);
	int rc = wm_store_open(db, WM_STORE_CREATE, (size_t)64 << 20, &st);
	if (rc)
		die("wm_store_open", lis_strerror(rc));
	wm_diag_t *d = wm_diag_new();
	const char *files[] = {file};
	wm_import_opts_t o = {0};
	wm_import_stats_t s;
	rc = wm_import(st, files, 1, &o, d, &s);
	for (size_t i = 0; i < wm_diag_count(d); i++)
		fprintf(stderr, "%s\n", wm_diag_get(d, i));
	if (rc)
		die("wm_import", lis_strerror(rc));
	if ((rc = wm_index_build(st, &ix)))
		die("wm_index_build", lis_strerror(rc));
	wm_diag_free(d);
	wm_store_close(st);
	fz_rmtree(dir);
	free(db);
	free(file);
	free(dir);
	return ix;
}

void fz_memfile_open(fz_memfile_t *f, const char *name)
{
	f->fd = memfd_create(name, MFD_CLOEXEC);
	if (f->fd < 0)
		die("memfd_create", strerror(errno));
	snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

const char *fz_memfile_set(fz_memfile_t *f, const uint8_t *data, size_t size)
{
	if (ftruncate(f->fd, 0) != 0 || (size && pwrite(f->fd, data, size, 0) != (ssize_t)size))
		die("memfd write", strerror(errno));
	return f->path;
}
