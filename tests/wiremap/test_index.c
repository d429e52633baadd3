/* The in-memory index: what it holds, its tenants, and that it is a snapshot. */
#include "tests/wiremap/store_fixture.h"

Test(index, counts_and_tenants)
{
	fx_t f;
	wm_index_t *ix;
	wm_index_stats_t s;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	wm_index_stats(ix, &s);
	cr_expect_eq(s.tenants, 2);
	cr_expect_eq(s.locations, 10);
	cr_expect_eq(s.lldp_port, 2);
	cr_expect_eq(s.lldp_chassis, 1);
	cr_expect_eq(s.bssid, 2);
	cr_expect_eq(s.bssid_wild, 2);
	cr_expect_eq(s.subnet, 4);
	cr_expect_eq(s.gateway, 2);
	cr_expect_eq(s.did, 2);
	cr_expect_gt(s.bytes, 0);
	cr_expect_eq(wm_index_generation(ix), 1);

	const wm_tenant_t *a = wm_index_tenant(ix, "tenant-a", 8);
	cr_assert_not_null(a);
	cr_expect_str_eq(wm_tenant_id(a), "tenant-a");
	cr_expect_str_eq(wm_tenant_name(a), "Tenant A");
	cr_expect(wm_tenant_did_fallback(a));
	cr_expect_null(wm_index_tenant(ix, "tenant-", 7), "ids match exactly, not by prefix");
	cr_expect_null(wm_index_tenant(ix, "tenant-c", 8));
	cr_expect_null(wm_index_sole_tenant(ix), "two tenants: no sole tenant");

	wm_ip_t in, out;
	cr_assert_eq(wm_ip_parse("203.0.113.9", 11, &in), 0);
	cr_assert_eq(wm_ip_parse("10.0.0.1", 8, &out), 0);
	cr_expect(wm_tenant_trusts(a, &in));
	cr_expect_not(wm_tenant_trusts(a, &out));
	const wm_tenant_t *b = wm_index_tenant(ix, "tenant-b", 8);
	cr_expect(wm_tenant_trusts(b, &out), "no trusted_networks: every source is trusted");
	cr_expect_not(wm_tenant_did_fallback(b));
	wm_index_free(ix);
	fx_fini(&f);
}

Test(index, empty_database_and_sole_tenant)
{
	fx_t f;
	wm_index_t *ix;
	wm_index_stats_t s;
	fx_init(&f);
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	wm_index_stats(ix, &s);
	cr_expect_eq(s.tenants, 0);
	cr_expect_null(wm_index_sole_tenant(ix));
	cr_expect_eq(wm_index_generation(ix), 0);
	wm_index_free(ix);

	fx_import_ok(&f, "format: 1\ntenants:\n  - id: only\n    name: Only\n    buildings: []\n");
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	const wm_tenant_t *t = wm_index_sole_tenant(ix);
	cr_assert_not_null(t);
	cr_expect_str_eq(wm_tenant_id(t), "only");
	wm_index_free(ix);
	fx_fini(&f);
}

/* An index keeps answering from the data it was built from (lisd swaps
 * indexes after a reload); a new build sees the new generation. */
Test(index, is_a_snapshot_of_one_generation)
{
	fx_t f;
	wm_index_t *old, *cur;
	wm_query_t q;
	wm_match_t m;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_assert_eq(wm_index_build(f.st, &old), 0);
	wm_import_opts_t o = {.replace = true};
	cr_assert_eq(
	    fx_import(&f, "r.yaml",
	              "format: 1\ntenants:\n  - id: tenant-a\n    name: A2\n    buildings:\n"
	              "      - id: x\n        locations:\n          - id: new-loc\n"
	              "            network:\n              - gateway_mac: "
	              "00-00-5e-00-01-01\n",
	              &o, NULL),
	    0, "%s", fx_diags(&f));
	cr_assert_eq(wm_index_build(f.st, &cur), 0);
	cr_expect_eq(wm_index_generation(old), 1);
	cr_expect_eq(wm_index_generation(cur), 2);

	memset(&q, 0, sizeof q);
	cr_assert_eq(wm_mac_parse("00-00-5e-00-01-01", 17, &q.gw[0]), 0);
	q.n_gw = 1;
	cr_assert_eq(wm_lookup(old, wm_index_tenant(old, "tenant-a", 8), &q, &m, NULL, NULL), 1);
	cr_expect_str_eq(m.loc->id, "gw-loc");
	cr_assert_eq(wm_lookup(cur, wm_index_tenant(cur, "tenant-a", 8), &q, &m, NULL, NULL), 1);
	cr_expect_str_eq(m.loc->id, "new-loc");

	/* a tenant handle of another index is refused, never mixed up */
	cr_expect_eq(wm_lookup(cur, wm_index_tenant(old, "tenant-a", 8), &q, &m, NULL, NULL), 0);
	wm_index_free(old);
	wm_index_free(cur);
	fx_fini(&f);
}

/* Many generated elements of every kind: each one is found again. */
Test(index, every_generated_element_is_found)
{
	enum { N = 3000 };
	fx_t f;
	wm_index_t *ix;
	fx_init(&f);
	size_t cap = (size_t)N * 400 + 4096, o = 0;
	char *y = malloc(cap);
	o +=
	    (size_t)snprintf(y + o, cap - o,
	                     "format: 1\ntenants:\n  - id: t\n    name: T\n    did_fallback: true\n"
	                     "    buildings:\n      - id: b\n        locations:\n");
	for (int i = 0; i < N; i++)
		o += (size_t)snprintf(y + o, cap - o,
		                      "          - id: l%d\n            network:\n"
		                      "              - lldp: {chassis: sw%d, port: \"ge-0/0/%d\"}\n"
		                      "              - bssid: \"02-00-00-%02x-%02x-10\"\n"
		                      "              - subnet: 10.%d.%d.0/24\n"
		                      "              - gateway_mac: \"04-00-00-%02x-%02x-01\"\n",
		                      i, i % 50, i, i >> 8, i & 255, i >> 8, i & 255, i >> 8,
		                      i & 255);
	o += (size_t)snprintf(y + o, cap - o, "    dids:\n");
	for (int i = 0; i < N; i++)
		o += (size_t)snprintf(y + o, cap - o,
		                      "      - {did: \"+1408%07d\", location: l%d}\n", i, i);
	cr_assert_lt(o, cap);
	fx_import_ok(&f, y);
	free(y);
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	const wm_tenant_t *t = wm_index_sole_tenant(ix);
	cr_assert_not_null(t);
	for (int i = 0; i < N; i++) {
		char buf[64], want[16];
		wm_query_t q;
		wm_match_t m;
		snprintf(want, sizeof want, "l%d", i);
		for (int step = 0; step < 5; step++) {
			memset(&q, 0, sizeof q);
			switch (step) {
			case 0:
				snprintf(buf, sizeof buf, "sw%d", i % 50);
				wm_lldp_parse_config(buf, strlen(buf), &q.lldp[0].chassis);
				snprintf(buf, sizeof buf, "ge-0/0/%d", i);
				wm_lldp_parse_config(buf, strlen(buf), &q.lldp[0].port);
				q.lldp[0].has_port = true;
				q.n_lldp = 1;
				break;
			case 1:
				snprintf(buf, sizeof buf, "02-00-00-%02x-%02x-10", i >> 8, i & 255);
				wm_mac_parse(buf, strlen(buf), &q.bssid[0]);
				q.n_bssid = 1;
				break;
			case 2:
				snprintf(buf, sizeof buf, "10.%d.%d.77", i >> 8, i & 255);
				wm_ip_parse(buf, strlen(buf), &q.ip[0]);
				q.n_ip = 1;
				break;
			case 3:
				snprintf(buf, sizeof buf, "04-00-00-%02x-%02x-01", i >> 8, i & 255);
				wm_mac_parse(buf, strlen(buf), &q.gw[0]);
				q.n_gw = 1;
				break;
			case 4:
				snprintf(buf, sizeof buf, "+1408%07d", i);
				wm_did_parse(buf, strlen(buf), &q.did);
				q.has_did = true;
				break;
			}
			cr_assert_eq(wm_lookup(ix, t, &q, &m, NULL, NULL), 1, "element %d step %d",
			             i, step);
			cr_assert_str_eq(m.loc->id, want, "element %d step %d", i, step);
		}
	}
	wm_index_stats_t s;
	wm_index_stats(ix, &s);
	cr_expect_eq(s.lldp_port + s.bssid + s.subnet + s.gateway + s.did, (size_t)5 * N);
	wm_index_free(ix);
	fx_fini(&f);
}
