/*
 * history.c - a watch's mention counts per bucket from the database (see
 * history.h).
 */
#include "service/db/history.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/base/util.h"
#include "service/db/pq.h"

/* What the daemon's detector counts (detect_counts(), schema/006). */
static const char counts_sql[] =
    "SELECT bucket, negative, total FROM detect_counts("
    "  $4::bigint, $5::bigint, $2::bigint, $3::bigint, $1)"
    " ORDER BY bucket";

int
history_counts(const char *conninfo, const char *watch, int64_t bucket_ms,
    int64_t window_ms, int64_t from_ms, int64_t to_ms,
    struct bucket_count **out, size_t *n, char **err)
{
	char b[32], w[32], f[32], t[32];
	const char *params[5] = { watch, b, w, f, t };
	PGconn *conn;
	PGresult *res;
	int rows;

	*out = NULL;
	*n = 0;
	*err = NULL;
	snprintf(b, sizeof b, "%lld", (long long)bucket_ms);
	snprintf(w, sizeof w, "%lld", (long long)window_ms);
	snprintf(f, sizeof f, "%lld", (long long)from_ms);
	snprintf(t, sizeof t, "%lld", (long long)to_ms);
	if ((conn = pq_connect(conninfo, err)) == NULL)
		return -1;
	res = PQexecParams(conn, counts_sql, 5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*err = pq_message("backtest", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(conn);
		return -1;
	}
	rows = PQntuples(res);
	*out = xcalloc(rows > 0 ? (size_t)rows : 1, sizeof **out);
	for (int r = 0; r < rows; r++) {
		(*out)[r].bucket_ms = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		(*out)[r].negative = atoi(PQgetvalue(res, r, 1));
		(*out)[r].total = atoi(PQgetvalue(res, r, 2));
	}
	*n = (size_t)rows;
	PQclear(res);
	PQfinish(conn);
	return 0;
}
