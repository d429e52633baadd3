/*
 * wiremap export: the stored data as a SPEC §2 YAML file (format: 1) that
 * imports back to the same records. Output order is stable (tenants,
 * buildings, locations by id; elements by kind then key; DIDs by number), so
 * export -> import -> export gives identical text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/store_internal.h"

/* YAML double-quoted scalar; UTF-8 passes through. */
static void q(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void qs(FILE *f, const char *s)
{
	q(f, s, strlen(s));
}

/* Shortest text that reads back as the same double. */
static void num(FILE *f, double d)
{
	char buf[64];
	double a = d < 0 ? -d : d;
	if (a == 0 || (a >= 1e-6 && a < 1e15)) {
		/* plain decimals, as an administrator writes coordinates */
		for (int dec = 0; dec <= 20; dec++) {
			snprintf(buf, sizeof buf, "%.*f", dec, d);
			if (strtod(buf, NULL) == d) {
				fputs(buf, f);
				return;
			}
		}
	}
	snprintf(buf, sizeof buf, "%.17g", d);
	fputs(buf, f);
}

static void civic(FILE *f, const char *const c[WM_CA_COUNT])
{
	bool any = false;
	for (int k = 0; k < WM_CA_COUNT; k++) {
		if (!c[k])
			continue;
		fputs(any ? ", " : "{", f);
		fprintf(f, "%s: ", wm_ca_key_name((wm_ca_key_t)k));
		qs(f, c[k]);
		any = true;
	}
	if (any)
		fputs("}", f);
}

static void geo(FILE *f, const wm_geo_t *g)
{
	fputs("{lat: ", f);
	num(f, g->lat);
	fputs(", lon: ", f);
	num(f, g->lon);
	if (g->radius != 0) {
		fputs(", radius: ", f);
		num(f, g->radius);
	}
	fputs("}", f);
}

static void lldp_id(FILE *f, const wm_lldp_id_t *id)
{
	char buf[3 * WM_LLDP_MAX + 8];
	if (id->cls == WM_LLDP_TEXT) {
		q(f, (const char *)id->v, id->len);
		return;
	}
	wm_lldp_format(id, buf, sizeof buf);
	qs(f, buf);
}

static int element(FILE *f, const wm_m_element_t *e)
{
	wm_lldp_id_t ch, port;
	char buf[64];
	const uint8_t *k = e->key;

	switch (e->kind) {
	case WM_EL_LLDP_PORT:
	case WM_EL_LLDP_CHASSIS: {
		bool has_port = e->kind == WM_EL_LLDP_PORT;
		if (wm_key_lldp_decode(k, e->keylen, &ch, has_port ? &port : NULL))
			return LIS_ECORRUPT;
		fputs("- lldp: {chassis: ", f);
		lldp_id(f, &ch);
		if (has_port) {
			fputs(", port: ", f);
			lldp_id(f, &port);
		}
		fputs("}\n", f);
		return 0;
	}
	case WM_EL_BSSID: {
		wm_bssid_t b;
		if (e->keylen != 7 || k[0] > 2)
			return LIS_ECORRUPT;
		b.wild = k[0];
		memcpy(b.mac.o, k + 1, 6);
		wm_bssid_format(&b, buf);
		fprintf(f, "- bssid: \"%s\"\n", buf);
		return 0;
	}
	case WM_EL_SUBNET: {
		wm_cidr_t c = {0};
		if (e->keylen < 2 || !((k[0] == 4 && e->keylen == 6 && k[1] <= 32) ||
		                       (k[0] == 6 && e->keylen == 18 && k[1] <= 128)))
			return LIS_ECORRUPT;
		c.family = k[0];
		c.plen = k[1];
		memcpy(c.a, k + 2, e->keylen - 2u);
		wm_cidr_format(&c, buf);
		fprintf(f, "- subnet: \"%s\"\n", buf);
		return 0;
	}
	case WM_EL_GATEWAY: {
		wm_mac_t m;
		if (e->keylen != 6)
			return LIS_ECORRUPT;
		memcpy(m.o, k, 6);
		wm_mac_format(&m, buf);
		fprintf(f, "- gateway_mac: \"%s\"\n", buf);
		return 0;
	}
	default:
		return LIS_ECORRUPT;
	}
}

static int cmp_loc_ptr(const void *a, const void *b)
{
	const wm_m_location_t *x = *(const wm_m_location_t *const *)a;
	const wm_m_location_t *y = *(const wm_m_location_t *const *)b;
	int c = strcmp(x->building, y->building);
	return c ? c : strcmp(x->id, y->id);
}

static int cmp_loc_id(const void *key, const void *elem)
{
	return strcmp(key, ((const wm_m_location_t *)elem)->id);
}

static const char *const IND = "        "; /* under "tenants:" + "  - " */

static int print_tenant(FILE *f, const wm_m_tenant_t *t)
{
	size_t nl = t->locations.n, ne = t->elements.n;
	const wm_m_location_t **byb = malloc((nl + 1) * sizeof(*byb));
	size_t *first = calloc(nl + 1, sizeof(size_t)); /* elements per location, CSR */
	size_t *order = malloc((ne + 1) * sizeof(size_t));
	size_t *locof = malloc((ne + 1) * sizeof(size_t));
	int err = 0;

	if (!byb || !first || !order || !locof) {
		err = -ENOMEM;
		goto out;
	}
	/* locations are in id order (LMDB key order): find each element's */
	for (size_t i = 0; i < ne; i++) {
		const wm_m_location_t *l =
		    bsearch(t->elements.v[i].location, t->locations.v, nl, sizeof(*l), cmp_loc_id);
		if (!l) {
			err = LIS_ECORRUPT;
			goto out;
		}
		locof[i] = (size_t)(l - t->locations.v);
		first[locof[i] + 1]++;
	}
	for (size_t i = 0; i < nl; i++)
		first[i + 1] += first[i];
	{
		size_t *fill = calloc(nl + 1, sizeof(size_t));
		if (!fill) {
			err = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < ne; i++)
			order[first[locof[i]] + fill[locof[i]]++] = i;
		free(fill);
	}
	for (size_t i = 0; i < nl; i++)
		byb[i] = &t->locations.v[i];
	qsort(byb, nl, sizeof(*byb), cmp_loc_ptr);

	fputs("  - id: ", f);
	qs(f, t->id);
	fputs("\n", f);
	if (t->name) {
		fputs("    name: ", f);
		qs(f, t->name);
		fputs("\n", f);
	}
	fprintf(f, "    did_fallback: %s\n", t->did_fallback ? "true" : "false");
	if (t->trusted.n) {
		fputs("    trusted_networks: [", f);
		for (size_t i = 0; i < t->trusted.n; i++) {
			char c[50];
			wm_cidr_format(&t->trusted.v[i], c);
			fprintf(f, "%s\"%s\"", i ? ", " : "", c);
		}
		fputs("]\n", f);
	}
	fputs(t->buildings.n ? "    buildings:\n" : "    buildings: []\n", f);
	size_t li = 0;
	for (size_t b = 0; b < t->buildings.n; b++) {
		const wm_m_building_t *bd = &t->buildings.v[b];
		fputs("      - id: ", f);
		qs(f, bd->id);
		fputs("\n", f);
		if (bd->name) {
			fprintf(f, "%sname: ", IND);
			qs(f, bd->name);
			fputs("\n", f);
		}
		bool any = false;
		for (int k = 0; k < WM_CA_COUNT; k++)
			any = any || bd->civic[k];
		if (any) {
			fprintf(f, "%saddress: ", IND);
			civic(f, bd->civic);
			fputs("\n", f);
		}
		if (bd->geo.set) {
			fprintf(f, "%sgeo: ", IND);
			geo(f, &bd->geo);
			fputs("\n", f);
		}
		/* byb is sorted by building id, the same order as t->buildings */
		while (li < nl && strcmp(byb[li]->building, bd->id) < 0)
			li++; /* locations of a missing building: not exported */
		size_t end = li;
		while (end < nl && strcmp(byb[end]->building, bd->id) == 0)
			end++;
		fprintf(f, "%slocations:%s\n", IND, li == end ? " []" : "");
		for (; li < end; li++) {
			const wm_m_location_t *l = byb[li];
			size_t lx = (size_t)(l - t->locations.v);
			fprintf(f, "%s  - id: ", IND);
			qs(f, l->id);
			fputs("\n", f);
			if (l->name) {
				fprintf(f, "%s    name: ", IND);
				qs(f, l->name);
				fputs("\n", f);
			}
			any = false;
			for (int k = 0; k < WM_CA_COUNT; k++)
				any = any || l->civic[k];
			if (any) {
				fprintf(f, "%s    address: ", IND);
				civic(f, l->civic);
				fputs("\n", f);
			}
			if (l->geo.set) {
				fprintf(f, "%s    geo: ", IND);
				geo(f, &l->geo);
				fputs("\n", f);
			}
			if (l->ecbn) {
				fprintf(f, "%s    ecbn: ", IND);
				qs(f, l->ecbn);
				fputs("\n", f);
			}
			if (first[lx] == first[lx + 1])
				continue;
			fprintf(f, "%s    network:\n", IND);
			for (size_t j = first[lx]; j < first[lx + 1]; j++) {
				fprintf(f, "%s      ", IND);
				if ((err = element(f, &t->elements.v[order[j]])))
					goto out;
			}
		}
	}
	if (t->dids.n) {
		fputs("    dids:\n", f);
		for (size_t i = 0; i < t->dids.n; i++) {
			fprintf(f, "      - {did: \"%s\", location: ", t->dids.v[i].did.d);
			qs(f, t->dids.v[i].location);
			fputs("}\n", f);
		}
	}
out:
	free(byb);
	free(first);
	free(order);
	free(locof);
	return err;
}

int wm_export(wm_store_t *st, const char *tenant, FILE *out)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int err, rc;
	size_t n = 0;

	if ((err = wm_store_txn(st, true, &txn)))
		return err;
	if (tenant) {
		k.mv_size = strlen(tenant);
		k.mv_data = (void *)tenant;
		rc = mdb_get(txn, st->tenants, &k, &v);
		if (rc == MDB_NOTFOUND) {
			err = LIS_ENOTENANT;
			goto out;
		}
		if (rc) {
			err = wm_err_from_mdb(rc);
			goto out;
		}
	}
	if ((rc = mdb_cursor_open(txn, st->tenants, &cur))) {
		err = wm_err_from_mdb(rc);
		goto out;
	}
	fputs("format: 1\n", out);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (tenant && (k.mv_size != strlen(tenant) || memcmp(k.mv_data, tenant, k.mv_size)))
			continue;
		wm_model_t m;
		bool found;
		char *id = strndup(k.mv_data, k.mv_size);
		if (!id) {
			err = -ENOMEM;
			goto out;
		}
		wm_model_init(&m);
		wm_m_tenant_t *t = wm_model_tenant(&m, id, (wm_src_t){NULL, 0});
		free(id);
		err = wm_store_load_tenant(st, txn, &m, t, &found);
		if (!err) {
			if (n++ == 0)
				fputs("tenants:\n", out);
			err = print_tenant(out, t);
		}
		wm_model_deinit(&m);
		if (err)
			goto out;
	}
	if (rc != MDB_NOTFOUND) {
		err = wm_err_from_mdb(rc);
		goto out;
	}
	if (n == 0)
		fputs("tenants: []\n", out);
	if (fflush(out) == EOF || ferror(out))
		err = -EIO;
out:
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return err;
}
