/*
 * json_out.c - JSON written straight into a buffer (see json_out.h).
 */
#include "core/base/json_out.h"

#include <stdint.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/base/word.h"

/* Bytes a JSON string holds as they are: printable ASCII but the quote
 * and the backslash. */
static int
plain(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\';
}

/* A JSON string as jansson writes one (UTF-8 kept, quotes, backslashes
 * and control characters escaped), or null where there is no value or
 * it is not UTF-8. Checked and escaped in one pass: building jansson
 * objects cost more than parsing the feed they came from. */
void
json_out_string(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	size_t mark = b->len;
	const unsigned char *p = (const unsigned char *)s, *run = p;
	const unsigned char *end = p + strlen(s);
	buf_putc(b, '"');
	for (;;) {
		/* Eight bytes at a time while none needs a look. */
		while (end - p >= 8) {
			uint64_t w = word_load(p);
			if (word_not_text(w) || word_eq(w, '"') ||
			    word_eq(w, '\\'))
				break;
			p += 8;
		}
		while (plain(*p))
			p++;
		if (*p >= 0x80) {
			size_t n = utf8_len_at(p, (size_t)(end - p));
			if (n == 0) {
				b->len = mark;
				buf_puts(b, "null");
				return;
			}
			p += n;
			continue;
		}
		buf_append(b, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		switch (*p) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default: /* XML and the folding drop the others: never seen */
			buf_printf(b, "\\u%04X", *p);
		}
		run = ++p;
	}
	buf_putc(b, '"');
}

void
json_out_member(struct buf *b, const char *key, const char *value)
{
	buf_puts(b, key);
	json_out_string(b, value);
}
