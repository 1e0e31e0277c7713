/*
 * pq.h - what the blocking libpq paths of the service share (the schema's
 * migrations, the backtest's history): connecting, and turning libpq's
 * messages into the caller's; and, with the store, how a list of texts is
 * written as one parameter.
 */
#ifndef VIGIE_PQ_H
#define VIGIE_PQ_H

#include <libpq-fe.h>

/* "what: msg" as an allocated string, without libpq's trailing newline. */
char *pq_message(const char *what, const char *msg);

/* A blocking connection to conninfo, or NULL with an allocated message in
 * *err. */
PGconn *pq_connect(const char *conninfo, char **err);

/* The n texts as a PostgreSQL array literal, each quoted, quotes and
 * backslashes escaped: {"a","b \\"c\\""}. Allocated. */
char *pq_text_array(const char *const *texts, size_t n);

#endif
