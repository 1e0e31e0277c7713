/*
 * test_search.c - the sources a watch's search key generates, read from a
 * configuration: one per engine, per language for the news engines and
 * per instance for Mastodon, each asking for the watch's query in the
 * engine's syntax at the engine's address ([search] may move it), named
 * after the watch; and what cannot be generated said at the key's line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config/conf.h"

static struct conf *
load(const char *text, struct diag *d)
{
	char path[] = "/tmp/vigie-test-search-XXXXXX";
	int fd = mkstemp(path);
	struct conf *c;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	c = conf_load(path, d);
	unlink(path);
	return c;
}

static const struct conf_source *
source(const struct conf *c, const char *name)
{
	const struct conf_source *s = conf_find_source(c, name);

	if (s == NULL)
		fail_msg("no source \"%s\"", name);
	return s;
}

static void
test_generated(void **state)
{
	struct diag d = { 0 };
	struct conf *c = load("[search]\n"
	                      "mastodon = piaille.fr, http://127.0.0.1:8080\n"
	                      "youtube_key_file = /etc/vigie/yt.key\n"
	                      "interval = 30m\n"
	                      "reddit_url = http://127.0.0.1:8081\n"
	                      "[watch \"acme\"]\n"
	                      "query = (acme OR \"acme corp\") NOT promo\n"
	                      "lang = fr\n"
	                      "search = google-news, bing-news, reddit, "
	                      "mastodon, hackernews, youtube\n"
	                      "[source \"feed\"]\n"
	                      "url = https://a.example/feed\n",
	    &d);
	const struct conf_source *s;

	(void)state;
	if (c == NULL)
		fail_msg("refused: %s", d.len ? d.msgs[0] : "?");
	/* The feed, then 2 news, reddit, 2 instances, 2 hn, youtube. */
	assert_int_equal(c->nsources, 9);
	assert_null(source(c, "feed")->watch);
	s = source(c, "search: acme (google-news fr)");
	assert_int_equal(s->type, SOURCE_FEED);
	assert_string_equal(s->watch, "acme");
	assert_string_equal(s->lang, "fr");
	assert_int_equal(s->interval_ms, 30 * 60 * 1000);
	assert_string_equal(s->url,
	    "https://news.google.com/rss/search?q=%28acme+OR+%22acme+corp%22%"
	    "29+-promo&hl=fr&gl=FR&ceid=FR%3afr");
	s = source(c, "search: acme (bing-news fr)");
	assert_non_null(strstr(s->url, "https://www.bing.com/news/search?q="));
	assert_non_null(strstr(s->url, "&format=rss&setlang=fr&cc=FR"));
	s = source(c, "search: acme (reddit)");
	assert_int_equal(s->type, SOURCE_REDDIT);
	assert_string_equal(s->query, "(acme OR \"acme corp\") NOT promo");
	assert_non_null(strstr(s->url, "http://127.0.0.1:8081/search.json?q="));
	s = source(c, "search: acme (mastodon piaille.fr)");
	assert_string_equal(s->tag, "acme,acmecorp");
	assert_non_null(
	    strstr(s->url, "https://piaille.fr/api/v1/timelines/tag/acme?"));
	s = source(c, "search: acme (mastodon 127.0.0.1)");
	assert_non_null(strstr(s->url, "http://127.0.0.1:8080/api/v1/"));
	assert_string_equal(
	    source(c, "search: acme (hackernews)")->query, "acme");
	assert_string_equal(
	    source(c, "search: acme (hackernews 2)")->query, "\"acme corp\"");
	s = source(c, "search: acme (youtube)");
	assert_string_equal(s->query, "acme|\"acme corp\" -promo");
	assert_string_equal(s->token_file, "/etc/vigie/yt.key");
	conf_free(c);
	diag_clear(&d);
}

static void
test_languages(void **state)
{
	struct diag d = { 0 };
	struct conf *c = load("[watch \"bob\"]\nquery = bob\nlang = de\n"
	                      "search = google-news\nsearch_lang = fr, en-GB\n"
	                      "[watch \"any\"]\nquery = any\n"
	                      "search = bing-news\n",
	    &d);

	(void)state;
	if (c == NULL)
		fail_msg("refused: %s", d.len ? d.msgs[0] : "?");
	/* search_lang first; the watch's lang otherwise; fr and en when
	 * it names none. */
	assert_non_null(
	    strstr(source(c, "search: bob (google-news en-GB)")->url,
	        "hl=en-GB&gl=GB&ceid=GB%3aen"));
	assert_non_null(source(c, "search: bob (google-news fr)"));
	assert_null(conf_find_source(c, "search: bob (google-news de)"));
	assert_non_null(source(c, "search: any (bing-news fr)"));
	assert_non_null(source(c, "search: any (bing-news en)"));
	conf_free(c);
	diag_clear(&d);
}

static void
refused(const char *text, const char *want)
{
	struct diag d = { 0 };
	struct conf *c = load(text, &d);
	int found = 0;

	if (c != NULL)
		fail_msg("accepted: %s", text);
	for (size_t i = 0; i < d.len; i++)
		found |= strstr(d.msgs[i], want) != NULL;
	if (!found)
		fail_msg("'%s' not said: %s", want, d.len ? d.msgs[0] : "");
	diag_clear(&d);
}

static void
test_refused(void **state)
{
	(void)state;
	refused("[watch \"a\"]\nquery = acme\nsearch = google, reddit\n",
	    ":3: unknown search engine 'google'");
	refused("[watch \"a\"]\nquery = acme\n\nsearch = youtube\n",
	    ":4: source \"search: a (youtube)\": type = youtube needs "
	    "token_file");
	refused("[watch \"a\"]\nquery = acme\nsearch = mastodon\n",
	    ":3: watch \"a\": search: mastodon needs the instances");
	refused("[watch \"a\"]\nquery = /ac+me/\nsearch = reddit\n",
	    ":3: watch \"a\": search: nothing in the query that reddit");
	refused("[watch \"a\"]\nquery = a OR b OR c OR d OR e\n"
	        "search = hackernews\n",
	    ":3: watch \"a\": search: hackernews takes no OR");
	refused("[source \"search: a (reddit)\"]\nurl = https://a.example/\n"
	        "[watch \"a\"]\nquery = acme\nsearch = reddit\n",
	    ":5: watch \"a\": search: a source is already named");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
