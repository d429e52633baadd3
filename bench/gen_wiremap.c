/*
 * gen-wiremap — writes a synthetic SPEC §2 wiremap and a held-load query list.
 *
 *   gen-wiremap --elements N --out FILE.yaml [--queries FILE] [--seed S]
 *               [--rev R] [--tenants T] [--max-queries Q] [--miss-pct P]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bench/gen.h"

static const char usage_line[] =
	"usage: gen-wiremap --elements N --out FILE.yaml [--queries FILE] [--seed S] [--rev R]\n"
	"                   [--tenants T] [--max-queries Q] [--miss-pct P]";

static int num(const char *opt, const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *v > max) {
		fprintf(stderr, "gen-wiremap: %s \"%s\": expected an integer up to %llu\n", opt, s, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"elements", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
		{"queries", required_argument, NULL, 'q'},  {"seed", required_argument, NULL, 's'},
		{"rev", required_argument, NULL, 'r'},      {"tenants", required_argument, NULL, 't'},
		{"max-queries", required_argument, NULL, 'm'},
		{"miss-pct", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	gen_opts_t o;
	const char *out = NULL, *qfile = NULL;
	unsigned long long v;
	int c;

	gen_opts_default(&o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:o:q:s:r:t:m:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (num("--elements", optarg, 100000000, &v))
				return EX_USAGE;
			o.elements = (size_t)v;
			break;
		case 'o': out = optarg; break;
		case 'q': qfile = optarg; break;
		case 's':
			if (num("--seed", optarg, ~0ULL, &v))
				return EX_USAGE;
			o.seed = v;
			break;
		case 'r':
			if (num("--rev", optarg, 1000000, &v))
				return EX_USAGE;
			o.rev = (unsigned)v;
			break;
		case 't':
			if (num("--tenants", optarg, 3, &v) || v == 0) {
				fprintf(stderr, "gen-wiremap: --tenants: 1, 2 or 3\n");
				return EX_USAGE;
			}
			o.tenants = (unsigned)v;
			break;
		case 'm':
			if (num("--max-queries", optarg, 100000000, &v))
				return EX_USAGE;
			o.max_queries = (size_t)v;
			break;
		case 'p':
			if (num("--miss-pct", optarg, 1000, &v))
				return EX_USAGE;
			o.miss_pct = (unsigned)v;
			break;
		case 'h':
			printf("%s\n\nWrites a synthetic wiremap (SPEC §2, format 1) with a realistic mix of\n"
			       "network elements, and a query list (hits per kind plus misses) for\n"
			       "held-load and bench-lookup. Defaults: 1000 elements, seed 1,\n"
			       "100000 queries at most, 5%% misses.\n",
			       usage_line);
			return EX_OK;
		case ':':
			fprintf(stderr, "gen-wiremap: option %s needs a value\n%s\n", argv[optind - 1],
			        usage_line);
			return EX_USAGE;
		default:
			fprintf(stderr, "gen-wiremap: unknown option %s\n%s\n", argv[optind - 1], usage_line);
			return EX_USAGE;
		}
	}
	if (optind < argc || !out) {
		fprintf(stderr, "gen-wiremap: %s\n%s\n",
		        optind < argc ? "unexpected argument" : "--out FILE is required", usage_line);
		return EX_USAGE;
	}
	FILE *y = fopen(out, "w"), *q = NULL;
	if (!y || (qfile && !(q = fopen(qfile, "w")))) {
		fprintf(stderr, "gen-wiremap: %s: %s\n", y ? qfile : out, strerror(errno));
		return EX_CANTCREAT;
	}
	gen_stats_t st;
	int rc = gen_write(&o, y, q, &st);
	if (fclose(y) != 0 || (q && fclose(q) != 0) || rc) {
		fprintf(stderr, "gen-wiremap: write failed: %s\n", strerror(errno));
		return EX_IOERR;
	}
	fprintf(stderr,
	        "gen-wiremap: %zu tenants, %zu buildings, %zu locations; lldp-port %zu, bssid %zu, "
	        "bssid-wild %zu, subnet4 %zu, subnet6 %zu, lldp-chassis %zu, gateway %zu, did %zu; "
	        "%zu query lines\n",
	        st.tenants, st.buildings, st.locations, st.lldp_port, st.bssid, st.bssid_wild,
	        st.subnet4, st.subnet6, st.lldp_chassis, st.gateway, st.did, st.queries);
	return EX_OK;
}
