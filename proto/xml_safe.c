/*
 * libxml2 hardening and XML escaping.
 *
 * The decoder never asks libxml2 to load anything (it stops at a DOCTYPE),
 * but a second line of defence costs nothing: the process-wide external
 * entity loader refuses every URL, so no file:// or http:// resource can be
 * read even if some other code path asked for one.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "proto/proto_internal.h"

static xmlParserInputPtr refuse_entity_loader(const char *url, const char *id,
                                              xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void proto_global_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_entity_loader);
}

/*
 * Decodes one UTF-8 sequence at s[0..n). Returns its length and the code
 * point, or 0 when the sequence is invalid (overlong, surrogate, > U+10FFFF,
 * truncated).
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool xml_char_ok(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

void held_w_text(held_w_t *w, const char *s, size_t n, bool attr)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0; /* start of the pending verbatim run */
	size_t i = 0;

	while (i < n) {
		/* Printable ASCII that needs no escaping, the common case, stays
		 * in the verbatim run without decoding. */
		unsigned char ch = u[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '&' && ch != '<' && ch != '>' &&
		    !(attr && ch == '"')) {
			i++;
			continue;
		}
		uint32_t cp = 0;
		size_t len = utf8_next(u + i, n - i, &cp);
		const char *rep = NULL;

		if (len == 0 || !xml_char_ok(cp)) {
			rep = "\xef\xbf\xbd"; /* U+FFFD */
			if (len == 0)
				len = 1;
		} else if (cp == '&') {
			rep = "&amp;";
		} else if (cp == '<') {
			rep = "&lt;";
		} else if (cp == '>') {
			rep = "&gt;";
		} else if (cp == '\r') {
			rep = "&#13;"; /* survives end-of-line normalisation */
		} else if (attr && cp == '"') {
			rep = "&quot;";
		} else if (attr && cp == '\t') {
			rep = "&#9;";
		} else if (attr && cp == '\n') {
			rep = "&#10;";
		}
		if (rep) {
			held_w_raw(w, s + run, i - run);
			held_w_str(w, rep);
			run = i + len;
		}
		i += len;
	}
	held_w_raw(w, s + run, n - run);
}

void held_w_cstr(held_w_t *w, const char *s, bool attr)
{
	if (s)
		held_w_text(w, s, strlen(s), attr);
}
