/*
 * migrate.c - applies the schema migrations built into the binary (see
 * migrate.h), each in its own transaction, recorded in schema_migrations.
 * A blocking libpq connection is fine here: `vigie migrate` runs it, not
 * the event loop.
 */
#include "service/db/migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "service/db/pq.h"

/* Serialises concurrent migrators (two daemons upgraded at once). */
#define MIGRATE_LOCK_KEY "7262706105"

int
migrate_latest(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

/* The first error is kept for the caller. */
static int
exec_ok(PGconn *conn, PGresult *res, const char *what, char **err)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 1;
	if (*err == NULL)
		*err = pq_message(what,
		    PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
		                                 : PQerrorMessage(conn));
	return 0;
}

static int
run_simple(PGconn *conn, const char *sql, const char *what, char **err)
{
	PGresult *res = PQexec(conn, sql);
	int ok = exec_ok(conn, res, what, err);

	PQclear(res);
	return ok;
}

static int
applied(PGconn *conn, int version, char **err)
{
	char v[16];
	const char *params[1] = { v };
	PGresult *res;
	int found;

	snprintf(v, sizeof v, "%d", version);
	res = PQexecParams(conn,
	    "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1, NULL,
	    params, NULL, NULL, 0);
	found = exec_ok(conn, res, "reading schema_migrations", err)
	    ? PQntuples(res)
	    : -1;
	PQclear(res);
	return found;
}

static int
apply(PGconn *conn, const struct migration *m, char **err)
{
	char v[16];
	const char *params[2] = { v, m->name };
	PGresult *res;

	snprintf(v, sizeof v, "%d", m->version);
	if (!run_simple(conn, "BEGIN", "BEGIN", err))
		return -1;
	if (!run_simple(conn, m->sql, m->name, err))
		goto rollback;
	res = PQexecParams(conn,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)",
	    2, NULL, params, NULL, NULL, 0);
	if (!exec_ok(conn, res, m->name, err)) {
		PQclear(res);
		goto rollback;
	}
	PQclear(res);
	if (!run_simple(conn, "COMMIT", "COMMIT", err))
		return -1;
	return 0;
rollback:
	run_simple(conn, "ROLLBACK", "ROLLBACK", err);
	return -1;
}

static int
migrate(PGconn *conn, void (*applied_cb)(const struct migration *, void *),
    void *arg, char **err)
{
	if (!run_simple(conn,
	        "SET client_min_messages = warning;"
	        "CREATE TABLE IF NOT EXISTS schema_migrations ("
	        " version integer PRIMARY KEY,"
	        " name text NOT NULL,"
	        " applied_at timestamptz NOT NULL DEFAULT now())",
	        "creating schema_migrations", err) ||
	    !run_simple(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	        "taking the migration lock", err))
		return -1;
	for (size_t i = 0; i < migrations_count; i++) {
		int found = applied(conn, migrations[i].version, err);

		if (found < 0)
			return -1;
		if (found)
			continue;
		if (apply(conn, &migrations[i], err) == -1)
			return -1;
		if (applied_cb != NULL)
			applied_cb(&migrations[i], arg);
	}
	return 0;
}

int
migrate_database(const char *conninfo,
    void (*applied_cb)(const struct migration *, void *), void *arg, char **err)
{
	PGconn *conn;
	int rc;

	*err = NULL;
	if ((conn = pq_connect(conninfo, err)) == NULL)
		return -1;
	rc = migrate(conn, applied_cb, arg, err);
	PQfinish(conn);
	return rc;
}
