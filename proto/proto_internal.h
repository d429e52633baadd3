/*
 * proto internals shared between the files of this module only.
 *
 *   held_buf.c     growable output buffer and the sticky-error writer (held_w_t)
 *   xml_safe.c     libxml2 hardening (proto_global_init), XML escaping
 *   held_lex.c     lexical checks for the schema types the decoder reads
 *                  (xs:boolean, responseTime, locationType, hexBinary ...)
 *   held_decode.c  streaming SAX2 decoder of locationRequest (no DOM)
 *   civic_decode.c HELD+ providedAddress: RFC 5139 elements, held_civic_t
 *   held_select.c  RFC 5985 §6.2 location type selection
 *   pidf_encode.c  PIDF-LO <presence> body (RFC 4119, 5139, 5491)
 *   held_encode.c  locationResponse and error documents
 *   time.c         xs:dateTime formatting
 */
#ifndef OPENLIS_PROTO_INTERNAL_H
#define OPENLIS_PROTO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/proto.h"

/* Namespaces read by the decoder (RFC 7105 §8). */
#define LM_NS "urn:ietf:params:xml:ns:geopriv:lm"
#define LM_LLDP_NS "urn:ietf:params:xml:ns:geopriv:lm:lldp"
#define LM_WIFI_NS "urn:ietf:params:xml:ns:geopriv:lm:wifi"
#define LM_DHCP_NS "urn:ietf:params:xml:ns:geopriv:lm:dhcp"

/* Namespaces written by the encoder. */
#define PIDF_NS "urn:ietf:params:xml:ns:pidf"
#define DM_NS "urn:ietf:params:xml:ns:pidf:data-model"
#define GP_NS "urn:ietf:params:xml:ns:pidf:geopriv10"
#define GBP_NS "urn:ietf:params:xml:ns:pidf:geopriv10:basicPolicy"
#define CA_NS "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
#define CAE_NS "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr:ext"
#define GML_NS "http://www.opengis.net/gml"
#define GS_NS "http://www.opengis.net/pidflo/1.0"
#define EPSG_4326 "urn:ogc:def:crs:EPSG::4326"
#define EPSG_METRE "urn:ogc:def:uom:EPSG::9001"

/* ---------------- sticky-error writer (held_buf.c) -------------------- */

/**
 * Appends to a held_buf_t; after the first allocation failure every further
 * append is a no-op, and held_w_finish() rolls the buffer back to where the
 * writer started. Lets the encoders write straight-line code.
 */
typedef struct {
	held_buf_t *b;
	size_t start;
	int err; /**< 0 or -ENOMEM / -EINVAL */
} held_w_t;

void held_w_begin(held_w_t *w, held_buf_t *b);
/** Returns w->err; on error the buffer is back at its length before begin. */
int held_w_finish(held_w_t *w);
/** Makes room for n more bytes (and the NUL) or sets w->err; 0 or -ENOMEM. */
int held_w_grow(held_w_t *w, size_t n);
/** Appends n bytes as is. Inline: the encoders make many short appends. */
static inline void held_w_raw(held_w_t *w, const char *s, size_t n)
{
	held_buf_t *b = w->b;
	if (w->err || n == 0)
		return;
	/* cap > len whenever cap != 0 (one spare byte for the NUL): no overflow */
	if (n >= b->cap - b->len && held_w_grow(w, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}
/**
 * Appends a NUL-terminated literal/markup string as is (no escaping).
 * Inline so that the length of a literal is known at compile time.
 */
static inline void held_w_str(held_w_t *w, const char *s)
{
	held_w_raw(w, s, strlen(s));
}

/* ---------------- XML escaping (xml_safe.c) ---------------------------- */

/**
 * Appends text escaped for element content (&, <, >) or, with attr, for a
 * double-quoted attribute value (also ", tab, CR, LF as character
 * references). Invalid UTF-8 and code points XML 1.0 forbids are replaced
 * by U+FFFD, so the output is always well-formed.
 */
void held_w_text(held_w_t *w, const char *s, size_t n, bool attr);
/** held_w_text for a NUL-terminated string (NULL writes nothing). */
void held_w_cstr(held_w_t *w, const char *s, bool attr);

/* ---------------- PIDF-LO body (pidf_encode.c) ------------------------ */

/**
 * Writes the <presence> element (no XML declaration) for the civic and
 * geodetic entries of s->sel, in that order. Sets w->err to -EINVAL when
 * the spec lacks what the schema requires (entity, device_id, location,
 * finite coordinates).
 */
void pidf_write_presence(held_w_t *w, const held_response_spec_t *s);
/** True when the selection holds civic or geodetic (i.e. a presence goes out). */
bool pidf_selection_has_value(const held_selection_t *sel);

/* ---------------- lexical forms (held_lex.c) --------------------------- */

/**
 * All parsers take the raw text (not NUL-terminated) and apply the XML
 * Schema whiteSpace="collapse" rule themselves. They return true when the
 * text is a valid lexical form.
 */
bool held_lex_boolean(const char *s, size_t n, bool *out);
/** responseTime (held.xsd responseTimeType). */
bool held_lex_response_time(const char *s, size_t n, held_rt_kind_t *kind, uint32_t *ms);
/**
 * locationType list: "any", or civic/geodetic/locationURI tokens (duplicates
 * collapse). On failure writes the reason to why.
 */
bool held_lex_location_type(const char *s, size_t n, bool *any, uint8_t types[3], uint8_t *n_types,
                            const char **why);
/** xs:unsignedByte-like (bt:byteType): 0..255. */
bool held_lex_byte(const char *s, size_t n, unsigned *out);
/** xs:hexBinary into out (at most cap octets; *len = octets). False when
 *  malformed or longer than cap. */
bool held_lex_hex(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len);
/** Trims XML whitespace at both ends: returns the start, *n updated. */
const char *held_lex_trim(const char *s, size_t *n);

/* ---------------- provided civic address (civic_decode.c) ------------- */

enum { HELD_CA_IGNORE = -1, HELD_CA_INVALID = -2 };

/**
 * A child of ca:civicAddress by (namespace, local name): a wm_ca_key_t,
 * HELD_CA_IGNORE (another namespace, or an unknown RFC 6848 name: lax) or
 * HELD_CA_INVALID (a name civicAddr.xsd does not declare).
 */
int held_civic_classify(const char *uri, const char *name);
/**
 * Stores the collapsed text of element k. False, with the reason in why,
 * when the element repeats, is too long (over), or violates its type.
 */
bool held_civic_take(held_civic_t *c, int k, const char *s, size_t n, bool over, char *why,
                     size_t whylen);

#endif
