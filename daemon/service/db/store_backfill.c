/*
 * store_backfill.c - the store's requests about watches and their
 * backfill (see store.h): the configured watches, which of them wait for
 * a backfill, the stored items it reads again and the mentions it finds.
 */
#include "service/db/store_int.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"
#include "core/read/feed.h"

void
store_sync_watches(
    struct store *st, const struct conf *conf, store_done_cb cb, void *arg)
{
	json_t *arr = json_array();
	struct op *op =
	    op_new(&stmt_sync_watches, done_result, (void (*)(void))cb, arg);

	for (size_t i = 0; i < conf->nwatches; i++) {
		const struct conf_watch *w = &conf->watches[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(w->name));
		json_object_set_new(o, "query", json_text(w->query));
		json_object_set_new(
		    o, "lang", w->lang ? json_tags(w->lang) : json_null());
		json_object_set_new(o, "tags", json_tags(w->tags));
		json_object_set_new(o, "compare", json_text(w->compare));
		json_array_append_new(arr, o);
	}
	op_param_owned(op, json_dump_owned(arr));
	store_submit(st, op, OP_REPLAY);
}

static void
todo_result(struct op *op, PGresult *res, const char *error)
{
	store_names_cb cb = (store_names_cb)op->cb;
	long n;
	char **names;
	unsigned char *purge;

	if (res == NULL) {
		op_log_error(op, "backfill", error);
		cb(NULL, NULL, -1, NULL, op->arg);
		return;
	}
	n = PQntuples(res);
	names = xcalloc((size_t)n + 1, sizeof *names);
	purge = xcalloc((size_t)n + 1, 1);
	for (int i = 0; i < (int)n; i++) {
		struct row r = { res, i };

		names[i] = row_text(r, 0);
		purge[i] = (unsigned char)row_bool(r, 1);
	}
	cb(names, purge, n, n > 0 ? row_peek((struct row){ res, 0 }, 2) : NULL,
	    op->arg);
}

void
store_backfill_todo(struct store *st, store_names_cb cb, void *arg)
{
	store_submit(st,
	    op_new(&stmt_backfill_todo, todo_result, (void (*)(void))cb, arg),
	    OP_ONCE);
}

void
store_names_free(char **names, unsigned char *purge, long n)
{
	for (long i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(purge);
}

void
store_backfill_purge(struct store *st, const char *const *names, size_t n,
    int64_t window_ms, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_backfill_purge, done_result, (void (*)(void))cb, arg);

	op_param_owned(op, json_names(names, n));
	op_paramf(op, window_ms / 1000);
	store_submit(st, op, OP_REPLAY);
}

static void
decode_item(struct row r, void *elem)
{
	struct stored_item *s = elem;
	struct item *it = &s->item;

	s->id = row_int64(r, 0);
	it->title = row_text_or_null(r, 1);
	it->summary = row_text_or_null(r, 2);
	it->content = row_text_or_null(r, 3);
	it->author = row_text_or_null(r, 4);
	it->link = row_text_or_null(r, 5);
	it->lang = row_text_or_null(r, 6);
	it->published = it->updated = DATE_NONE;
}

static void
page_result(struct op *op, PGresult *res, const char *error)
{
	long n;
	struct stored_item *items =
	    op_rows(op, res, error, "backfill", sizeof *items, decode_item, &n);

	((store_page_cb)op->cb)(items, n, op->arg);
}

void
store_backfill_page(struct store *st, int64_t after_id, int64_t window_ms,
    const char *as_of, int limit, store_page_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_backfill_page, page_result, (void (*)(void))cb, arg);

	op_paramf(op, after_id);
	op_paramf(op, window_ms / 1000);
	op_paramf(op, limit);
	op_param(op, as_of);
	store_submit(st, op, OP_REPLAY);
}

void
store_page_free(struct stored_item *items, long n)
{
	for (long i = 0; i < n; i++) {
		struct item *it = &items[i].item;
		free(it->title);
		free(it->summary);
		free(it->content);
		free(it->author);
		free(it->link);
		free(it->lang);
	}
	free(items);
}

void
store_save_mentions(struct store *st, const struct stored_item *items,
    const struct item_analysis *analysis, size_t n, const struct analyzer *an,
    store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_save_mentions, done_result, (void (*)(void))cb, arg);
	struct buf b;
	const char *sep = "[";

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (analysis[i].nmentions == 0)
			continue;
		buf_printf(&b, "%s{\"item\":%lld", sep, (long long)items[i].id);
		json_out_analysis(&b, &analysis[i], an);
		buf_putc(&b, '}');
		sep = ",";
	}
	buf_puts(&b, *sep == '[' ? "[]" : "]");
	op_param_owned(op, b.data);
	store_submit(st, op, OP_REPLAY);
}

void
store_backfill_done(struct store *st, const char *const *names, size_t n,
    const char *as_of, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_backfill_done, done_result, (void (*)(void))cb, arg);

	op_param_owned(op, json_names(names, n));
	op_param(op, as_of);
	store_submit(st, op, OP_REPLAY);
}
