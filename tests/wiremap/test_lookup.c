/* SPEC §4.2 match precedence and §4.3 trusted networks, over a real index. */
#include "tests/wiremap/store_fixture.h"

static fx_t fx;
static wm_index_t *ix;
static const wm_tenant_t *ta, *tb;

static void setup(void)
{
	fx_init(&fx);
	fx_import_ok(&fx, FX_TWO_TENANTS);
	cr_assert_eq(wm_index_build(fx.st, &ix), 0);
	ta = wm_index_tenant(ix, "tenant-a", 8);
	tb = wm_index_tenant(ix, "tenant-b", 8);
	cr_assert(ta && tb);
}

static void teardown(void)
{
	wm_index_free(ix);
	fx_fini(&fx);
}

TestSuite(lookup, .init = setup, .fini = teardown);

static void q_lldp(wm_query_t *q, const char *chassis, const char *port)
{
	size_t i = q->n_lldp++;
	cr_assert_eq(wm_lldp_parse_config(chassis, strlen(chassis), &q->lldp[i].chassis), 0);
	if (port) {
		cr_assert_eq(wm_lldp_parse_config(port, strlen(port), &q->lldp[i].port), 0);
		q->lldp[i].has_port = true;
	}
}

static void q_bssid(wm_query_t *q, const char *b)
{
	cr_assert_eq(wm_mac_parse(b, strlen(b), &q->bssid[q->n_bssid++]), 0);
}

static void q_ip(wm_query_t *q, const char *a)
{
	cr_assert_eq(wm_ip_parse(a, strlen(a), &q->ip[q->n_ip++]), 0);
}

static void q_gw(wm_query_t *q, const char *m)
{
	cr_assert_eq(wm_mac_parse(m, strlen(m), &q->gw[q->n_gw++]), 0);
}

static void q_did(wm_query_t *q, const char *d)
{
	cr_assert_eq(wm_did_parse(d, strlen(d), &q->did), 0);
	q->has_did = true;
}

/* Returns the location id matched (static) or NULL; checks the method. */
static const char *look(const wm_tenant_t *t, const wm_query_t *q, wm_method_t want, wm_match_t *m)
{
	wm_match_t local;
	if (!m)
		m = &local;
	int rc = wm_lookup(ix, t, q, m, NULL, NULL);
	cr_assert(rc == 0 || rc == 1);
	if (!rc) {
		cr_expect_eq(m->method, WM_M_NONE);
		return NULL;
	}
	cr_expect_eq(m->method, want, "method %s, expected %s", wm_method_name(m->method),
	             wm_method_name(want));
	return m->loc->id;
}

/* A request carrying every identifier; each step is removed in turn. */
/* The matched element as wiremap lookup prints it. */
static const char *element_of(const wm_query_t *q, const wm_match_t *m)
{
	static char buf[200];
	wm_match_element(q, m, buf, sizeof buf);
	return buf;
}

static wm_query_t full_query(void)
{
	wm_query_t q;
	memset(&q, 0, sizeof q);
	q_lldp(&q, "001b.213c.4d00", "Gi1/0/7");
	q_bssid(&q, "00:11:22:33:44:55");
	q_ip(&q, "10.20.30.9");
	q_gw(&q, "00-00-5E-00-01-01");
	q_did(&q, "tel:+1-408-555-1234");
	return q;
}

Test(lookup, precedence_first_hit_wins_step_by_step)
{
	wm_query_t q = full_query();
	wm_match_t m;
	cr_expect_str_eq(look(ta, &q, WM_M_LLDP_PORT, &m), "port-loc");
	cr_expect_str_eq(element_of(&q, &m), "chassis 00-1b-21-3c-4d-00 port Gi1/0/7");

	/* the switch reports another port: BSSID beats the chassis alone */
	cr_assert_eq(wm_lldp_parse_config("Gi1/0/8", 7, &q.lldp[0].port), 0);
	cr_expect_str_eq(look(ta, &q, WM_M_BSSID, &m), "bssid-loc");
	cr_expect_str_eq(element_of(&q, &m), "00-11-22-33-44-55");

	q.n_bssid = 0;
	cr_expect_str_eq(look(ta, &q, WM_M_LLDP_CHASSIS, &m), "chassis-loc");
	cr_expect_str_eq(element_of(&q, &m), "chassis 00-1b-21-3c-4d-00");

	q.n_lldp = 0;
	cr_expect_str_eq(look(ta, &q, WM_M_SUBNET, &m), "net24");
	cr_expect_str_eq(element_of(&q, &m), "10.20.30.0/24");

	q.n_ip = 0;
	cr_expect_str_eq(look(ta, &q, WM_M_GATEWAY, &m), "gw-loc");
	cr_expect_str_eq(element_of(&q, &m), "00-00-5e-00-01-01");

	q.n_gw = 0;
	cr_expect_str_eq(look(ta, &q, WM_M_DID, &m), "did-loc");
	cr_expect_str_eq(element_of(&q, &m), "+14085551234");

	q.has_did = false;
	cr_expect_null(look(ta, &q, WM_M_NONE, &m));
}

Test(lookup, bssid_wildcards_and_serving_ap_first)
{
	wm_query_t q;
	wm_match_t m;
	memset(&q, 0, sizeof q);
	q_bssid(&q, "00-11-22-33-44-6a");
	cr_expect_str_eq(look(ta, &q, WM_M_BSSID_WILD, &m), "wild1-loc");
	cr_expect_str_eq(element_of(&q, &m), "00-11-22-33-44-6*");

	memset(&q, 0, sizeof q);
	q_bssid(&q, "00-11-22-33-45-c3");
	cr_expect_str_eq(look(ta, &q, WM_M_BSSID_WILD, &m), "wild2-loc");
	cr_expect_str_eq(element_of(&q, &m), "00-11-22-33-45-**");

	/* the serving AP (first) decides even when a neighbour matches exactly */
	memset(&q, 0, sizeof q);
	q_bssid(&q, "00-11-22-33-44-6f");
	q_bssid(&q, "00-11-22-33-44-55");
	cr_expect_str_eq(look(ta, &q, WM_M_BSSID_WILD, NULL), "wild1-loc");

	/* an unknown serving AP: the next reported BSSID is tried */
	memset(&q, 0, sizeof q);
	q_bssid(&q, "02-00-00-00-00-01");
	q_bssid(&q, "00-11-22-33-44-55");
	cr_expect_str_eq(look(ta, &q, WM_M_BSSID, NULL), "bssid-loc");

	/* a wildcard covers only its own digits */
	memset(&q, 0, sizeof q);
	q_bssid(&q, "00-11-22-33-44-7a");
	cr_expect_null(look(ta, &q, WM_M_NONE, NULL));
}

Test(lookup, subnet_longest_prefix_v4_and_v6)
{
	wm_query_t q;
	wm_match_t m;
	memset(&q, 0, sizeof q);
	q_ip(&q, "10.20.99.1");
	cr_expect_str_eq(look(ta, &q, WM_M_SUBNET, &m), "net16");
	cr_expect_str_eq(element_of(&q, &m), "10.20.0.0/16");

	memset(&q, 0, sizeof q);
	q_ip(&q, "2001:db8:20:31::42");
	cr_expect_str_eq(look(ta, &q, WM_M_SUBNET, &m), "net24");
	cr_expect_str_eq(element_of(&q, &m), "2001:db8:20:31::/64");

	/* several device IPs: the first that matches */
	memset(&q, 0, sizeof q);
	q_ip(&q, "192.168.1.1");
	q_ip(&q, "10.20.30.1");
	cr_expect_str_eq(look(ta, &q, WM_M_SUBNET, NULL), "net24");
}

Test(lookup, trusted_networks_gate_the_subnet_step)
{
	wm_query_t q;
	memset(&q, 0, sizeof q);
	q_ip(&q, "10.20.30.9");
	q.has_source = true;

	/* a home network's 10.20.30.0/24 behind an untrusted public address */
	cr_assert_eq(wm_ip_parse("198.51.100.7", 12, &q.source), 0);
	cr_expect_null(look(ta, &q, WM_M_NONE, NULL));

	cr_assert_eq(wm_ip_parse("203.0.113.77", 12, &q.source), 0);
	cr_expect_str_eq(look(ta, &q, WM_M_SUBNET, NULL), "net24");

	/* tenant-b lists no trusted networks: every source counts */
	cr_assert_eq(wm_ip_parse("198.51.100.7", 12, &q.source), 0);
	cr_expect_str_eq(look(tb, &q, WM_M_SUBNET, NULL), "b-loc");

	/* untrusted source: later steps still apply */
	cr_assert_eq(wm_ip_parse("198.51.100.7", 12, &q.source), 0);
	q_gw(&q, "00-00-5e-00-01-01");
	cr_expect_str_eq(look(ta, &q, WM_M_GATEWAY, NULL), "gw-loc");
}

Test(lookup, did_fallback_and_identity)
{
	wm_query_t q;
	memset(&q, 0, sizeof q);
	q_did(&q, "+14085551234");
	cr_expect_str_eq(look(ta, &q, WM_M_DID, NULL), "did-loc");
	/* tenant-b has no did_fallback: a device's DID is not used... */
	cr_expect_null(look(tb, &q, WM_M_NONE, NULL));
	/* ...but a call router asking by identity gets it */
	q.by_identity = true;
	cr_expect_str_eq(look(tb, &q, WM_M_DID, NULL), "b-loc");

	/* by identity, the DID is the only step: the router's own IP is ignored */
	q_ip(&q, "10.20.30.1");
	q_bssid(&q, "00-11-22-33-44-55");
	cr_expect_str_eq(look(ta, &q, WM_M_DID, NULL), "did-loc");
	q_did(&q, "+19995550000");
	cr_expect_null(look(ta, &q, WM_M_NONE, NULL));
}

Test(lookup, tenants_never_see_each_other)
{
	wm_query_t q = full_query();
	cr_expect_str_eq(look(tb, &q, WM_M_LLDP_PORT, NULL), "b-loc");
	cr_expect_eq(wm_lookup(ix, tb, &q, &(wm_match_t){0}, NULL, NULL), 1);

	memset(&q, 0, sizeof q);
	q_bssid(&q, "00-11-22-33-44-6a");      /* tenant-a's wildcard */
	q_lldp(&q, "00-1b-21-3c-4d-00", NULL); /* tenant-a's chassis */
	q_ip(&q, "10.20.99.1");                /* tenant-a's /16 */
	q_did(&q, "+14085559999");
	cr_expect_null(look(tb, &q, WM_M_NONE, NULL));

	wm_match_t m;
	memset(&q, 0, sizeof q);
	q_gw(&q, "00-00-5e-00-01-01");
	cr_expect_str_eq(look(tb, &q, WM_M_GATEWAY, &m), "b-loc");
	cr_expect_str_eq(wm_tenant_id(m.loc->tenant), "tenant-b");
}

Test(lookup, merged_location_seen_by_the_encoder)
{
	wm_query_t q = full_query();
	wm_match_t m;
	cr_assert_str_eq(look(ta, &q, WM_M_LLDP_PORT, &m), "port-loc");
	const wm_location_t *l = m.loc;
	cr_expect_str_eq(l->name, "Port location");
	cr_expect_str_eq(l->building_id, "hq");
	cr_expect_str_eq(l->building_name, "HQ");
	cr_expect_str_eq(l->civic[WM_CA_COUNTRY], "US");
	cr_expect_str_eq(l->civic[WM_CA_A3], "Milpitas", "location keys override the building's");
	cr_expect_str_eq(l->civic[WM_CA_FLR], "1");
	cr_expect_str_eq(l->civic[WM_CA_HNO], "170");
	cr_expect_null(l->civic[WM_CA_ROOM]);
	cr_expect(l->geo.set && l->geo.lat == 37.4 && l->geo.radius == 40,
	          "building geo when the location has none");

	memset(&q, 0, sizeof q);
	q_lldp(&q, "00-1b-21-3c-4d-00", NULL);
	cr_assert_str_eq(look(ta, &q, WM_M_LLDP_CHASSIS, &m), "chassis-loc");
	cr_expect(m.loc->geo.set && m.loc->geo.lat == 37.5 && m.loc->geo.radius == 0);

	memset(&q, 0, sizeof q);
	q_gw(&q, "00-00-5e-00-01-01");
	cr_assert_str_eq(look(ta, &q, WM_M_GATEWAY, &m), "gw-loc");
	cr_expect_str_eq(m.loc->ecbn, "+14085550100");
}

typedef struct {
	char lines[32][200];
	int n;
} trace_t;

static void rec(void *arg, int step, const char *what, const char *key, const char *result)
{
	trace_t *t = arg;
	if (t->n < 32)
		snprintf(t->lines[t->n++], 200, "%d|%s|%s|%s", step, what, key, result);
}

Test(lookup, trace_reports_every_step_tried)
{
	wm_query_t q;
	wm_match_t m;
	trace_t t = {0};
	memset(&q, 0, sizeof q);
	q_bssid(&q, "02-00-00-00-00-01");
	q_gw(&q, "00-00-5e-00-01-01");
	q_ip(&q, "10.1.1.1");
	q.has_source = true;
	cr_assert_eq(wm_ip_parse("198.51.100.7", 12, &q.source), 0);
	cr_assert_eq(wm_lookup(ix, ta, &q, &m, rec, &t), 1);
	const char *want[] = {
	    "1|lldp chassis+port||skipped: no LLDP chassis+port in the request",
	    "2|bssid|02-00-00-00-00-01|miss",
	    "2|bssid wildcard|02-00-00-00-00-0*|miss",
	    "2|bssid wildcard|02-00-00-00-00-**|miss",
	    "3|lldp chassis||skipped: no LLDP chassis in the request",
	    "4|subnet||skipped: source 198.51.100.7 is outside the tenant's trusted_networks",
	    "5|gateway-mac|00-00-5e-00-01-01|hit location gw-loc",
	};
	cr_assert_eq(t.n, 7, "got %d trace lines", t.n);
	for (int i = 0; i < 7; i++)
		cr_expect_str_eq(t.lines[i], want[i]);

	/* nothing found: steps 6 and 7 appear too */
	memset(&q, 0, sizeof q);
	memset(&t, 0, sizeof t);
	q_ip(&q, "192.0.2.1");
	cr_assert_eq(wm_lookup(ix, tb, &q, &m, rec, &t), 0);
	cr_assert_eq(t.n, 7);
	cr_expect_str_eq(t.lines[3], "4|subnet|192.0.2.1|miss");
	cr_expect_str_eq(
	    t.lines[5],
	    "6|nomadic||skipped: answered by lisd from its nomadic.store, not by the wiremap");
	cr_expect_str_eq(t.lines[6], "7|did||skipped: the tenant has no did_fallback");
}
