/* wm_import: all or nothing, merge vs replace, dry runs, CSV, diagnostics. */
#include "tests/wiremap/store_fixture.h"

#define ONE_LOC(tenant, bld, loc, element)                                                         \
	"format: 1\ntenants:\n  - id: " tenant "\n    name: N\n    buildings:\n      - id: " bld   \
	"\n        name: B\n        locations:\n          - id: " loc                              \
	"\n            name: L\n            network:\n              - " element "\n"

Test(import, stats_and_generation)
{
	fx_t f;
	wm_import_stats_t s;
	fx_init(&f);
	cr_assert_eq(fx_import(&f, "a.yaml", FX_TWO_TENANTS, NULL, &s), 0, "%s", fx_diags(&f));
	cr_expect_eq(s.tenants, 2);
	cr_expect_eq(s.buildings, 2);
	cr_expect_eq(s.locations, 10);
	cr_expect_eq(s.elements, 13);
	cr_expect_eq(s.dids, 2);
	cr_expect_eq(fx_gen(&f), 1);
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_expect_eq(fx_gen(&f), 2, "every committed import bumps the generation");
	fx_fini(&f);
}

Test(import, invalid_input_lists_every_error_and_writes_nothing)
{
	fx_t f;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	char *before = fx_export(&f, NULL, NULL);
	const char *bad = "format: 1\n"
	                  "tenants:\n"
	                  "  - id: tenant-a\n"
	                  "    name: A\n"
	                  "    buildings:\n"
	                  "      - id: hq\n"
	                  "        locations:\n"
	                  "          - id: new-loc\n"
	                  "            network:\n"
	                  "              - bssid: \"00-11-22-33-44\"\n" /* line 10 */
	                  "              - subnet: 10.1.2.3/24\n"       /* line 11 */
	                  "              - gateway_mac: \"00-00-5e-00-01-02\"\n"
	                  "    dids:\n"
	                  "      - {did: \"+14085550000\", location: nowhere}\n"; /* line 14 */
	int rc = fx_import(&f, "bad.yaml", bad, NULL, NULL);
	cr_expect_eq(rc, LIS_EDATA);
	cr_expect_geq(wm_diag_count(f.diag), 3, "%s", fx_diags(&f));
	cr_expect(fx_diag_has(&f, "bad.yaml:10:"), "%s", fx_diags(&f));
	cr_expect(fx_diag_has(&f, "bad.yaml:11:"), "%s", fx_diags(&f));
	cr_expect(fx_diag_has(&f, "bad.yaml:14:"), "%s", fx_diags(&f));
	cr_expect_eq(fx_gen(&f), 1);
	char *after = fx_export(&f, NULL, NULL);
	cr_expect_str_eq(after, before, "the valid gateway_mac of the same file did not land");
	free(before);
	free(after);
	fx_fini(&f);
}

Test(import, dry_run_validates_and_writes_nothing)
{
	fx_t f;
	wm_import_stats_t s;
	wm_import_opts_t o = {.dry_run = true};
	fx_init(&f);
	cr_expect_eq(fx_import(&f, "a.yaml", FX_TWO_TENANTS, &o, &s), 0, "%s", fx_diags(&f));
	cr_expect_eq(s.locations, 10, "a dry run reports what would be imported");
	cr_expect_eq(fx_gen(&f), 0);
	char *e = fx_export(&f, NULL, NULL);
	cr_expect_str_eq(e, "format: 1\ntenants: []\n");
	free(e);
	/* and still finds conflicts with the stored data */
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_expect_eq(fx_import(&f, "c.yaml",
	                       ONE_LOC("tenant-a", "hq", "other", "bssid: \"00-11-22-33-44-55\""),
	                       &o, NULL),
	             LIS_EDATA);
	cr_expect(fx_diag_has(&f, "c.yaml:"), "%s", fx_diags(&f));
	fx_fini(&f);
}

Test(import, dry_run_without_a_database)
{
	char *dir = ts_mkdtemp();
	char *p = ts_write_file(dir, "a.yaml", FX_TWO_TENANTS);
	const char *files[] = {p};
	wm_diag_t *d = wm_diag_new();
	wm_import_stats_t s;
	wm_import_opts_t o = {.dry_run = true};
	cr_expect_eq(wm_import(NULL, files, 1, &o, d, &s), 0);
	cr_expect_eq(s.tenants, 2);
	o.dry_run = false;
	cr_expect_lt(wm_import(NULL, files, 1, &o, d, &s), 0, "writing needs a store");
	wm_diag_free(d);
	free(p);
	ts_rmtree(dir);
	free(dir);
}

Test(import, merge_adds_and_updates_by_id)
{
	fx_t f;
	wm_index_t *ix;
	wm_match_t m;
	wm_query_t q = {0};
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	/* a new location in the stored building, and port-loc renamed */
	fx_import_ok(&f, "format: 1\ntenants:\n  - id: tenant-a\n    buildings:\n      - id: hq2\n"
	                 "        locations:\n          - id: added\n            network:\n"
	                 "              - gateway_mac: 00-00-5e-00-01-99\n"
	                 "          - id: port-loc\n            name: Renamed\n");
	cr_assert_eq(wm_index_build(f.st, &ix), 0);
	const wm_tenant_t *t = wm_index_tenant(ix, "tenant-a", 8);
	cr_assert_not_null(t);
	cr_expect_str_eq(wm_tenant_name(t), "Tenant A", "attributes kept when the file omits them");
	cr_expect(wm_tenant_did_fallback(t));
	cr_assert_eq(wm_mac_parse("00-00-5e-00-01-99", 17, &q.gw[0]), 0);
	cr_assert_eq(wm_mac_parse("00-00-5e-00-01-01", 17, &q.gw[1]), 0);
	q.n_gw = 1;
	cr_assert_eq(wm_lookup(ix, t, &q, &m, NULL, NULL), 1);
	cr_expect_str_eq(m.loc->id, "added");
	q.gw[0] = q.gw[1];
	cr_assert_eq(wm_lookup(ix, t, &q, &m, NULL, NULL), 1, "stored elements are kept");
	cr_expect_str_eq(m.loc->id, "gw-loc");
	wm_index_stats_t s;
	wm_index_stats(ix, &s);
	cr_expect_eq(s.locations, 11);
	wm_index_free(ix);

	/* port-loc moved to hq2 and renamed; its stored element stays with it */
	char *e = fx_export(&f, "tenant-a", NULL);
	cr_expect(strstr(e, "- id: \"port-loc\"\n                name: \"Renamed\"") ||
	              strstr(e, "name: \"Renamed\""),
	          "%s", e);
	free(e);
	fx_fini(&f);
}

Test(import, merge_conflict_with_stored_data_is_an_error)
{
	fx_t f;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	/* tenant-a's BSSID pointed at another location */
	int rc = fx_import(&f, "c.yaml",
	                   ONE_LOC("tenant-a", "hq", "elsewhere", "bssid: \"00-11-22-33-44-55\""),
	                   NULL, NULL);
	cr_expect_eq(rc, LIS_EDATA);
	cr_expect(fx_diag_has(&f, "c.yaml:"), "%s", fx_diags(&f));
	cr_expect(fx_diag_has(&f, "bssid-loc"), "names the stored location: %s", fx_diags(&f));
	cr_expect_eq(fx_gen(&f), 1);

	/* the same element for the same location again is fine (idempotent) */
	wm_diag_free(f.diag);
	f.diag = wm_diag_new();
	cr_expect_eq(
	    fx_import(&f, "same.yaml",
	              ONE_LOC("tenant-a", "hq", "bssid-loc", "bssid: \"00-11-22-33-44-55\""), NULL,
	              NULL),
	    0, "%s", fx_diags(&f));

	/* the same BSSID in another tenant is no conflict at all */
	cr_expect_eq(fx_import(&f, "c2.yaml",
	                       ONE_LOC("tenant-c", "x", "y", "bssid: \"00-11-22-33-44-55\""), NULL,
	                       NULL),
	             0, "%s", fx_diags(&f));
	fx_fini(&f);
}

Test(import, replace_drops_the_named_tenants_old_data_only)
{
	fx_t f;
	wm_import_opts_t o = {.replace = true};
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	cr_assert_eq(
	    fx_import(&f, "r.yaml",
	              ONE_LOC("tenant-a", "hq", "elsewhere", "bssid: \"00-11-22-33-44-55\""), &o,
	              NULL),
	    0, "reassigning is what --replace is for: %s", fx_diags(&f));
	char *a = fx_export(&f, "tenant-a", NULL);
	cr_expect(strstr(a, "elsewhere") != NULL);
	cr_expect(strstr(a, "port-loc") == NULL, "old locations are gone:\n%s", a);
	cr_expect(strstr(a, "dids") == NULL, "old DIDs are gone:\n%s", a);
	char *b = fx_export(&f, "tenant-b", NULL);
	cr_expect(strstr(b, "b-loc") != NULL, "tenant-b is untouched");
	free(a);
	free(b);
	fx_fini(&f);
}

Test(import, csv_needs_a_tenant_and_merges_into_it)
{
	fx_t f;
	wm_import_stats_t s;
	fx_init(&f);
	fx_import_ok(&f, FX_TWO_TENANTS);
	int rc =
	    fx_import(&f, "bssids.csv", "location,bssid\ngw-loc,02-aa-bb-cc-dd-ee\n", NULL, NULL);
	cr_expect_eq(rc, LIS_EDATA);
	cr_expect(fx_diag_has(&f, "bssids.csv"), "names the file: %s", fx_diags(&f));
	cr_expect(fx_diag_has(&f, "--tenant"), "says how to fix: %s", fx_diags(&f));

	wm_import_opts_t o = {.tenant = "tenant-a"};
	cr_expect_eq(
	    fx_import(&f, "bssids.csv", "location,bssid\ngw-loc,02-aa-bb-cc-dd-ee\n", &o, &s), 0,
	    "%s", fx_diags(&f));
	cr_expect_eq(s.elements, 1);
	char *e = fx_export(&f, "tenant-a", NULL);
	cr_expect(strstr(e, "02-aa-bb-cc-dd-ee") != NULL);
	cr_expect(strstr(e, "port-loc") != NULL, "the stored locations stay");
	free(e);

	/* a CSV row naming a location the tenant does not have */
	wm_diag_free(f.diag);
	f.diag = wm_diag_new();
	cr_expect_eq(fx_import(&f, "x.csv", "location,subnet\nno-such-loc,10.9.0.0/16\n", &o, NULL),
	             LIS_EDATA);
	cr_expect(fx_diag_has(&f, "x.csv:2"), "%s", fx_diags(&f));
	fx_fini(&f);
}

Test(import, several_files_in_one_transaction)
{
	fx_t f;
	fx_init(&f);
	char *a = ts_write_file(f.dir, "a.yaml", FX_TWO_TENANTS);
	char *b = ts_write_file(f.dir, "b.yaml",
	                        ONE_LOC("tenant-c", "hq", "c-loc", "bssid: \"00-11-22-33-44-55\""));
	char *c = ts_write_file(f.dir, "c.yaml", "format: 1\ntenants: [\n");
	const char *files[] = {a, b, c};
	wm_import_stats_t s;
	cr_expect_eq(wm_import(f.st, files, 3, NULL, f.diag, &s), LIS_EDATA,
	             "one bad file: nothing lands");
	cr_expect(fx_diag_has(&f, "c.yaml"), "%s", fx_diags(&f));
	cr_expect_eq(fx_gen(&f), 0);
	cr_expect_eq(wm_import(f.st, files, 2, NULL, f.diag, &s), 0, "%s", fx_diags(&f));
	cr_expect_eq(fx_gen(&f), 1, "two files, one transaction");
	free(a);
	free(b);
	free(c);
	fx_fini(&f);
}
