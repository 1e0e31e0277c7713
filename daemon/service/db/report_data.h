/*
 * report_data.h - a report's figures read from the analytics views
 * (docs/SQL.md), for `vigie report` and the scheduled reports: on a
 * blocking connection, as a command reads or on the daemon's worker
 * thread (service/worker.h), never from the event loop.
 */
#ifndef VIGIE_REPORT_DATA_H
#define VIGIE_REPORT_DATA_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/report/report.h"

/*
 * Adds to r the watches named in names (n of them), or else those with one
 * of the tags (ntags of them), or else every configured watch, each with
 * its figures for r's period and the one before, read on conn. 0, or -1
 * with an allocated message in *err (a watch unknown, none selected, the
 * database).
 */
int report_data_read(PGconn *conn, struct report *r, const char *const *names,
    size_t n, const char *const *tags, size_t ntags, char **err);
/* The same on a connection of its own to conninfo. */
int report_data_fill(const char *conninfo, struct report *r,
    const char *const *names, size_t n, const char *const *tags, size_t ntags,
    char **err);

#endif
