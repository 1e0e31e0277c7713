/*
 * text.c - plain text out of HTML fragments (see text.h). A fragment is
 * read by a small tokeniser of its own: text is all that is wanted, and
 * building a libxml2 HTML tree for each of a feed's descriptions cost more
 * than parsing the feed. libxml2 still names the entities, and its trees
 * (pages) are read by text_from_node. Either way this module decides which
 * elements carry words and where words must be kept apart.
 */
#include "core/read/text.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/utf8.h"
#include "core/base/util.h"

char *
text_collapse(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	int space = 0;

	buf_init(&b);
	/* The text is at most as long as s unless bad bytes are replaced:
	 * one allocation instead of a doubling series. */
	buf_reserve(&b, len);
	b.data[0] = '\0';
	for (size_t i = 0; i < len;) {
		size_t n = p[i] < 0x80 ? 1 : utf8_char_len(p + i, len - i);
		int ws = p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r') ||
		    (n == 2 && p[i] == 0xc2 && p[i + 1] == 0xa0);

		if (ws) {
			space = 1;
			i += n;
			continue;
		}
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			i++; /* control characters carry no text */
			continue;
		}
		if (space && b.len > 0)
			buf_putc(&b, ' ');
		space = 0;
		if (n == 0) {
			buf_puts(&b, UTF8_REPLACEMENT);
			i++;
			continue;
		}
		/* Copy the whole run of ordinary characters at once. */
		size_t j = i + n;
		while (j < len && p[j] > ' ' && p[j] < 0x7f)
			j++;
		buf_append(&b, p + i, j - i);
		i = j;
	}
	return buf_release(&b);
}

static int
cmp_name(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

/* Elements that end a line or a cell: words either side must not merge. */
static int
is_block(const char *name)
{
	/* Sorted, for bsearch. */
	static const char *const blocks[] = { "address", "article", "aside",
		"blockquote", "br", "caption", "dd", "div", "dl", "dt",
		"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
		"h6", "header", "hr", "img", "li", "nav", "ol", "p", "pre",
		"section", "table", "td", "th", "tr", "ul" };

	return bsearch(name, blocks, ARRAY_LEN(blocks), sizeof blocks[0],
	           cmp_name) != NULL;
}

static int
is_hidden(const char *name)
{
	return strcasecmp(name, "script") == 0 ||
	    strcasecmp(name, "style") == 0 ||
	    strcasecmp(name, "template") == 0 ||
	    strcasecmp(name, "noscript") == 0;
}

/* Depth-first without recursion: a hostile fragment nests as deep as it
 * likes. */
static void
collect(xmlNode *root, struct buf *b)
{
	xmlNode *n = root;

	while (n != NULL) {
		int descend = 0;

		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				buf_puts(b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			descend = !is_hidden(name);
			/* A dropped script still stands between two words. */
			if (!descend || is_block(name))
				buf_putc(b, ' ');
		} else if (n->type == XML_HTML_DOCUMENT_NODE)
			descend = 1;
		if (descend && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			if (n != NULL && n->type == XML_ELEMENT_NODE &&
			    is_block((const char *)n->name))
				buf_putc(b, ' ');
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
}

char *
text_from_node(xmlNode *node)
{
	struct buf b;

	buf_init(&b);
	collect(node, &b);
	char *out = text_collapse(b.data ? b.data : "", b.len);
	buf_clear(&b);
	return out;
}

/* p past s's end, or at the first occurrence of what at or after p. */
static const char *
find(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);
	const char *q = memmem(p, (size_t)(end - p), what, n);

	return q ? q + n : end;
}

/* The tag at p (just past '<'): its name lower-cased into name (empty if
 * too long to be one the rules know), *closing for "</"; returns where
 * the tag ends, past its '>'. Quoted attribute values may hold '>'. */
static const char *
read_tag(const char *p, const char *end, char *name, size_t size, int *closing)
{
	size_t n = 0;

	*closing = p < end && *p == '/';
	p += *closing;
	while (
	    p < end && (isalnum((unsigned char)*p) || *p == '-' || *p == ':')) {
		if (n + 1 < size)
			name[n] = (char)tolower((unsigned char)*p);
		n++;
		p++;
	}
	name[n < size ? n : 0] = '\0';
	char prev = ' ';
	while (p < end && *p != '>') {
		if ((*p == '"' || *p == '\'') && prev == '=') {
			const char *q =
			    memchr(p + 1, *p, (size_t)(end - p - 1));
			p = q ? q : end - 1;
		}
		if (!isspace((unsigned char)*p))
			prev = *p;
		p++;
	}
	return p < end ? p + 1 : end;
}

/* Appends code point cp as UTF-8; what no character may be becomes
 * U+FFFD. */
static void
put_cp(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		buf_puts(b, UTF8_REPLACEMENT);
		return;
	}
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
		return;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* The reference at p ('&'), decoded into b; returns where it ends. One
 * that is not a reference ("AT&T", "&unknown;") is kept as written. */
static const char *
read_ref(const char *p, const char *end, struct buf *b)
{
	const char *q = p + 1;

	if (q < end && *q == '#') {
		int hex = q + 1 < end && (q[1] == 'x' || q[1] == 'X');
		const char *digits = q + 1 + hex;
		unsigned long cp = 0;
		for (q = digits; q < end &&
		     (hex ? isxdigit((unsigned char)*q)
		          : isdigit((unsigned char)*q));
		     q++)
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) +
				    (unsigned long)(isdigit((unsigned char)*q)
				            ? *q - '0'
				            : tolower((unsigned char)*q) - 'a' +
				                10);
		if (q == digits) {
			buf_putc(b, '&');
			return p + 1;
		}
		put_cp(b, cp);
		return q < end && *q == ';' ? q + 1 : q;
	}
	char name[32];
	size_t n = 0;
	while (q < end && n + 1 < sizeof name && isalnum((unsigned char)*q))
		name[n++] = *q++;
	name[n] = '\0';
	const htmlEntityDesc *e = n > 0 && q < end && *q == ';'
	    ? htmlEntityLookup(BAD_CAST name)
	    : NULL;
	if (e == NULL) {
		buf_putc(b, '&');
		return p + 1;
	}
	put_cp(b, e->value);
	return q + 1;
}

char *
text_from_html(const char *html, size_t len)
{
	if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL)
		return text_collapse(html, len);

	const char *p = html, *end = html + len;
	struct buf b;
	buf_init(&b);
	while (p < end) {
		const char *run = p;
		while (p < end && *p != '<' && *p != '&')
			p++;
		buf_append(&b, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p == '&') {
			p = read_ref(p, end, &b);
			continue;
		}
		const char *next = p + 1;
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			p = find(p + 4, end, "-->");
			continue;
		}
		if (next < end && (*next == '!' || *next == '?')) {
			p = find(next, end, ">");
			continue;
		}
		int letter = next < end && isalpha((unsigned char)*next);
		int slash = next + 1 < end && *next == '/' &&
		    isalpha((unsigned char)next[1]);
		if (!letter && !slash) {
			buf_putc(&b, '<');
			p++;
			continue;
		}
		char name[16];
		int closing;
		p = read_tag(next, end, name, sizeof name, &closing);
		if (!closing && is_hidden(name)) {
			/* Raw text up to its end tag: a script's "<p>" is
			 * not markup, and none of it is words. */
			char close[sizeof name + 2] = "</";
			strcat(close, name);
			const char *q = p;
			while (
			    (q = memchr(q, '<', (size_t)(end - q))) != NULL &&
			    !((size_t)(end - q) >= strlen(close) &&
			        strncasecmp(q, close, strlen(close)) == 0))
				q++;
			p = q ? find(q, end, ">") : end;
			buf_putc(&b, ' ');
		} else if (is_block(name))
			buf_putc(&b, ' ');
	}
	char *out = text_collapse(b.data ? b.data : "", b.len);
	buf_clear(&b);
	return out;
}
