/* The YAML wiremap loader's node tree: see yaml_internal.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "wiremap/yaml_internal.h"

__attribute__((format(printf, 3, 4))) static void syntax(yaml_syntax_t *err, unsigned line,
                                                         const char *fmt, ...)
{
	va_list ap;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static ynode *yb_new(ybuild *b, uint8_t type, const yaml_mark_t *mark, const yaml_char_t *anchor)
{
	ynode *n = wm_arena_alloc(b->a, sizeof(*n));
	n->type = type;
	n->line = (uint32_t)mark->line + 1;
	if (anchor) {
		yanchor *an = WM_VEC_PUSH(b->anchors);
		an->name =
		    wm_arena_strndup(b->a, (const char *)anchor, strlen((const char *)anchor));
		an->node = n;
	}
	return n;
}

static void yb_attach(ybuild *b, ynode *n)
{
	if (b->open.n == 0) {
		if (!b->root)
			b->root = n;
		return;
	}
	*WM_VEC_PUSH(b->pending) = n;
}

static void yb_close(ybuild *b)
{
	yopen *o = &b->open.v[--b->open.n];
	size_t cnt = b->pending.n - o->base;
	ynode *n = o->node;
	n->u.kids =
	    cnt ? wm_arena_memdup(b->a, b->pending.v + o->base, cnt * sizeof(ynode *)) : NULL;
	n->n = (uint32_t)(n->type == YN_MAP ? cnt / 2 : cnt);
	b->pending.n = o->base;
	yb_attach(b, n);
}

bool wm_yaml_tree(ybuild *b, const char *text, size_t len, yaml_syntax_t *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	bool ok = true, done = false;
	unsigned docs = 0;

	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			unsigned line = (unsigned)p.problem_mark.line + 1;
			if (p.context)
				syntax(err, line, "YAML syntax error: %s %s (line %u)",
				       p.problem ? p.problem : "unknown problem", p.context,
				       (unsigned)p.context_mark.line + 1);
			else
				syntax(err, line, "YAML syntax error: %s",
				       p.problem ? p.problem : "unknown problem");
			ok = false;
			break;
		}
		ynode *n;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				syntax(err, (unsigned)ev.start_mark.line + 1,
				       "a second YAML document (---); put one wiremap per file");
				ok = false;
				done = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			n = yb_new(b, YN_SCALAR, &ev.start_mark, ev.data.scalar.anchor);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			n->n = (uint32_t)ev.data.scalar.length;
			n->u.s = wm_arena_strndup(b->a, (const char *)ev.data.scalar.value,
			                          ev.data.scalar.length);
			yb_attach(b, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
			n = yb_new(b, seq ? YN_SEQ : YN_MAP, &ev.start_mark,
			           seq ? ev.data.sequence_start.anchor
			               : ev.data.mapping_start.anchor);
			yopen *o = WM_VEC_PUSH(b->open);
			o->node = n;
			o->base = b->pending.n;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			yb_close(b);
			break;
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			ynode *target = NULL;
			for (size_t i = b->anchors.n; i-- > 0;)
				if (strcmp(b->anchors.v[i].name, name) == 0) {
					target = b->anchors.v[i].node;
					break;
				}
			if (!target || target->type == 0) {
				syntax(err, (unsigned)ev.start_mark.line + 1,
				       "alias *%s refers to no anchor &%s defined before it", name,
				       name);
				ok = false;
				done = true;
				break;
			}
			yb_attach(b, target);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}
