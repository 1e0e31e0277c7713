/*
 * test_dash.c - the dashboard's writers: hostile cells stay text in HTML
 * and CSV, only http and https become links, editors alone get forms,
 * numbers and dates are written the language's way, and a form's way
 * back stays on the dashboard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dash/dash.h"

/* Rows of n columns from a NULL-ended list of cells (the literal
 * "NULL" for SQL's NULL), as the service would give them. */
static struct dash_rows
rows_of(size_t ncols, const char *const *cells)
{
	struct dash_rows r = { 0, ncols, NULL };
	size_t n = 0;

	while (cells[n] != NULL)
		n++;
	r.nrows = n / ncols;
	r.cells = calloc(n + 1, sizeof *r.cells);
	for (size_t i = 0; i < n; i++)
		r.cells[i] =
		    strcmp(cells[i], "NULL") == 0 ? NULL : strdup(cells[i]);
	return r;
}

static const struct dash_col cols[] = {
	{ { "Date", "Date" }, DK_TIME, 0, 0 },
	{ { "Titre", "Title" }, DK_LINK, 2, 0 },
	{ { "Lien", "Link" }, DK_HIDDEN, 0, 0 },
	{ { "Tonalit\xc3\xa9", "Tone" }, DK_TONE, 0, 0 },
	{ { "Part", "Share" }, DK_PERCENT, 0, 0 },
	{ { "Score", "Score" }, DK_SIGNED, 0, 0 },
	{ { "Veille", "Watch" }, DK_WATCH, 0, 0 },
	{ { "Article", "Item" }, DK_HIDDEN, 0, 0 },
	{ { "N", "N" }, DK_HIDDEN, 0, 0 },
	{ { "Corriger", "Correct" }, DK_EDIT, 7, 8 },
};

static const char *const hostile[] = {
	"2026-12-05 09:14:03.5+01",
	"<script>alert(1)</script> & \"Acme\"",
	"javascript:alert(1)",
	"negative",
	"0.125",
	"-0.5",
	"A&B \"x\"",
	"41",
	"7",
	"2026-12-05 10:00:00+01",
	"=HYPERLINK(\"http://evil.example\")",
	"https://ok.example/a?b=1&c=2",
	"<b>positive</b>",
	"NULL",
	"0.5",
	"Acme",
	"42",
	"7",
	NULL,
};

static char *
render_table(const struct dash_ctx *ctx, const struct dash_rows *r)
{
	struct buf b;

	buf_init(&b);
	dash_table(&b, ctx, cols, sizeof cols / sizeof cols[0], r);
	return buf_release(&b);
}

static void
test_table(void **state)
{
	struct dash_rows r = rows_of(9, hostile);
	struct dash_ctx fr = { 0 }, en = { .en = 1 },
	                editor = { .editor = 1,
		                .csrf = "abc",
		                .self = "/mentions?x=1&y=\"" };
	char *html;

	(void)state;
	html = render_table(&fr, &r);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html,
	    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Acme&quot;"));
	/* A javascript: link stays text; an https one is a link, escaped. */
	assert_null(strstr(html, "href=\"javascript:"));
	assert_non_null(
	    strstr(html, "href=\"https://ok.example/a?b=1&amp;c=2\""));
	/* Date and time in French, the zone's own hour. */
	assert_non_null(strstr(html,
	    "5 d\xc3\xa9"
	    "c. 2026 \xc3\xa0 09:14"));
	assert_non_null(strstr(html, "12,5\xc2\xa0%"));
	assert_non_null(strstr(html,
	    "\xe2\x88\x92"
	    "0,50"));
	assert_non_null(strstr(html,
	    "<span class=\"tone negative\">"
	    "n\xc3\xa9gatif</span>"));
	/* An unknown tone is text, not a class. */
	assert_non_null(strstr(html, "&lt;b&gt;positive&lt;/b&gt;"));
	assert_non_null(strstr(html, "href=\"/watch?w=A%26B%20%22x%22\""));
	/* Hidden columns and, for an analyst, the editor's forms. */
	assert_null(strstr(html, "<th scope=\"col\">Lien"));
	assert_null(strstr(html, "<form"));
	free(html);

	html = render_table(&en, &r);
	assert_non_null(strstr(html, "Dec 5, 2026, 09:14"));
	assert_non_null(strstr(html, "12.5%"));
	free(html);

	html = render_table(&editor, &r);
	assert_non_null(strstr(html, "action=\"/moderate\""));
	assert_non_null(strstr(html, "name=\"csrf\" value=\"abc\""));
	assert_non_null(strstr(html, "name=\"item\" value=\"41\""));
	assert_non_null(strstr(html, "name=\"watch\" value=\"7\""));
	assert_non_null(strstr(html, "value=\"/mentions?x=1&amp;y=&quot;\""));
	free(html);
	dash_rows_clear(&r);
}

static void
test_csv(void **state)
{
	struct dash_rows r = rows_of(9, hostile);
	struct dash_ctx fr = { 0 };
	struct buf b;

	(void)state;
	buf_init(&b);
	dash_csv(&b, &fr, cols, sizeof cols / sizeof cols[0], &r, ';');
	buf_putc(&b, '\0');
	/* A byte order mark, every column but the editor's, CRLF. */
	assert_memory_equal(b.data,
	    "\xef\xbb\xbf"
	    "Date;Titre;Lien;",
	    19);
	assert_non_null(strstr(b.data, ";Article;N\r\n"));
	assert_null(strstr(b.data, "Corriger"));
	/* A formula shown, not run; a decimal comma where ';' separates. */
	assert_non_null(
	    strstr(b.data, ";\"'=HYPERLINK(\"\"http://evil.example\"\")\";"));
	assert_non_null(strstr(b.data, ";0,125;-0,5;"));
	assert_non_null(strstr(b.data, ";;0,5;Acme;"));
	buf_clear(&b);
	dash_csv(&b, &fr, cols, sizeof cols / sizeof cols[0], &r, ',');
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, ",0.125,-0.5,"));
	buf_clear(&b);
	dash_rows_clear(&r);
}

static void
test_pages(void **state)
{
	struct dash_ctx ctx = { .user = "<ed>", .csrf = "tok", .logins = 1 };
	struct buf b;
	static const struct dash_text opts[] = { { NULL, "a\"" },
		{ "un", "one" }, { NULL, NULL } };
	struct dash_field f[] = {
		{ "q", { "Mots", "Words" }, DF_TEXT, "\"><script>", NULL,
		    NULL },
		{ "s", { "S", "S" }, DF_SELECT, "a\"", opts, NULL },
		{ "h", { NULL, "" }, DF_HIDDEN, NULL, NULL, NULL },
	};

	(void)state;
	buf_init(&b);
	dash_page_begin(&b, &ctx, "/mentions",
	    (struct dash_text){ "Mentions", "Mentions" }, "<i>x</i>");
	dash_filters(&b, &ctx, "/mentions", f, 3, "q=%22&a=b");
	dash_pager(&b, &ctx, "/mentions", "q=%22&a=b", 2, 1);
	dash_page_end(&b, &ctx);
	buf_putc(&b, '\0');
	assert_true(strncmp(b.data, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(b.data, "<html lang=\"fr\">"));
	assert_non_null(strstr(b.data, "&lt;i&gt;x&lt;/i&gt;"));
	assert_non_null(
	    strstr(b.data, "<span class=\"who\">&lt;ed&gt;</span>"));
	assert_non_null(strstr(b.data, "href=\"/mentions\" aria-current"));
	assert_non_null(strstr(b.data, "value=\"&quot;&gt;&lt;script&gt;\""));
	assert_non_null(
	    strstr(b.data, "<option value=\"a&quot;\" selected>un"));
	assert_null(strstr(b.data, "name=\"h\""));
	assert_non_null(strstr(b.data,
	    "href=\"/mentions?q=%22&amp;a=b&amp;"
	    "format=csv&amp;sep=%3B\""));
	assert_non_null(strstr(b.data,
	    "rel=\"prev\" href=\"/mentions?q=%22"
	    "&amp;a=b&amp;page=1\""));
	assert_non_null(strstr(b.data, "page=3\""));
	/* The only script is the dashboard's file; a sign-out form. */
	assert_non_null(strstr(b.data, "<script src=\"/static/dash.js\""));
	assert_non_null(strstr(b.data, "action=\"/logout\""));
	buf_clear(&b);

	dash_login_page(&b, &(struct dash_ctx){ .en = 1 }, "tok", 1);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "Role or password refused."));
	assert_non_null(strstr(b.data, "name=\"csrf\" value=\"tok\""));
	buf_clear(&b);
}

static void
test_charts(void **state)
{
	static const char *const days[] = { "2026-12-01", "1", "2", "3",
		"/watch?w=a&from=2026-12-01", "2026-12-02", "0", "0", "0",
		"NULL", "<x>", "4", "0", "1", "NULL", NULL };
	static const char *const marks[] = { "2026-12-02", "critical, <b>",
		NULL };
	struct dash_rows r = rows_of(5, days), m = rows_of(2, marks);
	struct dash_ctx ctx = { 0 };
	long v[] = { 1, 5, 0 };
	struct buf b;

	(void)state;
	buf_init(&b);
	dash_chart_tones(&b, &ctx, "c1", (struct dash_text){ "Titre", "Title" },
	    "<Acme>", &r, &m);
	dash_sparkline(&b, &ctx, v, 3);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "role=\"img\""));
	assert_non_null(strstr(b.data, "Titre \xe2\x80\x94 &lt;Acme&gt;"));
	/* The totals for screen readers, each bar's in its title. */
	assert_non_null(strstr(b.data,
	    "5 n\xc3\xa9gatives, 2 neutres, "
	    "4 positives</desc>"));
	assert_non_null(strstr(b.data, "&lt;x&gt; : 4 n\xc3\xa9gatives"));
	assert_non_null(strstr(b.data, "Incident : critical, &lt;b&gt;"));
	assert_null(strstr(b.data, "<b>"));
	/* The busiest bucket is the chart's top. */
	assert_non_null(strstr(b.data, "text-anchor=\"end\">6</text>"));
	assert_non_null(strstr(b.data, "total 6, max 5"));
	assert_non_null(strstr(b.data, "points=\"0.0,"));
	/* A bucket with a page of its own is a link to it. */
	assert_non_null(
	    strstr(b.data, "<a href=\"/watch?w=a&amp;from=2026-12-01\">"));
	assert_int_equal(strstr(b.data, "</a>") - b.data,
	    strstr(b.data, "</g></a>") - b.data + 4);
	buf_clear(&b);
	dash_rows_clear(&r);
	dash_rows_clear(&m);
}

static void
test_local_path(void **state)
{
	(void)state;
	assert_true(dash_local_path("/moderation?days=7"));
	assert_true(dash_local_path("/"));
	assert_false(dash_local_path("//evil.example/"));
	assert_false(dash_local_path("/\\evil.example"));
	assert_false(dash_local_path("https://evil.example/"));
	assert_false(dash_local_path("/a\r\nSet-Cookie: x=1"));
	assert_false(dash_local_path(""));
	assert_false(dash_local_path(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_charts),
		cmocka_unit_test(test_local_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
