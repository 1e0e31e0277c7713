/*
 * pages.c - the dashboard's pages from the analytics views (see pages.h).
 *
 * Every page covers a period of the views' days, [f, t), and compares it
 * with the one before of the same length, [pf, f): the same days an
 * analyst would give the views to find the same figures (docs/DASHBOARD.md
 * names the view behind each). Filters travel as parameters; a filter
 * left empty is NULL and its condition is true, which PostgreSQL folds
 * away when it plans the statement with its values (PQexecParams plans
 * each unnamed statement anew).
 */
#include "service/web/pages.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/escape.h"
#include "core/base/util.h"

#define PAGE_ROWS 50
#define CSV_ROWS 100000

struct page {
	PGconn *conn;
	const struct page_req *req;
	const struct dash_ctx *ctx;
	struct page_resp *resp;
	struct buf *b;
	char f[16], t[16], pf[16]; /* the period's days, YYYY-MM-DD */
	time_t last; /* the period's last day */
	long days;
	int failed; /* a query failed: the page is an error */
	int denied; /* ... because the role may not */
	int missing; /* an update found no row */
	/* The rows of the last statement several lists split (shared_rows) */
	const char *shared_sql;
	struct dash_rows shared;
};

void
page_resp_clear(struct page_resp *r)
{
	buf_clear(&r->body);
	free(r->location);
	free(r->filename);
	memset(r, 0, sizeof *r);
}

static const char *
param(const struct page *pg, const char *name)
{
	const char *v;

	if (pg->req->params == NULL)
		return NULL;
	v = evhttp_find_header(pg->req->params, name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Runs sql with params into rows (may be NULL); 0, or -1 with the page
 * marked failed. */
static int
query(struct page *pg, struct dash_rows *rows, const char *sql, int n,
    const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (pg->failed)
		return -1;
	res = PQexecParams(pg->conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* 42501: insufficient privilege, 25006: a read-only
		 * transaction (the local user is an analyst). */
		pg->denied = state != NULL &&
		    (strcmp(state, "42501") == 0 ||
		        strcmp(state, "25006") == 0);
		pg->failed = 1;
		PQclear(res);
		return -1;
	}
	if (rows != NULL) {
		size_t nr = (size_t)PQntuples(res), nc = (size_t)PQnfields(res);

		rows->nrows = nr;
		rows->ncols = nc;
		rows->cells = xcalloc(nr * nc + 1, sizeof *rows->cells);
		for (size_t r = 0; r < nr; r++)
			for (size_t c = 0; c < nc; c++)
				if (!PQgetisnull(res, (int)r, (int)c))
					rows->cells[r * nc + c] = xstrdup(
					    PQgetvalue(res, (int)r, (int)c));
	} else if (st == PGRES_COMMAND_OK &&
	    strcmp(PQcmdTuples(res), "0") == 0) {
		pg->missing = 1;
	}
	PQclear(res);
	return pg->failed ? -1 : 0;
}

int
pages_is_editor(PGconn *conn)
{
	PGresult *res = PQexec(
	    conn, "SELECT pg_has_role(current_user, 'vigie_editor', 'MEMBER')");
	int editor = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		editor = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return editor;
}

/* --- the period --- */

static int
parse_day(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, m, d;
	char extra;

	/* Years a period of the views can hold, written in four digits. */
	if (s == NULL || strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1970 ||
	    y > 9000)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm);
	/* timegm normalises 2026-02-31; a day that moved was not one. */
	gmtime_r(out, &tm);
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d
	    ? 0
	    : -1;
}

static void
put_day(char *out, size_t n, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

/* days (1 to 366, 30 by default) up to today, or from and to (to
 * included) when given. 0, or -1 when they cannot be read. */
static int
period_read(struct page *pg)
{
	const char *days = param(pg, "days");
	time_t from, to, now = time(NULL);
	char *end;

	pg->days = 30;
	if (days != NULL) {
		pg->days = strtol(days, &end, 10);
		if (*end != '\0' || pg->days < 1 || pg->days > 366)
			return -1;
	}
	to = now - now % 86400 + 86400;
	if (param(pg, "to") != NULL) {
		if (parse_day(param(pg, "to"), &to) != 0)
			return -1;
		to += 86400;
	}
	from = to - pg->days * 86400;
	if (param(pg, "from") != NULL) {
		if (parse_day(param(pg, "from"), &from) != 0 || from >= to ||
		    to - from > 3 * 366 * 86400L)
			return -1;
		pg->days = (long)((to - from) / 86400);
	}
	pg->last = to - 86400;
	put_day(pg->f, sizeof pg->f, from);
	put_day(pg->t, sizeof pg->t, to);
	put_day(pg->pf, sizeof pg->pf, from - (to - from));
	return 0;
}

static const struct dash_text day_options[] = {
	{ NULL, "1" },
	{ "1 jour", "1 day" },
	{ NULL, "7" },
	{ "7 jours", "7 days" },
	{ NULL, "30" },
	{ "30 jours", "30 days" },
	{ NULL, "90" },
	{ "90 jours", "90 days" },
	{ NULL, "365" },
	{ "365 jours", "365 days" },
	{ NULL, NULL },
};

/* --- shared SQL --- */

/* Per watch: mentions in the period and the one before, the relative
 * change, net sentiment (positive less negative, over all) and its
 * change, negative share, open incidents, and the period's mentions per
 * day for a sparkline. $1 f, $2 t, $3 pf, $4 one watch or NULL for all.
 * The daily volume of both periods is read once (d), for the sums and
 * for the sparkline, whose days are set from the watch's days found (i,
 * ns) rather than by joining every watch's every day to them, which
 * PostgreSQL planned as a merge on the watch alone (1.8 million rows
 * compared for 1,000 watches). */
static const char watches_sql[] =
    "WITH d AS ("
    " SELECT watch_id, day, mentions AS n, positive - negative AS net,"
    "        negative AS neg"
    "   FROM analytics.watch_volume"
    "  WHERE day >= $3::date AND day < $2::date"
    "    AND ($4::text IS NULL OR watch = $4)),"
    " v AS ("
    " SELECT watch_id,"
    "        sum(n) FILTER (WHERE day >= $1::date) AS n,"
    "        sum(n) FILTER (WHERE day < $1::date) AS n0,"
    "        sum(net) FILTER (WHERE day >= $1::date) AS net,"
    "        sum(net) FILTER (WHERE day < $1::date) AS net0,"
    "        sum(neg) FILTER (WHERE day >= $1::date) AS neg,"
    "        array_agg(day - $1::date) FILTER (WHERE day >= $1::date) AS i,"
    "        array_agg(n) FILTER (WHERE day >= $1::date) AS ns"
    "   FROM d GROUP BY watch_id)"
    " SELECT w.name, coalesce(v.n, 0), coalesce(v.n0, 0),"
    "        (v.n - v.n0)::float8 / nullif(v.n0, 0),"
    "        round(v.net::numeric / nullif(v.n, 0), 3),"
    "        round(v.net::numeric / nullif(v.n, 0), 3)"
    "          - round(v.net0::numeric / nullif(v.n0, 0), 3),"
    "        round(v.neg::numeric / nullif(v.n, 0), 4),"
    "        (SELECT count(*) FROM analytics.incidents i"
    "          WHERE i.watch_id = w.id AND i.state = 'firing'),"
    "        (SELECT string_agg(coalesce(v.ns[array_position(v.i, k)], 0)"
    "                           ::text, ',' ORDER BY k)"
    "           FROM generate_series(0, $2::date - $1::date - 1) k),"
    "        w.compare_group"
    "   FROM watches w LEFT JOIN v ON v.watch_id = w.id"
    "  WHERE w.in_config AND ($4::text IS NULL OR w.name = $4)"
    "  ORDER BY 8 DESC, 2 DESC, w.name";

enum { W_NAME, W_N, W_N0, W_CHANGE, W_NET, W_TREND, W_NEG, W_OPEN, W_DAYS };

static const struct dash_col watch_cols[] = {
	{ { "Veille", "Watch" }, DK_WATCH, 0, 0 },
	{ { "Mentions", "Mentions" }, DK_NUMBER, 0, 0 },
	{ { "P\xc3\xa9riode pr\xc3\xa9"
	    "c\xc3\xa9"
	    "dente",
	      "Previous period" },
	    DK_NUMBER, 0, 0 },
	{ { "\xc3\x89volution", "Change" }, DK_CHANGE, 0, 0 },
	{ { "Sentiment net", "Net sentiment" }, DK_SIGNED, 0, 0 },
	{ { "Tendance", "Trend" }, DK_SIGNED, 0, 0 },
	{ { "Part n\xc3\xa9gative", "Negative share" }, DK_PERCENT, 0, 0 },
	{ { "Incidents ouverts", "Open incidents" }, DK_NUMBER, 0, 0 },
	{ { "Par jour", "Per day" }, DK_SPARK, 0, 0 },
};

static void
period_params(const struct page *pg, const char **p)
{
	p[0] = pg->f;
	p[1] = pg->t;
	p[2] = pg->pf;
}

/* "From 5 Nov 2026 to 4 Dec 2026": the period's first and last days. */
static void
period_line(struct page *pg)
{
	char day[16];
	char *cells[2] = { pg->f, day };
	const struct dash_rows rows = { 1, 2, cells };
	const struct dash_col col = { { NULL, "" }, DK_DAY, 0, 0 };

	put_day(day, sizeof day, pg->last);
	buf_printf(pg->b, "<p class=\"muted period\">%s ",
	    dash_tr(pg->ctx, (struct dash_text){ "Du", "From" }));
	dash_cell_html(pg->b, pg->ctx, &col, 0, &rows, 0);
	buf_printf(
	    pg->b, " %s ", dash_tr(pg->ctx, (struct dash_text){ "au", "to" }));
	dash_cell_html(pg->b, pg->ctx, &col, 1, &rows, 0);
	buf_printf(pg->b, " %s</p>\n",
	    dash_tr(pg->ctx,
	        (struct dash_text){
	            "(jours UTC des vues)", "(the views' UTC days)" }));
}

/* The period chooser, alone or before a page's own filters; its value is
 * the period's length, 30 days when none was asked for. */
static const struct dash_field days_field = { "days",
	{ "P\xc3\xa9riode", "Period" }, DF_SELECT, NULL, day_options, NULL };

/* The filters a list keeps from one page to the next, and its CSV. */
static char *
list_query(struct page *pg, const char *const *names)
{
	struct buf q;

	buf_init(&q);
	for (; *names != NULL; names++) {
		const char *v = param(pg, *names);

		if (v == NULL)
			continue;
		buf_printf(&q, "%s%s=", q.len ? "&" : "", *names);
		dash_query_value(&q, v);
	}
	buf_putc(&q, '\0');
	return buf_release(&q);
}

static long
page_number(struct page *pg)
{
	const char *v = param(pg, "page");
	long n = v != NULL ? strtol(v, NULL, 10) : 1;

	return n >= 1 && n <= 100000 ? n : 1;
}

static char
csv_sep(struct page *pg)
{
	const char *v = param(pg, "sep");

	return v != NULL && strcmp(v, ";") == 0 ? ';' : ',';
}

/* Answers rows as a CSV download named name. */
static void
send_csv(struct page *pg, const char *name, const struct dash_col *cols,
    size_t ncols, const struct dash_rows *rows)
{
	dash_csv(pg->b, pg->ctx, cols, ncols, rows, csv_sep(pg));
	pg->resp->type = "text/csv; charset=utf-8";
	pg->resp->filename =
	    xasprintf("vigie-%s-%s-%s.csv", name, pg->f, pg->t);
}

static int
is_csv(struct page *pg)
{
	const char *v = param(pg, "format");

	return v != NULL && strcmp(v, "csv") == 0;
}

/* What the period chooser shows: the days asked for, else 30 unless
 * dates were given. */
static const char *
days_value(struct page *pg)
{
	if (param(pg, "days") != NULL)
		return param(pg, "days");
	return param(pg, "from") != NULL || param(pg, "to") != NULL ? NULL
	                                                            : "30";
}

/* --- overview --- */

static void
page_overview(struct page *pg)
{
	struct dash_rows ws = { 0 };
	const char *p[4];
	struct dash_field f = days_field;

	char *kept;

	period_params(pg, p);
	p[3] = NULL;
	if (query(pg, &ws, watches_sql, 4, p) != 0)
		return;
	if (is_csv(pg)) {
		send_csv(pg, "watches", watch_cols, ARRAY_LEN(watch_cols), &ws);
		dash_rows_clear(&ws);
		return;
	}
	kept =
	    list_query(pg, (const char *const[]){ "days", "from", "to", NULL });
	dash_page_begin(pg->b, pg->ctx, "/",
	    (struct dash_text){ "Vue d'ensemble", "Overview" }, NULL);
	f.value = days_value(pg);
	dash_filters(pg->b, pg->ctx, "/", &f, 1, kept);
	free(kept);
	period_line(pg);
	dash_table(pg->b, pg->ctx, watch_cols, ARRAY_LEN(watch_cols), &ws);
	dash_page_end(pg->b, pg->ctx);
	dash_rows_clear(&ws);
}

/* --- a watch --- */

/* Tone counts per bucket: hours from the mentions themselves for a day or
 * two, else the daily volume, by day or (past three months) by week.
 * $1 f, $2 t, $3 the watch, $4 'hour', 'day' or 'week'. The label is the
 * bucket's start, which the incidents' marks are given in too. */
static const char tones_hour_sql[] =
    "SELECT to_char(d, 'YYYY-MM-DD HH24:MI'),"
    "       count(m.item_id) FILTER (WHERE m.label = 'negative'),"
    "       count(m.item_id) FILTER (WHERE m.label = 'neutral'),"
    "       count(m.item_id) FILTER (WHERE m.label = 'positive')"
    "  FROM generate_series($1::date::timestamp AT TIME ZONE 'UTC',"
    "       ($2::date::timestamp AT TIME ZONE 'UTC') - interval '1 hour',"
    "       interval '1 hour') d"
    "  LEFT JOIN analytics.mentions m ON m.watch = $3"
    "   AND m.day >= $1::date AND m.day < $2::date"
    "   AND date_trunc('hour', m.at, 'UTC') = d"
    " GROUP BY d ORDER BY d";
static const char tones_day_sql[] =
    "SELECT to_char(d, 'YYYY-MM-DD'), coalesce(sum(v.negative), 0),"
    "       coalesce(sum(v.neutral), 0), coalesce(sum(v.positive), 0),"
    "       to_char(least(d + ('1 ' || $4)::interval - interval '1 day',"
    "                     $2::date - 1), 'YYYY-MM-DD')"
    "  FROM generate_series(date_trunc($4, $1::date::timestamp),"
    "       $2::date::timestamp - interval '1 day',"
    "       ('1 ' || $4)::interval) d"
    "  LEFT JOIN analytics.watch_volume v ON v.watch = $3"
    "   AND v.day >= $1::date AND v.day < $2::date"
    "   AND date_trunc($4, v.day::timestamp) = d"
    " GROUP BY d ORDER BY d";
static const char marks_sql[] =
    "SELECT CASE $4 WHEN 'hour'"
    "         THEN to_char(date_trunc('hour', opened_at, 'UTC'),"
    "                      'YYYY-MM-DD HH24:MI')"
    "         ELSE to_char(date_trunc($4, opened_at AT TIME ZONE 'UTC'),"
    "                      'YYYY-MM-DD') END,"
    "       severity, reason"
    "  FROM analytics.incidents"
    " WHERE watch = $3"
    "   AND opened_at >= $1::date::timestamp AT TIME ZONE 'UTC'"
    "   AND opened_at < $2::date::timestamp AT TIME ZONE 'UTC'";
static const char share_sql[] =
    "SELECT watch, sum(mentions),"
    "       round(sum(mentions) / sum(sum(mentions)) OVER (), 4)"
    "  FROM analytics.share_of_voice"
    " WHERE compare_group = (SELECT compare_group FROM watches"
    "                         WHERE name = $3)"
    "   AND day >= $1::date AND day < $2::date"
    " GROUP BY watch ORDER BY 2 DESC, watch";
/* A source that relays other sites' articles (an alert) once per
 * publisher: the sites that speak, as the list of mentions names them. */
static const char sources_sql[] =
    "SELECT source, coalesce(via, site), sum(mentions), sum(negative),"
    "       sum(positive)"
    "  FROM analytics.source_volume"
    " WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10";
/* Ambassadors speak well of the watch more than ill (the first column
 * 'ambassador'), detractors the other way round ('detractor'): the
 * period's authors counted once for both lists. */
static const char authors_sql[] =
    "WITH a AS MATERIALIZED ("
    " SELECT author, coalesce(via, site) AS site, sum(mentions) AS n,"
    "        sum(negative) AS neg, sum(positive) AS pos"
    "   FROM analytics.author_volume"
    "  WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    "  GROUP BY 1, 2)"
    " (SELECT 'ambassador', author, site, n, neg, pos FROM a"
    "   WHERE pos > neg ORDER BY pos - neg DESC, n DESC, author LIMIT 10)"
    " UNION ALL"
    " (SELECT 'detractor', author, site, n, neg, pos FROM a"
    "   WHERE neg > pos ORDER BY neg - pos DESC, n DESC, author LIMIT 10)";
static const char terms_sql[] =
    "SELECT term, sum(mentions) FROM analytics.term_volume"
    " WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    " GROUP BY term ORDER BY 2 DESC, term LIMIT 10";
static const char emotions_sql[] =
    "SELECT emotion, sum(mentions) FROM analytics.emotion_volume"
    " WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    " GROUP BY emotion ORDER BY 2 DESC, emotion";
static const char rumours_sql[] =
    "SELECT at, title, link, source, label"
    "  FROM analytics.rumours"
    " WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    " ORDER BY at DESC, item_id LIMIT 10";
static const char stories_sql[] =
    "SELECT story_id, min(title), count(*), count(DISTINCT site),"
    "       min(at), max(at)"
    "  FROM analytics.story_mentions"
    " WHERE watch = $3 AND day >= $1::date AND day < $2::date"
    " GROUP BY story_id HAVING count(DISTINCT site) > 1"
    " ORDER BY 4 DESC, 3 DESC, story_id LIMIT 10";
static const char watch_incidents_sql[] =
    "SELECT incident_id, state, severity, reason, opened_at, resolved_at,"
    "       peak_count"
    "  FROM analytics.incidents"
    " WHERE watch = $3"
    "   AND opened_at < $2::date::timestamp AT TIME ZONE 'UTC'"
    "   AND coalesce(resolved_at, now())"
    "       >= $1::date::timestamp AT TIME ZONE 'UTC'"
    " ORDER BY opened_at DESC";

static const struct dash_col share_cols[] = {
	{ { "Veille", "Watch" }, DK_WATCH, 0, 0 },
	{ { "Mentions", "Mentions" }, DK_NUMBER, 0, 0 },
	{ { "Part de voix", "Share of voice" }, DK_PERCENT, 0, 0 },
};
static const struct dash_col speaker_cols[] = {
	{ { "Nom", "Name" }, DK_TEXT, 0, 0 },
	{ { "Site", "Site" }, DK_TEXT, 0, 0 },
	{ { "Mentions", "Mentions" }, DK_NUMBER, 0, 0 },
	{ { "N\xc3\xa9gatives", "Negative" }, DK_NUMBER, 0, 0 },
	{ { "Positives", "Positive" }, DK_NUMBER, 0, 0 },
};
static const struct dash_col count_cols[] = {
	{ { "Terme", "Term" }, DK_TEXT, 0, 0 },
	{ { "Mentions", "Mentions" }, DK_NUMBER, 0, 0 },
};
static const struct dash_col emotion_cols[] = {
	{ { "\xc3\x89motion", "Emotion" }, DK_WORD, 0, 0 },
	{ { "Mentions", "Mentions" }, DK_NUMBER, 0, 0 },
};
static const struct dash_col rumour_cols[] = {
	{ { "Date", "Date" }, DK_TIME, 0, 0 },
	{ { "Titre", "Title" }, DK_LINK, 2, 0 },
	{ { "Source", "Source" }, DK_TEXT, 0, 0 },
	{ { "Tonalit\xc3\xa9", "Tone" }, DK_TONE, 0, 0 },
};
static const struct dash_col story_cols[] = {
	{ { "R\xc3\xa9"
	    "cit",
	      "Story" },
	    DK_STORY, 0, 0 },
	{ { "Titre", "Title" }, DK_TEXT, 0, 0 },
	{ { "Articles", "Items" }, DK_NUMBER, 0, 0 },
	{ { "Sites", "Sites" }, DK_NUMBER, 0, 0 },
	{ { "Premier", "First" }, DK_TIME, 0, 0 },
	{ { "Dernier", "Last" }, DK_TIME, 0, 0 },
};
static const struct dash_col incident_cols[] = {
	{ { "N\xc2\xb0", "No." }, DK_NUMBER, 0, 0 },
	{ { "\xc3\x89tat", "State" }, DK_WORD, 0, 0 },
	{ { "Gravit\xc3\xa9", "Severity" }, DK_WORD, 0, 0 },
	{ { "Motif", "Reason" }, DK_WORD, 0, 0 },
	{ { "Ouvert", "Opened" }, DK_TIME, 0, 0 },
	{ { "R\xc3\xa9solu", "Resolved" }, DK_TIME, 0, 0 },
	{ { "Pic", "Peak" }, DK_NUMBER, 0, 0 },
};

/* The lists of a watch's page, each from its view, each a CSV of its own
 * (?list=KEY&format=csv). $1 f, $2 t, $3 the watch. With arg set, the
 * list is the rows of sql whose first column is arg (shared_rows). */
struct watch_list {
	const char *key;
	struct dash_text heading;
	const char *sql;
	const char *arg;
	const struct dash_col *cols;
	size_t ncols;
};

#define COLS(c) c, ARRAY_LEN(c)
static const struct watch_list watch_lists[] = {
	{ "share",
	    { "Part de voix (veilles compar\xc3\xa9"
	      "es)",
	        "Share of voice (watches compared)" },
	    share_sql, NULL, COLS(share_cols) },
	{ "sources", { "Sources les plus actives", "Top sources" }, sources_sql,
	    NULL, COLS(speaker_cols) },
	{ "ambassadors", { "Ambassadeurs", "Ambassadors" }, authors_sql,
	    "ambassador", COLS(speaker_cols) },
	{ "detractors", { "D\xc3\xa9tracteurs", "Detractors" }, authors_sql,
	    "detractor", COLS(speaker_cols) },
	{ "terms", { "Termes les plus trouv\xc3\xa9s", "Terms matched most" },
	    terms_sql, NULL, COLS(count_cols) },
	{ "emotions", { "\xc3\x89motions", "Emotions" }, emotions_sql, NULL,
	    COLS(emotion_cols) },
	{ "rumours", { "Rumeurs", "Rumours" }, rumours_sql, NULL,
	    COLS(rumour_cols) },
	{ "stories",
	    { "R\xc3\xa9"
	      "cits repris sur plusieurs sites",
	        "Stories spreading across sites" },
	    stories_sql, NULL, COLS(story_cols) },
	{ "incidents", { "Incidents", "Incidents" }, watch_incidents_sql, NULL,
	    COLS(incident_cols) },
};

/* The rows of sql whose first column is kind, without that column, into
 * rows: lists that split one statement's rows run it once a page. */
static int
shared_rows(struct page *pg, const char *sql, const char *kind, int n,
    const char *const *params, struct dash_rows *rows)
{
	const struct dash_rows *all = &pg->shared;
	size_t nc, kept = 0;

	if (pg->shared_sql != sql) {
		dash_rows_clear(&pg->shared);
		if (query(pg, &pg->shared, sql, n, params) != 0)
			return -1;
		pg->shared_sql = sql;
	}
	nc = all->ncols > 0 ? all->ncols - 1 : 0;
	rows->ncols = nc;
	rows->cells = xcalloc(all->nrows * nc + 1, sizeof *rows->cells);
	for (size_t r = 0; r < all->nrows; r++) {
		const char *k = dash_cell(all, r, 0);

		if (k == NULL || strcmp(k, kind) != 0)
			continue;
		for (size_t c = 0; c < nc; c++) {
			const char *v = dash_cell(all, r, c + 1);

			rows->cells[kept * nc + c] =
			    v != NULL ? xstrdup(v) : NULL;
		}
		kept++;
	}
	rows->nrows = kept;
	return 0;
}

/* One of a watch's lists into rows; p holds the period and the watch. */
static int
watch_list_rows(struct page *pg, const struct watch_list *l, const char **p,
    struct dash_rows *rows)
{
	if (l->arg != NULL)
		return shared_rows(pg, l->sql, l->arg, 3, p, rows);
	return query(pg, rows, l->sql, 3, p);
}

/* A list of the watch's page: its heading, its CSV, its table. */
static void
watch_list(struct page *pg, const struct watch_list *l, const char **p,
    const char *kept)
{
	struct dash_rows rows = { 0 };

	if (watch_list_rows(pg, l, p, &rows) != 0)
		return;
	dash_heading(pg->b, pg->ctx, l->heading);
	buf_puts(pg->b, "<p class=\"csv\"><a href=\"/watch?");
	esc_html(pg->b, kept);
	buf_printf(pg->b,
	    "&amp;list=%s&amp;format=csv\">CSV</a> <a href=\"/watch?", l->key);
	esc_html(pg->b, kept);
	buf_printf(pg->b,
	    "&amp;list=%s&amp;format=csv&amp;sep=%%3B\">CSV (;)</a></p>\n",
	    l->key);
	dash_table(pg->b, pg->ctx, l->cols, l->ncols, &rows);
	dash_rows_clear(&rows);
}

static void
figure(struct page *pg, struct dash_text name, const struct dash_col *col,
    size_t c, const struct dash_rows *rows)
{
	buf_puts(pg->b, "<div><strong>");
	if (dash_cell(rows, 0, c) == NULL)
		buf_puts(pg->b, "\xe2\x80\x94"); /* no figure: a dash */
	else
		dash_cell_html(pg->b, pg->ctx, col, c, rows, 0);
	buf_puts(pg->b, "</strong>");
	buf_puts(pg->b, dash_tr(pg->ctx, name));
	buf_puts(pg->b, "</div>");
}

/* A day's or a week's bar leads to that period alone, by hour or by
 * day: the bucket's last day (the fifth column) becomes the link. */
static void
zoom_links(struct dash_rows *tones, const char *watch)
{
	for (size_t r = 0; tones->ncols == 5 && r < tones->nrows; r++) {
		char **last = &tones->cells[r * 5 + 4];
		struct buf href;

		if (*last == NULL || dash_cell(tones, r, 0) == NULL)
			continue;
		buf_init(&href);
		buf_puts(&href, "/watch?w=");
		dash_query_value(&href, watch);
		buf_printf(
		    &href, "&from=%s&to=%s", dash_cell(tones, r, 0), *last);
		buf_putc(&href, '\0');
		free(*last);
		*last = buf_release(&href);
	}
}

/* Rows of (bucket, severity, reason) made (bucket, "critique, volume
 * improbable"), the text of the chart's marks. */
static void
incident_marks(struct page *pg, struct dash_rows *marks)
{
	struct dash_rows out = { marks->nrows, 2, NULL };

	out.cells = xcalloc(marks->nrows * 2 + 1, sizeof *out.cells);
	for (size_t r = 0; r < marks->nrows; r++) {
		out.cells[r * 2] = marks->cells[r * marks->ncols];
		marks->cells[r * marks->ncols] = NULL;
		const char *severity =
		    dash_word(pg->ctx, dash_cell(marks, r, 1));
		const char *reason = dash_word(pg->ctx, dash_cell(marks, r, 2));

		out.cells[r * 2 + 1] = xasprintf("%s%s%s",
		    severity != NULL ? severity : "",
		    reason != NULL ? ", " : "", reason != NULL ? reason : "");
	}
	dash_rows_clear(marks);
	*marks = out;
}

/* ?list=KEY&format=csv: that list alone, as CSV. */
static void
watch_csv(struct page *pg, const char **p)
{
	const char *key = param(pg, "list");
	struct dash_rows rows = { 0 };

	for (size_t i = 0; key != NULL && i < ARRAY_LEN(watch_lists); i++) {
		const struct watch_list *l = &watch_lists[i];

		if (strcmp(key, l->key) != 0)
			continue;
		if (watch_list_rows(pg, l, p, &rows) == 0)
			send_csv(pg, l->key, l->cols, l->ncols, &rows);
		dash_rows_clear(&rows);
		return;
	}
	pg->resp->status = 400;
}

static void
page_watch(struct page *pg)
{
	const char *name = param(pg, "w");
	struct dash_rows ws = { 0 }, tones = { 0 }, marks = { 0 };
	const char *p[4];
	struct dash_field f[2] = {
		{ "w", { NULL, "" }, DF_HIDDEN, name, NULL, NULL }, days_field
	};
	char *kept;
	const char *bucket = pg->days <= 2 ? "hour"
	    : pg->days <= 92               ? "day"
	                                   : "week";

	if (name == NULL) {
		pg->resp->status = 400;
		return;
	}
	period_params(pg, p);
	p[3] = name;
	if (query(pg, &ws, watches_sql, 4, p) != 0)
		return;
	if (ws.nrows == 0) {
		pg->resp->status = 404;
		dash_rows_clear(&ws);
		return;
	}
	p[2] = name;
	if (is_csv(pg)) {
		watch_csv(pg, p);
		dash_rows_clear(&ws);
		return;
	}
	p[3] = bucket;
	query(pg, &tones, pg->days <= 2 ? tones_hour_sql : tones_day_sql,
	    pg->days <= 2 ? 3 : 4, p);
	query(pg, &marks, marks_sql, 4, p);
	incident_marks(pg, &marks);
	zoom_links(&tones, name);
	if (pg->failed)
		goto done;
	dash_page_begin(pg->b, pg->ctx, "/watch",
	    (struct dash_text){ "Veille", "Watch" }, name);
	f[1].value = days_value(pg);
	dash_filters(pg->b, pg->ctx, "/watch", f, 2, NULL);
	period_line(pg);
	buf_puts(pg->b, "<div class=\"figures\">");
	figure(pg, (struct dash_text){ "mentions", "mentions" },
	    &watch_cols[W_N], W_N, &ws);
	figure(pg, (struct dash_text){ "\xc3\xa9volution", "change" },
	    &watch_cols[W_CHANGE], W_CHANGE, &ws);
	figure(pg, (struct dash_text){ "sentiment net", "net sentiment" },
	    &watch_cols[W_NET], W_NET, &ws);
	figure(pg, (struct dash_text){ "tendance", "trend" },
	    &watch_cols[W_TREND], W_TREND, &ws);
	figure(pg,
	    (struct dash_text){ "part n\xc3\xa9gative", "negative share" },
	    &watch_cols[W_NEG], W_NEG, &ws);
	figure(pg, (struct dash_text){ "incidents ouverts", "open incidents" },
	    &watch_cols[W_OPEN], W_OPEN, &ws);
	buf_puts(pg->b, "</div>\n");
	buf_puts(pg->b, "<p><a href=\"/mentions?watch=");
	dash_query_value(pg->b, name);
	buf_printf(pg->b, "&amp;days=%ld\">%s</a></p>\n", pg->days,
	    dash_tr(pg->ctx,
	        (struct dash_text){ "Lire ses mentions \xe2\x86\x92",
	            "Read its mentions \xe2\x86\x92" }));
	dash_chart_tones(pg->b, pg->ctx, "tones",
	    pg->days <= 2
	        ? (struct
	              dash_text){ "Mentions par heure et par tonalit\xc3\xa9",
	              "Mentions per hour by tone" }
	        : pg->days <= 92
	        ? (struct
	              dash_text){ "Mentions par jour et par tonalit\xc3\xa9",
	              "Mentions per day by tone" }
	        : (struct dash_text){ "Mentions par semaine et par "
	                              "tonalit\xc3\xa9",
	              "Mentions per week by tone" },
	    name, &tones, &marks);
	kept = list_query(
	    pg, (const char *const[]){ "w", "days", "from", "to", NULL });
	for (size_t i = 0; i < ARRAY_LEN(watch_lists); i++)
		watch_list(pg, &watch_lists[i], p, kept);
	free(kept);
	dash_page_end(pg->b, pg->ctx);
done:
	dash_rows_clear(&ws);
	dash_rows_clear(&tones);
	dash_rows_clear(&marks);
}

/* --- mentions --- */

/* $1 f, $2 t, $3 watch, $4 tone, $5 language, $6 source, $7 author,
 * $8 abusive only, $9 rumours only, $10 words (websearch syntax, French
 * and English stemming both), $11 story, $12 sort, $13 limit, $14
 * offset. A story is followed whatever the period. */
static const char mentions_sql[] =
    "SELECT at, watch, title, link, author, source, coalesce(via, site),"
    "       label, sentiment, lang, abusive, rumour, story_id, item_id,"
    "       watch_id"
    "  FROM analytics.mentions"
    " WHERE ($11::bigint IS NOT NULL"
    "        OR (day >= $1::date AND day < $2::date))"
    "   AND ($3::text IS NULL OR watch = $3)"
    "   AND ($4::text IS NULL OR label = $4)"
    "   AND ($5::text IS NULL OR lang = $5)"
    "   AND ($6::text IS NULL OR source = $6)"
    "   AND ($7::text IS NULL OR author = $7)"
    "   AND (NOT $8::bool OR abusive)"
    "   AND (NOT $9::bool OR rumour)"
    "   AND ($10::text IS NULL"
    "        OR search @@ (websearch_to_tsquery('french', $10)"
    "                      || websearch_to_tsquery('english', $10)))"
    "   AND ($11::bigint IS NULL OR story_id = $11)"
    " ORDER BY CASE WHEN $12 = 'tone' THEN sentiment END ASC,"
    "          CASE WHEN $12 = '-tone' THEN sentiment END DESC,"
    "          CASE WHEN $12 = 'old' THEN at END ASC,"
    "          at DESC, item_id, watch_id"
    " LIMIT $13::int OFFSET $14::int";

/* A page of the list, but for a story: the page's keys taken first from
 * effective_mentions in the order of its indexes on the day and the time
 * (schema 016), an item looked at only for the author or the words asked
 * for, and stopping once the page is full; then only those read through
 * analytics.mentions. The same parameters, rows and order as
 * mentions_sql; PostgreSQL estimates analytics.mentions' joins at one row
 * and so reads and joins every mention of the period before sorting them
 * (docs/BENCHMARKS.md, dashboard pages on 10 million mentions). Ordering
 * by the day, then the time, is the same order: a day is its time's UTC
 * date. */
static const char mentions_keys_sql[] =
    "WITH k AS ("
    " SELECT e.item_id, e.watch_id"
    "   FROM effective_mentions e"
    "  WHERE analytics.mention_day(e.published_at, e.first_seen_at)"
    "          >= $1::date"
    "    AND analytics.mention_day(e.published_at, e.first_seen_at)"
    "          < $2::date"
    "    AND ($3::text IS NULL"
    "         OR e.watch_id = (SELECT id FROM watches WHERE name = $3))"
    "    AND ($4::text IS NULL OR e.label = $4)"
    "    AND ($5::text IS NULL OR e.lang = $5)"
    "    AND ($6::text IS NULL"
    "         OR e.source_id = (SELECT id FROM sources WHERE name = $6))"
    "    AND ($7::text IS NULL"
    "         OR EXISTS (SELECT FROM items i WHERE i.id = e.item_id"
    "                       AND i.first_seen_at = e.first_seen_at"
    "                       AND i.author = $7))"
    "    AND (NOT $8::bool OR e.abusive) AND (NOT $9::bool OR e.rumour)"
    "    AND ($10::text IS NULL"
    "         OR EXISTS (SELECT FROM items i WHERE i.id = e.item_id"
    "                       AND i.first_seen_at = e.first_seen_at"
    "                       AND i.search"
    "                           @@ (websearch_to_tsquery('french', $10)"
    "                               || websearch_to_tsquery('english',"
    "                                                       $10))))"
    "    AND $11::bigint IS NULL"
    "  ORDER BY CASE WHEN $12 = 'tone' THEN e.sentiment END ASC,"
    "           CASE WHEN $12 = '-tone' THEN e.sentiment END DESC,"
    "           CASE WHEN $12 = 'old'"
    "                THEN analytics.mention_day(e.published_at,"
    "                                           e.first_seen_at)"
    "           END ASC,"
    "           CASE WHEN $12 = 'old'"
    "                THEN least(e.published_at, e.first_seen_at) END ASC,"
    "           analytics.mention_day(e.published_at, e.first_seen_at) DESC,"
    "           least(e.published_at, e.first_seen_at) DESC, e.item_id,"
    "           e.watch_id"
    "  LIMIT $13::int OFFSET $14::int)"
    " SELECT m.at, m.watch, m.title, m.link, m.author, m.source,"
    "        coalesce(m.via, m.site), m.label, m.sentiment, m.lang,"
    "        m.abusive, m.rumour, m.story_id, m.item_id, m.watch_id"
    "   FROM k JOIN analytics.mentions m"
    "     ON m.item_id = k.item_id AND m.watch_id = k.watch_id"
    "  ORDER BY CASE WHEN $12 = 'tone' THEN m.sentiment END ASC,"
    "           CASE WHEN $12 = '-tone' THEN m.sentiment END DESC,"
    "           CASE WHEN $12 = 'old' THEN m.at END ASC,"
    "           m.at DESC, m.item_id, m.watch_id";

static const struct dash_col mention_cols[] = {
	{ { "Date", "Date" }, DK_TIME, 0, 0 },
	{ { "Veille", "Watch" }, DK_WATCH, 0, 0 },
	{ { "Titre", "Title" }, DK_LINK, 3, 0 },
	{ { "Lien", "Link" }, DK_HIDDEN, 0, 0 },
	{ { "Auteur", "Author" }, DK_TEXT, 0, 0 },
	{ { "Source", "Source" }, DK_TEXT, 0, 0 },
	/* The publisher: a Google Alert's mention is lemonde.fr's. */
	{ { "Site", "Site" }, DK_TEXT, 0, 0 },
	{ { "Tonalit\xc3\xa9", "Tone" }, DK_TONE, 0, 0 },
	{ { "Score", "Score" }, DK_SIGNED, 0, 0 },
	{ { "Langue", "Language" }, DK_TEXT, 0, 0 },
	{ { "Abusif", "Abusive" }, DK_YESNO, 0, 0 },
	{ { "Rumeur", "Rumour" }, DK_YESNO, 0, 0 },
	{ { "R\xc3\xa9"
	    "cit",
	      "Story" },
	    DK_STORY, 0, 0 },
	{ { "Article", "Item" }, DK_HIDDEN, 0, 0 },
	{ { "N\xc2\xb0 veille", "Watch no." }, DK_HIDDEN, 0, 0 },
	{ { "Corriger", "Correct" }, DK_EDIT, 13, 14 },
};

static const struct dash_text tone_options[] = {
	{ NULL, "negative" },
	{ "n\xc3\xa9gatif", "negative" },
	{ NULL, "neutral" },
	{ "neutre", "neutral" },
	{ NULL, "positive" },
	{ "positif", "positive" },
	{ NULL, NULL },
};
static const struct dash_text sort_options[] = {
	{ NULL, "old" },
	{ "les plus anciennes", "oldest first" },
	{ NULL, "tone" },
	{ "les plus n\xc3\xa9gatives", "most negative first" },
	{ NULL, "-tone" },
	{ "les plus positives", "most positive first" },
	{ NULL, NULL },
};
static const struct dash_text lang_options[] = {
	{ NULL, "fr" },
	{ "fran\xc3\xa7"
	  "ais",
	    "French" },
	{ NULL, "en" },
	{ "anglais", "English" },
	{ NULL, NULL },
};

static const char watch_names_sql[] =
    "SELECT name FROM watches WHERE in_config ORDER BY name";
static const char source_names_sql[] =
    "SELECT name FROM sources WHERE in_config ORDER BY name";

static void
page_mentions(struct page *pg)
{
	static const char *const keep[] = { "days", "from", "to", "watch",
		"tone", "lang", "source", "author", "abusive", "rumour", "q",
		"story", "sort", NULL };
	struct dash_rows rows = { 0 }, watches = { 0 }, sources = { 0 };
	long page = page_number(pg);
	int csv = is_csv(pg);
	char limit[24], offset[24];
	const char *p[14];
	char *kept;
	const char *story = param(pg, "story");
	struct dash_field f[] = {
		days_field,
		{ "watch", { "Veille", "Watch" }, DF_SELECT, NULL, NULL,
		    &watches },
		{ "tone", { "Tonalit\xc3\xa9", "Tone" }, DF_SELECT, NULL,
		    tone_options, NULL },
		{ "lang", { "Langue", "Language" }, DF_SELECT, NULL,
		    lang_options, NULL },
		{ "source", { "Source", "Source" }, DF_SELECT, NULL, NULL,
		    &sources },
		{ "author", { "Auteur", "Author" }, DF_TEXT, NULL, NULL, NULL },
		{ "q", { "Mots", "Words" }, DF_TEXT, NULL, NULL, NULL },
		{ "abusive", { "Abusives", "Abusive" }, DF_CHECK, NULL, NULL,
		    NULL },
		{ "rumour", { "Rumeurs", "Rumours" }, DF_CHECK, NULL, NULL,
		    NULL },
		{ "sort", { "Tri", "Sort" }, DF_SELECT, NULL, sort_options,
		    NULL },
		{ "story", { NULL, "" }, DF_HIDDEN, NULL, NULL, NULL },
	};

	if (story != NULL &&
	    (strspn(story, "0123456789") != strlen(story) ||
	        strlen(story) > 18)) {
		pg->resp->status = 400;
		return;
	}
	period_params(pg, p);
	p[2] = param(pg, "watch");
	p[3] = param(pg, "tone");
	p[4] = param(pg, "lang");
	p[5] = param(pg, "source");
	p[6] = param(pg, "author");
	p[7] = param(pg, "abusive") != NULL ? "true" : "false";
	p[8] = param(pg, "rumour") != NULL ? "true" : "false";
	p[9] = param(pg, "q");
	p[10] = story;
	p[11] = param(pg, "sort") != NULL ? param(pg, "sort") : "";
	snprintf(limit, sizeof limit, "%d", csv ? CSV_ROWS : PAGE_ROWS + 1);
	snprintf(
	    offset, sizeof offset, "%ld", csv ? 0 : (page - 1) * PAGE_ROWS);
	p[12] = limit;
	p[13] = offset;
	/* A CSV's thousands of rows are read faster all at once. */
	if (query(pg, &rows,
	        csv || p[10] != NULL ? mentions_sql : mentions_keys_sql, 14,
	        p) != 0)
		return;
	if (csv) {
		send_csv(pg, "mentions", mention_cols, ARRAY_LEN(mention_cols),
		    &rows);
		dash_rows_clear(&rows);
		return;
	}
	query(pg, &watches, watch_names_sql, 0, NULL);
	query(pg, &sources, source_names_sql, 0, NULL);
	if (!pg->failed) {
		int more = rows.nrows > PAGE_ROWS;

		if (more)
			rows.nrows = PAGE_ROWS; /* the rest freed below */
		for (size_t i = 0; i < ARRAY_LEN(f); i++)
			f[i].value = param(pg, f[i].name);
		f[0].value = days_value(pg);
		kept = list_query(pg, keep);
		dash_page_begin(pg->b, pg->ctx, "/mentions",
		    (struct dash_text){ "Mentions", "Mentions" }, NULL);
		dash_filters(
		    pg->b, pg->ctx, "/mentions", f, ARRAY_LEN(f), kept);
		period_line(pg);
		dash_table(pg->b, pg->ctx, mention_cols,
		    ARRAY_LEN(mention_cols), &rows);
		dash_pager(pg->b, pg->ctx, "/mentions", kept, page, more);
		dash_page_end(pg->b, pg->ctx);
		free(kept);
		if (more)
			rows.nrows = PAGE_ROWS + 1;
	}
	dash_rows_clear(&rows);
	dash_rows_clear(&watches);
	dash_rows_clear(&sources);
}

/* --- incidents --- */

/* $1 f, $2 t, $3 watch: those open at some time of the period. */
static const char incidents_sql[] =
    "SELECT incident_id, coalesce(watch, source), kind, state, severity,"
    "       reason, opened_at, resolved_at, peak_count"
    "  FROM analytics.incidents"
    " WHERE opened_at < $2::date::timestamp AT TIME ZONE 'UTC'"
    "   AND coalesce(resolved_at, now())"
    "       >= $1::date::timestamp AT TIME ZONE 'UTC'"
    "   AND ($3::text IS NULL OR watch = $3)"
    " ORDER BY state = 'firing' DESC, opened_at DESC, incident_id LIMIT 200";
/* The state changes and the figures behind each, from the timeline. */
static const char timeline_sql[] =
    "SELECT i.incident_id, t.at, t.state, t.window_count, t.expected,"
    "       t.ratio, t.p_value"
    "  FROM analytics.incidents i,"
    "       jsonb_to_recordset(i.timeline) AS t(state text, at timestamptz,"
    "         window_count bigint, expected float8, ratio float8,"
    "         p_value float8)"
    " WHERE i.incident_id = ANY ($1::bigint[])"
    " ORDER BY i.incident_id, t.at";
/* The notifications sent for each, with their delivery (the outbox's
 * columns an analyst may read: not the destination). */
static const char sent_sql[] =
    "SELECT e.incident_id, o.created_at, o.target, o.channel,"
    "       CASE WHEN o.delivered_at IS NOT NULL THEN 'delivered'"
    "            WHEN o.failed_at IS NOT NULL THEN 'failed'"
    "            ELSE 'pending' END,"
    "       o.attempts, o.delivered_at, o.last_error"
    "  FROM incident_events e JOIN outbox o ON o.event_id = e.event_id"
    " WHERE e.incident_id = ANY ($1::bigint[])"
    " ORDER BY e.incident_id, o.created_at, o.id";

static const struct dash_col incidents_cols[] = {
	{ { "N\xc2\xb0", "No." }, DK_NUMBER, 0, 0 },
	{ { "Veille ou source", "Watch or source" }, DK_TEXT, 0, 0 },
	{ { "Genre", "Kind" }, DK_WORD, 0, 0 },
	{ { "\xc3\x89tat", "State" }, DK_WORD, 0, 0 },
	{ { "Gravit\xc3\xa9", "Severity" }, DK_WORD, 0, 0 },
	{ { "Motif", "Reason" }, DK_WORD, 0, 0 },
	{ { "Ouvert", "Opened" }, DK_TIME, 0, 0 },
	{ { "R\xc3\xa9solu", "Resolved" }, DK_TIME, 0, 0 },
	{ { "Pic", "Peak" }, DK_NUMBER, 0, 0 },
};
static const struct dash_col timeline_cols[] = {
	{ { "N\xc2\xb0", "No." }, DK_HIDDEN, 0, 0 },
	{ { "Date", "Date" }, DK_TIME, 0, 0 },
	{ { "\xc3\x89tat", "State" }, DK_WORD, 0, 0 },
	{ { "Compt\xc3\xa9", "Count" }, DK_NUMBER, 0, 0 },
	{ { "Attendu", "Expected" }, DK_DECIMAL, 0, 0 },
	{ { "Rapport", "Ratio" }, DK_DECIMAL, 0, 0 },
	{ { "p-valeur", "p-value" }, DK_TEXT, 0, 0 },
};
static const struct dash_col sent_cols[] = {
	{ { "N\xc2\xb0", "No." }, DK_HIDDEN, 0, 0 },
	{ { "\xc3\x89"
	    "crite",
	      "Written" },
	    DK_TIME, 0, 0 },
	{ { "Destinataire", "Target" }, DK_TEXT, 0, 0 },
	{ { "Canal", "Channel" }, DK_WORD, 0, 0 },
	{ { "Remise", "Delivery" }, DK_WORD, 0, 0 },
	{ { "Essais", "Attempts" }, DK_NUMBER, 0, 0 },
	{ { "Remise le", "Delivered" }, DK_TIME, 0, 0 },
	{ { "Derni\xc3\xa8re erreur", "Last error" }, DK_TEXT, 0, 0 },
};

/* The rows of all whose first column is id, borrowed: free only the
 * array. */
static struct dash_rows
rows_of(const struct dash_rows *all, const char *id)
{
	struct dash_rows out = { 0, all->ncols, NULL };

	out.cells = xcalloc(all->nrows * all->ncols + 1, sizeof *out.cells);
	for (size_t r = 0; r < all->nrows; r++) {
		if (strcmp(dash_cell(all, r, 0), id) != 0)
			continue;
		memcpy(out.cells + out.nrows * all->ncols,
		    all->cells + r * all->ncols,
		    all->ncols * sizeof *out.cells);
		out.nrows++;
	}
	return out;
}

static void
page_incidents(struct page *pg)
{
	struct dash_rows list = { 0 }, tl = { 0 }, sent = { 0 },
	                 watches = { 0 };
	struct buf ids;
	const char *p[3];
	struct dash_field f[] = {
		days_field,
		{ "watch", { "Veille", "Watch" }, DF_SELECT, NULL, NULL,
		    &watches },
	};

	period_params(pg, p);
	p[2] = param(pg, "watch");
	if (query(pg, &list, incidents_sql, 3, p) != 0)
		return;
	if (is_csv(pg)) {
		send_csv(pg, "incidents", incidents_cols,
		    ARRAY_LEN(incidents_cols), &list);
		dash_rows_clear(&list);
		return;
	}
	buf_init(&ids);
	buf_putc(&ids, '{');
	for (size_t r = 0; r < list.nrows; r++)
		buf_printf(&ids, "%s%s", r ? "," : "", dash_cell(&list, r, 0));
	buf_puts(&ids, "}");
	buf_putc(&ids, '\0');
	p[0] = ids.data;
	query(pg, &tl, timeline_sql, 1, p);
	query(pg, &sent, sent_sql, 1, p);
	query(pg, &watches, watch_names_sql, 0, NULL);
	if (!pg->failed) {
		char *kept = list_query(pg,
		    (const char *const[]){
		        "days", "from", "to", "watch", NULL });

		f[0].value = days_value(pg);
		f[1].value = param(pg, "watch");
		dash_page_begin(pg->b, pg->ctx, "/incidents",
		    (struct dash_text){ "Incidents", "Incidents" }, NULL);
		dash_filters(
		    pg->b, pg->ctx, "/incidents", f, ARRAY_LEN(f), kept);
		period_line(pg);
		dash_table(pg->b, pg->ctx, incidents_cols,
		    ARRAY_LEN(incidents_cols), &list);
		for (size_t r = 0; r < list.nrows; r++) {
			const char *id = dash_cell(&list, r, 0);
			struct dash_rows t = rows_of(&tl, id);
			struct dash_rows s = rows_of(&sent, id);

			buf_printf(pg->b,
			    "<section class=\"incident\" id=\"i%s\"><h3>"
			    "%s %s \xe2\x80\x94 ",
			    id,
			    dash_tr(pg->ctx,
			        (struct dash_text){ "Incident", "Incident" }),
			    id);
			dash_cell_html(
			    pg->b, pg->ctx, &incidents_cols[1], 1, &list, r);
			buf_puts(pg->b, "</h3>\n");
			dash_table(pg->b, pg->ctx, timeline_cols,
			    ARRAY_LEN(timeline_cols), &t);
			dash_table(pg->b, pg->ctx, sent_cols,
			    ARRAY_LEN(sent_cols), &s);
			buf_puts(pg->b, "</section>\n");
			free(t.cells);
			free(s.cells);
		}
		dash_page_end(pg->b, pg->ctx);
		free(kept);
	}
	buf_clear(&ids);
	dash_rows_clear(&list);
	dash_rows_clear(&tl);
	dash_rows_clear(&sent);
	dash_rows_clear(&watches);
}

/* --- sources --- */

/* Health, and items first seen per day over the period. $1 f, $2 t. */
static const char sources_health_sql[] =
    "SELECT h.source, h.url, h.site, h.status, h.last_status, h.failures,"
    "       h.last_success_at, h.last_item_at,"
    "       round(extract(epoch FROM h.silent_for)::numeric / 3600, 1),"
    "       h.fetches_24h, h.failed_24h,"
    "       round(coalesce(n.items, 0)::numeric / ($2::date - $1::date), 1),"
    "       h.last_error"
    "  FROM analytics.source_health h"
    "  LEFT JOIN (SELECT source_id, sum(items) AS items"
    "               FROM analytics.source_items"
    "              WHERE day >= $1::date AND day < $2::date"
    "              GROUP BY source_id) n ON n.source_id = h.source_id"
    " WHERE h.in_config"
    " ORDER BY CASE h.status WHEN 'failing' THEN 0 WHEN 'silent' THEN 1"
    "          ELSE 2 END, h.source";

static const struct dash_col source_cols[] = {
	{ { "Source", "Source" }, DK_LINK, 1, 0 },
	{ { "Adresse", "Address" }, DK_HIDDEN, 0, 0 },
	{ { "Site", "Site" }, DK_TEXT, 0, 0 },
	{ { "\xc3\x89tat", "Status" }, DK_WORD, 0, 0 },
	{ { "Dernier code", "Last status" }, DK_NUMBER, 0, 0 },
	{ { "\xc3\x89"
	    "checs",
	      "Failures" },
	    DK_NUMBER, 0, 0 },
	{ { "Dernier succ\xc3\xa8s", "Last success" }, DK_TIME, 0, 0 },
	{ { "Dernier article", "Last item" }, DK_TIME, 0, 0 },
	{ { "Silencieuse depuis (h)", "Silent for (h)" }, DK_DECIMAL, 0, 0 },
	{ { "Relev\xc3\xa9s 24 h", "Polls 24 h" }, DK_NUMBER, 0, 0 },
	{ { "\xc3\x89"
	    "checs 24 h",
	      "Failed 24 h" },
	    DK_NUMBER, 0, 0 },
	{ { "Articles par jour", "Items per day" }, DK_DECIMAL, 0, 0 },
	{ { "Derni\xc3\xa8re erreur", "Last error" }, DK_TEXT, 0, 0 },
};

static void
page_sources(struct page *pg)
{
	struct dash_rows rows = { 0 };
	const char *p[3];
	struct dash_field f = days_field;
	char *kept;

	period_params(pg, p);
	if (query(pg, &rows, sources_health_sql, 2, p) != 0)
		return;
	if (is_csv(pg)) {
		send_csv(
		    pg, "sources", source_cols, ARRAY_LEN(source_cols), &rows);
		dash_rows_clear(&rows);
		return;
	}
	kept =
	    list_query(pg, (const char *const[]){ "days", "from", "to", NULL });
	f.value = days_value(pg);
	dash_page_begin(pg->b, pg->ctx, "/sources",
	    (struct dash_text){ "Sources", "Sources" }, NULL);
	dash_filters(pg->b, pg->ctx, "/sources", &f, 1, kept);
	period_line(pg);
	dash_table(pg->b, pg->ctx, source_cols, ARRAY_LEN(source_cols), &rows);
	dash_page_end(pg->b, pg->ctx);
	free(kept);
	dash_rows_clear(&rows);
}

/* --- moderation --- */

/* The 500 newest abusive mentions not yet handled: their keys first, as
 * for mentions_keys_sql, through schema 016's mentions_moderation. */
static const char moderation_sql[] =
    "WITH k AS ("
    " SELECT item_id, watch_id"
    "   FROM effective_mentions"
    "  WHERE abusive AND NOT handled"
    "    AND analytics.mention_day(published_at, first_seen_at)"
    "          >= $1::date"
    "    AND analytics.mention_day(published_at, first_seen_at)"
    "          < $2::date"
    "  ORDER BY analytics.mention_day(published_at, first_seen_at) DESC,"
    "           least(published_at, first_seen_at) DESC, item_id, watch_id"
    "  LIMIT 500)"
    " SELECT m.at, m.watch, m.title, m.link, m.author, m.source,"
    "        coalesce(m.via, m.site), m.label, m.sentiment, m.lang,"
    "        m.abusive, m.rumour, m.story_id, m.item_id, m.watch_id"
    "   FROM k JOIN analytics.mentions m"
    "     ON m.item_id = k.item_id AND m.watch_id = k.watch_id"
    "  ORDER BY m.at DESC, m.item_id, m.watch_id";

static void
page_moderation(struct page *pg)
{
	struct dash_rows rows = { 0 };
	const char *p[3];
	struct dash_field f = days_field;
	char *kept;

	period_params(pg, p);
	if (query(pg, &rows, moderation_sql, 2, p) != 0)
		return;
	if (is_csv(pg)) {
		send_csv(pg, "moderation", mention_cols,
		    ARRAY_LEN(mention_cols), &rows);
		dash_rows_clear(&rows);
		return;
	}
	kept =
	    list_query(pg, (const char *const[]){ "days", "from", "to", NULL });
	f.value = days_value(pg);
	dash_page_begin(pg->b, pg->ctx, "/moderation",
	    (struct dash_text){ "Mod\xc3\xa9ration", "Moderation" }, NULL);
	dash_filters(pg->b, pg->ctx, "/moderation", &f, 1, kept);
	dash_para(pg->b, "muted",
	    dash_tr(pg->ctx,
	        pg->ctx->editor
	            ? (struct dash_text){ "Mentions abusives en attente : "
	                                  "marquez-les trait\xc3\xa9"
	                                  "es ou hors sujet, ou corrigez "
	                                  "leur tonalit\xc3\xa9.",
	                  "Abusive mentions waiting: mark them handled or "
	                  "off-topic, or correct their tone." }
	            : (struct dash_text){ "Mentions abusives en attente. "
	                                  "Seul un \xc3\xa9"
	                                  "diteur (vigie_editor) peut les "
	                                  "traiter.",
	                  "Abusive mentions waiting. Only an editor "
	                  "(vigie_editor) may handle them." }));
	period_line(pg);
	dash_table(
	    pg->b, pg->ctx, mention_cols, ARRAY_LEN(mention_cols), &rows);
	dash_page_end(pg->b, pg->ctx);
	free(kept);
	dash_rows_clear(&rows);
}

/* An editor's decision on a mention: $1 item, $2 watch, $3 the tone. The
 * database records who and when (mentions_corrected, mentions_handled);
 * an analyst's role may not write these columns and is refused there. */
static const char correct_sql[] =
    "UPDATE mentions SET label_override = $3"
    " WHERE item_id = $1::bigint AND watch_id = $2::bigint";
static const char handled_sql[] =
    "UPDATE mentions SET handled = true"
    " WHERE item_id = $1::bigint AND watch_id = $2::bigint";
static const char dismiss_sql[] =
    "UPDATE mentions SET dismissed = true"
    " WHERE item_id = $1::bigint AND watch_id = $2::bigint";

static void
moderate(struct page *pg)
{
	const char *item = param(pg, "item"), *watch = param(pg, "watch");
	const char *action = param(pg, "action"), *back = param(pg, "back");
	const char *p[3] = { item, watch, action };

	if (item == NULL || watch == NULL || action == NULL ||
	    strspn(item, "0123456789") != strlen(item) ||
	    strspn(watch, "0123456789") != strlen(watch) || strlen(item) > 18 ||
	    strlen(watch) > 18) {
		pg->resp->status = 400;
		return;
	}
	if (strcmp(action, "handled") == 0)
		query(pg, NULL, handled_sql, 2, p);
	else if (strcmp(action, "dismiss") == 0)
		query(pg, NULL, dismiss_sql, 2, p);
	else if (strcmp(action, "negative") == 0 ||
	    strcmp(action, "neutral") == 0 || strcmp(action, "positive") == 0)
		query(pg, NULL, correct_sql, 3, p);
	else {
		pg->resp->status = 400;
		return;
	}
	if (pg->failed)
		return;
	if (pg->missing) {
		/* No row: the mention is not there (or no longer). */
		pg->resp->status = 404;
		return;
	}
	pg->resp->status = 303;
	pg->resp->location =
	    xstrdup(dash_local_path(back) ? back : "/moderation");
}

/* --- the dispatcher --- */

static const struct {
	const char *path;
	void (*get)(struct page *);
} routes[] = {
	{ "/", page_overview },
	{ "/watch", page_watch },
	{ "/mentions", page_mentions },
	{ "/incidents", page_incidents },
	{ "/sources", page_sources },
	{ "/moderation", page_moderation },
};

static const struct dash_text status_texts[] = {
	{ "Demande illisible : un filtre ou une date n'a pas la bonne forme.",
	    "Bad request: a filter or a date is not in the right form." },
	{ "Votre r\xc3\xb4le n'a pas le droit de faire cela.",
	    "Your role may not do that." },
	{ "Introuvable.", "Not found." },
	{ "La base de donn\xc3\xa9"
	  "es n'a pas r\xc3\xa9pondu ; r\xc3\xa9"
	  "essayez dans un instant.",
	    "The database did not answer; try again in a moment." },
};

void
pages_serve(PGconn *conn, const struct page_req *req, struct page_resp *resp)
{
	struct page pg = { .conn = conn,
		.req = req,
		.ctx = &req->ctx,
		.resp = resp,
		.b = &resp->body };
	void (*get)(struct page *) = NULL;

	resp->status = 200;
	resp->type = "text/html; charset=utf-8";
	for (size_t i = 0; i < ARRAY_LEN(routes); i++)
		if (strcmp(req->path, routes[i].path) == 0)
			get = routes[i].get;
	if (req->post && strcmp(req->path, "/moderate") == 0)
		moderate(&pg);
	else if (req->post || get == NULL)
		resp->status = 404;
	else if (period_read(&pg) != 0)
		resp->status = 400;
	else
		get(&pg);
	dash_rows_clear(&pg.shared);
	if (pg.failed)
		resp->status = pg.denied ? 403 : 503;
	if (resp->status == 200 || resp->status == 303)
		return;
	/* An error replaces whatever was begun. */
	buf_clear(&resp->body);
	resp->type = "text/html; charset=utf-8";
	free(resp->filename);
	resp->filename = NULL;
	dash_error_page(&resp->body, &req->ctx,
	    status_texts[resp->status == 400 ? 0
	            : resp->status == 403    ? 1
	            : resp->status == 404    ? 2
	                                     : 3]);
}
