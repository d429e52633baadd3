/*
 * HELD locationResponse and error documents (RFC 5985 §5.2, §5.3, §7),
 * written straight into the output buffer.
 */
#include <errno.h>
#include <string.h>

#include "proto/proto_internal.h"

static const char *const code_names[HELD_CODE_COUNT] = {
    [HELD_OK] = "",
    [HELD_REQUEST_ERROR] = "requestError",
    [HELD_XML_ERROR] = "xmlError",
    [HELD_GENERAL_LIS_ERROR] = "generalLisError",
    [HELD_LOCATION_UNKNOWN] = "locationUnknown",
    [HELD_UNSUPPORTED_MESSAGE] = "unsupportedMessage",
    [HELD_TIMEOUT] = "timeout",
    [HELD_CANNOT_PROVIDE_LI_TYPE] = "cannotProvideLiType",
    [HELD_NOT_LOCATABLE] = "notLocatable",
    [HELD_BAD_IDENTIFIER] = "badIdentifier",
};

static const char *const code_default_msg[HELD_CODE_COUNT] = {
    [HELD_OK] = "",
    [HELD_REQUEST_ERROR] = "The request could not be processed",
    [HELD_XML_ERROR] = "The request is not a valid XML document",
    [HELD_GENERAL_LIS_ERROR] = "The LIS could not process the request",
    [HELD_LOCATION_UNKNOWN] = "Unable to determine location",
    [HELD_UNSUPPORTED_MESSAGE] = "Unsupported message type",
    [HELD_TIMEOUT] = "Location could not be determined in time",
    [HELD_CANNOT_PROVIDE_LI_TYPE] = "The requested location type is not available",
    [HELD_NOT_LOCATABLE] = "The device cannot be located",
    [HELD_BAD_IDENTIFIER] = "A device identifier is malformed or not supported",
};

const char *held_code_name(held_code_t c)
{
	if ((unsigned)c >= HELD_CODE_COUNT)
		return "generalLisError";
	return code_names[c];
}

int held_encode_error(held_buf_t *b, held_code_t code, const char *message, bool address_required)
{
	held_w_t w;

	held_w_begin(&w, b);
	if (code == HELD_OK || (unsigned)code >= HELD_CODE_COUNT) {
		w.err = -EINVAL;
		return held_w_finish(&w);
	}
	if (!message || !*message)
		message = code_default_msg[code];
	held_w_str(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error xmlns=\"" HELD_NS
	               "\" code=\"");
	held_w_str(&w, code_names[code]);
	held_w_str(&w, "\"><message xml:lang=\"en\">");
	held_w_cstr(&w, message, false);
	held_w_str(&w, "</message>");
	if (address_required)
		held_w_str(&w, "<hp:addressRequired xmlns:hp=\"" HELD_PLUS_NS "\"/>");
	held_w_str(&w, "</error>\n");
	return held_w_finish(&w);
}

static bool sel_has(const held_selection_t *sel, uint8_t lt)
{
	for (uint8_t i = 0; i < sel->n && i < 3; i++)
		if (sel->order[i] == lt)
			return true;
	return false;
}

/* RFC 6155 §2.2: the identities that were used, in a held:id <device>. */
static void write_echo(held_w_t *w, const held_request_t *r)
{
	size_t n_ip = r->n_ip_id;

	if (n_ip > r->q.n_ip)
		n_ip = r->q.n_ip;
	if (n_ip == 0 && r->n_mac == 0 && r->n_uri == 0)
		return;
	held_w_str(w, "<device xmlns=\"" HELD_ID_NS "\">");
	for (size_t i = 0; i < n_ip; i++) {
		char ip[46];
		wm_ip_format(&r->q.ip[i], ip);
		held_w_str(w, r->q.ip[i].family == 6 ? "<ip v=\"6\">" : "<ip v=\"4\">");
		held_w_cstr(w, ip, false);
		held_w_str(w, "</ip>");
	}
	for (size_t i = 0; i < r->n_mac && i < HELD_MAX_MAC; i++) {
		char mac[18];
		wm_mac_format(&r->mac[i], mac);
		held_w_str(w, "<mac>");
		held_w_cstr(w, mac, false);
		held_w_str(w, "</mac>");
	}
	for (size_t i = 0; i < r->n_uri && i < HELD_MAX_URI; i++) {
		held_w_str(w, "<uri>");
		held_w_text(w, r->uri[i], strnlen(r->uri[i], HELD_URI_MAX), false);
		held_w_str(w, "</uri>");
	}
	held_w_str(w, "</device>");
}

int held_encode_response(held_buf_t *b, const held_response_spec_t *s)
{
	held_w_t w;

	held_w_begin(&w, b);
	if (s->sel.n == 0 || s->sel.n > 3) {
		w.err = -EINVAL;
		return held_w_finish(&w);
	}
	held_w_str(&w,
	           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<locationResponse xmlns=\"" HELD_NS
	           "\">");
	/* held.xsd: locationUriSet comes first, whatever the selection order */
	if (sel_has(&s->sel, HELD_LT_URI)) {
		char exp[21];
		if (!s->uris || s->n_uris == 0) {
			w.err = -EINVAL;
			return held_w_finish(&w);
		}
		held_format_time(s->uri_expires, exp);
		held_w_str(&w, "<locationUriSet expires=\"");
		held_w_str(&w, exp);
		held_w_str(&w, "\">");
		for (size_t i = 0; i < s->n_uris; i++) {
			held_w_str(&w, "<locationURI>");
			held_w_cstr(&w, s->uris[i], false);
			held_w_str(&w, "</locationURI>");
		}
		held_w_str(&w, "</locationUriSet>");
	}
	if (pidf_selection_has_value(&s->sel))
		pidf_write_presence(&w, s);
	if (s->echo)
		write_echo(&w, s->echo);
	held_w_str(&w, "</locationResponse>\n");
	return held_w_finish(&w);
}
