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
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"
#include "core/read/feed.h"
#include "core/read/url.h"

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
	 * not know about, which store_release_leases gives back. */
	store_submit(st, op, OP_ONCE);
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

static json_t *
json_date(int64_t t)
{
	return t == DATE_NONE ? json_null() : json_integer((json_int_t)t);
}

/* What links an item to the same story elsewhere, as the analysis found
 * it (analyze.h); nothing is known without one. */
static void
json_story(json_t *o, const struct item_analysis *ia)
{
	json_object_set_new(
	    o, "url_norm", json_text(ia != NULL ? ia->url_norm : NULL));
	/* bigint in the database: the same 64 bits, signed. */
	json_object_set_new(o, "simhash",
	    ia != NULL && ia->simhash != 0
	        ? json_integer((json_int_t)(int64_t)ia->simhash)
	        : json_null());
}

/* A fetch's items go in chunks of at most this many, one statement each:
 * the connection serves one request at a time, and one statement of a
 * hundred thousand items would hold every other source's requests back
 * for seconds (docs/BENCHMARKS.md). */
#define SAVE_CHUNK 5000

/* $10 of save_fetch: items [from, to) with their analysis. */
static char *
items_json(const struct fetch_record *r, size_t from, size_t to)
{
	const struct feed *feed = r->feed;
	json_t *arr = json_array();

	for (size_t i = from; i < to; i++) {
		const struct item *it = &feed->items[i];
		const struct item_analysis *ia =
		    r->analysis ? &r->analysis[i] : NULL;
		json_t *o = json_object();

		json_object_set_new(o, "guid", json_text(it->id));
		json_object_set_new(o, "link", json_text(it->link));
		json_object_set_new(o, "title", json_text(it->title));
		json_object_set_new(o, "author", json_text(it->author));
		json_object_set_new(o, "summary", json_text(it->summary));
		json_object_set_new(o, "content", json_text(it->content));
		json_object_set_new(o, "lang", json_text(it->lang));
		json_object_set_new(o, "published", json_date(it->published));
		json_object_set_new(o, "updated", json_date(it->updated));
		json_story(o, ia);
		json_analysis(o, ia, r->analyzer);
		json_array_append_new(arr, o);
	}
	return json_dump_owned(arr);
}

/* The parameters of save_fetch but the chunk's ($10, $21 to $23). */
enum { SAVE_NPARAMS = 20 };

/* A fetch being saved: each chunk is sent once the one before is stored,
 * behind whatever was queued meanwhile. */
struct save_job {
	struct store *st;
	char *params[SAVE_NPARAMS]; /* $10 unused */
	char **chunks; /* the items' JSON, one per chunk */
	size_t nchunks, next;
	long items_new, items_seen, mentions[3];
	store_saved_cb cb;
	void *arg;
};

static void
save_job_free(void *arg)
{
	struct save_job *job = arg;

	for (int i = 0; i < SAVE_NPARAMS; i++)
		free(job->params[i]);
	for (size_t i = job->next; i < job->nchunks; i++)
		free(job->chunks[i]);
	free(job->chunks);
	free(job);
}

static void saved_result(struct op *, PGresult *, const char *);

static void
save_next_chunk(struct save_job *job)
{
	size_t k = job->next++;
	struct op *op = op_new(&stmt_save_fetch, saved_result, NULL, job);

	op->arg_free = save_job_free;
	for (int i = 0; i < SAVE_NPARAMS; i++) {
		if (i == 9)
			op_param_owned(op, job->chunks[k]); /* $10 */
		else
			op_param(op, job->params[i]);
	}
	op_param(op, job->next == job->nchunks ? "true" : "false"); /* $21 */
	op_paramf(op, job->items_new); /* $22 */
	op_paramf(op, job->items_seen); /* $23 */
	store_submit(job->st, op, OP_REPLAY);
}

static void
saved_result(struct op *op, PGresult *res, const char *error)
{
	struct save_job *job = op->arg;
	struct row r = { res, 0 };

	if (!result_one_row(res)) {
		log_err("database: storing fetch of source %s: %s",
		    op->params[0], error ? error : "source no longer exists");
		job->cb(0, 0, 0, NULL, job->arg);
		return; /* the job goes with the op */
	}
	job->items_new += row_long(r, 0);
	job->items_seen += row_long(r, 1);
	for (int i = 0; i < 3; i++)
		job->mentions[i] += row_long(r, 2 + i);
	if (job->next < job->nchunks) {
		op->arg = NULL; /* the next chunk's op holds the job */
		save_next_chunk(job);
		return;
	}
	job->cb(1, job->items_new, job->items_seen, job->mentions, job->arg);
}

void
store_save_fetch(struct store *st, const struct fetch_record *r,
    store_saved_cb cb, void *arg)
{
	struct save_job *job = xcalloc(1, sizeof *job);
	size_t n = r->feed != NULL ? r->feed->nitems : 0;
	char **p = job->params;

	job->st = st;
	job->cb = cb;
	job->arg = arg;
	/* One chunk even without items: it carries the fetch record. */
	job->nchunks = n == 0 ? 1 : (n + SAVE_CHUNK - 1) / SAVE_CHUNK;
	job->chunks = xcalloc(job->nchunks, sizeof *job->chunks);
	for (size_t k = 0; k < job->nchunks; k++)
		job->chunks[k] = items_json(r, k * SAVE_CHUNK,
		    (k + 1) * SAVE_CHUNK < n ? (k + 1) * SAVE_CHUNK : n);
	p[0] = xasprintf("%lld", (long long)r->source_id);
	p[1] = xstrdup(r->attempt);
	p[2] = xasprintf("%lld", (long long)r->started_ms);
	p[3] = xasprintf("%lld", (long long)r->duration_ms);
	if (r->http_status > 0)
		p[4] = xasprintf("%ld", r->http_status);
	p[5] = xstrdup(fetch_outcome_name(r->outcome));
	p[6] = r->error ? xstrdup(r->error) : NULL;
	p[7] = xasprintf("%lld", (long long)r->bytes);
	p[8] = r->final_url ? xstrdup(r->final_url) : NULL;
	p[10] = r->etag ? xstrdup(r->etag) : NULL;
	p[11] = r->last_modified ? xstrdup(r->last_modified) : NULL;
	p[12] = xstrdup(r->set_validators ? "true" : "false");
	p[13] = xasprintf("%lld", (long long)r->next_delay_ms);
	p[14] = xasprintf("%d", r->failures);
	p[15] = r->next_delay_ms < 0 && r->error ? xstrdup(r->error) : NULL;
	p[16] = r->lang ? xstrdup(r->lang) : NULL;
	p[17] = r->feed_url ? xstrdup(r->feed_url) : NULL;
	p[18] = xasprintf("%d", r->lease_s);
	p[19] = r->owner ? xstrdup(r->owner) : NULL;
	save_next_chunk(job);
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
