/*
 * The YAML wiremap loader's node tree (wiremap/yaml_tree.c), walked by
 * wiremap/yaml_load.c: libyaml events become a compact tree in a scratch
 * arena (one allocation per many nodes), with line numbers and anchors.
 */
#ifndef OPENLIS_WIREMAP_YAML_INTERNAL_H
#define OPENLIS_WIREMAP_YAML_INTERNAL_H

#include "wiremap/wiremap_internal.h"

enum { YN_SCALAR = 1, YN_SEQ, YN_MAP };

typedef struct ynode {
	uint8_t type;
	uint8_t plain; /**< plain (unquoted) scalar */
	uint32_t line; /**< 1-based */
	uint32_t n;    /**< scalar length, list items, or mapping pairs */
	union {
		const char *s;
		struct ynode **kids; /**< list items; mapping: key, value, key, value... */
	} u;
} ynode;

typedef struct {
	ynode *node;
	size_t base; /**< first pending kid */
} yopen;

typedef struct {
	const char *name;
	ynode *node;
} yanchor;

typedef struct {
	wm_arena_t *a;
	WM_VEC(ynode *) pending;
	WM_VEC(yopen) open;
	WM_VEC(yanchor) anchors;
	ynode *root;
} ybuild;

/** The first syntax problem of a document. */
typedef struct {
	unsigned line;
	char msg[512];
} yaml_syntax_t;

/**
 * Builds the tree of one YAML document (text, len) into b (b->a set, the
 * rest zeroed; the caller frees b's vectors and the arena). Returns false
 * with err filled on a syntax error, a second document or a dangling alias.
 */
bool wm_yaml_tree(ybuild *b, const char *text, size_t len, yaml_syntax_t *err);

#endif
