/*
 * Events (SPEC §4.5): the JSON line of an event, the emit path, the
 * unknown_location de-duplication and the JSON Lines file sink. Webhook
 * deliveries go through the durable outbox (outbox.c) and the delivery
 * thread (webhook.c).
 *
 * Durability: lis_events_emit returns only after the file line is written
 * and fdatasync'ed and the outbox transaction is committed, so once the
 * request that caused an event is answered, a SIGKILL cannot lose it.
 * A line cut short (a crash inside write(2), a full disk) is ended before
 * the next one is appended, so it never swallows a later event.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lis/lis_internal.h"

/* ---------------- unknown_location de-duplication ------------------------ */

/* One (tenant, device) key: chained in a hash bucket and in an LRU list. */
typedef struct dd_ent {
	struct dd_ent *hnext;
	struct dd_ent *prev, *next; /* LRU: head = most recently seen */
	uint64_t hash;
	uint64_t last_emit_us; /* monotonic time of the last emitted event */
	uint64_t repeats;      /* occurrences counted since then, not emitted */
	size_t klen;
	char key[];
} dd_ent_t;

typedef struct {
	pthread_mutex_t mu;
	dd_ent_t **buckets;
	size_t nbuckets, n, max;
	dd_ent_t *head, *tail;
	uint64_t window_us;
} dedup_t;

struct lis_events {
	int fd; /* JSON Lines file, or -1 */
	char *file;
	pthread_rwlock_t fd_lock; /* emit holds it shared; a reopen (SIGHUP) exclusive */
	atomic_bool torn;         /* the file ends inside a line: the next write ends it first */
	lis_outbox_t *ob;
	lis_webhook_t *wh;
	lis_config_t route; /* copy of the routing part of the config */
	dedup_t dd;
	lis_ev_counters_t ctr;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void lru_unlink(dedup_t *d, dd_ent_t *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		d->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(dedup_t *d, dd_ent_t *e)
{
	e->prev = NULL;
	e->next = d->head;
	if (d->head)
		d->head->prev = e;
	d->head = e;
	if (!d->tail)
		d->tail = e;
}

static void dd_remove(dedup_t *d, dd_ent_t *e)
{
	dd_ent_t **pp = &d->buckets[e->hash % d->nbuckets];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(d, e);
	d->n--;
	free(e);
}

static int dd_init(dedup_t *d, unsigned window_s, size_t max)
{
	memset(d, 0, sizeof *d);
	d->max = max;
	d->window_us = (uint64_t)window_s * 1000000u;
	d->nbuckets = 4096;
	while (d->nbuckets < max / 2)
		d->nbuckets *= 2;
	d->buckets = calloc(d->nbuckets, sizeof *d->buckets);
	if (!d->buckets)
		return -ENOMEM;
	pthread_mutex_init(&d->mu, NULL);
	return 0;
}

static void dd_deinit(dedup_t *d)
{
	if (!d->buckets)
		return;
	while (d->head)
		dd_remove(d, d->head);
	free(d->buckets);
	pthread_mutex_destroy(&d->mu);
	memset(d, 0, sizeof *d);
}

/*
 * One occurrence of key at now_us: returns the count to emit with (>= 1), or
 * 0 when the occurrence falls inside the window of the last emission.
 */
static uint64_t dd_hit(dedup_t *d, const char *key, size_t klen, uint64_t now_us)
{
	uint64_t h = fnv1a(key, klen), count = 1;
	pthread_mutex_lock(&d->mu);
	dd_ent_t *e = d->buckets[h % d->nbuckets];
	while (e && !(e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0))
		e = e->hnext;
	if (e) {
		lru_unlink(d, e);
		lru_push(d, e);
		if (d->window_us && now_us - e->last_emit_us < d->window_us) {
			e->repeats++;
			count = 0;
		} else {
			count = e->repeats + 1;
			e->repeats = 0;
			e->last_emit_us = now_us;
		}
		goto out;
	}
	/* Keys whose window passed without repeats are as good as new: drop
	 * them from the cold end, and the oldest when the table is full. */
	while (d->tail &&
	       ((d->tail->repeats == 0 && now_us - d->tail->last_emit_us >= d->window_us) ||
	        d->n >= d->max))
		dd_remove(d, d->tail);
	if (!d->window_us)
		goto out;
	e = malloc(sizeof *e + klen);
	if (!e)
		goto out; /* no memory: emit, never suppress */
	e->hash = h;
	e->klen = klen;
	memcpy(e->key, key, klen);
	e->last_emit_us = now_us;
	e->repeats = 0;
	e->hnext = d->buckets[h % d->nbuckets];
	d->buckets[h % d->nbuckets] = e;
	lru_push(d, e);
	d->n++;
out:
	pthread_mutex_unlock(&d->mu);
	return count;
}

/* ---------------- the event line ----------------------------------------- */

const char *lis_event_type_name(lis_event_type_t t)
{
	static const char *const names[] = {"emergency_call", "test_call", "unknown_location"};
	return (unsigned)t < LIS_EV_TYPE_COUNT ? names[t] : "unknown";
}

uint64_t lis_wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

void lis_uuid_v4(char out[37])
{
	uint8_t b[16];
	lis_random_bytes(b, sizeof b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

/* Appends one civic value with an optional label ("FLR 1") as a segment. */
static void seg(char *out, size_t outlen, size_t *n, const char *sep, const char *label,
                const char *v)
{
	if (!v || !*v || *n >= outlen)
		return;
	int w = snprintf(out + *n, outlen - *n, "%s%s%s%s", *n ? sep : "", label ? label : "",
	                 label ? " " : "", v);
	if (w > 0)
		*n = *n + (size_t)w < outlen ? *n + (size_t)w : outlen - 1;
}

void lis_event_address(const wm_location_t *loc, char *out, size_t outlen)
{
	size_t n = 0;
	char street[512] = "";
	size_t sn = 0;

	out[0] = '\0';
	if (!loc || !outlen)
		return;
	const char *const *c = loc->civic;
	/* House number and street, as a dispatcher reads them out. */
	static const wm_ca_key_t st[] = {WM_CA_HNP, WM_CA_HNO, WM_CA_HNS, WM_CA_PRM, WM_CA_PRD,
	                                 WM_CA_RD,  WM_CA_STS, WM_CA_POD, WM_CA_POM};
	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
		seg(street, sizeof street, &sn, " ", NULL, c[st[i]]);
	if (!c[WM_CA_RD] && c[WM_CA_A6])
		seg(street, sizeof street, &sn, " ", NULL, c[WM_CA_A6]);
	seg(street, sizeof street, &sn, " ", NULL, c[WM_CA_RDSEC]);
	seg(street, sizeof street, &sn, " ", NULL, c[WM_CA_RDBR]);
	seg(street, sizeof street, &sn, " ", NULL, c[WM_CA_RDSUBBR]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_NAM]);
	seg(out, outlen, &n, ", ", NULL, street);
	seg(out, outlen, &n, ", ", "PO Box", c[WM_CA_POBOX]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_LMK]);
	seg(out, outlen, &n, ", ", "BLDG", c[WM_CA_BLD]);
	seg(out, outlen, &n, ", ", "FLR", c[WM_CA_FLR]);
	seg(out, outlen, &n, ", ", "UNIT", c[WM_CA_UNIT]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_LOC]);
	seg(out, outlen, &n, ", ", "ROOM", c[WM_CA_ROOM]);
	seg(out, outlen, &n, ", ", "SEAT", c[WM_CA_SEAT]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_A5]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_A4]);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_A3] ? c[WM_CA_A3] : c[WM_CA_PCN]);
	char region[256] = "";
	size_t rn = 0;
	seg(region, sizeof region, &rn, " ", NULL, c[WM_CA_A1]);
	seg(region, sizeof region, &rn, " ", NULL, c[WM_CA_PC]);
	seg(out, outlen, &n, ", ", NULL, region);
	seg(out, outlen, &n, ", ", NULL, c[WM_CA_COUNTRY]);
}

/* Appends "s" JSON-escaped and quoted, or null. */
static int jstr(held_buf_t *b, const char *s)
{
	if (!s)
		return lis_buf_printf(b, "null");
	size_t n = strlen(s), cap = n * 6 + 8;
	char small[512], *esc = cap <= sizeof small ? small : malloc(cap);
	if (!esc)
		return -ENOMEM;
	lis_json_escape(esc, cap, s);
	int rc = lis_buf_printf(b, "\"%s\"", esc);
	if (esc != small)
		free(esc);
	return rc;
}

static int jkey(held_buf_t *b, const char *k, const char *v)
{
	int rc = lis_buf_printf(b, ",\"%s\":", k);
	return rc ? rc : jstr(b, v);
}

static const char *nz(const char *s)
{
	return s && *s ? s : NULL;
}

int lis_event_json(held_buf_t *b, const lis_event_t *e, const char *id, unsigned count,
                   uint64_t now_ms)
{
	const wm_location_t *loc = e->loc;
	char ts[40], addr[1024];
	struct tm tm;
	time_t secs = (time_t)(now_ms / 1000);
	unsigned ms = (unsigned)(now_ms % 1000);
	int rc = 0;

	/* The caller's second when it differs from the clock (e.g. a replay). */
	if (e->ts && e->ts != secs) {
		secs = e->ts;
		ms = 0;
	}
	gmtime_r(&secs, &tm);
	size_t tn = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tn, sizeof ts - tn, ".%03uZ", ms);
	lis_event_address(loc, addr, sizeof addr);

	rc |= lis_buf_printf(b, "{\"id\":");
	rc |= jstr(b, id);
	rc |= jkey(b, "ts", ts);
	rc |= jkey(b, "type", lis_event_type_name(e->type));
	rc |= jkey(b, "tenant", nz(e->tenant));
	rc |= jkey(b, "building_id", loc ? nz(loc->building_id) : NULL);
	rc |= jkey(b, "location_id", loc ? nz(loc->id) : NULL);
	rc |= jkey(b, "location_name", loc ? nz(loc->name) : NULL);
	rc |= jkey(b, "address", loc && addr[0] ? addr : NULL);
	rc |= lis_buf_printf(b, ",\"civic\":");
	if (loc) {
		const char *sep = "{";
		for (int k = 0; k < WM_CA_COUNT; k++) {
			if (!loc->civic[k])
				continue;
			rc |= lis_buf_printf(b, "%s\"%s\":", sep, wm_ca_key_name((wm_ca_key_t)k));
			rc |= jstr(b, loc->civic[k]);
			sep = ",";
		}
		rc |= lis_buf_printf(b, "%s", *sep == '{' ? "{}" : "}");
	} else {
		rc |= lis_buf_printf(b, "null");
	}
	if (loc && loc->geo.set)
		rc |= lis_buf_printf(b, ",\"geo\":{\"lat\":%.7f,\"lon\":%.7f,\"radius\":%.1f}",
		                     loc->geo.lat, loc->geo.lon, loc->geo.radius);
	else
		rc |= lis_buf_printf(b, ",\"geo\":null");
	rc |= jkey(b, "method", wm_method_name(e->method));
	rc |= jkey(b, "device", nz(e->device));
	if (loc && nz(loc->ecbn))
		rc |= jkey(b, "ecbn", loc->ecbn);
	if (nz(e->source))
		rc |= jkey(b, "source", e->source);
	if (nz(e->dialed))
		rc |= jkey(b, "dialed", e->dialed);
	if (nz(e->caller))
		rc |= jkey(b, "caller", e->caller);
	if (nz(e->call_id))
		rc |= jkey(b, "call_id", e->call_id);
	rc |= lis_buf_printf(b, ",\"count\":%u}\n", count);
	return rc ? -ENOMEM : 0;
}

/* ---------------- routing ------------------------------------------------ */

const char *lis_events_route(const lis_config_t *cfg, const char *tenant, const char *building)
{
	for (size_t i = 0; tenant && i < cfg->n_tenants; i++) {
		const lis_tenant_cfg_t *t = &cfg->tenants[i];
		if (!t->id || strcmp(t->id, tenant) != 0)
			continue;
		for (size_t j = 0; building && j < t->n_building_hooks; j++)
			if (t->building_hooks[j].building && t->building_hooks[j].url &&
			    strcmp(t->building_hooks[j].building, building) == 0)
				return t->building_hooks[j].url;
		if (t->webhook)
			return t->webhook;
		break;
	}
	return cfg->events_webhook;
}

static bool any_webhook(const lis_config_t *cfg)
{
	if (cfg->events_webhook)
		return true;
	for (size_t i = 0; i < cfg->n_tenants; i++)
		if (cfg->tenants[i].webhook || cfg->tenants[i].n_building_hooks)
			return true;
	return false;
}

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* Copies what routing needs, so the events never point into a config. */
static void route_copy(lis_config_t *dst, const lis_config_t *src)
{
	memset(dst, 0, sizeof *dst);
	dst->events_webhook = xstrdup(src->events_webhook);
	if (!src->n_tenants)
		return;
	dst->tenants = calloc(src->n_tenants, sizeof *dst->tenants);
	if (!dst->tenants)
		abort();
	dst->n_tenants = src->n_tenants;
	for (size_t i = 0; i < src->n_tenants; i++) {
		const lis_tenant_cfg_t *s = &src->tenants[i];
		lis_tenant_cfg_t *d = &dst->tenants[i];
		d->id = xstrdup(s->id);
		d->webhook = xstrdup(s->webhook);
		if (s->n_building_hooks) {
			d->building_hooks = calloc(s->n_building_hooks, sizeof *d->building_hooks);
			if (!d->building_hooks)
				abort();
			d->n_building_hooks = s->n_building_hooks;
			for (size_t j = 0; j < s->n_building_hooks; j++) {
				d->building_hooks[j].building =
				    xstrdup(s->building_hooks[j].building);
				d->building_hooks[j].url = xstrdup(s->building_hooks[j].url);
			}
		}
	}
}

static void route_free(lis_config_t *r)
{
	free(r->events_webhook);
	for (size_t i = 0; i < r->n_tenants; i++) {
		lis_tenant_cfg_t *t = &r->tenants[i];
		free(t->id);
		free(t->webhook);
		for (size_t j = 0; j < t->n_building_hooks; j++) {
			free(t->building_hooks[j].building);
			free(t->building_hooks[j].url);
		}
		free(t->building_hooks);
	}
	free(r->tenants);
	memset(r, 0, sizeof *r);
}

/* ---------------- the file sink ------------------------------------------ */

/*
 * Appends one line with one write(2) (O_APPEND keeps concurrent lines whole)
 * and fdatasyncs it. When the file ends inside a line (ev->torn), the same
 * write starts with a '\n' that ends the fragment first. A write cut short
 * (a full disk, a file size limit) sets ev->torn for the next one. n may be
 * 0 to end a fragment only.
 */
static int write_line(lis_events_t *ev, const char *p, size_t n)
{
	size_t hdr = atomic_load(&ev->torn) ? 1 : 0, off = 0, total = hdr + n;

	while (off < total) {
		struct iovec v[2];
		int k = 0;
		if (off < hdr)
			v[k++] = (struct iovec){(void *)"\n", 1};
		size_t po = off > hdr ? off - hdr : 0;
		if (po < n)
			v[k++] = (struct iovec){(void *)(p + po), n - po};
		ssize_t w = writev(ev->fd, v, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? -errno : -EIO;
			if (off > hdr)
				atomic_store(&ev->torn, true); /* part of this line is there */
			else if (hdr && off == hdr)
				atomic_store(&ev->torn, false); /* only the fragment was ended */
			return e;
		}
		off += (size_t)w;
	}
	if (hdr)
		atomic_store(&ev->torn, false);
	return fdatasync(ev->fd) != 0 ? -errno : 0;
}

/*
 * A crash can leave the file ending inside a line: SIGKILL lands while the
 * kernel copies a line that spans a page (write(2) then returns short, then
 * the process is gone), or the power goes before fdatasync. That event was
 * never confirmed (lis_events_emit returns after the whole line is synced),
 * but the next line appended would be glued to the fragment and lost to
 * every reader. The fragment is ended with a '\n' and reported, never cut
 * off: readers of an append-only log (log shippers) keep offsets into it.
 */
static void seal_torn_tail(lis_events_t *ev)
{
	char tail[LIS_EVENT_BODY_MAX + 2];
	struct stat st;

	if (fstat(ev->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	int rfd = open(ev->file, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return;
	off_t from = st.st_size > (off_t)sizeof tail ? st.st_size - (off_t)sizeof tail : 0;
	ssize_t r = pread(rfd, tail, (size_t)(st.st_size - from), from);
	close(rfd);
	if (r <= 0 || tail[r - 1] == '\n')
		return;
	const char *nl = memrchr(tail, '\n', (size_t)r);
	const char *frag = nl ? nl + 1 : tail;
	size_t flen = (size_t)(tail + r - frag);
	char id[37] = "";
	if (flen >= 43 && strncmp(frag, "{\"id\":\"", 7) == 0)
		snprintf(id, sizeof id, "%.36s", frag + 7);
	atomic_store(&ev->torn, true);
	int w = write_line(ev, "", 0);
	if (w)
		lis_log(LIS_LOG_WARN,
		        "events.file %s: its last line (%s%zu bytes%s%s) was cut short by a crash "
		        "or a full disk; cannot end it now (%s): the next event will",
		        ev->file, nl || from == 0 ? "" : "at least ", flen, id[0] ? ", event " : "",
		        id, strerror(-w));
	else
		lis_log(LIS_LOG_WARN,
		        "events.file %s: its last line (%s%zu bytes%s%s) was cut short by a crash "
		        "or a full disk; ended it, so the next event starts a line of its own",
		        ev->file, nl || from == 0 ? "" : "at least ", flen, id[0] ? ", event " : "",
		        id);
}

/* ---------------- lifecycle ---------------------------------------------- */

int lis_events_open(const lis_config_t *cfg, lis_events_t **out, char *err, size_t errlen)
{
	lis_events_t *ev = calloc(1, sizeof *ev);
	char dflt[4096];
	int rc = 0;

	*out = NULL;
	if (!ev)
		return -ENOMEM;
	ev->fd = -1;
	atomic_init(&ev->torn, false);
	pthread_rwlock_init(&ev->fd_lock, NULL);
	route_copy(&ev->route, cfg);
	if ((rc = dd_init(&ev->dd, cfg->events_dedup_s, LIS_DEDUP_MAX_KEYS))) {
		snprintf(err, errlen, "events: out of memory");
		goto out;
	}
	if (cfg->events_file) {
		ev->file = xstrdup(cfg->events_file);
		ev->fd = open(cfg->events_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (ev->fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "events.file %s: cannot open for appending: %s",
			         cfg->events_file, strerror(errno));
			goto out;
		}
		seal_torn_tail(ev);
	}
	const char *dir = cfg->events_outbox;
	if (!dir && cfg->db) {
		snprintf(dflt, sizeof dflt, "%s-events", cfg->db);
		dir = dflt;
	}
	/* Open the outbox when a webhook is configured, and also when an
	 * earlier run left one: its events still carry their URLs. */
	struct stat sb;
	if (dir && (any_webhook(cfg) || stat(dir, &sb) == 0)) {
		if ((rc = lis_outbox_open(dir, cfg->events_outbox_max, &ev->ob, err, errlen)))
			goto out;
		if ((rc = lis_webhook_new(ev->ob, &ev->ctr, cfg->events_retry_max_s, &ev->wh, err,
		                          errlen)))
			goto out;
	} else if (any_webhook(cfg)) {
		snprintf(err, errlen,
		         "events: a webhook is configured but no events.outbox (or db)");
		rc = LIS_ECONFIG;
		goto out;
	}
	*out = ev;
	ev = NULL;
out:
	lis_events_close(ev);
	return rc;
}

/*
 * After logrotate moved events.file away (its default `create` mode), the
 * next line must go to a new file of that name. Lines being written finish
 * on the old file first (the lock), so no event is split across the two.
 * When the new file cannot be opened, lisd keeps appending to the old one.
 */
int lis_events_reopen(lis_events_t *ev)
{
	if (!ev || !ev->file)
		return 0;
	int fd = open(ev->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;
		lis_log(LIS_LOG_ERROR,
		        "events.file %s: cannot reopen (%s): still appending to the "
		        "file it had open",
		        ev->file, strerror(e));
		return -e;
	}
	pthread_rwlock_wrlock(&ev->fd_lock);
	int old = ev->fd;
	ev->fd = fd;
	atomic_store(&ev->torn, false);
	seal_torn_tail(ev);
	pthread_rwlock_unlock(&ev->fd_lock);
	if (old >= 0)
		close(old);
	return 0;
}

int lis_events_start(lis_events_t *ev)
{
	if (!ev || !ev->wh)
		return 0;
	return lis_webhook_start(ev->wh);
}

void lis_events_close(lis_events_t *ev)
{
	if (!ev)
		return;
	lis_webhook_free(ev->wh);
	lis_outbox_close(ev->ob);
	if (ev->fd >= 0)
		close(ev->fd);
	pthread_rwlock_destroy(&ev->fd_lock);
	free(ev->file);
	dd_deinit(&ev->dd);
	route_free(&ev->route);
	free(ev);
}

/* ---------------- emit --------------------------------------------------- */

int lis_events_emit(lis_events_t *ev, const lis_event_t *e)
{
	held_buf_t b;
	char id[37];
	uint64_t count = 1;
	int rc = 0;

	if (!ev || !e || (unsigned)e->type >= LIS_EV_TYPE_COUNT)
		return -EINVAL;
	if (e->type == LIS_EV_UNKNOWN_LOCATION) {
		char key[1024];
		const char *dev = nz(e->device) ? e->device : (nz(e->source) ? e->source : "");
		int kn = snprintf(key, sizeof key, "%s%c%s", e->tenant ? e->tenant : "", 0, dev);
		size_t klen = kn < 0 ? 0 : (size_t)kn < sizeof key ? (size_t)kn : sizeof key - 1;
		count = dd_hit(&ev->dd, key, klen, lis_now_usec());
		if (count == 0) {
			atomic_fetch_add(&ev->ctr.suppressed, 1);
			return 0;
		}
	}
	atomic_fetch_add(&ev->ctr.by_type[e->type], 1);
	lis_uuid_v4(id);
	held_buf_init(&b);
	if (lis_event_json(&b, e, id, count > UINT32_MAX ? UINT32_MAX : (unsigned)count,
	                   lis_wall_ms()) != 0) {
		rc = -ENOMEM;
		goto out;
	}
	pthread_rwlock_rdlock(&ev->fd_lock);
	if (ev->fd >= 0) {
		int w = write_line(ev, b.p, b.len);
		if (w) {
			lis_log(LIS_LOG_ERROR, "events.file %s: %s event %s not written: %s",
			        ev->file, lis_event_type_name(e->type), id, strerror(-w));
			rc = w;
		}
	}
	pthread_rwlock_unlock(&ev->fd_lock);
	const char *url =
	    lis_events_route(&ev->route, e->tenant, e->loc ? e->loc->building_id : NULL);
	if (url && ev->ob) {
		unsigned dropped = 0;
		/* The body goes out without the line's '\n'. */
		int p = lis_outbox_put(ev->ob, id, e->type, url, b.p, b.len - 1, lis_wall_ms(),
		                       &dropped);
		if (dropped) {
			atomic_fetch_add(&ev->ctr.dropped, dropped);
			lis_log(LIS_LOG_WARN,
			        "events outbox full: dropped the oldest unknown_location event");
		}
		if (p) {
			atomic_fetch_add(&ev->ctr.dropped, p == LIS_EFULL ? 1 : 0);
			if (p == LIS_EFULL)
				lis_log(
				    LIS_LOG_ERROR,
				    "events outbox full of calls not yet delivered: %s event %s "
				    "refused for its webhook (raise events.outbox_max, check the "
				    "receiver)",
				    lis_event_type_name(e->type), id);
			else
				lis_log(LIS_LOG_ERROR,
				        "events outbox: %s event %s not queued for its webhook: %s",
				        lis_event_type_name(e->type), id, lis_strerror(p));
			rc = p;
		} else {
			lis_webhook_wake(ev->wh);
		}
	}
out:
	if (rc)
		atomic_fetch_add(&ev->ctr.lost, 1);
	held_buf_deinit(&b);
	return rc;
}

/* ---------------- metrics ------------------------------------------------ */

int lis_events_metrics(lis_events_t *ev, held_buf_t *b)
{
	lis_ev_counters_t zero;
	memset(&zero, 0, sizeof zero);
	lis_ev_counters_t *c = ev ? &ev->ctr : &zero;
	int rc = 0;

	rc |= lis_buf_printf(b, "# HELP lis_events_total Events emitted, by type.\n"
	                        "# TYPE lis_events_total counter\n");
	for (int t = 0; t < LIS_EV_TYPE_COUNT; t++)
		rc |= lis_buf_printf(b, "lis_events_total{type=\"%s\"} %" PRIu64 "\n",
		                     lis_event_type_name((lis_event_type_t)t),
		                     (uint64_t)atomic_load(&c->by_type[t]));
	rc |= lis_buf_printf(
	    b,
	    "# HELP lis_events_suppressed_total unknown_location repeats counted inside the "
	    "de-duplication window, not emitted.\n"
	    "# TYPE lis_events_suppressed_total counter\n"
	    "lis_events_suppressed_total %" PRIu64 "\n"
	    "# HELP lis_event_deliveries_total Webhook delivery outcomes.\n"
	    "# TYPE lis_event_deliveries_total counter\n"
	    "lis_event_deliveries_total{outcome=\"delivered\"} %" PRIu64 "\n"
	    "lis_event_deliveries_total{outcome=\"retry\"} %" PRIu64 "\n"
	    "lis_event_deliveries_total{outcome=\"dropped\"} %" PRIu64 "\n"
	    "# HELP lis_events_outbox_depth Webhook deliveries waiting in the outbox.\n"
	    "# TYPE lis_events_outbox_depth gauge\n"
	    "lis_events_outbox_depth %zu\n"
	    "# HELP lis_events_lost_total Events that a sink could not record.\n"
	    "# TYPE lis_events_lost_total counter\n"
	    "lis_events_lost_total %" PRIu64 "\n",
	    (uint64_t)atomic_load(&c->suppressed), (uint64_t)atomic_load(&c->delivered),
	    (uint64_t)atomic_load(&c->retry), (uint64_t)atomic_load(&c->dropped),
	    ev ? lis_outbox_depth(ev->ob) : (size_t)0, (uint64_t)atomic_load(&c->lost));
	return rc ? -ENOMEM : 0;
}
