/*
 * test_source.c - a source's fetched body read through source_read(): a
 * feed gives its items, a page with XPath rules gives its items, a page
 * where a feed was expected gives the feed it declares or the engine's
 * conventional one,
 * and an alert feed's redirect links are replaced by the articles'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "core/config/conf.h"
#include "core/read/source.h"
#include "core/read/xml.h"

/* Wednesday 15 January 2025, 12:00:00 UTC. */
#define NOW INT64_C(1736942400)

static enum source_verdict
read_body(const struct conf_source *s, const char *body, const char *url,
    const char *ct, struct source_result *r)
{
	return source_read(s, body, strlen(body), url, ct, NOW, r);
}

static void
test_feed(void **state)
{
	static const char rss[] =
	    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	    "<title>Blog</title><link>https://blog.example.com/</link>"
	    "<item><title>First</title><link>/a/1</link>"
	    "<guid>id-1</guid>"
	    "<pubDate>Tue, 14 Jan 2025 10:00:00 GMT</pubDate></item>"
	    "<item><title>Second</title>"
	    "<link>https://blog.example.com/a/2</link></item>"
	    "</channel></rss>";
	struct conf_source s = { .name = "blog", .type = SOURCE_FEED };
	struct source_result r;

	(void)state;
	assert_int_equal(read_body(&s, rss, "https://blog.example.com/feed",
	                     "application/rss+xml", &r),
	    SOURCE_ITEMS);
	assert_non_null(r.feed);
	assert_string_equal(r.feed->title, "Blog");
	assert_int_equal(r.feed->nitems, 2);
	assert_string_equal(r.feed->items[0].title, "First");
	assert_string_equal(r.feed->items[0].id, "id-1");
	/* Relative links resolved against the feed's URL. */
	assert_string_equal(
	    r.feed->items[0].link, "https://blog.example.com/a/1");
	assert_int_equal(r.feed->items[0].published, INT64_C(1736848800));
	assert_string_equal(r.feed->items[1].title, "Second");
	assert_null(r.next);
	source_result_clear(&r);
	assert_null(r.feed);

	/* The same body for an auto source: a feed, read as one. */
	s.type = SOURCE_AUTO;
	assert_int_equal(
	    read_body(&s, rss, "https://blog.example.com/feed", NULL, &r),
	    SOURCE_ITEMS);
	assert_int_equal(r.feed->nitems, 2);
	source_result_clear(&r);

	/* Not a document at all. */
	s.type = SOURCE_FEED;
	assert_int_equal(
	    read_body(&s, "   ", "https://blog.example.com/feed", NULL, &r),
	    SOURCE_ERROR);
	assert_null(r.feed);
	assert_string_not_equal(r.err, "");
	source_result_clear(&r);
}

static const char forum[] =
    "<!DOCTYPE html><html><head><title>Forum</title></head><body>"
    "<div class='post'><h2><a href='/t/1'>Acme is great</a></h2>"
    "<span class='who'>alice</span><span class='when'>il y a 3 heures"
    "</span><p>I love <b>Acme</b>.</p></div>"
    "<div class='post'><h2><a href='https://other.example/t/2'>Acme "
    "again</a></h2><span class='who'>bob</span><p>Not so sure.</p></div>"
    "<a class='next' href='?page=2'>next</a>"
    "</body></html>";

static void
test_page_rules(void **state)
{
	struct conf_source s = {
		.name = "forum",
		.type = SOURCE_HTML,
		.item = "//div[@class='post']",
		.title = "h2",
		.link = "h2/a/@href",
		.author = "span[@class='who']",
		.date = "span[@class='when']",
		.text = "p",
		.next = "//a[@class='next']/@href",
	};
	struct source_result r;

	(void)state;
	assert_int_equal(read_body(&s, forum, "https://forum.example/t",
	                     "text/html; charset=utf-8", &r),
	    SOURCE_ITEMS);
	assert_non_null(r.feed);
	assert_int_equal(r.feed->nitems, 2);
	assert_string_equal(r.feed->items[0].title, "Acme is great");
	assert_string_equal(r.feed->items[0].link, "https://forum.example/t/1");
	assert_string_equal(r.feed->items[0].author, "alice");
	assert_int_equal(r.feed->items[0].published, NOW - 3 * 3600);
	assert_string_equal(r.feed->items[0].content, "I love Acme.");
	assert_string_equal(r.feed->items[1].link, "https://other.example/t/2");
	assert_int_equal(r.feed->items[1].published, INT64_MIN);
	assert_string_equal(r.next, "https://forum.example/t?page=2");
	/* What each rule found, for vigie inspect. */
	assert_int_equal(r.stats.items, 2);
	assert_int_equal(r.stats.title, 2);
	assert_int_equal(r.stats.date, 1);
	source_result_clear(&r);
	assert_null(r.next);
}

static void
test_page_rules_broken(void **state)
{
	struct conf_source s = { .name = "forum", .type = SOURCE_HTML };
	struct source_result r;

	(void)state;
	/* No item rule and no preset. */
	assert_int_equal(
	    read_body(&s, forum, "https://forum.example/t", NULL, &r),
	    SOURCE_ERROR);
	assert_non_null(strstr(r.err, "item rule"));
	assert_null(r.feed);
	source_result_clear(&r);

	s.item = "//div[";
	assert_int_equal(
	    read_body(&s, forum, "https://forum.example/t", NULL, &r),
	    SOURCE_ERROR);
	assert_non_null(strstr(r.err, "item"));
	source_result_clear(&r);

	s.item = NULL;
	s.preset = "nosuchengine";
	assert_int_equal(
	    read_body(&s, forum, "https://forum.example/t", NULL, &r),
	    SOURCE_ERROR);
	assert_non_null(strstr(r.err, "unknown preset 'nosuchengine'"));
	source_result_clear(&r);
}

static const char blog_home[] =
    "<!DOCTYPE html><html><head><title>A blog</title>"
    "<link rel='alternate' type='application/rss+xml' title='Posts' "
    "href='/feed/'></head><body><p>Hello</p></body></html>";

static void
test_page_for_feed(void **state)
{
	struct conf_source s = { .name = "blog", .type = SOURCE_AUTO };
	struct source_result r;

	(void)state;
	/* An auto source that answers with a page: fetch its feed next. */
	assert_int_equal(read_body(&s, blog_home, "https://blog.example.com/",
	                     "text/html", &r),
	    SOURCE_DISCOVERED);
	assert_null(r.feed);
	assert_string_equal(r.next, "https://blog.example.com/feed/");
	source_result_clear(&r);

	/* A page declaring no feed: the first conventional URL. */
	assert_int_equal(
	    read_body(&s, forum, "https://forum.example/t", "text/html", &r),
	    SOURCE_DISCOVERED);
	assert_null(r.feed);
	assert_string_equal(r.next, "https://forum.example/rss.xml");
	source_result_clear(&r);

	/* A source said to be a feed is not redirected by its page. */
	s.type = SOURCE_FEED;
	assert_int_equal(read_body(&s, blog_home, "https://blog.example.com/",
	                     "text/html", &r),
	    SOURCE_ERROR);
	assert_null(r.next);
	assert_null(r.feed);
	source_result_clear(&r);
}

static void
test_alert_links(void **state)
{
	/* Google Alerts' Atom: each link goes through google.com/url. */
	static const char alerts[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<id>tag:google.com,2005:reference:alerts</id>"
	    "<title>Google Alert - Acme</title>"
	    "<entry><id>tag:google.com,2013:googlealerts/feed:111</id>"
	    "<title type=\"html\">&lt;b&gt;Acme&lt;/b&gt; launches</title>"
	    "<link href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;"
	    "url=https://news.example.fr/acme-launch&amp;ct=ga&amp;"
	    "cd=CAIy&amp;usg=AOvV\"/>"
	    "<published>2025-01-14T08:00:00Z</published></entry>"
	    "<entry><id>tag:example,2025:2</id><title>Direct</title>"
	    "<link href=\"https://direct.example/post\"/></entry>"
	    "</feed>";
	struct conf_source s = { .name = "alert", .type = SOURCE_FEED };
	struct source_result r;

	(void)state;
	assert_int_equal(
	    read_body(&s, alerts, "https://www.google.com/alerts/feeds/1/2",
	        "application/atom+xml", &r),
	    SOURCE_ITEMS);
	assert_int_equal(r.feed->nitems, 2);
	assert_string_equal(r.feed->items[0].title, "Acme launches");
	/* The article, not the redirect; the id stays the alert's own. */
	assert_string_equal(
	    r.feed->items[0].link, "https://news.example.fr/acme-launch");
	assert_string_equal(
	    r.feed->items[0].id, "tag:google.com,2013:googlealerts/feed:111");
	/* The article's site published it: the alert relays it. */
	assert_string_equal(r.feed->items[0].relayed_from,
	    "https://news.example.fr/acme-launch");
	/* A link that is no redirect is left alone, and is the source's. */
	assert_string_equal(
	    r.feed->items[1].link, "https://direct.example/post");
	assert_null(r.feed->items[1].relayed_from);
	source_result_clear(&r);
}

static void
test_web_links_only(void **state)
{
	static const char rss[] =
	    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t"
	    "</title>"
	    "<item><guid>1</guid><title>Acme one</title>"
	    "<link>javascript:alert(document.cookie)</link>"
	    "<description>Body</description></item>"
	    "<item><guid>2</guid><title>Acme two</title>"
	    "<link>data:text/html,&lt;script&gt;x&lt;/script&gt;</link></item>"
	    "<item><guid>3</guid><title>Acme three</title>"
	    "<link>FILE:///etc/passwd</link></item>"
	    "<item><guid>4</guid><title>Acme four</title>"
	    "<link>HTTPS://news.example/4</link></item>"
	    "</channel></rss>";
	struct conf_source s = { .name = "f", .type = SOURCE_FEED };
	struct source_result r;

	(void)state;
	assert_int_equal(read_body(&s, rss, "https://f.example/rss",
	                     "application/rss+xml", &r),
	    SOURCE_ITEMS);
	assert_int_equal(r.feed->nitems, 4);
	/* No link but http(s); the rest kept as the item's text. */
	assert_null(r.feed->items[0].link);
	assert_string_equal(r.feed->items[0].summary, "Body");
	assert_string_equal(
	    r.feed->items[0].content, "javascript:alert(document.cookie)");
	assert_null(r.feed->items[1].link);
	assert_non_null(strstr(r.feed->items[1].content, "data:text/html"));
	assert_null(r.feed->items[2].link);
	assert_int_equal(
	    strcasecmp(r.feed->items[2].content, "file:///etc/passwd"), 0);
	assert_non_null(r.feed->items[3].link);
	assert_int_equal(strncasecmp(r.feed->items[3].link, "https://", 8), 0);
	source_result_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_page_rules),
		cmocka_unit_test(test_page_rules_broken),
		cmocka_unit_test(test_page_for_feed),
		cmocka_unit_test(test_alert_links),
		cmocka_unit_test(test_web_links_only),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
