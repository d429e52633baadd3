/*
 * Civic address element names (RFC 5139 in schema order, then RFC 6848) and
 * xs:token normalisation of their values.
 */
#include <string.h>

#include "wiremap/wiremap_internal.h"

static const char *const ca_names[WM_CA_COUNT] = {
    [WM_CA_COUNTRY] = "country", [WM_CA_A1] = "A1",       [WM_CA_A2] = "A2",
    [WM_CA_A3] = "A3",           [WM_CA_A4] = "A4",       [WM_CA_A5] = "A5",
    [WM_CA_A6] = "A6",           [WM_CA_PRM] = "PRM",     [WM_CA_PRD] = "PRD",
    [WM_CA_RD] = "RD",           [WM_CA_STS] = "STS",     [WM_CA_POD] = "POD",
    [WM_CA_POM] = "POM",         [WM_CA_RDSEC] = "RDSEC", [WM_CA_RDBR] = "RDBR",
    [WM_CA_RDSUBBR] = "RDSUBBR", [WM_CA_HNO] = "HNO",     [WM_CA_HNS] = "HNS",
    [WM_CA_LMK] = "LMK",         [WM_CA_LOC] = "LOC",     [WM_CA_FLR] = "FLR",
    [WM_CA_NAM] = "NAM",         [WM_CA_PC] = "PC",       [WM_CA_BLD] = "BLD",
    [WM_CA_UNIT] = "UNIT",       [WM_CA_ROOM] = "ROOM",   [WM_CA_SEAT] = "SEAT",
    [WM_CA_PLC] = "PLC",         [WM_CA_PCN] = "PCN",     [WM_CA_POBOX] = "POBOX",
    [WM_CA_ADDCODE] = "ADDCODE", [WM_CA_PN] = "PN",       [WM_CA_MP] = "MP",
    [WM_CA_STP] = "STP",         [WM_CA_HNP] = "HNP",
};

const char *wm_ca_key_name(wm_ca_key_t k)
{
	if ((unsigned)k >= WM_CA_COUNT)
		return "?";
	return ca_names[k];
}

int wm_ca_key_lookup(const char *name, size_t len)
{
	if (!name)
		return -1;
	for (int k = 0; k < WM_CA_COUNT; k++)
		if (strlen(ca_names[k]) == len && memcmp(ca_names[k], name, len) == 0)
			return k;
	return -1;
}

bool wm_ca_key_is_ext(wm_ca_key_t k)
{
	return k >= WM_CA_PN && k < WM_CA_COUNT;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *wm_token_dup(wm_arena_t *a, const char *s, size_t len)
{
	char *out = wm_arena_alloc(a, len + 1);
	size_t o = 0;
	bool pending_space = false;

	for (size_t i = 0; i < len; i++) {
		if (is_ws(s[i])) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space)
			out[o++] = ' ';
		pending_space = false;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}
