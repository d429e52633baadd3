/*
 * Fixture for tests that load files into a wm_model_t: a private temp dir,
 * an empty model and a diagnostics list per test. MODEL_SUITE(name) defines
 * `tmpdir`, `model`, `diag` and the Criterion suite.
 */
#ifndef OPENLIS_TEST_MODEL_FIXTURE_H
#define OPENLIS_TEST_MODEL_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "wiremap/wiremap_internal.h"

static int model_fixture_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

#define MODEL_SUITE(name)                                                                      \
	static char tmpdir[64];                                                                \
	static wm_model_t model;                                                               \
	static wm_diag_t *diag;                                                                \
	static void model_setup(void)                                                          \
	{                                                                                      \
		strcpy(tmpdir, "/tmp/wm-" #name "-XXXXXX");                                    \
		cr_assert_not_null(mkdtemp(tmpdir));                                           \
		wm_model_init(&model);                                                         \
		diag = wm_diag_new();                                                          \
	}                                                                                      \
	static void model_teardown(void)                                                       \
	{                                                                                      \
		wm_diag_free(diag);                                                            \
		wm_model_deinit(&model);                                                       \
		nftw(tmpdir, model_fixture_rm, 8, FTW_DEPTH | FTW_PHYS);                       \
	}                                                                                      \
	TestSuite(name, .init = model_setup, .fini = model_teardown)

static inline void model_dump_diag(const wm_diag_t *d)
{
	for (size_t i = 0; i < wm_diag_count(d); i++)
		fprintf(stderr, "  diag: %s\n", wm_diag_get(d, i));
}

/* A diagnostic that starts with "<dir>/<file>:<line>: " (any, when file is
 * NULL) and contains `part`. */
static inline bool model_has_diag(const wm_diag_t *d, const char *dir, const char *file,
                                  unsigned line, const char *part)
{
	char prefix[200] = "";
	if (file)
		snprintf(prefix, sizeof prefix, "%s/%s:%u: ", dir, file, line);
	for (size_t i = 0; i < wm_diag_count(d); i++) {
		const char *m = wm_diag_get(d, i);
		if (strncmp(m, prefix, strlen(prefix)) == 0 && strstr(m, part))
			return true;
	}
	return false;
}

/* Expects a FILE:LINE: diagnostic (file relative to the suite's tmpdir). */
#define EXPECT_DIAG(file, line, part)                                                          \
	do {                                                                                   \
		bool found_ = model_has_diag(diag, tmpdir, file, line, part);                  \
		if (!found_)                                                                   \
			model_dump_diag(diag);                                                 \
		cr_expect(found_, "no diagnostic %s:%u: ...%s...", file, (unsigned)(line),     \
		          part);                                                               \
	} while (0)

#endif
