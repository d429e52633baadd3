/*
 * Arena: many small allocations (strings, keys of a model) freed at once.
 * Also the generic grower behind WM_VEC_PUSH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/wiremap_internal.h"

#define WM_ARENA_CHUNK (64 * 1024)

struct wm_arena_chunk {
	wm_arena_chunk_t *next;
	size_t size, off;
	_Alignas(8) unsigned char data[];
};

static void oom(void)
{
	fputs("openlis: out of memory\n", stderr);
	abort();
}

void wm_arena_init(wm_arena_t *a)
{
	a->head = NULL;
	a->used = 0;
}

void wm_arena_deinit(wm_arena_t *a)
{
	wm_arena_chunk_t *c = a->head;
	while (c) {
		wm_arena_chunk_t *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}

void *wm_arena_alloc(wm_arena_t *a, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	wm_arena_chunk_t *c = a->head;

	if (need == 0)
		need = 8;
	if (!c || c->size - c->off < need) {
		if (need > WM_ARENA_CHUNK / 4) {
			/* big block: own chunk, linked behind the current head so the
			 * head keeps serving small allocations */
			wm_arena_chunk_t *b = malloc(sizeof(*b) + need);
			if (!b)
				oom();
			b->size = b->off = need;
			if (c) {
				b->next = c->next;
				c->next = b;
			} else {
				b->next = NULL;
				a->head = b;
			}
			a->used += n;
			memset(b->data, 0, need);
			return b->data;
		}
		c = malloc(sizeof(*c) + WM_ARENA_CHUNK);
		if (!c)
			oom();
		c->size = WM_ARENA_CHUNK;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->off;
	c->off += need;
	a->used += n;
	memset(p, 0, need);
	return p;
}

char *wm_arena_strndup(wm_arena_t *a, const char *s, size_t n)
{
	char *p = wm_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *wm_arena_memdup(wm_arena_t *a, const void *p, size_t n)
{
	void *q = wm_arena_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

/* Same layout as every WM_VEC(T). */
struct wm_vec_any {
	void *v;
	size_t n, cap;
};

void *wm_vec_push_(void *vec, size_t elsize)
{
	struct wm_vec_any *g = vec;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		void *v = realloc(g->v, cap * elsize);
		if (!v)
			oom();
		g->v = v;
		g->cap = cap;
	}
	void *slot = (char *)g->v + g->n * elsize;
	memset(slot, 0, elsize);
	g->n++;
	return slot;
}
