/*
 * test_platform.c - the platforms' own APIs (type = mastodon, bluesky,
 * reddit, youtube, x, hackernews): the request each source's keys make,
 * the keys refused, and answers in each API's documented shape
 * (tests/fixtures/platforms) read into items with their author, audience
 * and engagement; YouTube's three steps; answers that are not the one
 * expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/file.h"
#include "core/config/conf.h"
#include "core/read/date.h"
#include "core/read/platform.h"

/* A platform source asking for what is given. */
static struct conf_source
src(int type, const char *url, const char *tag, const char *query,
    const char *account, const char *token_file, const char *lang)
{
	return (struct conf_source){ .name = "t",
		.type = type,
		.url = (char *)url,
		.tag = (char *)tag,
		.query = (char *)query,
		.account = (char *)account,
		.token_file = (char *)token_file,
		.lang = (char *)lang };
}

static char *
request(int type, const char *url, const char *tag, const char *query,
    const char *account, const char *token_file, const char *lang)
{
	struct conf_source s =
	    src(type, url, tag, query, account, token_file, lang);
	char err[256] = "";
	char *r = platform_request(&s, err, sizeof err);

	if (r == NULL)
		print_message("refused: %s\n", err);
	return r;
}

static void
contains(const char *s, const char *part)
{
	if (s == NULL || strstr(s, part) == NULL)
		fail_msg("'%s' not in '%s'", part, s ? s : "(null)");
}

static void
test_requests(void **state)
{
	char *u;

	(void)state;
	u = request(SOURCE_MASTODON, "https://piaille.fr/", "#acme, acmegate",
	    NULL, NULL, NULL, NULL);
	contains(u, "https://piaille.fr/api/v1/timelines/tag/acme?");
	contains(u, "any%5b%5d=acmegate");
	free(u);
	u = request(SOURCE_MASTODON, "https://piaille.fr", NULL, NULL, "acme",
	    NULL, NULL);
	contains(u, "https://piaille.fr/api/v1/accounts/lookup?acct=acme");
	free(u);
	u = request(SOURCE_BLUESKY, NULL, NULL, "acme box", NULL, NULL, "fr");
	contains(u,
	    "https://public.api.bsky.app/xrpc/app.bsky.feed."
	    "searchPosts?q=acme+box");
	contains(u, "lang=fr");
	free(u);
	u = request(
	    SOURCE_BLUESKY, NULL, NULL, NULL, "acme.bsky.social", NULL, NULL);
	contains(u, "getAuthorFeed?actor=acme.bsky.social");
	free(u);
	u = request(SOURCE_REDDIT, NULL, "france", "acme", NULL, NULL, NULL);
	contains(u, "https://www.reddit.com/r/france/search.json?q=acme");
	contains(u, "restrict_sr=1");
	contains(u, "raw_json=1");
	free(u);
	u = request(SOURCE_REDDIT, NULL, "france", NULL, NULL, NULL, NULL);
	contains(u, "https://www.reddit.com/r/france/new.json?");
	free(u);
	u = request(SOURCE_YOUTUBE, NULL, NULL, "box acme", NULL, "/k", "fr");
	contains(u, "https://www.googleapis.com/youtube/v3/search?");
	contains(u, "q=box+acme");
	contains(u, "relevanceLanguage=fr");
	/* The key goes in a header, never in a URL that is logged. */
	assert_null(strstr(u, "key="));
	free(u);
	u = request(SOURCE_X, NULL, NULL, "acme -promo", "acme_fr", "/t", "fr");
	contains(u, "https://api.x.com/2/tweets/search/recent?query=");
	contains(u, "expansions=author_id");
	free(u);
	u = request(SOURCE_HACKERNEWS, NULL, NULL, "acme", NULL, NULL, NULL);
	contains(u, "https://hn.algolia.com/api/v1/search_by_date?query=acme");
	free(u);
	assert_string_equal(
	    platform_token_header(SOURCE_YOUTUBE), "X-Goog-Api-Key: ");
	assert_true(platform_pages_by_link(SOURCE_MASTODON));
	assert_false(platform_pages_by_link(SOURCE_REDDIT));
}

static void
refused(int type, const char *url, const char *tag, const char *query,
    const char *account, const char *token_file, const char *why)
{
	struct conf_source s =
	    src(type, url, tag, query, account, token_file, NULL);
	char err[256] = "";
	char *r = platform_request(&s, err, sizeof err);

	if (r != NULL)
		fail_msg("accepted: %s", r);
	contains(err, why);
}

static void
test_refused(void **state)
{
	(void)state;
	refused(SOURCE_MASTODON, NULL, "acme", NULL, NULL, NULL,
	    "needs url, the instance's");
	refused(SOURCE_MASTODON, "https://piaille.fr", "acme", NULL, "acme",
	    NULL, "one of tag, query and account");
	refused(SOURCE_MASTODON, "https://piaille.fr", NULL, "acme", NULL, NULL,
	    "needs token_file");
	refused(SOURCE_MASTODON, "https://piaille.fr", ", #", NULL, NULL, NULL,
	    "names no hashtag");
	refused(SOURCE_MASTODON, "https://piaille.fr", "ac/me", NULL, NULL,
	    NULL, "not a list of hashtags");
	refused(SOURCE_YOUTUBE, NULL, NULL, "acme", NULL, NULL,
	    "needs token_file, the API's key");
	refused(SOURCE_X, NULL, NULL, "acme", NULL, NULL, "bearer token");
	refused(SOURCE_X, NULL, "acme", NULL, NULL, "/t", "takes query");
	refused(SOURCE_REDDIT, NULL, NULL, NULL, NULL, NULL, "takes tag");
	refused(SOURCE_REDDIT, NULL, NULL, NULL, "../admin", NULL,
	    "not a name reddit can have");
	refused(SOURCE_HACKERNEWS, "ftp://hn.example", NULL, "acme", NULL, NULL,
	    "not http(s)");
}

/* Reads fixture name as type's answer from url, with held items. */
static struct platform_answer
read_fixture(int type, const char *name, const char *url, struct feed *held)
{
	char path[512], err[256] = "";
	const char *why = NULL;
	struct buf body;
	struct platform_answer a = { .feed = held };

	snprintf(path, sizeof path, "%s/platforms/%s", FIXTURES, name);
	buf_init(&body);
	if (file_read(path, 1 << 20, &body, &why) == -1)
		fail_msg("%s: %s", path, why);
	if (platform_read(
	        type, body.data, body.len, url, &a, err, sizeof err) != 0)
		fail_msg("%s not read: %s", name, err);
	buf_clear(&body);
	return a;
}

static void
test_mastodon(void **state)
{
	struct platform_answer a =
	    read_fixture(SOURCE_MASTODON, "mastodon_tag.json",
	        "https://piaille.fr/api/v1/timelines/tag/acme?limit=40", NULL);
	const struct item *it = &a.feed->items[0];

	(void)state;
	assert_int_equal(a.feed->nitems, 2);
	assert_false(a.more);
	assert_string_equal(
	    it->link, "https://piaille.fr/@claire/113555281829470452");
	assert_string_equal(it->author, "Claire Dubois");
	assert_string_equal(it->author_url, "https://piaille.fr/@claire");
	assert_string_equal(it->lang, "fr");
	contains(it->content, "Inadmissible & épuisant.");
	assert_null(strstr(it->content, "<span>"));
	assert_int_equal(it->engagement[ENG_LIKES], 31);
	assert_int_equal(it->engagement[ENG_SHARES], 12);
	assert_int_equal(it->engagement[ENG_REPLIES], 4);
	assert_int_equal(it->engagement[ENG_FOLLOWERS], 2480);
	assert_false(it->engaged & (1u << ENG_VIEWS));
	assert_int_equal(it->published, 1796461961);
	/* No display name: the handle. */
	assert_string_equal(a.feed->items[1].author, "tomw@mastodon.social");
	feed_free(a.feed);

	/* An account: looked up, then its statuses. */
	a = read_fixture(SOURCE_MASTODON, "mastodon_lookup.json",
	    "https://piaille.fr/api/v1/accounts/lookup?acct=acme", NULL);
	assert_true(a.more);
	assert_int_equal(a.feed->nitems, 0);
	contains(a.next,
	    "https://piaille.fr/api/v1/accounts/109302745134960155/statuses?");
	free(a.next);
	a = read_fixture(SOURCE_MASTODON, "mastodon_tag.json",
	    "https://piaille.fr/api/v1/accounts/1/statuses", a.feed);
	assert_int_equal(a.feed->nitems, 2);

	/* The statuses step answered by the account again: looked up
	 * again, the items held before freed (the sanitized build and
	 * valgrind see a leak). */
	a = read_fixture(SOURCE_MASTODON, "mastodon_lookup.json",
	    "https://piaille.fr/api/v1/accounts/1/statuses", a.feed);
	assert_true(a.more);
	assert_int_equal(a.feed->nitems, 0);
	free(a.next);
	feed_free(a.feed);
}

static void
test_bluesky(void **state)
{
	struct platform_answer a = read_fixture(SOURCE_BLUESKY,
	    "bluesky_search.json",
	    "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=acme",
	    NULL);
	const struct item *it = &a.feed->items[0];

	(void)state;
	/* The second's handle cannot make a link: it is dropped. */
	assert_int_equal(a.feed->nitems, 1);
	assert_string_equal(it->link,
	    "https://bsky.app/profile/julie.bsky.social/post/3lbz2wqpyxc2k");
	assert_string_equal(
	    it->author_url, "https://bsky.app/profile/julie.bsky.social");
	assert_string_equal(it->author, "Julie Martin");
	assert_string_equal(it->lang, "fr");
	assert_int_equal(it->engagement[ENG_LIKES], 40);
	/* Reposts and quotes both spread it. */
	assert_int_equal(it->engagement[ENG_SHARES], 25);
	assert_int_equal(it->engagement[ENG_REPLIES], 7);
	contains(a.next, "cursor=25");
	contains(a.next, "q=acme");
	free(a.next);
	feed_free(a.feed);
}

static void
test_reddit(void **state)
{
	struct platform_answer a =
	    read_fixture(SOURCE_REDDIT, "reddit_search.json",
	        "https://www.reddit.com/search.json?q=acme&sort=new", NULL);
	const struct item *it = &a.feed->items[0];

	(void)state;
	assert_int_equal(a.feed->nitems, 2);
	assert_string_equal(it->id, "t3_1h6zr2b");
	assert_string_equal(it->link,
	    "https://www.reddit.com/r/france/comments/1h6zr2b/"
	    "box_acme_qui_redemarre_sans_arret/");
	assert_string_equal(it->title, "Box Acme qui redémarre sans arrêt");
	assert_string_equal(
	    it->author_url, "https://www.reddit.com/user/pierre_l");
	assert_int_equal(it->engagement[ENG_LIKES], 87);
	assert_int_equal(it->engagement[ENG_REPLIES], 45);
	assert_int_equal(it->published, 1764928800);
	assert_null(a.feed->items[1].author);
	assert_null(a.feed->items[1].author_url);
	contains(a.next, "after=t3_1h6zq9x");
	free(a.next);
	feed_free(a.feed);
}

static void
test_hackernews(void **state)
{
	struct platform_answer a = read_fixture(SOURCE_HACKERNEWS,
	    "hackernews_search.json",
	    "https://hn.algolia.com/api/v1/search_by_date?query=acme", NULL);
	const struct item *story = &a.feed->items[0], *c = &a.feed->items[1];

	(void)state;
	assert_int_equal(a.feed->nitems, 2);
	assert_string_equal(
	    story->link, "https://news.ycombinator.com/item?id=41234567");
	assert_int_equal(story->engagement[ENG_LIKES], 231);
	assert_int_equal(story->engagement[ENG_REPLIES], 58);
	assert_string_equal(c->title, "Acme's outage post-mortem");
	contains(c->content, "Acme should really stage these.");
	assert_string_equal(
	    c->author_url, "https://news.ycombinator.com/user?id=kim");
	contains(a.next, "page=1");
	free(a.next);
	feed_free(a.feed);
}

static void
test_x(void **state)
{
	struct platform_answer a = read_fixture(SOURCE_X, "x_search.json",
	    "https://api.x.com/2/tweets/search/recent?query=acme", NULL);
	const struct item *it = &a.feed->items[0];

	(void)state;
	/* The second's author is not in includes: no link, no item. */
	assert_int_equal(a.feed->nitems, 1);
	assert_string_equal(
	    it->link, "https://x.com/marc_lefevre/status/1864612345678901234");
	assert_string_equal(it->author, "Marc Lefèvre");
	assert_int_equal(it->engagement[ENG_FOLLOWERS], 120500);
	assert_int_equal(it->engagement[ENG_SHARES], 180);
	assert_int_equal(it->engagement[ENG_VIEWS], 54000);
	contains(a.next, "next_token=b26v89c19zqg8o3fpzbkk1p1i5l9");
	free(a.next);
	feed_free(a.feed);

	a = read_fixture(SOURCE_X, "x_empty.json",
	    "https://api.x.com/2/tweets/search/recent?query=acme", NULL);
	assert_int_equal(a.feed->nitems, 0);
	assert_null(a.next);
	feed_free(a.feed);
}

static void
test_youtube(void **state)
{
	const char *search =
	    "https://www.googleapis.com/youtube/v3/search?part=snippet&q=acme";
	struct platform_answer a =
	    read_fixture(SOURCE_YOUTUBE, "youtube_search.json", search, NULL);
	const struct item *it;

	(void)state;
	assert_true(a.more);
	assert_int_equal(a.feed->nitems, 2);
	contains(a.next, "https://www.googleapis.com/youtube/v3/videos?");
	contains(a.next, "part=statistics");
	contains(a.next, "id=dQw4w9WgXcQ%2c9bZkp7q19f0");
	assert_null(strstr(a.next, "q=acme"));
	free(a.next);
	a = read_fixture(SOURCE_YOUTUBE, "youtube_videos.json",
	    "https://www.googleapis.com/youtube/v3/videos?part=statistics",
	    a.feed);
	assert_true(a.more);
	contains(a.next, "https://www.googleapis.com/youtube/v3/channels?");
	contains(
	    a.next, "id=UC38IQsAvIsxxjztdMZQtwHA%2cUCxyz0000000000000000000");
	free(a.next);
	a = read_fixture(SOURCE_YOUTUBE, "youtube_channels.json",
	    "https://www.googleapis.com/youtube/v3/channels?part=statistics",
	    a.feed);
	assert_false(a.more);
	it = &a.feed->items[0];
	assert_string_equal(
	    it->link, "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
	assert_string_equal(it->author, "TechLyon");
	assert_string_equal(it->author_url,
	    "https://www.youtube.com/channel/UC38IQsAvIsxxjztdMZQtwHA");
	assert_int_equal(it->engagement[ENG_VIEWS], 48210);
	assert_int_equal(it->engagement[ENG_LIKES], 1520);
	assert_int_equal(it->engagement[ENG_REPLIES], 310);
	assert_int_equal(it->engagement[ENG_FOLLOWERS], 215000);
	/* Likes hidden, subscribers hidden: unknown, not 0. */
	it = &a.feed->items[1];
	assert_int_equal(it->engagement[ENG_VIEWS], 900);
	assert_false(it->engaged & (1u << ENG_LIKES));
	assert_false(it->engaged & (1u << ENG_FOLLOWERS));
	feed_free(a.feed);
}

static void
test_not_the_answer(void **state)
{
	static const char *const docs[] = { "<html>rate limited</html>",
		"{\"error\":\"invalid_request\"}", "[1, 2", "" };
	static const int types[] = { SOURCE_MASTODON, SOURCE_BLUESKY,
		SOURCE_REDDIT, SOURCE_YOUTUBE, SOURCE_X, SOURCE_HACKERNEWS };

	(void)state;
	for (size_t t = 0; t < sizeof types / sizeof *types; t++)
		for (size_t d = 0; d < sizeof docs / sizeof *docs; d++) {
			/* Held items are freed with a refused answer. */
			struct platform_answer a = { .feed = calloc(1,
				                         sizeof(struct feed)) };
			char err[256] = "";

			assert_int_equal(
			    platform_read(types[t], docs[d], strlen(docs[d]),
			        "https://a.example/", &a, err, sizeof err),
			    -1);
			assert_null(a.feed);
			assert_null(a.next);
			assert_true(err[0] != '\0');
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mastodon),
		cmocka_unit_test(test_bluesky),
		cmocka_unit_test(test_reddit),
		cmocka_unit_test(test_hackernews),
		cmocka_unit_test(test_x),
		cmocka_unit_test(test_youtube),
		cmocka_unit_test(test_not_the_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
