/*
 * The durable outbox of webhook deliveries: its own LMDB environment.
 *
 * Layout (format 1), default durability (every commit is synchronous, so an
 * event is on disk before lis_events_emit returns), MDB_NOTLS:
 *
 *   meta   "format"   -> u32 LE (OUTBOX_FORMAT)
 *          "next_seq" -> u64 LE, the next sequence number (never reused)
 *   queue  SEQ (u64 BE)                 -> record (below)
 *   due    NEXT_MS (u64 BE) SEQ (u64 BE) -> "" : delivery schedule, earliest first
 *   drop   SEQ (u64 BE)                 -> "" : the unknown_location entries,
 *                                              the ones a full outbox evicts first
 *
 *   record: u8 version (1), u8 type, u32 LE attempts, u64 LE next_ms,
 *           36 bytes event id, u16 LE url length, url, u32 LE body length, body
 *
 * Sequence numbers are big endian so LMDB's bytewise order is FIFO order.
 * A delete or a reschedule names both seq and event id, so a delivery that
 * finishes after its entry was evicted can never touch another entry.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lis/lis_internal.h"

#define OUTBOX_FORMAT 1
#define REC_HEAD (1 + 1 + 4 + 8 + 36)

struct lis_outbox {
	MDB_env *env;
	MDB_dbi meta, queue, due, drop;
	size_t max;
	atomic_size_t depth;
};

static void put_be(uint8_t *o, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		o[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be(const uint8_t *o)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | o[i];
	return v;
}

/* Decodes a record; LIS_ECORRUPT when it does not fit. */
static int rec_decode(uint64_t seq, const MDB_val *v, lis_outbox_entry_t *e)
{
	const uint8_t *p = v->mv_data;
	size_t n = v->mv_size;

	if (n < REC_HEAD + 2 || p[0] != 1)
		return LIS_ECORRUPT;
	memset(e, 0, sizeof *e);
	e->seq = seq;
	e->type = p[1];
	e->attempts = (uint32_t)lis_get_le(p + 2, 4);
	e->next_ms = lis_get_le(p + 6, 8);
	memcpy(e->id, p + 14, 36);
	e->id[36] = '\0';
	size_t ul = (size_t)lis_get_le(p + REC_HEAD, 2);
	if (n < REC_HEAD + 2 + ul + 1 + 4 || p[REC_HEAD + 2 + ul] != '\0')
		return LIS_ECORRUPT;
	e->url = (const char *)p + REC_HEAD + 2;
	const uint8_t *b = p + REC_HEAD + 2 + ul + 1;
	e->body_len = (size_t)lis_get_le(b, 4);
	if ((size_t)(p + n - (b + 4)) != e->body_len)
		return LIS_ECORRUPT;
	e->body = (const char *)b + 4;
	return 0;
}

static void due_key(uint8_t k[16], uint64_t next_ms, uint64_t seq)
{
	put_be(k, next_ms);
	put_be(k + 8, seq);
}

static void update_depth(lis_outbox_t *ob, MDB_txn *txn)
{
	MDB_stat st;
	if (mdb_stat(txn, ob->queue, &st) == 0)
		atomic_store(&ob->depth, (size_t)st.ms_entries);
}

int lis_outbox_open(const char *dir, size_t max_entries, lis_outbox_t **out, char *err,
                    size_t errlen)
{
	static const char *const names[] = {"meta", "queue", "due", "drop", NULL};
	lis_outbox_t *ob = calloc(1, sizeof *ob);
	MDB_dbi dbis[4];
	MDB_txn *txn;
	int rc;

	*out = NULL;
	if (!ob)
		return -ENOMEM;
	ob->max = max_entries ? max_entries : 100000;
	/* Sized for the bound: every entry at its largest, plus B-tree room. */
	size_t per = LIS_EVENT_BODY_MAX + LIS_EVENT_URL_MAX + 4096;
	lis_lmdb_spec_t spec = {"events outbox", dir,           ((size_t)64 << 20) + ob->max * per,
	                        names,           OUTBOX_FORMAT, NULL};
	if ((rc = lis_lmdb_open(&spec, &ob->env, dbis, err, errlen)) != 0) {
		free(ob);
		return rc;
	}
	ob->meta = dbis[0], ob->queue = dbis[1], ob->due = dbis[2], ob->drop = dbis[3];
	if ((rc = mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn)) != 0) {
		snprintf(err, errlen, "events outbox %s: %s", dir, mdb_strerror(rc));
		lis_outbox_close(ob);
		return wm_err_from_mdb(rc);
	}
	update_depth(ob, txn);
	mdb_txn_abort(txn);
	*out = ob;
	return 0;
}

void lis_outbox_close(lis_outbox_t *ob)
{
	if (!ob)
		return;
	if (ob->env)
		mdb_env_close(ob->env);
	free(ob);
}

size_t lis_outbox_depth(lis_outbox_t *ob)
{
	return ob ? atomic_load(&ob->depth) : 0;
}

/* Deletes entry seq (its queue, due and drop keys) inside txn. 1, 0 or error. */
static int del_in(lis_outbox_t *ob, MDB_txn *txn, uint64_t seq, const char *id)
{
	uint8_t sk[8], dk[16];
	lis_outbox_entry_t e;
	put_be(sk, seq);
	MDB_val k = {8, sk}, v;
	int rc = mdb_get(txn, ob->queue, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return wm_err_from_mdb(rc);
	if ((rc = rec_decode(seq, &v, &e)))
		return rc;
	if (id && strcmp(e.id, id) != 0)
		return 0;
	due_key(dk, e.next_ms, seq);
	MDB_val d = {16, dk};
	if ((rc = mdb_del(txn, ob->queue, &k, NULL)))
		return wm_err_from_mdb(rc);
	rc = mdb_del(txn, ob->due, &d, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return wm_err_from_mdb(rc);
	rc = mdb_del(txn, ob->drop, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return wm_err_from_mdb(rc);
	return 1;
}

/* Evicts the oldest unknown_location entry: 1, 0 when there is none, or error. */
static int evict_oldest(lis_outbox_t *ob, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, ob->drop, &c);
	if (rc)
		return wm_err_from_mdb(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return wm_err_from_mdb(rc);
	if (k.mv_size != 8)
		return LIS_ECORRUPT;
	uint64_t seq = get_be(k.mv_data);
	rc = del_in(ob, txn, seq, NULL);
	if (rc == 0) { /* a drop key without its entry: remove it, try again later */
		uint8_t sk[8];
		put_be(sk, seq);
		MDB_val kk = {8, sk};
		mdb_del(txn, ob->drop, &kk, NULL);
		return 0;
	}
	return rc;
}

static int put_once(lis_outbox_t *ob, const char *id, lis_event_type_t type, const char *url,
                    const char *body, size_t len, uint64_t now_ms, unsigned *dropped,
                    bool make_room)
{
	MDB_txn *txn = NULL;
	uint8_t *rec = NULL;
	unsigned evicted = 0;
	int rc = mdb_txn_begin(ob->env, NULL, 0, &txn);
	if (rc) {
		txn = NULL;
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	MDB_stat st;
	if ((rc = mdb_stat(txn, ob->queue, &st))) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	if (st.ms_entries >= ob->max || make_room) {
		rc = evict_oldest(ob, txn);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			rc = LIS_EFULL;
			goto out;
		}
		evicted = 1;
	}
	/* next_seq */
	uint64_t seq = 1;
	MDB_val mk = {8, "next_seq"}, mv;
	rc = mdb_get(txn, ob->meta, &mk, &mv);
	if (rc == 0 && mv.mv_size == 8)
		seq = lis_get_le(mv.mv_data, 8);
	else if (rc && rc != MDB_NOTFOUND) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	uint8_t nb[8];
	lis_put_le(nb, seq + 1, 8);
	mv = (MDB_val){8, nb};
	if ((rc = mdb_put(txn, ob->meta, &mk, &mv, 0))) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}

	size_t ul = strlen(url);
	size_t n = REC_HEAD + 2 + ul + 1 + 4 + len;
	rec = malloc(n);
	if (!rec) {
		rc = -ENOMEM;
		goto out;
	}
	rec[0] = 1;
	rec[1] = (uint8_t)type;
	lis_put_le(rec + 2, 0, 4);
	lis_put_le(rec + 6, now_ms, 8);
	memset(rec + 14, 0, 36);
	memcpy(rec + 14, id, strnlen(id, 36));
	lis_put_le(rec + REC_HEAD, ul, 2);
	memcpy(rec + REC_HEAD + 2, url, ul + 1);
	lis_put_le(rec + REC_HEAD + 2 + ul + 1, len, 4);
	memcpy(rec + REC_HEAD + 2 + ul + 1 + 4, body, len);

	uint8_t sk[8], dk[16];
	put_be(sk, seq);
	due_key(dk, now_ms, seq);
	MDB_val k = {8, sk}, v = {n, rec}, d = {16, dk}, empty = {0, ""};
	if ((rc = mdb_put(txn, ob->queue, &k, &v, MDB_NOOVERWRITE)) ||
	    (rc = mdb_put(txn, ob->due, &d, &empty, 0)) ||
	    (type == LIS_EV_UNKNOWN_LOCATION && (rc = mdb_put(txn, ob->drop, &k, &empty, 0)))) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	update_depth(ob, txn);
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		rc = wm_err_from_mdb(rc);
	else
		*dropped += evicted;
out:
	if (txn)
		mdb_txn_abort(txn);
	free(rec);
	return rc;
}

int lis_outbox_put(lis_outbox_t *ob, const char *id, lis_event_type_t type, const char *url,
                   const char *body, size_t len, uint64_t now_ms, unsigned *dropped)
{
	unsigned d = 0;
	int rc;

	if (!url || strlen(url) > LIS_EVENT_URL_MAX || len > LIS_EVENT_BODY_MAX)
		return LIS_ELIMIT;
	rc = put_once(ob, id, type, url, body, len, now_ms, &d, false);
	if (rc == LIS_EFULL) {
		/* Full by bound, or the map itself (LMDB's MDB_MAP_FULL maps to
		 * LIS_EFULL as well): make room by eviction and try once more. */
		rc = put_once(ob, id, type, url, body, len, now_ms, &d, true);
	}
	if (dropped)
		*dropped = d;
	return rc;
}

int lis_outbox_scan_due(lis_outbox_t *ob, uint64_t now_ms,
                        int (*fn)(void *arg, const lis_outbox_entry_t *e), void *arg)
{
	MDB_txn *txn = NULL;
	MDB_cursor *c = NULL;
	MDB_val k, v;
	int rc = mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return wm_err_from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, ob->due, &c))) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 16)
			continue;
		if (get_be(k.mv_data) > now_ms)
			break;
		uint64_t seq = get_be((const uint8_t *)k.mv_data + 8);
		uint8_t sk[8];
		put_be(sk, seq);
		MDB_val qk = {8, sk}, qv;
		lis_outbox_entry_t e;
		if (mdb_get(txn, ob->queue, &qk, &qv) != 0 || rec_decode(seq, &qv, &e) != 0)
			continue;
		if (fn(arg, &e))
			break;
	}
	rc = (rc == 0 || rc == MDB_NOTFOUND) ? 0 : wm_err_from_mdb(rc);
out:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return rc;
}

int lis_outbox_due_now(lis_outbox_t *ob, uint64_t now_ms)
{
	MDB_txn *txn = NULL;
	MDB_cursor *c = NULL;
	uint8_t from[16], dk[16], *rec = NULL;
	size_t cap = 0;
	int n = 0, rc = mdb_txn_begin(ob->env, NULL, 0, &txn);
	if (rc)
		return wm_err_from_mdb(rc);
	if ((rc = mdb_cursor_open(txn, ob->due, &c)))
		goto fail;
	due_key(from, now_ms + 1, 0);
	/* Re-seek after each move: moved keys sort before `from`, never revisited. */
	for (;;) {
		MDB_val k = {16, from}, v;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND)
			break;
		if (rc)
			goto fail;
		if (k.mv_size != 16) {
			rc = MDB_CORRUPTED;
			goto fail;
		}
		uint64_t seq = get_be((const uint8_t *)k.mv_data + 8);
		if ((rc = mdb_cursor_del(c, 0)))
			goto fail;
		uint8_t sk[8];
		put_be(sk, seq);
		MDB_val qk = {8, sk}, qv;
		rc = mdb_get(txn, ob->queue, &qk, &qv);
		if (rc == MDB_NOTFOUND)
			continue; /* a schedule key without its entry: dropped */
		if (rc)
			goto fail;
		if (qv.mv_size < 14) { /* version, type, attempts, next_ms */
			rc = MDB_CORRUPTED;
			goto fail;
		}
		if (qv.mv_size > cap) {
			uint8_t *r = realloc(rec, qv.mv_size);
			if (!r) {
				mdb_txn_abort(txn);
				free(rec);
				return -ENOMEM;
			}
			rec = r, cap = qv.mv_size;
		}
		/* Copy before writing: qv points into the map. */
		memcpy(rec, qv.mv_data, qv.mv_size);
		lis_put_le(rec + 6, now_ms, 8);
		due_key(dk, now_ms, seq);
		MDB_val nv = {qv.mv_size, rec}, d = {16, dk}, empty = {0, ""};
		if ((rc = mdb_put(txn, ob->queue, &qk, &nv, 0)) ||
		    (rc = mdb_put(txn, ob->due, &d, &empty, 0)))
			goto fail;
		n++;
	}
	mdb_cursor_close(c);
	free(rec);
	rc = mdb_txn_commit(txn);
	return rc ? wm_err_from_mdb(rc) : n;
fail:
	if (c)
		mdb_cursor_close(c);
	mdb_txn_abort(txn);
	free(rec);
	return wm_err_from_mdb(rc);
}

uint64_t lis_outbox_next_due(lis_outbox_t *ob)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t next = UINT64_MAX;
	if (mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn))
		return next;
	if (mdb_cursor_open(txn, ob->due, &c) == 0) {
		if (mdb_cursor_get(c, &k, &v, MDB_FIRST) == 0 && k.mv_size == 16)
			next = get_be(k.mv_data);
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	return next;
}

int lis_outbox_delete(lis_outbox_t *ob, uint64_t seq, const char *id)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(ob->env, NULL, 0, &txn);
	if (rc)
		return wm_err_from_mdb(rc);
	rc = del_in(ob, txn, seq, id);
	if (rc <= 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	update_depth(ob, txn);
	int c = mdb_txn_commit(txn);
	return c ? wm_err_from_mdb(c) : 1;
}

int lis_outbox_reschedule(lis_outbox_t *ob, uint64_t seq, const char *id, uint32_t attempts,
                          uint64_t next_ms)
{
	MDB_txn *txn = NULL;
	uint8_t sk[8], dk[16], *rec = NULL;
	lis_outbox_entry_t e;
	int rc = mdb_txn_begin(ob->env, NULL, 0, &txn);
	if (rc) {
		txn = NULL;
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	put_be(sk, seq);
	MDB_val k = {8, sk}, v;
	rc = mdb_get(txn, ob->queue, &k, &v);
	if (rc == MDB_NOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	if ((rc = rec_decode(seq, &v, &e)))
		goto out;
	if (strcmp(e.id, id) != 0)
		goto out; /* rc == 0: not there */
	/* Copy before writing: v points into the map. */
	if (!(rec = malloc(v.mv_size))) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(rec, v.mv_data, v.mv_size);
	lis_put_le(rec + 2, attempts, 4);
	lis_put_le(rec + 6, next_ms, 8);
	due_key(dk, e.next_ms, seq);
	MDB_val d = {16, dk}, empty = {0, ""}, nv = {v.mv_size, rec};
	rc = mdb_del(txn, ob->due, &d, NULL);
	if (rc && rc != MDB_NOTFOUND) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	due_key(dk, next_ms, seq);
	if ((rc = mdb_put(txn, ob->queue, &k, &nv, 0)) ||
	    (rc = mdb_put(txn, ob->due, &d, &empty, 0))) {
		rc = wm_err_from_mdb(rc);
		goto out;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	rc = rc ? wm_err_from_mdb(rc) : 1;
out:
	if (txn)
		mdb_txn_abort(txn);
	free(rec);
	return rc;
}
