/*
 * test_utf8.c - UTF-8 sequences judged one by one (well-formed, stray,
 * overlong, surrogate, past U+10FFFF, cut short), whole strings judged,
 * and repair: each bad byte one U+FFFD, good text untouched; and JSON
 * strings written from such text (core/base/json_out.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/json_out.h"
#include "core/base/utf8.h"
#include "core/base/util.h"

#define R UTF8_REPLACEMENT

static size_t
char_len(const char *s, size_t len)
{
	return utf8_char_len((const unsigned char *)s, len);
}

static void
test_char_len(void **state)
{
	(void)state;
	assert_int_equal(char_len("a", 1), 1);
	assert_int_equal(char_len("\x7f", 1), 1);
	assert_int_equal(char_len("\0", 1), 1);
	assert_int_equal(char_len("\xc3\xa9", 2), 2); /* é */
	assert_int_equal(char_len("\xdf\xbf", 2), 2); /* U+07FF */
	assert_int_equal(char_len("\xe0\xa0\x80", 3), 3); /* U+0800 */
	assert_int_equal(char_len("\xe2\x82\xac", 3), 3); /* € */
	assert_int_equal(char_len("\xef\xbf\xbd", 3), 3); /* U+FFFD */
	assert_int_equal(char_len("\xf0\x90\x80\x80", 4), 4); /* U+10000 */
	assert_int_equal(char_len("\xf0\x9f\x98\x80", 4), 4); /* emoji */
	assert_int_equal(char_len("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
	/* Only what the sequence needs is read. */
	assert_int_equal(char_len("\xc3\xa9xyz", 5), 2);
}

static void
test_stray(void **state)
{
	(void)state;
	assert_int_equal(char_len("\x80", 1), 0); /* continuation alone */
	assert_int_equal(char_len("\xbf", 1), 0);
	assert_int_equal(char_len("\xc3"
	                          "a",
	                     2),
	    0); /* lead, no follower */
	assert_int_equal(char_len("\xe2\x82"
	                          "a",
	                     3),
	    0);
	assert_int_equal(char_len("\xf5\x80\x80\x80", 4), 0); /* no such lead */
	assert_int_equal(char_len("\xff", 1), 0);
	assert_int_equal(char_len("\xfe", 1), 0);
}

static void
test_overlong(void **state)
{
	(void)state;
	assert_int_equal(char_len("\xc0\x80", 2), 0); /* NUL */
	assert_int_equal(char_len("\xc1\xbf", 2), 0); /* U+007F */
	assert_int_equal(char_len("\xe0\x80\xaf", 3), 0); /* '/' */
	assert_int_equal(char_len("\xe0\x9f\xbf", 3), 0); /* U+07FF */
	assert_int_equal(char_len("\xf0\x8f\xbf\xbf", 4), 0); /* U+FFFF */
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	assert_int_equal(char_len("\xed\x9f\xbf", 3), 3); /* U+D7FF */
	assert_int_equal(char_len("\xed\xa0\x80", 3), 0); /* U+D800 */
	assert_int_equal(char_len("\xed\xbf\xbf", 3), 0); /* U+DFFF */
	assert_int_equal(char_len("\xee\x80\x80", 3), 3); /* U+E000 */
	assert_int_equal(char_len("\xf4\x90\x80\x80", 4), 0); /* U+110000 */
}

static void
test_truncated(void **state)
{
	(void)state;
	/* A good sequence cut by len is not one. */
	assert_int_equal(char_len("\xc3\xa9", 1), 0);
	assert_int_equal(char_len("\xe2\x82\xac", 2), 0);
	assert_int_equal(char_len("\xf0\x9f\x98\x80", 3), 0);
}

static void
test_valid(void **state)
{
	static const char good[] = "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	static const char bad[] = "Caf\xc3\xa9 \xe9t\xe9";

	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid(good, sizeof good - 1));
	assert_int_equal(
	    utf8_valid_len(good, sizeof good - 1), sizeof good - 1);
	assert_false(utf8_valid(bad, sizeof bad - 1));
	/* The first bad byte: the Latin-1 é after "Café ". */
	assert_int_equal(utf8_valid_len(bad, sizeof bad - 1), 6);
	/* An embedded NUL is a character like another. */
	assert_true(utf8_valid("a\0b", 3));
	/* Valid up to len, whatever follows. */
	assert_true(utf8_valid("ab\xff", 2));
	assert_false(utf8_valid("ab\xff", 3));
	assert_false(utf8_valid("\xe2\x82\xac", 2));
}

static void
repair_is(const char *in, size_t len, const char *want)
{
	char *got = utf8_repair(in, len);

	assert_string_equal(got, want);
	assert_true(utf8_valid(got, strlen(got)));
	free(got);
}

static void
test_repair(void **state)
{
	struct buf b;

	(void)state;
	repair_is("", 0, "");
	repair_is("plain", 5, "plain");
	repair_is("Caf\xc3\xa9", 5, "Caf\xc3\xa9");
	/* Each bad byte is one U+FFFD, the good ones around it kept. */
	repair_is("a\xe9z", 3, "a" R "z");
	repair_is("\xff\xfe", 2, R R);
	repair_is("\xc0\x80", 2, R R);
	repair_is("\xed\xa0\x80", 3, R R R);
	/* A sequence cut at the end: its bytes, each replaced. */
	repair_is("ok\xe2\x82", 4, "ok" R R);
	/* A lead byte followed by a good character: the character stays. */
	repair_is("\xc3"
	          "\xc3\xa9",
	    3, R "\xc3\xa9");
	/* Only len bytes are read. */
	repair_is("abc\xff", 3, "abc");

	/* The buf form appends. */
	buf_init(&b);
	buf_puts(&b, "x=");
	utf8_repair_buf(&b, "\x80y", 2);
	assert_string_equal(b.data, "x=" R "y");
	assert_int_equal(b.len, 2 + 3 + 1);
	buf_clear(&b);
}

static void
assert_json(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "x");
	json_out_string(&b, in);
	assert_string_equal(b.data + 1, want);
	buf_clear(&b);
}

static void
test_json_string(void **state)
{
	(void)state;
	assert_json(NULL, "null");
	assert_json("", "\"\"");
	assert_json("plain", "\"plain\"");
	/* Past the eight-byte runs, at their edges and inside them. */
	assert_json("abcdefgh\"ijklmnop\\qrstuvw",
	    "\"abcdefgh\\\"ijklmnop\\\\qrstuvw\"");
	assert_json("a\nb\rc\td\x01"
	            "e\x1f",
	    "\"a\\nb\\rc\\td\\u0001e\\u001F\"");
	/* UTF-8 as it is, in a run and alone. */
	assert_json("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
	            "e \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
	    "e \xf0\x9f\x98\x80\"");
	/* Not UTF-8: null, and nothing of it left behind. */
	assert_json("bon \xff jour", "null");
	assert_json("abcdefghijklmnop\xc3", "null");
	/* A member: its key as written, then its value. */
	struct buf b;
	buf_init(&b);
	json_out_member(&b, "{\"k\":", "v");
	json_out_member(&b, ",\"n\":", NULL);
	assert_string_equal(b.data, "{\"k\":\"v\",\"n\":null");
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char_len),
		cmocka_unit_test(test_stray),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_json_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
