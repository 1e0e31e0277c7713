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

/* $10 of save_fetch: every item with its analysis. */
static char *
items_json(const struct fetch_record *r)
{
	const struct feed *feed = r->feed;
	json_t *arr = json_array();

	for (size_t i = 0; feed != NULL && i < feed->nitems; i++) {
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

static void
saved_result(struct op *op, PGresult *res, const char *error)
{
	store_saved_cb cb = (store_saved_cb)op->cb;
	struct row r = { res, 0 };
	long items_new, items_seen, mentions[3];

	if (!result_one_row(res)) {
		log_err("database: storing fetch of source %s: %s",
		    op->params[0], error ? error : "source no longer exists");
		cb(0, 0, 0, NULL, op->arg);
		return;
	}
	items_new = row_long(r, 0);
	items_seen = row_long(r, 1);
	for (int i = 0; i < 3; i++)
		mentions[i] = row_long(r, 2 + i);
	cb(1, items_new, items_seen, mentions, op->arg);
}

void
store_save_fetch(struct store *st, const struct fetch_record *r,
    store_saved_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_save_fetch, saved_result, (void (*)(void))cb, arg);

	op_paramf(op, r->source_id); /* $1 */
	op_param(op, r->attempt); /* $2 */
	op_paramf(op, r->started_ms); /* $3 */
	op_paramf(op, r->duration_ms); /* $4 */
	if (r->http_status > 0) /* $5 */
		op_paramf(op, r->http_status);
	else
		op_param(op, NULL);
	op_param(op, fetch_outcome_name(r->outcome)); /* $6 */
	op_param(op, r->error); /* $7 */
	op_paramf(op, r->bytes); /* $8 */
	op_param(op, r->final_url); /* $9 */
	op_param_owned(op, items_json(r)); /* $10 */
	op_param(op, r->etag); /* $11 */
	op_param(op, r->last_modified); /* $12 */
	op_param(op, r->set_validators ? "true" : "false"); /* $13 */
	op_paramf(op, r->next_delay_ms); /* $14 */
	op_paramf(op, r->failures); /* $15 */
	op_param(op, r->next_delay_ms < 0 ? r->error : NULL); /* $16 */
	op_param(op, r->lang); /* $17 */
	op_param(op, r->feed_url); /* $18 */
	op_paramf(op, r->lease_s); /* $19 */
	op_param(op, r->owner); /* $20 */
	store_submit(st, op, OP_REPLAY);
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
