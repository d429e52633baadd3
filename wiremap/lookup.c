/*
 * SPEC §4.2 match precedence over the in-memory index.
 *
 * The hot path (trace NULL) neither allocates nor formats text: the matched
 * element is described by wm_match_t and formatted on demand by
 * wm_match_element(). Before probing, every key the request could match is
 * prefetched, so the cache misses of a request that tries every step (a
 * miss) overlap instead of queueing: it costs about one DRAM access, like a
 * hit, instead of one per step.
 */
#include <stdio.h>
#include <string.h>

#include "wiremap/index_internal.h"

const char *wm_method_name(wm_method_t m)
{
	switch (m) {
	case WM_M_LLDP_PORT:
		return "lldp-port";
	case WM_M_BSSID:
		return "bssid";
	case WM_M_BSSID_WILD:
		return "bssid-wildcard";
	case WM_M_LLDP_CHASSIS:
		return "lldp-chassis";
	case WM_M_SUBNET:
		return "subnet";
	case WM_M_GATEWAY:
		return "gateway-mac";
	case WM_M_NOMADIC:
		return "nomadic";
	case WM_M_DID:
		return "did";
	case WM_M_NONE:
	default:
		return "none";
	}
}

static void fmt_lldp(char *out, size_t n, const wm_lldp_id_t *ch, const wm_lldp_id_t *port)
{
	char a[3 * WM_LLDP_MAX + 8], b[3 * WM_LLDP_MAX + 8];
	wm_lldp_format(ch, a, sizeof a);
	if (port) {
		wm_lldp_format(port, b, sizeof b);
		snprintf(out, n, "chassis %s port %s", a, b);
	} else {
		snprintf(out, n, "chassis %s", a);
	}
}

/* wm_match_t.plen of a subnet probe that missed: describe the address. */
#define SUBNET_ADDRESS 0xff

/* A reported BSSID with `wild` trailing hex digits masked, as the index keys it. */
static wm_bssid_t bssid_try(const wm_mac_t *m, uint8_t wild)
{
	wm_bssid_t b = {*m, wild};
	if (wild == 1)
		b.mac.o[5] &= 0xf0;
	else if (wild == 2)
		b.mac.o[5] = 0;
	return b;
}

void wm_match_element(const wm_query_t *q, const wm_match_t *m, char *out, size_t n)
{
	char buf[2 * 3 * WM_LLDP_MAX + 32];
	buf[0] = '\0';
	switch (m->method) {
	case WM_M_LLDP_PORT:
		fmt_lldp(buf, sizeof buf, &q->lldp[m->qi].chassis, &q->lldp[m->qi].port);
		break;
	case WM_M_LLDP_CHASSIS:
		fmt_lldp(buf, sizeof buf, &q->lldp[m->qi].chassis, NULL);
		break;
	case WM_M_BSSID:
	case WM_M_BSSID_WILD: {
		wm_bssid_t b = bssid_try(&q->bssid[m->qi], m->wild);
		wm_bssid_format(&b, buf);
		break;
	}
	case WM_M_SUBNET: {
		if (m->plen == SUBNET_ADDRESS) {
			wm_ip_format(&q->ip[m->qi], buf);
			break;
		}
		wm_cidr_t c;
		memset(&c, 0, sizeof c);
		c.family = q->ip[m->qi].family;
		c.plen = m->plen;
		memcpy(c.a, q->ip[m->qi].a, (size_t)(m->plen + 7) / 8);
		if (m->plen % 8)
			c.a[m->plen / 8] &= (uint8_t)(0xff << (8 - m->plen % 8));
		wm_cidr_format(&c, buf);
		break;
	}
	case WM_M_GATEWAY:
		wm_mac_format(&q->gw[m->qi], buf);
		break;
	case WM_M_DID:
		snprintf(buf, sizeof buf, "%s", q->did.d);
		break;
	default:
		break;
	}
	size_t len = strlen(buf);
	if (n == 0)
		return;
	if (len >= n && n > 4) {
		/* very long LLDP text: keep the start, mark the cut */
		memcpy(out, buf, n - 4);
		memcpy(out + n - 4, "...", 4);
	} else {
		snprintf(out, n, "%s", buf);
	}
}

/* ---------------- trace (wiremap lookup; never on the hot path) -------- */

typedef struct {
	wm_trace_fn fn;
	void *arg;
	const wm_query_t *q;
} tr_t;

static void trace_try(const tr_t *tr, const wm_index_t *ix, int step, const char *what,
                      const wm_match_t *probe, int hit, uint32_t loc)
{
	char key[2 * 3 * WM_LLDP_MAX + 32], res[300];
	if (!tr->fn)
		return;
	wm_match_element(tr->q, probe, key, sizeof key);
	if (hit)
		snprintf(res, sizeof res, "hit location %s", ix->locs[loc].id);
	else
		snprintf(res, sizeof res, "miss");
	tr->fn(tr->arg, step, what, key, res);
}

static void trace_skip(const tr_t *tr, int step, const char *what, const char *why)
{
	char res[200];
	if (!tr->fn)
		return;
	snprintf(res, sizeof res, "skipped: %s", why);
	tr->fn(tr->arg, step, what, "", res);
}

/* ---------------- lookup ----------------------------------------------- */

static bool subnet_allowed(const wm_tenant_t *t, const wm_query_t *q)
{
	return !q->has_source || wm_tenant_trusts(t, &q->source);
}

static void prefetch_all(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q)
{
	uint8_t kb[WM_KEY_MAX];
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		if (q->lldp[i].has_port)
			wm_ix_var_prefetch(
			    ix, t->idx, WM_EL_LLDP_PORT, kb,
			    wm_key_lldp_port(&q->lldp[i].chassis, &q->lldp[i].port, kb));
		wm_ix_var_prefetch(ix, t->idx, WM_EL_LLDP_CHASSIS, kb,
		                   wm_key_lldp_chassis(&q->lldp[i].chassis, kb));
	}
	for (size_t i = 0; i < q->n_bssid && i < WM_QUERY_MAX_BSSID; i++) {
		static const unsigned tags[] = {WM_IX_BSSID, WM_IX_BSSID_W1, WM_IX_BSSID_W2};
		for (uint8_t w = 0; w < 3; w++) {
			wm_bssid_t b = bssid_try(&q->bssid[i], w);
			wm_ix_mac_prefetch(ix, t->idx, tags[w], &b.mac);
		}
	}
	if (subnet_allowed(t, q))
		for (size_t i = 0; i < q->n_ip && i < WM_QUERY_MAX_IP; i++)
			wm_lpm_prefetch(ix->lpm, t->idx, &q->ip[i]);
	for (size_t i = 0; i < q->n_gw && i < WM_QUERY_MAX_GW; i++)
		wm_ix_mac_prefetch(ix, t->idx, WM_IX_GATEWAY, &q->gw[i]);
	if (q->has_did && t->did_fallback)
		wm_ix_var_prefetch(ix, t->idx, WM_IX_DID, (const uint8_t *)q->did.d, q->did.len);
}

static int found(const wm_index_t *ix, uint32_t loc, const wm_match_t *probe, wm_match_t *out)
{
	*out = *probe;
	out->loc = &ix->locs[loc];
	return 1;
}

static int step_did(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q,
                    wm_match_t *out, const tr_t *tr)
{
	uint32_t loc = WM_IX_NONE;
	if (!q->has_did) {
		trace_skip(tr, 7, "did", "no DID in the request");
		return 0;
	}
	wm_match_t probe = {.method = WM_M_DID};
	int h = wm_ix_var_get(ix, t->idx, WM_IX_DID, (const uint8_t *)q->did.d, q->did.len, &loc);
	trace_try(tr, ix, 7, "did", &probe, h, loc);
	return h ? found(ix, loc, &probe, out) : 0;
}

int wm_lookup(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q, wm_match_t *out,
              wm_trace_fn trace, void *trace_arg)
{
	const tr_t tr = {trace, trace_arg, q};
	uint8_t kb[WM_KEY_MAX];
	uint32_t loc = WM_IX_NONE;
	int h;

	memset(out, 0, sizeof(*out));
	if (!ix || !t || !q || t->idx >= ix->ntenants || &ix->tenants[t->idx] != t)
		return 0; /* a tenant of another index would break isolation */

	if (q->by_identity)
		return step_did(ix, t, q, out, &tr);
	if (!trace)
		prefetch_all(ix, t, q);

	/* 1: LLDP chassis + port */
	bool any = false;
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		if (!q->lldp[i].has_port)
			continue;
		any = true;
		wm_match_t probe = {.method = WM_M_LLDP_PORT, .qi = (uint8_t)i};
		size_t n = wm_key_lldp_port(&q->lldp[i].chassis, &q->lldp[i].port, kb);
		h = wm_ix_var_get(ix, t->idx, WM_EL_LLDP_PORT, kb, n, &loc);
		trace_try(&tr, ix, 1, "lldp chassis+port", &probe, h, loc);
		if (h)
			return found(ix, loc, &probe, out);
	}
	if (!any)
		trace_skip(&tr, 1, "lldp chassis+port", "no LLDP chassis+port in the request");

	/* 2: BSSID exact, then the longest wildcard, per reported BSSID in order */
	for (size_t i = 0; i < q->n_bssid && i < WM_QUERY_MAX_BSSID; i++) {
		static const unsigned tags[] = {WM_IX_BSSID, WM_IX_BSSID_W1, WM_IX_BSSID_W2};
		for (uint8_t w = 0; w < 3; w++) {
			wm_bssid_t b = bssid_try(&q->bssid[i], w);
			wm_match_t probe = {.method = w ? WM_M_BSSID_WILD : WM_M_BSSID,
			                    .qi = (uint8_t)i,
			                    .wild = w};
			h = wm_ix_mac_get(ix, t->idx, tags[w], &b.mac, &loc);
			trace_try(&tr, ix, 2, w ? "bssid wildcard" : "bssid", &probe, h, loc);
			if (h)
				return found(ix, loc, &probe, out);
		}
	}
	if (q->n_bssid == 0)
		trace_skip(&tr, 2, "bssid", "no BSSID in the request");

	/* 3: LLDP chassis alone */
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		wm_match_t probe = {.method = WM_M_LLDP_CHASSIS, .qi = (uint8_t)i};
		size_t n = wm_key_lldp_chassis(&q->lldp[i].chassis, kb);
		h = wm_ix_var_get(ix, t->idx, WM_EL_LLDP_CHASSIS, kb, n, &loc);
		trace_try(&tr, ix, 3, "lldp chassis", &probe, h, loc);
		if (h)
			return found(ix, loc, &probe, out);
	}
	if (q->n_lldp == 0)
		trace_skip(&tr, 3, "lldp chassis", "no LLDP chassis in the request");

	/* 4: subnet, longest prefix, only for trusted sources (SPEC §4.3) */
	if (q->n_ip == 0) {
		trace_skip(&tr, 4, "subnet", "no device IP in the request");
	} else if (!subnet_allowed(t, q)) {
		if (trace) {
			char ip[46], why[120];
			wm_ip_format(&q->source, ip);
			snprintf(why, sizeof why,
			         "source %s is outside the tenant's trusted_networks", ip);
			trace_skip(&tr, 4, "subnet", why);
		}
	} else {
		for (size_t i = 0; i < q->n_ip && i < WM_QUERY_MAX_IP; i++) {
			wm_match_t probe = {.method = WM_M_SUBNET, .qi = (uint8_t)i};
			h = wm_lpm_lookup(ix->lpm, t->idx, &q->ip[i], &loc, &probe.plen);
			if (!h) /* trace the address itself */
				probe.plen = SUBNET_ADDRESS;
			trace_try(&tr, ix, 4, "subnet", &probe, h, loc);
			if (h)
				return found(ix, loc, &probe, out);
		}
	}

	/* 5: gateway MAC */
	for (size_t i = 0; i < q->n_gw && i < WM_QUERY_MAX_GW; i++) {
		wm_match_t probe = {.method = WM_M_GATEWAY, .qi = (uint8_t)i};
		h = wm_ix_mac_get(ix, t->idx, WM_IX_GATEWAY, &q->gw[i], &loc);
		trace_try(&tr, ix, 5, "gateway-mac", &probe, h, loc);
		if (h)
			return found(ix, loc, &probe, out);
	}
	if (q->n_gw == 0)
		trace_skip(&tr, 5, "gateway-mac", "no gateway MAC in the request");

	/* 6: nomadic (HELD+ provided address) */
	trace_skip(&tr, 6, "nomadic",
	           "answered by lisd from its nomadic.store, not by the wiremap");

	/* 7: DID fallback */
	if (!t->did_fallback) {
		trace_skip(&tr, 7, "did", "the tenant has no did_fallback");
		return 0;
	}
	return step_did(ix, t, q, out, &tr);
}
