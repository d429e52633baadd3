/*
 * lisd.yaml: one table of keys (type, range, default) checked in one place;
 * every problem reported as "FILE:LINE: key: reason", all of them per run.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "lis/config_internal.h"

typedef enum {
	K_MAP = 1,  /* a section: a mapping of further keys */
	K_PATH,     /* a non-empty file or directory path */
	K_URL,      /* an http:// or https:// URL */
	K_DURATION, /* "90s", "30m", "24h" */
	K_SIZE,     /* "65536", "64k", "1M" */
	K_UINT,     /* a decimal integer */
	K_ENUM,     /* one of a list of words */
	K_LISTEN,   /* the listener list */
	K_TENANTS,  /* the per-tenant list */
	K_USER,     /* a user name known to the system (getpwnam) */
	K_GROUP,    /* a group name known to the system (getgrnam) */
} key_kind_t;

typedef enum { S_NONE = 0, S_STR, S_UINT, S_U64 } store_t;

typedef struct {
	const char *path; /* dotted key path */
	key_kind_t kind;
	store_t store;
	size_t off;        /* into lis_config_t */
	uint64_t min, max; /* range in the parsed unit (ms, bytes, integer) */
	unsigned scale;    /* durations: stored value = ms / scale */
	const char *def;   /* default, as it would be written (NULL = none) */
	const char *const *words;
	const char *hint; /* how to write it */
} cfg_key_t;

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};
static const char *const log_formats[] = {"text", "json", NULL};

#define OFF(f) offsetof(lis_config_t, f)
#define MIN_MS(m) ((uint64_t)(m)*60000u)
#define HOUR_MS(h) ((uint64_t)(h)*3600000u)

/* The one table. Defaults are applied by parsing `def` like file input. */
static const cfg_key_t keys[] = {
    {"listen", K_LISTEN, S_NONE, 0, 0, 0, 0, NULL, NULL,
     "a list of {http: ADDR:PORT} or {https: ADDR:PORT, cert: FILE, key: FILE, client_ca: FILE}"},
    {"db", K_PATH, S_STR, OFF(db), 0, 0, 0, NULL, NULL, "the wiremap database directory"},
    {"public_url", K_URL, S_STR, OFF(public_url), 0, 0, 0, NULL, NULL,
     "an http:// or https:// URL, e.g. https://lis.example.com"},
    {"token", K_MAP, S_NONE, 0, 0, 0, 0, NULL, NULL, NULL},
    {"token.key_file", K_PATH, S_STR, OFF(token_key_file), 0, 0, 0, NULL, NULL,
     "a file of at least 32 random bytes (openssl rand 32 > token.key)"},
    {"token.lifetime", K_DURATION, S_UINT, OFF(token_lifetime_s), MIN_MS(30), HOUR_MS(24), 1000,
     "30m", NULL, "a duration between 30m and 24h"},
    {"events", K_MAP, S_NONE, 0, 0, 0, 0, NULL, NULL, NULL},
    {"events.file", K_PATH, S_STR, OFF(events_file), 0, 0, 0, NULL, NULL, "a JSON Lines file path"},
    {"events.webhook", K_URL, S_STR, OFF(events_webhook), 0, 0, 0, NULL, NULL,
     "an http:// or https:// URL"},
    {"events.outbox", K_PATH, S_STR, OFF(events_outbox), 0, 0, 0, NULL, NULL,
     "a directory for the webhook outbox (default: the db path + \"-events\")"},
    {"events.dedup_window", K_DURATION, S_UINT, OFF(events_dedup_s), 1000, HOUR_MS(24), 1000, "10m",
     NULL, "a duration between 1s and 24h, e.g. 10m"},
    {"events.outbox_max", K_UINT, S_UINT, OFF(events_outbox_max), 100, 100000000, 0, "100000", NULL,
     "an integer between 100 and 100000000"},
    {"events.retry_max", K_DURATION, S_UINT, OFF(events_retry_max_s), 1000, HOUR_MS(24), 1000, "5m",
     NULL, "a duration between 1s and 24h, e.g. 5m"},
    {"nomadic", K_MAP, S_NONE, 0, 0, 0, 0, NULL, NULL, NULL},
    {"nomadic.store", K_PATH, S_STR, OFF(nomadic_store), 0, 0, 0, NULL, NULL,
     "a directory for remembered user addresses (default: the db path + \"-nomadic\")"},
    {"nomadic.ttl", K_DURATION, S_UINT, OFF(nomadic_ttl_s), HOUR_MS(1), HOUR_MS(24 * 3650), 1000,
     "90d", NULL, "a duration between 1h and 3650d, e.g. 90d"},
    {"nomadic.max_entries", K_UINT, S_UINT, OFF(nomadic_max), 100, 100000000, 0, "100000", NULL,
     "an integer between 100 and 100000000"},
    {"tenants", K_TENANTS, S_NONE, 0, 0, 0, 0, NULL, NULL,
     "a list of {id: TENANT-ID, deref: {...}, emergency_numbers: [...], test_numbers: [...], "
     "webhook: URL, buildings: {BUILDING-ID: URL}}"},
    {"limits", K_MAP, S_NONE, 0, 0, 0, 0, NULL, NULL, NULL},
    {"limits.max_body", K_SIZE, S_U64, OFF(max_body), 1024, (uint64_t)16 << 20, 0, "64k", NULL,
     "a size between 1k and 16M, e.g. 65536, 64k or 1M"},
    {"limits.request_timeout", K_DURATION, S_UINT, OFF(request_timeout_ms), 100, HOUR_MS(1), 1,
     "10s", NULL, "a duration between 100ms and 1h, e.g. 10s"},
    {"limits.max_connections", K_UINT, S_UINT, OFF(max_connections), 1, 1000000, 0, "10000", NULL,
     "an integer between 1 and 1000000"},
    {"log", K_MAP, S_NONE, 0, 0, 0, 0, NULL, NULL, NULL},
    {"log.level", K_ENUM, S_UINT, OFF(log_level), 0, 0, 0, "info", log_levels,
     "one of debug, info, warn, error"},
    {"log.format", K_ENUM, S_UINT, OFF(log_format), 0, 0, 0, "text", log_formats,
     "one of text, json"},
    {"workers", K_UINT, S_UINT, OFF(workers), 1, 64, 0, "1", NULL, "an integer between 1 and 64"},
    {"user", K_USER, S_STR, OFF(user), 0, 0, 0, NULL, NULL,
     "a system user to run as after binding, e.g. lisd (useradd --system lisd)"},
    {"group", K_GROUP, S_STR, OFF(group), 0, 0, 0, NULL, NULL,
     "a system group to run as after binding (default: the user's primary group)"},
    {"retention", K_DURATION, S_UINT, OFF(retention_s), 1000, HOUR_MS(24 * 365), 1000, "24h", NULL,
     "a duration between 1s and 365d, e.g. 24h"},
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* ---------------- applying a value --------------------------------------- */

/* The "FILE:LINE: key: reason" of every problem of one load. */
void lis_cfg_err(loader_t *L, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	wm_diag_add(L->diag, L->file, n ? (unsigned)n->start_mark.line + 1 : 0, key, "%s", msg);
	L->errors++;
}

static char **str_slot(lis_config_t *c, const cfg_key_t *k)
{
	return (char **)((char *)c + k->off);
}

/* Parses one scalar for key k and stores it. Returns 0 or -1 (reason in why). */
static int apply_scalar(lis_config_t *c, const cfg_key_t *k, const char *v, size_t len, char *why,
                        size_t whylen)
{
	uint64_t x = 0;

	if (len == 0) {
		snprintf(why, whylen, "empty value; expected %s", k->hint);
		return -1;
	}
	switch (k->kind) {
	case K_PATH:
		if (memchr(v, '\0', len)) {
			snprintf(why, whylen, "expected %s", k->hint);
			return -1;
		}
		break;
	case K_USER:
	case K_GROUP: {
		char name[256];
		if (memchr(v, '\0', len) || len >= sizeof name) {
			snprintf(why, whylen, "expected %s", k->hint);
			return -1;
		}
		memcpy(name, v, len);
		name[len] = 0;
		/* config loading is single-threaded: getpwnam's static result is fine */
		if (k->kind == K_USER ? !getpwnam(name) : !getgrnam(name)) {
			snprintf(why, whylen,
			         "no such %s \"%.64s\" on this system; create it or fix the name",
			         k->kind == K_USER ? "user" : "group", name);
			return -1;
		}
		break;
	}
	case K_URL: {
		char host[256];
		if (lis_url_host(v, host, sizeof host)) {
			snprintf(why, whylen, "\"%.*s\" is not %s", (int)(len > 100 ? 100 : len), v,
			         k->hint);
			return -1;
		}
		break;
	}
	case K_DURATION:
		if (lis_parse_duration_ms(v, len, &x)) {
			snprintf(why, whylen,
			         "\"%.*s\" is not a duration; write it like 90s, 30m or 24h",
			         (int)(len > 40 ? 40 : len), v);
			return -1;
		}
		break;
	case K_SIZE:
		if (lis_parse_size(v, len, &x)) {
			snprintf(why, whylen,
			         "\"%.*s\" is not a size; write it like 65536, 64k or 1M",
			         (int)(len > 40 ? 40 : len), v);
			return -1;
		}
		break;
	case K_UINT: {
		size_t used;
		if (lis_parse_u64(v, len, &used, &x) || used != len) {
			snprintf(why, whylen, "\"%.*s\" is not %s", (int)(len > 40 ? 40 : len), v,
			         k->hint);
			return -1;
		}
		break;
	}
	case K_ENUM: {
		size_t i;
		for (i = 0; k->words[i]; i++)
			if (strlen(k->words[i]) == len && memcmp(k->words[i], v, len) == 0)
				break;
		if (!k->words[i]) {
			snprintf(why, whylen, "\"%.*s\" is not %s", (int)(len > 40 ? 40 : len), v,
			         k->hint);
			return -1;
		}
		x = i;
		break;
	}
	default:
		snprintf(why, whylen, "internal: not a scalar key");
		return -1;
	}
	if ((k->kind == K_DURATION || k->kind == K_SIZE || k->kind == K_UINT) &&
	    (x < k->min || x > k->max)) {
		snprintf(why, whylen, "%.*s is out of range: expected %s",
		         (int)(len > 40 ? 40 : len), v, k->hint);
		return -1;
	}
	switch (k->store) {
	case S_STR: {
		char **slot = str_slot(c, k);
		char *dup = strndup(v, len);
		if (!dup)
			abort();
		free(*slot);
		*slot = dup;
		break;
	}
	case S_UINT:
		*(unsigned *)((char *)c + k->off) = (unsigned)(k->scale ? x / k->scale : x);
		break;
	case S_U64:
		*(uint64_t *)((char *)c + k->off) = x;
		break;
	default:
		break;
	}
	return 0;
}

/* ---------------- defaults and lifetime ---------------------------------- */

void lis_config_init(lis_config_t *c)
{
	char why[256];
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].def &&
		    apply_scalar(c, &keys[i], keys[i].def, strlen(keys[i].def), why, sizeof why))
			abort(); /* broken table: invariant */
}

void lis_config_clear_listen(lis_config_t *c)
{
	for (size_t i = 0; i < c->n_listen; i++) {
		free(c->listen[i].cert);
		free(c->listen[i].key);
		free(c->listen[i].client_ca);
	}
	free(c->listen);
	c->listen = NULL;
	c->n_listen = 0;
}

const lis_tenant_cfg_t *lis_config_tenant(const lis_config_t *c, const char *id)
{
	if (!c || !id)
		return NULL;
	for (size_t i = 0; i < c->n_tenants; i++)
		if (strcmp(c->tenants[i].id, id) == 0)
			return &c->tenants[i];
	return NULL;
}

void lis_config_finish(lis_config_t *c)
{
	if (!c->events_outbox && c->db) {
		size_t n = strlen(c->db);
		while (n > 1 && c->db[n - 1] == '/')
			n--;
		if (asprintf(&c->events_outbox, "%.*s-events", (int)n, c->db) < 0)
			abort();
	}
	if (!c->nomadic_store && c->db) {
		size_t n = strlen(c->db);
		while (n > 1 && c->db[n - 1] == '/')
			n--;
		if (asprintf(&c->nomadic_store, "%.*s-nomadic", (int)n, c->db) < 0)
			abort();
	}
}

void lis_config_deinit(lis_config_t *c)
{
	lis_config_clear_listen(c);
	lis_cfg_tenants_clear(c);
	free(c->file);
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].store == S_STR)
			free(*str_slot(c, &keys[i]));
	lis_config_init(c);
}

void lis_config_set_db(lis_config_t *c, const char *db)
{
	free(c->db);
	c->db = strdup(db);
	if (!c->db)
		abort();
}

static lis_listen_t *listen_add(lis_config_t *c)
{
	lis_listen_t *l = realloc(c->listen, (c->n_listen + 1) * sizeof *l);
	if (!l)
		abort();
	c->listen = l;
	l = &c->listen[c->n_listen++];
	memset(l, 0, sizeof *l);
	return l;
}

int lis_config_add_listen(lis_config_t *c, const char *spec, wm_diag_t *diag)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	size_t len = strlen(spec);
	if (len >= sizeof c->listen[0].addr || lis_parse_hostport(spec, len, &sa, &salen)) {
		wm_diag_add(diag, "--listen", 0, NULL,
		            "\"%s\" is not ADDR:PORT; write it like 127.0.0.1:8080 or [::1]:8080",
		            spec);
		return LIS_ECONFIG;
	}
	lis_listen_t *l = listen_add(c);
	memcpy(l->addr, spec, len + 1);
	l->sa = sa;
	l->salen = salen;
	return 0;
}

/* ---------------- the YAML walk ------------------------------------------ */

static const cfg_key_t *key_find(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

/* "a, b or c": the keys valid in a section, for the unknown-key message. */
static void section_keys(const char *prefix, char *out, size_t outlen)
{
	size_t pl = prefix ? strlen(prefix) : 0, n = 0, cnt = 0, total = 0;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *p = keys[i].path;
		if (prefix ? (strncmp(p, prefix, pl) == 0 && p[pl] == '.') : !strchr(p, '.'))
			total++;
	}
	out[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		const char *p = keys[i].path;
		if (prefix ? !(strncmp(p, prefix, pl) == 0 && p[pl] == '.')
		           : strchr(p, '.') != NULL)
			continue;
		const char *name = prefix ? p + pl + 1 : p;
		cnt++;
		int w = snprintf(out + n, outlen - n, "%s%s",
		                 cnt == 1       ? ""
		                 : cnt == total ? " or "
		                                : ", ",
		                 name);
		if (w < 0 || (size_t)w >= outlen - n)
			return;
		n += (size_t)w;
	}
}

const char *lis_cfg_scalar(const yaml_node_t *n, size_t *len)
{
	*len = n->data.scalar.length;
	return (const char *)n->data.scalar.value;
}

bool lis_cfg_scalar_is_null(const yaml_node_t *n)
{
	size_t len;
	const char *v = lis_cfg_scalar(n, &len);
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (len == 0 || (len == 1 && v[0] == '~') || (len == 4 && memcmp(v, "null", 4) == 0));
}

static void load_listen_item(loader_t *L, yaml_node_t *item)
{
	if (item->type != YAML_MAPPING_NODE) {
		lis_cfg_err(L, item, "listen",
		            "each entry must be {http: ADDR:PORT} or {https: ADDR:PORT, "
		            "cert: FILE, key: FILE}");
		return;
	}
	yaml_node_t *addr = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	bool tls = false, bad = false;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			lis_cfg_err(L, k ? k : item, "listen", "keys must be plain words");
			bad = true;
			continue;
		}
		const char *name = (const char *)k->data.scalar.value;
		yaml_node_t **slot = NULL;
		if (strcmp(name, "http") == 0 || strcmp(name, "https") == 0) {
			if (addr) {
				lis_cfg_err(L, k, "listen",
				            "an entry has one of http or https, not both");
				bad = true;
				continue;
			}
			tls = name[4] == 's';
			slot = &addr;
		} else if (strcmp(name, "cert") == 0) {
			slot = &cert;
		} else if (strcmp(name, "key") == 0) {
			slot = &key;
		} else if (strcmp(name, "client_ca") == 0) {
			slot = &ca;
		} else {
			lis_cfg_err(
			    L, k, "listen",
			    "unknown key \"%s\" (expected http, https, cert, key or client_ca)",
			    name);
			bad = true;
			continue;
		}
		if (*slot) {
			lis_cfg_err(L, k, "listen", "duplicate key \"%s\"", name);
			bad = true;
			continue;
		}
		if (v->type != YAML_SCALAR_NODE || lis_cfg_scalar_is_null(v)) {
			lis_cfg_err(L, v, "listen", "%s: expected a value", name);
			bad = true;
			continue;
		}
		*slot = v;
	}
	if (bad)
		return;
	if (!addr) {
		lis_cfg_err(L, item, "listen", "entry has neither http nor https: ADDR:PORT");
		return;
	}
	size_t alen;
	const char *a = lis_cfg_scalar(addr, &alen);
	struct sockaddr_storage sa;
	socklen_t salen;
	if (alen >= sizeof L->c->listen[0].addr || lis_parse_hostport(a, alen, &sa, &salen)) {
		lis_cfg_err(L, addr, tls ? "listen.https" : "listen.http",
		            "\"%.*s\" is not ADDR:PORT; write it like 127.0.0.1:8080 or [::1]:8080",
		            (int)(alen > 60 ? 60 : alen), a);
		return;
	}
	if (!tls && (cert || key || ca)) {
		lis_cfg_err(L,
		            cert  ? cert
		            : key ? key
		                  : ca,
		            "listen", "cert, key and client_ca belong to https listeners");
		return;
	}
	if (tls && (!cert || !key)) {
		lis_cfg_err(L, addr, "listen.https",
		            "an https listener needs cert: FILE and key: FILE");
		return;
	}
	lis_listen_t *l = listen_add(L->c);
	memcpy(l->addr, a, alen);
	l->addr[alen] = '\0';
	l->sa = sa;
	l->salen = salen;
	l->tls = tls;
	l->line = (unsigned)addr->start_mark.line + 1;
	if (cert && !(l->cert = strdup((const char *)cert->data.scalar.value)))
		abort();
	if (key && !(l->key = strdup((const char *)key->data.scalar.value)))
		abort();
	if (ca && !(l->client_ca = strdup((const char *)ca->data.scalar.value)))
		abort();
}

static void load_listen(loader_t *L, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		lis_cfg_err(L, v, "listen",
		            "expected a list of {http: ADDR:PORT} or {https: ...} entries");
		return;
	}
	lis_config_clear_listen(L->c);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = yaml_document_get_node(L->doc, *it);
		if (item)
			load_listen_item(L, item);
	}
}

static void load_mapping(loader_t *L, yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			lis_cfg_err(L, k, prefix ? prefix : "(top level)",
			            "keys must be plain words");
			continue;
		}
		char path[128];
		snprintf(path, sizeof path, "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
		         (const char *)k->data.scalar.value);
		const cfg_key_t *key = key_find(path);
		if (!key) {
			char valid[256];
			section_keys(prefix, valid, sizeof valid);
			lis_cfg_err(L, k, path, "unknown key (expected %s)", valid);
			continue;
		}
		size_t ki = (size_t)(key - keys);
		if (L->seen[ki]) {
			lis_cfg_err(L, k, path, "duplicate key (first set on line %u)",
			            L->seen[ki]);
			continue;
		}
		L->seen[ki] = (unsigned)k->start_mark.line + 1;
		if (key->kind == K_LISTEN) {
			load_listen(L, v);
		} else if (key->kind == K_TENANTS) {
			if (!(v->type == YAML_SCALAR_NODE && lis_cfg_scalar_is_null(v)))
				lis_cfg_load_tenants(L, v);
		} else if (key->kind == K_MAP) {
			if (v->type == YAML_SCALAR_NODE && lis_cfg_scalar_is_null(v))
				continue; /* "token:" with nothing under it */
			if (v->type != YAML_MAPPING_NODE) {
				char valid[256];
				section_keys(path, valid, sizeof valid);
				lis_cfg_err(L, v, path, "expected a mapping of %s", valid);
				continue;
			}
			load_mapping(L, v, path);
		} else if (v->type != YAML_SCALAR_NODE) {
			lis_cfg_err(L, v, path, "expected a single value: %s", key->hint);
		} else if (lis_cfg_scalar_is_null(v) && key->store == S_STR) {
			free(*str_slot(L->c, key)); /* explicit null: unset */
			*str_slot(L->c, key) = NULL;
		} else {
			char why[256];
			size_t len;
			const char *s = lis_cfg_scalar(v, &len);
			if (apply_scalar(L->c, key, s, len, why, sizeof why))
				lis_cfg_err(L, v, path, "%s", why);
			else if (ki == (size_t)(key_find("token.key_file") - keys))
				L->c->token_key_line = (unsigned)v->start_mark.line + 1;
		}
	}
}

int lis_config_load_string(lis_config_t *c, const char *name, const char *text, size_t len,
                           wm_diag_t *diag)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	unsigned seen[NKEYS] = {0};
	loader_t L = {.c = c, .file = name, .diag = diag, .seen = seen};
	int rc = 0;

	if (c->file != name) {
		free(c->file);
		if (!(c->file = strdup(name)))
			abort();
	}
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		wm_diag_add(diag, name, (unsigned)parser.problem_mark.line + 1, NULL, "%s%s%s",
		            parser.problem ? parser.problem : "YAML syntax error",
		            parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return LIS_ECONFIG;
	}
	L.doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		load_mapping(&L, root, NULL);
	else if (root && !(root->type == YAML_SCALAR_NODE && lis_cfg_scalar_is_null(root)))
		lis_cfg_err(&L, root, "(top level)", "expected a mapping of configuration keys");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (L.errors)
		rc = LIS_ECONFIG;
	return rc;
}

int lis_config_load(lis_config_t *c, const char *path, wm_diag_t *diag)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f) {
		wm_diag_add(diag, path, 0, NULL, "cannot open: %s", strerror(errno));
		return LIS_ECONFIG;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 24)) {
				wm_diag_add(diag, path, 0, NULL,
				            "file too large for a configuration");
				rc = LIS_ECONFIG;
				goto out;
			}
			char *nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		wm_diag_add(diag, path, 0, NULL, "read error: %s", strerror(errno));
		rc = LIS_ECONFIG;
		goto out;
	}
	rc = lis_config_load_string(c, path, buf, len, diag);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* ---------------- whole-config checks ------------------------------------ */

static void check_file(wm_diag_t *d, const char *cfgname, unsigned line, const char *key,
                       const char *path, bool private_key, size_t min_size, size_t *errors)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wm_diag_add(d, cfgname, line, key, "cannot read %s: %s", path, strerror(errno));
		(*errors)++;
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		wm_diag_add(d, cfgname, line, key, "%s is not a regular file", path);
		(*errors)++;
	} else if (private_key && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		wm_diag_add(d, cfgname, line, key,
		            "%s is accessible by group/others (mode %04o); run chmod 600 %s", path,
		            (unsigned)(st.st_mode & 07777), path);
		(*errors)++;
	} else if ((size_t)st.st_size < min_size) {
		wm_diag_add(
		    d, cfgname, line, key,
		    "%s holds %lld bytes; it needs at least %zu random bytes (openssl rand %zu > "
		    "%s)",
		    path, (long long)st.st_size, min_size, min_size, path);
		(*errors)++;
	}
	close(fd);
}

int lis_config_check(const lis_config_t *c, wm_diag_t *d)
{
	const char *name = c->file ? c->file : "(command line)";
	size_t errors = 0;

	if (!c->db) {
		wm_diag_add(d, name, 0, "db", "no wiremap database: set db: DIR or give --db DIR");
		errors++;
	}
	if (c->n_listen == 0) {
		wm_diag_add(
		    d, name, 0, "listen",
		    "no listener: add listen: [{http: ADDR:PORT}] or give --listen ADDR:PORT");
		errors++;
	}
	for (size_t i = 0; i < c->n_listen; i++) {
		const lis_listen_t *l = &c->listen[i];
		if (!l->tls)
			continue;
		check_file(d, name, l->line, "listen.cert", l->cert, false, 1, &errors);
		check_file(d, name, l->line, "listen.key", l->key, true, 1, &errors);
		if (l->client_ca)
			check_file(d, name, l->line, "listen.client_ca", l->client_ca, false, 1,
			           &errors);
	}
	if (c->token_key_file)
		check_file(d, name, c->token_key_line, "token.key_file", c->token_key_file, true,
		           32, &errors);
	bool any_https = false;
	for (size_t i = 0; i < c->n_listen; i++)
		any_https |= c->listen[i].tls;
	for (size_t i = 0; i < c->n_tenants; i++) {
		const lis_tenant_cfg_t *t = &c->tenants[i];
		if (t->secret_file)
			check_file(d, name, t->line, "tenants.deref.secret_file", t->secret_file,
			           true, 16, &errors);
		if (t->client_ca)
			check_file(d, name, t->line, "tenants.deref.client_ca", t->client_ca, false,
			           1, &errors);
		if (t->deref_auth == LIS_DEREF_MTLS && !any_https) {
			wm_diag_add(d, name, t->line, "tenants.deref.auth",
			            "tenant %s uses mtls but no https listener is configured",
			            t->id);
			errors++;
		}
	}
	return errors ? LIS_ECONFIG : 0;
}
