/*
 * pq.c - libpq helpers for the blocking paths, and the text array
 * literal the store uses too (see pq.h).
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

char *
pq_text_array(const char *const *texts, size_t n)
{
	struct buf b;

	buf_init(&b);
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		buf_puts(&b, i > 0 ? ",\"" : "\"");
		for (const char *s = texts[i]; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *s);
		}
		buf_putc(&b, '"');
	}
	buf_putc(&b, '}');
	return buf_release(&b);
}
