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
#include <jansson.h>
#include <openssl/evp.h>

#include "core/base/escape.h"
#include "core/read/date.h"
#include "core/report/report.h"
#include "core/report/report_send.h"

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
/* The base64 lines after "\r\n\r\n" that follows from, decoded. */
static char *
attachment(const char *from, size_t *len)
{
	const char *p = strstr(from, "\r\n\r\n");
	unsigned char *out;
	struct buf b;
	int n, pad = 0;

	assert_non_null(p);
	buf_init(&b);
	for (p += 4; *p != '\0' && *p != '-'; p++)
		if (*p != '\r' && *p != '\n')
			buf_putc(&b, *p);
	out = malloc(b.len + 1);
	n = EVP_DecodeBlock(out, (const unsigned char *)b.data, (int)b.len);
	assert_true(n >= 0);
	while (b.len > 0 && b.data[--b.len] == '=')
		pad++;
	*len = (size_t)n - (size_t)pad;
	out[*len] = '\0';
	buf_clear(&b);
	return (char *)out;
}

static void
test_sending(void **state)
{
	struct report *r = sample("fr");
	struct report_watch *g = report_add_watch(r, "Globex");
	const struct report_sending s = {
		.name = "Hebdo\r\nBcc: victim@evil.example",
		.event_id = "7c0e5b1e-0000-5000-8000-000000000001",
		.at_ms = (FROM + WEEK) * INT64_C(1000),
		.body = REPORT_HTML,
	};
	const char *to[] = { "com@example.com", "Direction <dir@example.com>" };
	char *mail, *csv, *got, *json;
	size_t len;
	json_t *doc, *w;

	(void)state;
	g->share[0] = -1; /* compared with none */
	mail = report_email(r, &s, "vigie@example.com", to, 2, "vigie.example");
	assert_non_null(mail);
	/* A name cannot add a header: the subject is encoded, one field. */
	*strstr(mail, "\r\n\r\n") = '\0';
	assert_null(strstr(mail, "\nBcc"));
	assert_non_null(strstr(mail, "\r\nSubject: "));
	assert_non_null(strstr(mail,
	    "Message-ID: <7c0e5b1e-0000-5000-8000-000000000001@vigie.example>"));
	assert_non_null(strstr(mail, "Content-Type: multipart/mixed;"));
	mail[strlen(mail)] = '\r';
	assert_non_null(strstr(mail, "Content-Type: text/html; charset=utf-8"));
	assert_non_null(strstr(mail,
	    "filename=\"vigie-Hebdo--Bcc--victim-evil-example-2026-12-01."
	    "csv\""));
	/* The attachment is the CSV as report_render writes it, its byte
	 * order mark included. */
	csv = render(r, REPORT_CSV, ',');
	got =
	    attachment(strstr(mail, "Content-Transfer-Encoding: base64"), &len);
	assert_int_equal(len, strlen(csv));
	assert_memory_equal(got, csv, len);
	assert_memory_equal(got, "\xef\xbb\xbfwatch,", 9);
	free(got);
	free(csv);
	free(mail);
	assert_null(report_email(r, &s, "vigie@example.com",
	    (const char *[]){ "not an address" }, 1, "vigie.example"));

	json = report_webhook(r, &s);
	assert_non_null(json);
	doc = json_loads(json, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(
	    json_integer_value(json_object_get(doc, "version")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(doc, "type")), "report");
	assert_string_equal(
	    json_string_value(json_object_get(doc, "from")), "2026-12-01");
	assert_string_equal(
	    json_string_value(json_object_get(doc, "to")), "2026-12-08");
	assert_string_equal(
	    json_string_value(json_object_get(doc, "previous_from")),
	    "2026-11-24");
	assert_int_equal(json_array_size(json_object_get(doc, "watches")), 2);
	w = json_array_get(json_object_get(doc, "watches"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(w, "name")), "Acme <Corp>");
	assert_int_equal(json_integer_value(json_object_get(w, "mentions")), 8);
	assert_int_equal(
	    json_integer_value(json_object_get(w, "previous_mentions")), 4);
	assert_int_equal(json_integer_value(json_object_get(w, "negative")), 6);
	assert_int_equal(json_integer_value(json_object_get(w, "neutral")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "positive")), 1);
	assert_true(fabs(json_real_value(json_object_get(w, "share_of_voice")) -
	                0.625) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(w, "net_sentiment")) +
	                0.625) < 1e-12);
	assert_int_equal(
	    json_integer_value(json_object_get(w, "incidents")), 1);
	/* No mention, no comparison: nulls, not numbers. */
	w = json_array_get(json_object_get(doc, "watches"), 1);
	assert_true(json_is_null(json_object_get(w, "share_of_voice")));
	assert_true(json_is_null(json_object_get(w, "net_sentiment")));
	json_decref(doc);
	free(json);
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
		cmocka_unit_test(test_sending),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
