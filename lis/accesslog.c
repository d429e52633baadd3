/*
 * The access log: one line per request with what was asked and what was
 * answered. Identifiers are logged (operators need them to fix a wiremap);
 * request bodies, tokens and keys never are.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lis/lis_internal.h"

typedef struct {
	char *p;
	size_t len, cap;
} line_t;

static void add(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(line_t *l, const char *fmt, ...)
{
	va_list ap;
	if (l->len + 1 >= l->cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= l->cap)
		l->len = l->cap - 1;
}

/* key=value for text lines; quoted when it holds a space or is empty. */
static void text_kv(line_t *l, const char *k, const char *v)
{
	char clean[512];
	lis_copy_clean(clean, sizeof clean, v, strlen(v));
	if (!clean[0] || strpbrk(clean, " ="))
		add(l, " %s=\"%s\"", k, clean);
	else
		add(l, " %s=%s", k, clean);
}

static void json_kv(line_t *l, const char *k, const char *v)
{
	char esc[1024];
	lis_json_escape(esc, sizeof esc, v);
	add(l, ",\"%s\":\"%s\"", k, esc);
}

size_t lis_access_format(const lis_access_t *a, lis_log_format_t fmt, time_t now, char *out,
                         size_t outlen)
{
	line_t l = {out, 0, outlen};
	char ts[32];
	const lis_outcome_t *oc = a->oc;
	const char *error = NULL, *match = NULL;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (now) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		lis_log_time(ts);
	}
	if (oc && oc->status == 200) {
		if (oc->code == HELD_OK)
			match = wm_method_name(oc->method);
		else
			error = held_code_name(oc->code);
	}
	void (*kv)(line_t *, const char *, const char *) = fmt == LIS_LOG_JSON ? json_kv : text_kv;
	if (fmt == LIS_LOG_JSON)
		add(&l, "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"access\"", ts);
	else
		add(&l, "%s info access", ts);
	kv(&l, "peer", a->peer ? a->peer : "-");
	kv(&l, "method", a->method ? a->method : "-");
	kv(&l, "path", a->path ? a->path : "-");
	if (oc) {
		kv(&l, "tenant", oc->tenant[0] ? oc->tenant : "-");
		kv(&l, "ids", oc->ids);
		if (match) {
			kv(&l, "match", match);
			kv(&l, "location", oc->location);
		}
		if (error)
			kv(&l, "error", error);
	}
	if (fmt == LIS_LOG_JSON)
		add(&l, ",\"status\":%d,\"us\":%" PRIu64 "}", a->status, a->usec);
	else
		add(&l, " status=%d us=%" PRIu64, a->status, a->usec);
	return l.len;
}

void lis_log_access(const lis_access_t *a)
{
	char line[2048];
	if (lis_log_level() > LIS_LOG_INFO)
		return;
	size_t n = lis_access_format(a, lis_log_format_get(), 0, line, sizeof line - 1);
	line[n++] = '\n';
	const char *p = line;
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}
