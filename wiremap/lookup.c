/*
 * SPEC §4.2 match precedence over the in-memory index. The hot path (trace
 * NULL) does not allocate and formats text only for the hit it returns.
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

typedef struct {
	wm_trace_fn fn;
	void *arg;
} tr_t;

static void trace_result(const tr_t *tr, const wm_index_t *ix, int step, const char *what,
                         const char *key, int hit, uint32_t loc)
{
	char res[300];
	if (!tr->fn)
		return;
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

static int hit(const wm_index_t *ix, uint32_t loc, wm_method_t m, const char *element,
               wm_match_t *out)
{
	out->method = m;
	out->loc = &ix->locs[loc];
	size_t n = strlen(element);
	if (n >= sizeof out->element) {
		/* very long LLDP text: keep the start, mark the cut */
		n = sizeof out->element - 4;
		memcpy(out->element + n, "...", 4);
	} else {
		out->element[n] = '\0';
	}
	memcpy(out->element, element, n);
	return 1;
}

static int step_did(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q,
                    wm_match_t *out, const tr_t *tr)
{
	uint32_t loc;
	if (!q->has_did) {
		trace_skip(tr, 7, "did", "no DID in the request");
		return 0;
	}
	int h = wm_ix_var_get(ix, t->idx, WM_IX_DID, (const uint8_t *)q->did.d, q->did.len, &loc);
	trace_result(tr, ix, 7, "did", q->did.d, h, loc);
	return h ? hit(ix, loc, WM_M_DID, q->did.d, out) : 0;
}

int wm_lookup(const wm_index_t *ix, const wm_tenant_t *t, const wm_query_t *q, wm_match_t *out,
              wm_trace_fn trace, void *trace_arg)
{
	const tr_t tr = {trace, trace_arg};
	char key[2 * 3 * WM_LLDP_MAX + 32];
	uint8_t kb[WM_KEY_MAX];
	uint32_t loc = WM_IX_NONE;
	int h;

	memset(out, 0, sizeof(*out));
	if (!ix || !t || !q || t->idx >= ix->ntenants || &ix->tenants[t->idx] != t)
		return 0; /* a tenant of another index would break isolation */

	if (q->by_identity)
		return step_did(ix, t, q, out, &tr);

	/* 1: LLDP chassis + port */
	bool any = false;
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		if (!q->lldp[i].has_port)
			continue;
		any = true;
		size_t n = wm_key_lldp_port(&q->lldp[i].chassis, &q->lldp[i].port, kb);
		h = wm_ix_var_get(ix, t->idx, WM_EL_LLDP_PORT, kb, n, &loc);
		if (trace || h)
			fmt_lldp(key, sizeof key, &q->lldp[i].chassis, &q->lldp[i].port);
		trace_result(&tr, ix, 1, "lldp chassis+port", key, h, loc);
		if (h)
			return hit(ix, loc, WM_M_LLDP_PORT, key, out);
	}
	if (!any)
		trace_skip(&tr, 1, "lldp chassis+port", "no LLDP chassis+port in the request");

	/* 2: BSSID exact, then the longest wildcard, per reported BSSID in order */
	for (size_t i = 0; i < q->n_bssid && i < WM_QUERY_MAX_BSSID; i++) {
		static const struct {
			unsigned tag;
			uint8_t wild;
		} tries[] = {{WM_IX_BSSID, 0}, {WM_IX_BSSID_W1, 1}, {WM_IX_BSSID_W2, 2}};
		for (size_t j = 0; j < 3; j++) {
			wm_bssid_t b = {q->bssid[i], tries[j].wild};
			if (b.wild == 1)
				b.mac.o[5] &= 0xf0;
			else if (b.wild == 2)
				b.mac.o[5] = 0;
			h = wm_ix_mac_get(ix, t->idx, tries[j].tag, &b.mac, &loc);
			if (trace || h)
				wm_bssid_format(&b, key);
			trace_result(&tr, ix, 2, b.wild ? "bssid wildcard" : "bssid", key, h, loc);
			if (h)
				return hit(ix, loc, b.wild ? WM_M_BSSID_WILD : WM_M_BSSID, key,
				           out);
		}
	}
	if (q->n_bssid == 0)
		trace_skip(&tr, 2, "bssid", "no BSSID in the request");

	/* 3: LLDP chassis alone */
	for (size_t i = 0; i < q->n_lldp && i < WM_QUERY_MAX_LLDP; i++) {
		size_t n = wm_key_lldp_chassis(&q->lldp[i].chassis, kb);
		h = wm_ix_var_get(ix, t->idx, WM_EL_LLDP_CHASSIS, kb, n, &loc);
		if (trace || h)
			fmt_lldp(key, sizeof key, &q->lldp[i].chassis, NULL);
		trace_result(&tr, ix, 3, "lldp chassis", key, h, loc);
		if (h)
			return hit(ix, loc, WM_M_LLDP_CHASSIS, key, out);
	}
	if (q->n_lldp == 0)
		trace_skip(&tr, 3, "lldp chassis", "no LLDP chassis in the request");

	/* 4: subnet, longest prefix, only for trusted sources (SPEC §4.3) */
	if (q->n_ip == 0) {
		trace_skip(&tr, 4, "subnet", "no device IP in the request");
	} else if (q->has_source && !wm_tenant_trusts(t, &q->source)) {
		if (trace) {
			char ip[46], why[120];
			wm_ip_format(&q->source, ip);
			snprintf(why, sizeof why,
			         "source %s is outside the tenant's trusted_networks", ip);
			trace_skip(&tr, 4, "subnet", why);
		}
	} else {
		for (size_t i = 0; i < q->n_ip && i < WM_QUERY_MAX_IP; i++) {
			uint8_t plen = 0;
			h = wm_lpm_lookup(ix->lpm, t->idx, &q->ip[i], &loc, &plen);
			if (trace)
				wm_ip_format(&q->ip[i], key);
			trace_result(&tr, ix, 4, "subnet", key, h, loc);
			if (h) {
				wm_cidr_t c;
				memset(&c, 0, sizeof c);
				c.family = q->ip[i].family;
				c.plen = plen;
				for (unsigned bit = 0; bit < plen; bit++)
					c.a[bit / 8] |= q->ip[i].a[bit / 8] & (0x80 >> (bit % 8));
				wm_cidr_format(&c, key);
				return hit(ix, loc, WM_M_SUBNET, key, out);
			}
		}
	}

	/* 5: gateway MAC */
	for (size_t i = 0; i < q->n_gw && i < WM_QUERY_MAX_GW; i++) {
		h = wm_ix_mac_get(ix, t->idx, WM_IX_GATEWAY, &q->gw[i], &loc);
		if (trace || h)
			wm_mac_format(&q->gw[i], key);
		trace_result(&tr, ix, 5, "gateway-mac", key, h, loc);
		if (h)
			return hit(ix, loc, WM_M_GATEWAY, key, out);
	}
	if (q->n_gw == 0)
		trace_skip(&tr, 5, "gateway-mac", "no gateway MAC in the request");

	/* 6: nomadic (HELD+ provided address) */
	trace_skip(&tr, 6, "nomadic", "not available");

	/* 7: DID fallback */
	if (!t->did_fallback) {
		trace_skip(&tr, 7, "did", "the tenant has no did_fallback");
		return 0;
	}
	return step_did(ix, t, q, out, &tr);
}
