/*
 * Index lifecycle: build at start, rebuild in a background thread on SIGHUP
 * or when the store generation moves, swap the pointer in. Requests hold a
 * reference to the index they started with; the last reference frees it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lis/lis_internal.h"

struct lis_reloader {
	char *db;
	pthread_mutex_t mu; /* guards cur */
	lis_ixref_t *cur;
	atomic_bool serving;

	/* The store is used by the control thread (generation polls) and the
	 * build thread, never both at once: polls are skipped while building. */
	wm_store_t *st;
	pthread_t th;
	bool building;
	atomic_bool built;
	int build_rc;
	uint64_t target_gen;
	bool pending_force;
	bool failed_valid;
	uint64_t failed_gen;
	int last_open_err;
	int last_gen_err;
};

static void install(lis_reloader_t *r, wm_index_t *ix)
{
	lis_ixref_t *ref = calloc(1, sizeof *ref), *old;
	if (!ref)
		abort();
	ref->ix = ix;
	atomic_init(&ref->refs, 1);
	wm_index_stats_t st;
	wm_index_stats(ix, &st);
	pthread_mutex_lock(&r->mu);
	old = r->cur;
	r->cur = ref;
	pthread_mutex_unlock(&r->mu);
	atomic_store(&r->serving, st.tenants > 0);
	lis_ixref_release(old);
}

/* Builds from the store; logs and counts. Any thread. */
static int build(lis_reloader_t *r)
{
	uint64_t t0 = lis_now_usec();
	wm_index_t *ix = NULL;
	int rc = wm_index_build(r->st, &ix);
	if (rc < 0) {
		lis_metrics_reload(false);
		pthread_mutex_lock(&r->mu);
		bool have = r->cur != NULL;
		uint64_t g = have ? wm_index_generation(r->cur->ix) : 0;
		pthread_mutex_unlock(&r->mu);
		if (have)
			lis_log(
			    LIS_LOG_ERROR,
			    "wiremap reload from %s failed: %s; still serving generation %" PRIu64,
			    r->db, lis_strerror(rc), g);
		else
			lis_log(LIS_LOG_ERROR,
			        "wiremap load from %s failed: %s; answering 503 on /healthz", r->db,
			        lis_strerror(rc));
		return rc;
	}
	wm_index_stats_t st;
	wm_index_stats(ix, &st);
	install(r, ix);
	lis_metrics_reload(true);
	lis_log(LIS_LOG_INFO,
	        "wiremap loaded from %s: generation %" PRIu64 ", %zu tenants, %zu locations, "
	        "%zu elements, %zu DIDs, %zu bytes in %" PRIu64 " ms",
	        r->db, wm_index_generation(ix), st.tenants, st.locations,
	        st.lldp_port + st.lldp_chassis + st.bssid + st.bssid_wild + st.subnet + st.gateway,
	        st.did, st.bytes, (lis_now_usec() - t0) / 1000);
	if (st.tenants == 0)
		lis_log(LIS_LOG_WARN, "the wiremap in %s holds no tenant yet; /healthz answers 503",
		        r->db);
	return 0;
}

static void *build_main(void *arg)
{
	lis_reloader_t *r = arg;
	r->build_rc = build(r);
	atomic_store(&r->built, true);
	return NULL;
}

static bool open_store(lis_reloader_t *r)
{
	int rc = wm_store_open(r->db, WM_STORE_RDONLY, 0, &r->st);
	if (rc < 0) {
		r->st = NULL;
		if (rc != r->last_open_err)
			lis_log(LIS_LOG_WARN,
			        "wiremap database %s not available (%s); answering 503 on /healthz "
			        "until it appears",
			        r->db, lis_strerror(rc));
		r->last_open_err = rc;
		return false;
	}
	r->last_open_err = 0;
	return true;
}

lis_reloader_t *lis_reloader_new(const char *db)
{
	lis_reloader_t *r = calloc(1, sizeof *r);
	if (!r || !(r->db = strdup(db)))
		abort();
	pthread_mutex_init(&r->mu, NULL);
	atomic_init(&r->serving, false);
	atomic_init(&r->built, false);
	if (open_store(r)) {
		uint64_t g = 0;
		(void)wm_store_generation(r->st, &g);
		if (build(r) < 0) {
			r->failed_valid = true;
			r->failed_gen = g;
		}
	}
	return r;
}

void lis_reloader_join(lis_reloader_t *r)
{
	if (r->building) {
		pthread_join(r->th, NULL);
		r->building = false;
		if (r->build_rc < 0) {
			r->failed_valid = true;
			r->failed_gen = r->target_gen;
		} else {
			r->failed_valid = false;
		}
	}
}

void lis_reloader_tick(lis_reloader_t *r, bool force)
{
	if (r->building) {
		if (!atomic_load(&r->built)) {
			r->pending_force |= force;
			return;
		}
		lis_reloader_join(r);
	}
	force |= r->pending_force;
	if (!r->st) {
		if (!open_store(r))
			return;
		force = true;
	}
	uint64_t g = 0;
	int rc = wm_store_generation(r->st, &g);
	if (rc < 0) {
		if (rc != r->last_gen_err)
			lis_log(LIS_LOG_ERROR, "cannot read the wiremap generation in %s: %s",
			        r->db, lis_strerror(rc));
		r->last_gen_err = rc;
		return;
	}
	r->last_gen_err = 0;
	pthread_mutex_lock(&r->mu);
	bool have = r->cur != NULL;
	uint64_t cur = have ? wm_index_generation(r->cur->ix) : 0;
	pthread_mutex_unlock(&r->mu);
	if (!force && have && cur == g)
		return;
	if (!force && r->failed_valid && r->failed_gen == g)
		return; /* that generation failed already; wait for a new one or SIGHUP */
	if (force)
		lis_log(LIS_LOG_INFO, "reloading the wiremap from %s", r->db);
	r->pending_force = false;
	r->target_gen = g;
	atomic_store(&r->built, false);
	if (pthread_create(&r->th, NULL, build_main, r) != 0) {
		lis_log(LIS_LOG_ERROR, "cannot start the index build thread; retrying in a second");
		return;
	}
	r->building = true;
}

lis_ixref_t *lis_reloader_acquire(lis_reloader_t *r)
{
	pthread_mutex_lock(&r->mu);
	lis_ixref_t *ref = r->cur;
	if (ref)
		atomic_fetch_add_explicit(&ref->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
	return ref;
}

void lis_ixref_release(lis_ixref_t *ref)
{
	if (ref && atomic_fetch_sub_explicit(&ref->refs, 1, memory_order_acq_rel) == 1) {
		wm_index_free(ref->ix);
		free(ref);
	}
}

bool lis_reloader_serving(lis_reloader_t *r)
{
	return atomic_load(&r->serving);
}

void lis_reloader_free(lis_reloader_t *r)
{
	if (!r)
		return;
	lis_reloader_join(r);
	lis_ixref_release(r->cur);
	if (r->st)
		wm_store_close(r->st);
	pthread_mutex_destroy(&r->mu);
	free(r->db);
	free(r);
}
