/*
 * Shared by the libFuzzer harnesses in tests/fuzz/ (Knot's tests-fuzz idea):
 * each harness defines LLVMFuzzerTestOneInput (and optionally
 * LLVMFuzzerInitialize); it is linked either with libFuzzer (LIS_FUZZ=ON,
 * clang) or with replay_main.c, which runs the saved corpus in every ctest run.
 *
 * Helpers abort() on any set-up failure: a harness that cannot build its
 * fixture must fail loudly, never fuzz nothing.
 */
#ifndef OPENLIS_TESTS_FUZZ_H
#define OPENLIS_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "wiremap/wiremap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/** A fixed two-tenant wiremap (the handler tests' fixture): every precedence step. */
extern const char FZ_WIREMAP[];
/** A one-tenant wiremap (the /held path without a tenant resolves to it). */
extern const char FZ_ONE_TENANT[];

/** New private temp dir under $TMPDIR (caller frees; remove with fz_rmtree). */
char *fz_mkdtemp(void);
void fz_rmtree(const char *dir);
/** Writes dir/name with `mode`; returns the malloc'd path. */
char *fz_write_file(const char *dir, const char *name, const void *data, size_t len, unsigned mode);

/**
 * Imports `yaml` into a fresh LMDB store in a temp dir with wm_import, builds
 * the in-memory index, then closes the store and removes the dir (the index
 * holds copies), so a crash leaves nothing behind. Caller frees the index.
 */
wm_index_t *fz_index_from_yaml(const char *yaml);

/**
 * An anonymous in-memory file (memfd) for parsers that take a path:
 * fz_memfile_set() replaces its content and returns "/proc/self/fd/N".
 */
typedef struct {
	int fd;
	char path[64];
} fz_memfile_t;

void fz_memfile_open(fz_memfile_t *f, const char *name);
const char *fz_memfile_set(fz_memfile_t *f, const uint8_t *data, size_t size);

#endif
