/*
 * wiremap — the administrator's tool for the wiremap database (SPEC §3):
 *   wiremap import --db DIR [--tenant ID] [--dry-run] [--replace] [--map-size SIZE] FILE...
 *   wiremap export --db DIR [--tenant ID]
 *   wiremap lookup --db DIR [--tenant ID] [--chassis X [--port Y]] [--bssid B]...
 *   wiremap stats  --db DIR
 * Exit codes (sysexits.h): 0 ok, 1 lookup found nothing, 64 usage, 65 invalid
 * input, 73 database cannot be created or has no room left (disk full, map
 * size reached), 74 database read/write failure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <lmdb.h>
#include <yaml.h>

#include "wiremap/wiremap.h"

#ifndef LIS_VERSION
#define LIS_VERSION "0"
#endif

static const char *const USAGE_IMPORT =
    "wiremap import --db DIR [--tenant ID] [--dry-run] [--replace] [--map-size SIZE] FILE...";
static const char *const USAGE_EXPORT = "wiremap export --db DIR [--tenant ID]";
static const char *const USAGE_LOOKUP =
    "wiremap lookup --db DIR [--tenant ID] [--chassis X [--port Y]] [--bssid B] [--ip A] "
    "[--gateway-mac M] [--did D] [--source A]";
static const char *const USAGE_STATS = "wiremap stats --db DIR";

static void help_main(FILE *f)
{
	fprintf(f,
	        "usage: wiremap COMMAND --db DIR [OPTIONS]\n"
	        "\n"
	        "Provision and inspect the openlis wiremap database (buildings, locations and\n"
	        "the network elements that place a device in them).\n"
	        "\n"
	        "commands:\n"
	        "  %s\n"
	        "      validate YAML/CSV files and load them in one transaction\n"
	        "  %s\n"
	        "      print the stored data as YAML that imports back to the same data\n"
	        "  %s\n"
	        "      show which location a device would get, and every step tried\n"
	        "  %s\n"
	        "      counts per tenant and element kind, database size\n"
	        "\n"
	        "Run 'wiremap COMMAND --help' for the options of one command.\n"
	        "  -h, --help     this help\n"
	        "  -V, --version  versions of wiremap and the linked LMDB and libyaml\n",
	        USAGE_IMPORT, USAGE_EXPORT, USAGE_LOOKUP, USAGE_STATS);
}

static int version(void)
{
	printf("wiremap (openlis) %s\n", LIS_VERSION);
	printf("%s (built with %d.%d.%d)\n", mdb_version(NULL, NULL, NULL), MDB_VERSION_MAJOR,
	       MDB_VERSION_MINOR, MDB_VERSION_PATCH);
	printf("libyaml %s\n", yaml_get_version_string());
	printf("wiremap database format %d\n", WM_STORE_FORMAT);
	return 0;
}

/* One line for a usage mistake, exit 64. */
__attribute__((format(printf, 3, 4))) static int usage_error(const char *cmd, const char *usage,
                                                             const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "wiremap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (usage: %s)\n", usage);
	return EX_USAGE;
}

/* getopt_long failure (opterr = 0, optstring starting with ':') -> one line. */
static int bad_option(const char *cmd, const char *usage, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		return usage_error(cmd, usage, "option '%s' needs a value", arg);
	if (optopt && optopt != '?' && (!arg || arg[1] != '-'))
		return usage_error(cmd, usage, "unknown option '-%c'", optopt);
	return usage_error(cmd, usage, "unknown option '%s'", arg ? arg : "?");
}

/* Bounds of --map-size: a few LMDB pages, and far more than any site needs. */
#define MAP_SIZE_MIN ((uint64_t)64 << 10)
#define MAP_SIZE_MAX ((uint64_t)1 << 40)

/* "65536", "64k", "64M", "2G", "1T" (powers of 1024, any case) -> bytes. */
static bool parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	unsigned shift = 0;
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return false;
	}
	if (*p && p[1])
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* Bytes as the option takes them: "256k", "64M", "2G" when exact, else bytes. */
static void size_text(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "TGMk";
	for (int i = 0; i < 4; i++) {
		unsigned shift = 40 - 10 * (unsigned)i;
		if (v >= ((uint64_t)1 << shift) && v % ((uint64_t)1 << shift) == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift, units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

/* The store is full: what happened, that nothing changed, and the fix.
 * map is the map size in use (0 = unknown). */
static int store_full(const char *cmd, const char *db, uint64_t map)
{
	char now[48], next[32];
	uint64_t want = map ? map * 2 : WM_STORE_DEFAULT_MAPSIZE;
	if (want < WM_STORE_DEFAULT_MAPSIZE)
		want = WM_STORE_DEFAULT_MAPSIZE;
	/* a round figure: the next power of two */
	uint64_t p2 = MAP_SIZE_MIN;
	while (p2 < want && p2 < MAP_SIZE_MAX)
		p2 <<= 1;
	now[0] = '\0';
	if (map) {
		char t[32];
		size_text(map, t, sizeof t);
		snprintf(now, sizeof now, " (%s)", t);
	}
	size_text(p2, next, sizeof next);
	fprintf(stderr,
	        "wiremap %s: %s: the database is full: this import needs more than its map "
	        "size%s; nothing was changed. Import again with a larger --map-size, e.g. "
	        "--map-size %s (an upper bound, not disk space used up front)\n",
	        cmd, db, now, next);
	return EX_CANTCREAT;
}

/* Store failures: one line, 73 when it cannot be created or is full, else 74. */
static int store_error(const char *cmd, const char *db, int err)
{
	if (err == -ENOENT) {
		fprintf(stderr,
		        "wiremap %s: %s: no wiremap database there (create one with 'wiremap "
		        "import --db %s FILE')\n",
		        cmd, db, db);
		return EX_IOERR;
	}
	if (err == LIS_EVERSION) {
		fprintf(stderr,
		        "wiremap %s: %s: %s: this wiremap reads format %d only; use the openlis "
		        "release that wrote it, or export and re-import\n",
		        cmd, db, lis_strerror(err), WM_STORE_FORMAT);
		return EX_IOERR;
	}
	if (err == LIS_EFULL)
		return store_full(cmd, db, 0);
	fprintf(stderr, "wiremap %s: %s: %s\n", cmd, db, lis_strerror(err));
	return (err == -EACCES || err == -EROFS || err == -ENOTDIR || err == -ENOSPC) ? EX_CANTCREAT
	                                                                              : EX_IOERR;
}

static bool db_exists(const char *db)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/data.mdb", db);
	return stat(path, &sb) == 0;
}

/* ---------------- import ----------------------------------------------- */

static int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},       {"tenant", required_argument, NULL, 't'},
	    {"dry-run", no_argument, NULL, 'n'},        {"replace", no_argument, NULL, 'r'},
	    {"map-size", required_argument, NULL, 'm'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
	const char *db = NULL;
	wm_import_opts_t io = {0};
	uint64_t map_size = 0;
	const char *argv_map_size = NULL;
	int c;

	while ((c = getopt_long(argc, argv, ":d:t:nrm:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 't':
			io.tenant = optarg;
			break;
		case 'n':
			io.dry_run = true;
			break;
		case 'r':
			io.replace = true;
			break;
		case 'm':
			if (!parse_size(optarg, &map_size) || map_size < MAP_SIZE_MIN ||
			    map_size > MAP_SIZE_MAX || map_size > SIZE_MAX)
				return usage_error("import", USAGE_IMPORT,
				                   "--map-size \"%s\": expected a size between 64k "
				                   "and 1T, like 512M or 8G",
				                   optarg);
			argv_map_size = optarg;
			break;
		case 'h':
			printf(
			    "usage: %s\n"
			    "\n"
			    "Validates YAML (*.yaml, *.yml) and CSV (*.csv) wiremap files and "
			    "loads\n"
			    "them in one transaction: either all of it lands or none. Every "
			    "problem\n"
			    "is listed as FILE:LINE: field: what is wrong.\n"
			    "\n"
			    "  --db DIR         the database directory (created when missing)\n"
			    "  --tenant ID      the tenant CSV files belong to (required with "
			    "CSV);\n"
			    "                   with it, YAML files may name this tenant only\n"
			    "  --dry-run        validate only, write nothing\n"
			    "  --replace        the tenants named in the files lose their stored\n"
			    "                   data first (default: merge, records updated by "
			    "id)\n"
			    "  --map-size SIZE  the most the database may grow to (the LMDB map\n"
			    "                   size): bytes or 512M, 8G..., from 64k to 1T.\n"
			    "                   Default: the largest size used before, at least "
			    "4G.\n"
			    "                   A larger size stays for later imports and lisd; "
			    "it\n"
			    "                   reserves address space, not disk.\n"
			    "\n"
			    "exit: 0 imported, 65 invalid input, 73 database cannot be created or\n"
			    "is full (raise --map-size or free disk space), 74 read/write "
			    "failure\n",
			    USAGE_IMPORT);
			return 0;
		case 'V':
			return version();
		default:
			return bad_option("import", USAGE_IMPORT, c, argv);
		}
	}
	if (!db)
		return usage_error("import", USAGE_IMPORT, "--db DIR is required");
	if (optind >= argc)
		return usage_error("import", USAGE_IMPORT, "no FILE to import");

	wm_store_t *st = NULL;
	int err = 0;
	if (!io.dry_run || db_exists(db)) {
		err = wm_store_open(db, io.dry_run ? WM_STORE_RDONLY : WM_STORE_CREATE,
		                    (size_t)map_size, &st);
		if (err == LIS_EFULL) /* a new database whose map cannot even hold its tables */
			return store_full("import", db, map_size);
		if ((err == -ENOMEM || err == -EINVAL) && map_size) {
			fprintf(stderr,
			        "wiremap import: %s: the system refused to map --map-size %s (%s); "
			        "give a smaller size\n",
			        db, argv_map_size, lis_strerror(err));
			return EX_IOERR;
		}
		if (err)
			return store_error("import", db, err);
	}
	wm_diag_t *diag = wm_diag_new();
	wm_import_stats_t s;
	if (!diag) {
		wm_store_close(st);
		return store_error("import", db, -ENOMEM);
	}
	err = wm_import(st, (const char *const *)argv + optind, (size_t)(argc - optind), &io, diag,
	                &s);
	int rc = 0;
	if (err == LIS_EDATA) {
		size_t n = wm_diag_count(diag);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", wm_diag_get(diag, i));
		fprintf(stderr, "wiremap import: %zu error%s, nothing imported\n", n,
		        n == 1 ? "" : "s");
		rc = EX_DATAERR;
	} else if (err == LIS_EFULL) {
		size_t map = 0;
		if (st)
			wm_store_map_size(st, &map);
		rc = store_full("import", db, map);
	} else if (err) {
		rc = store_error("import", db, err);
	} else {
		uint64_t gen = 0;
		if (st && !io.dry_run)
			wm_store_generation(st, &gen);
		printf("%s %zu tenant%s, %zu building%s, %zu location%s, %zu element%s, %zu "
		       "DID%s",
		       io.dry_run ? "valid (dry run, nothing written):" : "imported", s.tenants,
		       s.tenants == 1 ? "" : "s", s.buildings, s.buildings == 1 ? "" : "s",
		       s.locations, s.locations == 1 ? "" : "s", s.elements,
		       s.elements == 1 ? "" : "s", s.dids, s.dids == 1 ? "" : "s");
		if (!io.dry_run)
			printf(" (generation %llu)", (unsigned long long)gen);
		printf("\n");
	}
	wm_diag_free(diag);
	wm_store_close(st);
	return rc;
}

/* ---------------- export / stats --------------------------------------- */

static int cmd_export_stats(int argc, char **argv, bool export)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
	                                     {"tenant", required_argument, NULL, 't'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	const char *cmd = export ? "export" : "stats";
	const char *usage = export ? USAGE_EXPORT : USAGE_STATS;
	const char *db = NULL, *tenant = NULL;
	int c;

	while ((c = getopt_long(argc, argv, export ? ":d:t:hV" : ":d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 't':
			if (!export)
				return bad_option(cmd, usage, '?', argv);
			tenant = optarg;
			break;
		case 'h':
			if (export)
				printf(
				    "usage: %s\n\nPrints the stored data (all tenants, or one) as "
				    "YAML, format 1, that\n'wiremap import' loads back to the same "
				    "data.\n",
				    usage);
			else
				printf("usage: %s\n\nPrints per tenant the number of buildings, "
				       "locations, DIDs and\nnetwork elements of each kind, and "
				       "how much "
				       "of the database map is used.\n",
				       usage);
			return 0;
		case 'V':
			return version();
		default:
			return bad_option(cmd, usage, c, argv);
		}
	}
	if (!db)
		return usage_error(cmd, usage, "--db DIR is required");
	if (optind < argc)
		return usage_error(cmd, usage, "unexpected argument '%s'", argv[optind]);
	wm_store_t *st;
	int err = wm_store_open(db, WM_STORE_RDONLY, 0, &st);
	if (err)
		return store_error(cmd, db, err);
	err = export ? wm_export(st, tenant, stdout) : wm_stats_print(st, stdout);
	wm_store_close(st);
	if (err == LIS_ENOTENANT) {
		fprintf(stderr, "wiremap export: tenant \"%s\" is not in %s\n", tenant, db);
		return EX_DATAERR;
	}
	if (err)
		return store_error(cmd, db, err);
	return 0;
}

/* ---------------- lookup ------------------------------------------------ */

static void print_trace(void *arg, int step, const char *what, const char *key, const char *result)
{
	fprintf(arg, "  %d %-18s %-40s %s\n", step, what, key && *key ? key : "-", result);
}

static int bad_value(const char *opt, const char *v, const char *expect)
{
	fprintf(stderr, "wiremap lookup: %s \"%s\" is not %s\n", opt, v, expect);
	return EX_DATAERR;
}

static int cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},          {"tenant", required_argument, NULL, 't'},
	    {"chassis", required_argument, NULL, 'c'},     {"port", required_argument, NULL, 'p'},
	    {"bssid", required_argument, NULL, 'b'},       {"ip", required_argument, NULL, 'i'},
	    {"gateway-mac", required_argument, NULL, 'g'}, {"did", required_argument, NULL, 'D'},
	    {"source", required_argument, NULL, 's'},      {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},           {NULL, 0, NULL, 0}};
	const char *db = NULL, *tenant = NULL, *port = NULL;
	wm_query_t q;
	int c;

	memset(&q, 0, sizeof q);
	while ((c = getopt_long(argc, argv, ":d:t:c:p:b:i:g:D:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 't':
			tenant = optarg;
			break;
		case 'c':
			if (q.n_lldp == WM_QUERY_MAX_LLDP)
				return usage_error("lookup", USAGE_LOOKUP, "at most %d --chassis",
				                   WM_QUERY_MAX_LLDP);
			if (strlen(optarg) == 0 || strlen(optarg) > WM_LLDP_MAX ||
			    wm_lldp_parse_config(optarg, strlen(optarg), &q.lldp[q.n_lldp].chassis))
				return bad_value(
				    "--chassis", optarg,
				    "a chassis id (a MAC like 00-1b-21-3c-4d-00, an IP "
				    "address or the name the switch reports)");
			q.n_lldp++;
			break;
		case 'p':
			if (q.n_lldp == 0)
				return usage_error("lookup", USAGE_LOOKUP,
				                   "--port needs a --chassis before it");
			if (q.lldp[q.n_lldp - 1].has_port)
				return usage_error("lookup", USAGE_LOOKUP,
				                   "one --port per --chassis");
			if (strlen(optarg) == 0 || strlen(optarg) > WM_LLDP_MAX ||
			    wm_lldp_parse_config(optarg, strlen(optarg),
			                         &q.lldp[q.n_lldp - 1].port))
				return bad_value(
				    "--port", optarg,
				    "a port id (the interface name like Gi1/0/7, or a MAC)");
			q.lldp[q.n_lldp - 1].has_port = true;
			port = optarg;
			break;
		case 'b':
			if (q.n_bssid == WM_QUERY_MAX_BSSID)
				return usage_error("lookup", USAGE_LOOKUP, "at most %d --bssid",
				                   WM_QUERY_MAX_BSSID);
			if (wm_mac_parse(optarg, strlen(optarg), &q.bssid[q.n_bssid]))
				return bad_value("--bssid", optarg,
				                 "a BSSID (6 octets like 00-11-22-33-44-55)");
			q.n_bssid++;
			break;
		case 'i':
			if (q.n_ip == WM_QUERY_MAX_IP)
				return usage_error("lookup", USAGE_LOOKUP, "at most %d --ip",
				                   WM_QUERY_MAX_IP);
			if (wm_ip_parse(optarg, strlen(optarg), &q.ip[q.n_ip]))
				return bad_value("--ip", optarg, "an IPv4 or IPv6 address");
			q.n_ip++;
			break;
		case 'g':
			if (q.n_gw == WM_QUERY_MAX_GW)
				return usage_error("lookup", USAGE_LOOKUP,
				                   "at most %d --gateway-mac", WM_QUERY_MAX_GW);
			if (wm_mac_parse(optarg, strlen(optarg), &q.gw[q.n_gw]))
				return bad_value("--gateway-mac", optarg,
				                 "a MAC address (6 octets like 00-00-5e-00-01-01)");
			q.n_gw++;
			break;
		case 'D':
			if (wm_did_parse(optarg, strlen(optarg), &q.did))
				return bad_value(
				    "--did", optarg,
				    "a global number (+14085551234, tel:+1-408-555-1234 "
				    "or sip:+14085551234@host)");
			q.has_did = true;
			break;
		case 's':
			if (wm_ip_parse(optarg, strlen(optarg), &q.source))
				return bad_value("--source", optarg, "an IPv4 or IPv6 address");
			q.has_source = true;
			break;
		case 'h':
			printf(
			    "usage: %s\n"
			    "\n"
			    "Runs the server's match precedence for the given identifiers and "
			    "prints\nthe matched location, the element that matched, and every "
			    "step tried:\n"
			    "  1 lldp chassis+port  2 bssid (exact, then wildcard)  3 lldp "
			    "chassis\n"
			    "  4 subnet of --ip     5 gateway-mac  6 nomadic  7 did "
			    "(did_fallback)\n"
			    "Values are written as in the wiremap files (any MAC notation, port "
			    "names).\nOptions may be repeated to report several values. --did "
			    "alone "
			    "asks by\nidentity, like a call router. --source is the connection's "
			    "address; when\ngiven, step 4 applies only inside the tenant's "
			    "trusted_networks.\n"
			    "--tenant is needed when the database holds several tenants.\n"
			    "\n"
			    "exit: 0 found, 1 not found, 65 malformed value\n",
			    USAGE_LOOKUP);
			return 0;
		case 'V':
			return version();
		default:
			return bad_option("lookup", USAGE_LOOKUP, c, argv);
		}
	}
	(void)port;
	if (!db)
		return usage_error("lookup", USAGE_LOOKUP, "--db DIR is required");
	if (optind < argc)
		return usage_error("lookup", USAGE_LOOKUP, "unexpected argument '%s'",
		                   argv[optind]);
	if (!q.n_lldp && !q.n_bssid && !q.n_ip && !q.n_gw && !q.has_did)
		return usage_error("lookup", USAGE_LOOKUP,
		                   "give at least one of --chassis, --bssid, --ip, --gateway-mac, "
		                   "--did");
	q.by_identity = q.has_did && !q.n_lldp && !q.n_bssid && !q.n_ip && !q.n_gw;

	wm_store_t *st;
	wm_index_t *ix = NULL;
	int err = wm_store_open(db, WM_STORE_RDONLY, 0, &st);
	if (err)
		return store_error("lookup", db, err);
	err = wm_index_build(st, &ix);
	wm_store_close(st);
	if (err)
		return store_error("lookup", db, err);

	int rc = 1;
	const wm_tenant_t *t;
	if (tenant) {
		t = wm_index_tenant(ix, tenant, strlen(tenant));
		if (!t) {
			fprintf(stderr, "wiremap lookup: tenant \"%s\" is not in %s\n", tenant, db);
			rc = EX_DATAERR;
			goto out;
		}
	} else {
		t = wm_index_sole_tenant(ix);
		if (!t) {
			wm_index_stats_t s;
			wm_index_stats(ix, &s);
			if (s.tenants == 0)
				fprintf(stderr, "wiremap lookup: %s holds no tenant yet\n", db);
			else
				fprintf(stderr,
				        "wiremap lookup: %s holds %zu tenants: say which with "
				        "--tenant ID\n",
				        db, s.tenants);
			rc = EX_USAGE;
			goto out;
		}
	}
	wm_match_t m;
	printf("tenant %s", wm_tenant_id(t));
	if (wm_tenant_name(t))
		printf(" (%s)", wm_tenant_name(t));
	printf(", generation %llu\n", (unsigned long long)wm_index_generation(ix));
	/* the trace is printed after the result: collect it first */
	char *trace = NULL;
	size_t tracelen = 0;
	FILE *tf = open_memstream(&trace, &tracelen);
	if (!tf) {
		rc = store_error("lookup", db, -ENOMEM);
		goto out;
	}
	int found = wm_lookup(ix, t, &q, &m, print_trace, tf);
	fclose(tf);
	if (found == 1) {
		const wm_location_t *l = m.loc;
		char element[160];
		wm_match_element(&q, &m, element, sizeof element);
		printf("match: location %s", l->id);
		if (l->name)
			printf(" (%s)", l->name);
		printf("\n  method: %s\n  element: %s\n  building: %s", wm_method_name(m.method),
		       element, l->building_id);
		if (l->building_name)
			printf(" (%s)", l->building_name);
		printf("\n  address:");
		for (int k = 0; k < WM_CA_COUNT; k++)
			if (l->civic[k])
				printf(" %s=\"%s\"", wm_ca_key_name((wm_ca_key_t)k), l->civic[k]);
		printf("\n");
		if (l->geo.set)
			printf("  geo: lat %.6f lon %.6f radius %g m\n", l->geo.lat, l->geo.lon,
			       l->geo.radius);
		if (l->ecbn)
			printf("  ecbn: %s\n", l->ecbn);
		rc = 0;
	} else if (found == 0) {
		printf("no match: no precedence step found a location for these identifiers\n");
		rc = 1;
	} else {
		rc = store_error("lookup", db, found);
	}
	printf("trace:\n%s", trace ? trace : "");
	free(trace);
out:
	wm_index_free(ix);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: wiremap import|export|lookup|stats --db DIR ... (see "
		                "'wiremap --help')\n");
		return EX_USAGE;
	}
	const char *cmd = argv[1];
	opterr = 0;
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		help_main(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version"))
		return version();
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export_stats(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "lookup"))
		return cmd_lookup(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return cmd_export_stats(argc - 1, argv + 1, false);
	fprintf(stderr,
	        "wiremap: unknown command '%s' (expected import, export, lookup or stats; see "
	        "'wiremap --help')\n",
	        cmd);
	return EX_USAGE;
}
