/*
 * migrate.c - `vigie migrate`: applies the schema migrations built into the
 * binary (see migrate.h), each in its own transaction, recorded in
 * schema_migrations. A blocking libpq connection is fine here: this is a
 * command, not the event loop.
 */
#include "migrate.h"

#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"

/* Serialises concurrent migrators (two daemons upgraded at once). */
#define MIGRATE_LOCK_KEY "7262706105"

int
migrate_latest(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

static int
exec_ok(PGconn *conn, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 1;
	fprintf(stderr, "vigie: migrate: %s: %s", what,
	    PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
	                                 : PQerrorMessage(conn));
	return 0;
}

static int
run_simple(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	int ok = exec_ok(conn, res, what);

	PQclear(res);
	return ok;
}

static int
applied(PGconn *conn, int version)
{
	char v[16];
	const char *params[1] = { v };
	PGresult *res;
	int found;

	snprintf(v, sizeof v, "%d", version);
	res = PQexecParams(conn,
	    "SELECT 1 FROM schema_migrations WHERE version = $1::int", 1, NULL,
	    params, NULL, NULL, 0);
	found = exec_ok(conn, res, "reading schema_migrations") ? PQntuples(res)
	                                                        : -1;
	PQclear(res);
	return found;
}

static int
apply(PGconn *conn, const struct migration *m)
{
	char v[16];
	const char *params[2] = { v, m->name };
	PGresult *res;

	snprintf(v, sizeof v, "%d", m->version);
	if (!run_simple(conn, "BEGIN", "BEGIN"))
		return -1;
	if (!run_simple(conn, m->sql, m->name))
		goto rollback;
	res = PQexecParams(conn,
	    "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)",
	    2, NULL, params, NULL, NULL, 0);
	if (!exec_ok(conn, res, m->name)) {
		PQclear(res);
		goto rollback;
	}
	PQclear(res);
	if (!run_simple(conn, "COMMIT", "COMMIT"))
		return -1;
	return 0;
rollback:
	run_simple(conn, "ROLLBACK", "ROLLBACK");
	return -1;
}

static int
migrate(PGconn *conn)
{
	int done = 0;

	if (!run_simple(conn,
	        "SET client_min_messages = warning;"
	        "CREATE TABLE IF NOT EXISTS schema_migrations ("
	        " version integer PRIMARY KEY,"
	        " name text NOT NULL,"
	        " applied_at timestamptz NOT NULL DEFAULT now())",
	        "creating schema_migrations") ||
	    !run_simple(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	        "taking the migration lock"))
		return -1;
	for (size_t i = 0; i < migrations_count; i++) {
		int found = applied(conn, migrations[i].version);

		if (found < 0)
			return -1;
		if (found)
			continue;
		if (apply(conn, &migrations[i]) == -1)
			return -1;
		printf("applied %s\n", migrations[i].name);
		done++;
	}
	printf("schema at version %d (%d migration%s applied)\n",
	    migrate_latest(), done, done == 1 ? "" : "s");
	return 0;
}

int
cmd_migrate(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct diag diag = { 0 };
	struct conf *conf;
	PGconn *conn;
	int c, rc;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 }
	};

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c != 'c') {
			fprintf(stderr, "usage: vigie migrate [-c FILE]\n");
			return 2;
		}
		path = optarg;
	}
	conf = conf_load(path, &diag);
	if (conf == NULL) {
		diag_print(&diag);
		return 1;
	}
	conn = PQconnectdb(conf->conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "vigie: cannot connect to the database: %s",
		    PQerrorMessage(conn));
		PQfinish(conn);
		conf_free(conf);
		return 1;
	}
	rc = migrate(conn) == 0 ? 0 : 1;
	PQfinish(conn);
	conf_free(conf);
	return rc;
}
