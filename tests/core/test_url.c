/*
 * test_url.c - resolution (RFC 3986 section 5.4 examples), xml:base-style
 * chains, scheme checks and host names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/read/url.h"

#define BASE "http://a/b/c/d;p?q"

static const struct {
	const char *ref, *want;
} rfc3986[] = {
	{ "g:h", "g:h" },
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "//g", "http://g/" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q#s" },
	{ "g#s", "http://a/b/c/g#s" },
	{ "g?y#s", "http://a/b/c/g?y#s" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ "", "http://a/b/c/d;p?q" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ ".g", "http://a/b/c/.g" },
	{ "g..", "http://a/b/c/g.." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "./g/.", "http://a/b/c/g/" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
};

static void
check(const char *base, const char *ref, const char *want)
{
	char *got = url_resolve(base, ref);

	if (want == NULL && got != NULL)
		fail_msg("%s + %s: got %s, want nothing", base ? base : "-",
		    ref ? ref : "-", got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s + %s: got %s, want %s", base ? base : "-",
		    ref ? ref : "-", got ? got : "(null)", want);
	free(got);
}

static void
test_rfc3986(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rfc3986 / sizeof rfc3986[0]; i++)
		check(BASE, rfc3986[i].ref, rfc3986[i].want);
}

static void
test_edges(void **state)
{
	(void)state;
	check(NULL, "http://x.org/a", "http://x.org/a");
	check(NULL, "/relative", NULL);
	check(NULL, NULL, NULL);
	check("not a url", "/relative", NULL);
	check("http://x.org/a/b", NULL, "http://x.org/a/b");
	check("http://x.org/a/", "  c  ", "http://x.org/a/c");
	check("http://x.org/a/", "c d", "http://x.org/a/c%20d");
	check("http://x.org/", "mailto:jo@x.org", "mailto:jo@x.org");
	check("https://x.org/f", "//cdn.x.org/i", "https://cdn.x.org/i");
}

/* xml:base as feeds nest it: feed URL, then the feed's base, then the
 * entry's, then the link itself. */
static void
test_chain(void **state)
{
	const char *steps[] = { "/blog/", "2024/", "post.html" };
	char *base = NULL;
	char *cur = url_resolve(NULL, "http://example.org/feeds/atom.xml");

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		base = cur;
		cur = url_resolve(base, steps[i]);
		free(base);
	}
	assert_string_equal(cur, "http://example.org/blog/2024/post.html");
	free(cur);
}

/* Links given back as they are, and links curl must still see (each
 * resolved to what curl makes of it). */
static void
test_plain(void **state)
{
	static const char *const plain[] = {
		"https://news0.example/2024/03/15/story-0-0",
		"http://x.org/",
		"http://x.org/a;b?c=1&d=e+f#top",
		"https://a-b.c9.org/~u/(x)*,!$'@:/",
	};
	static const struct {
		const char *ref, *want;
	} not_plain[] = {
		{ "HTTP://x.org/a", "http://x.org/a" },
		{ "http://X.org/a", NULL },
		{ "http://x.org", "http://x.org/" },
		{ "http://x.org?q", "http://x.org/?q" },
		{ "http://x.org:80/", "http://x.org:80/" },
		{ "http://u@x.org/", "http://u@x.org/" },
		{ "http://0x7f.1/", "http://127.0.0.1/" },
		{ "http://x.org/a/./b/../c", "http://x.org/a/c" },
		{ "http://x.org/a?", "http://x.org/a" },
		{ "http://x.org/a#", "http://x.org/a" },
		{ "http://x.org/a?#f", "http://x.org/a#f" },
		{ "http://x.org/a b", "http://x.org/a%20b" },
		{ "http://x.org/%7e", "http://x.org/%7e" },
		{ "http://x.org/\xc3\xa9", "http://x.org/%c3%a9" },
		{ " http://x.org/", "http://x.org/" },
		{ "ftp://x.org/", "ftp://x.org/" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		assert_true(url_is_plain(plain[i]));
		check(BASE, plain[i], plain[i]);
	}
	for (size_t i = 0; i < sizeof not_plain / sizeof not_plain[0]; i++) {
		assert_false(url_is_plain(not_plain[i].ref));
		if (not_plain[i].want != NULL)
			check(BASE, not_plain[i].ref, not_plain[i].want);
	}
}

static void
test_is_http(void **state)
{
	(void)state;
	assert_true(url_is_http("http://example.org/"));
	assert_true(url_is_http("https://example.org/feed?x=1"));
	assert_true(url_is_http("HTTP://EXAMPLE.ORG/"));
	assert_false(url_is_http("ftp://example.org/"));
	assert_false(url_is_http("file:///etc/passwd"));
	assert_false(url_is_http("javascript:alert(1)"));
	assert_false(url_is_http("mailto:jo@example.org"));
	assert_false(url_is_http("/relative/path"));
	assert_false(url_is_http("http://"));
	assert_false(url_is_http(""));
	assert_false(url_is_http(NULL));
}

static void
test_host(void **state)
{
	char *h;

	(void)state;
	h = url_host("https://WWW.Example.ORG:8443/Path");
	assert_string_equal(h, "www.example.org");
	free(h);
	h = url_host("http://user:pw@news.example.com/");
	assert_string_equal(h, "news.example.com");
	free(h);
	assert_null(url_host("/relative"));
	assert_null(url_host(NULL));
}

/* The next page of an API that pages by its Link header (Mastodon's,
 * GitHub's), however the header is written. */
static void
test_link_next(void **state)
{
	static const struct {
		const char *header, *want;
	} cases[] = {
		{ "<https://piaille.fr/api/v1/timelines/tag/acme?max_id=108>; "
		  "rel=\"next\", <https://piaille.fr/api/v1/timelines/tag/"
		  "acme?min_id=120>; rel=\"prev\"",
		    "https://piaille.fr/api/v1/timelines/tag/acme?max_id=108" },
		{ "<https://a.example/?p=1>; rel=\"prev\", </p/3>; rel=next",
		    "/p/3" },
		{ "<https://a.example/x>; title=\"a, b\"; rel=\"last next\"",
		    "https://a.example/x" },
		{ "<https://a.example/x>; rel=\"nextish\"", NULL },
		{ "<https://a.example/x>; rel=\"prev\"", NULL },
		{ "garbage <unclosed; rel=next", NULL },
		{ "", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = url_link_next(cases[i].header);

		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* A cursor in the next request's query: the old one replaced, the
 * value encoded, the rest of the query kept. */
static void
test_with_param(void **state)
{
	char *u;

	(void)state;
	u = url_with_param(
	    "https://oauth.example/search?q=acme&after=t3_a&limit=100", "after",
	    "t3_b c&d");
	assert_string_equal(u,
	    "https://oauth.example/search?q=acme&limit=100&after=t3_b+c%26d");
	free(u);
	u = url_with_param("https://a.example/x", "cursor", "42");
	assert_string_equal(u, "https://a.example/x?cursor=42");
	free(u);
	/* afterward= is another parameter. */
	u = url_with_param("https://a.example/x?afterward=1", "after", "2");
	assert_string_equal(u, "https://a.example/x?afterward=1&after=2");
	free(u);
	assert_null(url_with_param("not a url", "after", "1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3986),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_is_http),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_link_next),
		cmocka_unit_test(test_with_param),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
