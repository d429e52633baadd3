/*
 * Diagnostics: a list of "FILE:LINE: field: what is wrong" lines, collected
 * so one run reports every problem.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/wiremap.h"

struct wm_diag {
	char **msg;
	size_t n, cap;
};

wm_diag_t *wm_diag_new(void)
{
	return calloc(1, sizeof(wm_diag_t));
}

void wm_diag_free(wm_diag_t *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	free(d);
}

void wm_diag_add(wm_diag_t *d, const char *file, unsigned line, const char *field, const char *fmt,
                 ...)
{
	char *body = NULL, *full = NULL;
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	int n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char where[64] = "";
	if (line)
		snprintf(where, sizeof where, ":%u", line);
	n = asprintf(&full, "%s%s: %s%s%s", file ? file : "(database)", where, field ? field : "",
	             field ? ": " : "", body);
	free(body);
	if (n < 0)
		abort();
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		char **m = realloc(d->msg, cap * sizeof(*m));
		if (!m)
			abort();
		d->msg = m;
		d->cap = cap;
	}
	d->msg[d->n++] = full;
}

size_t wm_diag_count(const wm_diag_t *d)
{
	return d ? d->n : 0;
}

const char *wm_diag_get(const wm_diag_t *d, size_t i)
{
	return (d && i < d->n) ? d->msg[i] : NULL;
}
