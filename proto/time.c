/* xs:dateTime formatting. */
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

void held_format_time(time_t t, char out[21])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		/* outside what four year digits can say: clamp, never emit garbage */
		memcpy(out, t < 0 ? "1970-01-01T00:00:00Z" : "9999-12-31T23:59:59Z", 21);
		return;
	}
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, tmp, 21);
}
