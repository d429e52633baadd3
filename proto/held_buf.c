/*
 * held_buf_t, the growable output buffer, and held_w_t, the writer the
 * encoders use on top of it (errors are sticky, see proto_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto_internal.h"

void held_buf_init(held_buf_t *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void held_buf_deinit(held_buf_t *b)
{
	free(b->p);
	held_buf_init(b);
}

void held_buf_reset(held_buf_t *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Keeps one spare byte so the content is always NUL-terminated. */
static int buf_reserve(held_buf_t *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void held_w_begin(held_w_t *w, held_buf_t *b)
{
	w->b = b;
	w->start = b->len;
	w->err = 0;
}

int held_w_finish(held_w_t *w)
{
	if (w->err) {
		w->b->len = w->start;
		if (w->b->p)
			w->b->p[w->start] = '\0';
	}
	return w->err;
}

int held_w_grow(held_w_t *w, size_t n)
{
	if (buf_reserve(w->b, n) < 0)
		w->err = -ENOMEM;
	return w->err;
}

