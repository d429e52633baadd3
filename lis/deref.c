/*
 * The socket-free dereference path (RFC 6753 §3, SPEC §4.1):
 *
 *   method -> media type -> credentials that need no token -> open token ->
 *   expiry -> the tenant's access-control model (RFC 5808 §4.1) -> the
 *   location's CURRENT record in the live index -> call events -> answer.
 *
 * Every token that does not lead to a location the caller may see gets one
 * answer, byte for byte: 404 with LIS_DEREF_NOT_FOUND_BODY. That covers
 * malformed, tampered, forged (another deployment's key), expired tokens,
 * and tokens whose tenant requires a bearer secret or a client certificate
 * the request does not carry — so a client without the right credentials
 * cannot tell a live token from a dead one. The only 403 is for a bearer
 * secret that no tenant holds, decided before the token is looked at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "lis/lis_internal.h"

#define HELD_CTYPE "application/held+xml;charset=utf-8"
#define PIDF_CTYPE "application/pidf+xml;charset=utf-8"
#define TEXT_CTYPE "text/plain; charset=utf-8"

#define DIALED_MAX 15
#define CALLER_MAX 256
#define CALL_ID_MAX 256
#define QUERY_MAX 2048

/* ---------------- content negotiation ------------------------------------ */

/* q-value of one Accept parameter list ("; q=0.5; x=y"); 1000 = 1.0. */
static int parse_q(const char *p, const char *end)
{
	int q = 1000;
	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		const char *e = p;
		while (e < end && *e != ';')
			e++;
		if (e - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			const char *v = p + 2;
			int ip = 0, frac = 0, scale = 100;
			bool ok = v < e && (*v == '0' || *v == '1');
			if (ok) {
				ip = *v++ - '0';
				if (v < e && *v == '.')
					for (v++; v < e && *v >= '0' && *v <= '9' && scale; v++) {
						frac += (*v - '0') * scale;
						scale /= 10;
					}
				while (v < e && (*v == ' ' || *v == '\t'))
					v++;
				ok = v == e;
			}
			q = ok ? ip * 1000 + frac : 1000;
			if (q > 1000)
				q = 1000;
		}
		p = e;
	}
	return q;
}

/* Quality the Accept header gives `type`: the most specific range wins
 * (exact > type/ * > * / *, RFC 9110 §12.5.1); -1 when nothing matches. */
static int accept_q(const char *accept, const char *type)
{
	const char *slash = strchr(type, '/');
	size_t tlen = strlen(type), major = (size_t)(slash - type);
	int best_spec = 0, best_q = -1;
	const char *p = accept;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *end = p + strcspn(p, ",");
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *rend = semi ? semi : end;
		while (rend > p && (rend[-1] == ' ' || rend[-1] == '\t'))
			rend--;
		size_t rl = (size_t)(rend - p);
		int spec = 0;
		if (rl == tlen && strncasecmp(p, type, tlen) == 0)
			spec = 3;
		else if (rl == major + 2 && strncasecmp(p, type, major + 1) == 0 &&
		         p[major + 1] == '*')
			spec = 2;
		else if (rl == 3 && memcmp(p, "*/*", 3) == 0)
			spec = 1;
		if (spec > best_spec) {
			best_spec = spec;
			best_q = parse_q(semi ? semi : end, end);
		}
		p = end;
	}
	return best_q;
}

bool lis_accept_prefers_pidf(const char *accept)
{
	if (!accept)
		return false;
	int qp = accept_q(accept, "application/pidf+xml");
	int qh = accept_q(accept, "application/held+xml");
	if (qp <= 0)
		return false;
	return qp > (qh < 0 ? 0 : qh);
}

/* ---------------- the 933 read-back sentence ------------------------------ */

typedef struct {
	char *p;
	size_t len, cap;
} tbuf_t;

static void tput(tbuf_t *b, const char *s, size_t n)
{
	if (b->cap == 0)
		return;
	for (size_t i = 0; i < n && b->len + 1 < b->cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		b->p[b->len++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	b->p[b->len] = '\0';
}

static void tputs(tbuf_t *b, const char *s)
{
	tput(b, s, strlen(s));
}

static const char *lookup_word(const char *const (*tab)[2], const char *v)
{
	size_t n = strlen(v);
	if (n && v[n - 1] == '.')
		n--;
	for (size_t i = 0; tab[i][0]; i++)
		if (strlen(tab[i][0]) == n && strncasecmp(tab[i][0], v, n) == 0)
			return tab[i][1];
	return v;
}

/* What a text-to-speech engine should say for the usual abbreviations. */
static const char *const directions[][2] = {
    {"N", "North"},      {"S", "South"},      {"E", "East"},
    {"W", "West"},       {"NE", "Northeast"}, {"NW", "Northwest"},
    {"SE", "Southeast"}, {"SW", "Southwest"}, {NULL, NULL}};
static const char *const suffixes[][2] = {
    {"Ave", "Avenue"},   {"Blvd", "Boulevard"}, {"Cir", "Circle"},
    {"Ct", "Court"},     {"Dr", "Drive"},       {"Expy", "Expressway"},
    {"Fwy", "Freeway"},  {"Hwy", "Highway"},    {"Ln", "Lane"},
    {"Pkwy", "Parkway"}, {"Pl", "Place"},       {"Plz", "Plaza"},
    {"Rd", "Road"},      {"Sq", "Square"},      {"St", "Street"},
    {"Ter", "Terrace"},  {"Trl", "Trail"},      {NULL, NULL}};
static const char *const us_states[][2] = {{"AL", "Alabama"},
                                           {"AK", "Alaska"},
                                           {"AZ", "Arizona"},
                                           {"AR", "Arkansas"},
                                           {"CA", "California"},
                                           {"CO", "Colorado"},
                                           {"CT", "Connecticut"},
                                           {"DE", "Delaware"},
                                           {"DC", "District of Columbia"},
                                           {"FL", "Florida"},
                                           {"GA", "Georgia"},
                                           {"HI", "Hawaii"},
                                           {"ID", "Idaho"},
                                           {"IL", "Illinois"},
                                           {"IN", "Indiana"},
                                           {"IA", "Iowa"},
                                           {"KS", "Kansas"},
                                           {"KY", "Kentucky"},
                                           {"LA", "Louisiana"},
                                           {"ME", "Maine"},
                                           {"MD", "Maryland"},
                                           {"MA", "Massachusetts"},
                                           {"MI", "Michigan"},
                                           {"MN", "Minnesota"},
                                           {"MS", "Mississippi"},
                                           {"MO", "Missouri"},
                                           {"MT", "Montana"},
                                           {"NE", "Nebraska"},
                                           {"NV", "Nevada"},
                                           {"NH", "New Hampshire"},
                                           {"NJ", "New Jersey"},
                                           {"NM", "New Mexico"},
                                           {"NY", "New York"},
                                           {"NC", "North Carolina"},
                                           {"ND", "North Dakota"},
                                           {"OH", "Ohio"},
                                           {"OK", "Oklahoma"},
                                           {"OR", "Oregon"},
                                           {"PA", "Pennsylvania"},
                                           {"PR", "Puerto Rico"},
                                           {"RI", "Rhode Island"},
                                           {"SC", "South Carolina"},
                                           {"SD", "South Dakota"},
                                           {"TN", "Tennessee"},
                                           {"TX", "Texas"},
                                           {"UT", "Utah"},
                                           {"VT", "Vermont"},
                                           {"VA", "Virginia"},
                                           {"WA", "Washington"},
                                           {"WV", "West Virginia"},
                                           {"WI", "Wisconsin"},
                                           {"WY", "Wyoming"},
                                           {NULL, NULL}};

/* "tel:+1-408-555-0100;ext=1" -> "+14085550100" (digits and a leading +). */
static bool tel_digits(const char *uri, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = uri;
	if (strncasecmp(p, "tel:", 4) == 0)
		p += 4;
	if (*p == '+' && n + 1 < outlen)
		out[n++] = *p++;
	for (; *p && *p != ';'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= outlen)
				return false;
			out[n++] = *p;
		} else if (!strchr("-.() ", *p)) {
			return false;
		}
	}
	out[n] = '\0';
	return n >= 3 && !(n == 1 && out[0] == '+');
}

/* "+14085550100" -> "+1 408 555 0100" (NANP); others as written. */
static void say_number(tbuf_t *b, const char *digits)
{
	if (strlen(digits) == 12 && digits[0] == '+' && digits[1] == '1') {
		char s[20];
		snprintf(s, sizeof s, "+1 %.3s %.3s %.4s", digits + 2, digits + 5, digits + 8);
		tputs(b, s);
	} else {
		tputs(b, digits);
	}
}

static void street(tbuf_t *b, const wm_location_t *loc, bool us, size_t *parts)
{
	static const int keys[] = {WM_CA_HNO, WM_CA_HNS, WM_CA_PRD, WM_CA_RD, WM_CA_STS, WM_CA_POD};
	size_t n = 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = loc->civic[keys[i]];
		if (!v || !*v)
			continue;
		if (us && (keys[i] == WM_CA_PRD || keys[i] == WM_CA_POD))
			v = lookup_word(directions, v);
		else if (us && keys[i] == WM_CA_STS)
			v = lookup_word(suffixes, v);
		tputs(b, n ? " " : "");
		tputs(b, v);
		n++;
	}
	*parts += n ? 1 : 0;
}

static void part(tbuf_t *b, size_t *parts, const char *prefix, const char *v)
{
	if (!v || !*v)
		return;
	tputs(b, *parts ? ", " : "");
	tputs(b, prefix);
	tputs(b, v);
	(*parts)++;
}

size_t lis_readback_text(const wm_location_t *loc, const char *caller, char *out, size_t outlen)
{
	tbuf_t b = {out, 0, outlen};
	char num[40];

	if (outlen)
		out[0] = '\0';
	if (!loc) {
		tputs(&b, "The location for this call is no longer on file.");
		return b.len;
	}
	if (caller && strncasecmp(caller, "tel:", 4) == 0 && tel_digits(caller, num, sizeof num)) {
		tputs(&b, "Your callback number is ");
		say_number(&b, num);
		tputs(&b, ".");
	} else if (loc->ecbn && tel_digits(loc->ecbn, num, sizeof num)) {
		tputs(&b, "Your callback number is ");
		say_number(&b, num);
		tputs(&b, ".");
	} else {
		tputs(&b, "No callback number is on file.");
	}

	const char *country = loc->civic[WM_CA_COUNTRY];
	bool us = !country || strcasecmp(country, "US") == 0;
	char addr[768];
	tbuf_t ab = {addr, 0, sizeof addr};
	size_t parts = 0;
	addr[0] = '\0';
	street(&ab, loc, us, &parts);
	part(&ab, &parts, "floor ", loc->civic[WM_CA_FLR]);
	part(&ab, &parts, "", loc->civic[WM_CA_LOC]);
	part(&ab, &parts, "room ", loc->civic[WM_CA_ROOM]);
	part(&ab, &parts, "unit ", loc->civic[WM_CA_UNIT]);
	part(&ab, &parts, "", loc->civic[WM_CA_A3]);
	const char *a1 = loc->civic[WM_CA_A1];
	if (a1 && us)
		a1 = lookup_word(us_states, a1);
	part(&ab, &parts, "", a1);
	const char *pc = loc->civic[WM_CA_PC];
	if (pc && *pc) {
		tputs(&ab, parts ? (a1 && *a1 ? " " : ", ") : "");
		tputs(&ab, pc);
		parts++;
	}
	if (parts) {
		tputs(&b, " The address on file is ");
		tputs(&b, addr);
		tputs(&b, ".");
	} else {
		tputs(&b, " No address is on file for this location.");
	}
	return b.len;
}

/* ---------------- request parsing ---------------------------------------- */

typedef struct {
	char dialed[DIALED_MAX + 1];
	char caller[CALLER_MAX + 1];
	char call_id[CALL_ID_MAX + 1];
	bool text;
} query_t;

static bool dialed_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > DIALED_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '*' || v[i] == '#' ||
		      (v[i] == '+' && i == 0)))
			return false;
	return true;
}

static void parse_query(const char *raw, query_t *q, const char *hash)
{
	struct evkeyvalq kv;
	memset(q, 0, sizeof *q);
	if (!raw || !*raw)
		return;
	if (strlen(raw) > QUERY_MAX) {
		lis_log(LIS_LOG_INFO, "dereference %s: query over %d bytes ignored", hash,
		        QUERY_MAX);
		return;
	}
	if (evhttp_parse_query_str(raw, &kv) != 0) {
		evhttp_clear_headers(&kv);
		return;
	}
	const char *v;
	if ((v = evhttp_find_header(&kv, "dialed"))) {
		if (dialed_ok(v))
			snprintf(q->dialed, sizeof q->dialed, "%s", v);
		else
			lis_log(LIS_LOG_INFO,
			        "dereference %s: dialed number not understood, ignored", hash);
	}
	if ((v = evhttp_find_header(&kv, "caller"))) {
		size_t n = strlen(v);
		if (n <= CALLER_MAX &&
		    (strncasecmp(v, "tel:", 4) == 0 || strncasecmp(v, "sip:", 4) == 0 ||
		     strncasecmp(v, "sips:", 5) == 0))
			lis_copy_clean(q->caller, sizeof q->caller, v, n);
		else
			lis_log(LIS_LOG_INFO,
			        "dereference %s: caller is not a tel:/sip: URI, ignored", hash);
	}
	if ((v = evhttp_find_header(&kv, "call_id"))) {
		size_t n = strlen(v);
		if (n <= CALL_ID_MAX)
			lis_copy_clean(q->call_id, sizeof q->call_id, v, n);
	}
	if ((v = evhttp_find_header(&kv, "format")) && strcmp(v, "text") == 0)
		q->text = true;
	evhttp_clear_headers(&kv);
}

static void token_hash(const char *tok, size_t len, char out[13])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (EVP_Digest(tok, len, md, &mdlen, lis_sha256(), NULL) != 1 || mdlen < 6) {
		snprintf(out, 13, "????????????");
		return;
	}
	for (int i = 0; i < 6; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[12] = '\0';
}

/* "Bearer <credential>" -> the credential (trimmed), or NULL. */
static const char *bearer_of(const char *auth, size_t *len)
{
	if (!auth)
		return NULL;
	while (*auth == ' ' || *auth == '\t')
		auth++;
	if (strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\t'))
		return NULL;
	auth += 6;
	while (*auth == ' ' || *auth == '\t')
		auth++;
	size_t n = strlen(auth);
	while (n && (auth[n - 1] == ' ' || auth[n - 1] == '\t'))
		n--;
	if (!n)
		return NULL;
	*len = n;
	return auth;
}

/* Constant-time: compares SHA-256 digests, so neither content nor length
 * of the secret leaks through timing. */
static bool secret_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t da[32], db[32];
	unsigned la = 0, lb = 0;
	if (EVP_Digest(a, alen, da, &la, lis_sha256(), NULL) != 1 ||
	    EVP_Digest(b, blen, db, &lb, lis_sha256(), NULL) != 1)
		return false;
	return CRYPTO_memcmp(da, db, 32) == 0;
}

/* The client certificate of this connection chains to the tenant's CA. */
static bool cert_ok(const lis_tenant_rt_t *t, void *sslp)
{
	SSL *ssl = sslp;
	if (!ssl || !t->store)
		return false;
	X509 *leaf = SSL_get1_peer_certificate(ssl);
	if (!leaf)
		return false;
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl); /* server side: without the leaf */
	X509_STORE_CTX *cx = X509_STORE_CTX_new();
	bool ok = cx && X509_STORE_CTX_init(cx, t->store, leaf, chain) == 1 &&
	          X509_STORE_CTX_set_purpose(cx, X509_PURPOSE_SSL_CLIENT) == 1 &&
	          X509_verify_cert(cx) == 1;
	X509_STORE_CTX_free(cx);
	X509_free(leaf);
	ERR_clear_error();
	return ok;
}

/* ---------------- answers ------------------------------------------------ */

static int finish(lis_deref_out_t *o, int status, const char *ctype, lis_deref_result_t res)
{
	o->status = status;
	o->oc.status = status;
	o->ctype = ctype;
	o->result = res;
	return status;
}

static int not_found(held_buf_t *out, lis_deref_out_t *o, lis_deref_result_t res)
{
	held_buf_reset(out);
	lis_buf_printf(out, "%s", LIS_DEREF_NOT_FOUND_BODY);
	o->oc.tenant[0] = '\0'; /* nothing about the token in logs either */
	o->oc.location[0] = '\0';
	return finish(o, 404, TEXT_CTYPE, res);
}

static int text(held_buf_t *out, lis_deref_out_t *o, int status, const char *msg,
                lis_deref_result_t res)
{
	held_buf_reset(out);
	lis_buf_printf(out, "%s", msg);
	return finish(o, status, TEXT_CTYPE, res);
}

static int held_error(held_buf_t *out, lis_deref_out_t *o, held_code_t code, const char *msg,
                      lis_deref_result_t res)
{
	held_buf_reset(out);
	o->oc.code = code;
	if (held_encode_error(out, code, msg, false) != 0)
		return text(out, o, 500, "internal error\n", LIS_DR_OTHER);
	return finish(o, 200, HELD_CTYPE, res);
}

static bool in_list(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* Emits emergency_call / test_call when the dialled number is the tenant's. */
static void call_event(const lis_tenant_rt_t *trt, lis_events_t *ev, const lis_deref_req_t *r,
                       const query_t *q, const char *tenant, const wm_location_t *loc,
                       wm_method_t method, lis_deref_out_t *o)
{
	static char *const def_em[] = {"911"}, *const def_test[] = {"933"};
	char *const *em = def_em, *const *te = def_test;
	size_t nem = 1, nte = 1;
	if (!q->dialed[0] || r->method == LIS_HTTP_HEAD)
		return;
	if (trt) {
		em = trt->cfg->emergency;
		nem = trt->cfg->n_emergency;
		te = trt->cfg->test;
		nte = trt->cfg->n_test;
	}
	lis_event_type_t type;
	if (in_list(em, nem, q->dialed)) {
		type = LIS_EV_EMERGENCY_CALL;
	} else if (in_list(te, nte, q->dialed)) {
		type = LIS_EV_TEST_CALL;
	} else {
		lis_log(LIS_LOG_INFO,
		        "dereference %s: dialed=%s is neither an emergency nor a test number of "
		        "tenant %s: no event",
		        o->token_hash, q->dialed, tenant);
		return;
	}
	lis_event_t e = {
	    .type = type,
	    .tenant = tenant,
	    .loc = loc,
	    .method = method,
	    .device = o->oc.ids,
	    .source = r->source,
	    .dialed = q->dialed,
	    .caller = q->caller[0] ? q->caller : NULL,
	    .call_id = q->call_id[0] ? q->call_id : NULL,
	    .ts = r->now ? r->now : time(NULL),
	};
	o->event = (int)type;
	int rc = ev ? lis_events_emit(ev, &e) : 0;
	if (rc)
		lis_log(LIS_LOG_ERROR, "%s event for tenant %s not recorded: %s",
		        lis_event_type_name(type), tenant, lis_strerror(rc));
}

static void ids_add(lis_deref_out_t *o, const char *k, const char *v)
{
	size_t n = strlen(o->oc.ids);
	if (v && *v && n + strlen(k) + strlen(v) + 3 < sizeof o->oc.ids)
		snprintf(o->oc.ids + n, sizeof o->oc.ids - n, " %s=%s", k, v);
}

int lis_deref_handle(const lis_handler_t *h, const wm_index_t *ix, lis_events_t *ev,
                     const lis_deref_req_t *r, held_buf_t *out, lis_deref_out_t *o)
{
	uint64_t t0 = lis_now_usec();
	const struct lis_refs *refs = h->refs;
	time_t now = r->now ? r->now : time(NULL);
	held_request_t req;
	lis_token_claims_t cl;
	query_t q;
	char msg[512];
	int status;

	memset(o, 0, sizeof *o);
	o->event = -1;
	held_buf_reset(out);
	token_hash(r->token, r->token_len, o->token_hash);
	snprintf(o->oc.ids, sizeof o->oc.ids, "token=%s", o->token_hash);

	/* 1. What the request is, independent of the token. */
	if (r->method == LIS_HTTP_OTHER) {
		o->allow = "GET, POST";
		status =
		    text(out, o, 405, "dereference with GET or POST (RFC 6753)\n", LIS_DR_OTHER);
		goto out;
	}
	if (r->method == LIS_HTTP_POST) {
		if (!lis_held_media_type_ok(r->content_type)) {
			status = text(out, o, 415,
			              "send HELD requests as application/held+xml (or "
			              "application/xml, text/xml)\n",
			              LIS_DR_OTHER);
			goto out;
		}
		if (r->body_len > h->limits.max_bytes) {
			status =
			    text(out, o, 413, "request body over limits.max_body\n", LIS_DR_OTHER);
			goto out;
		}
	}
	parse_query(r->method == LIS_HTTP_POST || r->method == LIS_HTTP_GET ||
	                    r->method == LIS_HTTP_HEAD
	                ? r->query
	                : NULL,
	            &q, o->token_hash);
	ids_add(o, "dialed", q.dialed);
	ids_add(o, "caller", q.caller);
	ids_add(o, "call_id", q.call_id);

	/* 2. A bearer secret is judged against every tenant before the token is
	 * opened (all compared, no early exit): a wrong one is refused the same
	 * way whatever the token is. */
	size_t blen = 0;
	const char *bearer = refs && refs->any_bearer ? bearer_of(r->authorization, &blen) : NULL;
	if (bearer) {
		bool any = false;
		for (size_t i = 0; i < refs->n_tenants; i++)
			if (refs->tenants[i].secret)
				any |=
				    secret_eq((const uint8_t *)bearer, blen,
				              refs->tenants[i].secret, refs->tenants[i].secret_len);
		if (!any) {
			status = text(out, o, 403, LIS_DEREF_FORBIDDEN_BODY, LIS_DR_REFUSED);
			goto out;
		}
	}

	/* 3. The token: one answer for every way it can be wrong. */
	if (!refs || !refs->has_key || r->token_len == 0 || r->token_len > LIS_TOKEN_TEXT_MAX ||
	    lis_token_open(&refs->key, r->token, r->token_len, &cl) != 0 ||
	    (int64_t)now >= cl.expires) {
		status = not_found(out, o, LIS_DR_NOT_FOUND);
		goto out;
	}

	/* 4. The tenant's access-control model (RFC 5808 §4.1). */
	const lis_tenant_rt_t *trt = lis_refs_tenant(refs, cl.tenant);
	if (trt && trt->cfg->deref_auth == LIS_DEREF_BEARER) {
		if (!bearer ||
		    !secret_eq((const uint8_t *)bearer, blen, trt->secret, trt->secret_len)) {
			status = not_found(out, o, LIS_DR_REFUSED);
			goto out;
		}
	} else if (trt && trt->cfg->deref_auth == LIS_DEREF_MTLS) {
		if (!cert_ok(trt, r->ssl)) {
			status = not_found(out, o, LIS_DR_REFUSED);
			goto out;
		}
	}
	lis_copy_clean(o->oc.tenant, sizeof o->oc.tenant, cl.tenant, strlen(cl.tenant));
	o->oc.method = (wm_method_t)cl.method;

	/* 5. The location's current record (a corrected address shows). */
	if (!ix) {
		status =
		    held_error(out, o, HELD_GENERAL_LIS_ERROR,
		               "the wiremap is not loaded yet; try again shortly", LIS_DR_OTHER);
		goto out;
	}
	const wm_tenant_t *t = wm_index_tenant(ix, cl.tenant, strlen(cl.tenant));
	const wm_location_t *loc =
	    t ? wm_index_location(ix, t, cl.location, strlen(cl.location)) : NULL;
	/* A nomadic answer's token carries the address and names the entry
	 * (SPEC §4.2 step 6): a correction this node holds, else the address
	 * as it was given (deref_nomadic.c). */
	static __thread held_civic_t ncivic;
	wm_location_t nloc;
	if (t && cl.method == WM_M_NOMADIC)
		loc = lis_deref_nomadic_loc(h, &cl, t, now, &ncivic, &nloc);
	if (!loc) {
		lis_copy_clean(o->oc.location, sizeof o->oc.location, cl.location,
		               strlen(cl.location));
		call_event(trt, ev, r, &q, cl.tenant, NULL, (wm_method_t)cl.method, o);
		if (q.text && r->method != LIS_HTTP_POST) {
			char sentence[256];
			size_t n = lis_readback_text(NULL, NULL, sentence, sizeof sentence);
			held_buf_reset(out);
			lis_buf_printf(out, "%.*s\n", (int)n, sentence);
			o->oc.code = HELD_LOCATION_UNKNOWN;
			status = finish(o, 200, TEXT_CTYPE, LIS_DR_GONE);
			goto out;
		}
		status = held_error(out, o, HELD_LOCATION_UNKNOWN,
		                    "the location this URI referred to is no longer provisioned",
		                    LIS_DR_GONE);
		goto out;
	}
	lis_copy_clean(o->oc.location, sizeof o->oc.location, loc->id, strlen(loc->id));

	/* 6. What to send. */
	bool have_civic = false;
	for (int k = 0; k < WM_CA_COUNT; k++)
		have_civic |= loc->civic[k] != NULL;
	memset(&req, 0, sizeof req);
	req.type_any = true;
	if (r->method == LIS_HTTP_POST) {
		held_code_t code = held_decode_request(r->body ? r->body : "", r->body_len,
		                                       &h->limits, &req, msg, sizeof msg);
		if (code != HELD_OK) {
			status = held_error(out, o, code, msg[0] ? msg : held_code_name(code),
			                    LIS_DR_OTHER);
			goto out;
		}
	}
	held_selection_t sel;
	held_code_t code = held_select(&req, have_civic, loc->geo.set, false, &sel);
	if (code == HELD_CANNOT_PROVIDE_LI_TYPE) {
		bool uri = false;
		for (size_t i = 0; i < req.n_types; i++)
			uri |= req.types[i] == HELD_LT_URI;
		snprintf(msg, sizeof msg, "%s",
		         uri ? "a dereference returns location values and never a new location "
		               "URI (RFC 6753 §3)"
		             : "the location has no location information of the exact types "
		               "requested");
		status = held_error(out, o, code, msg, LIS_DR_OTHER);
		goto out;
	}
	if (code != HELD_OK) {
		status = held_error(out, o, HELD_LOCATION_UNKNOWN,
		                    "the location has neither a civic address nor a position",
		                    LIS_DR_OTHER);
		goto out;
	}

	/* 7. Call signalling: the event is durable before the answer leaves. */
	call_event(trt, ev, r, &q, cl.tenant, loc, (wm_method_t)cl.method, o);

	if (q.text && r->method != LIS_HTTP_POST) {
		char sentence[1024];
		size_t n = lis_readback_text(loc, q.caller[0] ? q.caller : NULL, sentence,
		                             sizeof sentence);
		held_buf_reset(out);
		lis_buf_printf(out, "%.*s\n", (int)n, sentence);
		o->oc.code = HELD_OK;
		status = finish(o, 200, TEXT_CTYPE, LIS_DR_OK);
		goto out;
	}
	char entity[320], device[46];
	lis_presence_entity(h, entity, sizeof entity);
	lis_uuid_urn(device);
	held_response_spec_t spec = {
	    .loc = loc,
	    .method = (wm_method_t)cl.method,
	    .sel = sel,
	    .now = now,
	    .retention_s = h->retention_s,
	    .entity = entity,
	    .device_id = device,
	};
	bool pidf = r->method != LIS_HTTP_POST && lis_accept_prefers_pidf(r->accept);
	held_buf_reset(out);
	if ((pidf ? pidf_encode(out, &spec) : held_encode_response(out, &spec)) != 0) {
		status = text(out, o, 500, "out of memory\n", LIS_DR_OTHER);
		goto out;
	}
	o->oc.code = HELD_OK;
	status = finish(o, 200, pidf ? PIDF_CTYPE : HELD_CTYPE, LIS_DR_OK);
out:
	o->oc.usec = lis_now_usec() - t0;
	return status;
}
