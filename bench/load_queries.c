/* held-load: a query file -> prebuilt HTTP requests (HELD, dereference, GET). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "bench/held_load.h"
#include "wiremap/wiremap.h"

#define HELD_NS "urn:ietf:params:xml:ns:geopriv:held"
#define HELD_ID_NS "urn:ietf:params:xml:ns:geopriv:held:id"
#define HELD_PLUS_NS "urn:openlis:params:xml:ns:held-plus"

const char *const q_name[Q_KINDS] = {"lldp-port", "lldp-chassis", "bssid", "bssid-wild", "ip",
                                     "gw",        "did",          "miss",  "deref",      "get"};

static void die_line(const char *file, size_t line, const char *what)
{
	fprintf(stderr, "held-load: %s:%zu: %s\n", file, line, what);
	exit(EX_DATAERR);
}

static void add_lldp(struct evbuffer *b, const char *elem, const char *val, bool is_port,
                     const char *file, size_t line)
{
	wm_lldp_id_t id;
	unsigned subtype;
	if (wm_lldp_parse_config(val, strlen(val), &id) != 0)
		die_line(file, line, "LLDP id: expected a MAC, an IP address or 1-255 characters");
	switch (id.cls) {
	case WM_LLDP_MAC:
		subtype = is_port ? 3 : 4;
		break;
	case WM_LLDP_NETADDR:
		subtype = is_port ? 4 : 5;
		break;
	default:
		subtype = is_port ? 5 : 7;
		break;
	}
	evbuffer_add_printf(b, "<%s type=\"%u\">", elem, subtype);
	for (unsigned i = 0; i < id.len; i++)
		evbuffer_add_printf(b, "%02x", id.v[i]);
	evbuffer_add_printf(b, "</%s>", elem);
}

static void add_mac(struct evbuffer *b, const char *fmt, const char *val, const char *file,
                    size_t line)
{
	wm_mac_t m;
	char t[18];
	if (wm_mac_parse(val, strlen(val), &m) != 0)
		die_line(file, line, "expected a MAC address");
	wm_mac_format(&m, t);
	evbuffer_add_printf(b, fmt, t);
}

static void add_ip(struct evbuffer *b, const char *val, const char *file, size_t line)
{
	wm_ip_t ip;
	char t[46];
	if (wm_ip_parse(val, strlen(val), &ip) != 0)
		die_line(file, line, "expected an IPv4 or IPv6 address");
	wm_ip_format(&ip, t);
	evbuffer_add_printf(b, "<device xmlns=\"" HELD_ID_NS "\"><ip v=\"%d\">%s</ip></device>",
	                    ip.family, t);
}

/* Path of the HELD URL with {tenant} replaced. */
static void held_path(const target_t *tg, const char *tenant, char *out, size_t n)
{
	const char *p = strstr(tg->path, "{tenant}");
	if (!p || !tenant)
		snprintf(out, n, "%s", tg->path);
	else
		snprintf(out, n, "%.*s%s%s", (int)(p - tg->path), tg->path, tenant, p + 8);
}

static void push_req(preqs_t *q, uint8_t kind, bool held, struct evbuffer *req)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 1024;
		q->v = realloc(q->v, q->cap * sizeof *q->v);
		if (!q->v)
			abort();
	}
	preq_t *r = &q->v[q->n++];
	r->kind = kind;
	r->held = held;
	r->len = evbuffer_get_length(req);
	r->req = malloc(r->len);
	if (!r->req)
		abort();
	evbuffer_remove(req, r->req, r->len);
}

void load_queries(const char *file, const target_t *tg, preqs_t *q)
{
	FILE *f = fopen(file, "r");
	char buf[2048];
	size_t lineno = 0;
	if (!f) {
		fprintf(stderr, "held-load: %s: %s\n", file, strerror(errno));
		exit(EX_NOINPUT);
	}
	struct evbuffer *body = evbuffer_new(), *req = evbuffer_new();
	while (fgets(buf, sizeof buf, f)) {
		char *tok[12];
		int n = 0;
		lineno++;
		for (char *s = strtok(buf, " \t\r\n"); s && n < 12; s = strtok(NULL, " \t\r\n"))
			tok[n++] = s;
		if (n == 0 || tok[0][0] == '#')
			continue;
		int i = 0;
		const char *tenant = NULL, *type = NULL;
		bool exact = false;
		if (tok[i][0] == '@')
			tenant = tok[i++] + 1;
		for (; i < n && (!strncmp(tok[i], "type=", 5) || !strcmp(tok[i], "exact")); i++) {
			if (tok[i][0] == 't')
				type = tok[i] + 5;
			else
				exact = true;
		}
		if (i >= n)
			die_line(file, lineno, "no query kind");
		const char *k = tok[i++];
		int a = n - i;
		char **v = tok + i;
		int kind = -1;
		for (int j = 0; j < Q_KINDS; j++)
			if (!strcmp(k, q_name[j]))
				kind = j;
		static const int nargs[Q_KINDS] = {2, 2, 1, 1, 1, 1, 1, 5, 1, 1};
		if (kind < 0)
			die_line(file, lineno,
			         "unknown kind (lldp-port, lldp-chassis, bssid, bssid-wild, "
			         "ip, gw, did, miss, deref, get)");
		if (a != nargs[kind])
			die_line(file, lineno, "wrong number of values for this kind");

		if (kind == Q_DEREF || kind == Q_GET) {
			const char *path = v[0];
			struct evhttp_uri *u = NULL;
			if (kind == Q_DEREF) {
				u = evhttp_uri_parse(v[0]);
				if (!u || !evhttp_uri_get_path(u))
					die_line(file, lineno,
					         "deref: expected a location URI (http(s)://...)");
				path = evhttp_uri_get_path(u);
			}
			evbuffer_add_printf(req,
			                    "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: %s\r\n"
			                    "User-Agent: held-load\r\n\r\n",
			                    path, tg->hostport,
			                    kind == Q_DEREF ? "application/held+xml" : "*/*");
			push_req(q, (uint8_t)kind, kind == Q_DEREF, req);
			if (u)
				evhttp_uri_free(u);
			continue;
		}

		evbuffer_add_printf(body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		                          "<locationRequest xmlns=\"" HELD_NS "\">");
		if (type || exact) {
			char t[128];
			snprintf(t, sizeof t, "%s", type ? type : "any");
			for (char *p = t; *p; p++)
				if (*p == ',')
					*p = ' ';
			evbuffer_add_printf(body, "<locationType exact=\"%s\">%s</locationType>",
			                    exact ? "true" : "false", t);
		}
		const char *ch = NULL, *port = NULL, *bssid = NULL, *ip = NULL, *gw = NULL;
		switch (kind) {
		case Q_PORT:
		case Q_CHASSIS:
			ch = v[0], port = v[1];
			break;
		case Q_BSSID:
		case Q_BWILD:
			bssid = v[0];
			break;
		case Q_IP:
			ip = v[0];
			break;
		case Q_GW:
			gw = v[0];
			break;
		case Q_MISS:
			ch = v[0], port = v[1], bssid = v[2], ip = v[3], gw = v[4];
			break;
		case Q_DID: {
			wm_did_t d;
			if (wm_did_parse(v[0], strlen(v[0]), &d) != 0)
				die_line(file, lineno, "did: expected +E.164 digits");
			/* a call router asking by the caller's DID (RFC 6155 identity) */
			evbuffer_add_printf(
			    body, "<device xmlns=\"" HELD_ID_NS "\"><uri>tel:%s</uri></device>",
			    d.d);
			break;
		}
		}
		if (ip)
			add_ip(body, ip, file, lineno);
		if (ch || bssid) {
			evbuffer_add_printf(
			    body, "<measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\">");
			if (ch) {
				evbuffer_add_printf(
				    body,
				    "<lldp xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\">");
				add_lldp(body, "chassis", ch, false, file, lineno);
				add_lldp(body, "port", port, true, file, lineno);
				evbuffer_add_printf(body, "</lldp>");
			}
			if (bssid) {
				evbuffer_add_printf(
				    body,
				    "<wifi xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\">");
				add_mac(body, "<ap serving=\"true\"><bssid>%s</bssid></ap>", bssid,
				        file, lineno);
				evbuffer_add_printf(body, "</wifi>");
			}
			evbuffer_add_printf(body, "</measurements>");
		}
		if (gw) {
			evbuffer_add_printf(body, "<hp:heldPlus xmlns:hp=\"" HELD_PLUS_NS "\">");
			add_mac(body, "<hp:gatewayMac>%s</hp:gatewayMac>", gw, file, lineno);
			evbuffer_add_printf(body, "</hp:heldPlus>");
		}
		evbuffer_add_printf(body, "</locationRequest>\n");
		char path[1200];
		held_path(tg, tenant, path, sizeof path);
		evbuffer_add_printf(
		    req,
		    "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/held+xml\r\n"
		    "Accept: application/held+xml\r\nUser-Agent: held-load\r\n"
		    "Content-Length: %zu\r\n\r\n",
		    path, tg->hostport, evbuffer_get_length(body));
		evbuffer_add_buffer(req, body);
		push_req(q, (uint8_t)kind, true, req);
	}
	evbuffer_free(body);
	evbuffer_free(req);
	fclose(f);
	if (q->n == 0) {
		fprintf(stderr, "held-load: %s: no queries\n", file);
		exit(EX_DATAERR);
	}
}
