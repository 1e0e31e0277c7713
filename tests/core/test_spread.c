/*
 * test_spread.c - spreading stories: when the first times of a story's
 * voices make spread_sites within spread_window, when that is news, when
 * an open spread is over, the bounds of the two keys, and what a spread's
 * alert says in English and French, by email and webhook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/alert.h"
#include "core/detect/detect.h"
#include "core/detect/spread.h"

#define MIN INT64_C(60000)
#define HOUR (60 * MIN)
#define T0 INT64_C(1717502400000) /* 2024-06-04T12:00:00Z */

static struct detect_params
params(int sites, int64_t window_ms)
{
	struct detect_params p;

	detect_params_default(&p);
	p.spread_sites = sites;
	p.spread_window_ms = window_ms;
	return p;
}

/* Ten sites within a few minutes: found at the fifth, ten at most in a
 * window; the order the times come in does not matter. */
static void
test_burst(void **state)
{
	struct detect_params p = params(5, HOUR);
	int64_t t[10];
	struct spread_verdict v;

	(void)state;
	for (int i = 0; i < 10; i++)
		t[i] = T0 + (9 - i) * MIN;
	spread_judge(&p, t, 10, &v);
	assert_int_equal(v.reached_ms, T0 + 4 * MIN);
	assert_int_equal(v.peak, 10);
	/* Sorted in place. */
	assert_int_equal(t[0], T0);
	assert_int_equal(t[9], T0 + 9 * MIN);
}

/* The same ten sites over ten hours: never five within an hour. A
 * window's ends are both in it. */
static void
test_slow(void **state)
{
	struct detect_params p = params(5, HOUR);
	int64_t t[10];
	struct spread_verdict v;

	(void)state;
	for (int i = 0; i < 10; i++)
		t[i] = T0 + i * 20 * MIN;
	spread_judge(&p, t, 10, &v);
	assert_int_equal(v.reached_ms, INT64_MIN);
	assert_int_equal(v.peak, 4); /* 0, 20, 40 and 60 minutes */

	/* Four within the hour, the fifth a minute late... */
	int64_t late[] = { T0, T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN,
		T0 + 61 * MIN };
	spread_judge(&p, late, 5, &v);
	assert_int_equal(v.reached_ms, INT64_MIN);
	/* ...or just in time. */
	late[4] = T0 + HOUR;
	spread_judge(&p, late, 5, &v);
	assert_int_equal(v.reached_ms, T0 + HOUR);
	assert_int_equal(v.peak, 5);
}

/* Off: the peak is still measured, nothing is ever reached. No voice,
 * nothing at all. */
static void
test_off_and_empty(void **state)
{
	struct detect_params p = params(0, HOUR);
	int64_t t[] = { T0, T0, T0, T0, T0, T0 };
	struct spread_verdict v;

	(void)state;
	spread_judge(&p, t, 6, &v);
	assert_int_equal(v.reached_ms, INT64_MIN);
	assert_int_equal(v.peak, 6);
	p.spread_sites = 2;
	spread_judge(&p, NULL, 0, &v);
	assert_int_equal(v.reached_ms, INT64_MIN);
	assert_int_equal(v.peak, 0);
}

/* News while within its window; a spread found long after (the daemon
 * away) is history. Over once a window has passed without a mention. */
static void
test_recent_and_quiet(void **state)
{
	struct detect_params p = params(5, HOUR);

	(void)state;
	assert_true(spread_recent(&p, T0, T0 + 59 * MIN));
	assert_false(spread_recent(&p, T0, T0 + HOUR));
	assert_false(spread_recent(&p, INT64_MIN, T0));
	assert_int_equal(spread_quiet(&p, T0, T0 + 59 * MIN), INT64_MIN);
	assert_int_equal(spread_quiet(&p, T0, T0 + HOUR), T0 + HOUR);
	/* Resolved when the window ended, whenever it is noticed. */
	assert_int_equal(spread_quiet(&p, T0, T0 + 5 * HOUR), T0 + HOUR);
	/* Every mention dismissed: over now. */
	assert_int_equal(spread_quiet(&p, INT64_MIN, T0), T0);
}

static void
assert_refused(const struct detect_params *p, const char *msg)
{
	char err[256];

	assert_int_equal(detect_params_check(p, err, sizeof err), -1);
	assert_string_equal(err, msg);
}

static void
test_bounds(void **state)
{
	struct detect_params p;
	char err[256];

	(void)state;
	detect_params_default(&p);
	assert_int_equal(p.spread_sites, 5);
	assert_int_equal(p.spread_window_ms, HOUR);
	assert_int_equal(detect_params_check(&p, err, sizeof err), 0);
	p = params(0, HOUR);
	assert_int_equal(detect_params_check(&p, err, sizeof err), 0);
	p = params(2, MIN);
	assert_int_equal(detect_params_check(&p, err, sizeof err), 0);
	p = params(1, HOUR);
	assert_refused(
	    &p, "spread_sites must be 0 (off) or between 2 and 10000");
	p = params(10001, HOUR);
	assert_refused(
	    &p, "spread_sites must be 0 (off) or between 2 and 10000");
	p = params(5, MIN - 1);
	assert_refused(&p, "spread_window must be between 1m and 7d");
	p = params(5, 7 * 24 * HOUR + 1);
	assert_refused(&p, "spread_window must be between 1m and 7d");
}

/* --- the alert --- */

static const struct alert_mention seen[] = {
	{ "Acme va fermer son usine", "Le Matin", "https://a.example/acme",
	    -0.2, NULL },
	{ "Acme <b>ferme</b>", "Blog & co", "javascript:alert(1)", 0, NULL },
};

static struct alert
spread(const char *lang, enum incident_state state)
{
	struct alert a = {
		.event_id = "spread-acme-1",
		.kind = INCIDENT_SPREAD,
		.state = state,
		.severity = SEVERITY_WARNING,
		.subject = "Acme",
		.lang = lang,
		.at_ms = T0,
		.started_ms = T0 - HOUR,
		.window_count = 7,
		.window_total = 12,
		.window_ms = HOUR,
		.expected = 0,
		.top = seen,
		.ntop = 2,
		.story_id = 4242,
		.first_source = "Le Matin",
		.first_title = "Acme va fermer son usine",
		.first_link = "https://a.example/acme",
		.first_ms = T0 - 2 * HOUR,
		.sites = 9,
		.mentions = 12,
	};
	return a;
}

static char *
text_of(const struct alert *a)
{
	static const char *const to[] = { "ops@example.com" };
	char *m = alert_email(a, "alerts@vigie.example", to, 1, "example");

	assert_non_null(m);
	return m;
}

static void
test_alert_en(void **state)
{
	struct alert a = spread("en", INCIDENT_FIRING);
	char *m = text_of(&a);
	char *w = alert_webhook(&a, WEBHOOK_JSON), *s;
	json_t *j = json_loads(w, 0, NULL), *first, *list;

	(void)state;
	/* The email (quoted-printable: short ASCII runs are found as they
	 * are); the sentences in the Slack form, which is not folded. */
	assert_non_null(strstr(m, "was taken up by 7"));
	assert_non_null(strstr(m, "Where it was taken up, in order"));
	assert_non_null(strstr(m, "check the facts"));
	/* Escaped in the HTML part, never markup. */
	assert_non_null(strstr(m, "&lt;b&gt;ferme"));
	assert_null(strstr(m, "href=3D\"javascript"));
	s = alert_webhook(&a, WEBHOOK_SLACK);
	assert_non_null(s);
	assert_non_null(strstr(s,
	    "different sites or accounts within one "
	    "hour (9 in all so far, in 12 mentions)."));
	assert_non_null(strstr(s,
	    "First seen on \xe2\x80\x9cLe Matin\xe2\x80\x9d at 2024-06-04 "
	    "10:00 UTC: Acme va fermer son usine"));
	assert_non_null(strstr(s, "*Link*: https://a.example/acme"));
	free(s);

	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(j, "kind")), "spread");
	assert_string_equal(
	    json_string_value(json_object_get(j, "watch")), "Acme");
	assert_int_equal(
	    json_integer_value(json_object_get(j, "story_id")), 4242);
	assert_int_equal(json_integer_value(json_object_get(j, "sites")), 9);
	assert_int_equal(
	    json_integer_value(json_object_get(j, "window_sites")), 7);
	assert_int_equal(
	    json_integer_value(json_object_get(j, "mentions")), 12);
	assert_int_equal(
	    json_integer_value(json_object_get(j, "window_seconds")), 3600);
	first = json_object_get(j, "first");
	assert_string_equal(
	    json_string_value(json_object_get(first, "source")), "Le Matin");
	assert_string_equal(json_string_value(json_object_get(first, "link")),
	    "https://a.example/acme");
	assert_string_equal(json_string_value(json_object_get(first, "at")),
	    "2024-06-04T10:00:00Z");
	list = json_object_get(j, "seen");
	assert_int_equal(json_array_size(list), 2);
	/* Not a link the receiver may follow. */
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(list, 1), "link")),
	    "");
	/* A spike's figures are not a spread's. */
	assert_null(json_object_get(j, "expected"));
	assert_null(json_object_get(j, "top_mentions"));
	assert_string_equal(json_string_value(json_object_get(j, "subject")),
	    "[vigie] WARNING: story spreading \xe2\x80\x94 Acme");
	json_decref(j);
	free(w);
	free(m);
}

static void
test_alert_fr(void **state)
{
	struct alert a = spread("fr", INCIDENT_FIRING);
	char *w = alert_webhook(&a, WEBHOOK_SLACK);
	json_t *j = json_loads(w, 0, NULL);
	const char *text;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "text")),
	    "[vigie] AVERTISSEMENT : sujet qui se propage \xe2\x80\x94 Acme");
	text = json_dumps(json_object_get(j, "blocks"), 0);
	assert_non_null(strstr(text, "repris par 7 sites ou comptes"));
	assert_non_null(strstr(text, "en une heure (9 en tout"));
	assert_non_null(strstr(text, "Vu d'abord sur"));
	assert_non_null(strstr(text, "dans l'ordre"));
	free((char *)text);
	json_decref(j);
	free(w);

	a = spread("fr", INCIDENT_RESOLVED);
	w = alert_webhook(&a, WEBHOOK_SLACK);
	j = json_loads(w, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "text")),
	    "[vigie] r\xc3\xa9solu : sujet qui se propage \xe2\x80\x94 Acme");
	text = json_dumps(json_object_get(j, "blocks"), 0);
	assert_non_null(
	    strstr(text, "aucune nouvelle mention depuis une heure"));
	assert_non_null(strstr(text, "9 sites ou comptes l'ont repris, en 12"));
	free((char *)text);
	json_decref(j);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_slow),
		cmocka_unit_test(test_off_and_empty),
		cmocka_unit_test(test_recent_and_quiet),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_alert_en),
		cmocka_unit_test(test_alert_fr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
