/*
 * Whole-model checks (wm_model_validate): one location per element and DID,
 * dangling references, BSSID wildcards, database records vs file records.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/wiremap/model_fixture.h"
#include "wiremap/wiremap_internal.h"

MODEL_SUITE(validate);

static char *path_of(const char *name)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void yaml(const char *name, const char *text)
{
	write_file(name, text);
	int rc = wm_model_load_yaml(&model, path_of(name), diag);
	if (rc)
		model_dump_diag(diag);
	cr_assert_eq(rc, 0);
}

static void csv(const char *name, const char *text)
{
	write_file(name, text);
	int rc = wm_model_load_csv(&model, path_of(name), "t", diag);
	if (rc)
		model_dump_diag(diag);
	cr_assert_eq(rc, 0);
}


/* Two locations l1, l2 in tenant t; network lines start at line 8 (l1) / 11 (l2). */
static void two_locations(const char *name, const char *net1, const char *net2)
{
	char text[2048];
	snprintf(text, sizeof text,
	         "format: 1\n"
	         "tenants:\n"
	         "  - id: t\n"
	         "    buildings:\n"
	         "      - id: b\n"
	         "        locations:\n"
	         "          - id: l1\n"
	         "            network:\n"
	         "%s"
	         "          - id: l2\n"
	         "            network:\n"
	         "%s",
	         net1, net2);
	yaml(name, text);
}

Test(validate, clean_model_passes)
{
	two_locations("a.yaml",
	              "              - bssid: 00-11-22-33-44-5*\n"
	              "              - bssid: 00-11-22-33-44-55\n"
	              "              - subnet: 10.0.0.0/8\n",
	              "              - bssid: 00-11-22-33-44-6*\n"
	              "              - subnet: 10.1.0.0/16\n"
	              "              - subnet: 10.1.0.0/24\n");
	cr_assert_eq(wm_model_validate(&model, diag), 0, "nested subnets and disjoint wildcards");
	cr_assert_eq(wm_diag_count(diag), 0);
}

Test(validate, element_on_two_locations)
{
	two_locations("a.yaml",
	              "              - subnet: 10.0.0.0/8\n"              /* 9 */
	              "              - lldp: {chassis: sw1, port: p1}\n"  /* 10 */
	              "              - gateway_mac: 00-00-5e-00-01-01\n", /* 11 */
	              "              - subnet: 10.0.0.0/8\n"              /* 14 */
	              "              - lldp: {chassis: sw1, port: p1}\n"  /* 15 */
	              "              - gateway_mac: 00005e000101\n");     /* 16 */
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	char first[200];
	snprintf(first, sizeof first, "also assigned to location \"l1\" at %s:9",
	         path_of("a.yaml"));
	EXPECT_DIAG("a.yaml", 14, first);
	EXPECT_DIAG("a.yaml", 14, "subnet: 10.0.0.0/8");
	EXPECT_DIAG("a.yaml", 15, "lldp: chassis sw1 port p1 is also assigned to location \"l1\"");
	EXPECT_DIAG("a.yaml", 16, "gateway_mac: 00-00-5e-00-01-01 is also assigned");
	cr_expect_eq(wm_diag_count(diag), 3);
}

Test(validate, same_element_twice_on_one_location_in_files)
{
	two_locations("a.yaml",
	              "              - bssid: 00-11-22-33-44-55\n"
	              "              - bssid: 00:11:22:33:44:55\n",
	              "");
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("a.yaml", 10, "is listed twice for location \"l1\"");
}

Test(validate, dangling_references_from_csv_and_dids)
{
	two_locations("a.yaml", "", "");
	csv("e.csv", "location,bssid\nl1,00-11-22-33-44-55\nnope,00-11-22-33-44-56\n");
	csv("d.csv", "did,location\n+14085551234,ghost\n");
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("e.csv", 3, "location: no location \"nope\" in tenant \"t\"");
	EXPECT_DIAG("e.csv", 3, "define it in YAML or import the YAML first");
	EXPECT_DIAG("d.csv", 2, "location: no location \"ghost\" in tenant \"t\"");
	cr_expect_eq(wm_diag_count(diag), 2);
}

Test(validate, wildcard_covering_another_locations_bssid)
{
	two_locations("a.yaml",
	              "              - bssid: 00-11-22-33-44-**\n"   /* 9 */
	              "              - bssid: 00-11-22-33-44-7*\n",  /* 10: same location: fine */
	              "              - bssid: 00-11-22-33-44-55\n"   /* 13: covered by ** */
	              "              - bssid: 00-11-22-33-44-6*\n"   /* 14: narrower wildcard */
	              "              - bssid: 00-11-22-33-45-55\n"); /* 15: outside */
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("a.yaml", 13, "falls under wildcard 00-11-22-33-44-** of location \"l1\"");
	EXPECT_DIAG("a.yaml", 14, "00-11-22-33-44-6* (location \"l2\") falls under wildcard");
	cr_expect_eq(wm_diag_count(diag), 2);
}

Test(validate, one_digit_wildcard_covers_only_its_nibble)
{
	two_locations("a.yaml", "              - bssid: 00-11-22-33-44-5*\n",
	              "              - bssid: 00-11-22-33-44-60\n"
	              "              - bssid: 00-11-22-33-44-5f\n");
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("a.yaml", 13,
	            "00-11-22-33-44-5f (location \"l2\") falls under wildcard "
	            "00-11-22-33-44-5*");
	cr_expect_eq(wm_diag_count(diag), 1);
}

Test(validate, did_on_two_locations)
{
	two_locations("a.yaml", "", "");
	csv("d.csv", "did,location\n+14085551234,l1\ntel:+1-408-555-1234,l2\n+14085551234,l1\n");
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("d.csv", 3, "+14085551234 is also assigned to location \"l1\"");
	EXPECT_DIAG("d.csv", 4, "+14085551234 is listed twice");
	cr_expect_eq(wm_diag_count(diag), 2);
}

/* Adds a database record (src.file NULL) the way store.c merges them. */
static void db_element(wm_el_kind_t kind, const char *bssid_text, const char *loc)
{
	wm_bssid_t b;
	uint8_t key[WM_KEY_MAX];
	cr_assert_eq(wm_bssid_parse(bssid_text, strlen(bssid_text), &b), 0);
	size_t n = wm_key_bssid(&b, key);
	wm_m_tenant_t *t = wm_model_tenant(&model, "t", (wm_src_t){0});
	wm_model_add_element(&model, t, kind, key, n,
	                     wm_arena_strndup(&model.arena, loc, strlen(loc)), (wm_src_t){NULL, 0});
}

Test(validate, database_records)
{
	two_locations(
	    "a.yaml",
	    "              - bssid: 00-11-22-33-44-55\n"   /* 9: same as DB: idempotent */
	    "              - bssid: 00-11-22-33-44-66\n"   /* 10: DB says l2 */
	    "              - bssid: 00-11-22-33-45-7*\n",  /* 11: covers DB's l2 bssid */
	    "              - bssid: 00-11-22-33-46-01\n"); /* 14: under DB's l1 wildcard */
	db_element(WM_EL_BSSID, "00-11-22-33-44-55", "l1");
	db_element(WM_EL_BSSID, "00-11-22-33-44-66", "l2");
	db_element(WM_EL_BSSID, "00-11-22-33-45-77", "l2");
	db_element(WM_EL_BSSID, "00-11-22-33-46-0*", "l1");
	db_element(WM_EL_BSSID, "00-11-22-33-47-0*", "l1"); /* DB vs DB: not ours to report */
	db_element(WM_EL_BSSID, "00-11-22-33-47-01", "l2");
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG("a.yaml", 10,
	            "00-11-22-33-44-66 is already assigned to location \"l2\" in the "
	            "database (use --replace to reassign)");
	EXPECT_DIAG("a.yaml", 11,
	            "wildcard 00-11-22-33-45-7* covers 00-11-22-33-45-77, already "
	            "assigned to location \"l2\" in the database");
	EXPECT_DIAG("a.yaml", 14,
	            "falls under wildcard 00-11-22-33-46-0*, already assigned to "
	            "location \"l1\" in the database");
	cr_expect_eq(wm_diag_count(diag), 3);
}

Test(validate, location_in_missing_building)
{
	two_locations("a.yaml", "", "");
	wm_m_tenant_t *t = &model.tenants.v[0];
	wm_m_location_t *l = WM_VEC_PUSH(t->locations);
	l->id = "l3";
	l->building = "gone";
	l->src = (wm_src_t){NULL, 0};
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	EXPECT_DIAG(NULL, 0, "location \"l3\" belongs to building \"gone\"");
}

Test(validate, million_elements, .timeout = 120)
{
	/* O(n log n): a million-element import validates in about a second */
	wm_m_tenant_t *t = wm_model_tenant(&model, "t", (wm_src_t){0});
	wm_m_building_t *b = WM_VEC_PUSH(t->buildings);
	b->id = "b";
	for (unsigned l = 0; l < 1000; l++) {
		wm_m_location_t *loc = WM_VEC_PUSH(t->locations);
		char id[16];
		snprintf(id, sizeof id, "loc%u", l);
		loc->id = wm_arena_strndup(&model.arena, id, strlen(id));
		loc->building = "b";
		loc->src = (wm_src_t){"x.yaml", l + 1};
	}
	for (unsigned i = 0; i < 1000000; i++) {
		wm_bssid_t bs = {
		    .mac = {{2, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 1}}};
		uint8_t key[8];
		size_t n = wm_key_bssid(&bs, key);
		wm_model_add_element(&model, t, WM_EL_BSSID, key, n, t->locations.v[i % 1000].id,
		                     (wm_src_t){"x.yaml", i + 2000});
	}
	cr_assert_eq(wm_model_validate(&model, diag), 0);
}
