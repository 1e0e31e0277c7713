/*
 * store_int.h - what the store's files share, and nothing else includes:
 * the statements (daemon/service/db/sql/, embedded at build time), the
 * request and its queue (store.c), and what goes into a statement and
 * comes out of it (store_codec.c). The requests themselves are by domain:
 * store_sources.c, store_backfill.c, store_detect.c, store_outbox.c.
 */
#ifndef VIGIE_STORE_INT_H
#define VIGIE_STORE_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "service/db/store.h"

/* --- statements (generated from sql/NAME.sql by embed-statements.py) --- */

struct store_stmt {
	const char *name; /* the prepared statement's: its file's NAME */
	const char *sql;
	int nparams; /* it takes $1 .. $nparams */
};

/* store_sources.c's */
extern const struct store_stmt stmt_sync_sources, stmt_claim_due,
    stmt_claim_once, stmt_save_fetch, stmt_release_leases, stmt_release_lease,
    stmt_save_failed, stmt_maintain, stmt_index_items, stmt_daemon_register,
    stmt_take_lead;
/* store_backfill.c's */
extern const struct store_stmt stmt_sync_watches, stmt_backfill_todo,
    stmt_backfill_purge, stmt_backfill_page, stmt_save_mentions,
    stmt_backfill_done;
/* store_detect.c's */
extern const struct store_stmt stmt_detect_counts, stmt_load_tracks,
    stmt_save_tracks, stmt_event_context, stmt_record_event, stmt_stats,
    stmt_spread_check;
/* store_outbox.c's */
extern const struct store_stmt stmt_outbox_claim, stmt_outbox_result;
/* Every one of them, prepared on each new connection. */
extern const struct store_stmt *const store_stmts[];
extern const size_t store_stmts_count;

/* --- requests (store.c) --- */

struct op;
/* res is NULL on failure; error is NULL too when the connection was lost
 * (which the store reports once, for every request). */
typedef void (*op_result_fn)(struct op *, PGresult *, const char *error);

enum op_kind {
	OP_VERSION, /* schema version check, first thing on a connection */
	OP_PREPARE,
	OP_EXEC,
};

/* Whether a request is sent again after a reconnection (one that changes
 * nothing when repeated), or fails with the connection. */
enum op_replay {
	OP_ONCE,
	OP_REPLAY,
};

struct op {
	enum op_kind kind;
	const struct store_stmt *stmt; /* NULL for OP_VERSION */
	enum op_replay replay;
	op_result_fn on_result;
	void (*cb)(void); /* the caller's callback, of the op's own type */
	void *arg;
	/* Frees arg with the op when set: what a request owns beyond its
	 * answer (a fetch's chunks still to send) goes with it, also when the
	 * store is freed with the request queued. */
	void (*arg_free)(void *);
	/* Sets the parameters just before the request is first sent, when
	 * set: until then, it may take more work (store_sources.c gathers
	 * the saves that come while it waits). */
	void (*build)(struct op *);
	/* Monotonic ms before which it is not sent, though the connection
	 * be idle (store_hold); 0: as soon as it may. */
	int64_t hold_until;
	int first; /* queued by store_submit_first */
	int passed; /* a request queued that way went ahead of this one */
	TAILQ_ENTRY(op) entry;
	int nparams; /* set so far */
	/* NULL while every parameter is text; else each one's length and
	 * format (1: binary), for PQsendQueryParams. */
	int *lengths, *formats;
	char *params[]; /* stmt->nparams of them, for OP_EXEC */
};

/* A request to run stmt; fn gets its result and hands it to cb. */
struct op *op_new(const struct store_stmt *stmt, op_result_fn fn,
    void (*cb)(void), void *arg);
/* Append the next parameter, $1 first. op_param copies value as
 * PostgreSQL will take it (invalid UTF-8 repaired); NULL is SQL NULL.
 * op_param_owned takes value as it is, and frees it with the op. */
void op_param(struct op *, const char *value);
void op_paramf(struct op *, long long value);
void op_param_owned(struct op *, char *value);
/* Append a parameter in PostgreSQL's binary form of its type, len bytes
 * of data, which it takes and frees with the op. */
void op_param_binary(struct op *, char *data, size_t len);
/* Queues op, which must have every parameter of its statement (or a
 * build to set them), behind the requests already waiting. */
void store_submit(struct store *, struct op *, enum op_replay);
/* Queues op ahead of the requests waiting, behind the one in flight and
 * those queued the same way before it: for small requests the pipeline
 * waits on (a claim of sources to poll), which would otherwise wait for
 * every save queued. A request is passed once at most, so that a stream
 * of claims cannot starve the saves, unless it is held (store_hold), as
 * often as claims come while its hold lasts. */
void store_submit_first(struct store *, struct op *, enum op_replay);
/* The request for stmt queued last, if it is still to be built (not sent
 * yet), else NULL. */
struct op *store_unsent(struct store *, const struct store_stmt *);
/* Calls fn on each request for stmt not in flight, in their order; one
 * for which fn returns 1 is taken out of the queue and freed. */
void store_each_unsent(struct store *, const struct store_stmt *,
    int (*fn)(struct op *, void *), void *arg);
/* Holds op, queued and still to be built, until the monotonic ms until
 * at most, so that more may join it (store_sources.c's saves); or, with
 * until 0, lets it go at once. */
void store_hold(struct store *, struct op *, int64_t until);
/* Drops op's parameters, to be set again by build when it is sent. */
void op_rebuild(struct op *, void (*build)(struct op *));

/* --- results and parameters (store_codec.c) --- */

/* Logs a request's error as "database: WHAT: ERROR", WHAT being its
 * statement's name when NULL; nothing when error is NULL (a lost
 * connection, reported once for every request). */
void op_log_error(const struct op *, const char *what, const char *error);
/* The store_done_cb result: ok or not, the error logged. */
void done_result(struct op *, PGresult *, const char *error);

/* One row of a result, read by column. Text is an owned copy, except
 * row_peek's, which lives as long as the result. */
struct row {
	const PGresult *res;
	int i;
};
int64_t row_int64(struct row, int col);
long row_long(struct row, int col);
int row_int(struct row, int col);
int row_bool(struct row, int col);
char *row_text(struct row, int col); /* SQL NULL reads as "" */
char *row_text_or_null(struct row, int col);
const char *row_peek(struct row, int col);
/* Whether res holds exactly one row, as single-row statements answer. */
int result_one_row(const PGresult *res);
/* The rows of a request's result, each decoded by decode into an element
 * of size bytes, as an allocated array (one spare zeroed element, so
 * never NULL on success) with *n rows; or, when the request failed (res
 * NULL), its error logged as what, NULL and *n = -1. */
void *op_rows(struct op *, const PGresult *res, const char *error,
    const char *what, size_t size, void (*decode)(struct row, void *elem),
    long *n);

/* JSON for the statements' json parameters. json_text is JSON null for a
 * NULL or invalid UTF-8 string (jansson refuses it, and PostgreSQL would
 * refuse the whole batch); json_tags splits a comma-separated list. */
json_t *json_text(const char *);
json_t *json_tags(const char *list);
/* j as compact text ("[]" if it cannot be), and j released. */
char *json_dump_owned(json_t *j);
/* A JSON array of names, as text. */
char *json_names(const char *const *names, size_t n);
/* Appends to the object being written in b its "mentions" ("watch",
 * "terms"), and when the item was scored the document's tone ("tone",
 * "label", "abusive", "emotions", "rumour", "tone_lang") and each
 * mention's toward its watch (the same keys but "tone_lang"); ia may be
 * NULL. Written straight into b (core/base/json_out.h): through jansson
 * objects, encoding a cycle's items cost a seventh of the daemon's
 * CPU. */
struct buf;
void json_out_analysis(
    struct buf *b, const struct item_analysis *ia, const struct analyzer *);

/* --- the items of a save (store_rows.c) --- */

/* Appends to b the record of it: its values, then its mentions' (see
 * store_rows.c); lang is its source's, for an item that names none, ia
 * its analysis or NULL. */
struct item;
void rows_put_item(struct buf *b, const struct item *it, const char *lang,
    const struct item_analysis *ia, const struct analyzer *);
/* Whether the len bytes at p are exactly nitems records, each value of
 * its column's type: a spool file's, which a disk may have damaged. */
int rows_valid(const char *p, size_t len, size_t nitems);
/* The records of the nitems items of an earlier version's chunk: their
 * JSON array, with their summaries and contents in it or, when texts is
 * not NULL, beside it (two values an item, texts_len bytes); *len set.
 * NULL when they do not go together. */
char *rows_from_json(const char *json, const char *texts, size_t texts_len,
    size_t nitems, size_t *len);
/* A chunk gathered into a save: the records of nitems items of source. */
struct rows_chunk {
	int64_t source;
	const char *rows;
	size_t nitems;
};
/* Appends $2 to $36 of save_fetch to op: the columns of the n chunks'
 * items, then of their mentions. */
void rows_params(struct op *op, const struct rows_chunk *chunks, size_t n);

#endif
