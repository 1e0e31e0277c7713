/*
 * report_data.h - a report's figures read from the analytics views
 * (docs/SQL.md), for `vigie report`: on a blocking connection of its own,
 * as a command reads, never from the event loop.
 */
#ifndef VIGIE_REPORT_DATA_H
#define VIGIE_REPORT_DATA_H

#include <stddef.h>

#include "core/report/report.h"

/*
 * Adds to r the watches named in names (n of them), or else those tagged
 * tag, or else every configured watch, each with its figures for r's
 * period and the one before. 0, or -1 with an allocated message in *err
 * (a watch unknown, none selected, the database).
 */
int report_data_fill(const char *conninfo, struct report *r, char *const *names,
    size_t n, const char *tag, char **err);

#endif
