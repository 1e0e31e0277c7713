/*
 * test_text.c - HTML fragments to plain text, and whitespace folding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
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

/* Element names against the lists, by length and in any case. */
static void
test_tag_names(void **state)
{
	(void)state;
	html_is("<BLOCKQUOTE>a</BLOCKQUOTE>b", "a b");
	html_is("<FigCaption>x</FigCaption>y", "x y");
	html_is("a<Br>b<HR/>c<Img src=x>d", "a b c d");
	html_is("<h6>a</h6>b<h7>c</h7>d", "a bcd");
	html_is("<blockquotes>a</blockquotes>b", "ab");
	html_is("<bdi>a</bdi>b<pp>c</pp>", "abc");
	html_is("a<Template><p>x</p></Template>b", "a b");
	html_is("a<NOSCRIPT>x</noscript>b", "a b");
}

/* Folding as its rule says, a character at a time: the reference for the
 * copy of whole words. */
static char *
collapse_slowly(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(3 * len + 1);
	size_t o = 0, n;
	int pending = 0;

	for (size_t i = 0; i < len; i += n ? n : 1) {
		n = utf8_char_len(p + i, len - i);
		if ((p[i] != '\0' && strchr(" \t\n\v\f\r", p[i]) != NULL) ||
		    (n == 2 && p[i] == 0xc2 && p[i + 1] == 0xa0)) {
			pending = o > 0;
			continue;
		}
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))
			continue;
		if (pending)
			out[o++] = ' ';
		pending = 0;
		memcpy(out + o, n ? (const char *)p + i : UTF8_REPLACEMENT,
		    n ? n : 3);
		o += n ? n : 3;
	}
	out[o] = '\0';
	return out;
}

/* Runs of words, single and double spaces, tabs, controls, accents and
 * bad bytes at every offset from the eight-byte steps. */
static void
test_collapse_words(void **state)
{
	static const char *const pieces[] = { "a", "bc", "word", " ", "  ",
		"\t", "\n ", "\x7f", "\x01", "\xc3\xa9", "\xc2\xa0", "\xff",
		"\xe2\x80\x99", ".", "\xc3" };
	char s[64];

	(void)state;
	srand(1);
	for (int k = 0; k < 20000; k++) {
		size_t len = 0;
		while (len < 40) {
			const char *piece =
			    pieces[(size_t)rand() % ARRAY_LEN(pieces)];
			memcpy(s + len, piece, strlen(piece));
			len += strlen(piece);
		}
		len -= (size_t)rand() % 8;
		char *want = collapse_slowly(s, len);
		collapse_is(s, len, want);
		free(want);
	}
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
		cmocka_unit_test(test_tag_names),
		cmocka_unit_test(test_collapse_words),
		cmocka_unit_test(test_fast_path),
		cmocka_unit_test(test_bad_utf8),
	};
	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
