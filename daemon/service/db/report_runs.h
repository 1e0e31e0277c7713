/*
 * report_runs.h - what a scheduled report asks of the database, on the
 * worker's blocking connection (service/worker.h): the wall clock of its
 * time zone, and its runs (schema/014_report_runs.sql), each recorded with
 * its notifications in one statement so that a period is sent once
 * whatever the restarts and however many daemons share the database.
 */
#ifndef VIGIE_REPORT_RUNS_H
#define VIGIE_REPORT_RUNS_H

#include <libpq-fe.h>
#include <stdint.h>

/* The wall clock of tz at the server's now, as civil seconds
 * (core/report/schedule.h). 0, or -1 with an allocated message in *err. */
int report_runs_clock(PGconn *, const char *tz, int64_t *civil, char **err);

/* The instant (seconds since the epoch) at which tz's wall clock shows
 * civil; for a time a change of clocks skips, PostgreSQL's reading. */
int report_runs_instant(
    PGconn *, const char *tz, int64_t civil, int64_t *at, char **err);

/* 1 if report's period starting on the civil midnight from was sent, 0 if
 * not, -1 with *err. */
int report_runs_done(PGconn *, const char *report, int64_t from, char **err);

/*
 * Records the run of report for [from, to) (civil midnights) with the id
 * event_id, written by owner, and with it the notifications of rows (the
 * JSON array of service/outbox.h), only if no run of that period is
 * there. 1 when this call recorded it, 0 when another had, -1 with *err.
 */
int report_runs_record(PGconn *, const char *report, int64_t from, int64_t to,
    const char *event_id, const char *owner, const char *rows, char **err);

#endif
