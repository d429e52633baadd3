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

#endif
