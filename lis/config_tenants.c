/*
 * lisd.yaml, the tenants: list (per-tenant dereference model, call numbers,
 * webhooks); the rest of the file is config.c.
 */
#include <stdlib.h>
#include <string.h>

#include "lis/config_internal.h"

void lis_cfg_tenant_free(lis_tenant_cfg_t *t)
{
	free(t->id);
	free(t->secret_file);
	free(t->client_ca);
	for (size_t i = 0; i < t->n_emergency; i++)
		free(t->emergency[i]);
	free(t->emergency);
	for (size_t i = 0; i < t->n_test; i++)
		free(t->test[i]);
	free(t->test);
	free(t->webhook);
	for (size_t i = 0; i < t->n_building_hooks; i++) {
		free(t->building_hooks[i].building);
		free(t->building_hooks[i].url);
	}
	free(t->building_hooks);
	memset(t, 0, sizeof *t);
}

void lis_cfg_tenants_clear(lis_config_t *c)
{
	for (size_t i = 0; i < c->n_tenants; i++)
		lis_cfg_tenant_free(&c->tenants[i]);
	free(c->tenants);
	c->tenants = NULL;
	c->n_tenants = 0;
}

static char *xstrdup(const char *v)
{
	char *d = strdup(v);
	if (!d)
		abort();
	return d;
}

/* A dialled number: 1 to 15 characters of digits, '*', '#' or a leading '+'. */
static bool dialled_ok(const char *v, size_t len)
{
	if (len == 0 || len > 15)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '*' || v[i] == '#' ||
		      (v[i] == '+' && i == 0 && len > 1)))
			return false;
	return true;
}

static bool str_in(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

static void load_numbers(loader_t *L, yaml_node_t *v, const char *key, char ***list, size_t *n)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		lis_cfg_err(L, v, key, "expected a list of dialled numbers, e.g. [911]");
		return;
	}
	for (size_t i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*n = 0;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = yaml_document_get_node(L->doc, *it);
		if (!item)
			continue;
		size_t len;
		const char *num =
		    item->type == YAML_SCALAR_NODE ? lis_cfg_scalar(item, &len) : NULL;
		if (!num || !dialled_ok(num, len)) {
			lis_cfg_err(
			    L, item, key,
			    "expected a dialled number of up to 15 digits (also * # and a leading "
			    "+)");
			continue;
		}
		if (str_in(*list, *n, num)) {
			lis_cfg_err(L, item, key, "duplicate number \"%s\"", num);
			continue;
		}
		char **nl = realloc(*list, (*n + 1) * sizeof *nl);
		if (!nl)
			abort();
		*list = nl;
		nl[(*n)++] = xstrdup(num);
	}
	if (v->data.sequence.items.start == v->data.sequence.items.top)
		lis_cfg_err(L, v, key, "the list is empty; leave the key out for the default");
}

static bool scalar_value(loader_t *L, yaml_node_t *v, const char *key, const char *hint)
{
	if (v->type != YAML_SCALAR_NODE || lis_cfg_scalar_is_null(v)) {
		lis_cfg_err(L, v, key, "expected %s", hint);
		return false;
	}
	return true;
}

static bool url_value(loader_t *L, yaml_node_t *v, const char *key)
{
	char host[256];
	if (!scalar_value(L, v, key, "an http:// or https:// URL"))
		return false;
	if (lis_url_host((const char *)v->data.scalar.value, host, sizeof host)) {
		lis_cfg_err(L, v, key, "\"%.100s\" is not an http:// or https:// URL",
		            (const char *)v->data.scalar.value);
		return false;
	}
	return true;
}

static void load_deref(loader_t *L, yaml_node_t *map, lis_tenant_cfg_t *t, unsigned *auth_line)
{
	if (map->type != YAML_MAPPING_NODE) {
		lis_cfg_err(L, map, "tenants.deref",
		            "expected a mapping of auth, secret_file or client_ca");
		return;
	}
	bool seen_auth = false;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			lis_cfg_err(L, k, "tenants.deref", "keys must be plain words");
			continue;
		}
		const char *name = (const char *)k->data.scalar.value;
		char key[64];
		snprintf(key, sizeof key, "tenants.deref.%.40s", name);
		if (strcmp(name, "auth") == 0) {
			if (seen_auth) {
				lis_cfg_err(L, k, key, "duplicate key");
				continue;
			}
			seen_auth = true;
			if (!scalar_value(L, v, key, "one of possession, bearer, mtls"))
				continue;
			const char *a = (const char *)v->data.scalar.value;
			*auth_line = (unsigned)v->start_mark.line + 1;
			if (strcmp(a, "possession") == 0)
				t->deref_auth = LIS_DEREF_POSSESSION;
			else if (strcmp(a, "bearer") == 0)
				t->deref_auth = LIS_DEREF_BEARER;
			else if (strcmp(a, "mtls") == 0)
				t->deref_auth = LIS_DEREF_MTLS;
			else
				lis_cfg_err(L, v, key,
				            "\"%.40s\" is not one of possession, bearer, mtls", a);
		} else if (strcmp(name, "secret_file") == 0 || strcmp(name, "client_ca") == 0) {
			char **slot = name[0] == 's' ? &t->secret_file : &t->client_ca;
			if (*slot) {
				lis_cfg_err(L, k, key, "duplicate key");
				continue;
			}
			if (scalar_value(L, v, key, "a file path"))
				*slot = xstrdup((const char *)v->data.scalar.value);
		} else {
			lis_cfg_err(L, k, key,
			            "unknown key (expected auth, secret_file or client_ca)");
		}
	}
}

static void load_buildings(loader_t *L, yaml_node_t *map, lis_tenant_cfg_t *t)
{
	if (map->type != YAML_MAPPING_NODE) {
		lis_cfg_err(L, map, "tenants.buildings",
		            "expected a mapping of BUILDING-ID: webhook URL");
		return;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE || lis_cfg_scalar_is_null(k)) {
			lis_cfg_err(L, k, "tenants.buildings", "keys must be building ids");
			continue;
		}
		const char *b = (const char *)k->data.scalar.value;
		bool dup = false;
		for (size_t i = 0; i < t->n_building_hooks; i++)
			dup |= strcmp(t->building_hooks[i].building, b) == 0;
		if (dup) {
			lis_cfg_err(L, k, "tenants.buildings", "duplicate building \"%.80s\"", b);
			continue;
		}
		if (!url_value(L, v, "tenants.buildings"))
			continue;
		lis_building_hook_t *nb =
		    realloc(t->building_hooks, (t->n_building_hooks + 1) * sizeof *nb);
		if (!nb)
			abort();
		t->building_hooks = nb;
		nb[t->n_building_hooks].building = xstrdup(b);
		nb[t->n_building_hooks].url = xstrdup((const char *)v->data.scalar.value);
		t->n_building_hooks++;
	}
}

static void load_tenant_item(loader_t *L, yaml_node_t *item)
{
	static const char *const valid =
	    "id, deref, emergency_numbers, test_numbers, webhook or buildings";
	lis_tenant_cfg_t t;
	unsigned auth_line = 0;
	size_t errors0 = L->errors;
	yaml_node_t *seen[6] = {0};
	static const char *const names[6] = {"id",           "deref",   "emergency_numbers",
	                                     "test_numbers", "webhook", "buildings"};

	memset(&t, 0, sizeof t);
	if (item->type != YAML_MAPPING_NODE) {
		lis_cfg_err(L, item, "tenants",
		            "each entry must be a mapping with at least id: TENANT-ID");
		return;
	}
	t.line = (unsigned)item->start_mark.line + 1;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			lis_cfg_err(L, k, "tenants", "keys must be plain words");
			continue;
		}
		const char *name = (const char *)k->data.scalar.value;
		int ki = -1;
		for (int i = 0; i < 6; i++)
			if (strcmp(name, names[i]) == 0)
				ki = i;
		char key[64];
		snprintf(key, sizeof key, "tenants.%.40s", name);
		if (ki < 0) {
			lis_cfg_err(L, k, key, "unknown key (expected %s)", valid);
			continue;
		}
		if (seen[ki]) {
			lis_cfg_err(L, k, key, "duplicate key (first set on line %u)",
			            (unsigned)seen[ki]->start_mark.line + 1);
			continue;
		}
		seen[ki] = k;
		switch (ki) {
		case 0:
			if (scalar_value(L, v, key, "the tenant id of the wiremap")) {
				size_t len;
				const char *id = lis_cfg_scalar(v, &len);
				if (len > LIS_TOKEN_ID_MAX || memchr(id, '/', len))
					lis_cfg_err(L, v, key, "\"%.60s\" is not a tenant id", id);
				else
					t.id = xstrdup(id);
			}
			break;
		case 1:
			load_deref(L, v, &t, &auth_line);
			break;
		case 2:
			load_numbers(L, v, key, &t.emergency, &t.n_emergency);
			break;
		case 3:
			load_numbers(L, v, key, &t.test, &t.n_test);
			break;
		case 4:
			if (url_value(L, v, key))
				t.webhook = xstrdup((const char *)v->data.scalar.value);
			break;
		case 5:
			load_buildings(L, v, &t);
			break;
		}
	}
	if (!t.id && !seen[0])
		lis_cfg_err(L, item, "tenants.id",
		            "each tenant needs id: TENANT-ID (as in the wiremap)");
	if (t.id && lis_config_tenant(L->c, t.id))
		lis_cfg_err(L, seen[0], "tenants.id",
		            "tenant \"%.60s\" is listed twice (first on line %u)", t.id,
		            lis_config_tenant(L->c, t.id)->line);
	if (t.deref_auth == LIS_DEREF_BEARER && !t.secret_file)
		lis_cfg_err(L, item, "tenants.deref",
		            "auth: bearer needs secret_file: FILE (the shared secret, mode 0600)");
	if (t.deref_auth == LIS_DEREF_MTLS && !t.client_ca)
		lis_cfg_err(
		    L, item, "tenants.deref",
		    "auth: mtls needs client_ca: FILE (the CAs of the call routers' certificates)");
	if (t.deref_auth != LIS_DEREF_BEARER && t.secret_file)
		lis_cfg_err(L, item, "tenants.deref.secret_file", "is used only with auth: bearer");
	if (t.deref_auth != LIS_DEREF_MTLS && t.client_ca)
		lis_cfg_err(L, item, "tenants.deref.client_ca", "is used only with auth: mtls");
	/* defaults: 911 is an emergency call, 933 a test call (SPEC §4.5) */
	if (!seen[2]) {
		t.emergency = calloc(1, sizeof *t.emergency);
		if (!t.emergency)
			abort();
		t.emergency[t.n_emergency++] = xstrdup("911");
	}
	if (!seen[3]) {
		t.test = calloc(1, sizeof *t.test);
		if (!t.test)
			abort();
		t.test[t.n_test++] = xstrdup("933");
	}
	for (size_t i = 0; i < t.n_test; i++)
		if (str_in(t.emergency, t.n_emergency, t.test[i]))
			lis_cfg_err(L, seen[3] ? seen[3] : item, "tenants.test_numbers",
			            "\"%s\" is also an emergency number", t.test[i]);
	if (L->errors != errors0) {
		lis_cfg_tenant_free(&t);
		return;
	}
	lis_tenant_cfg_t *nt = realloc(L->c->tenants, (L->c->n_tenants + 1) * sizeof *nt);
	if (!nt)
		abort();
	L->c->tenants = nt;
	nt[L->c->n_tenants++] = t;
}

void lis_cfg_load_tenants(loader_t *L, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		lis_cfg_err(L, v, "tenants", "expected a list of {id: TENANT-ID, ...} entries");
		return;
	}
	lis_cfg_tenants_clear(L->c);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = yaml_document_get_node(L->doc, *it);
		if (item)
			load_tenant_item(L, item);
	}
}
