/*
 * What the text of each leaf element of a locationRequest means (RFC 5985
 * locationType, RFC 6155 device identities, RFC 7105 measurements, the
 * HELD+ extension of SPEC §4.4): checked and stored into held_request_t.
 * A malformed identity is a requestError (hd_bad_id), anything else that
 * breaks the schema an xmlError (hd_schema_err).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/held_decode_internal.h"

static bool scheme_is(const char *s, size_t n, const char *scheme)
{
	size_t l = strlen(scheme);
	return n > l && strncasecmp(s, scheme, l) == 0;
}

static void take_did(dec_t *d, const char *s, size_t n)
{
	wm_did_t did;
	/* The first valid DID in document order wins (device uri or hp:did). */
	if (!d->r->q.has_did && wm_did_parse(s, n, &did) == 0) {
		d->r->q.did = did;
		d->r->q.has_did = true;
	}
}

static void end_ip(dec_t *d, const char *s, size_t n)
{
	held_request_t *r = d->r;
	wm_ip_t ip;

	if (d->ip_v == 0) {
		hd_bad_id(d, "ip identity: v must be \"4\" or \"6\"");
		return;
	}
	bool colon = memchr(s, ':', n) != NULL;
	if ((d->ip_v == '4') == colon || wm_ip_parse(s, n, &ip) != 0) {
		hd_bad_id(d, d->ip_v == '4' ? "ip identity: not an IPv4 address"
		                         : "ip identity: not an IPv6 address");
		return;
	}
	if (r->q.n_ip < WM_QUERY_MAX_IP) {
		r->q.ip[r->q.n_ip++] = ip;
		r->n_ip_id++;
	}
}

static void end_uri(dec_t *d, const char *s, size_t n)
{
	held_request_t *r = d->r;

	if (n == 0) {
		hd_bad_id(d, "uri identity: empty");
		return;
	}
	if (!scheme_is(s, n, "tel:") && !scheme_is(s, n, "sip:") && !scheme_is(s, n, "sips:")) {
		r->has_other_id = true; /* a URI we cannot locate by */
		return;
	}
	if (n >= HELD_URI_MAX || memchr(s, ' ', n)) {
		hd_bad_id(d, n >= HELD_URI_MAX ? "uri identity: longer than 255 bytes"
		                            : "uri identity: contains white space");
		return;
	}
	if (r->n_uri < HELD_MAX_URI) {
		memcpy(r->uri[r->n_uri], s, n);
		r->uri[r->n_uri][n] = '\0';
		r->n_uri++;
	}
	take_did(d, s, n);
}

static void end_lldp_id(dec_t *d, bool is_port, const char *s, size_t n)
{
	uint8_t oct[WM_LLDP_MAX];
	size_t len;
	wm_lldp_id_t id;
	const char *what = is_port ? "lldp port" : "lldp chassis";
	char msg[80];

	if (is_port ? d->lldp_seen_port : d->lldp_seen_chassis)
		return; /* a repeated element: the first one counts */
	if (is_port)
		d->lldp_seen_port = true;
	else
		d->lldp_seen_chassis = true;
	if (!d->lldp_type_ok) {
		snprintf(msg, sizeof msg, "%s: type must be an integer 0..255", what);
		hd_schema_err(d, msg);
		return;
	}
	if (d->text_over || !held_lex_hex(s, n, oct, sizeof oct, &len) || len == 0) {
		snprintf(msg, sizeof msg, "%s: expected 1..255 octets of hexBinary", what);
		hd_schema_err(d, msg);
		return;
	}
	/* Well-formed but unusable (e.g. a MAC subtype without 6 octets): the
	 * measurement cannot match anything, so it is dropped, not an error. */
	if (wm_lldp_from_wire(is_port, d->lldp_type, oct, len, &id) != 0)
		return;
	if (is_port) {
		d->lldp_port = id;
		d->lldp_has_port = true;
	} else {
		d->lldp_chassis = id;
		d->lldp_has_chassis = true;
	}
}

void hd_end_lldp(dec_t *d)
{
	wm_query_t *q = &d->r->q;

	/* held.xsd requires chassis and port; a chassis alone still serves
	 * precedence step 3, so it is kept. A port alone cannot be matched. */
	if (!d->lldp_has_chassis || q->n_lldp >= WM_QUERY_MAX_LLDP)
		return;
	q->lldp[q->n_lldp].chassis = d->lldp_chassis;
	q->lldp[q->n_lldp].has_port = d->lldp_has_port;
	if (d->lldp_has_port)
		q->lldp[q->n_lldp].port = d->lldp_port;
	q->n_lldp++;
}

static void end_bssid(dec_t *d, const char *s, size_t n)
{
	wm_query_t *q = &d->r->q;
	wm_mac_t mac;

	d->ap_has_bssid = true;
	if (d->text_over || wm_mac_parse(s, n, &mac) != 0) {
		hd_schema_err(d, "wifi bssid: not a MAC address");
		return;
	}
	if (d->ap_serving && !d->have_serving) {
		/* the serving AP goes first; the last one drops out when full */
		size_t keep = q->n_bssid < WM_QUERY_MAX_BSSID ? q->n_bssid : WM_QUERY_MAX_BSSID - 1;
		memmove(&q->bssid[1], &q->bssid[0], keep * sizeof q->bssid[0]);
		q->bssid[0] = mac;
		q->n_bssid = keep + 1;
		d->have_serving = true;
	} else if (q->n_bssid < WM_QUERY_MAX_BSSID) {
		q->bssid[q->n_bssid++] = mac;
	}
}

static void end_dhcp_hex(dec_t *d, const char *s, size_t n, uint8_t *out, uint8_t *out_len,
                         const char *what)
{
	uint8_t oct[TEXT_MAX / 2];
	size_t len;
	char msg[80];

	if (d->text_over || !held_lex_hex(s, n, oct, sizeof oct, &len)) {
		snprintf(msg, sizeof msg, "dhcp-rai %s: not hexBinary", what);
		hd_schema_err(d, msg);
		return;
	}
	if (len > 64)
		len = 64;
	memcpy(out, oct, len);
	*out_len = (uint8_t)len;
}

void hd_end_leaf(dec_t *d, kind_t k)
{
	held_request_t *r = d->r;
	size_t n = d->text_len;
	const char *s = held_lex_trim(d->text, &n);
	const char *why = NULL;
	wm_mac_t mac;

	if (d->text_child) {
		/* simple-content elements have no element children */
		if (k == K_ID_IP || k == K_ID_MAC || k == K_ID_URI)
			hd_bad_id(d, "device identity: unexpected child element");
		else if (k == K_LLDP_CHASSIS || k == K_LLDP_PORT) {
			d->text_over = true; /* reported as not hexBinary, marked seen */
			end_lldp_id(d, k == K_LLDP_PORT, "", 0);
		} else
			hd_schema_err(d, "unexpected child element in a simple-content element");
		return;
	}
	switch (k) {
	case K_LOCTYPE:
		if (d->text_over)
			hd_schema_err(d, "locationType: too long");
		else if (!held_lex_location_type(s, n, &r->type_any, r->types, &r->n_types, &why))
			hd_schema_err(d, why);
		break;
	case K_ID_IP:
		if (d->text_over)
			hd_bad_id(d, "ip identity: too long");
		else
			end_ip(d, s, n);
		break;
	case K_ID_MAC:
		if (d->text_over || wm_mac_parse(s, n, &mac) != 0)
			hd_bad_id(d, "mac identity: not a MAC address");
		else if (r->n_mac < HELD_MAX_MAC)
			r->mac[r->n_mac++] = mac;
		break;
	case K_ID_URI:
		if (d->text_over)
			hd_bad_id(d, "uri identity: longer than 255 bytes");
		else
			end_uri(d, s, n);
		break;
	case K_LLDP_CHASSIS:
	case K_LLDP_PORT:
		end_lldp_id(d, k == K_LLDP_PORT, s, n);
		break;
	case K_WIFI_BSSID:
		end_bssid(d, s, n);
		break;
	case K_DHCP_GIADDR:
		if (d->dhcp_seen_giaddr)
			break;
		d->dhcp_seen_giaddr = true;
		if (d->text_over || wm_ip_parse(s, n, &r->dhcp_giaddr) != 0)
			hd_schema_err(d, "dhcp-rai giaddr: not an IP address");
		else
			r->has_dhcp = true;
		break;
	case K_DHCP_CIRCUIT:
		end_dhcp_hex(d, s, n, r->dhcp_circuit, &r->dhcp_circuit_len, "circuit");
		break;
	case K_DHCP_REMOTE:
		end_dhcp_hex(d, s, n, r->dhcp_remote, &r->dhcp_remote_len, "remote");
		break;
	case K_HP_GW:
		if (d->text_over || wm_mac_parse(s, n, &mac) != 0)
			hd_schema_err(d, "heldPlus gatewayMac: not a MAC address");
		else if (r->q.n_gw < WM_QUERY_MAX_GW)
			r->q.gw[r->q.n_gw++] = mac;
		break;
	case K_HP_USER:
		if (d->seen_user)
			break;
		d->seen_user = true;
		if (d->text_over || n >= HELD_URI_MAX) {
			hd_schema_err(d, "heldPlus user: longer than 255 bytes");
			break;
		}
		memcpy(r->user, s, n);
		r->user[n] = '\0';
		break;
	case K_CA_EL: {
		char cwhy[120];
		if (!held_civic_take(&r->provided, d->ca_key, s, n, d->text_over, cwhy,
		                     sizeof cwhy))
			hd_schema_err(d, cwhy);
		break;
	}
	case K_HP_DID:
		/* any anyURI is schema-valid; one that is not a global number is
		 * simply not usable as a DID */
		if (!d->text_over)
			take_did(d, s, n);
		break;
	default:
		break;
	}
}
