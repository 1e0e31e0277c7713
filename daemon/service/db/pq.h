/*
 * pq.h - what the blocking libpq paths of the service share (the schema's
 * migrations, the backtest's history): connecting, and turning libpq's
 * messages into the caller's.
 */
#ifndef VIGIE_PQ_H
#define VIGIE_PQ_H

#include <libpq-fe.h>

/* "what: msg" as an allocated string, without libpq's trailing newline. */
char *pq_message(const char *what, const char *msg);

/* A blocking connection to conninfo, or NULL with an allocated message in
 * *err. */
PGconn *pq_connect(const char *conninfo, char **err);

#endif
