/*
 * utf8.h - well-formed UTF-8 (RFC 3629): what a sequence is, whether a
 * string is made of them, and a copy of one that is, with U+FFFD where
 * the bytes were not.
 */
#ifndef VIGIE_UTF8_H
#define VIGIE_UTF8_H

#include <stddef.h>

/* U+FFFD REPLACEMENT CHARACTER, as UTF-8. */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

struct buf;

/* Length of the well-formed sequence at s (1 to 4), or 0 when the bytes
 * there are not one: a stray continuation byte, an overlong form, a
 * surrogate, a value past U+10FFFF, or a sequence cut by len. */
size_t utf8_char_len(const unsigned char *s, size_t len);

/* utf8_char_len with ASCII and two-byte sequences (the letters of most
 * Latin-script text) decided without a call. */
static inline size_t
utf8_len_at(const unsigned char *s, size_t len)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf && len >= 2 && (s[1] & 0xc0) == 0x80)
		return 2;
	return utf8_char_len(s, len);
}

/* Length of the longest well-formed prefix of s: where the first bad
 * byte is, or len when there is none. */
size_t utf8_valid_len(const char *s, size_t len);

/* 1 if s[0..len) is well-formed UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);

/* Appends s[0..len) to b with each byte that is not part of a well-formed
 * sequence replaced by U+FFFD. */
void utf8_repair_buf(struct buf *b, const char *s, size_t len);

/* A NUL-terminated copy of s[0..len), repaired as utf8_repair_buf does.
 * Never NULL; free it. */
char *utf8_repair(const char *s, size_t len);

#endif
