/* CSV element lists (SPEC §2): header-chosen kind, RFC 4180, row errors with lines. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/wiremap/model_fixture.h"
#include "wiremap/wiremap_internal.h"

MODEL_SUITE(csv);

static int load(const char *name, const char *text, const char *tenant)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return wm_model_load_csv(&model, path, tenant, diag);
}


static const char *el(size_t i)
{
	static char out[600];
	const wm_m_element_t *e = &model.tenants.v[0].elements.v[i];
	wm_key_format((wm_el_kind_t)e->kind, e->key, e->keylen, out, sizeof out);
	return out;
}

Test(csv, lldp_with_and_without_port)
{
	int rc = load("lldp.csv",
	              "location,chassis,port\n"
	              "l1,00-1b-21-3c-4d-00,Gi1/0/7\n"
	              "l1,00-1b-21-3c-4d-00,\n"
	              "l2,sw-core-1,\"Gi1/0/8\"\n",
	              "t");
	if (rc)
		model_dump_diag(diag);
	cr_assert_eq(rc, 0);
	cr_assert_eq(model.tenants.n, 1);
	cr_assert_str_eq(model.tenants.v[0].id, "t");
	cr_assert_not(model.tenants.v[0].has_attrs);
	cr_assert_eq(model.tenants.v[0].elements.n, 3);
	cr_expect_str_eq(el(0), "lldp chassis 00-1b-21-3c-4d-00 port Gi1/0/7");
	cr_expect_str_eq(el(1), "lldp chassis 00-1b-21-3c-4d-00");
	cr_expect_eq(model.tenants.v[0].elements.v[1].kind, WM_EL_LLDP_CHASSIS);
	cr_expect_str_eq(el(2), "lldp chassis sw-core-1 port Gi1/0/8");
	cr_expect_str_eq(model.tenants.v[0].elements.v[2].location, "l2");
	cr_expect_eq(model.tenants.v[0].elements.v[2].src.line, 4);
}

Test(csv, every_kind_by_header)
{
	cr_assert_eq(load("b.csv", "location,bssid\nl1,00-11-22-33-44-6*\n", "t"), 0);
	cr_assert_eq(load("s.csv", "location,subnet\nl1,10.20.30.0/24\n", "t"), 0);
	cr_assert_eq(load("g.csv", "location,gateway_mac\nl1,0000.5e00.0101\n", "t"), 0);
	cr_assert_eq(load("d.csv", "did,location\n+14085551234,l1\n", "t"), 0);
	cr_assert_eq(model.tenants.v[0].elements.n, 3);
	cr_expect_str_eq(el(0), "bssid 00-11-22-33-44-6*");
	cr_expect_str_eq(el(1), "subnet 10.20.30.0/24");
	cr_expect_str_eq(el(2), "gateway_mac 00-00-5e-00-01-01");
	cr_assert_eq(model.tenants.v[0].dids.n, 1);
	cr_expect_str_eq(model.tenants.v[0].dids.v[0].did.d, "+14085551234");
	cr_expect_str_eq(model.tenants.v[0].dids.v[0].location, "l1");
}

Test(csv, header_case_spaces_order_bom_crlf_blank_lines)
{
	cr_assert_eq(load("x.csv",
	                  "\xef\xbb\xbf Location , BSSID \r\n"
	                  "\r\n"
	                  "l1,00:11:22:33:44:55\r\n"
	                  "\r\n"
	                  "l2,  00-11-22-33-44-56  \r\n",
	                  "t"),
	             0);
	cr_assert_eq(model.tenants.v[0].elements.n, 2);
	cr_expect_eq(model.tenants.v[0].elements.v[0].src.line, 3);
	cr_expect_eq(model.tenants.v[0].elements.v[1].src.line, 5);
	cr_assert_eq(load("y.csv", "bssid,location\n00-11-22-33-44-57,l3\n", "t"), 0);
	cr_expect_str_eq(model.tenants.v[0].elements.v[2].location, "l3");
}

Test(csv, rfc4180_quoting)
{
	cr_assert_eq(load("q.csv",
	                  "location,chassis,port\n"
	                  "\"loc,with,commas\",\"sw \"\"core\"\"\",\"Gi1/0/1\"\n"
	                  "\"multi\nline\",sw2,p1\n"
	                  "l3,sw3,p3\n",
	                  "t"),
	             0);
	cr_assert_eq(model.tenants.v[0].elements.n, 3);
	cr_expect_str_eq(model.tenants.v[0].elements.v[0].location, "loc,with,commas");
	cr_expect_str_eq(el(0), "lldp chassis sw \"core\" port Gi1/0/1");
	cr_expect_str_eq(model.tenants.v[0].elements.v[1].location, "multi\nline");
	cr_expect_eq(model.tenants.v[0].elements.v[1].src.line, 3);
	cr_expect_eq(model.tenants.v[0].elements.v[2].src.line, 5, "lines count inside quotes");
}

Test(csv, row_errors_with_lines_all_in_one_run)
{
	cr_assert_eq(load("e.csv",
	                  "location,bssid\n"         /* 1 */
	                  "l1,00-11-22-33-44\n"      /* 2 */
	                  "l1,00-11-22-33-44-55,x\n" /* 3 */
	                  ",00-11-22-33-44-56\n"     /* 4 */
	                  "l1,00-11-22-33-44-57\n"   /* 5 ok */
	                  "l1,00-11-22-33-44-*5\n",  /* 6 */
	                  "t"),
	             LIS_EDATA);
	EXPECT_DIAG("e.csv", 2, "bssid: \"00-11-22-33-44\" is not a BSSID");
	EXPECT_DIAG("e.csv", 3, "3 columns, the header has 2");
	EXPECT_DIAG("e.csv", 4, "location: is empty");
	EXPECT_DIAG("e.csv", 6, "only the last 1 or 2 hex digits may be '*'");
	cr_expect_eq(wm_diag_count(diag), 4);
	cr_expect_eq(model.tenants.v[0].elements.n, 1, "the good row is kept");
}

Test(csv, other_kinds_errors)
{
	cr_assert_eq(load("s.csv", "location,subnet\nl1,10.0.0.1/8\nl1,10.0.0.0\n", "t"),
	             LIS_EDATA);
	EXPECT_DIAG("s.csv", 2,
	            "subnet: \"10.0.0.1/8\" has host bits set: the subnet is 10.0.0.0/8");
	EXPECT_DIAG("s.csv", 3, "subnet: \"10.0.0.0\" has no prefix length");
	cr_assert_eq(load("d.csv", "did,location\n4085551234,l1\n", "t"), LIS_EDATA);
	EXPECT_DIAG("d.csv", 2, "did: \"4085551234\" is not an E.164 number");
	cr_assert_eq(load("g.csv", "location,gateway_mac\nl1,00-00-5e-00-01\n", "t"), LIS_EDATA);
	EXPECT_DIAG("g.csv", 2, "gateway_mac: \"00-00-5e-00-01\" is not a MAC address");
}

Test(csv, unknown_header_names_the_accepted_ones)
{
	cr_assert_eq(load("h.csv", "location,mac\nl1,00-11-22-33-44-55\nl2,x\n", "t"), LIS_EDATA);
	cr_assert_eq(wm_diag_count(diag), 1, "one error for the header, none per row");
	EXPECT_DIAG("h.csv", 1,
	            "location,chassis,port | location,bssid | location,subnet | "
	            "location,gateway_mac | did,location");
	cr_assert_eq(load("h2.csv", "location,bssid,subnet\n", "t"), LIS_EDATA);
	EXPECT_DIAG("h2.csv", 1, "unknown header row");
}

Test(csv, unterminated_quote)
{
	cr_assert_eq(load("u.csv", "location,bssid\nl1,\"00-11-22-33-44-55\n", "t"), LIS_EDATA);
	EXPECT_DIAG("u.csv", 2, "never closed");
}

Test(csv, needs_a_tenant)
{
	cr_assert_eq(load("n.csv", "location,bssid\n", NULL), LIS_EDATA);
	cr_assert(strstr(wm_diag_get(diag, 0), "--tenant"));
}

Test(csv, empty_file)
{
	cr_assert_eq(load("z.csv", "", "t"), LIS_EDATA);
	EXPECT_DIAG("z.csv", 1, "empty");
}

/* Fuzz find (tests/fuzz/crashes/wiremap_csv/crash-dd29ecf5...): a record of
 * only empty quoted fields resolved them as NULL + 0 (UBSan). They are
 * empty strings. */
Test(csv, empty_quoted_fields)
{
	cr_assert_eq(load("q0.csv", "\"\"", "t"), LIS_EDATA); /* a blank record */
	EXPECT_DIAG("q0.csv", 1, "the file is empty");
	cr_assert_eq(load("q1.csv", "location,bssid\n\"\",\"\"\n", "t"), LIS_EDATA);
	EXPECT_DIAG("q1.csv", 2, "location: is empty");
}
