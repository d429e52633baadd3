/*
 * Whole-model checks before anything is written (wm_model_validate): unique
 * building/location ids, existing references, one location per element and
 * per DID, BSSID wildcards that would shadow another location's BSSIDs.
 * Everything is sort + scan, O(n log n): an import of a million elements
 * validates in about a second.
 *
 * Records with src.file == NULL come from the database (merge mode): a file
 * record equal to a database record is an update, not a duplicate; a conflict
 * with one is reported on the file record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wiremap/wiremap_internal.h"

typedef struct {
	const wm_m_tenant_t *t;
	wm_diag_t *diag;
	size_t errors;
	const char **loc_ids; /**< sorted location ids (with duplicates) */
	size_t nloc;
	const char **bld_ids; /**< sorted building ids */
	size_t nbld;
} vctx;

__attribute__((format(printf, 4, 5))) static void verr(vctx *c, const wm_src_t *src,
                                                       const char *field, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	wm_diag_add(c->diag, src->file, src->line, field, "%s", msg);
	c->errors++;
}

/* "FILE:LINE" or "the database" for messages. */
static const char *where(const wm_src_t *s, char *buf, size_t n)
{
	if (!s->file)
		snprintf(buf, n, "the database");
	else
		snprintf(buf, n, "%s:%u", s->file, s->line);
	return buf;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool sorted_has(const char **ids, size_t n, const char *id)
{
	return bsearch(&id, ids, n, sizeof(*ids), cmp_str_ptr) != NULL;
}

/* ---------------- ids: buildings and locations ----------------------- */

typedef struct {
	const char *id;
	const wm_src_t *src;
	size_t idx;
} idrec;

static int cmp_idrec(const void *a, const void *b)
{
	const idrec *x = a, *y = b;
	int r = strcmp(x->id, y->id);
	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reports ids defined twice in files; fills the sorted id list. */
static void check_ids(vctx *c, idrec *r, size_t n, const char *what, const char **sorted)
{
	char w[300];
	qsort(r, n, sizeof(*r), cmp_idrec);
	for (size_t i = 0; i < n; i++)
		sorted[i] = r[i].id;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		const idrec *first = NULL;
		while (j < n && strcmp(r[j].id, r[i].id) == 0) {
			if (r[j].src->file) {
				if (!first)
					first = &r[j];
				else
					verr(c, r[j].src, "id",
					     "%s \"%s\" is defined twice in tenant \"%s\" (first "
					     "at %s); "
					     "%s ids are unique within a tenant",
					     what, r[j].id, c->t->id,
					     where(first->src, w, sizeof w), what);
			}
			j++;
		}
		i = j;
	}
}

/* ---------------- elements -------------------------------------------- */

static int cmp_el(const void *a, const void *b, void *arg)
{
	const wm_m_element_t *v = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const wm_m_element_t *x = &v[i], *y = &v[j];
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	int r = memcmp(x->key, y->key, x->keylen);
	if (r)
		return r;
	return i < j ? -1 : i > j;
}

static bool el_eq(const wm_m_element_t *x, const wm_m_element_t *y)
{
	return x->kind == y->kind && x->keylen == y->keylen &&
	       memcmp(x->key, y->key, x->keylen) == 0;
}

/* The element's text without its kind prefix ("00-11-..." not "bssid 00-11-..."). */
static const char *el_text(const wm_m_element_t *e, char *buf, size_t n)
{
	wm_key_format((wm_el_kind_t)e->kind, e->key, e->keylen, buf, n);
	const char *f = wm_el_kind_field((wm_el_kind_t)e->kind);
	size_t fl = strlen(f);
	if (strncmp(buf, f, fl) == 0 && buf[fl] == ' ')
		return buf + fl + 1;
	return buf;
}

/* Same key, same or different location: called for each later record `e`. */
static void report_dup(vctx *c, const wm_m_element_t *e, const wm_m_element_t *first,
                       const char *field, const char *text)
{
	char w[300];
	if (!first->src.file) {
		if (strcmp(first->location, e->location) != 0)
			verr(c, &e->src, field,
			     "%s is already assigned to location \"%s\" in the database (use "
			     "--replace to reassign)",
			     text, first->location);
		return; /* re-import of the same assignment: idempotent */
	}
	if (strcmp(first->location, e->location) != 0)
		verr(c, &e->src, field,
		     "%s is also assigned to location \"%s\" at %s; an element points to one "
		     "location only",
		     text, first->location, where(&first->src, w, sizeof w));
	else
		verr(c, &e->src, field,
		     "%s is listed twice for location \"%s\" (also at %s); remove one", text,
		     e->location, where(&first->src, w, sizeof w));
}

static void check_element_dups(vctx *c, const size_t *ord, size_t n)
{
	const wm_m_element_t *v = c->t->elements.v;
	char buf[3 * 2 * WM_LLDP_MAX + 64];

	for (size_t i = 0; i < n;) {
		size_t j = i;
		const wm_m_element_t *db = NULL, *file = NULL;
		while (j < n && el_eq(&v[ord[j]], &v[ord[i]])) {
			const wm_m_element_t *e = &v[ord[j]];
			if (!e->src.file) {
				if (!db)
					db = e;
			} else if (!file) {
				file = e;
			}
			j++;
		}
		if (file && j - i > 1) {
			const char *field = wm_el_kind_field((wm_el_kind_t)file->kind);
			const char *text = el_text(file, buf, sizeof buf);
			for (size_t k = i; k < j; k++) {
				const wm_m_element_t *e = &v[ord[k]];
				if (!e->src.file)
					continue;
				if (db)
					report_dup(c, e, db, field, text);
				else if (e != file)
					report_dup(c, e, file, field, text);
			}
		}
		i = j;
	}
}

/* BSSIDs ordered by their first 5 octets, then wildest first. */
static int cmp_bssid(const void *a, const void *b, void *arg)
{
	const wm_m_element_t *v = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const uint8_t *x = v[i].key, *y = v[j].key;
	int r = memcmp(x + 1, y + 1, 5);
	if (r)
		return r;
	if (x[0] != y[0])
		return x[0] > y[0] ? -1 : 1;
	r = memcmp(x + 6, y + 6, 1);
	if (r)
		return r;
	return i < j ? -1 : i > j;
}

static bool bssid_covers(const uint8_t *w, const uint8_t *e)
{
	/* same first 5 octets already; w[0] is the wildcard width, > e[0] */
	if (w[0] == 2)
		return true;
	return (w[6] & 0xf0) == (e[6] & 0xf0);
}

static void check_bssid_wildcards(vctx *c)
{
	const wm_m_element_t *v = c->t->elements.v;
	size_t n = 0;
	size_t *ord = NULL;
	char a[80], b[80], w[300];

	for (size_t i = 0; i < c->t->elements.n; i++)
		if (v[i].kind == WM_EL_BSSID && v[i].keylen == 7)
			n++;
	if (n < 2)
		return;
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		abort();
	n = 0;
	for (size_t i = 0; i < c->t->elements.n; i++)
		if (v[i].kind == WM_EL_BSSID && v[i].keylen == 7)
			ord[n++] = i;
	qsort_r(ord, n, sizeof(*ord), cmp_bssid, (void *)v);

	for (size_t i = 0; i < n;) {
		size_t j = i;
		/* distinct wildcards of this 5-octet group: at most 1 + 16 */
		const wm_m_element_t *wild[17];
		size_t nw = 0;
		while (j < n && memcmp(v[ord[j]].key + 1, v[ord[i]].key + 1, 5) == 0) {
			const wm_m_element_t *e = &v[ord[j]];
			if (e->key[0] > 0 && nw < 17 && (nw == 0 || !el_eq(wild[nw - 1], e)))
				wild[nw++] = e;
			j++;
		}
		for (size_t k = i; nw && k < j; k++) {
			const wm_m_element_t *e = &v[ord[k]];
			for (size_t q = 0; q < nw; q++) {
				const wm_m_element_t *W = wild[q];
				if (W->key[0] <= e->key[0] || !bssid_covers(W->key, e->key) ||
				    strcmp(W->location, e->location) == 0)
					continue;
				if (!W->src.file && !e->src.file)
					continue;
				const char *et = el_text(e, a, sizeof a),
				           *wt = el_text(W, b, sizeof b);
				if (e->src.file && W->src.file)
					verr(c, &e->src, "bssid",
					     "%s (location \"%s\") falls under wildcard %s of "
					     "location "
					     "\"%s\" at %s; a wildcard may only cover BSSIDs of "
					     "its own "
					     "location: narrow the wildcard or move one of them",
					     et, e->location, wt, W->location,
					     where(&W->src, w, sizeof w));
				else if (e->src.file)
					verr(c, &e->src, "bssid",
					     "%s falls under wildcard %s, already assigned to "
					     "location "
					     "\"%s\" in the database (use --replace to reassign)",
					     et, wt, W->location);
				else
					verr(c, &W->src, "bssid",
					     "wildcard %s covers %s, already assigned to location "
					     "\"%s\" "
					     "in the database (use --replace to reassign, or "
					     "narrow the "
					     "wildcard)",
					     wt, et, e->location);
				break;
			}
		}
		i = j;
	}
	free(ord);
}

static void check_elements(vctx *c)
{
	const wm_m_tenant_t *t = c->t;
	size_t n = t->elements.n;
	size_t *ord;
	const char *last_ok = NULL;
	char buf[3 * 2 * WM_LLDP_MAX + 64];

	for (size_t i = 0; i < n; i++) {
		const wm_m_element_t *e = &t->elements.v[i];
		if (e->location == last_ok)
			continue;
		if (sorted_has(c->loc_ids, c->nloc, e->location)) {
			last_ok = e->location;
			continue;
		}
		verr(c, &e->src, "location",
		     "no location \"%s\" in tenant \"%s\" (for %s %s); define it in YAML or import "
		     "the YAML first",
		     e->location, t->id, wm_el_kind_field((wm_el_kind_t)e->kind),
		     el_text(e, buf, sizeof buf));
	}
	if (n < 2)
		return;
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		abort();
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof(*ord), cmp_el, (void *)t->elements.v);
	check_element_dups(c, ord, n);
	free(ord);
	check_bssid_wildcards(c);
}

/* ---------------- DIDs -------------------------------------------------- */

static int cmp_did(const void *a, const void *b, void *arg)
{
	const wm_m_did_t *v = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(v[i].did.d, v[j].did.d);
	if (r)
		return r;
	return i < j ? -1 : i > j;
}

static void check_dids(vctx *c)
{
	const wm_m_tenant_t *t = c->t;
	const wm_m_did_t *v = t->dids.v;
	size_t n = t->dids.n;
	char w[300];

	for (size_t i = 0; i < n; i++)
		if (!sorted_has(c->loc_ids, c->nloc, v[i].location))
			verr(c, &v[i].src, "location",
			     "no location \"%s\" in tenant \"%s\" (for DID %s); define it in YAML "
			     "or "
			     "import the YAML first",
			     v[i].location, t->id, v[i].did.d);
	if (n < 2)
		return;
	size_t *ord = malloc(n * sizeof(*ord));
	if (!ord)
		abort();
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof(*ord), cmp_did, (void *)v);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		const wm_m_did_t *db = NULL, *file = NULL;
		while (j < n && strcmp(v[ord[j]].did.d, v[ord[i]].did.d) == 0) {
			const wm_m_did_t *d = &v[ord[j]];
			if (!d->src.file && !db)
				db = d;
			else if (d->src.file && !file)
				file = d;
			j++;
		}
		for (size_t k = i; file && k < j; k++) {
			const wm_m_did_t *d = &v[ord[k]];
			const wm_m_did_t *first = db ? db : file;
			if (!d->src.file || d == first)
				continue;
			bool same = strcmp(first->location, d->location) == 0;
			if (!first->src.file) {
				if (!same)
					verr(c, &d->src, "did",
					     "%s is already assigned to location \"%s\" in the "
					     "database "
					     "(use --replace to reassign)",
					     d->did.d, first->location);
			} else if (!same) {
				verr(c, &d->src, "did",
				     "%s is also assigned to location \"%s\" at %s; a DID points "
				     "to one "
				     "location only",
				     d->did.d, first->location, where(&first->src, w, sizeof w));
			} else {
				verr(c, &d->src, "did",
				     "%s is listed twice for location \"%s\" (also at %s); remove "
				     "one",
				     d->did.d, d->location, where(&first->src, w, sizeof w));
			}
		}
		i = j;
	}
	free(ord);
}

/* ---------------- tenant ------------------------------------------------ */

static void check_tenant(vctx *c)
{
	const wm_m_tenant_t *t = c->t;
	size_t nb = t->buildings.n, nl = t->locations.n;
	idrec *r = malloc((nb > nl ? nb : nl) * sizeof(*r) + 1);
	c->bld_ids = malloc(nb * sizeof(char *) + 1);
	c->loc_ids = malloc(nl * sizeof(char *) + 1);
	if (!r || !c->bld_ids || !c->loc_ids)
		abort();
	c->nbld = nb;
	c->nloc = nl;

	for (size_t i = 0; i < nb; i++)
		r[i] = (idrec){t->buildings.v[i].id, &t->buildings.v[i].src, i};
	check_ids(c, r, nb, "building", c->bld_ids);
	for (size_t i = 0; i < nl; i++)
		r[i] = (idrec){t->locations.v[i].id, &t->locations.v[i].src, i};
	check_ids(c, r, nl, "location", c->loc_ids);
	free(r);

	const char *last_ok = NULL;
	for (size_t i = 0; i < nl; i++) {
		const wm_m_location_t *l = &t->locations.v[i];
		if (!l->building || l->building == last_ok)
			continue;
		if (sorted_has(c->bld_ids, nb, l->building)) {
			last_ok = l->building;
			continue;
		}
		verr(c, &l->src, "building",
		     "location \"%s\" belongs to building \"%s\", which tenant \"%s\" does not "
		     "define; define the building or import its YAML first",
		     l->id, l->building, t->id);
	}
	check_elements(c);
	check_dids(c);
	free(c->bld_ids);
	free(c->loc_ids);
	c->bld_ids = c->loc_ids = NULL;
}

int wm_model_validate(const wm_model_t *m, wm_diag_t *diag)
{
	size_t errors = 0;
	for (size_t i = 0; i < m->tenants.n; i++) {
		vctx c = {.t = &m->tenants.v[i], .diag = diag};
		check_tenant(&c);
		errors += c.errors;
	}
	return errors ? LIS_EDATA : 0;
}
