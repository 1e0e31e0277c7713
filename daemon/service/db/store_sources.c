/*
 * store_sources.c - the store's requests about sources and their items
 * (see store.h): the configured sources, their leases, what a fetch
 * brought, and the month partitions the items live in.
 */
#include "service/db/store_int.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/base/log.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/read/feed.h"
#include "core/read/url.h"
#include "service/spool.h"

/* The site of a URL: its host without "www.". */
static json_t *
json_family(const char *url)
{
	char *host = url_host(url);
	json_t *j;

	if (host == NULL)
		return json_null();
	j = json_text(strncmp(host, "www.", 4) == 0 ? host + 4 : host);
	free(host);
	return j;
}

void
store_sync_sources(
    struct store *st, const struct conf *conf, store_done_cb cb, void *arg)
{
	json_t *arr = json_array();
	struct op *op =
	    op_new(&stmt_sync_sources, done_result, (void (*)(void))cb, arg);

	for (size_t i = 0; i < conf->nsources; i++) {
		const struct conf_source *s = &conf->sources[i];
		json_t *tags = json_tags(s->tags);
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(s->name));
		json_object_set_new(o, "url", json_text(s->url));
		json_object_set_new(o, "lang", json_text(s->lang));
		json_object_set_new(o, "tags", tags);
		json_object_set_new(o, "interval_s",
		    json_integer((json_int_t)(s->interval_ms / 1000)));
		json_object_set_new(o, "family", json_family(s->url));
		json_array_append_new(arr, o);
	}
	op_param_owned(op, json_dump_owned(arr));
	store_submit(st, op, OP_REPLAY);
}

static void
decode_claimed(struct row r, void *elem)
{
	struct claimed_source *s = elem;

	s->id = row_int64(r, 0);
	s->name = row_text(r, 1);
	s->url = row_text(r, 2);
	s->etag = row_text_or_null(r, 3);
	s->last_modified = row_text_or_null(r, 4);
	s->failures = row_int(r, 5);
}

static void
claim_result(struct op *op, PGresult *res, const char *error)
{
	long n;
	struct claimed_source *rows = op_rows(op, res, error,
	    "claiming sources", sizeof *rows, decode_claimed, &n);

	((store_claim_cb)op->cb)(rows, n, op->arg);
}

void
store_claim(struct store *st, const char *owner, int limit, int lease_s,
    int64_t once_since_ms, store_claim_cb cb, void *arg)
{
	struct op *op =
	    op_new(once_since_ms >= 0 ? &stmt_claim_once : &stmt_claim_due,
	        claim_result, (void (*)(void))cb, arg);

	op_param(op, owner);
	op_paramf(op, limit);
	op_paramf(op, lease_s);
	if (once_since_ms >= 0)
		op_paramf(op, once_since_ms);
	/* Not replayed: a claim whose answer was lost leaves leases we do
	 * not know about, which store_release_leases gives back. Ahead of
	 * the saves: the fetches wait for it. */
	store_submit_first(st, op, OP_ONCE);
}

void
store_claimed_free(struct claimed_source *rows, long n)
{
	for (long i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].url);
		free(rows[i].etag);
		free(rows[i].last_modified);
	}
	free(rows);
}

/* A fetch's items go in chunks of at most this many, one statement each:
 * the connection serves one request at a time, and one statement of a
 * hundred thousand items would hold every other source's requests back
 * for seconds (docs/BENCHMARKS.md). */
#define SAVE_CHUNK 5000
/* The saves gathered into one statement hold at most this many items
 * between them (a chunk may be alone in one): each statement's items are
 * in memory three times while it runs (the fetches' records, the
 * columns gathered from them, libpq's copy), on each connection, and
 * past a few thousand items a statement's planning no longer shows. */
#define SAVE_GATHER 2000
/* A statement with fewer items than this waits up to SAVE_HOLD_MS for
 * more to join it, though its connection be idle: each statement costs
 * the server about 5 ms to parse and plan whatever its size, and, sent
 * the moment a connection was free, most of a cold cycle's statements
 * held one feed (docs/BENCHMARKS.md). */
#define SAVE_MIN 1000
#define SAVE_HOLD_MS 25

/* A server's ETag or an error message cut mid-character is repaired
 * (U+FFFD) rather than lost: a refused write would stall its source. */
static json_t *
json_repaired(const char *s)
{
	char *t;
	json_t *j;

	if (s == NULL)
		return json_null();
	t = utf8_repair(s, strlen(s));
	j = json_text(t);
	free(t);
	return j;
}

/* An element of $1 of save_fetch: the fetch but its chunk's place. */
static json_t *
fetch_json(const struct fetch_record *r)
{
	json_t *o = json_object();

	json_object_set_new(
	    o, "source", json_integer((json_int_t)r->source_id));
	json_object_set_new(o, "attempt", json_string(r->attempt));
	json_object_set_new(
	    o, "started", json_integer((json_int_t)r->started_ms));
	json_object_set_new(
	    o, "duration", json_integer((json_int_t)r->duration_ms));
	json_object_set_new(o, "status",
	    r->http_status > 0 ? json_integer((json_int_t)r->http_status)
	                       : json_null());
	json_object_set_new(
	    o, "outcome", json_string(fetch_outcome_name(r->outcome)));
	json_object_set_new(o, "error", json_repaired(r->error));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "final_url", json_repaired(r->final_url));
	json_object_set_new(o, "etag", json_repaired(r->etag));
	json_object_set_new(
	    o, "last_modified", json_repaired(r->last_modified));
	json_object_set_new(
	    o, "set_validators", json_boolean(r->set_validators));
	json_object_set_new(
	    o, "next_ms", json_integer((json_int_t)r->next_delay_ms));
	json_object_set_new(o, "failures", json_integer(r->failures));
	json_object_set_new(o, "disabled",
	    json_repaired(r->next_delay_ms < 0 ? r->error : NULL));
	json_object_set_new(o, "feed_url", json_repaired(r->feed_url));
	json_object_set_new(o, "lease_s", json_integer(r->lease_s));
	json_object_set_new(o, "owner", json_repaired(r->owner));
	return o;
}

/* A fetch being saved: its chunks go one after the other, each once the
 * one before is stored, in whichever statement is gathering then. */
struct save_job {
	int64_t source_id;
	json_t *fetch; /* fetch_json's */
	char **rows; /* each chunk's items' records (store_rows.c) */
	size_t *row_lens; /* their bytes */
	size_t *sizes; /* items in each */
	size_t nchunks, next; /* next: the chunk being stored */
	long items_new, items_seen, mentions[3];
	int from_spool; /* store_save_entry's: not spooled again */
	store_saved_cb cb;
	void *arg;
};

/* One statement's saves: a chunk of each job, one job per source, at most
 * SAVE_GATHER items in all unless one chunk is alone. */
struct save_batch {
	struct store *st;
	struct save_job **jobs;
	size_t njobs, cap, items;
	int alone; /* a chunk stored by itself: never joined */
};

static void
save_job_free(struct save_job *job)
{
	for (size_t i = job->next; i < job->nchunks; i++)
		free(job->rows[i]);
	free(job->rows);
	free(job->row_lens);
	free(job->sizes);
	json_decref(job->fetch);
	free(job);
}

static void
save_batch_free(void *arg)
{
	struct save_batch *b = arg;

	for (size_t i = 0; i < b->njobs; i++)
		save_job_free(b->jobs[i]);
	free(b->jobs);
	free(b);
}

/* Sets $1 to $36 from the chunks gathered: each chunk's records were
 * made once, when its fetch came, and are copied into the columns. */
static void
save_batch_build(struct op *op)
{
	struct save_batch *b = op->arg;
	json_t *fetches = json_array();
	struct rows_chunk *chunks = xcalloc(b->njobs + 1, sizeof *chunks);

	for (size_t i = 0; i < b->njobs; i++) {
		struct save_job *job = b->jobs[i];

		json_object_set_new(job->fetch, "last",
		    json_boolean(job->next + 1 == job->nchunks));
		json_object_set_new(
		    job->fetch, "prior_new", json_integer(job->items_new));
		json_object_set_new(
		    job->fetch, "prior_seen", json_integer(job->items_seen));
		json_array_append(fetches, job->fetch);
		chunks[i] = (struct rows_chunk){ job->source_id,
			job->rows[job->next], job->sizes[job->next] };
	}
	op_param_owned(op, json_dump_owned(fetches));
	rows_params(op, chunks, b->njobs);
	free(chunks);
}

static void saved_result(struct op *, PGresult *, const char *);

static void
save_batch_add(struct save_batch *b, struct save_job *job)
{
	if (b->njobs == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->jobs = xreallocarray(b->jobs, b->cap, sizeof *b->jobs);
	}
	b->jobs[b->njobs++] = job;
	b->items += job->sizes[job->next];
}

/* A statement for job's next chunk, which others may join until it is
 * sent: an idle connection sends it at once. */
static void
save_batch_submit(struct store *st, struct save_job *job, int alone)
{
	struct save_batch *b = xcalloc(1, sizeof *b);
	struct op *op = op_new(&stmt_save_fetch, saved_result, NULL, b);

	b->st = st;
	b->alone = alone;
	save_batch_add(b, job);
	op->arg_free = save_batch_free;
	op->build = save_batch_build;
	if (!alone && b->items < SAVE_MIN)
		store_hold(st, op, now_mono_ms() + SAVE_HOLD_MS);
	store_submit(st, op, OP_REPLAY);
}

/* Whether job's next chunk may join b: the statement not sent yet, the
 * source not in it already (a source's row is updated once), the items
 * within bounds. */
static int
save_batch_fits(const struct save_batch *b, const struct save_job *job)
{
	if (b->alone || b->items + job->sizes[job->next] > SAVE_GATHER)
		return 0;
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i]->source_id == job->source_id)
			return 0;
	return 1;
}

/* job's next chunk, into the statement gathering, else a new one. */
static void
save_enqueue(struct store *st, struct save_job *job, int alone)
{
	struct op *op = alone ? NULL : store_unsent(st, &stmt_save_fetch);

	if (op == NULL || !save_batch_fits(op->arg, job))
		save_batch_submit(st, job, alone);
	else {
		struct save_batch *b = op->arg;

		save_batch_add(b, job);
		if (op->hold_until > 0 && b->items >= SAVE_MIN)
			store_hold(st, op, 0);
	}
}

/* The row of save_fetch's result for each of njobs fetches, found by its
 * place in $1 (the first column), -1 for none: one pass over the result,
 * where looking each fetch up was quadratic in a warm tick's thousands. */
static int *
result_rows(const PGresult *res, size_t njobs)
{
	int *rows = xmalloc(njobs * sizeof *rows);

	for (size_t i = 0; i < njobs; i++)
		rows[i] = -1;
	for (int i = 0; res != NULL && i < PQntuples(res); i++) {
		long k = row_long((struct row){ res, i }, 0);

		if (k >= 1 && (size_t)k <= njobs)
			rows[k - 1] = i;
	}
	return rows;
}

static void
saved_result(struct op *op, PGresult *res, const char *error)
{
	struct save_batch *b = op->arg;
	int *rows;

	op->arg = NULL; /* b goes here, not with the op */
	if (res == NULL && b->njobs > 1) {
		/* One fetch the database refuses must not cost the others
		 * theirs: each goes again alone. */
		log_warn("database: storing %zu fetches together: %s; storing "
		         "each alone",
		    b->njobs, error ? error : "failed");
		for (size_t i = 0; i < b->njobs; i++)
			save_enqueue(b->st, b->jobs[i], 1);
		b->njobs = 0;
		save_batch_free(b);
		return;
	}
	rows = result_rows(res, b->njobs);
	for (size_t i = 0; i < b->njobs; i++) {
		struct save_job *job = b->jobs[i];
		struct row r = { res, rows[i] };

		if (r.i < 0) {
			log_err("database: storing fetch of source %lld: %s",
			    (long long)job->source_id,
			    error ? error : "source no longer exists");
			job->cb(SAVE_FAILED, 0, 0, NULL, job->arg);
			continue; /* freed with the batch */
		}
		job->items_new += row_long(r, 1);
		job->items_seen += row_long(r, 2);
		for (int m = 0; m < 3; m++)
			job->mentions[m] += row_long(r, 3 + m);
		free(job->rows[job->next++]);
		if (job->next < job->nchunks) {
			save_enqueue(b->st, job, 0);
			b->jobs[i] = NULL;
			continue;
		}
		job->cb(SAVE_STORED, job->items_new, job->items_seen,
		    job->mentions, job->arg);
	}
	free(rows);
	for (size_t i = 0; i < b->njobs; i++)
		if (b->jobs[i] == NULL)
			b->jobs[i--] = b->jobs[--b->njobs];
	save_batch_free(b);
}

static struct save_job *
save_job_new(json_t *fetch, size_t nchunks, store_saved_cb cb, void *arg)
{
	struct save_job *job = xcalloc(1, sizeof *job);

	job->source_id =
	    (int64_t)json_integer_value(json_object_get(fetch, "source"));
	job->fetch = fetch;
	job->cb = cb;
	job->arg = arg;
	job->nchunks = nchunks;
	job->rows = xcalloc(nchunks, sizeof *job->rows);
	job->row_lens = xcalloc(nchunks, sizeof *job->row_lens);
	job->sizes = xcalloc(nchunks, sizeof *job->sizes);
	return job;
}

/* A copy of n bytes at p, or NULL for none. */
static char *
bytes_dup(const char *p, size_t n)
{
	char *q;

	if (p == NULL)
		return NULL;
	q = xmalloc(n ? n : 1);
	memcpy(q, p, n);
	return q;
}

/* The chunks of a fetch of n items: one even without items, since it
 * carries the fetch record. */
static size_t
chunk_count(size_t n)
{
	return n == 0 ? 1 : (n + SAVE_CHUNK - 1) / SAVE_CHUNK;
}

/* Items [k * SAVE_CHUNK, ...) of r: chunk k's records, their bytes
 * (*len) and how many items (*size). */
static char *
chunk_rows(const struct fetch_record *r, size_t k, size_t *size, size_t *len)
{
	size_t n = r->feed != NULL ? r->feed->nitems : 0;
	size_t to = (k + 1) * SAVE_CHUNK < n ? (k + 1) * SAVE_CHUNK : n;
	struct buf b;

	buf_init(&b);
	for (size_t i = k * SAVE_CHUNK; i < to; i++)
		rows_put_item(&b, &r->feed->items[i], r->lang,
		    r->analysis != NULL ? &r->analysis[i] : NULL, r->analyzer);
	*size = to - k * SAVE_CHUNK;
	*len = b.len;
	return b.data != NULL ? buf_release(&b) : xstrdup("");
}

void
store_save_fetch(struct store *st, const struct fetch_record *r,
    store_saved_cb cb, void *arg)
{
	size_t n = r->feed != NULL ? r->feed->nitems : 0;
	struct save_job *job =
	    save_job_new(fetch_json(r), chunk_count(n), cb, arg);

	for (size_t k = 0; k < job->nchunks; k++)
		job->rows[k] =
		    chunk_rows(r, k, &job->sizes[k], &job->row_lens[k]);
	save_enqueue(st, job, 0);
}

struct spool_entry *
store_spool_entry(const struct fetch_record *r)
{
	size_t n = r->feed != NULL ? r->feed->nitems : 0;
	struct spool_entry *e =
	    spool_entry_new(json_dump_owned(fetch_json(r)), chunk_count(n));

	for (size_t k = 0; k < e->nchunks; k++)
		e->blobs[k] = chunk_rows(r, k, &e->sizes[k], &e->blob_lens[k]);
	return e;
}

/* Chunk k of a spool entry as records, or NULL when they are not: the
 * records themselves, checked (a disk may have damaged its file), or an
 * earlier version's JSON, with its texts beside it or in it. */
static char *
entry_rows(const struct spool_entry *e, size_t k, size_t *len)
{
	if (e->chunks[k] != NULL)
		return rows_from_json(e->chunks[k], e->blobs[k],
		    e->blob_lens[k], e->sizes[k], len);
	if (e->blobs[k] == NULL ||
	    !rows_valid(e->blobs[k], e->blob_lens[k], e->sizes[k]))
		return NULL;
	*len = e->blob_lens[k];
	return bytes_dup(e->blobs[k], *len);
}

void
store_save_entry(
    struct store *st, const struct spool_entry *e, store_saved_cb cb, void *arg)
{
	json_t *fetch = json_loads(e->fetch, 0, NULL);
	struct save_job *job;

	if (!json_is_object(fetch)) {
		json_decref(fetch);
		log_err("spool: a fetch record that is not JSON");
		cb(SAVE_FAILED, 0, 0, NULL, arg);
		return;
	}
	job = save_job_new(fetch, e->nchunks, cb, arg);
	job->from_spool = 1;
	/* What a fetch spooled half-stored had stored already. */
	job->items_new =
	    (long)json_integer_value(json_object_get(fetch, "prior_new"));
	job->items_seen =
	    (long)json_integer_value(json_object_get(fetch, "prior_seen"));
	for (size_t k = 0; k < e->nchunks; k++) {
		job->sizes[k] = e->sizes[k];
		job->rows[k] = entry_rows(e, k, &job->row_lens[k]);
		if (job->rows[k] == NULL) {
			log_err("spool: a chunk's items are damaged");
			save_job_free(job);
			cb(SAVE_FAILED, 0, 0, NULL, arg);
			return;
		}
	}
	save_enqueue(st, job, 0);
}

/* job's chunks still to store, as a spool entry. */
static struct spool_entry *
job_entry(struct save_job *job)
{
	struct spool_entry *e;

	json_object_set_new(
	    job->fetch, "prior_new", json_integer(job->items_new));
	json_object_set_new(
	    job->fetch, "prior_seen", json_integer(job->items_seen));
	e = spool_entry_new(
	    json_dump_owned(json_incref(job->fetch)), job->nchunks - job->next);
	for (size_t k = job->next; k < job->nchunks; k++) {
		e->sizes[k - job->next] = job->sizes[k];
		e->blobs[k - job->next] =
		    bytes_dup(job->rows[k], job->row_lens[k]);
		e->blob_lens[k - job->next] = job->row_lens[k];
	}
	return e;
}

/* store_each_unsent's: one gathered statement's saves into the spool. */
static int
spool_batch(struct op *op, void *arg)
{
	struct save_batch *b = op->arg;
	size_t kept = 0;

	for (size_t i = 0; i < b->njobs; i++) {
		struct save_job *job = b->jobs[i];

		if (!job->from_spool) {
			struct spool_entry *e = job_entry(job);

			if (spool_put(arg, e) == -1) {
				spool_entry_free(e);
				b->jobs[kept++] = job;
				continue;
			}
		}
		job->cb(SAVE_SPOOLED, 0, 0, NULL, job->arg);
		save_job_free(job);
	}
	b->njobs = kept;
	b->items = 0;
	for (size_t i = 0; i < kept; i++)
		b->items += b->jobs[i]->sizes[b->jobs[i]->next];
	if (kept > 0)
		op_rebuild(op, save_batch_build);
	return kept == 0;
}

void
store_spool_saves(struct store *st, struct spool *sp)
{
	store_each_unsent(st, &stmt_save_fetch, spool_batch, sp);
}

void
store_release_lease(struct store *st, int64_t source_id, const char *owner)
{
	struct op *op = op_new(&stmt_release_lease, done_result, NULL, NULL);

	op_paramf(op, source_id);
	op_param(op, owner);
	store_submit(st, op, OP_REPLAY);
}

void
store_release_leases(struct store *st, const char *owner, const int64_t *keep,
    size_t nkeep, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_release_leases, done_result, (void (*)(void))cb, arg);
	json_t *ids = json_array();

	for (size_t i = 0; i < nkeep; i++)
		json_array_append_new(ids, json_integer((json_int_t)keep[i]));
	op_param(op, owner);
	op_param_owned(op, json_dump_owned(ids));
	store_submit(st, op, OP_REPLAY);
}

void
store_save_failed(
    struct store *st, int64_t source_id, const char *why, int64_t retry_ms)
{
	struct op *op = op_new(&stmt_save_failed, done_result, NULL, NULL);

	op_paramf(op, source_id);
	op_param(op, why);
	op_paramf(op, retry_ms);
	store_submit(st, op, OP_REPLAY);
}

static void
maintain_result(struct op *op, PGresult *res, const char *error)
{
	store_count_cb cb = (store_count_cb)op->cb;

	if (!result_one_row(res)) {
		if (error != NULL)
			log_warn("database: partition maintenance: %s", error);
		cb(-1, op->arg);
		return;
	}
	cb(row_long((struct row){ res, 0 }, 0), op->arg);
}

void
store_maintain(
    struct store *st, int64_t retention_ms, store_count_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_maintain, maintain_result, (void (*)(void))cb, arg);

	if (retention_ms > 0)
		op_paramf(op, retention_ms);
	else
		op_param(op, NULL); /* keep everything */
	store_submit(st, op, OP_ONCE);
}

static void
registered_result(struct op *op, PGresult *res, const char *error)
{
	if (!result_one_row(res))
		op_log_error(op, "registering the daemon", error);
	else if (!row_bool((struct row){ res, 0 }, 0))
		log_warn("database: another daemon runs under this one's name: "
		         "leases may be taken from under it");
}

void
store_register(struct store *st, const char *owner)
{
	struct op *op =
	    op_new(&stmt_daemon_register, registered_result, NULL, NULL);

	op_param(op, owner);
	/* Before the claims: a lease taken unregistered looks void. */
	store_submit_first(st, op, OP_ONCE);
}

static void
lead_result(struct op *op, PGresult *res, const char *error)
{
	store_count_cb cb = (store_count_cb)op->cb;

	if (!result_one_row(res)) {
		op_log_error(op, "asking for the lead", error);
		cb(-1, op->arg);
		return;
	}
	cb(row_bool((struct row){ res, 0 }, 0), op->arg);
}

void
store_take_lead(struct store *st, store_count_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_take_lead, lead_result, (void (*)(void))cb, arg);

	store_submit(st, op, OP_ONCE);
}

static void
indexed_result(struct op *op, PGresult *res, const char *error)
{
	store_indexed_cb cb = (store_indexed_cb)op->cb;
	struct row r = { res, 0 };
	struct index_result ir = { -1, -1, 0, NULL };

	if (!result_one_row(res)) {
		op_log_error(op, "indexing items", error);
		cb(&ir, op->arg);
		return;
	}
	ir.indexed = row_long(r, 0);
	if (!PQgetisnull(res, 0, 1))
		ir.oldest_left_s = strtod(row_peek(r, 1), NULL);
	ir.set_aside = row_long(r, 2);
	if (!PQgetisnull(res, 0, 3))
		ir.refusal = row_peek(r, 3);
	cb(&ir, op->arg);
}

void
store_index_items(struct store *st, int limit, store_indexed_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_index_items, indexed_result, (void (*)(void))cb, arg);

	op_paramf(op, limit);
	/* Not replayed: the daemon asks again on its next tick. */
	store_submit(st, op, OP_ONCE);
}

void
store_new_attempt(char out[37])
{
	unsigned char b[16];

	arc4random_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}
