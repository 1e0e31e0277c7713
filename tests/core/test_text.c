/*
 * test_text.c - HTML fragments to plain text, and whitespace folding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/read/text.h"
#include "core/read/xml.h"

static void
html_is(const char *html, const char *want)
{
	char *got = text_from_html(html, strlen(html));

	if (strcmp(got, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", html, got, want);
	free(got);
}

static void
collapse_is(const char *s, size_t len, const char *want)
{
	char *got = text_collapse(s, len);

	if (strcmp(got, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", got, want);
	free(got);
}

static void
test_tags(void **state)
{
	(void)state;
	html_is("<b>bold</b> and <i>it</i>alic", "bold and italic");
	html_is("<p>one</p><p>two</p>", "one two");
	html_is("line<br>break<br/>again", "line break again");
	html_is("<ul><li>a</li><li>b</li></ul>", "a b");
	html_is("<h1>Title</h1>Body", "Title Body");
	html_is("<table><tr><td>x</td><td>y</td></tr></table>", "x y");
	html_is("<div>a</div><div>b</div>", "a b");
	html_is("<a href=\"http://x/\">link</a>", "link");
	html_is("<img src=\"x.png\" alt=\"pic\">caption", "caption");
	html_is("<p>unclosed <b>tags", "unclosed tags");
	html_is("<!-- comment -->visible", "visible");
}

static void
test_hidden(void **state)
{
	(void)state;
	html_is("before<script>alert('x')</script>after", "before after");
	html_is("<style>p { color: red }</style><p>text</p>", "text");
	html_is("<script>document.write('<p>no</p>')</script>yes", "yes");
}

static void
test_entities(void **state)
{
	(void)state;
	html_is("caf&eacute; &amp; cr&egrave;me", "café & crème");
	html_is("&lt;tag&gt; &quot;q&quot; &#39;s&#39;", "<tag> \"q\" 's'");
	html_is("&#233;&#xe9;", "éé");
	html_is("a&nbsp;&nbsp;b", "a b");
	html_is("AT&T", "AT&T");
	html_is("&hellip;&mdash;&euro;", "…—€");
	html_is("&unknownentity; ok", "&unknownentity; ok");
}

static void
test_tokeniser(void **state)
{
	(void)state;
	/* What is not a tag is text. */
	html_is("a < b, x <3 y, 1<2", "a < b, x <3 y, 1<2");
	html_is("<a title=\"x > y\" href='>'>in</a>side", "inside");
	html_is("<?xml version='1.0'?><!DOCTYPE html>text", "text");
	html_is("<![CDATA[gone]]>kept", "kept");
	html_is("a<!-- never closed", "a");
	html_is("a<p", "a");
	html_is("x<SCRIPT>var a = '</p>';</Script >y", "x y");
	html_is("x<style>never closed", "x");
	html_is("<averyveryverylongname>t</averyveryverylongname>", "t");
	/* References: out-of-range and surrogate code points, no ';'. */
	html_is("&#0;&#xD800;&#x110000;&#99999999999999999999;",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	html_is("&#65&#x42 &#; &#x; &; &amp", "AB &#; &#x; &; &amp");
	html_is("&#x1F600;", "\xf0\x9f\x98\x80");
}

static void
test_whitespace(void **state)
{
	(void)state;
	collapse_is("  a \t\n b\r\n  c  ", 15, "a b c");
	collapse_is("", 0, "");
	collapse_is("   ", 3, "");
	collapse_is("x\xc2\xa0y", 4, "x y");
	/* The length bounds the input, not the NUL. */
	collapse_is("abcdef", 3, "abc");
	collapse_is("a\0b", 3, "ab");
	html_is("<p>\n   spaced\n\n   out  </p>", "spaced out");
}

static void
test_fast_path(void **state)
{
	(void)state;
	/* No markup: same result without the HTML parser. */
	html_is("plain  text\nonly", "plain text only");
	html_is("", "");
	html_is("élan vital", "élan vital");
}

static void
test_bad_utf8(void **state)
{
	char *s;

	(void)state;
	collapse_is("a\xff"
	            "b",
	    3,
	    "a\xef\xbf\xbd"
	    "b");
	collapse_is("\xc3", 1, "\xef\xbf\xbd");
	collapse_is("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Whatever the parser makes of it, no crash and a string back. */
	s = text_from_html("<p>\xff\xfe<b>\xc3</b>&eacute;\x80</p>", 21);
	assert_non_null(s);
	free(s);
	s = text_from_html("<<<>>>&&&;;;</</<", 17);
	assert_non_null(s);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_tokeniser),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_bad_utf8),
	};
	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
