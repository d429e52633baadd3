/*
 * PIDF-LO (RFC 4119) as profiled by RFC 5491: one dm:device per location
 * form, each with its own gp:geopriv (RFC 5491 §3.4 rule 2), civic in the
 * RFC 5139 namespace (RFC 6848 extension elements after it), geodetic as a
 * gml:Point or gs:Circle in EPSG 4326 (RFC 5491 §5.2.1, §5.2.3).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto_internal.h"

bool pidf_selection_has_value(const held_selection_t *sel)
{
	for (uint8_t i = 0; i < sel->n && i < 3; i++)
		if (sel->order[i] == HELD_LT_CIVIC || sel->order[i] == HELD_LT_GEODETIC)
			return true;
	return false;
}

static const char *method_text(wm_method_t m)
{
	switch (m) {
	case WM_M_DID:
		return "DID";
	case WM_M_NOMADIC:
		return "Manual";
	default:
		return "Wiremap";
	}
}

/*
 * A double as xs:double text without exponent or trailing zeros, rounded to
 * `prec` (<= 9) decimals. Written by hand: printf's %f was a tenth of the
 * cost of a whole response, and it obeys the process locale.
 */
static void fmt_double(double v, int prec, char out[48])
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	char *p = out;
	double scaled = fabs(v) * pow10[prec] + 0.5;
	unsigned long long n = scaled < 1.8e19 ? (unsigned long long)scaled : 0;
	unsigned long long ip = n / (unsigned long long)pow10[prec];
	unsigned long long fp = n % (unsigned long long)pow10[prec];
	char digits[24];
	int nd = 0;

	if (v < 0 && n != 0)
		*p++ = '-';
	do {
		digits[nd++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (nd)
		*p++ = digits[--nd];
	if (fp) {
		*p++ = '.';
		for (int i = prec - 1; i >= 0; i--) {
			digits[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		int last = prec - 1;
		while (digits[last] == '0')
			last--;
		memcpy(p, digits, (size_t)last + 1);
		p += last + 1;
	}
	*p = '\0';
}

static bool is_alpha2(const char *s)
{
	size_t n = strlen(s);
	return n == 2 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
	       ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z');
}

static void write_civic(held_w_t *w, const wm_location_t *loc)
{
	bool ext = false;

	for (int k = 0; k < WM_CA_COUNT; k++)
		if (loc->civic[k] && *loc->civic[k] && wm_ca_key_is_ext((wm_ca_key_t)k))
			ext = true;
	held_w_str(w, "<ca:civicAddress xmlns:ca=\"" CA_NS "\"");
	if (ext)
		held_w_str(w, " xmlns:cae=\"" CAE_NS "\"");
	held_w_str(w, ">");
	/* the enum is in civicAddr.xsd sequence order, the RFC 6848 keys last */
	for (int k = 0; k < WM_CA_COUNT; k++) {
		const char *v = loc->civic[k];
		const char *name = wm_ca_key_name((wm_ca_key_t)k);
		const char *pfx = wm_ca_key_is_ext((wm_ca_key_t)k) ? "cae" : "ca";

		if (!v || !*v || !name)
			continue;
		if (k == WM_CA_COUNTRY) {
			/* ca:iso3166a2 is [A-Z]{2}: upper-case, or leave it out */
			if (!is_alpha2(v))
				continue;
			char cc[3] = {(char)(v[0] & ~0x20), (char)(v[1] & ~0x20), 0};
			held_w_str(w, "<ca:country>");
			held_w_raw(w, cc, 2);
			held_w_str(w, "</ca:country>");
			continue;
		}
		held_w_str(w, "<");
		held_w_str(w, pfx);
		held_w_str(w, ":");
		held_w_str(w, name);
		held_w_str(w, ">");
		held_w_cstr(w, v, false);
		held_w_str(w, "</");
		held_w_str(w, pfx);
		held_w_str(w, ":");
		held_w_str(w, name);
		held_w_str(w, ">");
	}
	held_w_str(w, "</ca:civicAddress>");
}

static void write_pos(held_w_t *w, const char *lat, const char *lon)
{
	held_w_str(w, "<gml:pos>");
	held_w_str(w, lat);
	held_w_str(w, " ");
	held_w_str(w, lon);
	held_w_str(w, "</gml:pos>");
}

static void write_geo(held_w_t *w, const wm_geo_t *g)
{
	char lat[48], lon[48], rad[48];

	if (!g->set || !isfinite(g->lat) || !isfinite(g->lon) || !isfinite(g->radius) ||
	    g->radius < 0 || g->lat < -90 || g->lat > 90 || g->lon < -180 || g->lon > 180) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	fmt_double(g->lat, 7, lat);
	fmt_double(g->lon, 7, lon);
	if (g->radius == 0) {
		held_w_str(w, "<gml:Point xmlns:gml=\"" GML_NS "\" srsName=\"" EPSG_4326 "\">");
		write_pos(w, lat, lon);
		held_w_str(w, "</gml:Point>");
		return;
	}
	fmt_double(g->radius, 2, rad);
	held_w_str(w, "<gs:Circle xmlns:gs=\"" GS_NS "\" xmlns:gml=\"" GML_NS
	              "\" srsName=\"" EPSG_4326 "\">");
	write_pos(w, lat, lon);
	held_w_str(w, "<gs:radius uom=\"" EPSG_METRE "\">");
	held_w_str(w, rad);
	held_w_str(w, "</gs:radius>");
	held_w_str(w, "</gs:Circle>");
}

static void write_device(held_w_t *w, const held_response_spec_t *s, uint8_t lt)
{
	char now[21], exp[21];
	time_t expiry = s->now + (time_t)s->retention_s;

	held_format_time(s->now, now);
	held_format_time(expiry, exp);
	/* xs:ID values: start with a letter, unique in the document */
	held_w_str(w, lt == HELD_LT_CIVIC ? "<dm:device id=\"civic\">"
	                                  : "<dm:device id=\"geodetic\">");
	held_w_str(w, "<gp:geopriv><gp:location-info>");
	if (lt == HELD_LT_CIVIC)
		write_civic(w, s->loc);
	else
		write_geo(w, &s->loc->geo);
	held_w_str(w, "</gp:location-info><gp:usage-rules>");
	held_w_str(w, "<gbp:retention-expiry>");
	held_w_str(w, exp);
	held_w_str(w, "</gbp:retention-expiry>");
	held_w_str(w, "</gp:usage-rules><gp:method>");
	held_w_str(w, method_text(s->method));
	held_w_str(w, "</gp:method></gp:geopriv><dm:deviceID>");
	held_w_cstr(w, s->device_id, false);
	held_w_str(w, "</dm:deviceID><dm:timestamp>");
	held_w_str(w, now);
	held_w_str(w, "</dm:timestamp></dm:device>");
}

void pidf_write_presence(held_w_t *w, const held_response_spec_t *s)
{
	if (!s->entity || !*s->entity || !s->device_id || !*s->device_id || !s->loc) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	held_w_str(w, "<presence xmlns=\"" PIDF_NS "\" xmlns:dm=\"" DM_NS "\" xmlns:gp=\"" GP_NS
	              "\" xmlns:gbp=\"" GBP_NS "\" entity=\"");
	held_w_cstr(w, s->entity, true);
	held_w_str(w, "\">");
	for (uint8_t i = 0; i < s->sel.n && i < 3; i++) {
		uint8_t lt = s->sel.order[i];
		if (lt == HELD_LT_CIVIC || lt == HELD_LT_GEODETIC)
			write_device(w, s, lt);
	}
	held_w_str(w, "</presence>");
}

int pidf_encode(held_buf_t *b, const held_response_spec_t *s)
{
	held_w_t w;

	held_w_begin(&w, b);
	if (!pidf_selection_has_value(&s->sel))
		w.err = -EINVAL; /* a presence with no location says nothing */
	held_w_str(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pidf_write_presence(&w, s);
	held_w_str(&w, "\n");
	return held_w_finish(&w);
}
