/*
 * Wiremap YAML files: the input is a file for wm_model_load_yaml() (through
 * an in-memory file: the loader takes a path), then, when it loads, the
 * whole-model checks of wm_model_validate(). Every diagnostic must name
 * the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "wiremap/wiremap_internal.h"

static fz_memfile_t mf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_memfile_open(&mf, "fuzz.yaml");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_memfile_set(&mf, data, size);
	wm_model_t m;
	wm_diag_t *d = wm_diag_new();
	wm_model_init(&m);
	int rc = wm_model_load_yaml(&m, path, d);
	if (rc == 0)
		rc = wm_model_validate(&m, d);
	if (rc == 0 && wm_diag_count(d) != 0)
		abort();
	for (size_t i = 0; i < wm_diag_count(d); i++)
		if (!strstr(wm_diag_get(d, i), path)) {
			fprintf(stderr, "diagnostic without the file: %s\n", wm_diag_get(d, i));
			abort();
		}
	wm_model_deinit(&m);
	wm_diag_free(d);
	return 0;
}
