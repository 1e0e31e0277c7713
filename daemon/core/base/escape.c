/*
 * escape.c - text made safe for HTML, CSV and Markdown (see escape.h).
 */
#include "core/base/escape.h"

#include <string.h>
#include <strings.h>

void
esc_html(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

void
esc_csv(struct buf *b, const char *s, char sep)
{
	int formula = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
	int quote =
	    formula || strchr(s, sep) != NULL || strpbrk(s, "\"\r\n") != NULL;

	if (quote)
		buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	if (quote)
		buf_putc(b, '"');
}

void
esc_md(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_putc(b, ' ');
		else {
			if (strchr("|\\`*_[]<>#!", *s) != NULL)
				buf_putc(b, '\\');
			buf_putc(b, *s);
		}
	}
}

int
esc_link_ok(const char *url)
{
	return url != NULL &&
	    (strncasecmp(url, "http://", 7) == 0 ||
	        strncasecmp(url, "https://", 8) == 0);
}
