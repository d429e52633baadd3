/*
 * lisd.yaml: the whole input is a configuration text for
 * lis_config_load_string() (every key, the listeners and the tenants list),
 * then lis_config_finish(); and the same bytes through the value parsers
 * the config uses (durations, sizes, host:port, URL host). Every diagnostic
 * must be a NUL-terminated line that starts with the file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	lis_log_setup(LIS_LOG_ERROR, LIS_LOG_TEXT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lis_config_t c;
	wm_diag_t *d = wm_diag_new();
	lis_config_init(&c);
	int rc = lis_config_load_string(&c, "fuzz.yaml", (const char *)data, size, d);
	if (rc == 0 && wm_diag_count(d) != 0)
		abort();
	for (size_t i = 0; i < wm_diag_count(d); i++)
		if (strncmp(wm_diag_get(d, i), "fuzz.yaml", 9) != 0) {
			fprintf(stderr, "diagnostic without the file name: %s\n",
			        wm_diag_get(d, i));
			abort();
		}
	if (rc == 0) {
		lis_config_finish(&c);
		for (size_t i = 0; i < c.n_tenants; i++)
			if (!lis_config_tenant(&c, c.tenants[i].id))
				abort();
	}
	lis_config_deinit(&c);
	wm_diag_free(d);

	/* The scalar parsers, on an exactly sized NUL-terminated copy. */
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	uint64_t v;
	struct sockaddr_storage sa;
	socklen_t salen;
	char host[256];
	(void)lis_parse_duration_ms(s, size, &v);
	(void)lis_parse_size(s, size, &v);
	(void)lis_parse_hostport(s, size, &sa, &salen);
	(void)lis_url_host(s, host, sizeof host);
	lis_config_init(&c);
	d = wm_diag_new();
	(void)lis_config_add_listen(&c, s, d);
	lis_config_deinit(&c);
	wm_diag_free(d);
	free(s);
	return 0;
}
