/*
 * YAML wiremap loading (SPEC §2): the model a file produces, and errors an
 * administrator sees: FILE:LINE: field: message, every one in one run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/wiremap/model_fixture.h"
#include "wiremap/wiremap_internal.h"

MODEL_SUITE(yaml);

static char *write_file(const char *name, const char *text)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int load(const char *name, const char *text)
{
	return wm_model_load_yaml(&model, write_file(name, text), diag);
}


static const char *SPEC_EXAMPLE =
    "format: 1\n"
    "tenants:\n"
    "  - id: 6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a   # HELD Company ID (a GUID)\n"
    "    name: Example Corp\n"
    "    did_fallback: true\n"
    "    trusted_networks: [203.0.113.0/24, \"2001:db8:100::/48\"]\n"
    "    buildings:\n"
    "      - id: sj-hq\n"
    "        name: San Jose HQ\n"
    "        address: {country: US, A1: CA, A3: San Jose, HNO: \"170\", PRD: W,\n"
    "                  RD: Tasman, STS: Dr, PC: \"95134-1706\"}\n"
    "        geo: {lat: 37.41070, lon: -121.95400, radius: 40}\n"
    "        locations:\n"
    "          - id: sj-hq-1e\n"
    "            name: 1st floor, East Wing\n"
    "            address: {FLR: \"1\", LOC: East Wing}\n"
    "            geo: {lat: 37.41075, lon: -121.95390, radius: 15}\n"
    "            ecbn: \"+14085550100\"\n"
    "            network:\n"
    "              - lldp: {chassis: \"00-1b-21-3c-4d-00\", port: \"Gi1/0/7\"}\n"
    "              - lldp: {chassis: \"00-1b-21-3c-4d-00\"}\n"
    "              - bssid: \"00-11-22-33-44-55\"\n"
    "              - bssid: \"00-11-22-33-44-6*\"\n"
    "              - subnet: 10.20.30.0/24\n"
    "              - gateway_mac: \"00-00-5e-00-01-01\"\n"
    "    dids:\n"
    "      - {did: \"+14085551234\", location: sj-hq-1e}\n";

Test(yaml, spec_example_fills_the_model)
{
	int rc = load("site.yaml", SPEC_EXAMPLE);
	if (rc)
		model_dump_diag(diag);
	cr_assert_eq(rc, 0);
	cr_assert_eq(wm_diag_count(diag), 0);
	cr_assert_eq(model.tenants.n, 1);
	wm_m_tenant_t *t = &model.tenants.v[0];
	cr_assert_str_eq(t->id, "6f1c2a7e-0b4d-4c55-9a0e-3d2b1c0f9e8a");
	cr_assert_str_eq(t->name, "Example Corp");
	cr_assert(t->has_attrs);
	cr_assert(t->did_fallback);
	cr_assert_eq(t->trusted.n, 2);
	cr_assert_eq(t->trusted.v[1].family, 6);
	cr_assert_eq(t->trusted.v[1].plen, 48);

	cr_assert_eq(t->buildings.n, 1);
	wm_m_building_t *b = &t->buildings.v[0];
	cr_assert_str_eq(b->id, "sj-hq");
	cr_assert_str_eq(b->civic[WM_CA_COUNTRY], "US");
	cr_assert_str_eq(b->civic[WM_CA_A3], "San Jose");
	cr_assert_str_eq(b->civic[WM_CA_PC], "95134-1706");
	cr_assert_null(b->civic[WM_CA_FLR]);
	cr_assert(b->geo.set);
	cr_assert_float_eq(b->geo.radius, 40.0, 1e-9);
	cr_assert_eq(b->src.line, 8);

	cr_assert_eq(t->locations.n, 1);
	wm_m_location_t *l = &t->locations.v[0];
	cr_assert_str_eq(l->id, "sj-hq-1e");
	cr_assert_str_eq(l->building, "sj-hq");
	cr_assert_str_eq(l->name, "1st floor, East Wing");
	cr_assert_str_eq(l->civic[WM_CA_FLR], "1");
	cr_assert_str_eq(l->civic[WM_CA_LOC], "East Wing");
	cr_assert_null(l->civic[WM_CA_COUNTRY], "location civic holds only its own keys");
	cr_assert_str_eq(l->ecbn, "+14085550100");
	cr_assert_float_eq(l->geo.lat, 37.41075, 1e-9);
	cr_assert_float_eq(l->geo.lon, -121.95390, 1e-9);

	cr_assert_eq(t->elements.n, 6);
	static const uint8_t kinds[] = {WM_EL_LLDP_PORT, WM_EL_LLDP_CHASSIS, WM_EL_BSSID,
	                                WM_EL_BSSID,     WM_EL_SUBNET,       WM_EL_GATEWAY};
	static const char *const text[] = {"lldp chassis 00-1b-21-3c-4d-00 port Gi1/0/7",
	                                   "lldp chassis 00-1b-21-3c-4d-00",
	                                   "bssid 00-11-22-33-44-55",
	                                   "bssid 00-11-22-33-44-6*",
	                                   "subnet 10.20.30.0/24",
	                                   "gateway_mac 00-00-5e-00-01-01"};
	for (size_t i = 0; i < 6; i++) {
		const wm_m_element_t *e = &t->elements.v[i];
		char out[300];
		cr_expect_eq(e->kind, kinds[i]);
		wm_key_format((wm_el_kind_t)e->kind, e->key, e->keylen, out, sizeof out);
		cr_expect_str_eq(out, text[i]);
		cr_expect_str_eq(e->location, "sj-hq-1e");
		cr_expect_eq(e->src.line, 20 + i, "element %zu line", i);
		cr_expect_str_eq(e->src.file, write_file("site.yaml", SPEC_EXAMPLE));
	}
	cr_assert_eq(t->dids.n, 1);
	cr_assert_str_eq(t->dids.v[0].did.d, "+14085551234");
	cr_assert_str_eq(t->dids.v[0].location, "sj-hq-1e");
	cr_assert_eq(t->dids.v[0].src.line, 27);
	cr_assert_eq(wm_model_validate(&model, diag), 0);
}

Test(yaml, every_error_in_one_run_with_lines)
{
	const char *text = "format: 1\n"                                          /* 1 */
	                   "tenants:\n"                                           /* 2 */
	                   "  - id: acme\n"                                       /* 3 */
	                   "    colour: blue\n"                                   /* 4 */
	                   "    buildings:\n"                                     /* 5 */
	                   "      - id: hq\n"                                     /* 6 */
	                   "        address: {country: us, Floor: 2, HNO: 170}\n" /* 7 */
	                   "        geo: {lat: 91, lon: 10}\n"                    /* 8 */
	                   "        locations:\n"                                 /* 9 */
	                   "          - id: l1\n"                                 /* 10 */
	                   "            network:\n"                               /* 11 */
	                   "              - bssid: \"00-11-22-33-44\"\n"          /* 12 */
	                   "              - subnet: 10.20.30.1/24\n"              /* 13 */
	                   "              - gateway_mac: zz-00-5e-00-01-01\n"     /* 14 */
	                   "              - bssid: 00-11-22-33-44-55\n"           /* 15 */
	                   "                subnet: 10.0.0.0/8\n"                 /* 16 */
	                   "              - lldp: {port: Gi1/0/1}\n"              /* 17 */
	                   "            ecbn: 4085550100\n"                       /* 18 */
	                   "            address: {FLR: \"   \"}\n"                /* 19 */
	                   "    dids:\n"                                          /* 20 */
	                   "      - {did: \"+1408555\", location: l1}\n"          /* 21 */
	                   "      - {did: \"555-1234\", location: l1}\n";         /* 22 */
	cr_assert_eq(load("bad.yaml", text), LIS_EDATA);
	EXPECT_DIAG("bad.yaml", 4, "colour: unknown key \"colour\"; allowed here: id, name");
	EXPECT_DIAG("bad.yaml", 7, "address.country: \"us\"");
	EXPECT_DIAG("bad.yaml", 7, "e.g. US");
	EXPECT_DIAG("bad.yaml", 7, "address.Floor: unknown civic address key \"Floor\"");
	EXPECT_DIAG("bad.yaml", 8, "geo.lat: 91 is out of range");
	EXPECT_DIAG("bad.yaml", 12, "bssid: \"00-11-22-33-44\" is not a BSSID");
	EXPECT_DIAG("bad.yaml", 12, "like 00-11-22-33-44-55");
	EXPECT_DIAG("bad.yaml", 13,
	            "subnet: \"10.20.30.1/24\" has host bits set: the subnet is "
	            "10.20.30.0/24");
	EXPECT_DIAG("bad.yaml", 14, "gateway_mac: \"zz-00-5e-00-01-01\" is not a MAC address");
	EXPECT_DIAG("bad.yaml", 15, "network[3]: an item holds exactly one of");
	EXPECT_DIAG("bad.yaml", 17, "lldp: needs a chassis");
	EXPECT_DIAG("bad.yaml", 18, "ecbn: \"4085550100\" is not an E.164 number");
	EXPECT_DIAG("bad.yaml", 19, "address.FLR: is empty");
	EXPECT_DIAG("bad.yaml", 22, "did: \"555-1234\" is not an E.164 number");
	/* HNO: 170 unquoted is fine, +1408555 is a valid (short) E.164 number */
	unsigned prev = 0;
	for (size_t i = 0; i < wm_diag_count(diag); i++) {
		const char *m = wm_diag_get(diag, i) + strlen(tmpdir) + strlen("/bad.yaml:");
		unsigned ln = (unsigned)atoi(m);
		cr_expect_geq(ln, prev, "errors come in line order");
		prev = ln;
	}
	cr_expect_eq(wm_diag_count(diag), 12, "exactly the errors above");
	if (wm_diag_count(diag) != 12)
		model_dump_diag(diag);
}

Test(yaml, unquoted_numbers_are_text)
{
	const char *text = "format: 1\ntenants:\n  - id: t\n    buildings:\n      - id: b\n"
	                   "        address: {country: US, HNO: 170, PC: 95134, FLR: 2.5}\n";
	cr_assert_eq(load("n.yaml", text), 0);
	wm_m_building_t *b = &model.tenants.v[0].buildings.v[0];
	cr_assert_str_eq(b->civic[WM_CA_HNO], "170");
	cr_assert_str_eq(b->civic[WM_CA_PC], "95134");
	cr_assert_str_eq(b->civic[WM_CA_FLR], "2.5");
}

Test(yaml, civic_values_are_tokens)
{
	const char *text = "format: 1\ntenants:\n  - id: t\n    buildings:\n      - id: b\n"
	                   "        address: {A3: \"  San    Jose \", RD: \"Tasman\\tDrive\"}\n";
	cr_assert_eq(load("t.yaml", text), 0);
	wm_m_building_t *b = &model.tenants.v[0].buildings.v[0];
	cr_assert_str_eq(b->civic[WM_CA_A3], "San Jose");
	cr_assert_str_eq(b->civic[WM_CA_RD], "Tasman Drive");
}

Test(yaml, every_mac_notation_in_a_file)
{
	const char *text = "format: 1\ntenants:\n  - id: t\n    buildings:\n      - id: b\n"
	                   "        locations:\n          - id: l\n            network:\n"
	                   "              - gateway_mac: 00-00-5E-00-01-01\n"
	                   "              - gateway_mac: \"00:00:5e:00:01:02\"\n"
	                   "              - gateway_mac: 0000.5e00.0103\n"
	                   "              - gateway_mac: 00005e000104\n"
	                   "              - bssid: \"0011.2233.446*\"\n"
	                   "              - bssid: \"00-11-22-33-45-**\"\n";
	cr_assert_eq(load("m.yaml", text), 0);
	wm_m_tenant_t *t = &model.tenants.v[0];
	cr_assert_eq(t->elements.n, 6);
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(t->elements.v[i].kind, WM_EL_GATEWAY);
		cr_assert_eq(t->elements.v[i].key[5], i + 1);
		cr_assert_eq(t->elements.v[i].key[3], 0x00);
	}
	cr_assert_eq(t->elements.v[4].key[0], 1);
	cr_assert_eq(t->elements.v[5].key[0], 2);
}

Test(yaml, syntax_error_reports_line_and_stops)
{
	const char *text = "format: 1\n"
	                   "tenants:\n"
	                   "  - id: t\n"
	                   "    name: [unclosed\n"
	                   "    did_fallback: maybe\n";
	cr_assert_eq(load("s.yaml", text), LIS_EDATA);
	cr_assert_eq(wm_diag_count(diag), 1, "only the syntax error");
	const char *m = wm_diag_get(diag, 0);
	char prefix[128];
	snprintf(prefix, sizeof prefix, "%s/s.yaml:", tmpdir);
	cr_assert(strncmp(m, prefix, strlen(prefix)) == 0, "%s", m);
	cr_assert(strstr(m, "YAML syntax error"), "%s", m);
	unsigned line = (unsigned)atoi(m + strlen(prefix));
	cr_assert(line >= 4 && line <= 6, "line %u in %s", line, m);
}

Test(yaml, format_is_required_and_checked)
{
	cr_assert_eq(load("f.yaml", "format: 2\ntenants: []\n"), LIS_EDATA);
	EXPECT_DIAG("f.yaml", 1, "format: unsupported format 2; this openlis reads format 1");
	cr_assert_eq(load("g.yaml", "tenants: []\n"), LIS_EDATA);
	EXPECT_DIAG("g.yaml", 1, "format: missing");
	cr_assert_eq(load("e.yaml", ""), LIS_EDATA);
	EXPECT_DIAG("e.yaml", 1, "empty");
}

Test(yaml, wrong_types_keep_going)
{
	const char *text = "format: 1\n"
	                   "tenants:\n"
	                   "  - id: t\n"
	                   "    buildings: {id: b}\n"
	                   "    dids: \"+14085551234\"\n"
	                   "    trusted_networks: 10.0.0.0/8\n"
	                   "    did_fallback: maybe\n";
	cr_assert_eq(load("w.yaml", text), LIS_EDATA);
	EXPECT_DIAG("w.yaml", 4, "buildings: expected a list, found a mapping");
	EXPECT_DIAG("w.yaml", 5, "dids: expected a list, found a value");
	EXPECT_DIAG("w.yaml", 6, "trusted_networks: expected a list");
	EXPECT_DIAG("w.yaml", 7, "did_fallback: \"maybe\" is not a boolean");
}

Test(yaml, tenant_id_must_fit_a_url)
{
	cr_assert_eq(
	    load("u.yaml", "format: 1\ntenants:\n  - id: a/b\n  - id: \"a b\"\n  - name: x\n"),
	    LIS_EDATA);
	EXPECT_DIAG("u.yaml", 3, "id: \"a/b\" cannot be a tenant id");
	EXPECT_DIAG("u.yaml", 4, "id: \"a b\" cannot be a tenant id");
	EXPECT_DIAG("u.yaml", 5, "id: missing");
}

Test(yaml, same_tenant_in_two_files_merges)
{
	const char *a = "format: 1\ntenants:\n  - id: t\n    name: T\n    buildings:\n"
	                "      - id: b1\n        locations:\n          - id: l1\n";
	const char *b = "format: 1\ntenants:\n  - id: t\n    buildings:\n      - id: b2\n"
	                "        locations:\n          - id: l2\n  - id: other\n";
	cr_assert_eq(load("a.yaml", a), 0);
	cr_assert_eq(load("b.yaml", b), 0);
	cr_assert_eq(model.tenants.n, 2);
	wm_m_tenant_t *t = &model.tenants.v[0];
	cr_assert_str_eq(t->id, "t");
	cr_assert_str_eq(t->name, "T", "attributes from the first file stay");
	cr_assert(t->has_attrs);
	cr_assert_eq(t->buildings.n, 2);
	cr_assert_eq(t->locations.n, 2);
	cr_assert_not(model.tenants.v[1].has_attrs);
}

Test(yaml, duplicate_ids_across_files_are_reported_with_both_lines)
{
	const char *a = "format: 1\ntenants:\n  - id: t\n    buildings:\n"
	                "      - id: b1\n        locations:\n          - id: l1\n";
	cr_assert_eq(load("a.yaml", a), 0);
	cr_assert_eq(load("b.yaml", a), 0);
	cr_assert_eq(wm_model_validate(&model, diag), LIS_EDATA);
	char first[160];
	snprintf(first, sizeof first, "first at %s/a.yaml:7", tmpdir);
	EXPECT_DIAG("b.yaml", 7, "location \"l1\" is defined twice");
	EXPECT_DIAG("b.yaml", 7, first);
	snprintf(first, sizeof first, "first at %s/a.yaml:5", tmpdir);
	EXPECT_DIAG("b.yaml", 5, first);
}

Test(yaml, unreadable_file_is_errno)
{
	char path[128];
	snprintf(path, sizeof path, "%s/missing.yaml", tmpdir);
	cr_assert_lt(wm_model_load_yaml(&model, path, diag), 0);
	cr_assert_neq(wm_model_load_yaml(&model, path, diag), LIS_EDATA);
}

Test(yaml, anchors_and_aliases)
{
	const char *text = "format: 1\ntenants:\n  - id: t\n    buildings:\n"
	                   "      - id: b1\n        address: &addr {country: US, A1: CA}\n"
	                   "      - id: b2\n        address: *addr\n";
	cr_assert_eq(load("al.yaml", text), 0);
	cr_assert_str_eq(model.tenants.v[0].buildings.v[1].civic[WM_CA_A1], "CA");
}

Test(yaml, million_elements_load_quickly, .timeout = 120)
{
	/* not a timing assertion (bench/ has those): proves the loader scales */
	char path[128];
	snprintf(path, sizeof path, "%s/big.yaml", tmpdir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("format: 1\ntenants:\n  - id: t\n    buildings:\n      - id: b\n        locations:\n",
	      f);
	size_t n = 0;
	for (unsigned l = 0; l < 1000; l++) {
		fprintf(f, "          - id: loc%u\n            network:\n", l);
		for (unsigned e = 0; e < 1000; e++, n++)
			fprintf(f, "              - bssid: \"02-00-%02x-%02x-%02x-%02x\"\n", l >> 8,
			        l & 255, e >> 8, e & 255);
	}
	fclose(f);
	cr_assert_eq(wm_model_load_yaml(&model, path, diag), 0);
	cr_assert_eq(model.tenants.v[0].elements.n, n);
	cr_assert_eq(wm_model_validate(&model, diag), 0);
}
