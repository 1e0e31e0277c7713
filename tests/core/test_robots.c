/*
 * test_robots.c - robots.txt: RFC 9309's examples (groups, longest match,
 * percent-encoding), Google's documented precedence and wildcard tables,
 * and the oddities of files written by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/read/robots.h"

struct want {
	const char *path;
	int allowed;
};

static void
check(const char *txt, const char *agent, const struct want *w, size_t n)
{
	struct robots *r = robots_parse(txt, strlen(txt), agent);

	for (size_t i = 0; i < n; i++)
		if (robots_allowed(r, w[i].path) != w[i].allowed)
			fail_msg("%s: %s should be %s", agent, w[i].path,
			    w[i].allowed ? "allowed" : "disallowed");
	robots_free(r);
}

#define CHECK(txt, agent, ...) \
	do { \
		const struct want w_[] = { __VA_ARGS__ }; \
		check(txt, agent, w_, sizeof(w_) / sizeof(w_[0])); \
	} while (0)

/* RFC 9309 section 5.1. */
static const char rfc_example[] = "User-Agent: *\n"
                                  "Disallow: *.gif$\n"
                                  "Disallow: /example/\n"
                                  "Allow: /publications/\n"
                                  "\n"
                                  "User-Agent: foobot\n"
                                  "Disallow:/\n"
                                  "Allow:/example/page.html\n"
                                  "Allow:/example/allowed.gif\n"
                                  "\n"
                                  "User-Agent: barbot\n"
                                  "User-Agent: bazbot\n"
                                  "Disallow: /example/page.html\n"
                                  "\n"
                                  "User-Agent: quxbot\n"
                                  "\n"
                                  "EOF\n";

static void
test_rfc_groups(void **state)
{
	(void)state;
	/* The product token decides, case-insensitively, version ignored. */
	CHECK(rfc_example, "FooBot/1.2 (+https://foo.example/bot)", { "/", 0 },
	    { "/example/page.html", 1 }, { "/example/allowed.gif", 1 },
	    { "/publications/", 0 }, { "/example/other.gif", 0 });
	/* Several user-agent lines share one group. */
	CHECK(rfc_example, "barbot", { "/example/page.html", 0 },
	    { "/example/", 1 }, { "/x.gif", 1 });
	CHECK(rfc_example, "bazbot/3", { "/example/page.html", 0 },
	    { "/publications/", 1 });
	/* An empty group still applies: "*" does not fill it in. */
	CHECK(rfc_example, "quxbot", { "/example/", 1 }, { "/a.gif", 1 });
	/* Anyone else gets "*". */
	CHECK(rfc_example, "vigie/0.1", { "/example/", 0 }, { "/a/b.gif", 0 },
	    { "/a/b.gif?x", 1 }, { "/publications/", 1 }, { "/", 1 });
	/* "foobotx" is not "foobot". */
	CHECK(rfc_example, "foobotx", { "/", 1 }, { "/example/", 0 });
}

/* RFC 9309 section 5.2. */
static void
test_rfc_longest(void **state)
{
	const char *txt = "User-Agent: foobot\n"
	                  "Allow: /example/page/\n"
	                  "Disallow: /example/page/disallowed.gif\n";

	(void)state;
	CHECK(txt, "foobot", { "/example/page/", 1 },
	    { "/example/page/disallowed.gif", 0 },
	    { "/example/page/disallowed.gifs", 0 }, { "/example/", 1 });
}

/* RFC 9309 section 2.2.2: both sides compared percent-encoded. */
static void
test_rfc_encoding(void **state)
{
	(void)state;
	CHECK("User-agent: *\nDisallow: /foo/bar?baz=quz\n", "x",
	    { "/foo/bar?baz=quz", 0 }, { "/foo/bar?baz=qu", 1 });
	CHECK("User-agent: *\nDisallow: /foo/bar/\xe3\x83\x84\n", "x",
	    { "/foo/bar/%E3%83%84", 0 }, { "/foo/bar/%e3%83%84", 0 },
	    { "/foo/bar/", 1 });
	CHECK("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n", "x",
	    { "/foo/bar/%E3%83%84", 0 }, { "/foo/bar/\xe3\x83\x84", 0 });
	CHECK("User-agent: *\nDisallow: /foo/bar/%62%61%7A\n", "x",
	    { "/foo/bar/baz", 0 }, { "/foo/bar/ba", 1 });
	/* A reserved character and its escape are not the same path. */
	CHECK("User-agent: *\nDisallow: /a%2Fb\n", "x", { "/a%2fb", 0 },
	    { "/a/b", 1 });
}

/* developers.google.com/search/docs/crawling-indexing/robots/robots_txt,
 * "Order of precedence for rules". */
static void
test_google_precedence(void **state)
{
	(void)state;
	CHECK("user-agent: *\nallow: /p\ndisallow: /\n", "x", { "/page", 1 },
	    { "/other", 0 });
	CHECK("user-agent: *\nallow: /folder\ndisallow: /folder\n", "x",
	    { "/folder/page", 1 });
	CHECK("user-agent: *\nallow: /page\ndisallow: /*.htm\n", "x",
	    { "/page.htm", 0 }, { "/page", 1 });
	CHECK("user-agent: *\nallow: /page\ndisallow: /*.ph\n", "x",
	    { "/page.php5", 1 });
	CHECK("user-agent: *\nallow: /$\ndisallow: /\n", "x", { "/", 1 },
	    { "/page.htm", 0 });
}

/* The same page, "URL matching based on path values". */
static void
test_google_wildcards(void **state)
{
	(void)state;
	CHECK("user-agent: *\ndisallow: /fish*\n", "x", { "/fish", 0 },
	    { "/fish.html", 0 }, { "/fish/salmon.html", 0 },
	    { "/fishheads", 0 }, { "/fish.php?id=anything", 0 },
	    { "/Fish.asp", 1 }, { "/catfish", 1 }, { "/?id=fish", 1 },
	    { "/desert/fish", 1 });
	CHECK("user-agent: *\ndisallow: /fish/\n", "x", { "/fish/", 0 },
	    { "/fish/?id=anything", 0 }, { "/fish", 1 }, { "/fish.html", 1 });
	CHECK("user-agent: *\ndisallow: /*.php\n", "x", { "/index.php", 0 },
	    { "/folder/filename.php?parameters", 0 },
	    { "/folder/any.php.file.html", 0 }, { "/filename.php/", 0 },
	    { "/", 1 }, { "/windows.PHP", 1 });
	CHECK("user-agent: *\ndisallow: /*.php$\n", "x", { "/filename.php", 0 },
	    { "/folder/filename.php", 0 }, { "/filename.php?parameters", 1 },
	    { "/filename.php/", 1 }, { "/filename.php5", 1 },
	    { "/windows.PHP", 1 });
	CHECK("user-agent: *\ndisallow: /fish*.php\n", "x", { "/fish.php", 0 },
	    { "/fishheads/catfish.php?parameters", 0 }, { "/Fish.PHP", 1 });
	/* Runs of stars and a lone "*" */
	CHECK("user-agent: *\ndisallow: /a**b\ndisallow: *\nallow: /ok\n", "x",
	    { "/axxb", 0 }, { "/ok", 1 }, { "/", 0 });
}

/* What real files do: BOM, CRLF, comments, sloppy keys, records outside
 * any group, Sitemap lines inside one, NUL bytes, binary garbage. */
static void
test_oddities(void **state)
{
	static const char txt[] = "\xef\xbb\xbf# robots for example.org\r\n"
	                          "Disallow: /before-any-group\r\n"
	                          "this line is garbage\r\n"
	                          "\x01\x02\xff\xfe:::\r\n"
	                          "USER-AGENT : vigie   # us\r\n"
	                          "Sitemap: https://example.org/sitemap.xml\r\n"
	                          "DISALLOW:/private # no\r\n"
	                          "disallow:\r\n"
	                          "Allow :   /private/public   \r\n"
	                          "\r\n"
	                          "User-agent: *\r\n"
	                          "Disallow: /\r";

	(void)state;
	CHECK(txt, "Vigie/0.1", { "/private", 0 }, { "/private/x", 0 },
	    { "/private/public/x", 1 }, { "/before-any-group", 1 }, { "/", 1 },
	    { "", 1 });
	CHECK(txt, "other", { "/", 0 }, { "/robots.txt", 1 });
	/* A user-agent line after rules starts a new group. */
	CHECK("User-agent: a\nDisallow: /x\nUser-agent: b\nDisallow: /y\n", "a",
	    { "/x", 0 }, { "/y", 1 });
	/* Groups naming the same agent are merged. */
	CHECK("User-agent: a\nDisallow: /x\n\nUser-agent: *\nDisallow: /\n\n"
	      "User-agent: A\nDisallow: /y\n",
	    "a", { "/x", 0 }, { "/y", 0 }, { "/z", 1 });

	/* A NUL inside the file hides only its own line. */
	static const char nul[] =
	    "User-agent: *\nDisallow: /a\0b\nDisallow: /c\n";
	struct robots *r = robots_parse(nul, sizeof(nul) - 1, "x");
	assert_true(robots_allowed(r, "/a"));
	assert_false(robots_allowed(r, "/c"));
	robots_free(r);

	/* Garbage allows everything. */
	static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	r = robots_parse(junk, sizeof(junk) - 1, "x");
	assert_true(robots_allowed(r, "/anything"));
	assert_int_equal(robots_crawl_delay_ms(r), 0);
	robots_free(r);
	r = robots_parse("", 0, NULL);
	assert_true(robots_allowed(r, "/"));
	robots_free(r);
}

static int64_t
delay_of(const char *txt, const char *agent)
{
	struct robots *r = robots_parse(txt, strlen(txt), agent);
	int64_t ms = robots_crawl_delay_ms(r);

	robots_free(r);
	return ms;
}

static void
test_crawl_delay(void **state)
{
	(void)state;
	assert_int_equal(
	    delay_of("User-agent: *\nCrawl-delay: 10\n", "x"), 10000);
	assert_int_equal(
	    delay_of("User-agent: *\ncrawl-delay: 2.5\n", "x"), 2500);
	assert_int_equal(
	    delay_of("User-agent: *\nCrawl-delay: .25\n", "x"), 250);
	assert_int_equal(
	    delay_of("User-agent: *\nCrawl-delay: 0.0001\n", "x"), 0);
	assert_int_equal(
	    delay_of("User-agent: *\nCrawl-delay: soon\n", "x"), 0);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: -5\n", "x"), 0);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 5s\n", "x"), 0);
	/* Capped at a day. */
	assert_int_equal(
	    delay_of("User-agent: *\nCrawl-delay: 99999999999999999999\n", "x"),
	    86400000);
	/* Only the group that applies counts. */
	assert_int_equal(delay_of("User-agent: slow\nCrawl-delay: 30\n\n"
	                          "User-agent: *\nCrawl-delay: 1\n",
	                     "vigie"),
	    1000);
	assert_int_equal(delay_of("User-agent: slow\nCrawl-delay: 30\n\n"
	                          "User-agent: *\nCrawl-delay: 1\n",
	                     "slow"),
	    30000);
	/* Crawl-delay ends the user-agent lines like a rule does. */
	assert_int_equal(delay_of("User-agent: a\nCrawl-delay: 3\n"
	                          "User-agent: b\nDisallow: /\n",
	                     "b"),
	    0);
}

/* RFC 9309 section 2.5: at least 500 KiB are read; past that, nothing,
 * not even the start of a line cut by the limit. */
static void
test_size_cap(void **state)
{
	const char head[] = "User-agent: *\nDisallow: /early\n";
	const char tail[] = "\nDisallow: /private-and-more\nDisallow: /late\n";
	size_t hl = strlen(head), tl = strlen(tail);
	size_t fill = 500 * 1024 - hl - strlen("\nDisallow: /pri");
	char *txt = malloc(hl + fill + tl);

	(void)state;
	assert_non_null(txt);
	memcpy(txt, head, hl);
	memset(txt + hl, '#', fill);
	memcpy(txt + hl + fill, tail, tl);
	struct robots *r = robots_parse(txt, hl + fill + tl, "x");
	assert_false(robots_allowed(r, "/early"));
	/* Cut at the 500 KiB mark: "Disallow: /pri" must not be read. */
	assert_true(robots_allowed(r, "/private-and-more"));
	assert_true(robots_allowed(r, "/prix"));
	assert_true(robots_allowed(r, "/late"));
	robots_free(r);
	free(txt);
}

static void
test_all_none(void **state)
{
	struct robots *r = robots_allow_all();

	(void)state;
	assert_true(robots_allowed(r, "/"));
	assert_true(robots_allowed(r, "/anything?q=1"));
	assert_int_equal(robots_crawl_delay_ms(r), 0);
	robots_free(r);
	r = robots_deny_all();
	assert_false(robots_allowed(r, "/"));
	assert_false(robots_allowed(r, "/feed"));
	assert_true(robots_allowed(r, "/robots.txt"));
	robots_free(r);
	robots_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_groups),
		cmocka_unit_test(test_rfc_longest),
		cmocka_unit_test(test_rfc_encoding),
		cmocka_unit_test(test_google_precedence),
		cmocka_unit_test(test_google_wildcards),
		cmocka_unit_test(test_oddities),
		cmocka_unit_test(test_crawl_delay),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_all_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
