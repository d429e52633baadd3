/* held_format_time: xs:dateTime in UTC, checked against gmtime_r. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "proto/proto.h"

static void expect_time(time_t t, const char *want)
{
	char got[21];
	held_format_time(t, got);
	cr_expect_str_eq(got, want, "t=%lld", (long long)t);
}

Test(time, known_instants)
{
	expect_time(0, "1970-01-01T00:00:00Z");
	expect_time(951868800, "2000-03-01T00:00:00Z");
	expect_time(1709164800, "2024-02-29T00:00:00Z");
	expect_time(1795444083, "2026-11-23T14:28:03Z");
	expect_time((time_t)253402300799LL, "9999-12-31T23:59:59Z");
}

Test(time, out_of_range_is_clamped_never_garbage)
{
	expect_time(-1, "1970-01-01T00:00:00Z");
	expect_time((time_t)253402300800LL, "9999-12-31T23:59:59Z");
}

Test(time, agrees_with_gmtime_everywhere)
{
	/* one assertion at the end: under --full-stats each one is a message */
	size_t wrong = 0;
	char first[128] = "";
	srand(7);
	for (int i = 0; i < 200000; i++) {
		time_t t = (time_t)(((unsigned long long)rand() << 20 ^ (unsigned long long)rand()) %
		                    253402300800ULL);
		struct tm tm;
		char want[64], got[21];
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		held_format_time(t, got);
		if (strcmp(got, want) != 0 && wrong++ == 0)
			snprintf(first, sizeof first, "t=%lld: %s, gmtime says %s", (long long)t, got,
			         want);
	}
	cr_assert_eq(wrong, 0, "%zu instants differ, first %s", wrong, first);
}
