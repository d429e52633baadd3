/* wm_export: YAML that re-imports to the same data, stable text. */
#include "tests/wiremap/store_fixture.h"

/* Values an administrator really writes and YAML makes awkward. */
#define AWKWARD                                                                                    \
	"format: 1\n"                                                                              \
	"tenants:\n"                                                                               \
	"  - id: \"tenant:1\"\n"                                                                   \
	"    name: \"Quote \\\" and back\\\\slash, # not a comment\"\n"                            \
	"    did_fallback: false\n"                                                                \
	"    trusted_networks: [203.0.113.0/24, \"2001:db8:100::/48\"]\n"                          \
	"    buildings:\n"                                                                         \
	"      - id: \"- dash\"\n"                                                                 \
	"        name: \"yes\"\n"                                                                  \
	"        address: {country: DE, A3: \"Köln\", RD: \"Straße: des 17. Juni\", "            \
	"HNO: \"007\", PN: \"x\"}\n"                                                               \
	"        geo: {lat: -33.8688197, lon: 151.2092955, radius: 12.5}\n"                        \
	"        locations:\n"                                                                     \
	"          - id: \"null\"\n"                                                               \
	"            name: \"{braces} [brackets] & *star\"\n"                                      \
	"            address: {ROOM: \"1e5\"}\n"                                                   \
	"            network:\n"                                                                   \
	"              - lldp: {chassis: \"192.0.2.1\", port: \"ge-0/0/1 uplink 'A'\"}\n"          \
	"              - lldp: {chassis: \"AABB.CCDD.EEFF\"}\n"                                    \
	"              - subnet: \"2001:DB8:0:0::/64\"\n"                                          \
	"              - bssid: \"AA:BB:CC:DD:EE:**\"\n"                                           \
	"          - id: empty\n"                                                                  \
	"      - id: no-locations\n"                                                               \
	"    dids:\n"                                                                              \
	"      - {did: \"tel:+49-221-555-0100\", location: \"null\"}\n"

static char *roundtrip(const char *yaml, char **second)
{
	fx_t a, b;
	fx_init(&a);
	fx_import_ok(&a, yaml);
	char *e1 = fx_export(&a, NULL, NULL);
	fx_init(&b);
	fx_import_ok(&b, e1);
	*second = fx_export(&b, NULL, NULL);
	fx_fini(&a);
	fx_fini(&b);
	return e1;
}

Test(export, reimports_to_identical_text)
{
	char *e2;
	char *e1 = roundtrip(FX_TWO_TENANTS, &e2);
	cr_expect_str_eq(e2, e1);
	free(e1);
	free(e2);
}

Test(export, awkward_values_survive)
{
	char *e2;
	char *e1 = roundtrip(AWKWARD, &e2);
	cr_expect_str_eq(e2, e1);
	/* canonical notation for what an admin may write several ways */
	cr_expect(strstr(e1, "\"aa-bb-cc-dd-ee-ff\""), "%s", e1);
	cr_expect(strstr(e1, "\"aa-bb-cc-dd-ee-**\""), "%s", e1);
	cr_expect(strstr(e1, "\"2001:db8::/64\""), "%s", e1);
	cr_expect(strstr(e1, "{did: \"+492215550100\""), "%s", e1);
	cr_expect(strstr(e1, "lat: -33.8688197, lon: 151.2092955, radius: 12.5"), "%s", e1);
	cr_expect(strstr(e1, "did_fallback: false"), "%s", e1);
	cr_expect(strstr(e1, "chassis: \"192.0.2.1\", port: \"ge-0/0/1 uplink 'A'\""), "%s", e1);

	/* and the data itself is the same: the lookup finds the same location */
	fx_t f;
	wm_index_t *ix;
	wm_query_t q = {0};
	wm_match_t m;
	fx_init(&f);
	fx_import_ok(&f, e1);
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	const wm_tenant_t *t = wm_index_sole_tenant(ix);
	cr_assert_not_null(t);
	cr_expect_str_eq(wm_tenant_name(t), "Quote \" and back\\slash, # not a comment");
	cr_assert_eq(wm_lldp_parse_config("ge-0/0/1 uplink 'A'", 19, &q.lldp[0].port), 0);
	cr_assert_eq(wm_lldp_parse_config("192.0.2.1", 9, &q.lldp[0].chassis), 0);
	q.lldp[0].has_port = true;
	q.n_lldp = 1;
	cr_assert_eq(wm_lookup(ix, t, &q, &m, NULL, NULL), 1);
	cr_expect_str_eq(m.loc->id, "null");
	cr_expect_str_eq(m.loc->name, "{braces} [brackets] & *star");
	cr_expect_str_eq(m.loc->civic[WM_CA_A3], "Köln");
	cr_expect_str_eq(m.loc->civic[WM_CA_RD], "Straße: des 17. Juni");
	cr_expect_str_eq(m.loc->civic[WM_CA_HNO], "007");
	cr_expect_str_eq(m.loc->civic[WM_CA_ROOM], "1e5");
	cr_expect(m.loc->geo.lat == -33.8688197 && m.loc->geo.radius == 12.5);
	wm_index_free(ix);
	fx_fini(&f);
	free(e1);
	free(e2);
}

Test(export, one_tenant_or_an_unknown_one)
{
	fx_t f;
	int rc;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	char *all = fx_export(&f, NULL, NULL);
	char *b = fx_export(&f, "tenant-b", NULL);
	cr_expect(strstr(b, "tenant-b") && !strstr(b, "tenant-a"), "%s", b);
	cr_expect(strstr(all, "tenant-a") && strstr(all, "tenant-b"));
	cr_expect_lt(strstr(all, "tenant-a"), strstr(all, "tenant-b"), "tenants in id order");
	char *none = fx_export(&f, "tenant-zz", &rc);
	cr_expect_eq(rc, LIS_ENOTENANT);
	free(none);
	free(all);
	free(b);
	fx_fini(&f);
}

Test(export, order_is_stable_whatever_the_file_order)
{
	fx_t a, b;
	const char *y1 = "format: 1\ntenants:\n  - id: t\n    name: T\n    buildings:\n"
	                 "      - id: b2\n        locations:\n          - id: z\n"
	                 "            network:\n              - subnet: 10.0.2.0/24\n"
	                 "              - gateway_mac: 02-00-00-00-00-09\n"
	                 "              - subnet: 10.0.1.0/24\n"
	                 "      - id: b1\n        locations:\n          - id: a\n";
	const char *y2 = "format: 1\ntenants:\n  - id: t\n    name: T\n    buildings:\n"
	                 "      - id: b1\n        locations:\n          - id: a\n"
	                 "      - id: b2\n        locations:\n          - id: z\n"
	                 "            network:\n              - subnet: 10.0.1.0/24\n"
	                 "              - subnet: 10.0.2.0/24\n"
	                 "              - gateway_mac: 02-00-00-00-00-09\n";
	fx_init(&a);
	fx_init(&b);
	fx_import_ok(&a, y1);
	fx_import_ok(&b, y2);
	char *e1 = fx_export(&a, NULL, NULL), *e2 = fx_export(&b, NULL, NULL);
	cr_expect_str_eq(e1, e2);
	free(e1);
	free(e2);
	fx_fini(&a);
	fx_fini(&b);
}
