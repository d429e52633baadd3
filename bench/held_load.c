/*
 * held-load — HELD load generator (SPEC §3).
 *
 *   held-load URL --queries FILE [--connections N] [--duration S] [--rate R]
 *             [--warmup S] [--interval S] [--timeout MS] [--insecure] [--cacert FILE]
 *
 * Keeps N keep-alive HTTP/1.1 (or HTTPS) connections to one server and sends
 * requests drawn at random from a query file (bench/gen.h line format, plus
 * "deref URL" and "get PATH"). Closed loop by default: every connection sends
 * its next request as soon as the answer arrives (maximum throughput). With
 * --rate, open loop: request k is due at start + k/R whether or not the server
 * kept up, and its latency is measured from that intended time, so a stall is
 * charged to every request it delayed (no coordinated omission).
 *
 * The HTTP client is a small hand-written one on bufferevents: requests are
 * prebuilt byte strings, responses are parsed just enough to read the status,
 * Content-Length and, for HELD answers, the <error code=...>. One thread.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "bench/held_load.h"
#include "wiremap/wiremap.h"

static const char usage_line[] =
    "usage: held-load URL --queries FILE [--connections N] [--duration S] [--rate R]\n"
    "                 [--warmup S] [--interval S] [--timeout MS] [--insecure] [--cacert FILE]";

/* ---------------- the load loop --------------------------------------------- */

enum { E_CONNECT, E_TIMEOUT, E_CLOSED, E_PROTO, E_HTTP, E_HELD, E_UNEXPECTED, E_KINDS };
static const char *const e_name[E_KINDS] = {
    "connect", "timeout", "closed", "protocol", "http-status", "held-error", "unexpected-hit"};

#define MAX_HELD_CODES 16

typedef struct {
	hist_t all;
	hist_t kind[Q_KINDS];
	uint64_t n_kind[Q_KINDS];
	uint64_t ok, err[E_KINDS];
	uint64_t status[600];
	char code_name[MAX_HELD_CODES][40];
	uint64_t code_n[MAX_HELD_CODES];
	uint64_t miss_unknown; /* expected locationUnknown for "miss" lines */
} stats_t;

typedef struct conn conn_t;

typedef struct {
	struct event_base *base;
	target_t tg;
	struct sockaddr_storage sa;
	int salen;
	SSL_CTX *ssl;
	preqs_t q;
	unsigned nconn;
	conn_t *conns;
	conn_t **idle;
	unsigned nidle;
	double rate; /* 0 = closed loop */
	uint64_t timeout_ns;
	uint64_t t_start, t_measure, t_end; /* ns, monotonic */
	bool measuring, stopping;
	/* open loop: due times not yet sent */
	uint64_t *due;
	size_t due_cap, due_head, due_n;
	uint64_t sent_k; /* requests scheduled so far */
	struct event *tick, *intv_ev, *stop_ev;
	double interval;
	stats_t tot;
	hist_t ivl; /* current interval */
	uint64_t ivl_fail, ivl_n;
	uint64_t ivl_t0;
	uint64_t rng;
	uint64_t dropped; /* open loop: due queue overflow */
} load_t;

struct conn {
	load_t *L;
	struct bufferevent *bev;
	struct event *retry;
	bool connected, busy, reading_body, closing;
	const preq_t *r;
	uint64_t t0; /* latency start: intended (open loop) or actual send time */
	int status;
	size_t body_len;
	bool conn_close;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(load_t *L)
{
	uint64_t x = L->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return L->rng = x;
}

static void conn_start(conn_t *c);
static void conn_send(conn_t *c, uint64_t t0);

static void record(load_t *L, conn_t *c, int err, const char *held_code, uint64_t t_done)
{
	if (!L->measuring || c->t0 < L->t_measure)
		return;
	stats_t *s = &L->tot;
	uint64_t lat = t_done - c->t0;
	if (err >= 0) {
		s->err[err]++;
		L->ivl_fail++;
	} else {
		s->ok++;
	}
	if (held_code) {
		int i;
		for (i = 0; i < MAX_HELD_CODES && s->code_name[i][0]; i++)
			if (!strcmp(s->code_name[i], held_code))
				break;
		if (i < MAX_HELD_CODES) {
			if (!s->code_name[i][0])
				snprintf(s->code_name[i], sizeof s->code_name[i], "%s", held_code);
			s->code_n[i]++;
		}
	}
	/* failures are timed too: a reset after 5 s is 5 s of waiting */
	h_add(&s->all, lat);
	if (c->r) {
		h_add(&s->kind[c->r->kind], lat);
		s->n_kind[c->r->kind]++;
	}
	h_add(&L->ivl, lat);
	L->ivl_n++;
}

static void go_idle(conn_t *c)
{
	load_t *L = c->L;
	c->busy = false;
	c->r = NULL;
	if (L->stopping)
		return;
	if (L->rate == 0) {
		conn_send(c, 0);
		return;
	}
	if (L->due_n) {
		uint64_t t = L->due[L->due_head];
		L->due_head = (L->due_head + 1) % L->due_cap;
		L->due_n--;
		conn_send(c, t);
		return;
	}
	L->idle[L->nidle++] = c;
}

static void conn_drop(conn_t *c, int err)
{
	load_t *L = c->L;
	if (c->busy)
		record(L, c, err, NULL, now_ns());
	else if (err == E_CONNECT && L->measuring)
		L->tot.err[E_CONNECT]++;
	/* an idle connection that goes away leaves the idle list */
	for (unsigned i = 0; i < L->nidle; i++)
		if (L->idle[i] == c) {
			L->idle[i] = L->idle[--L->nidle];
			break;
		}
	bool was_busy = c->busy;
	uint64_t t0 = c->t0;
	c->busy = false;
	c->r = NULL;
	if (c->bev)
		bufferevent_free(c->bev);
	c->bev = NULL;
	c->connected = false;
	/* open loop: the request is lost, but its due slot is not re-queued (it
	 * was answered with an error); closed loop: just reconnect. */
	(void)was_busy;
	(void)t0;
	if (!L->stopping) {
		struct timeval tv = {0, err == E_CONNECT ? 100000 : 1000};
		evtimer_add(c->retry, &tv);
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	conn_t *c = arg;
	load_t *L = c->L;
	struct evbuffer *in = bufferevent_get_input(bev);
	for (;;) {
		if (!c->busy) {
			if (evbuffer_get_length(in)) { /* bytes nobody asked for */
				conn_drop(c, E_PROTO);
				return;
			}
			return;
		}
		if (!c->reading_body) {
			struct evbuffer_ptr p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (p.pos < 0) {
				if (evbuffer_get_length(in) > 65536)
					conn_drop(c, E_PROTO);
				return;
			}
			size_t hl = (size_t)p.pos + 4;
			char *h = (char *)evbuffer_pullup(in, (ev_ssize_t)hl);
			int st = 0;
			if (hl < 12 || strncmp(h, "HTTP/1.", 7) != 0 ||
			    sscanf(h + 9, "%3d", &st) != 1) {
				conn_drop(c, E_PROTO);
				return;
			}
			c->status = st;
			c->body_len = 0;
			c->conn_close = false;
			bool have_len = false;
			for (char *l = memchr(h, '\n', hl); l && l < h + hl - 2;
			     l = memchr(l, '\n', (size_t)(h + hl - l))) {
				l++;
				if (!strncasecmp(l, "Content-Length:", 15)) {
					c->body_len = strtoul(l + 15, NULL, 10);
					have_len = true;
				} else if (!strncasecmp(l, "Connection:", 11)) {
					char *e = l + 11;
					while (*e == ' ')
						e++;
					if (!strncasecmp(e, "close", 5))
						c->conn_close = true;
				} else if (!strncasecmp(l, "Transfer-Encoding:", 18)) {
					conn_drop(c, E_PROTO); /* not needed for HELD servers */
					return;
				}
			}
			if (!have_len && st != 204 && st != 304) {
				conn_drop(c, E_PROTO);
				return;
			}
			evbuffer_drain(in, hl);
			c->reading_body = true;
		}
		if (evbuffer_get_length(in) < c->body_len)
			return;
		uint64_t t = now_ns();
		int err = -1;
		const char *code = NULL;
		char cbuf[40];
		if (c->status != 200) {
			err = E_HTTP;
			if (L->measuring && c->t0 >= L->t_measure && c->status > 0 &&
			    c->status < 600)
				L->tot.status[c->status]++;
		} else {
			if (L->measuring && c->t0 >= L->t_measure)
				L->tot.status[200]++;
			if (c->r->held) {
				const char *b =
				    (const char *)evbuffer_pullup(in, (ev_ssize_t)c->body_len);
				const char *e = b ? memmem(b, c->body_len, "<error", 6) : NULL;
				if (e) {
					const char *cs =
					    memmem(e, c->body_len - (size_t)(e - b), "code=\"", 6);
					size_t k = 0;
					if (cs)
						for (cs += 6; k < sizeof cbuf - 1 &&
						              cs < b + c->body_len && *cs != '"';
						     cs++)
							cbuf[k++] = *cs;
					cbuf[k] = '\0';
					code = k ? cbuf : "?";
					if (c->r->kind == Q_MISS &&
					    !strcmp(code, "locationUnknown")) {
						if (L->measuring && c->t0 >= L->t_measure)
							L->tot.miss_unknown++;
					} else {
						err = E_HELD;
					}
				} else if (c->r->kind == Q_MISS) {
					err = E_UNEXPECTED;
				}
			}
		}
		evbuffer_drain(in, c->body_len);
		c->reading_body = false;
		record(L, c, err, code, t);
		if (c->conn_close) {
			c->busy = false;
			conn_drop(c, -1);
			return;
		}
		go_idle(c);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	conn_t *c = arg;
	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		go_idle(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		if (c->busy) {
			conn_drop(c, E_TIMEOUT);
		} else {
			bufferevent_enable(bev, EV_READ);
		}
		return;
	}
	conn_drop(c, c->connected ? E_CLOSED : E_CONNECT);
}

static void conn_send(conn_t *c, uint64_t t0)
{
	load_t *L = c->L;
	const preq_t *r = &L->q.v[rnd(L) % L->q.n];
	c->busy = true;
	c->r = r;
	c->reading_body = false;
	c->t0 = t0 ? t0 : now_ns();
	bufferevent_write(c->bev, r->req, r->len);
}

static void conn_start(conn_t *c)
{
	load_t *L = c->L;
	if (L->tg.tls) {
		SSL *ssl = SSL_new(L->ssl);
		if (!ssl)
			abort();
		SSL_set_tlsext_host_name(ssl, L->tg.host);
		SSL_set1_host(ssl, L->tg.host);
		c->bev = bufferevent_openssl_socket_new(
		    L->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		c->bev = bufferevent_socket_new(L->base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!c->bev)
		abort();
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	struct timeval tv = {(time_t)(L->timeout_ns / 1000000000u),
	                     (suseconds_t)(L->timeout_ns % 1000000000u / 1000)};
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&L->sa, L->salen) != 0)
		conn_drop(c, E_CONNECT);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	conn_start(arg);
}

/* Open loop: queue every request that is due, hand them to idle connections. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	load_t *L = arg;
	uint64_t now = now_ns();
	double period = 1e9 / L->rate;
	for (;;) {
		uint64_t due = L->t_start + (uint64_t)((double)L->sent_k * period);
		if (due > now || L->stopping)
			break;
		L->sent_k++;
		if (L->nidle) {
			conn_send(L->idle[--L->nidle], due);
		} else if (L->due_n < L->due_cap) {
			L->due[(L->due_head + L->due_n) % L->due_cap] = due;
			L->due_n++;
		} else {
			L->dropped++;
		}
	}
	uint64_t next = L->t_start + (uint64_t)((double)L->sent_k * period);
	uint64_t wait = next > now ? next - now : 0;
	struct timeval tv = {(time_t)(wait / 1000000000u),
	                     (suseconds_t)(wait % 1000000000u / 1000)};
	if (!L->stopping)
		evtimer_add(L->tick, &tv);
}

static struct timeval tv_of(double s)
{
	struct timeval tv = {(time_t)s, (suseconds_t)((s - (double)(time_t)s) * 1e6)};
	return tv;
}

/* End of warm-up: from here on every request counts. */
static void on_warm(evutil_socket_t fd, short what, void *arg)
{
	load_t *L = arg;
	uint64_t now = now_ns();
	L->measuring = true;
	L->t_measure = now;
	L->ivl_t0 = now;
	memset(&L->ivl, 0, sizeof L->ivl);
	L->ivl_n = L->ivl_fail = 0;
	if (L->interval > 0) {
		struct timeval tv = tv_of(L->interval);
		evtimer_add(L->intv_ev, &tv);
	}
}

static void on_interval(evutil_socket_t fd, short what, void *arg)
{
	load_t *L = arg;
	uint64_t now = now_ns();
	{
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		double dt = (double)(now - L->ivl_t0) / 1e9;
		printf("interval t=%.1f wall=%.3f req/s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
		       "failed=%" PRIu64 "\n",
		       (double)(now - L->t_measure) / 1e9,
		       (double)rt.tv_sec + (double)rt.tv_nsec / 1e9,
		       dt > 0 ? (double)L->ivl_n / dt : 0, (double)h_pct(&L->ivl, 50) / 1e6,
		       (double)h_pct(&L->ivl, 99) / 1e6, (double)L->ivl.max / 1e6, L->ivl_fail);
		fflush(stdout);
	}
	memset(&L->ivl, 0, sizeof L->ivl);
	L->ivl_n = L->ivl_fail = 0;
	L->ivl_t0 = now;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	load_t *L = arg;
	L->t_end = now_ns();
	L->stopping = true;
	event_base_loopbreak(L->base);
}

/* ---------------- setup and report ---------------------------------------- */

#define TENANT_MARK "__held_load_tenant__"

static int parse_target(const char *url, target_t *tg)
{
	/* evhttp_uri_parse() refuses braces: parse with a marker in their place */
	char tmp[2048];
	const char *br = strstr(url, "{tenant}");
	if (br)
		snprintf(tmp, sizeof tmp, "%.*s" TENANT_MARK "%s", (int)(br - url), url, br + 8);
	else
		snprintf(tmp, sizeof tmp, "%s", url);
	struct evhttp_uri *u = evhttp_uri_parse(tmp);
	memset(tg, 0, sizeof *tg);
	if (!u || !evhttp_uri_get_scheme(u) || !evhttp_uri_get_host(u))
		goto bad;
	const char *scheme = evhttp_uri_get_scheme(u);
	if (!strcasecmp(scheme, "https"))
		tg->tls = true;
	else if (strcasecmp(scheme, "http"))
		goto bad;
	snprintf(tg->host, sizeof tg->host, "%s", evhttp_uri_get_host(u));
	tg->port = evhttp_uri_get_port(u);
	if (tg->port < 0)
		tg->port = tg->tls ? 443 : 80;
	const char *p = evhttp_uri_get_path(u);
	snprintf(tg->path, sizeof tg->path, "%s", p && *p ? p : "/held");
	char *m = strstr(tg->path, TENANT_MARK);
	if (m) {
		memcpy(m, "{tenant}", 8);
		memmove(m + 8, m + strlen(TENANT_MARK), strlen(m + strlen(TENANT_MARK)) + 1);
	}
	bool v6 = strchr(tg->host, ':') != NULL;
	snprintf(tg->hostport, sizeof tg->hostport, "%s%s%s:%d", v6 ? "[" : "", tg->host,
	         v6 ? "]" : "", tg->port);
	evhttp_uri_free(u);
	return 0;
bad:
	if (u)
		evhttp_uri_free(u);
	return -1;
}

static void print_ms(const char *label, const hist_t *h)
{
	printf("%s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms\n", label,
	       (double)h_pct(h, 50) / 1e6, (double)h_pct(h, 90) / 1e6, (double)h_pct(h, 99) / 1e6,
	       (double)h_pct(h, 99.9) / 1e6, (double)h->max / 1e6);
}

static bool num_arg(const char *opt, const char *s, double lo, double hi, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || *v < lo || *v > hi) {
		fprintf(stderr, "held-load: %s \"%s\": expected a number between %g and %g\n", opt,
		        s, lo, hi);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"queries", required_argument, NULL, 'q'},
	    {"connections", required_argument, NULL, 'c'},
	    {"duration", required_argument, NULL, 'd'},
	    {"rate", required_argument, NULL, 'r'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"interval", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {"insecure", no_argument, NULL, 'k'},
	    {"cacert", required_argument, NULL, 'C'},
	    {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static load_t L;
	const char *qfile = NULL, *cacert = NULL;
	double conns = 16, duration = 10, warmup = 1, timeout_ms = 5000, seed = 1;
	bool insecure = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":q:c:d:r:w:i:t:kC:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			qfile = optarg;
			break;
		case 'c':
			if (!num_arg("--connections", optarg, 1, 10000, &conns))
				return EX_USAGE;
			break;
		case 'd':
			if (!num_arg("--duration", optarg, 0.1, 86400, &duration))
				return EX_USAGE;
			break;
		case 'r':
			if (!num_arg("--rate", optarg, 1, 1e7, &L.rate))
				return EX_USAGE;
			break;
		case 'w':
			if (!num_arg("--warmup", optarg, 0, 3600, &warmup))
				return EX_USAGE;
			break;
		case 'i':
			if (!num_arg("--interval", optarg, 0.05, 3600, &L.interval))
				return EX_USAGE;
			break;
		case 't':
			if (!num_arg("--timeout", optarg, 1, 3600000, &timeout_ms))
				return EX_USAGE;
			break;
		case 's':
			if (!num_arg("--seed", optarg, 1, 1e18, &seed))
				return EX_USAGE;
			break;
		case 'k':
			insecure = true;
			break;
		case 'C':
			cacert = optarg;
			break;
		case 'h':
			printf(
			    "%s\n\n"
			    "HELD load generator: N keep-alive connections, requests drawn at "
			    "random\n"
			    "from a query file, throughput and latency percentiles.\n\n"
			    "  URL                 e.g. http://127.0.0.1:8080/held/{tenant}; "
			    "{tenant} is\n"
			    "                      replaced by a line's @TENANT\n"
			    "  -q, --queries FILE  lines: [@TENANT] "
			    "[type=civic,geodetic,locationURI] [exact]\n"
			    "                      KIND VALUES, KIND one of lldp-port CHASSIS "
			    "PORT,\n"
			    "                      lldp-chassis CHASSIS PORT, bssid MAC, "
			    "bssid-wild MAC, ip A,\n"
			    "                      gw MAC, did +E164, miss CHASSIS PORT BSSID IP "
			    "GW,\n"
			    "                      deref URL (GET with HELD Accept), get PATH "
			    "(plain GET)\n"
			    "                      (bench/gen-wiremap writes such a file)\n"
			    "  -c, --connections N keep-alive connections (default 16)\n"
			    "  -d, --duration S    measured seconds (default 10)\n"
			    "  -w, --warmup S      seconds before measuring (default 1)\n"
			    "  -r, --rate R        open loop: R requests/s, latency from the "
			    "intended\n"
			    "                      send time; default closed loop (max "
			    "throughput)\n"
			    "  -i, --interval S    print req/s, p50, p99 and failures every S "
			    "seconds\n"
			    "  -t, --timeout MS    per request (default 5000)\n"
			    "  --cacert FILE       CA bundle for https; --insecure skips "
			    "verification\n"
			    "A \"miss\" answered with locationUnknown is expected, not an error.\n"
			    "Exit: 0 when requests completed, 69 when none did, 64 usage, 65 bad "
			    "query file.\n",
			    usage_line);
			return EX_OK;
		case ':':
			fprintf(stderr, "held-load: option %s needs a value\n%s\n",
			        argv[optind - 1], usage_line);
			return EX_USAGE;
		default:
			fprintf(stderr, "held-load: unknown option %s\n%s\n", argv[optind - 1],
			        usage_line);
			return EX_USAGE;
		}
	}
	if (optind + 1 != argc || !qfile) {
		fprintf(stderr, "held-load: %s\n%s\n",
		        optind >= argc ? "give the server URL"
		        : !qfile       ? "--queries FILE is required"
		                       : "one URL only",
		        usage_line);
		return EX_USAGE;
	}
	if (parse_target(argv[optind], &L.tg) != 0) {
		fprintf(stderr, "held-load: \"%s\" is not an http:// or https:// URL\n%s\n",
		        argv[optind], usage_line);
		return EX_USAGE;
	}
	load_queries(qfile, &L.tg, &L.q);

	struct evutil_addrinfo hints = {0}, *ai = NULL;
	char ports[16];
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ports, sizeof ports, "%d", L.tg.port);
	if (evutil_getaddrinfo(L.tg.host, ports, &hints, &ai) != 0 || !ai) {
		fprintf(stderr, "held-load: cannot resolve %s\n", L.tg.host);
		return EX_NOHOST;
	}
	memcpy(&L.sa, ai->ai_addr, ai->ai_addrlen);
	L.salen = (int)ai->ai_addrlen;
	evutil_freeaddrinfo(ai);

	if (L.tg.tls) {
		L.ssl = SSL_CTX_new(TLS_client_method());
		if (!L.ssl)
			return EX_SOFTWARE;
		if (insecure) {
			SSL_CTX_set_verify(L.ssl, SSL_VERIFY_NONE, NULL);
		} else {
			SSL_CTX_set_verify(L.ssl, SSL_VERIFY_PEER, NULL);
			if ((cacert && SSL_CTX_load_verify_locations(L.ssl, cacert, NULL) != 1) ||
			    (!cacert && SSL_CTX_set_default_verify_paths(L.ssl) != 1)) {
				fprintf(stderr, "held-load: --cacert %s: cannot load\n",
				        cacert ? cacert : "");
				return EX_NOINPUT;
			}
		}
	}

	struct event_config *cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	L.base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	L.rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL | 1;
	L.timeout_ns = (uint64_t)(timeout_ms * 1e6);
	L.nconn = (unsigned)conns;
	L.conns = calloc(L.nconn, sizeof *L.conns);
	L.idle = calloc(L.nconn, sizeof *L.idle);
	L.due_cap = 1 << 22;
	if (L.rate > 0)
		L.due = malloc(L.due_cap * sizeof *L.due);
	if (!L.conns || !L.idle || (L.rate > 0 && !L.due))
		return EX_OSERR;

	L.t_start = now_ns();
	for (unsigned i = 0; i < L.nconn; i++) {
		L.conns[i].L = &L;
		L.conns[i].retry = evtimer_new(L.base, on_retry, &L.conns[i]);
		conn_start(&L.conns[i]);
	}
	L.tick = evtimer_new(L.base, on_tick, &L);
	L.stop_ev = evtimer_new(L.base, on_stop, &L);
	struct timeval tv0 = {0, 0};
	if (L.rate > 0)
		evtimer_add(L.tick, &tv0);
	/* warm-up end (on_warm), then the interval reports */
	struct event *warm = evtimer_new(L.base, on_warm, &L);
	struct timeval wtv = tv_of(warmup);
	evtimer_add(warm, &wtv);
	L.intv_ev = event_new(L.base, -1, EV_PERSIST, on_interval, &L);
	struct timeval stv = tv_of(warmup + duration);
	evtimer_add(L.stop_ev, &stv);
	event_base_dispatch(L.base);

	/* ---- report ---- */
	stats_t *s = &L.tot;
	double secs = (double)(L.t_end - L.t_measure) / 1e9;
	uint64_t done = s->all.n, failed = 0;
	for (int e = 0; e < E_KINDS; e++)
		failed += s->err[e];
	printf("held-load %s  %s  %u connections  %.1f s measured (after %.1f s warm-up)\n",
	       argv[optind], L.rate > 0 ? "open loop" : "closed loop", L.nconn, secs, warmup);
	if (L.rate > 0)
		printf("rate: %.0f req/s intended; still queued at the end %zu, dropped %" PRIu64
		       "\n",
		       L.rate, L.due_n, L.dropped);
	printf("requests %" PRIu64 "  ok %" PRIu64 "  failed %" PRIu64 "  req/s %.1f\n", done,
	       s->ok, failed, secs > 0 ? (double)done / secs : 0);
	print_ms(L.rate > 0 ? "latency (from intended send time):" : "latency:", &s->all);
	printf("errors:");
	for (int e = 0; e < E_KINDS; e++)
		printf(" %s %" PRIu64, e_name[e], s->err[e]);
	printf("\n");
	printf("http status:");
	for (int i = 0; i < 600; i++)
		if (s->status[i])
			printf(" %d x%" PRIu64, i, s->status[i]);
	printf("\nheld error codes:");
	for (int i = 0; i < MAX_HELD_CODES && s->code_name[i][0]; i++)
		printf(" %s x%" PRIu64, s->code_name[i], s->code_n[i]);
	printf(" (expected locationUnknown for misses: %" PRIu64 ")\n", s->miss_unknown);
	for (int k = 0; k < Q_KINDS; k++)
		if (s->n_kind[k])
			printf("  %-13s %9" PRIu64 "  p50 %.3f  p99 %.3f ms\n", q_name[k],
			       s->n_kind[k], (double)h_pct(&s->kind[k], 50) / 1e6,
			       (double)h_pct(&s->kind[k], 99) / 1e6);
	printf("RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
	       "requests=%" PRIu64 " failed=%" PRIu64 "\n",
	       secs > 0 ? (double)done / secs : 0, (double)h_pct(&s->all, 50) / 1e6,
	       (double)h_pct(&s->all, 90) / 1e6, (double)h_pct(&s->all, 99) / 1e6,
	       (double)h_pct(&s->all, 99.9) / 1e6, (double)s->all.max / 1e6, done, failed);
	return s->ok ? EX_OK : EX_UNAVAILABLE;
}
