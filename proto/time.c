/* xs:dateTime formatting. */
#include <string.h>

#include "proto/proto.h"

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * Every response carries two or three timestamps, so this avoids gmtime_r
 * and snprintf: days since the epoch to a proleptic Gregorian date
 * (H. Hinnant's civil_from_days), then fixed-width digits.
 */
void held_format_time(time_t t, char out[21])
{
	/* outside what four year digits can say: clamp, never emit garbage */
	if (t < 0) {
		memcpy(out, "1970-01-01T00:00:00Z", 21);
		return;
	}
	if (t > (time_t)253402300799LL) {
		memcpy(out, "9999-12-31T23:59:59Z", 21);
		return;
	}
	long long days = (long long)t / 86400, secs = (long long)t % 86400;
	long long z = days + 719468;
	long long era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (unsigned)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (unsigned)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
}
