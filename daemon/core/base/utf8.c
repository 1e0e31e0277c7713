/*
 * utf8.c - UTF-8 validity and repair (see utf8.h).
 *
 * Written here rather than taken from utf8proc: utf8proc_iterate() says
 * that a sequence is bad, not how many bytes to step over, and every
 * caller here replaces or reinterprets bad input one byte at a time (the
 * way browsers and feed readers do), on paths where the ASCII case must
 * cost a comparison, not a call into a shared library.
 */
#include "core/base/utf8.h"

#include <stdint.h>
#include <string.h>

#include "core/base/util.h"

size_t
utf8_char_len(const unsigned char *s, size_t len)
{
	size_t n;
	unsigned int c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

size_t
utf8_valid_len(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	uint64_t w;

	while (i < len) {
		/* Most text is ASCII: eight bytes at a time, no decoding. */
		if (len - i >= 8) {
			memcpy(&w, p + i, sizeof(w));
			if ((w & 0x8080808080808080u) == 0) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_char_len(p + i, len - i);
		if (n == 0)
			break;
		i += n;
	}
	return i;
}

int
utf8_valid(const char *s, size_t len)
{
	return utf8_valid_len(s, len) == len;
}

void
utf8_repair_buf(struct buf *b, const char *s, size_t len)
{
	size_t i = 0;

	/* Good runs are copied whole, so clean text costs one append. */
	while (i < len) {
		size_t good = utf8_valid_len(s + i, len - i);

		buf_append(b, s + i, good);
		i += good;
		if (i < len) {
			buf_puts(b, UTF8_REPLACEMENT);
			i++;
		}
	}
}

char *
utf8_repair(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b);
	utf8_repair_buf(&b, s, len);
	return buf_release(&b);
}
