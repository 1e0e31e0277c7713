/*
 * store_outbox.c - the store's requests about notifications waiting to be
 * delivered (see store.h): leasing those that are due, and what became of
 * each delivery.
 */
#include "service/db/store_int.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>

static void
decode_outbox(struct row r, void *elem)
{
	struct outbox_row *o = elem;

	o->id = row_int64(r, 0);
	o->event_id = row_text(r, 1);
	o->target = row_text(r, 2);
	o->channel = row_text(r, 3);
	o->destination = row_text(r, 4);
	o->content_type = row_text(r, 5);
	o->body = row_text(r, 6);
	o->attempts = row_int(r, 7);
	o->created_ms = row_int64(r, 8);
}

static void
outbox_result(struct op *op, PGresult *res, const char *error)
{
	long n;
	struct outbox_row *rows =
	    op_rows(op, res, error, "outbox", sizeof *rows, decode_outbox, &n);

	((store_outbox_cb)op->cb)(rows, n, op->arg);
}

void
store_outbox_claim(struct store *st, const char *owner, int limit, int lease_s,
    store_outbox_cb cb, void *arg)
{
	struct op *op =
	    op_new(&stmt_outbox_claim, outbox_result, (void (*)(void))cb, arg);

	op_param(op, owner);
	op_paramf(op, limit);
	op_paramf(op, lease_s);
	/* Not replayed, like source claims: a lost lease lapses. */
	store_submit(st, op, OP_ONCE);
}

void
store_outbox_free(struct outbox_row *rows, long n)
{
	for (long i = 0; i < n; i++) {
		free(rows[i].event_id);
		free(rows[i].target);
		free(rows[i].channel);
		free(rows[i].destination);
		free(rows[i].content_type);
		free(rows[i].body);
	}
	free(rows);
}

void
store_outbox_result(struct store *st, int64_t id, int delivered,
    const char *error, int64_t retry_ms, int give_up, store_done_cb cb,
    void *arg)
{
	struct op *op =
	    op_new(&stmt_outbox_result, done_result, (void (*)(void))cb, arg);

	op_paramf(op, id);
	op_param(op, delivered ? "true" : "false");
	op_param(op, error);
	op_paramf(op, retry_ms);
	op_param(op, give_up ? "true" : "false");
	store_submit(st, op, OP_REPLAY);
}
