/*
 * report.c - a period's report, written as HTML, CSV or Markdown (see
 * report.h).
 *
 * Every string from the world (titles, links, sources, authors, watch
 * names) goes through core/base/escape.h for the form it lands in; only
 * http and https links become links. The HTML page carries its style and
 * its charts inline, with no script and nothing fetched, so that it can be
 * mailed, archived and printed as it is.
 */
#include "core/report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/escape.h"
#include "core/dash/dash.h"
#include "core/read/date.h"

#define DAY 86400
/* Okabe and Ito's palette, told apart by every kind of colour vision. */

struct words {
	const char *title;
	const char *period;
	const char *previous;
	const char *change;
	const char *figure;
	const char *mentions;
	const char *negative;
	const char *neutral;
	const char *positive;
	const char *negative_share;
	const char *net;
	const char *share;
	const char *share_none;
	const char *summary;
	const char *watch;
	const char *chart;
	const char *top_negative;
	const char *top_positive;
	const char *sources;
	const char *authors;
	const char *author;
	const char *site;
	const char *tone;
	const char *source;
	const char *incidents;
	const char *none;
	const char *opened;
	const char *resolved;
	const char *firing;
	const char *severity;
	const char *reason;
	const char *peak;
	const char *at; /* between a date and its time */
	const char *months[12];
	char decimal;
	const char *percent; /* after the number */
	const char *colon; /* before a colon: a space in French */
};

static const struct words english = {
	.title = "Monitoring report",
	.period = "Period",
	.previous = "Previous period",
	.change = "Change",
	.figure = "Figure",
	.mentions = "Mentions",
	.negative = "Negative",
	.neutral = "Neutral",
	.positive = "Positive",
	.negative_share = "Share of negative mentions",
	.net = "Net sentiment",
	.share = "Share of voice",
	.share_none = "compared with no other watch",
	.summary = "Summary",
	.watch = "Watch",
	.chart = "Mentions per day by tone",
	.top_negative = "Most negative mentions",
	.top_positive = "Most positive mentions",
	.sources = "Top sources",
	.authors = "Top authors",
	.author = "Author",
	.site = "Site",
	.tone = "Tone",
	.source = "Source",
	.incidents = "Incidents",
	.none = "None.",
	.opened = "Opened",
	.resolved = "Resolved",
	.firing = "still open",
	.severity = "Severity",
	.reason = "Reason",
	.peak = "Peak",
	.at = ",",
	.months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	    "Sep", "Oct", "Nov", "Dec" },
	.decimal = '.',
	.percent = "%",
	.colon = ":",
};

static const struct words french = {
	.title = "Rapport de veille",
	.period = "P\xc3\xa9riode",
	.previous = "P\xc3\xa9riode pr\xc3\xa9"
	            "c\xc3\xa9"
	            "dente",
	.change = "\xc3\x89volution",
	.figure = "Indicateur",
	.mentions = "Mentions",
	.negative = "N\xc3\xa9gatives",
	.neutral = "Neutres",
	.positive = "Positives",
	.negative_share = "Part de mentions n\xc3\xa9gatives",
	.net = "Sentiment net",
	.share = "Part de voix",
	.share_none = "compar\xc3\xa9"
	              "e \xc3\xa0 aucune autre veille",
	.summary = "Synth\xc3\xa8se",
	.watch = "Veille",
	.chart = "Mentions par jour et par tonalit\xc3\xa9",
	.top_negative = "Mentions les plus n\xc3\xa9gatives",
	.top_positive = "Mentions les plus positives",
	.sources = "Sources les plus actives",
	.authors = "Auteurs les plus actifs",
	.author = "Auteur",
	.site = "Site",
	.tone = "Tonalit\xc3\xa9",
	.source = "Source",
	.incidents = "Incidents",
	.none = "Aucun.",
	.opened = "Ouvert",
	.resolved = "R\xc3\xa9solu",
	.firing = "en cours",
	.severity = "Gravit\xc3\xa9",
	.reason = "Motif",
	.peak = "Pic",
	.at = " \xc3\xa0",
	.months = { "janv.", "f\xc3\xa9vr.", "mars", "avr.", "mai", "juin",
	    "juil.", "ao\xc3\xbbt", "sept.", "oct.", "nov.",
	    "d\xc3\xa9"
	    "c." },
	.decimal = ',',
	.percent = " %",
	.colon = " :",
};

/* --- the model --- */

struct report *
report_new(int64_t from, int64_t to, const char *lang)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->from = from;
	r->to = to;
	r->prev_from = from - (to - from);
	r->lang = lang != NULL && strcmp(lang, "en") == 0 ? "en" : "fr";
	return r;
}

static void
mention_clear(struct report_mention *m)
{
	free(m->title);
	free(m->link);
	free(m->source);
}

static void
speaker_clear(struct report_speaker *s)
{
	free(s->name);
	free(s->site);
}

static void
watch_clear(struct report_watch *w)
{
	free(w->name);
	free(w->compare);
	free(w->days);
	for (size_t i = 0; i < w->nnegative_top; i++)
		mention_clear(&w->negative_top[i]);
	for (size_t i = 0; i < w->npositive_top; i++)
		mention_clear(&w->positive_top[i]);
	for (size_t i = 0; i < w->nsources; i++)
		speaker_clear(&w->sources[i]);
	for (size_t i = 0; i < w->nauthors; i++)
		speaker_clear(&w->authors[i]);
	for (size_t i = 0; i < w->nincidents; i++) {
		free(w->incidents[i].severity);
		free(w->incidents[i].reason);
	}
	free(w->incidents);
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nwatches; i++)
		watch_clear(&r->watches[i]);
	free(r->watches);
	free(r);
}

struct report_watch *
report_add_watch(struct report *r, const char *name)
{
	struct report_watch *w;

	r->watches =
	    xreallocarray(r->watches, r->nwatches + 1, sizeof(*r->watches));
	w = &r->watches[r->nwatches++];
	memset(w, 0, sizeof(*w));
	w->name = xstrdup(name);
	w->share[0] = w->share[1] = -1;
	w->ndays = r->to > r->from ? (size_t)((r->to - r->from) / DAY) : 0;
	w->days = xcalloc(w->ndays + 1, sizeof(*w->days));
	for (size_t i = 0; i < w->ndays; i++)
		w->days[i].day = r->from + (int64_t)i * DAY;
	return w;
}

struct report_day *
report_day(struct report_watch *w, int64_t day)
{
	if (w->ndays == 0 || day < w->days[0].day || day % DAY != 0)
		return NULL;
	if ((size_t)((day - w->days[0].day) / DAY) >= w->ndays)
		return NULL;
	return &w->days[(day - w->days[0].day) / DAY];
}

int
report_format_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "html") == 0)
		return REPORT_HTML;
	if (strcmp(s, "csv") == 0)
		return REPORT_CSV;
	if (strcmp(s, "md") == 0)
		return REPORT_MD;
	return -1;
}

/* --- numbers and dates in words --- */

static const struct words *
words_of(const struct report *r)
{
	return strcmp(r->lang, "en") == 0 ? &english : &french;
}

/* x with the language's decimal mark, digits after it. */
static void
put_decimal(
    struct buf *b, const struct words *wd, double x, int digits, int sign)
{
	char s[64], *dot;

	snprintf(s, sizeof s, sign ? "%+.*f" : "%.*f", digits, x);
	if ((dot = strchr(s, '.')) != NULL)
		*dot = wd->decimal;
	buf_puts(b, s);
}

static void
put_percent(struct buf *b, const struct words *wd, double part, int sign)
{
	put_decimal(b, wd, 100 * part, 1, sign);
	buf_puts(b, wd->percent);
}

/* The part of negative mentions, or -1 with no mention. */
static double
negative_share(const struct report_watch *w, int k)
{
	return w->mentions[k] > 0 ? (double)w->negative[k] / w->mentions[k]
	                          : -1;
}

double
report_net_sentiment(const struct report_watch *w, int k)
{
	return w->mentions[k] > 0
	    ? (double)(w->positive[k] - w->negative[k]) / w->mentions[k]
	    : NAN;
}

static void
put_day(struct buf *b, const struct words *wd, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return;
	buf_printf(b, "%d %s %d", tm.tm_mday, wd->months[tm.tm_mon],
	    tm.tm_year + 1900);
}

/* A moment in local time: "5 déc. 2026 à 09:14", "5 Dec 2026, 09:14". */
static void
put_time(struct buf *b, const struct words *wd, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == DATE_NONE || localtime_r(&tt, &tm) == NULL)
		return;
	buf_printf(b, "%d %s %d%s %02d:%02d", tm.tm_mday, wd->months[tm.tm_mon],
	    tm.tm_year + 1900, wd->at, tm.tm_hour, tm.tm_min);
}

/* The period's first and last days: "1 déc. 2026 – 7 déc. 2026". */
static void
put_period(struct buf *b, const struct words *wd, int64_t from, int64_t to)
{
	put_day(b, wd, from);
	buf_puts(b, " \xe2\x80\x93 ");
	put_day(b, wd, to - DAY);
}

/* What a figure became against the period before: "+12,5 %", or a dash
 * when there was nothing before to compare with. */
static void
put_change(struct buf *b, const struct words *wd, double now, double before)
{
	if (!(before > 0) || isnan(now))
		buf_puts(b, "\xe2\x80\x94");
	else
		put_percent(b, wd, now / before - 1, 1);
}

/* --- one value, in each form --- */

enum figure_kind { FIG_COUNT, FIG_PART, FIG_NET };

/* figures_of's order. */
enum {
	FIG_MENTIONS,
	FIG_NEGATIVE,
	FIG_NEUTRAL,
	FIG_POSITIVE,
	FIG_NEGATIVE_SHARE,
	FIG_NET_SENTIMENT,
	FIG_SHARE,
	FIG_N
};

struct figure {
	const char *key; /* the CSV's name for it */
	const char *label;
	enum figure_kind kind;
	double value[2]; /* -1 (part) or NAN (net): none */
};

static void
figures_of(
    const struct report_watch *w, const struct words *wd, struct figure *f)
{
	size_t n = 0;

	/* In the order of FIG_MENTIONS to FIG_SHARE. */
	f[n++] = (struct figure){ "mentions", wd->mentions, FIG_COUNT,
		{ (double)w->mentions[0], (double)w->mentions[1] } };
	f[n++] = (struct figure){ "negative", wd->negative, FIG_COUNT,
		{ (double)w->negative[0], (double)w->negative[1] } };
	f[n++] = (struct figure){ "neutral", wd->neutral, FIG_COUNT,
		{ (double)w->neutral[0], (double)w->neutral[1] } };
	f[n++] = (struct figure){ "positive", wd->positive, FIG_COUNT,
		{ (double)w->positive[0], (double)w->positive[1] } };
	f[n++] = (struct figure){ "negative_share", wd->negative_share,
		FIG_PART, { negative_share(w, 0), negative_share(w, 1) } };
	f[n++] = (struct figure){ "net_sentiment", wd->net, FIG_NET,
		{ report_net_sentiment(w, 0), report_net_sentiment(w, 1) } };
	f[n++] = (struct figure){ "share_of_voice", wd->share, FIG_PART,
		{ w->share[0], w->share[1] } };
}

static int
figure_known(const struct figure *f, int k)
{
	return f->kind == FIG_NET ? !isnan(f->value[k]) : f->value[k] >= 0;
}

static void
put_figure(struct buf *b, const struct words *wd, const struct figure *f, int k)
{
	if (!figure_known(f, k))
		buf_puts(b, "\xe2\x80\x94");
	else if (f->kind == FIG_COUNT)
		buf_printf(b, "%.0f", f->value[k]);
	else if (f->kind == FIG_PART)
		put_percent(b, wd, f->value[k], 0);
	else
		put_decimal(b, wd, f->value[k], 2, 1);
}

/* The change of a count, relative; of a part or a net sentiment, in
 * points. */
static void
put_figure_change(struct buf *b, const struct words *wd, const struct figure *f)
{
	if (!figure_known(f, 0) || !figure_known(f, 1))
		buf_puts(b, "\xe2\x80\x94");
	else if (f->kind == FIG_COUNT)
		put_change(b, wd, f->value[0], f->value[1]);
	else if (f->kind == FIG_PART) {
		put_decimal(b, wd, 100 * (f->value[0] - f->value[1]), 1, 1);
		buf_puts(b, " pts");
	} else
		put_decimal(b, wd, f->value[0] - f->value[1], 2, 1);
}

/* --- HTML and Markdown --- */

/*
 * The page and the Markdown hold the same things in the same order; they
 * differ only in how a heading, a table, a list and a link are written,
 * and in what escapes text. The HTML has the chart besides.
 */
enum form { FORM_HTML, FORM_MD };

struct out {
	struct buf *b;
	enum form form;
	const struct words *wd;
	/* The current table's columns, 't' text or 'n' number, and the
	 * next cell's. */
	const char *kinds;
	size_t col;
};

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:2em auto;"
    "max-width:60em;padding:0 1em}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;"
    "border-bottom:2px solid #ddd}h3{font-size:1.05em;margin-top:1.4em}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;"
    "border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".muted{color:#666}ol li{margin:.2em 0}"
    ".key .swatch{display:inline-block;width:.9em;height:.9em;"
    "margin:0 .3em 0 1em;vertical-align:-.1em}"
    ".t0{background:#D55E00}.t1{background:#999999}.t2{background:#0072B2}"
    "svg.chart{width:100%;height:auto}"
    "@page{size:A4;margin:15mm}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}"
    "section{break-before:page}a{color:inherit;text-decoration:none}}";

static void
out_text(struct out *o, const char *s)
{
	if (o->form == FORM_HTML)
		esc_html(o->b, s != NULL ? s : "");
	else
		esc_md(o->b, s != NULL ? s : "");
}

/* A link to url where it is http or https, the text alone otherwise. */
static void
out_link(struct out *o, const char *text, const char *url)
{
	if (!esc_link_ok(url)) {
		out_text(o, text);
		return;
	}
	buf_puts(o->b, o->form == FORM_HTML ? "<a href=\"" : "[");
	if (o->form == FORM_HTML) {
		esc_html(o->b, url);
		buf_puts(o->b, "\" rel=\"noopener noreferrer\">");
		out_text(o, text);
		buf_puts(o->b, "</a>");
		return;
	}
	out_text(o, text);
	/* A destination in angle brackets ends at the first >: whatever
	 * could end it early is percent-encoded. */
	buf_puts(o->b, "](<");
	for (const char *p = url; *p != '\0'; p++)
		if (strchr("<> \t\r\n", *p) != NULL)
			buf_printf(o->b, "%%%02X", (unsigned)(unsigned char)*p);
		else
			buf_putc(o->b, *p);
	buf_puts(o->b, ">)");
}

static void
out_heading(struct out *o, int level, const char *text)
{
	if (o->form == FORM_HTML) {
		buf_printf(o->b, "<h%d>", level);
		out_text(o, text);
		buf_printf(o->b, "</h%d>\n", level);
	} else {
		buf_printf(o->b, "\n%.*s ", level, "####");
		out_text(o, text);
		buf_puts(o->b, "\n\n");
	}
}

static void
out_none(struct out *o)
{
	buf_printf(o->b,
	    o->form == FORM_HTML ? "<p class=\"muted\">%s</p>\n" : "%s\n",
	    o->wd->none);
}

/* A table's heads; kinds says which columns are numbers. */
static void
out_table(struct out *o, const char *const *heads, const char *kinds)
{
	size_t n = strlen(kinds);

	o->kinds = kinds;
	buf_puts(o->b, o->form == FORM_HTML ? "<table><tr>" : "|");
	for (size_t i = 0; i < n; i++)
		buf_printf(o->b,
		    o->form == FORM_HTML
		        ? (kinds[i] == 'n' ? "<th class=\"n\">%s</th>"
		                           : "<th>%s</th>")
		        : " %s |",
		    heads[i]);
	if (o->form == FORM_HTML)
		buf_puts(o->b, "</tr>\n");
	else {
		buf_puts(o->b, "\n|");
		for (size_t i = 0; i < n; i++)
			buf_puts(o->b, kinds[i] == 'n' ? "--:|" : "---|");
		buf_puts(o->b, "\n");
	}
}

/* Opens the next cell of the row, the first opening the row. */
static void
out_cell(struct out *o)
{
	if (o->col == 0)
		buf_puts(o->b, o->form == FORM_HTML ? "<tr>" : "|");
	if (o->form == FORM_HTML)
		buf_puts(o->b,
		    o->kinds[o->col] == 'n' ? "<td class=\"n\">" : "<td>");
	else
		buf_putc(o->b, ' ');
}

/* Closes the cell, and the row after its last cell. */
static void
out_cell_end(struct out *o)
{
	buf_puts(o->b, o->form == FORM_HTML ? "</td>" : " |");
	if (o->kinds[++o->col] == '\0') {
		buf_puts(o->b, o->form == FORM_HTML ? "</tr>\n" : "\n");
		o->col = 0;
	}
}

static void
out_cell_text(struct out *o, const char *s)
{
	out_cell(o);
	out_text(o, s);
	out_cell_end(o);
}

static void
out_cell_long(struct out *o, long n)
{
	out_cell(o);
	buf_printf(o->b, "%ld", n);
	out_cell_end(o);
}

static void
out_table_end(struct out *o)
{
	if (o->form == FORM_HTML)
		buf_puts(o->b, "</table>\n");
}

/* The period's mentions per day, stacked by tone (core/dash/chart.c):
 * the same chart as the dashboard's, from the same counts. */
static void
html_chart(struct buf *b, const struct words *wd, const struct report_watch *w,
    size_t id)
{
	struct dash_ctx ctx = { .en = wd == &english };
	struct dash_rows rows = { w->ndays, 4, NULL };
	char name[32];

	rows.cells = xcalloc(w->ndays * 4 + 1, sizeof *rows.cells);
	for (size_t i = 0; i < w->ndays; i++) {
		struct buf day;

		buf_init(&day);
		put_day(&day, wd, w->days[i].day);
		buf_putc(&day, '\0');
		rows.cells[i * 4] = buf_release(&day);
		rows.cells[i * 4 + 1] = xasprintf("%ld", w->days[i].negative);
		rows.cells[i * 4 + 2] = xasprintf("%ld", w->days[i].neutral);
		rows.cells[i * 4 + 3] = xasprintf("%ld", w->days[i].positive);
	}
	snprintf(name, sizeof name, "chart%zu", id);
	dash_chart_tones(b, &ctx, name,
	    (struct dash_text){ wd->chart, wd->chart }, w->name, &rows, NULL);
	dash_rows_clear(&rows);
}

static void
out_mentions(struct out *o, const char *heading, const struct report_mention *m,
    size_t n)
{
	out_heading(o, 3, heading);
	if (n == 0) {
		out_none(o);
		return;
	}
	if (o->form == FORM_HTML)
		buf_puts(o->b, "<ol>\n");
	for (size_t i = 0; i < n; i++) {
		if (o->form == FORM_HTML)
			buf_puts(o->b, "<li>");
		else
			buf_printf(o->b, "%zu. ", i + 1);
		out_link(o, m[i].title, m[i].link);
		buf_puts(o->b,
		    o->form == FORM_HTML
		        ? " <span class=\"muted\">\xe2\x80\x94 "
		        : " \xe2\x80\x94 ");
		out_text(o, m[i].source);
		buf_puts(o->b, " (");
		put_decimal(o->b, o->wd, m[i].tone, 2, 1);
		buf_puts(
		    o->b, o->form == FORM_HTML ? ")</span></li>\n" : ")\n");
	}
	if (o->form == FORM_HTML)
		buf_puts(o->b, "</ol>\n");
}

static void
out_speakers(struct out *o, const char *heading, const char *who,
    const struct report_speaker *s, size_t n)
{
	const struct words *wd = o->wd;
	const char *heads[] = { who, wd->site, wd->mentions, wd->negative,
		wd->positive };

	out_heading(o, 3, heading);
	if (n == 0) {
		out_none(o);
		return;
	}
	out_table(o, heads, "ttnnn");
	for (size_t i = 0; i < n; i++) {
		out_cell_text(o, s[i].name);
		out_cell_text(o, s[i].site);
		out_cell_long(o, s[i].mentions);
		out_cell_long(o, s[i].negative);
		out_cell_long(o, s[i].positive);
	}
	out_table_end(o);
}

/* An incident's severity or reason in words, as the dashboard says
 * them; an unknown code as it is. */
static const char *
incident_word(const struct words *wd, const char *code)
{
	const struct dash_ctx ctx = { .en = wd == &english };

	return dash_word(&ctx, code);
}

static void
out_incidents(struct out *o, const struct report_watch *w)
{
	const struct words *wd = o->wd;
	const char *heads[] = { wd->opened, wd->resolved, wd->severity,
		wd->reason, wd->peak };

	out_heading(o, 3, wd->incidents);
	if (w->nincidents == 0) {
		out_none(o);
		return;
	}
	out_table(o, heads, "ttttn");
	for (size_t i = 0; i < w->nincidents; i++) {
		const struct report_incident *in = &w->incidents[i];

		out_cell(o);
		put_time(o->b, wd, in->opened);
		out_cell_end(o);
		out_cell(o);
		if (in->resolved == DATE_NONE)
			buf_puts(o->b, wd->firing);
		else
			put_time(o->b, wd, in->resolved);
		out_cell_end(o);
		out_cell_text(o, incident_word(wd, in->severity));
		out_cell_text(o, incident_word(wd, in->reason));
		out_cell_long(o, in->peak);
	}
	out_table_end(o);
}

static void
out_watch(struct out *o, const struct report_watch *w, size_t id)
{
	const struct words *wd = o->wd;
	const char *heads[] = { wd->figure, wd->period, wd->previous,
		wd->change };
	struct figure f[FIG_N];
	figures_of(w, wd, f);

	if (o->form == FORM_HTML)
		buf_printf(o->b, "<section id=\"w%zu\">\n", id);
	out_heading(o, 2, w->name);
	out_table(o, heads, "tnnn");
	for (size_t i = 0; i < FIG_N; i++) {
		out_cell(o);
		buf_puts(o->b, f[i].label);
		if (i == FIG_SHARE && w->compare == NULL)
			buf_printf(o->b,
			    o->form == FORM_HTML
			        ? " <span class=\"muted\">(%s)</span>"
			        : " (%s)",
			    wd->share_none);
		out_cell_end(o);
		out_cell(o);
		put_figure(o->b, wd, &f[i], 0);
		out_cell_end(o);
		out_cell(o);
		put_figure(o->b, wd, &f[i], 1);
		out_cell_end(o);
		out_cell(o);
		put_figure_change(o->b, wd, &f[i]);
		out_cell_end(o);
	}
	out_table_end(o);
	if (o->form == FORM_HTML)
		html_chart(o->b, wd, w, id);
	out_mentions(o, wd->top_negative, w->negative_top, w->nnegative_top);
	out_mentions(o, wd->top_positive, w->positive_top, w->npositive_top);
	out_speakers(o, wd->sources, wd->source, w->sources, w->nsources);
	out_speakers(o, wd->authors, wd->author, w->authors, w->nauthors);
	out_incidents(o, w);
	if (o->form == FORM_HTML)
		buf_puts(o->b, "</section>\n");
}

/* Every watch's headline figures, each linking to its section. */
static void
out_summary(struct out *o, const struct report *r)
{
	const struct words *wd = o->wd;
	const char *heads[] = { wd->watch, wd->mentions, wd->change,
		wd->negative_share, wd->net, wd->share };

	out_heading(o, 2, wd->summary);
	out_table(o, heads, "tnnnnn");
	for (size_t i = 0; i < r->nwatches; i++) {
		const struct report_watch *w = &r->watches[i];
		struct figure f[FIG_N];

		figures_of(w, wd, f);
		out_cell(o);
		if (o->form == FORM_HTML) {
			buf_printf(o->b, "<a href=\"#w%zu\">", i);
			out_text(o, w->name);
			buf_puts(o->b, "</a>");
		} else
			out_text(o, w->name);
		out_cell_end(o);
		out_cell(o);
		put_figure(o->b, wd, &f[FIG_MENTIONS], 0);
		out_cell_end(o);
		out_cell(o);
		put_figure_change(o->b, wd, &f[FIG_MENTIONS]);
		out_cell_end(o);
		for (size_t k = FIG_NEGATIVE_SHARE; k <= FIG_SHARE; k++) {
			out_cell(o);
			put_figure(o->b, wd, &f[k], 0);
			out_cell_end(o);
		}
	}
	out_table_end(o);
}

static void
render_page(const struct report *r, enum form form, struct buf *b)
{
	struct out o = { .b = b, .form = form, .wd = words_of(r) };
	const struct words *wd = o.wd;

	if (form == FORM_HTML) {
		buf_printf(b,
		    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta "
		    "charset=\"utf-8\"><meta name=\"viewport\" "
		    "content=\"width=device-width,initial-scale=1\">"
		    "<title>%s \xe2\x80\x94 ",
		    r->lang, wd->title);
		put_period(b, wd, r->from, r->to);
		buf_printf(b,
		    "</title><style>%s</style></head><body>\n<header><h1>%s"
		    "</h1><p>",
		    style, wd->title);
	} else
		buf_printf(b, "# %s\n\n", wd->title);
	buf_printf(b, "%s%s ", wd->period, wd->colon);
	put_period(b, wd, r->from, r->to);
	buf_printf(b,
	    form == FORM_HTML ? " <span class=\"muted\">(%s%s " : " (%s%s ",
	    wd->previous, wd->colon);
	put_period(b, wd, r->prev_from, r->from);
	buf_puts(b, form == FORM_HTML ? ")</span></p></header>\n" : ")\n");
	out_summary(&o, r);
	for (size_t i = 0; i < r->nwatches; i++)
		out_watch(&o, &r->watches[i], i);
	if (form == FORM_HTML)
		buf_puts(b, "</body></html>\n");
}

/* --- CSV --- */

/* One row per figure, day, mention, speaker and incident, every row with
 * every column (docs/REPORTS.md): watch, section, rank, label, site,
 * link, mentions, negative, neutral, positive, value, previous, opened,
 * resolved. Numbers with a dot, times in RFC 3339. */
struct csv_row {
	const char *watch, *section, *label, *site, *link;
	long rank;
	long counts[4]; /* mentions, negative, neutral, positive; -1: empty */
	double value[2]; /* value, previous; NAN: empty */
	int64_t opened, resolved; /* DATE_NONE: empty */
};

static void
csv_number(struct buf *b, double x, char sep)
{
	buf_putc(b, sep);
	/* Ten digits: every count exact, a share to a hundred-millionth. */
	if (!isnan(x))
		buf_printf(b, "%.10g", x);
}

static void
csv_row(struct buf *b, const struct csv_row *row, char sep)
{
	char t[DATE_RFC3339_LEN];

	esc_csv(b, row->watch, sep);
	buf_putc(b, sep);
	esc_csv(b, row->section, sep);
	buf_putc(b, sep);
	if (row->rank > 0)
		buf_printf(b, "%ld", row->rank);
	buf_putc(b, sep);
	esc_csv(b, row->label != NULL ? row->label : "", sep);
	buf_putc(b, sep);
	esc_csv(b, row->site != NULL ? row->site : "", sep);
	buf_putc(b, sep);
	esc_csv(b, row->link != NULL ? row->link : "", sep);
	for (int k = 0; k < 4; k++) {
		buf_putc(b, sep);
		if (row->counts[k] >= 0)
			buf_printf(b, "%ld", row->counts[k]);
	}
	csv_number(b, row->value[0], sep);
	csv_number(b, row->value[1], sep);
	date_format_rfc3339(row->opened, t);
	buf_putc(b, sep);
	buf_puts(b, t);
	date_format_rfc3339(row->resolved, t);
	buf_putc(b, sep);
	buf_puts(b, t);
	buf_puts(b, "\r\n");
}

static struct csv_row
csv_blank(const char *watch, const char *section)
{
	return (struct csv_row){ .watch = watch,
		.section = section,
		.counts = { -1, -1, -1, -1 },
		.value = { NAN, NAN },
		.opened = DATE_NONE,
		.resolved = DATE_NONE };
}

static void
csv_watch(struct buf *b, const struct report_watch *w, char sep)
{
	struct figure f[FIG_N];
	figures_of(w, &english, f);
	struct csv_row row;
	char day[DATE_RFC3339_LEN];

	for (size_t i = 0; i < FIG_N; i++) {
		row = csv_blank(w->name, "figure");
		row.label = f[i].key;
		for (int k = 0; k < 2; k++)
			row.value[k] =
			    figure_known(&f[i], k) ? f[i].value[k] : NAN;
		csv_row(b, &row, sep);
	}
	for (size_t i = 0; i < w->ndays; i++) {
		const struct report_day *d = &w->days[i];

		row = csv_blank(w->name, "day");
		date_format_rfc3339(d->day, day);
		day[10] = '\0';
		row.label = day;
		row.counts[0] = d->negative + d->neutral + d->positive;
		row.counts[1] = d->negative;
		row.counts[2] = d->neutral;
		row.counts[3] = d->positive;
		csv_row(b, &row, sep);
	}
	for (int pos = 0; pos < 2; pos++) {
		const struct report_mention *m =
		    pos ? w->positive_top : w->negative_top;
		size_t n = pos ? w->npositive_top : w->nnegative_top;

		for (size_t i = 0; i < n; i++) {
			row = csv_blank(
			    w->name, pos ? "top_positive" : "top_negative");
			row.rank = (long)i + 1;
			row.label = m[i].title;
			row.site = m[i].source;
			row.link = m[i].link;
			row.value[0] = m[i].tone;
			csv_row(b, &row, sep);
		}
	}
	for (int au = 0; au < 2; au++) {
		const struct report_speaker *s = au ? w->authors : w->sources;
		size_t n = au ? w->nauthors : w->nsources;

		for (size_t i = 0; i < n; i++) {
			row = csv_blank(w->name, au ? "author" : "source");
			row.rank = (long)i + 1;
			row.label = s[i].name;
			row.site = s[i].site;
			row.counts[0] = s[i].mentions;
			row.counts[1] = s[i].negative;
			row.counts[3] = s[i].positive;
			csv_row(b, &row, sep);
		}
	}
	for (size_t i = 0; i < w->nincidents; i++) {
		const struct report_incident *in = &w->incidents[i];

		row = csv_blank(w->name, "incident");
		row.rank = (long)i + 1;
		row.label = in->reason;
		row.site = in->severity;
		row.value[0] = in->peak;
		row.opened = in->opened;
		row.resolved = in->resolved;
		csv_row(b, &row, sep);
	}
}

static void
render_csv(const struct report *r, char sep, struct buf *b)
{
	static const char *const head[] = { "watch", "section", "rank", "label",
		"site", "link", "mentions", "negative", "neutral", "positive",
		"value", "previous", "opened", "resolved" };

	/* Excel reads UTF-8 for what it is only after a byte order mark. */
	buf_puts(b, "\xef\xbb\xbf");
	for (size_t i = 0; i < ARRAY_LEN(head); i++) {
		if (i > 0)
			buf_putc(b, sep);
		buf_puts(b, head[i]);
	}
	buf_puts(b, "\r\n");
	for (size_t i = 0; i < r->nwatches; i++)
		csv_watch(b, &r->watches[i], sep);
}

void
report_render(
    const struct report *r, enum report_format format, char sep, struct buf *b)
{
	switch (format) {
	case REPORT_HTML:
		render_page(r, FORM_HTML, b);
		break;
	case REPORT_CSV:
		render_csv(r, sep, b);
		break;
	case REPORT_MD:
		render_page(r, FORM_MD, b);
		break;
	}
}
