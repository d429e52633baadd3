/*
 * What the tenant-isolation tests share (test_isolation.c, test_isolation_cli.c):
 * fixtures/isolation.yaml holds three tenants with the same building id,
 * location id and network elements, each with its own address (A San
 * Jose/Tasman, B New York/Broadway, C Austin/Congress; C's id is A's plus
 * "-eu"); B alone has a "vault". Each tenant's address words mark its data:
 * an answer for one carries none of the others'.
 */
#ifndef OPENLIS_TEST_ISOLATION_H
#define OPENLIS_TEST_ISOLATION_H

#include "tests/integration/integ.h"

#define TENANT_C TENANT_A "-eu"

/* Each tenant's address words: an answer for one carries none of the others'. */
static const char *const MARK_A[] = {"Tasman", "San Jose", NULL};
static const char *const MARK_B[] = {"Broadway", "New York", NULL};
static const char *const MARK_C[] = {"Congress", "Austin", NULL};
static const char *const MARK_VAULT[] = {"Vault", "vault", TENANT_B, "Globex", NULL};

static inline void assert_all(const char *text, const char *const *marks, const char *what)
{
	for (int i = 0; marks[i]; i++)
		cr_assert(strstr(text, marks[i]) != NULL, "%s: expected \"%s\" in:\n%s", what,
		          marks[i], text);
}

static inline void assert_none(const char *text, const char *const *marks, const char *what)
{
	for (int i = 0; marks[i]; i++)
		cr_assert(strstr(text, marks[i]) == NULL, "%s: \"%s\" leaked into:\n%s", what,
		          marks[i], text);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#endif
