/*
 * The socket-free HELD path: tenant -> decode -> precedence lookup -> select
 * LI types -> encode. Everything the HTTP shell, the unit tests and the
 * fuzzers share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509_vfy.h>

#include "lis/lis_internal.h"

void lis_handler_init(lis_handler_t *h, const lis_config_t *cfg)
{
	lis_config_t def;

	memset(h, 0, sizeof *h);
	if (!cfg) {
		lis_config_init(&def);
		cfg = &def;
	}
	h->retention_s = cfg->retention_s;
	if (!cfg->public_url || lis_url_host(cfg->public_url, h->host, sizeof h->host))
		snprintf(h->host, sizeof h->host, "localhost");
	held_limits_default(&h->limits);
	h->limits.max_bytes = (size_t)cfg->max_body;
}

/* ---------------- location by reference: start-up ---------------------- */

/* Reads a bearer secret: whole file, surrounding whitespace trimmed. */
static int load_secret(const char *path, lis_tenant_rt_t *t, char *err, size_t errlen)
{
	size_t len = 0;
	FILE *f = fopen(path, "rb");
	uint8_t buf[4096];
	if (!f) {
		snprintf(err, errlen, "tenant %s: secret_file %s: %s", t->cfg->id, path,
		         strerror(errno));
		return LIS_ECONFIG;
	}
	len = fread(buf, 1, sizeof buf, f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	size_t a = 0, b = len;
	while (a < b && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\r' || buf[a] == '\n'))
		a++;
	while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r' ||
	                 buf[b - 1] == '\n'))
		b--;
	if (more || b - a < 16) {
		OPENSSL_cleanse(buf, sizeof buf);
		snprintf(err, errlen,
		         "tenant %s: secret_file %s must hold 16 to 4096 characters "
		         "(openssl rand -hex 32 > %s)",
		         t->cfg->id, path, path);
		return LIS_ECONFIG;
	}
	if (!(t->secret = malloc(b - a)))
		abort();
	memcpy(t->secret, buf + a, b - a);
	t->secret_len = b - a;
	OPENSSL_cleanse(buf, sizeof buf);
	return 0;
}

int lis_handler_setup(lis_handler_t *h, const lis_config_t *cfg, char *err, size_t errlen)
{
	struct lis_refs *r = calloc(1, sizeof *r);
	int rc = 0;
	if (!r)
		abort();
	h->refs = r;
	r->lifetime_s = cfg->token_lifetime_s;
	if (cfg->token_key_file) {
		if ((rc = lis_token_key_load(cfg->token_key_file, &r->key, err, errlen)) != 0)
			goto out;
		r->has_key = true;
	}
	if (cfg->public_url) {
		size_t n = strlen(cfg->public_url);
		while (n > 0 && cfg->public_url[n - 1] == '/')
			n--;
		if (n >= sizeof r->base) {
			snprintf(err, errlen, "public_url is too long (%zu characters)", n);
			rc = LIS_ECONFIG;
			goto out;
		}
		memcpy(r->base, cfg->public_url, n);
		r->base[n] = '\0';
	}
	r->can_uri = r->has_key && r->base[0];
	if (cfg->nomadic_store &&
	    (rc = lis_nomadic_open(cfg->nomadic_store, cfg->nomadic_max, cfg->nomadic_ttl_s,
	                           &h->nomadic, err, errlen)) != 0) {
		rc = LIS_ECONFIG;
		goto out;
	}
	if (cfg->n_tenants && !(r->tenants = calloc(cfg->n_tenants, sizeof *r->tenants)))
		abort();
	for (size_t i = 0; i < cfg->n_tenants; i++) {
		lis_tenant_rt_t *t = &r->tenants[r->n_tenants++];
		t->cfg = &cfg->tenants[i];
		if (t->cfg->deref_auth == LIS_DEREF_BEARER) {
			r->any_bearer = true;
			if ((rc = load_secret(t->cfg->secret_file, t, err, errlen)) != 0)
				goto out;
		} else if (t->cfg->deref_auth == LIS_DEREF_MTLS) {
			r->any_mtls = true;
			if (!(t->store = X509_STORE_new()) ||
			    X509_STORE_load_file(t->store, t->cfg->client_ca) != 1) {
				snprintf(
				    err, errlen,
				    "tenant %s: client_ca %s: no PEM certificate could be read",
				    t->cfg->id, t->cfg->client_ca);
				ERR_clear_error();
				rc = LIS_ECONFIG;
				goto out;
			}
		}
	}
out:
	return rc;
}

void lis_handler_deinit(lis_handler_t *h)
{
	struct lis_refs *r = h->refs;
	lis_nomadic_close(h->nomadic);
	h->nomadic = NULL;
	if (!r)
		return;
	for (size_t i = 0; i < r->n_tenants; i++) {
		if (r->tenants[i].secret) {
			OPENSSL_cleanse(r->tenants[i].secret, r->tenants[i].secret_len);
			free(r->tenants[i].secret);
		}
		X509_STORE_free(r->tenants[i].store);
	}
	free(r->tenants);
	OPENSSL_cleanse(r, sizeof *r);
	free(r);
	h->refs = NULL;
}

const lis_tenant_rt_t *lis_refs_tenant(const struct lis_refs *r, const char *id)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n_tenants; i++)
		if (strcmp(r->tenants[i].cfg->id, id) == 0)
			return &r->tenants[i];
	return NULL;
}

uint64_t lis_now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Randomness for ids and pseudonyms, from OpenSSL's CSPRNG, drawn 4 KiB at a
 * time per thread: one RAND_bytes call per request cost as much as encoding
 * the whole PIDF-LO. (lisd never forks after start, so no two processes share
 * a pool.)
 */
void lis_random_bytes(void *p, size_t n)
{
	static __thread uint8_t pool[4096];
	static __thread size_t avail;
	uint8_t *out = p;

	while (n) {
		if (avail == 0) {
			if (RAND_bytes(pool, (int)sizeof pool) != 1)
				abort(); /* no entropy: never answer with a guessable id */
			avail = sizeof pool;
		}
		size_t take = n < avail ? n : avail;
		memcpy(out, pool + sizeof pool - avail, take);
		OPENSSL_cleanse(pool + sizeof pool - avail, take); /* hand out each byte once */
		avail -= take;
		out += take;
		n -= take;
	}
}

static char *hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		*out++ = digits[p[i] >> 4];
		*out++ = digits[p[i] & 15];
	}
	*out = '\0';
	return out;
}

void lis_uuid_urn(char out[46])
{
	uint8_t r[16];
	lis_random_bytes(r, 16);
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	char *p = out;
	memcpy(p, "urn:uuid:", 9);
	p = hex(r, 4, p + 9);
	*p++ = '-';
	p = hex(r + 4, 2, p);
	*p++ = '-';
	p = hex(r + 6, 2, p);
	*p++ = '-';
	p = hex(r + 8, 2, p);
	*p++ = '-';
	hex(r + 10, 6, p);
}

void lis_presence_entity(const lis_handler_t *h, char *out, size_t outlen)
{
	uint8_t rnd[8];
	char e[17];
	lis_random_bytes(rnd, 8);
	hex(rnd, 8, e);
	size_t hl = strlen(h->host);
	if (outlen < 5 + 16 + 1 + hl + 1) {
		snprintf(out, outlen, "pres:%s@%s", e, h->host); /* truncates, as before */
		return;
	}
	memcpy(out, "pres:", 5);
	memcpy(out + 5, e, 16);
	out[21] = '@';
	memcpy(out + 22, h->host, hl + 1);
}

/* Copies text for a log field: control characters, quotes and backslashes
 * become '?', so a device cannot forge log lines. */
void lis_copy_clean(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < dstlen; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[n++] = (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') ? '?' : (char)ch;
	}
	if (dstlen)
		dst[n] = '\0';
}

/* ---------------- identifiers seen --------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
} sbuf_t;

static void sadd(sbuf_t *s, const char *kind, const char *val)
{
	char clean[300];
	lis_copy_clean(clean, sizeof clean, val, strlen(val));
	int w = snprintf(s->p + s->len, s->cap - s->len, "%s%s=%s", s->len ? " " : "", kind, clean);
	if (w < 0)
		return;
	if ((size_t)w >= s->cap - s->len) { /* truncated: mark it */
		s->len = s->cap - 1;
		if (s->cap > 4)
			memcpy(s->p + s->cap - 4, "...", 4);
		return;
	}
	s->len += (size_t)w;
}

static void ids_text(const held_request_t *r, const wm_query_t *q, char *out, size_t outlen)
{
	sbuf_t s = {out, 0, outlen};
	char a[300], b[300], v[620];

	out[0] = '\0';
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		wm_lldp_format(&q->lldp[i].chassis, a, sizeof a);
		if (q->lldp[i].has_port) {
			wm_lldp_format(&q->lldp[i].port, b, sizeof b);
			snprintf(v, sizeof v, "%s/%s", a, b);
			sadd(&s, "lldp", v);
		} else {
			sadd(&s, "lldp", a);
		}
	}
	for (size_t i = 0; i < q->n_bssid && i < WM_QUERY_MAX_BSSID; i++) {
		wm_mac_format(&q->bssid[i], a);
		sadd(&s, "bssid", a);
	}
	for (size_t i = 0; i < q->n_ip && i < WM_QUERY_MAX_IP; i++) {
		wm_ip_format(&q->ip[i], a);
		sadd(&s, i < r->n_ip_id ? "ip" : "src-ip", a);
	}
	for (size_t i = 0; i < q->n_gw && i < WM_QUERY_MAX_GW; i++) {
		wm_mac_format(&q->gw[i], a);
		sadd(&s, "gw", a);
	}
	for (size_t i = 0; i < r->n_mac && i < HELD_MAX_MAC; i++) {
		wm_mac_format(&r->mac[i], a);
		sadd(&s, "mac", a);
	}
	if (q->has_did)
		sadd(&s, q->by_identity ? "did-identity" : "did", q->did.d);
	else
		for (size_t i = 0; i < r->n_uri && i < HELD_MAX_URI; i++)
			sadd(&s, "uri", r->uri[i]);
}

/* ---------------- answers ------------------------------------------------ */

static int answer_error_hp(held_buf_t *out, lis_outcome_t *oc, held_code_t code, const char *msg,
                           bool address_required)
{
	held_buf_reset(out);
	oc->code = code;
	if (held_encode_error(out, code, msg, address_required) != 0) {
		held_buf_reset(out);
		oc->status = 500;
		return 500;
	}
	oc->status = 200;
	return 200;
}

static int answer_error(held_buf_t *out, lis_outcome_t *oc, held_code_t code, const char *msg)
{
	return answer_error_hp(out, oc, code, msg, false);
}

static const char *lt_name(unsigned t)
{
	return t == HELD_LT_CIVIC ? "civic" : t == HELD_LT_GEODETIC ? "geodetic" : "locationURI";
}

static void types_text(const uint8_t *t, size_t n, char *out, size_t outlen)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + len, outlen - len, "%s%s", i ? ", " : "", lt_name(t[i]));
		if (w < 0 || (size_t)w >= outlen - len)
			return;
		len += (size_t)w;
	}
}

/* Why nothing matched, in words an administrator can act on. */
static void unknown_message(const wm_tenant_t *t, const wm_query_t *q, const char *ids, char *msg,
                            size_t msglen)
{
	int n;
	if (!ids[0])
		n = snprintf(msg, msglen,
		             "no location: the request carries no identifier this LIS "
		             "can look up");
	else
		n = snprintf(msg, msglen, "no location is provisioned for %s", ids);
	if (n < 0 || (size_t)n >= msglen)
		return;
	size_t len = (size_t)n;
	if (q->has_source && q->n_ip && !wm_tenant_trusts(t, &q->source)) {
		n = snprintf(msg + len, msglen - len,
		             "; subnets not used: the request came from outside the tenant's "
		             "trusted networks");
		if (n < 0 || (size_t)n >= msglen - len)
			return;
		len += (size_t)n;
	}
	if (q->has_did && !q->by_identity && !wm_tenant_did_fallback(t))
		snprintf(msg + len, msglen - len, "; DID not used: the tenant has no did_fallback");
}

/* ---------------- step 6: nomadic users (SPEC §4.2, §4.4) ---------------- */

/* "This network": the first hp:gatewayMac, else the serving Wi-Fi BSSID. */
static const wm_mac_t *nomadic_network(const held_request_t *r)
{
	if (r->q.n_gw)
		return &r->q.gw[0];
	if (r->serving_bssid && r->q.n_bssid)
		return &r->q.bssid[0];
	return NULL;
}

static void key_id(const uint8_t key[LIS_NOMADIC_KEY], char *out)
{
	size_t pl = strlen(LIS_NOMADIC_ID_PREFIX);
	memcpy(out, LIS_NOMADIC_ID_PREFIX, pl);
	hex(key, LIS_NOMADIC_KEY, out + pl);
}

/*
 * A provided address is answered (and remembered when the request names a
 * user and a network); without one, the address remembered for (tenant,
 * user, network) is. Returns 1 with *civ, *given (when the user gave it)
 * and id (the location id: the entry key as "nomadic:HEX", or "nomadic"
 * for an address used once) filled, and *by_ref when the store holds the
 * entry; 0 when step 6 has nothing (*unusable names why a provided address
 * was refused, or NULL). Store failures are logged and never fail the
 * request: the caller answers with what it has.
 */
static int nomadic_step(const lis_handler_t *h, const wm_tenant_t *t, const held_request_t *r,
                        time_t now, held_civic_t *civ, time_t *given, char *id, bool *by_ref,
                        const char **unusable)
{
	const wm_mac_t *net = nomadic_network(r);
	const char *tid = wm_tenant_id(t);
	bool keyed = r->user[0] && net && strlen(tid) <= LIS_NOMADIC_TENANT_MAX;
	uint8_t key[LIS_NOMADIC_KEY];
	char netx[18];

	*by_ref = false;
	*unusable = NULL;
	if (keyed) {
		lis_nomadic_key(tid, r->user, net, key);
		wm_mac_format(net, netx);
	}
	if (r->provided.set) {
		if (!held_civic_usable(&r->provided, unusable))
			return 0;
		*civ = r->provided;
		*given = now;
		snprintf(id, 16, "nomadic");
		if (!keyed || !h->nomadic)
			return 1; /* no user or no network: for this answer only */
		int rc = lis_nomadic_put(h->nomadic, tid, r->user, net, civ, now);
		if (rc == LIS_EFULL)
			lis_log(LIS_LOG_ERROR,
			        "nomadic store full: the address given for tenant %s network %s is "
			        "used but not remembered; raise nomadic.max_entries or lower "
			        "nomadic.ttl",
			        tid, netx);
		else if (rc != 0)
			lis_log(LIS_LOG_ERROR,
			        "nomadic store: cannot remember the address given for tenant %s "
			        "network %s: %s",
			        tid, netx, lis_strerror(rc));
		if (rc == 0) {
			key_id(key, id);
			*by_ref = true;
		}
		return 1;
	}
	if (!keyed || !h->nomadic)
		return 0;
	int rc = lis_nomadic_get(h->nomadic, tid, r->user, net, now, civ, given);
	if (rc < 0) {
		lis_log(LIS_LOG_ERROR, "nomadic store: lookup for tenant %s network %s failed: %s",
		        tid, netx, lis_strerror(rc));
		return 0;
	}
	if (rc == 0)
		return 0;
	key_id(key, id);
	*by_ref = true;
	return 1;
}

int lis_held_handle(const lis_handler_t *h, const wm_index_t *ix, const char *tenant,
                    size_t tenant_len, const char *body, size_t len, const lis_client_t *c,
                    held_buf_t *out, lis_outcome_t *oc)
{
	uint64_t t0 = lis_now_usec();
	held_request_t req;
	char msg[768];
	const wm_tenant_t *t;
	int status;

	memset(oc, 0, sizeof *oc);
	if (tenant)
		lis_copy_clean(oc->tenant, sizeof oc->tenant, tenant, tenant_len);

	if (!ix) {
		status = answer_error(out, oc, HELD_GENERAL_LIS_ERROR,
		                      "the wiremap is not loaded yet; try again shortly");
		goto out;
	}
	if (tenant) {
		t = (tenant_len && !memchr(tenant, '/', tenant_len))
		        ? wm_index_tenant(ix, tenant, tenant_len)
		        : NULL;
		if (!t) {
			held_buf_reset(out);
			status = oc->status = 404;
			goto out;
		}
	} else {
		t = wm_index_sole_tenant(ix);
		if (!t) {
			wm_index_stats_t st;
			wm_index_stats(ix, &st);
			status = st.tenants == 0
			             ? answer_error(out, oc, HELD_GENERAL_LIS_ERROR,
			                            "no tenant is provisioned in the wiremap yet")
			             : answer_error(out, oc, HELD_REQUEST_ERROR,
			                            "this LIS serves several tenants: POST to "
			                            "/held/{tenant-id}");
			goto out;
		}
		snprintf(oc->tenant, sizeof oc->tenant, "%s", wm_tenant_id(t));
	}

	held_code_t code = held_decode_request(body, len, &h->limits, &req, msg, sizeof msg);
	if (code != HELD_OK) {
		status = answer_error(out, oc, code, msg[0] ? msg : held_code_name(code));
		goto out;
	}

	wm_query_t *q = &req.q;
	q->has_source = c->has_source;
	if (c->has_source)
		q->source = c->source;
	/* SPEC §4.3: no <ip> identity -> the device is the connection's source. */
	if (q->n_ip == 0 && !q->by_identity && c->has_source) {
		q->ip[0] = c->source;
		q->n_ip = 1;
	}
	ids_text(&req, q, oc->ids, sizeof oc->ids);

	time_t now = c->now ? c->now : time(NULL);
	wm_match_t m;
	int rc = wm_lookup(ix, t, q, &m, NULL, NULL);
	if (rc < 0) {
		snprintf(msg, sizeof msg, "lookup failed: %s", lis_strerror(rc));
		status = answer_error(out, oc, HELD_GENERAL_LIS_ERROR, msg);
		goto out;
	}
	/* Step 6 comes after the wiremap (1-5: an on-premises device never uses
	 * a typed address) and before the DID (7), unless a call router asks by
	 * identity alone, where the DID comes first (SPEC §4.2). */
	static __thread lis_token_claims_t cl; /* 2 KiB with an address: off the worker stack */
	held_civic_t *ncivic = &cl.civic;
	time_t ngiven = 0;
	wm_location_t nloc;
	char nid[sizeof LIS_NOMADIC_ID_PREFIX + 2 * LIS_NOMADIC_KEY];
	bool nomadic_ref = false, found = rc == 1 && m.loc;
	const char *unusable = NULL;
	if ((!found || (m.method == WM_M_DID && !q->by_identity)) &&
	    nomadic_step(h, t, &req, now, ncivic, &ngiven, nid, &nomadic_ref, &unusable) == 1) {
		lis_nomadic_location(ncivic, nid, &nloc);
		nloc.tenant = t;
		memset(&m, 0, sizeof m);
		m.method = WM_M_NOMADIC;
		m.loc = &nloc;
		found = true;
	}
	if (!found) {
		unknown_message(t, q, oc->ids, msg, sizeof msg);
		size_t ml = strlen(msg);
		if (unusable)
			snprintf(msg + ml, sizeof msg - ml,
			         "; the address given cannot be used: %s", unusable);
		/* SPEC §4.4: a HELD+ client that names its user can ask for an address */
		status = answer_error_hp(out, oc, HELD_LOCATION_UNKNOWN, msg, req.user[0] != '\0');
		goto out;
	}
	oc->method = m.method;
	lis_copy_clean(oc->location, sizeof oc->location, m.loc->id, strlen(m.loc->id));

	bool have_civic = false;
	for (int k = 0; k < WM_CA_COUNT; k++)
		if (m.loc->civic[k]) {
			have_civic = true;
			break;
		}
	held_selection_t sel;
	/* A nomadic answer's URI carries the address in its token, so any node
	 * answers it and an address used once has one too (RFC 5985 §6.2: "any"
	 * gets every type the LIS can provide); an address too long for a token
	 * needs the store entry (this node only, as before). */
	bool embed = m.method == WM_M_NOMADIC && lis_token_can_embed(ncivic);
	cl.civic.set = embed; /* else a format 1 token (nloc keeps pointing into the text) */
	bool can_uri =
	    h->refs && h->refs->can_uri && (m.method != WM_M_NOMADIC || nomadic_ref || embed);
	code = held_select(&req, have_civic, m.loc->geo.set, can_uri, &sel);
	if (code == HELD_CANNOT_PROVIDE_LI_TYPE) {
		uint8_t avail[2];
		size_t na = 0;
		char want[64], have[64];
		if (have_civic)
			avail[na++] = HELD_LT_CIVIC;
		if (m.loc->geo.set)
			avail[na++] = HELD_LT_GEODETIC;
		types_text(req.types, req.n_types, want, sizeof want);
		types_text(avail, na, have, sizeof have);
		snprintf(msg, sizeof msg, "cannot provide exactly %s: location %s has %s%s", want,
		         oc->location, na ? have : "no location information",
		         can_uri ? ""
		         : h->refs && h->refs->can_uri
		             ? " (the address given is too long for a location URI and is not "
		               "remembered)"
		             : " (this LIS issues no location URIs: token.key_file and "
		               "public_url are not both configured)");
		status = answer_error(out, oc, code, msg);
		goto out;
	}
	if (code != HELD_OK) {
		snprintf(msg, sizeof msg, "location %s has neither a civic address nor a position",
		         oc->location);
		status = answer_error(
		    out, oc, code == HELD_LOCATION_UNKNOWN ? code : HELD_LOCATION_UNKNOWN, msg);
		goto out;
	}

	char entity[320], device[64];
	lis_presence_entity(h, entity, sizeof entity);
	if (req.n_mac) {
		char mh[13];
		hex(req.mac[0].o, 6, mh);
		snprintf(device, sizeof device, "mac:%s", mh);
	} else {
		lis_uuid_urn(device);
	}

	/* RFC 5985 §6.5: one location URI, {public_url}/loc/{token}, valid for
	 * token.lifetime; the token binds (tenant, location id) and, for a
	 * nomadic answer, the address (sealed: RFC 5808 C4/C5). */
	char uri[sizeof h->refs->base + 8 + LIS_TOKEN_TEXT_MAX];
	const char *uris[1] = {uri};
	bool want_uri = false;
	for (size_t i = 0; i < sel.n; i++)
		want_uri |= sel.order[i] == HELD_LT_URI;
	if (want_uri) {
		cl.civic_given = (int64_t)ngiven;
		snprintf(cl.tenant, sizeof cl.tenant, "%s", wm_tenant_id(t));
		snprintf(cl.location, sizeof cl.location, "%s", m.loc->id);
		cl.method = (uint8_t)m.method;
		cl.issued = (int64_t)now;
		cl.expires = (int64_t)now + h->refs->lifetime_s;
		size_t bl = strlen(h->refs->base);
		memcpy(uri, h->refs->base, bl);
		memcpy(uri + bl, "/loc/", 5);
		if (strlen(wm_tenant_id(t)) > LIS_TOKEN_ID_MAX ||
		    strlen(m.loc->id) > LIS_TOKEN_ID_MAX ||
		    lis_token_issue(&h->refs->key, &cl, uri + bl + 5, sizeof uri - bl - 5) != 0) {
			status = answer_error(out, oc, HELD_GENERAL_LIS_ERROR,
			                      "cannot issue a location URI for this location");
			goto out;
		}
	}
	held_response_spec_t spec = {
	    .loc = m.loc,
	    .method = m.method,
	    .sel = sel,
	    .uris = want_uri ? uris : NULL,
	    .n_uris = want_uri ? 1 : 0,
	    .uri_expires = want_uri ? now + (time_t)h->refs->lifetime_s : 0,
	    .now = now,
	    .retention_s = h->retention_s,
	    .entity = entity,
	    .device_id = device,
	    .echo = &req,
	};
	held_buf_reset(out);
	if (held_encode_response(out, &spec) != 0) {
		status = answer_error(out, oc, HELD_GENERAL_LIS_ERROR, "out of memory");
		goto out;
	}
	oc->code = HELD_OK;
	status = oc->status = 200;
out:
	oc->usec = lis_now_usec() - t0;
	return status;
}
