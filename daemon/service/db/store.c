/*
 * store.c - the asynchronous PostgreSQL client (see store.h): the
 * connection, its state machine and the queue of requests.
 *
 * One connection, one request in flight at a time, a FIFO of requests
 * behind it. That is enough: each request is a single set-based statement
 * (a whole fetch with all its items is one round trip), and it keeps the
 * reconnection story simple: after a loss, the request that was in flight
 * goes back to the head of the queue and everything is sent again in
 * order. All SQL lives in daemon/service/db/sql/, one statement a file,
 * checked on every connection and run with parameters; none is ever
 * assembled from strings. The requests are made by store_sources.c,
 * store_backfill.c, store_detect.c and store_outbox.c.
 */
#include "service/db/store.h"

#include <event2/event.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/base/log.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "service/db/migrate.h"
#include "service/db/store_int.h"

#define RECONNECT_MIN_MS 500
#define RECONNECT_MAX_MS 30000

/* The one statement that is not checked first: it is sent before the
 * others are, and on an empty database the table it reads does not
 * exist. */
#define SCHEMA_VERSION_SQL \
	"SELECT coalesce(max(version), 0) FROM schema_migrations"

TAILQ_HEAD(op_queue, op);

struct store {
	struct event_base *base;
	char *conninfo;
	store_event_cb on_event;
	void *event_arg;
	PGconn *conn;
	int up; /* connected, checked and prepared */
	int fatal; /* stop trying: a person must act */
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_retry;
	int64_t retry_ms;
	struct event *ev_hold; /* the end of the hold of the next request */
	struct op_queue queue; /* head may be in flight */
	struct op *inflight;
	PGresult *result; /* last result of the op in flight */
	char *error; /* its error, if any */
	char error_state[6]; /* and that error's SQLSTATE */
};

static void store_kick(struct store *);
static void store_lost(struct store *, const char *why);
static void connect_step(evutil_socket_t, short, void *);

static void
op_free(struct op *op)
{
	for (int i = 0; i < op->nparams; i++)
		free(op->params[i]);
	free(op->lengths);
	free(op->formats);
	if (op->arg_free != NULL && op->arg != NULL)
		op->arg_free(op->arg);
	free(op);
}

static struct op *
op_alloc(enum op_kind kind, const struct store_stmt *stmt)
{
	size_t n = kind == OP_EXEC ? (size_t)stmt->nparams : 0;
	struct op *op = xcalloc(1, sizeof *op + n * sizeof op->params[0]);

	op->kind = kind;
	op->stmt = stmt;
	return op;
}

struct op *
op_new(
    const struct store_stmt *stmt, op_result_fn fn, void (*cb)(void), void *arg)
{
	struct op *op = op_alloc(OP_EXEC, stmt);

	op->on_result = fn;
	op->cb = cb;
	op->arg = arg;
	return op;
}

/* A request that does not fit its statement is a bug, found the first
 * time the request is made: stop there rather than send it. */
static void
op_check(const struct op *op, int ok, const char *what)
{
	if (ok)
		return;
	log_err("database: %s: %s (%d of %d parameters)", op->stmt->name, what,
	    op->nparams, op->stmt->nparams);
	abort();
}

void
op_param_owned(struct op *op, char *value)
{
	op_check(op, op->nparams < op->stmt->nparams, "too many parameters");
	op->params[op->nparams++] = value;
}

void
op_param_binary(struct op *op, char *data, size_t len)
{
	op_check(op, op->nparams < op->stmt->nparams, "too many parameters");
	op_check(op, len <= INT_MAX, "a parameter of 2 GB or more");
	if (op->formats == NULL) {
		op->lengths =
		    xcalloc((size_t)op->stmt->nparams, sizeof *op->lengths);
		op->formats =
		    xcalloc((size_t)op->stmt->nparams, sizeof *op->formats);
	}
	op->lengths[op->nparams] = (int)len;
	op->formats[op->nparams] = 1;
	op_param_owned(op, data);
}

void
op_param(struct op *op, const char *value)
{
	/* PostgreSQL refuses a text parameter that is not valid UTF-8, and
	 * one refused write would stall its source for good: a server's
	 * ETag or a message cut mid-character is repaired (U+FFFD) instead. */
	op_param_owned(op, value ? utf8_repair(value, strlen(value)) : NULL);
}

void
op_paramf(struct op *op, long long value)
{
	op_param_owned(op, xasprintf("%lld", value));
}

void
store_submit(struct store *st, struct op *op, enum op_replay replay)
{
	op_check(op, op->build != NULL || op->nparams == op->stmt->nparams,
	    "parameters missing");
	op->replay = replay;
	TAILQ_INSERT_TAIL(&st->queue, op, entry);
	store_kick(st);
}

void
store_submit_first(struct store *st, struct op *op, enum op_replay replay)
{
	struct op *at;

	op_check(op, op->nparams == op->stmt->nparams, "parameters missing");
	op->replay = replay;
	op->first = 1;
	/* The connection's set-up requests, if any, stay ahead. */
	TAILQ_FOREACH(at, &st->queue, entry)
	if (at != st->inflight && at->kind == OP_EXEC && !at->first)
		break;
	if (at != NULL && (!at->passed || at->hold_until > 0)) {
		/* A held request may be passed as often as claims come: its
		 * hold bounds how long it waits. */
		if (at->hold_until == 0)
			at->passed = 1;
		TAILQ_INSERT_BEFORE(at, op, entry);
	} else
		TAILQ_INSERT_TAIL(&st->queue, op, entry);
	store_kick(st);
}

struct op *
store_unsent(struct store *st, const struct store_stmt *stmt)
{
	struct op *op;

	TAILQ_FOREACH_REVERSE(op, &st->queue, op_queue, entry)
	if (op->kind == OP_EXEC && op->stmt == stmt)
		return op->build != NULL ? op : NULL;
	return NULL;
}

void
store_each_unsent(struct store *st, const struct store_stmt *stmt,
    int (*fn)(struct op *, void *), void *arg)
{
	struct op **ops = NULL, *op;
	size_t n = 0;

	/* Gathered first: fn's callbacks may queue requests meanwhile. */
	TAILQ_FOREACH(op, &st->queue, entry)
	if (op != st->inflight && op->kind == OP_EXEC && op->stmt == stmt) {
		ops = xreallocarray(ops, n + 1, sizeof *ops);
		ops[n++] = op;
	}
	for (size_t i = 0; i < n; i++)
		if (fn(ops[i], arg)) {
			TAILQ_REMOVE(&st->queue, ops[i], entry);
			op_free(ops[i]);
		}
	free(ops);
}

void
op_rebuild(struct op *op, void (*build)(struct op *))
{
	for (int i = 0; i < op->nparams; i++)
		free(op->params[i]);
	op->nparams = 0;
	op->build = build;
}

int
store_up(const struct store *st)
{
	return st->up;
}

size_t
store_pending(const struct store *st)
{
	size_t n = 0;
	const struct op *op;

	TAILQ_FOREACH(op, &st->queue, entry)
	if (op->kind == OP_EXEC)
		n++;
	return n;
}

static void
emit(struct store *st, enum store_event ev, const char *msg)
{
	if (st->on_event != NULL)
		st->on_event(ev, msg, st->event_arg);
}

static void
on_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("database: %s", message);
}

static void
drop_connection(struct store *st)
{
	if (st->ev_read != NULL)
		event_free(st->ev_read);
	if (st->ev_write != NULL)
		event_free(st->ev_write);
	st->ev_read = st->ev_write = NULL;
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
	st->up = 0;
	if (st->result != NULL)
		PQclear(st->result);
	st->result = NULL;
	free(st->error);
	st->error = NULL;
}

/* Removes the connection-setup ops left from a lost connection: a new
 * connection queues its own. */
static void
drop_setup_ops(struct store *st)
{
	struct op *op, *next;

	for (op = TAILQ_FIRST(&st->queue); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->kind != OP_EXEC) {
			TAILQ_REMOVE(&st->queue, op, entry);
			op_free(op);
		}
	}
}

static void
schedule_reconnect(struct store *st)
{
	struct timeval tv;
	int64_t delay = st->retry_ms;

	/* Jitter spreads the reconnections of several daemons. */
	delay += (int64_t)arc4random_uniform((uint32_t)(delay / 2 + 1));
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(st->ev_retry, &tv);
	st->retry_ms = st->retry_ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS
	                                                   : st->retry_ms * 2;
}

static void
fail_unreplayable(struct store *st)
{
	struct op *op, *next;

	for (op = TAILQ_FIRST(&st->queue); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->kind == OP_EXEC && op->replay == OP_ONCE) {
			TAILQ_REMOVE(&st->queue, op, entry);
			/* No error text: the loss itself was reported once. */
			op->on_result(op, NULL, NULL);
			op_free(op);
		}
	}
}

static void
store_lost(struct store *st, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof msg, "%s", why);
	/* Keep only the first line of libpq's often multi-line message. */
	msg[strcspn(msg, "\n")] = '\0';
	drop_connection(st);
	st->inflight = NULL;
	drop_setup_ops(st);
	emit(st, STORE_DOWN, msg);
	fail_unreplayable(st);
	if (!st->fatal)
		schedule_reconnect(st);
}

static void
start_connect(struct store *st)
{
	drop_connection(st);
	st->conn = PQconnectStart(st->conninfo);
	if (st->conn == NULL) {
		store_lost(st, "cannot allocate a database connection");
		return;
	}
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	PQsetNoticeProcessor(st->conn, on_notice, st);
	/* The first step of PQconnectPoll waits for writability. */
	st->ev_write =
	    event_new(st->base, PQsocket(st->conn), EV_WRITE, connect_step, st);
	event_add(st->ev_write, NULL);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_connect(arg);
}

static void on_readable(evutil_socket_t, short, void *);
static void on_writable(evutil_socket_t, short, void *);

static void
queue_setup_ops(struct store *st)
{
	/* Inserted at the head in reverse order: version check first, then
	 * every statement, then whatever was waiting. */
	struct op *op;

	for (size_t i = store_stmts_count; i-- > 0;) {
		op = op_alloc(OP_PREPARE, store_stmts[i]);
		TAILQ_INSERT_HEAD(&st->queue, op, entry);
	}
	op = op_alloc(OP_VERSION, NULL);
	TAILQ_INSERT_HEAD(&st->queue, op, entry);
}

static void
connect_step(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	PostgresPollingStatusType ps;

	(void)fd;
	(void)what;
	if (st->ev_read != NULL)
		event_free(st->ev_read);
	if (st->ev_write != NULL)
		event_free(st->ev_write);
	st->ev_read = st->ev_write = NULL;

	ps = PQconnectPoll(st->conn);
	switch (ps) {
	case PGRES_POLLING_READING:
	case PGRES_POLLING_WRITING:
		/* The socket can change between calls (several hosts, or
		 * a retry without SSL): watch the current one. */
		st->ev_write = event_new(st->base, PQsocket(st->conn),
		    ps == PGRES_POLLING_READING ? EV_READ : EV_WRITE,
		    connect_step, st);
		event_add(st->ev_write, NULL);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	if (PQsetnonblocking(st->conn, 1) == -1) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	st->ev_read = event_new(st->base, PQsocket(st->conn),
	    EV_READ | EV_PERSIST, on_readable, st);
	st->ev_write =
	    event_new(st->base, PQsocket(st->conn), EV_WRITE, on_writable, st);
	event_add(st->ev_read, NULL);
	queue_setup_ops(st);
	store_kick(st);
}

static int
send_op(struct store *st, struct op *op)
{
	int n = op->nparams;

	switch (op->kind) {
	case OP_VERSION:
		return PQsendQueryParams(
		    st->conn, SCHEMA_VERSION_SQL, 0, NULL, NULL, NULL, NULL, 0);
	case OP_PREPARE:
		/* Into the unnamed statement, which the next replaces: this
		 * checks the statement against the schema, once per
		 * connection, and keeps nothing. */
		return PQsendPrepare(st->conn, "", op->stmt->sql, 0, NULL);
	case OP_EXEC:
		if (op->build != NULL) {
			op->build(op);
			op->build = NULL;
			op_check(op, op->nparams == op->stmt->nparams,
			    "parameters missing");
			n = op->nparams;
		}
		/* Sent whole each time, so planned for its own parameters:
		 * a generic plan, made while a month's partition is still
		 * empty, would read it whole once it holds millions of rows.
		 * Not by plan_cache_mode = force_custom_plan, which had the
		 * same effect on our statements but also made PostgreSQL plan
		 * again every foreign-key check of every row they insert
		 * (docs/BENCHMARKS.md). Nor the save alone kept prepared:
		 * its generic plan, made while staging was near empty, probed
		 * staged_items by a sequential scan for each item, and would
		 * have gone on as a backlog grew (measured, docs/
		 * BENCHMARKS.md); the saves gather instead, so that fewer are
		 * planned (store_sources.c). */
		return PQsendQueryParams(st->conn, op->stmt->sql, n, NULL,
		    (const char *const *)op->params, op->lengths, op->formats,
		    0);
	}
	return 0;
}

static void
flush_output(struct store *st)
{
	int rc = PQflush(st->conn);

	if (rc == -1)
		store_lost(st, PQerrorMessage(st->conn));
	else if (rc == 1)
		event_add(st->ev_write, NULL);
}

/* Sends the next request when the connection is idle. */
static void
store_kick(struct store *st)
{
	struct op *op;

	if (st->conn == NULL || st->ev_read == NULL || st->inflight != NULL)
		return;
	op = TAILQ_FIRST(&st->queue);
	if (op == NULL || (op->kind == OP_EXEC && !st->up))
		return;
	/* A hold is for an idle connection: a request queued behind ends
	 * it (a claim of sources to poll must not wait for it). */
	if (op->hold_until > 0 && TAILQ_NEXT(op, entry) == NULL) {
		int64_t wait = op->hold_until - now_mono_ms();

		if (wait > 0) {
			struct timeval tv = { wait / 1000,
				(wait % 1000) * 1000 };

			evtimer_add(st->ev_hold, &tv);
			return;
		}
		op->hold_until = 0;
	}
	if (!send_op(st, op)) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	st->inflight = op;
	flush_output(st);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_output(arg);
}

void
store_hold(struct store *st, struct op *op, int64_t until)
{
	op->hold_until = until;
	if (until == 0)
		store_kick(st);
}

static void
on_hold_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	store_kick(arg);
}

/* A save of a few thousand items is megabytes of text, and the socket
 * takes a few hundred kilobytes at a time: left to the write event, the
 * rest went out once per turn of the loop. While the poller reads and
 * judges feeds, a turn runs many of them (tens of milliseconds), and the
 * server sat idle waiting for the end of its statement, then worked
 * while the poller, its items all waiting to be stored, sat idle in turn
 * (docs/BENCHMARKS.md, "Polling cycle"). The poller calls this after
 * each feed it handles, so that the two work at the same time. */
void
store_flush(struct store *st)
{
	if (st->conn != NULL && st->inflight != NULL)
		flush_output(st);
}

static int
connection_error(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	/* Class 08 (connection exception) and 57P (operator intervention:
	 * shutdown, crash, restart) are about the link, not the request. */
	return state == NULL || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0;
}

static void
finish_setup_op(struct store *st, struct op *op, PGresult *res)
{
	char msg[512];
	/* An empty database has no schema_migrations table at all. */
	int empty = op->kind == OP_VERSION && st->error != NULL &&
	    strcmp(st->error_state, "42P01") == 0;

	if (st->error != NULL && !empty) {
		snprintf(msg, sizeof msg, "cannot prepare statement %s: %s",
		    op->kind == OP_PREPARE ? op->stmt->name : "version",
		    st->error);
		st->fatal = 1;
		emit(st, STORE_FATAL, msg);
		return;
	}
	if (op->kind == OP_VERSION) {
		int have = empty ? 0 : atoi(PQgetvalue(res, 0, 0));
		int want = migrate_latest();

		if (have != want) {
			snprintf(msg, sizeof msg,
			    have < want
			        ? "database schema is at version %d, this vigie "
			          "needs %d: run 'vigie migrate -c FILE' first"
			        : "database schema is at version %d, newer than "
			          "this vigie (%d): upgrade vigie",
			    have, want);
			st->fatal = 1;
			emit(st, STORE_FATAL, msg);
		}
		return;
	}
	if (op->stmt == store_stmts[store_stmts_count - 1]) {
		st->up = 1;
		st->retry_ms = RECONNECT_MIN_MS;
		emit(st, STORE_UP, NULL);
	}
}

static void
complete_inflight(struct store *st)
{
	struct op *op = st->inflight;
	PGresult *res = st->result;

	st->inflight = NULL;
	st->result = NULL;
	TAILQ_REMOVE(&st->queue, op, entry);
	if (op->kind == OP_EXEC)
		op->on_result(op, st->error ? NULL : res, st->error);
	else
		finish_setup_op(st, op, res);
	if (res != NULL)
		PQclear(res);
	free(st->error);
	st->error = NULL;
	op_free(op);
	if (st->fatal) {
		drop_connection(st);
		return;
	}
	store_kick(st);
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	PGresult *res;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(st->conn) || PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	while (st->inflight != NULL && !PQisBusy(st->conn)) {
		res = PQgetResult(st->conn);
		if (res == NULL) {
			complete_inflight(st);
			if (st->conn == NULL)
				return;
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			if (st->result != NULL)
				PQclear(st->result);
			st->result = res;
			break;
		default:
			if (connection_error(res)) {
				char *why = xstrdup(PQresultErrorMessage(res));
				PQclear(res);
				store_lost(st, why);
				free(why);
				return;
			}
			if (st->error == NULL) {
				const char *state =
				    PQresultErrorField(res, PG_DIAG_SQLSTATE);
				st->error = xstrdup(PQresultErrorMessage(res));
				snprintf(st->error_state,
				    sizeof st->error_state, "%s",
				    state ? state : "");
			}
			st->error[strcspn(st->error, "\n")] = '\0';
			PQclear(res);
			break;
		}
	}
}

void
store_disconnect(struct store *st)
{
	drop_connection(st);
	st->inflight = NULL;
	drop_setup_ops(st);
	if (st->ev_retry != NULL)
		evtimer_del(st->ev_retry);
}

int
store_cancel(struct store *st, char *what, size_t size)
{
	PGcancel *cancel;
	char err[256];
	int ok;

	if (st->conn == NULL || st->inflight == NULL)
		return 0;
	/* A closed connection does not stop the server: a statement keeps
	 * running (a big save for minutes) until it has a result to send. */
	cancel = PQgetCancel(st->conn);
	ok = cancel != NULL && PQcancel(cancel, err, sizeof err);
	if (cancel == NULL)
		snprintf(err, sizeof err, "no cancel handle");
	PQfreeCancel(cancel);
	if (!ok) {
		err[strcspn(err, "\n")] = '\0';
		snprintf(what, size, "%s", err);
		return -1;
	}
	snprintf(what, size, "%s",
	    st->inflight->kind == OP_EXEC ? st->inflight->stmt->name
	                                  : "connection set-up");
	return 1;
}

struct store *
store_new(
    struct event_base *base, const char *conninfo, store_event_cb cb, void *arg)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->base = base;
	st->conninfo = xstrdup(conninfo ? conninfo : "");
	st->on_event = cb;
	st->event_arg = arg;
	st->retry_ms = RECONNECT_MIN_MS;
	TAILQ_INIT(&st->queue);
	st->ev_retry = evtimer_new(base, on_retry, st);
	st->ev_hold = evtimer_new(base, on_hold_end, st);
	if (st->ev_retry == NULL || st->ev_hold == NULL) {
		store_free(st);
		return NULL;
	}
	/* Connect from the loop, so that the owner hears of the outcome only
	 * once it holds the store. */
	event_active(st->ev_retry, EV_TIMEOUT, 0);
	return st;
}

void
store_free(struct store *st)
{
	struct op *op;

	if (st == NULL)
		return;
	drop_connection(st);
	while ((op = TAILQ_FIRST(&st->queue)) != NULL) {
		TAILQ_REMOVE(&st->queue, op, entry);
		op_free(op);
	}
	if (st->ev_retry != NULL)
		event_free(st->ev_retry);
	if (st->ev_hold != NULL)
		event_free(st->ev_hold);
	free(st->conninfo);
	free(st);
}
