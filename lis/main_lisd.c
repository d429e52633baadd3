/*
 * lisd — the openlis Location Information Server.
 *
 * Start-up: read config -> open store -> bind -> event loop; shutdown runs
 * the same path in reverse. Exit codes follow sysexits.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "lis/lis.h"

static const char usage_line[] =
    "usage: lisd [--config FILE] [--db DIR] [--listen ADDR:PORT]... [--test] [--version] [--help]";

static void help(void)
{
	printf("%s\n\n"
	       "openlis Location Information Server (HELD, RFC 5985).\n\n"
	       "  -c, --config FILE       read lisd.yaml FILE\n"
	       "  -d, --db DIR            wiremap database directory (overrides db:)\n"
	       "  -l, --listen ADDR:PORT  plain HTTP listener, repeatable; replaces listen:\n"
	       "                          (IPv6 as [::1]:8080)\n"
	       "  -t, --test              check the configuration and exit\n"
	       "  -V, --version           print versions of lisd and its libraries\n"
	       "  -h, --help              this text\n\n"
	       "Without --config, --db and --listen are enough to run.\n"
	       "Signals: SIGHUP rebuilds the index; SIGTERM/SIGINT drain and stop.\n",
	       usage_line);
}

static void print_diag(const wm_diag_t *d)
{
	for (size_t i = 0; i < wm_diag_count(d); i++)
		fprintf(stderr, "%s\n", wm_diag_get(d, i));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"test", no_argument, NULL, 't'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *db = NULL;
	const char **listens = NULL;
	size_t n_listens = 0;
	bool test = false;
	lis_config_t cfg;
	lis_server_t *srv = NULL;
	wm_diag_t *diag = NULL;
	int rc = EX_OK, c;

	opterr = 0;
	listens = calloc((size_t)argc + 1, sizeof *listens);
	if (!listens)
		return EX_OSERR;
	while ((c = getopt_long(argc, argv, ":c:d:l:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'l':
			listens[n_listens++] = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'V':
			lis_print_versions(stdout);
			free(listens);
			return EX_OK;
		case 'h':
			help();
			free(listens);
			return EX_OK;
		case ':':
			fprintf(stderr, "lisd: option %s needs a value; %s\n", argv[optind - 1],
			        usage_line);
			free(listens);
			return EX_USAGE;
		default:
			if (optopt)
				fprintf(stderr, "lisd: unknown option -%c; %s\n", optopt,
				        usage_line);
			else
				fprintf(stderr, "lisd: unknown option %s; %s\n", argv[optind - 1],
				        usage_line);
			free(listens);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lisd: unexpected argument \"%s\"; %s\n", argv[optind], usage_line);
		free(listens);
		return EX_USAGE;
	}
	if (!config && (!db || n_listens == 0)) {
		fprintf(stderr,
		        "lisd: give --config FILE, or --db DIR and --listen ADDR:PORT; %s\n",
		        usage_line);
		free(listens);
		return EX_USAGE;
	}

	lis_config_init(&cfg);
	diag = wm_diag_new();
	if (!diag)
		abort();
	if (config)
		lis_config_load(&cfg, config, diag);
	if (db)
		lis_config_set_db(&cfg, db);
	if (n_listens) {
		lis_config_clear_listen(&cfg);
		for (size_t i = 0; i < n_listens; i++)
			lis_config_add_listen(&cfg, listens[i], diag);
	}
	lis_config_finish(&cfg);
	if (wm_diag_count(diag) == 0)
		lis_config_check(&cfg, diag);
	if (wm_diag_count(diag)) {
		print_diag(diag);
		rc = EX_CONFIG;
		goto out;
	}
	if (test) {
		printf("configuration OK\n");
		goto out;
	}

	lis_log_setup((lis_log_level_t)cfg.log_level, (lis_log_format_t)cfg.log_format);
	proto_global_init();
	char err[512];
	int r = lis_server_new(&cfg, &srv, err, sizeof err);
	if (r) {
		lis_log(LIS_LOG_ERROR, "%s", err);
		rc = (r == LIS_ETLS || r == LIS_ECONFIG) ? EX_CONFIG : EX_OSERR;
		goto out;
	}
	/* bind -> drop privileges -> event loop (everything is open by now) */
	r = lis_drop_privileges(&cfg, err, sizeof err);
	if (r) {
		lis_log(LIS_LOG_ERROR, "%s", err);
		rc = r == LIS_ECONFIG ? EX_CONFIG : EX_OSERR;
		goto out;
	}
	if (lis_server_run(srv) != 0)
		rc = EX_SOFTWARE;
out:
	lis_server_free(srv);
	wm_diag_free(diag);
	lis_config_deinit(&cfg);
	free(listens);
	return rc;
}
