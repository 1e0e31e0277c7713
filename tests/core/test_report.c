/*
 * test_report.c - the report's writers: hostile text stays text in HTML,
 * CSV and Markdown, only http and https become links, numbers are written
 * the language's way, and the figures of each form agree.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/escape.h"
#include "core/read/date.h"
#include "core/report/report.h"

/* 2026-12-01T00:00:00Z and a week. */
#define FROM INT64_C(1796083200)
#define WEEK (7 * 86400)

static char *
escaped(void (*fn)(struct buf *, const char *), const char *s)
{
	struct buf b;

	buf_init(&b);
	fn(&b, s);
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_release(&b);
}

static void
test_escapes(void **state)
{
	static const struct {
		const char *in, *csv, *html, *md;
	} cases[] = {
		{ "plain", "plain", "plain", "plain" },
		{ "=1+2", "\"'=1+2\"", "=1+2", "=1+2" },
		{ "-3", "\"'-3\"", "-3", "-3" },
		{ "@cmd", "\"'@cmd\"", "@cmd", "@cmd" },
		{ "+x", "\"'+x\"", "+x", "+x" },
		{ "a,b", "\"a,b\"", "a,b", "a,b" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"", "say &quot;hi&quot;",
		    "say \"hi\"" },
		{ "<b>&'", "<b>&'", "&lt;b&gt;&amp;&#39;", "\\<b\\>&'" },
		{ "a|b\nc", "\"a|b\nc\"", "a|b\nc", "a\\|b c" },
		{ "[x](javascript:y)", "[x](javascript:y)", "[x](javascript:y)",
		    "\\[x\\](javascript:y)" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;

		buf_init(&b);
		esc_csv(&b, cases[i].in, ',');
		assert_string_equal(b.data, cases[i].csv);
		buf_clear(&b);
		s = escaped(esc_html, cases[i].in);
		assert_string_equal(s, cases[i].html);
		free(s);
		s = escaped(esc_md, cases[i].in);
		assert_string_equal(s, cases[i].md);
		free(s);
	}
	assert_true(esc_link_ok("https://a.example/x"));
	assert_true(esc_link_ok("HTTP://a.example/"));
	assert_false(esc_link_ok("javascript:alert(1)"));
	assert_false(esc_link_ok("data:text/html,x"));
	assert_false(esc_link_ok("file:///etc/passwd"));
	assert_false(esc_link_ok(" https://a.example/"));
	assert_false(esc_link_ok(NULL));
}

static struct report *
sample(const char *lang)
{
	struct report *r = report_new(FROM, FROM + WEEK, lang);
	struct report_watch *w = report_add_watch(r, "Acme <Corp>");

	w->mentions[0] = 8;
	w->negative[0] = 6;
	w->neutral[0] = 1;
	w->positive[0] = 1;
	w->mentions[1] = 4;
	w->negative[1] = 1;
	w->positive[1] = 3;
	w->share[0] = 0.625;
	w->share[1] = 0.5;
	w->compare = strdup("market");
	report_day(w, FROM + 86400)->negative = 6;
	report_day(w, FROM + 2 * 86400)->positive = 1;
	w->negative_top[0] = (struct report_mention){
		strdup("=cmd|' /C calc'!A0 <script>x</script>"),
		strdup("javascript:alert(1)"), strdup("forum"), -0.9
	};
	w->negative_top[1] = (struct report_mention){ strdup("Bad"),
		strdup("https://forum.example/1?a=1&b=2"), strdup("forum"),
		-0.5 };
	w->nnegative_top = 2;
	w->incidents = calloc(1, sizeof(*w->incidents));
	w->incidents[0] = (struct report_incident){ strdup("warning"),
		strdup("cold"), FROM + 86400 + 3600, FROM + 86400 + 7200, 6 };
	w->nincidents = 1;
	return r;
}

static char *
render(const struct report *r, enum report_format f, char sep)
{
	struct buf b;

	buf_init(&b);
	report_render(r, f, sep, &b);
	return buf_release(&b);
}

static void
test_html(void **state)
{
	struct report *r = sample("fr");
	char *s = render(r, REPORT_HTML, ',');

	(void)state;
	assert_non_null(strstr(s, "<html lang=\"fr\">"));
	assert_non_null(strstr(s, "Acme &lt;Corp&gt;"));
	assert_null(strstr(s, "<Corp>"));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "&lt;script&gt;x&lt;/script&gt;"));
	assert_null(strstr(s, "href=\"javascript"));
	assert_non_null(
	    strstr(s, "href=\"https://forum.example/1?a=1&amp;b=2\""));
	/* French numbers: 75,0 % of negatives, a share of 62,5 %, up
	 * 100,0 % from 4 mentions, 12,5 points of share. */
	assert_non_null(strstr(s, "75,0 %"));
	assert_non_null(strstr(s, "62,5 %"));
	assert_non_null(strstr(s, "+100,0 %"));
	assert_non_null(strstr(s, "+12,5 pts"));
	assert_non_null(strstr(s,
	    "1 d\xc3\xa9"
	    "c. 2026 \xe2\x80\x93 7 d\xc3\xa9"
	    "c. 2026"));
	/* A bar for each day with mentions, a title for each day. */
	assert_non_null(strstr(s, "<rect"));
	assert_non_null(strstr(s,
	    "2 d\xc3\xa9"
	    "c. 2026 : 6 n\xc3\xa9gatives"));
	/* An incident in words, not codes. */
	assert_non_null(strstr(s, "<td>alerte</td><td>veille nouvelle"));
	free(s);
	report_free(r);

	r = sample("en");
	s = render(r, REPORT_HTML, ',');
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "Monitoring report"));
	assert_non_null(strstr(s, "75.0%"));
	assert_non_null(strstr(s, "1 Dec 2026 \xe2\x80\x93 7 Dec 2026"));
	assert_non_null(strstr(s, "<td>warning</td><td>new watch, high count"));
	free(s);
	report_free(r);
}

static void
test_csv(void **state)
{
	struct report *r = sample("fr");
	char *s = render(r, REPORT_CSV, ';');

	(void)state;
	assert_memory_equal(s, "\xef\xbb\xbfwatch;section;rank;label;", 28);
	/* Figures with a dot whatever the language, so that they are
	 * numbers to any reader. */
	assert_non_null(
	    strstr(s, "Acme <Corp>;figure;;mentions;;;;;;;8;4;;\r\n"));
	assert_non_null(
	    strstr(s, "Acme <Corp>;figure;;share_of_voice;;;;;;;0.625;0.5;;"));
	assert_non_null(strstr(s, "Acme <Corp>;day;;2026-12-02;;;6;6;0;0;;;;"));
	/* The formula behind an apostrophe, inside quotes for its ';'. */
	assert_non_null(strstr(s,
	    ";top_negative;1;\"'=cmd|' /C calc'!A0 <script>x</script>\";"
	    "forum;javascript:alert(1);"));
	assert_non_null(strstr(s,
	    "incident;1;cold;warning;;;;;;6;;"
	    "2026-12-02T01:00:00Z;2026-12-02T02:00:00Z"));
	free(s);
	report_free(r);
}

static void
test_md(void **state)
{
	struct report *r = sample("en");
	char *s = render(r, REPORT_MD, ',');

	(void)state;
	assert_non_null(strstr(s, "# Monitoring report"));
	assert_non_null(strstr(s, "## Acme \\<Corp\\>"));
	assert_non_null(strstr(s, "| Mentions | 8 | 4 | +100.0% |"));
	assert_non_null(strstr(s, "=cmd\\|' /C calc'\\!A0 \\<script\\>"));
	/* Only the http link is a link. */
	assert_null(strstr(s, "<javascript"));
	assert_non_null(strstr(s, "<https://forum.example/1?a=1&b=2>"));
	free(s);
	report_free(r);
}

static void
test_model(void **state)
{
	struct report *r = report_new(FROM, FROM + WEEK, "de");
	struct report_watch *w;

	(void)state;
	assert_string_equal(r->lang, "fr");
	assert_true(r->prev_from == FROM - WEEK);
	w = report_add_watch(r, "a");
	assert_int_equal(w->ndays, 7);
	assert_non_null(report_day(w, FROM));
	assert_non_null(report_day(w, FROM + 6 * 86400));
	assert_null(report_day(w, FROM + WEEK));
	assert_null(report_day(w, FROM - 86400));
	assert_null(report_day(w, FROM + 1));
	assert_true(w->share[0] < 0);
	assert_int_equal(report_format_parse("md"), REPORT_MD);
	assert_int_equal(report_format_parse("pdf"), -1);
	assert_int_equal(report_format_parse(NULL), -1);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_md),
		cmocka_unit_test(test_model),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
