/*
 * store_detect.c - the store's requests for detection and its incidents
 * (see store.h): mention counts by bucket, the detector's tracks, what a
 * notification shows, an incident's state changes, and the figures the
 * daemon reports about itself.
 */
#include "service/db/store_int.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/base/util.h"

static void
decode_count(struct row r, void *elem)
{
	struct bucket_count *c = elem;

	c->watch = row_text(r, 0);
	c->bucket_ms = row_int64(r, 1);
	c->negative = row_int(r, 2);
	c->total = row_int(r, 3);
}

static void
counts_result(struct op *op, PGresult *res, const char *error)
{
	long n;
	struct bucket_count *rows = op_rows(
	    op, res, error, "detection", sizeof *rows, decode_count, &n);

	((store_counts_cb)op->cb)(rows, n, op->arg);
}

void
store_detect_counts(struct store *st, int64_t from_ms, int64_t to_ms,
    int64_t bucket_ms, int64_t window_ms, store_counts_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_detect_counts, counts_result, (void (*)(void))cb, arg);

	op_paramf(op, from_ms);
	op_paramf(op, to_ms);
	op_paramf(op, bucket_ms);
	op_paramf(op, window_ms);
	store_submit(st, op, OP_REPLAY);
}

void
store_counts_free(struct bucket_count *rows, long n)
{
	for (long i = 0; i < n; i++)
		free(rows[i].watch);
	free(rows);
}

static void
pairs_result(struct op *op, PGresult *res, const char *error)
{
	store_pairs_cb cb = (store_pairs_cb)op->cb;
	char **names, **values;
	long n;

	if (res == NULL) {
		op_log_error(op, NULL, error);
		cb(NULL, NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	names = xcalloc((size_t)n + 1, sizeof *names);
	values = xcalloc((size_t)n + 1, sizeof *values);
	for (int i = 0; i < (int)n; i++) {
		struct row r = { res, i };

		names[i] = row_text(r, 0);
		values[i] = row_text(r, 1);
	}
	cb(names, values, n, op->arg);
}

void
store_load_tracks(struct store *st, store_pairs_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_load_tracks, pairs_result, (void (*)(void))cb, arg);

	store_submit(st, op, OP_REPLAY);
}

void
store_pairs_free(char **names, char **values, long n)
{
	for (long i = 0; i < n; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(names);
	free(values);
}

void
store_save_tracks(
    struct store *st, const char *tracks, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_save_tracks, done_result, (void (*)(void))cb, arg);

	op_param(op, tracks);
	store_submit(st, op, OP_REPLAY);
}

static void
text_result(struct op *op, PGresult *res, const char *error)
{
	store_text_cb cb = (store_text_cb)op->cb;

	if (!result_one_row(res)) {
		op_log_error(op, NULL, error);
		cb(NULL, op->arg);
		return;
	}
	cb(row_text((struct row){ res, 0 }, 0), op->arg);
}

void
store_event_context(struct store *st, const char *watch, int64_t window_from_ms,
    int64_t at_ms, store_text_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_event_context, text_result, (void (*)(void))cb, arg);

	op_param(op, watch);
	op_paramf(op, window_from_ms);
	op_paramf(op, at_ms);
	op_paramf(op, at_ms - window_from_ms);
	store_submit(st, op, OP_REPLAY);
}

void
store_spread_check(struct store *st, int64_t now_ms, const char *watches,
    store_text_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_spread_check, text_result, (void (*)(void))cb, arg);

	op_paramf(op, now_ms);
	op_param(op, watches);
	store_submit(st, op, OP_REPLAY);
}

static char *
real_text(double d)
{
	/* NaN and infinities are not numbers to PostgreSQL's real. */
	return isfinite(d) ? xasprintf("%.9g", d) : NULL;
}

void
store_record_event(
    struct store *st, const struct event_record *e, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_record_event, done_result, (void (*)(void))cb, arg);

	op_param(op, incident_kind_name(e->kind)); /* $1 */
	op_param(op, e->subject); /* $2 */
	op_param(op, incident_state_name(e->state)); /* $3 */
	op_param(op, e->event_id); /* $4 */
	op_paramf(op, e->at_ms); /* $5 */
	op_param(op, incident_severity_name(e->severity)); /* $6 */
	op_param(op, detect_reason_name(e->reason)); /* $7 */
	op_paramf(op, e->window_count); /* $8 */
	op_paramf(op, e->window_total); /* $9 */
	op_param_owned(op, real_text(e->expected)); /* $10 */
	op_param_owned(op, real_text(e->ratio)); /* $11 */
	op_param_owned(op, real_text(e->p)); /* $12 */
	op_param(op, e->details); /* $13 */
	op_param(op, e->outbox ? e->outbox : "[]"); /* $14 */
	op_param(op, e->track); /* $15 */
	if (e->story_id != 0)
		op_paramf(op, e->story_id); /* $16 */
	else
		op_param(op, NULL);
	store_submit(st, op, OP_REPLAY);
}

static void
stats_result(struct op *op, PGresult *res, const char *error)
{
	store_stats_cb cb = (store_stats_cb)op->cb;
	struct row r = { res, 0 };

	if (!result_one_row(res)) {
		op_log_error(op, "stats", error);
		cb(NULL, op->arg);
		return;
	}
	const struct store_stats stats = {
		.sources_ok = row_long(r, 0),
		.sources_failing = row_long(r, 1),
		.mentions_hour = row_long(r, 2),
		.incidents_open = row_long(r, 3),
		.outbox_pending = row_long(r, 4),
		.items_set_aside = row_long(r, 5),
	};

	cb(&stats, op->arg);
}

void
store_stats(struct store *st, store_stats_cb cb, void *arg)
{
	store_submit(st,
	    op_new(&stmt_stats, stats_result, (void (*)(void))cb, arg),
	    OP_ONCE);
}
