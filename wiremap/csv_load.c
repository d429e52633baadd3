/*
 * CSV element lists (SPEC §2), one file per element kind chosen by the header
 * row: location,chassis,port | location,bssid | location,subnet |
 * location,gateway_mac | did,location. RFC 4180 quoting, CRLF or LF, an
 * optional UTF-8 BOM, blank lines skipped; header names case-insensitive and
 * in any order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wiremap/wiremap_internal.h"

#define CSV_MAX_COLS 8

enum { COL_LOCATION, COL_CHASSIS, COL_PORT, COL_BSSID, COL_SUBNET, COL_GATEWAY, COL_DID, COL_N };
static const char *const col_names[COL_N] = {"location", "chassis",     "port", "bssid",
                                             "subnet",   "gateway_mac", "did"};

typedef struct {
	const char *s;
	size_t len;
	size_t qoff; /**< quoted: offset of the unescaped text in the reader's buf */
	bool quoted;
} field_t;

typedef struct {
	const char *p, *end;
	unsigned line;
	char *buf; /* unescaped quoted fields */
	size_t buflen, bufcap;
} csv_reader;

/*
 * Reads one record into f[] (at most CSV_MAX_COLS kept, the count returned in
 * *nf even beyond). Returns 1 for a record, 0 at end of input, -1 on an
 * unterminated quote. *start_line = line where the record began.
 */
static int csv_next(csv_reader *r, field_t *f, size_t *nf, unsigned *start_line, char *why,
                    size_t whylen)
{
	size_t n = 0;

	if (r->p >= r->end)
		return 0;
	*start_line = r->line;
	r->buflen = 0;
	for (;;) {
		if (r->p < r->end && *r->p == '"') {
			/* quoted field: unescape into buf; offsets fixed up below */
			size_t off = r->buflen;
			unsigned qline = r->line;
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					snprintf(why, whylen,
					         "a quoted field opened on line %u is never "
					         "closed; add the "
					         "closing '\"'",
					         qline);
					return -1;
				}
				char ch = *r->p++;
				if (ch == '"') {
					if (r->p < r->end && *r->p == '"') {
						r->p++;
					} else {
						break;
					}
				}
				if (ch == '\n')
					r->line++;
				if (r->buflen == r->bufcap) {
					r->bufcap = r->bufcap ? r->bufcap * 2 : 256;
					r->buf = realloc(r->buf, r->bufcap);
					if (!r->buf)
						abort();
				}
				r->buf[r->buflen++] = ch;
			}
			/* stray text between the closing quote and the separator is dropped */
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
				r->p++;
			if (n < CSV_MAX_COLS) {
				f[n].quoted = true;
				f[n].qoff = off;
				f[n].len = r->buflen - off;
			}
		} else {
			const char *fs = r->p;
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
				r->p++;
			size_t flen = (size_t)(r->p - fs);
			if (n < CSV_MAX_COLS) {
				f[n].quoted = false;
				f[n].s = fs;
				f[n].len = flen;
			}
		}
		n++;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		/* end of record */
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		break;
	}
	/* resolve quoted fields now that buf no longer moves; buf is still NULL
	 * when every quoted field so far was empty ("" -> NULL + 0 is UB) */
	for (size_t i = 0; i < n && i < CSV_MAX_COLS; i++)
		if (f[i].quoted)
			f[i].s = r->buf ? r->buf + f[i].qoff : "";
	*nf = n;
	return 1;
}

static void trim(field_t *f)
{
	while (f->len && isspace((unsigned char)f->s[0])) {
		f->s++;
		f->len--;
	}
	while (f->len && isspace((unsigned char)f->s[f->len - 1]))
		f->len--;
}

typedef struct {
	wm_diag_t *diag;
	const char *file;
	size_t errors;
} cctx;

__attribute__((format(printf, 4, 5))) static void cerr(cctx *c, unsigned line, const char *field,
                                                       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	wm_diag_add(c->diag, c->file, line, field, "%s", msg);
	c->errors++;
}

#define ACCEPTED                                                                                   \
	"location,chassis,port | location,bssid | location,subnet | location,gateway_mac | "       \
	"did,location"

int wm_model_load_csv(wm_model_t *m, const char *path, const char *tenant, wm_diag_t *diag)
{
	char *text = NULL, why[320];
	size_t len = 0, nf;
	field_t f[CSV_MAX_COLS];
	unsigned line;
	int col[COL_N], rc;
	cctx c = {.diag = diag};
	csv_reader r;
	wm_el_kind_t kind = WM_EL_BSSID;
	bool is_did = false;
	size_t ncols = 0;

	memset(&r, 0, sizeof r);
	c.file = wm_arena_strndup(&m->arena, path, strlen(path));
	if (!tenant || !tenant[0]) {
		cerr(&c, 0, NULL, "CSV files carry no tenant; name it with --tenant ID");
		return LIS_EDATA;
	}
	if ((rc = wm_read_file(path, &text, &len)) < 0)
		return rc;
	r.p = text;
	r.end = text + len;
	r.line = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.p += 3;

	/* header: the first non-blank record */
	for (;;) {
		rc = csv_next(&r, f, &nf, &line, why, sizeof why);
		if (rc <= 0)
			break;
		if (nf > 1)
			break;
		trim(&f[0]);
		if (f[0].len)
			break;
	}
	if (rc < 0) {
		cerr(&c, line, NULL, "%s", why);
		goto out;
	}
	if (rc == 0) {
		cerr(&c, 1, NULL, "the file is empty; the first row names the columns: " ACCEPTED);
		goto out;
	}
	for (int i = 0; i < COL_N; i++)
		col[i] = -1;
	bool bad = nf > CSV_MAX_COLS;
	for (size_t i = 0; i < nf && !bad; i++) {
		trim(&f[i]);
		int k;
		for (k = 0; k < COL_N; k++)
			if (strlen(col_names[k]) == f[i].len &&
			    strncasecmp(col_names[k], f[i].s, f[i].len) == 0)
				break;
		if (k == COL_N || col[k] >= 0)
			bad = true;
		else
			col[k] = (int)i;
	}
	ncols = nf;
	if (!bad) {
		int have = 0;
		for (int k = 0; k < COL_N; k++)
			have += col[k] >= 0;
		if (col[COL_LOCATION] < 0)
			bad = true;
		else if (col[COL_CHASSIS] >= 0 && (have == 3 ? col[COL_PORT] >= 0 : have == 2))
			kind = WM_EL_LLDP_PORT;
		else if (have != 2)
			bad = true;
		else if (col[COL_BSSID] >= 0)
			kind = WM_EL_BSSID;
		else if (col[COL_SUBNET] >= 0)
			kind = WM_EL_SUBNET;
		else if (col[COL_GATEWAY] >= 0)
			kind = WM_EL_GATEWAY;
		else if (col[COL_DID] >= 0)
			is_did = true;
		else
			bad = true;
	}
	if (bad) {
		cerr(&c, line, NULL, "unknown header row; the first row must be one of: " ACCEPTED);
		goto out;
	}

	wm_m_tenant_t *t = wm_model_tenant(m, tenant, (wm_src_t){c.file, 0});
	const char *last_loc = NULL;
	for (;;) {
		rc = csv_next(&r, f, &nf, &line, why, sizeof why);
		if (rc == 0)
			break;
		if (rc < 0) {
			cerr(&c, line, NULL, "%s", why);
			break;
		}
		if (nf == 1) {
			trim(&f[0]);
			if (f[0].len == 0)
				continue; /* blank line */
		}
		if (nf != ncols) {
			cerr(&c, line, NULL,
			     "%zu columns, the header has %zu; quote values that "
			     "contain a comma (\"a,b\")",
			     nf, ncols);
			continue;
		}
		for (size_t i = 0; i < nf; i++)
			trim(&f[i]);
		const field_t *lf = &f[col[COL_LOCATION]];
		bool ok = true;
		if (lf->len == 0) {
			cerr(&c, line, "location", "is empty; give the location id from the YAML");
			ok = false;
		}
		uint8_t key[WM_KEY_MAX];
		size_t klen = 0;
		wm_did_t d;
		wm_el_kind_t k = kind;
		if (is_did) {
			const field_t *df = &f[col[COL_DID]];
			if (wm_in_did(df->s, df->len, &d, why, sizeof why) < 0) {
				cerr(&c, line, "did", "%s", why);
				ok = false;
			}
		} else if (kind == WM_EL_LLDP_PORT) {
			wm_lldp_id_t ch, port;
			const field_t *cf = &f[col[COL_CHASSIS]];
			const field_t *pf = col[COL_PORT] >= 0 ? &f[col[COL_PORT]] : NULL;
			if (wm_in_lldp(cf->s, cf->len, &ch, why, sizeof why) < 0) {
				cerr(&c, line, "chassis", "%s", why);
				ok = false;
			} else if (pf && pf->len) {
				if (wm_in_lldp(pf->s, pf->len, &port, why, sizeof why) < 0) {
					cerr(&c, line, "port", "%s", why);
					ok = false;
				} else {
					klen = wm_key_lldp_port(&ch, &port, key);
				}
			} else {
				k = WM_EL_LLDP_CHASSIS;
				klen = wm_key_lldp_chassis(&ch, key);
			}
		} else if (kind == WM_EL_BSSID) {
			wm_bssid_t b;
			const field_t *vf = &f[col[COL_BSSID]];
			if (wm_in_bssid(vf->s, vf->len, &b, why, sizeof why) < 0) {
				cerr(&c, line, "bssid", "%s", why);
				ok = false;
			} else {
				klen = wm_key_bssid(&b, key);
			}
		} else if (kind == WM_EL_SUBNET) {
			wm_cidr_t cidr;
			const field_t *vf = &f[col[COL_SUBNET]];
			if (wm_in_cidr(vf->s, vf->len, &cidr, why, sizeof why) < 0) {
				cerr(&c, line, "subnet", "%s", why);
				ok = false;
			} else {
				klen = wm_key_subnet(&cidr, key);
			}
		} else {
			wm_mac_t mac;
			const field_t *vf = &f[col[COL_GATEWAY]];
			if (wm_in_mac(vf->s, vf->len, &mac, why, sizeof why) < 0) {
				cerr(&c, line, "gateway_mac", "%s", why);
				ok = false;
			} else {
				klen = wm_key_gateway(&mac, key);
			}
		}
		if (!ok)
			continue;
		/* rows of one location usually come together: share the string */
		const char *loc = last_loc;
		if (!loc || strlen(loc) != lf->len || memcmp(loc, lf->s, lf->len) != 0)
			loc = last_loc = wm_arena_strndup(&m->arena, lf->s, lf->len);
		wm_src_t src = {c.file, line};
		if (is_did) {
			wm_m_did_t *md = WM_VEC_PUSH(t->dids);
			md->did = d;
			md->location = loc;
			md->src = src;
		} else {
			wm_model_add_element(m, t, k, key, klen, loc, src);
		}
	}
out:
	free(r.buf);
	free(text);
	return c.errors ? LIS_EDATA : 0;
}
