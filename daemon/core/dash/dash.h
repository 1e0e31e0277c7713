/*
 * dash.h - the dashboard's pages as HTML, their lists as CSV and their
 * charts as SVG, from query results handed over as text
 * (service/web/pages.c runs the queries). Everything a feed wrote is
 * escaped for where it lands; links are made only of http and https
 * addresses; nothing here needs a script to be read.
 */
#ifndef VIGIE_DASH_H
#define VIGIE_DASH_H

#include <stddef.h>

#include "core/base/util.h"

/* A text in both languages of the dashboard. */
struct dash_text {
	const char *fr, *en;
};

/* Who is looking, and how they read. */
struct dash_ctx {
	int en; /* English, else French */
	const char *user; /* the signed-in role, or NULL when no login */
	const char *csrf; /* the token forms carry, or NULL */
	int editor; /* may correct tones and moderate */
	int logins; /* a sign-out link is offered */
	const char *self; /* this page's path and query, to come back to */
};

const char *dash_tr(const struct dash_ctx *, struct dash_text);

/* A code the database stores (an incident's state, severity or reason,
 * a source's status, a delivery's, an emotion) in words; an unknown code
 * as it is. */
const char *dash_word(const struct dash_ctx *, const char *code);

/* A query's answer as text, row-major; a NULL cell is SQL's NULL. */
struct dash_rows {
	size_t nrows, ncols;
	char **cells;
};

const char *dash_cell(const struct dash_rows *, size_t row, size_t col);
void dash_rows_clear(struct dash_rows *);

enum dash_kind {
	DK_TEXT,
	DK_WORD, /* a code the database stores, in words (dash_word) */
	DK_NUMBER, /* a whole number, as it is */
	DK_DECIMAL, /* two places, the language's decimal mark */
	DK_PERCENT, /* a fraction of one, as a percentage */
	DK_CHANGE, /* a relative change (0.25), signed */
	DK_SIGNED, /* a decimal with its sign, two places */
	DK_SPARK, /* counts separated by commas, as a sparkline */
	DK_TIME, /* PostgreSQL's timestamptz text in the page's zone */
	DK_DAY, /* YYYY-MM-DD */
	DK_TONE, /* negative, neutral or positive */
	DK_LINK, /* text linked to the address in column arg */
	DK_WATCH, /* a watch's name, linked to its page */
	DK_STORY, /* a story's id, linked to its mentions */
	DK_YESNO, /* t or f */
	DK_HIDDEN, /* in the CSV, not on the page */
	DK_EDIT, /* an editor's forms for the mention whose item and watch
	            ids are in columns arg and arg2 */
};

struct dash_col {
	struct dash_text head;
	enum dash_kind kind;
	int arg, arg2;
};

/* The page's start (head, navigation, heading) and end. path is the
 * page's own ("/mentions"), to mark it in the navigation. */
void dash_page_begin(struct buf *, const struct dash_ctx *, const char *path,
    struct dash_text title, const char *subject);
void dash_page_end(struct buf *, const struct dash_ctx *);
void dash_heading(struct buf *, const struct dash_ctx *, struct dash_text);
/* A paragraph of text, escaped. */
void dash_para(struct buf *, const char *cls, const char *text);

/* rows as an HTML table, or a line saying there is nothing. */
void dash_table(struct buf *, const struct dash_ctx *, const struct dash_col *,
    size_t ncols, const struct dash_rows *);
/* rows as CSV: UTF-8 with a byte-order mark (Excel reads the accents
 * right), CRLF, sep between cells; the edit column left out. */
void dash_csv(struct buf *, const struct dash_ctx *, const struct dash_col *,
    size_t ncols, const struct dash_rows *, char sep);
/* One cell of row r, as dash_table writes it. */
void dash_cell_html(struct buf *, const struct dash_ctx *,
    const struct dash_col *, size_t col, const struct dash_rows *, size_t r);

/* The fields of a filter form. */
enum dash_field_kind { DF_TEXT, DF_SELECT, DF_CHECK, DF_HIDDEN };
struct dash_field {
	const char *name;
	struct dash_text label;
	enum dash_field_kind kind;
	const char *value; /* as the request gave it, or NULL */
	/* DF_SELECT: pairs of entries, the value in the first's en and
	 * its label in the second, ended by an entry of NULLs. */
	const struct dash_text *options; /* for fixed choices */
	const struct dash_rows *choices; /* or the first column of rows */
};

/* A GET form to action with its fields, and a CSV link carrying query. */
void dash_filters(struct buf *, const struct dash_ctx *, const char *action,
    const struct dash_field *, size_t n, const char *csv_query);
/* Links to the previous and next pages of a list: query is the list's
 * own without its page. */
void dash_pager(struct buf *, const struct dash_ctx *, const char *path,
    const char *query, long page, int more);

/* Counts over time stacked by tone: rows of (bucket label, negative,
 * neutral, positive[, link to the bucket's own page]) in order; marks, or NULL,
 * are (bucket label, text) drawn as vertical lines over their buckets (the
 * incidents). id names the chart's title and description, unique in the page.
 */
void dash_chart_tones(struct buf *, const struct dash_ctx *, const char *id,
    struct dash_text title, const char *subject, const struct dash_rows *rows,
    const struct dash_rows *marks);
/* A small line of n counts, labelled for screen readers. */
void dash_sparkline(
    struct buf *, const struct dash_ctx *, const long *v, size_t n);
/* The pages' stylesheet, script and icon, served as files: the Content
 * Security Policy allows no inline script or style. */
extern const char dash_css[];
extern const char dash_js[];
extern const char dash_icon[];

/* s as a value in a URL's query: everything but unreserved characters
 * percent-encoded. */
void dash_query_value(struct buf *, const char *s);

/* Whether path is a page of this site to go back to after a form: it
 * starts with one slash and holds nothing a browser would read as
 * another host. */
int dash_local_path(const char *path);

/* Why the sign-in form is shown again. */
enum dash_login { DASH_LOGIN_FIRST, DASH_LOGIN_REFUSED, DASH_LOGIN_WAIT };

/* The sign-in form; token is the form's CSRF token. */
void dash_login_page(struct buf *, const struct dash_ctx *, const char *token,
    enum dash_login why);

/* An error page: status line's words and what the user may do. */
void dash_error_page(struct buf *, const struct dash_ctx *, struct dash_text);

#endif
