/*
 * pq.c - libpq helpers for the blocking paths (see pq.h).
 */
#include "service/db/pq.h"

#include <string.h>

#include "core/base/util.h"

char *
pq_message(const char *what, const char *msg)
{
	size_t len = strlen(msg);

	while (len > 0 && msg[len - 1] == '\n')
		len--;
	return xasprintf("%s: %.*s", what, (int)len, msg);
}

PGconn *
pq_connect(const char *conninfo, char **err)
{
	PGconn *conn = PQconnectdb(conninfo);

	if (PQstatus(conn) == CONNECTION_OK)
		return conn;
	*err =
	    pq_message("cannot connect to the database", PQerrorMessage(conn));
	PQfinish(conn);
	return NULL;
}
