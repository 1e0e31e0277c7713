/*
 * test_json_source.c - posts out of API answers by paths (type = json):
 * the shapes of Reddit's listings, Hacker News' Algolia search and
 * Mastodon's timelines (as their documentation shows them, cut down),
 * counts and dates in their several forms, the next page, and answers
 * that are not what the paths say.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/read/date.h"
#include "core/read/json_source.h"

static struct feed *
read_ok(const struct json_paths *p, const char *doc, char **next)
{
	struct feed *f = NULL;
	char err[256] = "";

	if (json_source_read(p, doc, strlen(doc), "https://api.example/v1/", &f,
	        next, err, sizeof err) != 0)
		fail_msg("not read: %s", err);
	return f;
}

static void
test_reddit(void **state)
{
	static const char doc[] =
	    "{\"kind\":\"Listing\",\"data\":{\"after\":\"t3_b\","
	    "\"children\":[{\"kind\":\"t3\",\"data\":{\"id\":\"a1\","
	    "\"title\":\"Acme a encore rat\\u00e9 ma livraison\","
	    "\"selftext\":\"Trois semaines &amp; toujours rien\","
	    "\"author\":\"lucie\",\"permalink\":\"/r/france/comments/a1/\","
	    "\"created_utc\":1733400000.0,\"ups\":152,"
	    "\"num_comments\":\"38\"}},"
	    "{\"kind\":\"t3\",\"data\":{\"id\":\"a2\",\"title\":\"Ok\","
	    "\"created_utc\":1733400100}}]}}";
	struct json_paths p = { .items = "data.children",
		.id = "data.id",
		.title = "data.title",
		.text = "data.selftext",
		.author = "data.author",
		.link = "data.permalink",
		.date = "data.created_utc",
		.engagement = { [ENG_LIKES] = "data.ups",
		    [ENG_REPLIES] = "data.num_comments" } };
	char *next = NULL;
	struct feed *f = read_ok(&p, doc, &next);

	(void)state;
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[0].id, "a1");
	assert_string_equal(
	    f->items[0].title, "Acme a encore rat\xc3\xa9 ma livraison");
	/* Not HTML: an ampersand stays as written. */
	assert_string_equal(
	    f->items[0].content, "Trois semaines &amp; toujours rien");
	assert_string_equal(f->items[0].author, "lucie");
	assert_string_equal(
	    f->items[0].link, "https://api.example/r/france/comments/a1/");
	assert_int_equal(f->items[0].published, 1733400000);
	assert_int_equal(f->items[0].engagement[ENG_LIKES], 152);
	assert_int_equal(f->items[0].engagement[ENG_REPLIES], 38);
	assert_int_equal(
	    f->items[0].engaged, (1u << ENG_LIKES) | (1u << ENG_REPLIES));
	assert_int_equal(f->items[1].engaged, 0);
	assert_null(f->items[1].link);
	assert_null(next);
	feed_free(f);
}

static void
test_hn_next(void **state)
{
	static const char doc[] =
	    "{\"hits\":[{\"objectID\":\"42\",\"title\":\"Acme outage\","
	    "\"url\":\"https://status.acme.example/\",\"author\":\"pg\","
	    "\"points\":12,\"num_comments\":3,"
	    "\"created_at\":\"2026-12-05T08:00:00.000Z\","
	    "\"created_at_i\":1796457600}],\"page\":0,\"nbPages\":3,"
	    "\"next\":\"?query=acme&page=1\"}";
	struct json_paths p = { .items = "hits",
		.id = "objectID",
		.title = "title",
		.link = "url",
		.author = "author",
		.date = "created_at",
		.engagement = { [ENG_LIKES] = "points",
		    [ENG_REPLIES] = "num_comments" },
		.next = "next" };
	char *next = NULL;
	struct feed *f = read_ok(&p, doc, &next);

	(void)state;
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].link, "https://status.acme.example/");
	assert_int_equal(
	    f->items[0].published, date_parse("2026-12-05T08:00:00Z"));
	assert_string_equal(next, "https://api.example/v1/?query=acme&page=1");
	free(next);
	feed_free(f);

	/* Reddit's way: a cursor, sent back as a query parameter. */
	p.next = "after";
	p.next_param = "after";
	f = read_ok(&p, "{\"hits\":[],\"after\":\"t3_b\"}", &next);
	assert_string_equal(next, "https://api.example/v1/?after=t3_b");
	free(next);
	feed_free(f);
	f = read_ok(&p, "{\"hits\":[],\"after\":null}", &next);
	assert_null(next);
	feed_free(f);
}

static void
test_mastodon(void **state)
{
	/* A timeline is an array; content is HTML; ids are strings. */
	static const char doc[] =
	    "[{\"id\":\"1093\",\"created_at\":\"2026-12-05T09:14:00.000Z\","
	    "\"url\":\"https://piaille.fr/@marc/1093\","
	    "\"content\":\"<p>Le SAV d&#39;<a href=\\\"#\\\">#Acme</a> est "
	    "nul</p>\",\"reblogs_count\":4,\"favourites_count\":9,"
	    "\"replies_count\":1,\"account\":{\"acct\":\"marc\","
	    "\"display_name\":\"Marc\",\"followers_count\":2301}},"
	    "42, {\"id\":\"x\"}]";
	struct json_paths p = { .items = ".",
		.id = "id",
		.link = "url",
		.text = "content",
		.author = "account.display_name",
		.date = "created_at",
		.engagement = { [ENG_LIKES] = "favourites_count",
		    [ENG_SHARES] = "reblogs_count",
		    [ENG_REPLIES] = "replies_count",
		    [ENG_FOLLOWERS] = "account.followers_count" } };
	char *next = NULL;
	struct feed *f = read_ok(&p, doc, &next);

	(void)state;
	/* The number is no post; the post with nothing to show is none. */
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].content, "Le SAV d'#Acme est nul");
	assert_string_equal(f->items[0].author, "Marc");
	assert_int_equal(f->items[0].engagement[ENG_SHARES], 4);
	assert_int_equal(f->items[0].engagement[ENG_FOLLOWERS], 2301);
	feed_free(f);
}

static void
test_values(void **state)
{
	/* Milliseconds, a count that is no count, an element by number, a
	 * link that is no web link, an id with a NUL. */
	static const char doc[] =
	    "{\"r\":{\"list\":[[{\"t\":\"a\",\"d\":1733400000123,"
	    "\"n\":-5,\"m\":\"12x\",\"u\":\"javascript:alert(1)\","
	    "\"i\":\"a\\u0000b\"}]]}}";
	struct json_paths p = { .items = "r.list.0",
		.title = "t",
		.date = "d",
		.link = "u",
		.id = "i",
		.engagement = { [ENG_LIKES] = "n", [ENG_VIEWS] = "m" } };
	char *next = NULL;
	struct feed *f = read_ok(&p, doc, &next);

	(void)state;
	assert_int_equal(f->nitems, 1);
	assert_int_equal(f->items[0].published, 1733400000);
	assert_int_equal(f->items[0].engaged, 0);
	assert_null(f->items[0].link);
	assert_null(f->items[0].id);
	feed_free(f);
}

static void
test_refused(void **state)
{
	struct json_paths p = { .items = "data.children", .title = "t" };
	struct feed *f = NULL;
	char *next = NULL, err[256];

	(void)state;
	assert_int_equal(json_source_read(&p, "{\"data\":{}}", 11,
	                     "https://a.example/", &f, &next, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "data.children"));
	assert_int_equal(json_source_read(&p, "<html>", 6, "https://a.example/",
	                     &f, &next, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "not JSON"));
	assert_null(f);

	assert_int_equal(json_path_check("a..b", err, sizeof err), -1);
	assert_int_equal(json_path_check(".a", err, sizeof err), -1);
	assert_int_equal(json_path_check("", err, sizeof err), -1);
	assert_int_equal(json_path_check("a.0.b", err, sizeof err), 0);
	assert_int_equal(json_path_check(".", err, sizeof err), 0);
	assert_int_equal(json_path_check("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q",
	                     err, sizeof err),
	    -1);
}

static void
test_deep(void **state)
{
	/* Nesting past 64 levels is cut, the posts around it kept. */
	char doc[4096];
	size_t n = 0;
	struct json_paths p = { .items = "posts", .title = "t", .text = "x" };
	struct feed *f = NULL;
	char *next = NULL, err[256];

	(void)state;
	n += (size_t)snprintf(doc, sizeof doc,
	    "{\"posts\":[{\"t\":\"kept\","
	    "\"x\":");
	for (int i = 0; i < 200; i++)
		doc[n++] = '[';
	for (int i = 0; i < 200; i++)
		doc[n++] = ']';
	n += (size_t)snprintf(doc + n, sizeof doc - n, "},{\"t\":\"also\"}]}");
	assert_int_equal(json_source_read(&p, doc, n, "https://a.example/", &f,
	                     &next, err, sizeof err),
	    0);
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[1].title, "also");
	assert_non_null(f->skipped);
	feed_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reddit),
		cmocka_unit_test(test_hn_next),
		cmocka_unit_test(test_mastodon),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
