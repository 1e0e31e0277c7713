/*
 * test_discover.c - feed autodiscovery on pages shaped like the engines'
 * own (WordPress, phpBB, Discourse, XenForo, Blogger), a news page
 * declaring ten feeds, relative links under <base>, a page with nothing
 * declared, and bodies that are not HTML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "core/read/discover.h"
#include "core/read/xml.h"

struct want {
	const char *url, *type, *title;
};

/* The whole list, in order: "url type title" per entry. */
static void
check(const char *file, const char *page, const struct want *w, size_t n)
{
	size_t len, got_n;
	char *html = fixture_read("discover", file, &len);
	struct discovered *got;

	assert_int_equal(
	    discover_feeds(html, len, page, &got, &got_n, NULL), 0);
	for (size_t i = 0; i < got_n || i < n; i++) {
		if (i >= got_n || i >= n) {
			char *list = discovered_format(got, got_n);
			fail_msg("%s: %zu feeds, want %zu:\n%s", file, got_n, n,
			    list);
		}
		if (strcmp(got[i].url, w[i].url) != 0 ||
		    strcmp(got[i].type, w[i].type) != 0 ||
		    (w[i].title == NULL) != (got[i].title == NULL) ||
		    (w[i].title != NULL &&
		        strcmp(got[i].title, w[i].title) != 0))
			fail_msg("%s #%zu: got %s %s %s, want %s %s %s", file,
			    i, got[i].url, got[i].type,
			    got[i].title ? got[i].title : "-", w[i].url,
			    w[i].type, w[i].title ? w[i].title : "-");
		if (i > 0 && got[i].score > got[i - 1].score)
			fail_msg("%s #%zu: not sorted by score", file, i);
	}
	discovered_free(got, got_n);
	free(html);
}

#define CHECK(file, page, ...) \
	do { \
		const struct want w_[] = { __VA_ARGS__ }; \
		check(file, page, w_, sizeof(w_) / sizeof(w_[0])); \
	} while (0)

static void
test_wordpress(void **state)
{
	(void)state;
	/* The REST API and oEmbed links say JSON too, and are no feeds. */
	CHECK("wordpress.html", "https://carnet.example.fr/",
	    { "https://carnet.example.fr/feed/", "rss",
	        "Le Carnet de L\xc3\xa9"
	        "a \xc2\xbb Flux" },
	    { "https://carnet.example.fr/comments/feed/", "rss",
	        "Le Carnet de L\xc3\xa9"
	        "a \xc2\xbb Flux des commentaires" });
	/* Nothing declared: WordPress's own URLs, the main feed first. */
	CHECK("wordpress-nolinks.html", "https://shop.example.com/about/",
	    { "https://shop.example.com/feed/", "guess", NULL },
	    { "https://shop.example.com/comments/feed/", "guess", NULL });
}

static void
test_forums(void **state)
{
	(void)state;
	/* phpBB's feed sits beside its index, wherever that is. */
	CHECK("phpbb.html", "https://riverains.example.fr/forum/index.php",
	    { "https://riverains.example.fr/forum/app.php/feed", "guess",
	        NULL },
	    { "https://riverains.example.fr/forum/feed.php", "guess", NULL });
	CHECK("discourse.html", "https://community.example.com/latest",
	    { "https://community.example.com/latest.rss", "guess", NULL });
	/* XenForo declares its feed; the root guess follows it. */
	CHECK("xenforo.html", "https://www.example-motors.com/community/",
	    { "https://www.example-motors.com/community/forums/-/index.rss",
	        "rss", "RSS feed for Example Motors Forum" },
	    { "https://www.example-motors.com/forums/-/index.rss", "guess",
	        NULL });
	CHECK("blogger.html", "https://notesdeterrain.blogspot.com/",
	    { "https://notesdeterrain.blogspot.com/feeds/posts/default",
	        "guess", NULL });
}

/* Main feeds first, comment feeds (English or French titles) last among
 * the declared; RSS/Atom before JSON, this host before another. */
/* The engine a page reveals, as the preset that reads it. */
static const char *
engine_of(const char *file, const char *page)
{
	size_t len, n;
	char *html = fixture_read("discover", file, &len);
	struct discovered *got;
	const char *engine;

	assert_int_equal(discover_feeds(html, len, page, &got, &n, &engine), 0);
	discovered_free(got, n);
	free(html);
	return engine;
}

static void
test_engine(void **state)
{
	(void)state;
	assert_string_equal(
	    engine_of("phpbb.html", "https://riverains.example.fr/forum/"),
	    "phpbb");
	assert_string_equal(
	    engine_of("discourse.html", "https://community.example.com/"),
	    "discourse");
	assert_string_equal(engine_of("xenforo.html",
	                        "https://www.example-motors.com/community/"),
	    "xenforo");
	assert_string_equal(
	    engine_of("wordpress.html", "https://carnet.example.fr/"),
	    "wordpress");
	/* Blogger has feeds and no preset; a plain page no engine. */
	assert_null(engine_of("blogger.html", "https://x.blogspot.com/"));
	assert_null(engine_of("plain.html", "http://static.example.net/"));
}

static void
test_ten_feeds(void **state)
{
	(void)state;
	CHECK("many.html", "https://citydaily.example.com/",
	    { "https://citydaily.example.com/rss", "rss", "City Daily" },
	    { "https://citydaily.example.com/atom", "atom",
	        "City Daily (Atom)" },
	    { "https://citydaily.example.com/politics/rss", "rss", "Politics" },
	    { "https://citydaily.example.com/sport/rss", "rss", "Sport" },
	    { "https://partner.example.net/citydaily.rss", "rss",
	        "City Daily partner feed" },
	    { "https://citydaily.example.com/feed.json", "json",
	        "City Daily (JSON)" },
	    { "https://citydaily.example.com/latest.json", "json",
	        "Latest (JSON)" },
	    { "https://citydaily.example.com/comments.rss", "rss",
	        "City Daily comments" },
	    { "https://citydaily.example.com/comments/feed/atom", "atom",
	        "City Daily - all comments" },
	    { "https://citydaily.example.com/fr/commentaires.rss", "rss",
	        "Commentaires des lecteurs" },
	    { "https://citydaily.example.com/rss.xml", "guess", NULL },
	    { "https://citydaily.example.com/atom.xml", "guess", NULL },
	    { "https://citydaily.example.com/index.xml", "guess", NULL },
	    { "https://citydaily.example.com/feed.xml", "guess", NULL });
}

/* Links resolve against <base>, guesses against the page; only http(s)
 * is kept, each URL once, and only rel="alternate" of feed types. */
static void
test_base(void **state)
{
	(void)state;
	CHECK("base.html", "https://www.example.org/en/index.html",
	    { "https://cdn.example.org/site/en/news/atom.xml", "atom", "News" },
	    { "https://cdn.example.org/site/rss.xml", "rss", NULL },
	    { "https://cdn.example.org/root.xml", "rss", "Root" },
	    { "https://www.example.org/rss.xml", "guess", NULL },
	    { "https://www.example.org/atom.xml", "guess", NULL },
	    { "https://www.example.org/index.xml", "guess", NULL },
	    { "https://www.example.org/feed.xml", "guess", NULL });
}

/* No engine shows: the generic conventions, and those only. */
static void
test_plain(void **state)
{
	(void)state;
	CHECK("plain.html", "http://static.example.net/",
	    { "http://static.example.net/rss.xml", "guess", NULL },
	    { "http://static.example.net/atom.xml", "guess", NULL },
	    { "http://static.example.net/index.xml", "guess", NULL },
	    { "http://static.example.net/feed.xml", "guess", NULL });
}

static void
expect_not_html(const char *body, size_t len)
{
	struct discovered *got = (struct discovered *)1;
	size_t n = 7;

	if (discover_feeds(body, len, "https://example.com/", &got, &n, NULL) !=
	    -1)
		fail_msg("taken for HTML: %.40s", body);
	assert_null(got);
	assert_int_equal(n, 0);
}

static void
test_not_html(void **state)
{
	size_t len;
	char *xml = fixture_read("discover", "not-html.xml", &len);

	(void)state;
	/* A feed whose description carries HTML is still a feed. */
	expect_not_html(xml, len);
	free(xml);
	expect_not_html(
	    "{\"version\": \"https://jsonfeed.org/version/1.1\"}", 46);
	expect_not_html("just some text <html>", 21);
	expect_not_html("", 0);
	expect_not_html("<!-- unterminated", 17);
	expect_not_html("<feed xmlns=\"http://www.w3.org/2005/Atom\">", 42);
	expect_not_html("<htmlx>", 7);

	/* And what is HTML, however it starts. */
	struct discovered *got;
	size_t n;
	static const char *const pages[] = {
		"\xef\xbb\xbf<!DOCTYPE html><title>t</title>",
		"\n  <!-- generated --><HTML><body></body></HTML>",
		/* One page, two literals. */
		("<?xml version=\"1.0\"?>\n"
		 "<html xmlns=\"http://www.w3.org/1999/xhtml\"></html>"),
		"<head><title>x</title></head>",
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(discover_feeds(pages[i], strlen(pages[i]),
		                     NULL, &got, &n, NULL),
		    0);
		/* No page URL: nothing to resolve against, nothing guessed. */
		assert_int_equal(n, 0);
		discovered_free(got, n);
	}
}

/* Hostile pages: deep nesting, thousands of links, binary junk. */
static void
test_hostile(void **state)
{
	struct discovered *got;
	size_t n;
	char *page;
	size_t len = 0, cap = 1 << 20;

	(void)state;
	page = malloc(cap);
	assert_non_null(page);
	len += (size_t)snprintf(page, cap, "<html><head>");
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(page + len, cap - len,
		    "<link rel=alternate type=application/rss+xml href=/f%d>",
		    i);
	len += (size_t)snprintf(page + len, cap - len, "</head><body>");
	while (len + 6 < cap)
		len += (size_t)snprintf(page + len, cap - len, "<div>");
	assert_int_equal(
	    discover_feeds(page, len, "https://example.com/", &got, &n, NULL),
	    0);
	/* Capped: 64 declared, plus the 4 generic guesses. */
	assert_int_equal(n, 64 + 4);
	assert_string_equal(got[0].url, "https://example.com/f0");
	discovered_free(got, n);

	for (size_t i = 0; i < cap; i++)
		page[i] = (char)(i * 2654435761u >> 13);
	memcpy(page, "<html>", 6);
	assert_int_equal(
	    discover_feeds(page, cap, "https://example.com/", &got, &n, NULL),
	    0);
	discovered_free(got, n);
	free(page);
}

static void
test_format(void **state)
{
	struct discovered v[2] = {
		{ "https://a.example/feed", "rss", "A", 1500 },
		{ "https://a.example/rss.xml", "guess", NULL, 560 },
	};
	char *s = discovered_format(v, 2);

	(void)state;
	assert_string_equal(s,
	    "https://a.example/feed\trss\tA\n"
	    "https://a.example/rss.xml\tguess\t\n");
	free(s);
	s = discovered_format(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wordpress),
		cmocka_unit_test(test_forums),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_ten_feeds),
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_not_html),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_format),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
