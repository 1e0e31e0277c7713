/*
 * report_data.c - a report's figures from the analytics views (see
 * report_data.h).
 *
 * Every figure is the answer of a documented view over whole days
 * (docs/SQL.md), so that a number in the report can be found again by an
 * analyst with the same filter: the period is the days [$2, $3), the one
 * before [$4, $2), all in the views' days.
 */
#include "service/db/report_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "service/db/pq.h"

/* The watches of the report, in name order. */
static const char named_sql[] =
    "SELECT name, compare_group FROM watches WHERE name = ANY ($1::text[])"
    " ORDER BY name";
static const char tagged_sql[] =
    "SELECT name, compare_group FROM watches"
    " WHERE in_config AND tags && $1::text[] ORDER BY name";
static const char all_sql[] =
    "SELECT name, compare_group FROM watches WHERE in_config ORDER BY name";

/* $1 the watch, $2 and $3 the period's first and next days, $4 the day
 * the period before starts. */
static const char volume_sql[] =
    "SELECT k, coalesce(sum(mentions), 0), coalesce(sum(negative), 0),"
    "       coalesce(sum(neutral), 0), coalesce(sum(positive), 0)"
    "  FROM analytics.mention_volume,"
    "       LATERAL (SELECT CASE WHEN day >= $2::date THEN 0 ELSE 1 END)"
    "         AS p(k)"
    " WHERE watch = $1 AND day >= $4::date AND day < $3::date GROUP BY k";
static const char share_sql[] =
    "SELECT k, sum(mentions) FILTER (WHERE watch = $1)::float8"
    "          / nullif(sum(mentions), 0)"
    "  FROM analytics.share_of_voice,"
    "       LATERAL (SELECT CASE WHEN day >= $2::date THEN 0 ELSE 1 END)"
    "         AS p(k)"
    " WHERE compare_group = (SELECT compare_group FROM watches"
    "                         WHERE name = $1)"
    "   AND day >= $4::date AND day < $3::date GROUP BY k";
static const char days_sql[] =
    "SELECT extract(epoch FROM day)::bigint, sum(negative), sum(neutral),"
    "       sum(positive)"
    "  FROM analytics.mention_volume"
    " WHERE watch = $1 AND day >= $2::date AND day < $3::date"
    " GROUP BY day ORDER BY day";
/* Where each was seen: its source, and the publisher of an article a
 * source relays ("Google Alert - Acme (lemonde.fr)"), as the alerts say. */
static const char negative_sql[] =
    "SELECT title, link, source || coalesce(' (' || via || ')', ''),"
    "       sentiment FROM analytics.negative_mentions"
    " WHERE watch = $1 AND day >= $2::date AND day < $3::date"
    " ORDER BY sentiment, at DESC, item_id LIMIT 5";
/* No view lists the positive ones: effective_mentions, dated as the
 * views date them. */
static const char positive_sql[] =
    "SELECT i.title, i.link,"
    "       s.name || coalesce(' (' || i.relayed_site || ')', ''),"
    "       m.sentiment"
    "  FROM effective_mentions m"
    "  JOIN watches w ON w.id = m.watch_id"
    "  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at"
    "  JOIN sources s ON s.id = m.source_id"
    " WHERE w.name = $1 AND m.label = 'positive'"
    "   AND analytics.mention_day(m.published_at, m.first_seen_at)"
    "       >= $2::date"
    "   AND analytics.mention_day(m.published_at, m.first_seen_at)"
    "       < $3::date"
    " ORDER BY m.sentiment DESC, m.first_seen_at DESC, m.item_id LIMIT 5";
/* The site of a relayed item is its publisher's (via): an alert's
 * articles are lemonde.fr's and lefigaro.fr's, as in the dashboard. */
static const char sources_sql[] =
    "SELECT source, coalesce(via, site), sum(mentions), sum(negative),"
    "       sum(positive)"
    "  FROM analytics.source_volume"
    " WHERE watch = $1 AND day >= $2::date AND day < $3::date"
    " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5";
static const char authors_sql[] =
    "SELECT author, coalesce(via, site), sum(mentions), sum(negative),"
    "       sum(positive)"
    "  FROM analytics.author_volume"
    " WHERE watch = $1 AND day >= $2::date AND day < $3::date"
    " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5";
/* The incidents open at some time of the period, whose days are UTC's
 * as the views' are, whatever the session's time zone. */
static const char incidents_sql[] =
    "SELECT severity, coalesce(reason, ''),"
    "       extract(epoch FROM opened_at)::bigint,"
    "       extract(epoch FROM resolved_at)::bigint,"
    "       coalesce(peak_count, 0)"
    "  FROM analytics.incidents"
    " WHERE kind = 'spike' AND watch = $1"
    "   AND opened_at < ($3::date::timestamp AT TIME ZONE 'UTC')"
    "   AND (resolved_at IS NULL"
    "        OR resolved_at >= ($2::date::timestamp AT TIME ZONE 'UTC'))"
    " ORDER BY opened_at";

struct reader {
	PGconn *conn;
	char **err;
};

/* Rows of sql, or NULL with *err set. */
static PGresult *
rows(struct reader *rd, const char *sql, int n, const char *const *params)
{
	PGresult *res =
	    PQexecParams(rd->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*rd->err = pq_message("report", PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

static char *
text(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : xstrdup(PQgetvalue(res, r, c));
}

static long
number(PGresult *res, int r, int c)
{
	return strtol(PQgetvalue(res, r, c), NULL, 10);
}

static int
read_mentions(struct reader *rd, const char *sql, const char *const *p,
    struct report_mention *m, size_t *n)
{
	PGresult *res = rows(rd, sql, 3, p);

	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res) && r < REPORT_TOP; r++) {
		m[r].title = text(res, r, 0);
		m[r].link = text(res, r, 1);
		m[r].source = text(res, r, 2);
		m[r].tone = strtod(PQgetvalue(res, r, 3), NULL);
		(*n)++;
	}
	PQclear(res);
	return 0;
}

static int
read_speakers(struct reader *rd, const char *sql, const char *const *p,
    struct report_speaker *s, size_t *n)
{
	PGresult *res = rows(rd, sql, 3, p);

	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res) && r < REPORT_TOP; r++) {
		s[r].name = text(res, r, 0);
		s[r].site = text(res, r, 1);
		s[r].mentions = number(res, r, 2);
		s[r].negative = number(res, r, 3);
		s[r].positive = number(res, r, 4);
		(*n)++;
	}
	PQclear(res);
	return 0;
}

static int
read_counts(struct reader *rd, struct report_watch *w, const char *const *p)
{
	PGresult *res;

	if ((res = rows(rd, volume_sql, 4, p)) == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res); r++) {
		int k = (int)number(res, r, 0);

		w->mentions[k] = number(res, r, 1);
		w->negative[k] = number(res, r, 2);
		w->neutral[k] = number(res, r, 3);
		w->positive[k] = number(res, r, 4);
	}
	PQclear(res);
	if (w->compare != NULL) {
		if ((res = rows(rd, share_sql, 4, p)) == NULL)
			return -1;
		for (int r = 0; r < PQntuples(res); r++)
			if (!PQgetisnull(res, r, 1))
				w->share[number(res, r, 0)] =
				    strtod(PQgetvalue(res, r, 1), NULL);
		PQclear(res);
	}
	if ((res = rows(rd, days_sql, 3, p)) == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res); r++) {
		struct report_day *d =
		    report_day(w, strtoll(PQgetvalue(res, r, 0), NULL, 10));

		if (d == NULL)
			continue;
		d->negative = number(res, r, 1);
		d->neutral = number(res, r, 2);
		d->positive = number(res, r, 3);
	}
	PQclear(res);
	return 0;
}

static int
read_incidents(struct reader *rd, struct report_watch *w, const char *const *p)
{
	PGresult *res = rows(rd, incidents_sql, 3, p);
	int n;

	if (res == NULL)
		return -1;
	n = PQntuples(res);
	w->incidents = xcalloc((size_t)n + 1, sizeof(*w->incidents));
	for (int r = 0; r < n; r++) {
		struct report_incident *in = &w->incidents[r];

		in->severity = text(res, r, 0);
		in->reason = text(res, r, 1);
		in->opened = strtoll(PQgetvalue(res, r, 2), NULL, 10);
		in->resolved = PQgetisnull(res, r, 3)
		    ? DATE_NONE
		    : strtoll(PQgetvalue(res, r, 3), NULL, 10);
		in->peak = (int)number(res, r, 4);
	}
	w->nincidents = (size_t)n;
	PQclear(res);
	return 0;
}

static int
read_watch(struct reader *rd, struct report_watch *w, const char *from,
    const char *to, const char *prev)
{
	const char *p[4] = { w->name, from, to, prev };

	if (read_counts(rd, w, p) < 0 ||
	    read_mentions(
	        rd, negative_sql, p, w->negative_top, &w->nnegative_top) < 0 ||
	    read_mentions(
	        rd, positive_sql, p, w->positive_top, &w->npositive_top) < 0 ||
	    read_speakers(rd, sources_sql, p, w->sources, &w->nsources) < 0 ||
	    read_speakers(rd, authors_sql, p, w->authors, &w->nauthors) < 0)
		return -1;
	return read_incidents(rd, w, p);
}

/* The first of names no row holds, or NULL. */
static const char *
missing(PGresult *res, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int found = 0;

		for (int r = 0; r < PQntuples(res) && !found; r++)
			found = strcmp(PQgetvalue(res, r, 0), names[i]) == 0;
		if (!found)
			return names[i];
	}
	return NULL;
}

static void
day_text(int64_t t, char out[DATE_RFC3339_LEN])
{
	date_format_rfc3339(t, out);
	out[10] = '\0';
}

int
report_data_read(PGconn *conn, struct report *r, const char *const *names,
    size_t n, const char *const *tags, size_t ntags, char **err)
{
	struct reader rd = { .conn = conn, .err = err };
	char from[DATE_RFC3339_LEN], to[DATE_RFC3339_LEN],
	    prev[DATE_RFC3339_LEN];
	PGresult *res;
	const char *gone;
	int ret = 0;

	*err = NULL;
	day_text(r->from, from);
	day_text(r->to, to);
	day_text(r->prev_from, prev);
	if (n > 0 || ntags > 0) {
		char *arr = n > 0 ? pq_text_array(names, n)
		                  : pq_text_array(tags, ntags);
		const char *p[1] = { arr };

		res = rows(&rd, n > 0 ? named_sql : tagged_sql, 1, p);
		free(arr);
	} else
		res = rows(&rd, all_sql, 0, NULL);
	if (res == NULL)
		return -1;
	if ((gone = missing(res, names, n)) != NULL)
		*err = xasprintf("report: no watch named \"%s\"", gone);
	else if (PQntuples(res) == 0)
		*err = xstrdup(ntags > 0
		        ? "report: no configured watch has this tag"
		        : "report: no watch configured");
	for (int i = 0; *err == NULL && ret == 0 && i < PQntuples(res); i++) {
		struct report_watch *w =
		    report_add_watch(r, PQgetvalue(res, i, 0));

		w->compare = text(res, i, 1);
		ret = read_watch(&rd, w, from, to, prev);
	}
	PQclear(res);
	return *err != NULL || ret < 0 ? -1 : 0;
}

int
report_data_fill(const char *conninfo, struct report *r,
    const char *const *names, size_t n, const char *const *tags, size_t ntags,
    char **err)
{
	PGconn *conn = pq_connect(conninfo, err);
	int rc;

	if (conn == NULL)
		return -1;
	rc = report_data_read(conn, r, names, n, tags, ntags, err);
	PQfinish(conn);
	return rc;
}
