/*
 * locationRequest decoder: a streaming SAX2 walk over the request bytes.
 * No DOM is built and nothing is allocated per identifier; everything lands
 * in the caller's held_request_t.
 *
 * Safety (hostile input):
 *   - the size limit is checked before libxml2 sees a byte;
 *   - a DOCTYPE stops the parser in its internalSubset callback, before the
 *     internal subset is read, so no entity is ever declared, let alone
 *     expanded or fetched (billion laughs, XXE); undeclared entity
 *     references are fatal errors without a DTD;
 *   - depth and element count are checked in startElementNs, which stops the
 *     parser at the first element over a limit;
 *   - any error of level ERROR or FATAL, which includes namespace errors
 *     (an xmlns value that is not a URI, an undeclared prefix, duplicate
 *     expanded attribute names), makes the document not well-formed;
 *   - NUL bytes are refused up front (libxml2 would treat one after the
 *     document element as the end of input).
 *
 * Elements are matched by (namespace URI, local name), never by prefix.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "proto/held_decode_internal.h"

void held_limits_default(held_limits_t *l)
{
	l->max_bytes = 64 * 1024;
	l->max_depth = 32;
	l->max_nodes = 4096;
}

/* Kinds whose text content the decoder reads. */
static bool kind_is_leaf(kind_t k)
{
	switch (k) {
	case K_LOCTYPE:
	case K_ID_IP:
	case K_ID_MAC:
	case K_ID_URI:
	case K_LLDP_CHASSIS:
	case K_LLDP_PORT:
	case K_WIFI_BSSID:
	case K_DHCP_GIADDR:
	case K_DHCP_CIRCUIT:
	case K_DHCP_REMOTE:
	case K_HP_GW:
	case K_HP_USER:
	case K_HP_DID:
	case K_CA_EL:
		return true;
	default:
		return false;
	}
}

/* ---------------- outcome ------------------------------------------------- */

void hd_stop(dec_t *d, const char *msg)
{
	if (!d->stopped) {
		d->stopped = true;
		snprintf(d->stop_msg, sizeof d->stop_msg, "%s", msg);
	}
	xmlStopParser(d->ctxt);
}

void hd_schema_err(dec_t *d, const char *msg)
{
	if (!d->schema_err) {
		d->schema_err = true;
		snprintf(d->schema_msg, sizeof d->schema_msg, "%s", msg);
	}
}

void hd_bad_id(dec_t *d, const char *msg)
{
	if (!d->bad_id) {
		d->bad_id = true;
		snprintf(d->bad_id_msg, sizeof d->bad_id_msg, "%s", msg);
	}
}
static bool ns_is(const xmlChar *uri, const char *ns)
{
	return uri && strcmp((const char *)uri, ns) == 0;
}

static bool name_is(const xmlChar *name, const char *n)
{
	return strcmp((const char *)name, n) == 0;
}

/* An unqualified attribute's value, or NULL. */
static const xmlChar *attr_get(int nb, const xmlChar **atts, const char *name, size_t *len)
{
	for (int i = 0; i < nb; i++) {
		const xmlChar **a = atts + 5 * i;
		if (a[2] == NULL && name_is(a[0], name)) {
			*len = (size_t)(a[4] - a[3]);
			return a[3];
		}
	}
	return NULL;
}

/* ---------------- element classification ------------------------------ */

static kind_t classify_root(dec_t *d, const xmlChar *name, const xmlChar *uri, int nb,
                            const xmlChar **atts)
{
	if (!ns_is(uri, HELD_NS)) {
		d->root = ROOT_UNSUPPORTED;
		return K_IGNORE;
	}
	if (name_is(name, "locationResponse") || name_is(name, "error")) {
		d->root = ROOT_UNSUPPORTED;
		return K_IGNORE;
	}
	if (!name_is(name, "locationRequest")) {
		d->root = ROOT_BAD_HELD;
		return K_IGNORE;
	}
	d->root = ROOT_OK;

	size_t len;
	const xmlChar *v = attr_get(nb, atts, "responseTime", &len);
	if (v && !held_lex_response_time((const char *)v, len, &d->r->rt_kind, &d->r->rt_ms))
		hd_schema_err(d, "responseTime: expected milliseconds, emergencyRouting or "
		              "emergencyDispatch");
	return K_ROOT;
}

static kind_t classify_request_child(dec_t *d, const xmlChar *name, const xmlChar *uri, int nb,
                                     const xmlChar **atts)
{
	held_request_t *r = d->r;

	if (ns_is(uri, HELD_NS)) {
		if (!name_is(name, "locationType")) {
			hd_schema_err(d,
			           "unknown element in the HELD namespace inside locationRequest");
			return K_IGNORE;
		}
		if (d->seen_loctype) {
			hd_schema_err(d, "more than one locationType element");
			return K_IGNORE;
		}
		d->seen_loctype = true;
		size_t len;
		const xmlChar *v = attr_get(nb, atts, "exact", &len);
		if (v && !held_lex_boolean((const char *)v, len, &r->exact))
			hd_schema_err(d, "locationType: exact must be true, false, 1 or 0");
		return K_LOCTYPE;
	}
	if (ns_is(uri, HELD_ID_NS) && name_is(name, "device"))
		return K_DEVICE;
	if (ns_is(uri, LM_NS) && name_is(name, "measurements")) {
		r->has_measurements = true;
		return K_MEAS;
	}
	if (ns_is(uri, HELD_PLUS_NS) && name_is(name, "heldPlus"))
		return K_HP;
	return K_IGNORE; /* RFC 5985 §5.1: ignore what is not understood */
}

static kind_t classify_device_child(dec_t *d, const xmlChar *name, const xmlChar *uri, int nb,
                                    const xmlChar **atts)
{
	if (!ns_is(uri, HELD_ID_NS))
		return K_IGNORE;
	if (name_is(name, "ip")) {
		size_t len;
		const xmlChar *v = attr_get(nb, atts, "v", &len);
		d->ip_v = 0;
		if (v) {
			const char *s = held_lex_trim((const char *)v, &len);
			if (len == 1 && (*s == '4' || *s == '6'))
				d->ip_v = *s;
		}
		return K_ID_IP;
	}
	if (name_is(name, "mac"))
		return K_ID_MAC;
	if (name_is(name, "uri"))
		return K_ID_URI;
	/* fqdn, nai, duid, msisdn, imsi, imei, min, mdn, ports ...: accepted, unused */
	d->r->has_other_id = true;
	return K_IGNORE;
}

static kind_t classify_meas_child(dec_t *d, const xmlChar *name, const xmlChar *uri)
{
	if (ns_is(uri, LM_LLDP_NS) && name_is(name, "lldp")) {
		d->lldp_has_chassis = d->lldp_has_port = false;
		d->lldp_seen_chassis = d->lldp_seen_port = false;
		return K_LLDP;
	}
	if (ns_is(uri, LM_WIFI_NS) && name_is(name, "wifi"))
		return K_WIFI;
	if (ns_is(uri, LM_DHCP_NS) && name_is(name, "dhcp-rai")) {
		d->dhcp_seen_giaddr = false;
		return K_DHCP;
	}
	return K_IGNORE;
}

static kind_t classify(dec_t *d, kind_t parent, const xmlChar *name, const xmlChar *uri, int nb,
                       const xmlChar **atts)
{
	size_t len;
	const xmlChar *v;

	switch (parent) {
	case K_ROOT:
		return classify_request_child(d, name, uri, nb, atts);
	case K_DEVICE:
		return classify_device_child(d, name, uri, nb, atts);
	case K_MEAS:
		return classify_meas_child(d, name, uri);
	case K_LLDP:
		if (!ns_is(uri, LM_LLDP_NS) || !(name_is(name, "chassis") || name_is(name, "port")))
			return K_IGNORE;
		v = attr_get(nb, atts, "type", &len);
		d->lldp_type_ok = v && held_lex_byte((const char *)v, len, &d->lldp_type);
		return name_is(name, "chassis") ? K_LLDP_CHASSIS : K_LLDP_PORT;
	case K_WIFI:
		if (!ns_is(uri, LM_WIFI_NS) || !name_is(name, "ap"))
			return K_IGNORE;
		d->ap_serving = false;
		d->ap_has_bssid = false;
		v = attr_get(nb, atts, "serving", &len);
		if (v && !held_lex_boolean((const char *)v, len, &d->ap_serving))
			hd_schema_err(d, "wifi ap: serving must be true, false, 1 or 0");
		return K_WIFI_AP;
	case K_WIFI_AP:
		if (ns_is(uri, LM_WIFI_NS) && name_is(name, "bssid") && !d->ap_has_bssid)
			return K_WIFI_BSSID;
		return K_IGNORE;
	case K_DHCP:
		if (!ns_is(uri, LM_DHCP_NS))
			return K_IGNORE;
		if (name_is(name, "giaddr"))
			return K_DHCP_GIADDR;
		if (name_is(name, "circuit"))
			return K_DHCP_CIRCUIT;
		if (name_is(name, "remote"))
			return K_DHCP_REMOTE;
		return K_IGNORE;
	case K_HP:
		if (!ns_is(uri, HELD_PLUS_NS))
			return K_IGNORE;
		if (name_is(name, "gatewayMac"))
			return K_HP_GW;
		if (name_is(name, "user"))
			return K_HP_USER;
		if (name_is(name, "did"))
			return K_HP_DID;
		if (name_is(name, "providedAddress")) {
			if (d->seen_addr) {
				hd_schema_err(d, "more than one heldPlus providedAddress");
				return K_IGNORE;
			}
			d->seen_addr = true;
			return K_HP_ADDR;
		}
		return K_IGNORE;
	case K_HP_ADDR:
		/* heldplus.xsd: one element of the civicAddr namespace, then ##other */
		if (!ns_is(uri, CA_NS))
			return K_IGNORE;
		if (d->seen_civic || !name_is(name, "civicAddress")) {
			hd_schema_err(d, "providedAddress: expected exactly one ca:civicAddress");
			return K_IGNORE;
		}
		d->seen_civic = true;
		d->r->provided.set = true;
		return K_CA;
	case K_CA:
		d->ca_key = held_civic_classify((const char *)uri, (const char *)name);
		if (d->ca_key == HELD_CA_INVALID)
			hd_schema_err(d,
			           "providedAddress: unknown element in the civicAddr namespace");
		return d->ca_key >= 0 ? K_CA_EL : K_IGNORE;
	default:
		return K_IGNORE;
	}
}
/* ---------------- SAX2 callbacks ------------------------------------------ */

static kind_t cur_kind(const dec_t *d)
{
	if (d->depth == 0 || d->depth > KIND_STACK)
		return K_IGNORE;
	return d->stack[d->depth - 1];
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_atts, int nb_defaulted,
                     const xmlChar **atts)
{
	dec_t *d = ctx;
	(void)prefix, (void)nb_ns, (void)ns, (void)nb_defaulted;

	if (d->stopped)
		return;
	if (d->depth >= d->lim->max_depth) {
		char m[80];
		snprintf(m, sizeof m, "elements nested deeper than %u", d->lim->max_depth);
		hd_stop(d, m);
		return;
	}
	if (++d->nodes > d->lim->max_nodes) {
		char m[80];
		snprintf(m, sizeof m, "more than %zu elements", d->lim->max_nodes);
		hd_stop(d, m);
		return;
	}

	kind_t parent = cur_kind(d);
	kind_t k;
	if (d->depth == 0)
		k = classify_root(d, name, uri, nb_atts, atts);
	else if (kind_is_leaf(parent)) {
		d->text_child = true;
		k = K_IGNORE;
	} else
		k = parent == K_IGNORE ? K_IGNORE : classify(d, parent, name, uri, nb_atts, atts);

	d->depth++;
	if (d->depth <= KIND_STACK)
		d->stack[d->depth - 1] = k;
	if (kind_is_leaf(k)) {
		d->text_len = 0;
		d->text_over = false;
		d->text_child = false;
	}
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	dec_t *d = ctx;
	(void)name, (void)prefix, (void)uri;

	if (d->stopped || d->depth == 0)
		return;
	kind_t k = cur_kind(d);
	if (kind_is_leaf(k))
		hd_end_leaf(d, k);
	else if (k == K_LLDP)
		hd_end_lldp(d);
	else if (k == K_HP_ADDR && !d->seen_civic)
		hd_schema_err(d, "providedAddress: expected exactly one ca:civicAddress");
	d->depth--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
	dec_t *d = ctx;

	if (d->stopped || !kind_is_leaf(cur_kind(d)))
		return;
	/* collapse white space as we go: the leaf types are all tokens */
	for (int i = 0; i < len; i++) {
		char c = (char)ch[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (d->text_len == 0 || d->text[d->text_len - 1] == ' ')
				continue;
			c = ' ';
		}
		if (d->text_len >= TEXT_MAX) {
			d->text_over = true;
			return;
		}
		d->text[d->text_len++] = c;
	}
}

static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
                               const xmlChar *sys_id)
{
	dec_t *d = ctx;
	(void)name, (void)ext_id, (void)sys_id;
	/* Called before the internal subset is read: nothing in it is ever
	 * declared, expanded or fetched. */
	hd_stop(d, "DOCTYPE declarations are not accepted");
}

static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	dec_t *d = ctx;

	if (!e || e->level < XML_ERR_ERROR || d->stopped)
		return;
	d->stopped = true;
	char m[160];
	snprintf(m, sizeof m, "%s", e->message ? e->message : "error");
	size_t l = strlen(m);
	while (l && (m[l - 1] == '\n' || m[l - 1] == ' '))
		m[--l] = '\0';
	snprintf(d->stop_msg, sizeof d->stop_msg, "not well-formed XML (line %d): %s", e->line, m);
}

/* UTF-16 documents legitimately contain NUL bytes (XML 1.0 appendix F). */
static bool looks_utf16(const unsigned char *p, size_t n)
{
	if (n < 2)
		return false;
	return (p[0] == 0xfe && p[1] == 0xff) || (p[0] == 0xff && p[1] == 0xfe) ||
	       (n >= 4 && ((p[0] == 0 && p[1] == '<' && p[2] == 0 && p[3] == '?') ||
	                   (p[0] == '<' && p[1] == 0 && p[2] == '?' && p[3] == 0)));
}

static held_code_t fail(char *msg, size_t msglen, held_code_t c, const char *text)
{
	if (msg && msglen)
		snprintf(msg, msglen, "%s", text);
	return c;
}

held_code_t held_decode_request(const char *body, size_t len, const held_limits_t *lim,
                                held_request_t *out, char *msg, size_t msglen)
{
	held_limits_t deflim;
	xmlSAXHandler sax;
	dec_t dec;
	dec_t *d = &dec;
	xmlParserCtxtPtr ctxt = NULL;
	held_code_t rc;

	if (msg && msglen)
		msg[0] = '\0';
	memset(out, 0, sizeof *out);
	out->type_any = true; /* RFC 5985 §6.2: no locationType means "any" */
	if (!lim) {
		held_limits_default(&deflim);
		lim = &deflim;
	}
	if (!body || len == 0)
		return fail(msg, msglen, HELD_XML_ERROR, "empty request body");
	if (len > lim->max_bytes || len > INT_MAX)
		return fail(msg, msglen, HELD_XML_ERROR, "request body over the size limit");
	if (!looks_utf16((const unsigned char *)body, len) && memchr(body, 0, len))
		return fail(msg, msglen, HELD_XML_ERROR, "not well-formed XML: NUL byte");

	memset(d, 0, sizeof *d);
	d->lim = lim;
	d->r = out;

	ctxt = xmlCreateMemoryParserCtxt(body, (int)len);
	if (!ctxt) {
		rc = fail(msg, msglen, HELD_GENERAL_LIS_ERROR, "out of memory");
		goto out;
	}
	d->ctxt = ctxt;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.internalSubset = on_internal_subset;
	sax.getEntity = on_get_entity;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.ignorableWhitespace = on_text;
	sax.cdataBlock = on_text;
	sax.serror = on_error;
	memcpy(ctxt->sax, &sax, sizeof sax);
	ctxt->userData = d;
	/* no NOENT, no DTDLOAD/DTDATTR/DTDVALID, no HUGE, no XINCLUDE */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;

	xmlParseDocument(ctxt);

	if (!d->stopped && (!ctxt->wellFormed || !ctxt->nsWellFormed)) {
		d->stopped = true;
		snprintf(d->stop_msg, sizeof d->stop_msg, "not well-formed XML");
	}
	if (d->stopped)
		rc = fail(msg, msglen, HELD_XML_ERROR, d->stop_msg);
	else if (d->root == ROOT_NONE)
		rc = fail(msg, msglen, HELD_XML_ERROR, "no document element");
	else if (d->root == ROOT_BAD_HELD)
		rc = fail(msg, msglen, HELD_XML_ERROR,
		          "document element is not a HELD message (unknown name in the HELD "
		          "namespace)");
	else if (d->root == ROOT_UNSUPPORTED)
		rc = fail(msg, msglen, HELD_UNSUPPORTED_MESSAGE,
		          "document element is not a HELD locationRequest");
	else if (d->schema_err)
		rc = fail(msg, msglen, HELD_XML_ERROR, d->schema_msg);
	else if (d->bad_id)
		rc = fail(msg, msglen, HELD_BAD_IDENTIFIER, d->bad_id_msg);
	else
		rc = HELD_OK;

	if (rc == HELD_OK) {
		wm_query_t *q = &out->q;
		/* the call-router case: a DID and nothing that locates the device */
		q->by_identity = q->has_did && q->n_lldp == 0 && q->n_bssid == 0 && q->n_gw == 0 &&
		                 out->n_ip_id == 0 && !out->has_measurements;
		out->serving_bssid = d->have_serving;
	} else {
		memset(out, 0, sizeof *out);
		out->type_any = true;
	}
out:
	if (ctxt) {
		if (ctxt->myDoc)
			xmlFreeDoc(ctxt->myDoc);
		xmlFreeParserCtxt(ctxt);
	}
	return rc;
}
