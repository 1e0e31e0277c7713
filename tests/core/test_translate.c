/*
 * test_translate.c - a watch's query in each engine's syntax: phrases,
 * alternatives, exclusions, what each engine cannot say left out so that
 * it is asked for more, never less (a regex, a truncated word, a
 * language, an author, a proximity, an excluded group), Algolia's
 * alternatives split, and the hashtags Mastodon is asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/match/translate.h"

/* The query's translations, joined by " ; ", or "-" for none and "!" for
 * too many. */
static char *
tr(const char *query, enum dialect d)
{
	struct query_error err;
	struct qnode *q = query_parse(query, &err);
	char *out[TRANSLATE_MAX] = { 0 };
	struct buf b;
	int n;

	if (q == NULL)
		fail_msg("'%s' does not parse: %s", query, err.message);
	n = query_translate(q, d, out);
	query_free(q);
	buf_init(&b);
	if (n <= 0)
		buf_puts(&b, n == 0 ? "-" : "!");
	for (int i = 0; i < n; i++) {
		buf_printf(&b, "%s%s", i ? " ; " : "", out[i]);
		free(out[i]);
	}
	return buf_release(&b);
}

static void
check(const char *query, enum dialect d, const char *want)
{
	char *got = tr(query, d);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", query, got, want);
	free(got);
}

static void
test_web(void **state)
{
	(void)state;
	check("acme", DIALECT_WEB, "acme");
	check("\"Acme Corp\" OR acmegate", DIALECT_WEB,
	    "\"acme corp\" OR acmegate");
	check("(acme OR \"acme corp\") NOT recrutement", DIALECT_WEB,
	    "(acme OR \"acme corp\") -recrutement");
	check("acme NOT site:acme.fr", DIALECT_WEB, "acme -site:acme.fr");
	check("acme site:lemonde.fr", DIALECT_WEB, "acme site:lemonde.fr");
	/* Accents and case folded, as the engines read them anyway. */
	check("Société Générale", DIALECT_WEB, "societe generale");
	/* What no engine says is left out: more results, never fewer. */
	check("acme /ac+me/ lang:fr", DIALECT_WEB, "acme");
	check("acme OR acm*", DIALECT_WEB, "-");
	check("acme author:bob", DIALECT_WEB, "acme");
	check("acme NOT author:bob", DIALECT_WEB, "acme");
	check("bob NEAR/3 dupont", DIALECT_WEB, "bob dupont");
	check("acme NOT (bob NEAR/3 dupont)", DIALECT_WEB, "acme");
	check("acme NOT (promo OR soldes)", DIALECT_WEB, "acme");
	check("title:acme", DIALECT_WEB, "acme");
	/* Nothing to find: only exclusions, or only regexes. */
	check("/acme/", DIALECT_WEB, "-");
	check("acme OR /x+/", DIALECT_WEB, "-");
	/* Excluding what cannot be said excludes nothing. */
	check("acme NOT /x+/", DIALECT_WEB, "acme");
}

static void
test_reddit(void **state)
{
	(void)state;
	check("(acme OR \"acme corp\") NOT recrutement", DIALECT_REDDIT,
	    "(acme OR \"acme corp\") NOT recrutement");
	check("acme NOT (promo OR soldes)", DIALECT_REDDIT,
	    "acme NOT (promo OR soldes)");
	check("acme site:acme.fr", DIALECT_REDDIT, "acme");
}

static void
test_youtube(void **state)
{
	(void)state;
	check("acme OR \"acme corp\"", DIALECT_YOUTUBE, "acme|\"acme corp\"");
	/* The documentation's own example: boating|sailing -fishing. */
	check("(boating OR sailing) NOT fishing", DIALECT_YOUTUBE,
	    "boating|sailing -fishing");
	/* Beside another term, | is left out. */
	check("(acme OR acmecorp) box", DIALECT_YOUTUBE, "box");
	check("(acme box) OR fibre", DIALECT_YOUTUBE, "-");
}

static void
test_algolia(void **state)
{
	(void)state;
	check("acme \"fibre box\"", DIALECT_ALGOLIA, "acme \"fibre box\"");
	check("acme OR acmecorp", DIALECT_ALGOLIA, "acme ; acmecorp");
	check("(acme OR \"acme corp\") outage NOT promo", DIALECT_ALGOLIA,
	    "acme outage ; \"acme corp\" outage");
	check("a OR b OR c OR d OR e", DIALECT_ALGOLIA, "!");
	check("acme OR /x+/", DIALECT_ALGOLIA, "-");
}

static void
test_hashtags(void **state)
{
	struct query_error err;
	struct qnode *q = query_parse(
	    "(#Acme OR \"Acme Corp\" OR acme) NOT promo /re+/", &err);
	char *tags = query_hashtags(q, 5);

	(void)state;
	assert_string_equal(tags, "acme,acmecorp");
	free(tags);
	query_free(q);
	q = query_parse("a OR b OR c", &err);
	tags = query_hashtags(q, 2);
	assert_string_equal(tags, "a,b");
	free(tags);
	query_free(q);
	q = query_parse("/acme/ NOT promo", &err);
	assert_null(query_hashtags(q, 5));
	query_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web),
		cmocka_unit_test(test_reddit),
		cmocka_unit_test(test_youtube),
		cmocka_unit_test(test_algolia),
		cmocka_unit_test(test_hashtags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
