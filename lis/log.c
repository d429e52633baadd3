/*
 * Logging to stderr, text or JSON, one write(2) per line so threads never
 * interleave inside a line.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "lis/lis_internal.h"

static atomic_int log_level = LIS_LOG_INFO;
static atomic_int log_format = LIS_LOG_TEXT;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void lis_log_setup(lis_log_level_t level, lis_log_format_t format)
{
	atomic_store(&log_level, (int)level);
	atomic_store(&log_format, (int)format);
}

lis_log_level_t lis_log_level(void)
{
	return (lis_log_level_t)atomic_load(&log_level);
}

lis_log_format_t lis_log_format_get(void)
{
	return (lis_log_format_t)atomic_load(&log_format);
}

void lis_log_time(char out[32])
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

/* JSON string body: quotes, backslashes and control characters escaped;
 * bytes >= 0x80 become '?' so the line stays valid whatever came in. */
size_t lis_json_escape(char *out, size_t outlen, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", ch);
		} else {
			out[n++] = ch >= 0x80 ? '?' : (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

static void emit(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, line, len);
		if (w <= 0)
			return;
		line += w;
		len -= (size_t)w;
	}
}

void lis_log(lis_log_level_t level, const char *fmt, ...)
{
	char msg[1024], line[2400], ts[32];
	va_list ap;
	int n;

	if ((int)level < atomic_load(&log_level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lis_log_time(ts);
	if (atomic_load(&log_format) == LIS_LOG_JSON) {
		char esc[2100];
		lis_json_escape(esc, sizeof esc, msg);
		n = snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n",
		             ts, level_names[level], esc);
	} else {
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		n = snprintf(line, sizeof line, "%s %s %s\n", ts, level_names[level], msg);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	emit(line, (size_t)n);
}
