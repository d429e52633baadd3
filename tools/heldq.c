/*
 * heldq — HELD client for operators (SPEC §3).
 *
 *   heldq URL [--mac M] [--ip A] [--chassis X [--port Y]] [--bssid B]...
 *             [--gateway-mac M] [--did D] [--user U] [--uri tel:+1...]
 *             [--type civic,geodetic,locationURI] [--exact]
 *   heldq --deref URI [--post] [--pidf]
 *
 * Builds the request (RFC 5985 locationRequest with RFC 6155 identities,
 * RFC 7105 measurements and the HELD+ element), sends it over HTTP or HTTPS
 * (libevent + OpenSSL) and prints the response body. Exit status: 0 for a
 * locationResponse, 2 for a HELD <error>, 69 when the server cannot be
 * reached or answers with an HTTP error, 64 for usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proto/proto.h"
#include "wiremap/wiremap.h"

#define MAX_REPEAT 8

typedef struct {
	const char *url;
	const char *macs[MAX_REPEAT];
	int n_mac;
	const char *ips[MAX_REPEAT];
	int n_ip;
	const char *chassis, *port;
	const char *bssids[MAX_REPEAT];
	int n_bssid;
	const char *gws[MAX_REPEAT];
	int n_gw;
	const char *uris[MAX_REPEAT];
	int n_uri;
	const char *did, *user, *type;
	bool exact, deref, post, pidf, insecure, raw;
	const char *cacert;
	int timeout_s;
} opts_t;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: heldq URL [--mac M] [--ip A] [--chassis X [--port Y]] [--bssid B]\n"
	        "             [--gateway-mac M] [--did D] [--user U] [--uri tel:+1...]\n"
	        "             [--type civic,geodetic,locationURI] [--exact]\n"
	        "       heldq --deref URI [--post] [--pidf]\n"
	        "\n"
	        "Asks a LIS for a location with HELD (RFC 5985) and prints the response.\n"
	        "  --mac, --ip, --uri   RFC 6155 device identities (repeatable)\n"
	        "  --chassis, --port    LLDP neighbour (RFC 7105): a MAC, an IP address or the\n"
	        "                       interface name as the switch reports it\n"
	        "  --bssid              Wi-Fi access point (repeatable; the first is serving)\n"
	        "  --gateway-mac, --did, --user   HELD+ extension (SPEC 4.4)\n"
	        "  --type LIST          locationType: any (default) or civic,geodetic,locationURI\n"
	        "  --exact              exact=\"true\": only the requested types, or an error\n"
	        "  --deref URI          dereference a location URI (GET, or --post for HELD)\n"
	        "  --pidf               with --deref GET: ask for application/pidf+xml\n"
	        "  --cacert FILE        CA bundle for https (default: system store)\n"
	        "  --insecure           do not verify the server certificate (testing only)\n"
	        "  --timeout SECONDS    default 10\n"
	        "  --raw                print the body exactly as received (default: indented)\n"
	        "Exit: 0 location, 2 HELD error, 69 server unreachable or HTTP error, 64 usage.\n");
}

/* --- request building ---------------------------------------------------- */

static void xml_text(struct evbuffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': evbuffer_add_printf(b, "&lt;"); break;
		case '>': evbuffer_add_printf(b, "&gt;"); break;
		case '&': evbuffer_add_printf(b, "&amp;"); break;
		case '"': evbuffer_add_printf(b, "&quot;"); break;
		default: evbuffer_add(b, s, 1);
		}
	}
}

static void die_value(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "heldq: %s \"%s\": %s\n", opt, val, what);
	exit(EX_USAGE);
}

/* LLDP id as RFC 7105 hex octets + IEEE 802.1AB subtype. */
static void add_lldp_id(struct evbuffer *b, const char *elem, const char *val, bool is_port)
{
	wm_lldp_id_t id;
	if (wm_lldp_parse_config(val, strlen(val), &id) != 0)
		die_value(is_port ? "--port" : "--chassis", val, "expected a MAC, an IP address or 1-255 characters");
	unsigned subtype;
	switch (id.cls) {
	case WM_LLDP_MAC: subtype = is_port ? 3 : 4; break;
	case WM_LLDP_NETADDR: subtype = is_port ? 4 : 5; break;
	default: subtype = is_port ? 5 : 7; break; /* interface name / locally assigned */
	}
	evbuffer_add_printf(b, "      <%s type=\"%u\">", elem, subtype);
	for (unsigned i = 0; i < id.len; i++)
		evbuffer_add_printf(b, "%02x", id.v[i]);
	evbuffer_add_printf(b, "</%s>\n", elem);
}

static struct evbuffer *build_request(const opts_t *o)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                       "<locationRequest xmlns=\"" HELD_NS "\">\n");
	if (o->type) {
		char types[128];
		snprintf(types, sizeof types, "%s", o->type);
		for (char *p = types; *p; p++)
			if (*p == ',')
				*p = ' ';
		evbuffer_add_printf(b, "  <locationType exact=\"%s\">", o->exact ? "true" : "false");
		xml_text(b, types);
		evbuffer_add_printf(b, "</locationType>\n");
	} else if (o->exact) {
		evbuffer_add_printf(b, "  <locationType exact=\"true\">any</locationType>\n");
	}
	if (o->n_mac || o->n_ip || o->n_uri) {
		evbuffer_add_printf(b, "  <device xmlns=\"" HELD_ID_NS "\">\n");
		for (int i = 0; i < o->n_ip; i++) {
			wm_ip_t ip;
			if (wm_ip_parse(o->ips[i], strlen(o->ips[i]), &ip) != 0)
				die_value("--ip", o->ips[i], "not an IPv4 or IPv6 address");
			char txt[46];
			wm_ip_format(&ip, txt);
			evbuffer_add_printf(b, "    <ip v=\"%d\">%s</ip>\n", ip.family, txt);
		}
		for (int i = 0; i < o->n_mac; i++) {
			wm_mac_t m;
			if (wm_mac_parse(o->macs[i], strlen(o->macs[i]), &m) != 0)
				die_value("--mac", o->macs[i], "not a MAC address (aa-bb-cc-dd-ee-ff)");
			char txt[18];
			wm_mac_format(&m, txt);
			evbuffer_add_printf(b, "    <mac>%s</mac>\n", txt);
		}
		for (int i = 0; i < o->n_uri; i++) {
			evbuffer_add_printf(b, "    <uri>");
			xml_text(b, o->uris[i]);
			evbuffer_add_printf(b, "</uri>\n");
		}
		evbuffer_add_printf(b, "  </device>\n");
	}
	if (o->chassis || o->n_bssid) {
		evbuffer_add_printf(b, "  <measurements xmlns=\"urn:ietf:params:xml:ns:geopriv:lm\">\n");
		if (o->chassis) {
			evbuffer_add_printf(b, "    <lldp xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:lldp\">\n");
			add_lldp_id(b, "chassis", o->chassis, false);
			/* lm-lldp.xsd requires a port; a chassis-only query sends an
			 * empty-string local port that never matches a configured port. */
			add_lldp_id(b, "port", o->port ? o->port : "-", true);
			evbuffer_add_printf(b, "    </lldp>\n");
		}
		if (o->n_bssid) {
			evbuffer_add_printf(b, "    <wifi xmlns=\"urn:ietf:params:xml:ns:geopriv:lm:wifi\">\n");
			for (int i = 0; i < o->n_bssid; i++) {
				wm_mac_t m;
				if (wm_mac_parse(o->bssids[i], strlen(o->bssids[i]), &m) != 0)
					die_value("--bssid", o->bssids[i], "not a MAC address");
				char txt[18];
				wm_mac_format(&m, txt);
				evbuffer_add_printf(b, "      <ap serving=\"%s\"><bssid>%s</bssid></ap>\n",
				                    i == 0 ? "true" : "false", txt);
			}
			evbuffer_add_printf(b, "    </wifi>\n");
		}
		evbuffer_add_printf(b, "  </measurements>\n");
	}
	if (o->n_gw || o->did || o->user) {
		evbuffer_add_printf(b, "  <hp:heldPlus xmlns:hp=\"" HELD_PLUS_NS "\">\n");
		for (int i = 0; i < o->n_gw; i++) {
			wm_mac_t m;
			if (wm_mac_parse(o->gws[i], strlen(o->gws[i]), &m) != 0)
				die_value("--gateway-mac", o->gws[i], "not a MAC address");
			char txt[18];
			wm_mac_format(&m, txt);
			evbuffer_add_printf(b, "    <hp:gatewayMac>%s</hp:gatewayMac>\n", txt);
		}
		if (o->user) {
			evbuffer_add_printf(b, "    <hp:user>");
			xml_text(b, o->user);
			evbuffer_add_printf(b, "</hp:user>\n");
		}
		if (o->did) {
			evbuffer_add_printf(b, "    <hp:did>%s", strncmp(o->did, "tel:", 4) ? "tel:" : "");
			xml_text(b, o->did);
			evbuffer_add_printf(b, "</hp:did>\n");
		}
		evbuffer_add_printf(b, "  </hp:heldPlus>\n");
	}
	evbuffer_add_printf(b, "</locationRequest>\n");
	return b;
}

/* --- HTTP(S) ------------------------------------------------------------- */

typedef struct {
	struct event_base *base;
	int status;
	struct evbuffer *body;
	char content_type[128];
	char failure[256];
} result_t;

static void on_response(struct evhttp_request *req, void *arg)
{
	result_t *r = arg;
	if (!req) {
		snprintf(r->failure, sizeof r->failure, "connection failed");
	} else if (evhttp_request_get_response_code(req) == 0) {
		snprintf(r->failure, sizeof r->failure, "connection failed or timed out");
	} else {
		r->status = evhttp_request_get_response_code(req);
		evbuffer_add_buffer(r->body, evhttp_request_get_input_buffer(req));
		const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
		snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
	}
	event_base_loopexit(r->base, NULL);
}

static int exchange(const opts_t *o, const char *url, const char *method_body, size_t body_len,
                    bool post, result_t *res)
{
	struct evhttp_uri *uri = evhttp_uri_parse(url);
	if (!uri || !evhttp_uri_get_host(uri)) {
		fprintf(stderr, "heldq: \"%s\" is not an http:// or https:// URL\n", url);
		exit(EX_USAGE);
	}
	const char *scheme = evhttp_uri_get_scheme(uri);
	bool tls = scheme && strcasecmp(scheme, "https") == 0;
	if (!scheme || (!tls && strcasecmp(scheme, "http") != 0)) {
		fprintf(stderr, "heldq: \"%s\": only http and https URLs are supported\n", url);
		exit(EX_USAGE);
	}
	const char *host = evhttp_uri_get_host(uri);
	int port = evhttp_uri_get_port(uri);
	if (port < 0)
		port = tls ? 443 : 80;
	char path[4096];
	const char *p = evhttp_uri_get_path(uri), *q = evhttp_uri_get_query(uri);
	snprintf(path, sizeof path, "%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "");

	res->base = event_base_new();
	res->body = evbuffer_new();
	SSL_CTX *ctx = NULL;
	struct bufferevent *bev;
	if (tls) {
		ctx = SSL_CTX_new(TLS_client_method());
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		if (o->insecure) {
			SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		} else {
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
			if (o->cacert ? SSL_CTX_load_verify_locations(ctx, o->cacert, NULL) != 1
			              : SSL_CTX_set_default_verify_paths(ctx) != 1) {
				fprintf(stderr, "heldq: cannot load CA certificates%s%s\n",
				        o->cacert ? " from " : "", o->cacert ? o->cacert : "");
				exit(EX_NOINPUT);
			}
		}
		SSL *ssl = SSL_new(ctx);
		SSL_set_tlsext_host_name(ssl, host);
		if (!o->insecure)
			SSL_set1_host(ssl, host);
		bev = bufferevent_openssl_socket_new(res->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
		                                     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	} else {
		bev = bufferevent_socket_new(res->base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	struct evhttp_connection *conn =
	    evhttp_connection_base_bufferevent_new(res->base, NULL, bev, host, (unsigned short)port);
	evhttp_connection_set_timeout(conn, o->timeout_s);
	struct evhttp_request *req = evhttp_request_new(on_response, res);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char hosthdr[300];
	snprintf(hosthdr, sizeof hosthdr, "%s:%d", host, port);
	evhttp_add_header(h, "Host", hosthdr);
	evhttp_add_header(h, "Connection", "close");
	if (post) {
		evhttp_add_header(h, "Content-Type", "application/held+xml;charset=utf-8");
		evhttp_add_header(h, "Accept", "application/held+xml");
		evbuffer_add(evhttp_request_get_output_buffer(req), method_body, body_len);
	} else {
		evhttp_add_header(h, "Accept", o->pidf ? "application/pidf+xml,application/held+xml;q=0.5"
		                                       : "application/held+xml");
	}
	evhttp_make_request(conn, req, post ? EVHTTP_REQ_POST : EVHTTP_REQ_GET, path);
	event_base_dispatch(res->base);
	evhttp_connection_free(conn);
	evhttp_uri_free(uri);
	if (ctx)
		SSL_CTX_free(ctx);
	return res->failure[0] ? -1 : 0;
}

/*
 * Prints a response body, indented unless raw. Returns 2 when it is a HELD
 * <error> document, else 0. The body is parsed without network access,
 * DTD loading or entity expansion: the server is not trusted either.
 */
static int print_body(const char *body, size_t len, bool raw)
{
	int rc = 0;
	xmlDocPtr doc = len ? xmlReadMemory(body, (int)len, "response.xml", NULL,
	                                    XML_PARSE_NONET | XML_PARSE_NOBLANKS)
	                    : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root && root->ns && !strcmp((const char *)root->ns->href, HELD_NS) &&
	    !strcmp((const char *)root->name, "error"))
		rc = 2;
	if (root && !raw) {
		xmlChar *out = NULL;
		int n = 0;
		xmlDocDumpFormatMemoryEnc(doc, &out, &n, "UTF-8", 1);
		fwrite(out, 1, (size_t)n, stdout);
		xmlFree(out);
	} else if (len) {
		fwrite(body, 1, len, stdout);
		if (body[len - 1] != '\n')
			putchar('\n');
	}
	xmlFreeDoc(doc);
	return rc;
}

int main(int argc, char **argv)
{
	opts_t o = {.timeout_s = 10};
	enum { O_MAC = 256, O_IP, O_CHASSIS, O_PORT, O_BSSID, O_GW, O_DID, O_USER, O_URI, O_TYPE,
	       O_EXACT, O_DEREF, O_POST, O_PIDF, O_CACERT, O_INSECURE, O_TIMEOUT, O_RAW };
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},        {"version", no_argument, NULL, 'V'},
	    {"mac", required_argument, NULL, O_MAC}, {"ip", required_argument, NULL, O_IP},
	    {"chassis", required_argument, NULL, O_CHASSIS},
	    {"port", required_argument, NULL, O_PORT},
	    {"bssid", required_argument, NULL, O_BSSID},
	    {"gateway-mac", required_argument, NULL, O_GW},
	    {"did", required_argument, NULL, O_DID},  {"user", required_argument, NULL, O_USER},
	    {"uri", required_argument, NULL, O_URI},  {"type", required_argument, NULL, O_TYPE},
	    {"exact", no_argument, NULL, O_EXACT},     {"deref", required_argument, NULL, O_DEREF},
	    {"post", no_argument, NULL, O_POST},       {"pidf", no_argument, NULL, O_PIDF},
	    {"cacert", required_argument, NULL, O_CACERT},
	    {"insecure", no_argument, NULL, O_INSECURE},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"raw", no_argument, NULL, O_RAW},
	    {NULL, 0, NULL, 0}};
	int c;
#define PUSH(arr, n, opt)                                                                          \
	do {                                                                                       \
		if ((n) >= MAX_REPEAT) {                                                           \
			fprintf(stderr, "heldq: at most %d %s values\n", MAX_REPEAT, opt);        \
			return EX_USAGE;                                                           \
		}                                                                                  \
		(arr)[(n)++] = optarg;                                                             \
	} while (0)
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		case 'V': printf("heldq (openlis) %s\n", LIS_VERSION); return 0;
		case O_MAC: PUSH(o.macs, o.n_mac, "--mac"); break;
		case O_IP: PUSH(o.ips, o.n_ip, "--ip"); break;
		case O_CHASSIS: o.chassis = optarg; break;
		case O_PORT: o.port = optarg; break;
		case O_BSSID: PUSH(o.bssids, o.n_bssid, "--bssid"); break;
		case O_GW: PUSH(o.gws, o.n_gw, "--gateway-mac"); break;
		case O_DID: o.did = optarg; break;
		case O_USER: o.user = optarg; break;
		case O_URI: PUSH(o.uris, o.n_uri, "--uri"); break;
		case O_TYPE: o.type = optarg; break;
		case O_EXACT: o.exact = true; break;
		case O_DEREF: o.deref = true; o.url = optarg; break;
		case O_POST: o.post = true; break;
		case O_PIDF: o.pidf = true; break;
		case O_CACERT: o.cacert = optarg; break;
		case O_INSECURE: o.insecure = true; break;
		case O_TIMEOUT: o.timeout_s = atoi(optarg); break;
		case O_RAW: o.raw = true; break;
		default:
			fprintf(stderr, "heldq: unknown option \"%s\"; usage: heldq URL [options] (see --help)\n",
			        argv[optind - 1]);
			return EX_USAGE;
		}
	}
	if (!o.deref) {
		if (optind != argc - 1) {
			fprintf(stderr, "heldq: expected one URL; usage: heldq URL [options] (see --help)\n");
			return EX_USAGE;
		}
		o.url = argv[optind];
	} else if (optind != argc) {
		fprintf(stderr, "heldq: unexpected argument \"%s\" after --deref URI\n", argv[optind]);
		return EX_USAGE;
	}
	if (o.port && !o.chassis) {
		fprintf(stderr, "heldq: --port needs --chassis (the switch the port belongs to)\n");
		return EX_USAGE;
	}
	if (o.timeout_s <= 0)
		o.timeout_s = 10;

	result_t res = {0};
	int rc;
	if (o.deref && !o.post) {
		rc = exchange(&o, o.url, NULL, 0, false, &res);
	} else {
		struct evbuffer *req = build_request(&o);
		size_t len = evbuffer_get_length(req);
		rc = exchange(&o, o.url, (const char *)evbuffer_pullup(req, -1), len, true, &res);
		evbuffer_free(req);
	}
	if (rc != 0) {
		fprintf(stderr, "heldq: %s: %s\n", o.url, res.failure);
		return EX_UNAVAILABLE;
	}
	size_t blen = evbuffer_get_length(res.body);
	const char *body = (const char *)evbuffer_pullup(res.body, -1);
	int exit_code = print_body(body, blen, o.raw);
	if (res.status != 200) {
		fprintf(stderr, "heldq: HTTP %d from %s\n", res.status, o.url);
		exit_code = EX_UNAVAILABLE;
	}
	evbuffer_free(res.body);
	event_base_free(res.base);
	return exit_code;
}
