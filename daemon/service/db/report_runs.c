/*
 * report_runs.c - a scheduled report's questions to the database (see
 * report_runs.h).
 *
 * Time zones are PostgreSQL's: it reads the same tz database as the
 * configuration check, and the daemon's threads never have to change the
 * process's TZ to read another zone's clock.
 */
#include "service/db/report_runs.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "service/db/pq.h"

/* A timestamp without zone read as UTC is its wall clock's civil
 * seconds. */
static const char clock_sql[] =
    "SELECT extract(epoch FROM now() AT TIME ZONE $1)::bigint";
static const char instant_sql[] =
    "SELECT extract(epoch FROM"
    " (to_timestamp($2::bigint) AT TIME ZONE 'UTC') AT TIME ZONE $1)::bigint";
static const char done_sql[] = "SELECT count(*) FROM report_runs"
                               " WHERE report = $1 AND period_start = $2::date";
/* The run takes the period or nothing (ON CONFLICT DO NOTHING): only the
 * statement whose insert took it writes the notifications, in the same
 * transaction. Two daemons at once: the second waits on the key and then
 * takes nothing. */
static const char record_sql[] =
    "WITH run AS ("
    "  INSERT INTO report_runs (report, period_start, period_end,"
    "    event_id, written_by)"
    "  VALUES ($1, $2::date, $3::date, $4::uuid, $5)"
    "  ON CONFLICT DO NOTHING RETURNING event_id"
    "), ob AS ("
    "  INSERT INTO outbox (event_id, target, channel, destination,"
    "    content_type, body)"
    "  SELECT run.event_id, o.target, o.channel, o.destination,"
    "    o.content_type, o.body"
    "  FROM run, json_to_recordset($6::json) AS o(target text,"
    "    channel text, destination text, content_type text, body text)"
    "  RETURNING 1"
    ")"
    "SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM ob)";

/* The first column of the one row of sql, a number; -1 with *err. */
static int
scalar(PGconn *conn, const char *sql, int n, const char *const *p, int64_t *out,
    char **err)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
	    PQgetisnull(res, 0, 0)) {
		*err = pq_message("report", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static void
day_text(int64_t t, char out[DATE_RFC3339_LEN])
{
	date_format_rfc3339(t, out);
	out[10] = '\0';
}

int
report_runs_clock(PGconn *conn, const char *tz, int64_t *civil, char **err)
{
	const char *p[1] = { tz };

	return scalar(conn, clock_sql, 1, p, civil, err);
}

int
report_runs_instant(
    PGconn *conn, const char *tz, int64_t civil, int64_t *at, char **err)
{
	char t[24];
	const char *p[2] = { tz, t };

	snprintf(t, sizeof t, "%lld", (long long)civil);
	return scalar(conn, instant_sql, 2, p, at, err);
}

int
report_runs_done(PGconn *conn, const char *report, int64_t from, char **err)
{
	char day[DATE_RFC3339_LEN];
	const char *p[2] = { report, day };
	int64_t n;

	day_text(from, day);
	if (scalar(conn, done_sql, 2, p, &n, err) < 0)
		return -1;
	return n > 0;
}

int
report_runs_record(PGconn *conn, const char *report, int64_t from, int64_t to,
    const char *event_id, const char *owner, const char *rows, char **err)
{
	char first[DATE_RFC3339_LEN], next[DATE_RFC3339_LEN];
	const char *p[6] = { report, first, next, event_id, owner, rows };
	int64_t took;

	day_text(from, first);
	day_text(to, next);
	if (scalar(conn, record_sql, 6, p, &took, err) < 0)
		return -1;
	return took > 0;
}
