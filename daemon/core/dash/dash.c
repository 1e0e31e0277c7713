/*
 * dash.c - the dashboard's HTML and CSV (see dash.h): the frame of every
 * page, tables written from their column kinds, the filter forms and the
 * editor's forms. Charts are in chart.c.
 */
#include "core/dash/dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/escape.h"

const char *
dash_tr(const struct dash_ctx *ctx, struct dash_text t)
{
	return ctx->en || t.fr == NULL ? t.en : t.fr;
}

const char *
dash_cell(const struct dash_rows *rows, size_t row, size_t col)
{
	if (row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cells[row * rows->ncols + col];
}

void
dash_rows_clear(struct dash_rows *rows)
{
	for (size_t i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cells[i]);
	free(rows->cells);
	memset(rows, 0, sizeof *rows);
}

static const struct dash_text months[12] = {
	{ "janv.", "Jan" },
	{ "f\xc3\xa9vr.", "Feb" },
	{ "mars", "Mar" },
	{ "avr.", "Apr" },
	{ "mai", "May" },
	{ "juin", "Jun" },
	{ "juil.", "Jul" },
	{ "ao\xc3\xbbt", "Aug" },
	{ "sept.", "Sep" },
	{ "oct.", "Oct" },
	{ "nov.", "Nov" },
	{ "d\xc3\xa9"
	  "c.",
	    "Dec" },
};

/* "2026-12-05" (and anything after it) as "5 déc. 2026" or "Dec 5, 2026";
 * text that is not a date is written as it is. */
static void
put_date(struct buf *b, const struct dash_ctx *ctx, const char *s)
{
	int y, m, d;

	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) {
		esc_html(b, s);
		return;
	}
	if (ctx->en)
		buf_printf(b, "%s %d, %d", months[m - 1].en, d, y);
	else
		buf_printf(b, "%d %s %d", d, months[m - 1].fr, y);
}

/* A timestamptz as PostgreSQL writes it in the session's zone
 * ("2026-12-05 09:14:03.2+01"): its date and its minute. */
static void
put_time(struct buf *b, const struct dash_ctx *ctx, const char *s)
{
	int hh, mm;

	put_date(b, ctx, s);
	if (strlen(s) >= 16 && sscanf(s + 11, "%2d:%2d", &hh, &mm) == 2)
		buf_printf(
		    b, "%s %02d:%02d", ctx->en ? "," : " \xc3\xa0", hh, mm);
}

static void
put_decimal(
    struct buf *b, const struct dash_ctx *ctx, double v, int places, int sign)
{
	char tmp[64];

	snprintf(tmp, sizeof tmp, sign ? "%+.*f" : "%.*f", places, v);
	if (!ctx->en) {
		char *dot = strchr(tmp, '.');

		if (dot != NULL)
			*dot = ',';
	}
	/* U+2212, the minus sign, reads better than a hyphen. */
	if (tmp[0] == '-')
		buf_printf(b, "\xe2\x88\x92%s", tmp + 1);
	else
		buf_puts(b, tmp);
}

static void
put_percent(struct buf *b, const struct dash_ctx *ctx, double v, int sign)
{
	put_decimal(b, ctx, v * 100, 1, sign);
	buf_puts(b, ctx->en ? "%" : "\xc2\xa0%");
}

/* The codes the database stores (incidents, sources, deliveries,
 * emotions) in words. */
static const struct {
	const char *code;
	struct dash_text word;
} code_words[] = {
	{ "firing", { "en cours", "firing" } },
	{ "escalated", { "aggrav\xc3\xa9", "escalated" } },
	{ "resolved", { "r\xc3\xa9solu", "resolved" } },
	{ "warning", { "alerte", "warning" } },
	{ "critical", { "critique", "critical" } },
	{ "cold",
	    { "veille nouvelle, volume \xc3\xa9lev\xc3\xa9",
	        "new watch, high count" } },
	{ "poisson", { "volume improbable", "improbable count" } },
	{ "cusum", { "hausse durable", "lasting rise" } },
	{ "spike", { "pic", "spike" } },
	{ "spread", { "propagation", "spread" } },
	{ "source", { "source", "source" } },
	{ "ok", { "ok", "ok" } },
	{ "failing",
	    { "en \xc3\xa9"
	      "chec",
	        "failing" } },
	{ "silent", { "silencieuse", "silent" } },
	{ "new", { "nouvelle", "new" } },
	{ "disabled",
	    { "d\xc3\xa9sactiv\xc3\xa9"
	      "e",
	        "disabled" } },
	{ "delivered", { "remise", "delivered" } },
	{ "failed",
	    { "abandonn\xc3\xa9"
	      "e",
	        "given up" } },
	{ "pending", { "en attente", "pending" } },
	{ "email", { "courriel", "email" } },
	{ "webhook", { "webhook", "webhook" } },
	{ "anger", { "col\xc3\xa8re", "anger" } },
	{ "fear", { "peur", "fear" } },
	{ "sadness", { "tristesse", "sadness" } },
	{ "disgust", { "d\xc3\xa9go\xc3\xbbt", "disgust" } },
	{ "joy", { "joie", "joy" } },
	{ "surprise", { "surprise", "surprise" } },
};

const char *
dash_word(const struct dash_ctx *ctx, const char *code)
{
	for (size_t i = 0; code != NULL && i < ARRAY_LEN(code_words); i++)
		if (strcmp(code, code_words[i].code) == 0)
			return dash_tr(ctx, code_words[i].word);
	return code;
}

static const struct dash_text tone_words[3] = {
	{ "n\xc3\xa9gatif", "negative" },
	{ "neutre", "neutral" },
	{ "positif", "positive" },
};
static const char *const tone_names[3] = { "negative", "neutral", "positive" };

static int
tone_index(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, tone_names[i]) == 0)
			return i;
	return -1;
}

void
dash_query_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

static int
is_numeric(enum dash_kind k)
{
	return k == DK_NUMBER || k == DK_DECIMAL || k == DK_PERCENT ||
	    k == DK_CHANGE || k == DK_SIGNED;
}

/* "3,0,12" as a sparkline of its counts. */
static void
spark_cell(struct buf *b, const struct dash_ctx *ctx, const char *list)
{
	size_t n = 1, i = 0;
	long *v;

	for (const char *p = list; *p != '\0'; p++)
		n += *p == ',';
	v = xcalloc(n, sizeof *v);
	for (const char *p = list; i < n; i++) {
		char *end;

		v[i] = strtol(p, &end, 10);
		if (*end != ',')
			break;
		p = end + 1;
	}
	dash_sparkline(b, ctx, v, i < n ? i + 1 : n);
	free(v);
}

static void
edit_forms(struct buf *b, const struct dash_ctx *ctx, const char *item,
    const char *watch)
{
	static const struct dash_text set = { "Corriger", "Correct" };

	if (item == NULL || watch == NULL || ctx->csrf == NULL)
		return;
	/* One small form per action: each works without a script. */
	buf_puts(
	    b, "<form method=\"post\" action=\"/moderate\" class=\"edit\">");
	buf_printf(b,
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"item\" value=\"",
	    ctx->csrf);
	esc_html(b, item);
	buf_puts(b, "\"><input type=\"hidden\" name=\"watch\" value=\"");
	esc_html(b, watch);
	buf_puts(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
	esc_html(b, ctx->self != NULL ? ctx->self : "/");
	buf_puts(b, "\"><select name=\"action\" aria-label=\"");
	esc_html(b, dash_tr(ctx, set));
	buf_puts(b, "\"><option value=\"\">\xe2\x80\x94</option>");
	for (int i = 0; i < 3; i++)
		buf_printf(b, "<option value=\"%s\">%s</option>", tone_names[i],
		    dash_tr(ctx, tone_words[i]));
	buf_printf(b,
	    "<option value=\"handled\">%s</option>"
	    "<option value=\"dismiss\">%s</option></select> "
	    "<button>%s</button></form>",
	    dash_tr(ctx,
	        (struct dash_text){ "trait\xc3\xa9"
	                            "e",
	            "handled" }),
	    dash_tr(ctx, (struct dash_text){ "hors sujet", "off-topic" }),
	    dash_tr(ctx, (struct dash_text){ "OK", "OK" }));
}

void
dash_cell_html(struct buf *b, const struct dash_ctx *ctx,
    const struct dash_col *col, size_t c, const struct dash_rows *rows,
    size_t r)
{
	const char *v = dash_cell(rows, r, c);
	int t;

	if (col->kind == DK_EDIT) {
		if (ctx->editor)
			edit_forms(b, ctx, dash_cell(rows, r, (size_t)col->arg),
			    dash_cell(rows, r, (size_t)col->arg2));
		return;
	}
	if (v == NULL)
		return;
	switch (col->kind) {
	case DK_TEXT:
	case DK_NUMBER:
		esc_html(b, v);
		break;
	case DK_WORD:
		esc_html(b, dash_word(ctx, v));
		break;
	case DK_DECIMAL:
		put_decimal(b, ctx, strtod(v, NULL), 2, 0);
		break;
	case DK_PERCENT:
		put_percent(b, ctx, strtod(v, NULL), 0);
		break;
	case DK_CHANGE:
		put_percent(b, ctx, strtod(v, NULL), 1);
		break;
	case DK_SIGNED:
		put_decimal(b, ctx, strtod(v, NULL), 2, 1);
		break;
	case DK_SPARK:
		spark_cell(b, ctx, v);
		break;
	case DK_TIME:
		put_time(b, ctx, v);
		break;
	case DK_DAY:
		put_date(b, ctx, v);
		break;
	case DK_TONE:
		t = tone_index(v);
		if (t < 0) {
			esc_html(b, v);
			break;
		}
		buf_printf(b, "<span class=\"tone %s\">%s</span>", v,
		    dash_tr(ctx, tone_words[t]));
		break;
	case DK_LINK: {
		const char *href = dash_cell(rows, r, (size_t)col->arg);

		/* javascript:, data: and file: links stay text. */
		if (href == NULL || !esc_link_ok(href)) {
			esc_html(b, v);
			break;
		}
		buf_puts(b, "<a rel=\"noopener noreferrer nofollow\" href=\"");
		esc_html(b, href);
		buf_puts(b, "\">");
		esc_html(b, v);
		buf_puts(b, "</a>");
		break;
	}
	case DK_WATCH:
		buf_puts(b, "<a href=\"/watch?w=");
		dash_query_value(b, v);
		buf_puts(b, "\">");
		esc_html(b, v);
		buf_puts(b, "</a>");
		break;
	case DK_STORY:
		buf_puts(b, "<a href=\"/mentions?story=");
		dash_query_value(b, v);
		buf_puts(b, "\">#");
		esc_html(b, v);
		buf_puts(b, "</a>");
		break;
	case DK_YESNO:
		buf_puts(b,
		    strcmp(v, "t") == 0
		        ? dash_tr(ctx, (struct dash_text){ "oui", "yes" })
		        : "");
		break;
	case DK_EDIT:
	case DK_HIDDEN:
		break;
	}
}

/* In a page: the hidden columns (links, ids) go to the CSV only, the
 * editor's forms to editors only. */
static int
shown(const struct dash_ctx *ctx, const struct dash_col *col)
{
	return col->kind != DK_HIDDEN && (col->kind != DK_EDIT || ctx->editor);
}

static const struct dash_text nothing = { "Rien sur la p\xc3\xa9riode.",
	"Nothing in the period." };

void
dash_table(struct buf *b, const struct dash_ctx *ctx,
    const struct dash_col *cols, size_t ncols, const struct dash_rows *rows)
{
	if (rows->nrows == 0) {
		dash_para(b, "muted", dash_tr(ctx, nothing));
		return;
	}
	buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
	for (size_t c = 0; c < ncols; c++) {
		if (!shown(ctx, &cols[c]))
			continue;
		buf_printf(b, "<th scope=\"col\"%s>",
		    is_numeric(cols[c].kind) ? " class=\"n\"" : "");
		esc_html(b, dash_tr(ctx, cols[c].head));
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < rows->nrows; r++) {
		buf_puts(b, "<tr>");
		for (size_t c = 0; c < ncols; c++) {
			if (!shown(ctx, &cols[c]))
				continue;
			buf_printf(b, "<td%s>",
			    is_numeric(cols[c].kind) ? " class=\"n\"" : "");
			dash_cell_html(b, ctx, &cols[c], c, rows, r);
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n");
}

void
dash_csv(struct buf *b, const struct dash_ctx *ctx, const struct dash_col *cols,
    size_t ncols, const struct dash_rows *rows, char sep)
{
	int first = 1;

	buf_puts(b, "\xef\xbb\xbf");
	for (size_t c = 0; c < ncols; c++) {
		if (cols[c].kind == DK_EDIT)
			continue;
		if (!first)
			buf_putc(b, sep);
		first = 0;
		esc_csv(b, dash_tr(ctx, cols[c].head), sep);
	}
	buf_puts(b, "\r\n");
	for (size_t r = 0; r < rows->nrows; r++) {
		first = 1;
		for (size_t c = 0; c < ncols; c++) {
			const char *v = dash_cell(rows, r, c);

			if (cols[c].kind == DK_EDIT)
				continue;
			if (!first)
				buf_putc(b, sep);
			first = 0;
			if (v == NULL)
				continue;
			/* Numbers as they are, with a decimal comma where a
			 * semicolon separates cells (French Excel). */
			if (is_numeric(cols[c].kind)) {
				for (const char *p = v; *p != '\0'; p++)
					buf_putc(b,
					    *p == '.' && sep == ';' ? ',' : *p);
			} else {
				esc_csv(b, v, sep);
			}
		}
		buf_puts(b, "\r\n");
	}
}

static const struct {
	const char *path;
	struct dash_text name;
} nav[] = {
	{ "/", { "Vue d'ensemble", "Overview" } },
	{ "/mentions", { "Mentions", "Mentions" } },
	{ "/incidents", { "Incidents", "Incidents" } },
	{ "/sources", { "Sources", "Sources" } },
	{ "/moderation", { "Mod\xc3\xa9ration", "Moderation" } },
};

void
dash_page_begin(struct buf *b, const struct dash_ctx *ctx, const char *path,
    struct dash_text title, const char *subject)
{
	buf_printf(b,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width,"
	    "initial-scale=1\"><title>",
	    ctx->en ? "en" : "fr");
	esc_html(b, dash_tr(ctx, title));
	if (subject != NULL) {
		buf_puts(b, " \xe2\x80\x94 ");
		esc_html(b, subject);
	}
	buf_puts(b,
	    " \xe2\x80\x94 vigie</title>"
	    "<link rel=\"stylesheet\" href=\"/static/dash.css\">"
	    "<link rel=\"icon\" href=\"/static/icon.svg\">"
	    "<script src=\"/static/dash.js\" defer></script></head>\n"
	    "<body><header><nav><strong class=\"brand\">vigie</strong>");
	for (size_t i = 0; i < ARRAY_LEN(nav); i++) {
		int here = strcmp(nav[i].path, path) == 0;

		buf_printf(b, "<a href=\"%s\"%s>%s</a>", nav[i].path,
		    here ? " aria-current=\"page\"" : "",
		    dash_tr(ctx, nav[i].name));
	}
	if (ctx->user != NULL) {
		buf_puts(b, "<span class=\"who\">");
		esc_html(b, ctx->user);
		buf_puts(b, "</span>");
	}
	if (ctx->logins && ctx->csrf != NULL)
		buf_printf(b,
		    "<form method=\"post\" action=\"/logout\" class=\"out\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button>%s</button></form>",
		    ctx->csrf,
		    dash_tr(ctx,
		        (struct dash_text){ "Se d\xc3\xa9"
		                            "connecter",
		            "Sign out" }));
	buf_puts(b, "</nav></header>\n<main><h1>");
	esc_html(b, dash_tr(ctx, title));
	if (subject != NULL) {
		buf_puts(b, " \xe2\x80\x94 ");
		esc_html(b, subject);
	}
	buf_puts(b, "</h1>\n");
}

void
dash_page_end(struct buf *b, const struct dash_ctx *ctx)
{
	buf_printf(b,
	    "<footer>%s <a href=\"https://www.postgresql.org/docs/15/"
	    "sql-select.html\">SQL</a>: docs/SQL.md, docs/DASHBOARD.md"
	    "</footer></main></body></html>\n",
	    dash_tr(ctx,
	        (struct dash_text){ "Chaque chiffre vient d'une vue "
	                            "analytics document\xc3\xa9"
	                            "e.",
	            "Every figure comes from a documented analytics "
	            "view." }));
}

void
dash_heading(struct buf *b, const struct dash_ctx *ctx, struct dash_text t)
{
	buf_puts(b, "<h2>");
	esc_html(b, dash_tr(ctx, t));
	buf_puts(b, "</h2>\n");
}

void
dash_para(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<p%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
	esc_html(b, text);
	buf_puts(b, "</p>\n");
}

static void
select_option(
    struct buf *b, const char *value, const char *label, const char *current)
{
	buf_puts(b, "<option value=\"");
	esc_html(b, value);
	buf_printf(b, "\"%s>",
	    current != NULL && strcmp(current, value) == 0 ? " selected" : "");
	esc_html(b, label);
	buf_puts(b, "</option>");
}

void
dash_filters(struct buf *b, const struct dash_ctx *ctx, const char *action,
    const struct dash_field *f, size_t n, const char *csv_query)
{
	buf_printf(
	    b, "<form method=\"get\" action=\"%s\" class=\"filters\">", action);
	for (size_t i = 0; i < n; i++) {
		const char *v = f[i].value != NULL ? f[i].value : "";

		if (f[i].kind == DF_HIDDEN) {
			if (*v == '\0')
				continue;
			buf_printf(b,
			    "<input type=\"hidden\" name=\"%s\" "
			    "value=\"",
			    f[i].name);
			esc_html(b, v);
			buf_puts(b, "\">");
			continue;
		}
		buf_puts(b, "<label>");
		esc_html(b, dash_tr(ctx, f[i].label));
		buf_puts(b, " ");
		switch (f[i].kind) {
		case DF_TEXT:
			buf_printf(b,
			    "<input type=\"text\" name=\"%s\" value=\"",
			    f[i].name);
			esc_html(b, v);
			buf_puts(b, "\">");
			break;
		case DF_CHECK:
			buf_printf(b,
			    "<input type=\"checkbox\" name=\"%s\" "
			    "value=\"1\"%s>",
			    f[i].name, *v != '\0' ? " checked" : "");
			break;
		case DF_SELECT:
			buf_printf(b, "<select name=\"%s\">", f[i].name);
			select_option(b, "", "\xe2\x80\x94", v);
			for (const struct dash_text *o = f[i].options;
			     o != NULL && o->en != NULL; o += 2)
				select_option(b, o->en,
				    o[1].en != NULL ? dash_tr(ctx, o[1])
				                    : o->en,
				    v);
			for (size_t r = 0;
			     f[i].choices != NULL && r < f[i].choices->nrows;
			     r++) {
				const char *c = dash_cell(f[i].choices, r, 0);

				if (c != NULL)
					select_option(b, c, c, v);
			}
			buf_puts(b, "</select>");
			break;
		case DF_HIDDEN:
			break;
		}
		buf_puts(b, "</label> ");
	}
	buf_printf(b, "<button>%s</button>",
	    dash_tr(ctx, (struct dash_text){ "Filtrer", "Filter" }));
	if (csv_query != NULL) {
		buf_printf(b, " <a class=\"csv\" href=\"%s?", action);
		esc_html(b, csv_query);
		buf_printf(b,
		    "%sformat=csv\">CSV</a> <a class=\"csv\" href=\"%s?",
		    *csv_query ? "&amp;" : "", action);
		esc_html(b, csv_query);
		buf_printf(b, "%sformat=csv&amp;sep=%%3B\">CSV (;)</a>",
		    *csv_query ? "&amp;" : "");
	}
	buf_puts(b, "</form>\n");
}

void
dash_pager(struct buf *b, const struct dash_ctx *ctx, const char *path,
    const char *query, long page, int more)
{
	buf_puts(b, "<nav class=\"pager\">");
	if (page > 1) {
		buf_printf(b, "<a rel=\"prev\" href=\"%s?", path);
		esc_html(b, query);
		buf_printf(b, "%spage=%ld\">%s</a> ", *query ? "&amp;" : "",
		    page - 1,
		    dash_tr(ctx,
		        (struct dash_text){ "\xe2\x86\x90 pr\xc3\xa9"
		                            "c\xc3\xa9"
		                            "dentes",
		            "\xe2\x86\x90 previous" }));
	}
	buf_printf(b, "<span>%s %ld</span>",
	    dash_tr(ctx, (struct dash_text){ "page", "page" }), page);
	if (more) {
		buf_printf(b, " <a rel=\"next\" href=\"%s?", path);
		esc_html(b, query);
		buf_printf(b, "%spage=%ld\">%s</a>", *query ? "&amp;" : "",
		    page + 1,
		    dash_tr(ctx,
		        (struct dash_text){
		            "suivantes \xe2\x86\x92", "next \xe2\x86\x92" }));
	}
	buf_puts(b, "</nav>\n");
}

int
dash_local_path(const char *path)
{
	if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		return 0;
	for (const char *p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			return 0;
	return 1;
}

void
dash_error_page(struct buf *b, const struct dash_ctx *ctx, struct dash_text t)
{
	dash_page_begin(
	    b, ctx, "", (struct dash_text){ "Erreur", "Error" }, NULL);
	dash_para(b, "error", dash_tr(ctx, t));
	dash_page_end(b, ctx);
}

void
dash_login_page(struct buf *b, const struct dash_ctx *ctx, const char *token,
    enum dash_login why)
{
	dash_page_begin(b, ctx, "/login",
	    (struct dash_text){ "Connexion", "Sign in" }, NULL);
	if (why == DASH_LOGIN_WAIT)
		dash_para(b, "error",
		    dash_tr(ctx,
		        (struct dash_text){ "Trop de tentatives : "
		                            "r\xc3\xa9"
		                            "essayez dans un moment.",
		            "Too many attempts: try again in a while." }));
	else if (why == DASH_LOGIN_REFUSED)
		dash_para(b, "error",
		    dash_tr(ctx,
		        (struct dash_text){ "R\xc3\xb4le ou mot de passe "
		                            "refus\xc3\xa9.",
		            "Role or password refused." }));
	buf_printf(b,
	    "<form method=\"post\" action=\"/login\" class=\"login\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<label>%s <input name=\"user\" autocomplete=\"username\" "
	    "required></label><label>%s <input type=\"password\" "
	    "name=\"password\" autocomplete=\"current-password\" "
	    "required></label><button>%s</button></form>\n",
	    token,
	    dash_tr(ctx,
	        (struct dash_text){
	            "R\xc3\xb4le PostgreSQL", "PostgreSQL role" }),
	    dash_tr(ctx, (struct dash_text){ "Mot de passe", "Password" }),
	    dash_tr(ctx, (struct dash_text){ "Se connecter", "Sign in" }));
	dash_page_end(b, ctx);
}
