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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/base/word.h"

/* Printable ASCII other than the space: copied as it is. */
static int
is_plain(unsigned char ch)
{
	return ch > ' ' && ch < 0x7f;
}

/* Whether the eight bytes at p (len of them left) are words of printable
 * ASCII with single spaces between them, a space first only after a word
 * written to b, a space last only before a word: what folding copies. */
static int
is_words(const unsigned char *p, size_t len, const struct buf *b)
{
	uint64_t w = word_load(p);
	uint64_t space = word_eq(w, ' ');

	if (word_not_text(w) || word_eq(w, 0x7f) || (space & space << 8))
		return 0;
	if (p[0] == ' ' && (b->len == 0 || b->data[b->len - 1] == ' '))
		return 0;
	return p[7] != ' ' || (len > 8 && is_plain(p[8]));
}

char *
text_collapse(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	int space = 0;

	buf_init(&b);
	/* The text is at most as long as s unless bad bytes are replaced:
	 * one allocation instead of a doubling series, and bytes written in
	 * place rather than appended a call at a time. */
	buf_reserve(&b, len);
	char *o = b.data;
	for (size_t i = 0; i < len;) {
		/* Words of printable ASCII and the single spaces between
		 * them, most of any text, are copied without decoding: eight
		 * bytes at a time, then byte by byte up to eight. */
		if (!space) {
			while (len - i >= 8 && is_words(p + i, len - i, &b)) {
				memcpy(o + b.len, p + i, 8);
				b.len += 8;
				i += 8;
			}
			size_t stop = len - i > 8 ? i + 8 : len;
			while (i < stop &&
			    (is_plain(p[i]) ||
			        (p[i] == ' ' && b.len > 0 && i + 1 < len &&
			            is_plain(p[i + 1]))))
				o[b.len++] = (char)p[i++];
			if (i == len)
				break;
			if (i == stop)
				continue;
		}
		size_t n = utf8_len_at(p + i, len - i);
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
			o[b.len++] = ' ';
		space = 0;
		if (n == 0) {
			/* Three bytes for one: room for them and the rest. */
			buf_reserve(&b, sizeof UTF8_REPLACEMENT + (len - i));
			o = b.data;
			memcpy(o + b.len, UTF8_REPLACEMENT,
			    sizeof UTF8_REPLACEMENT - 1);
			b.len += sizeof UTF8_REPLACEMENT - 1;
			i++;
			continue;
		}
		memcpy(o + b.len, p + i, n);
		b.len += n;
		i += n;
	}
	o[b.len] = '\0';
	return buf_release(&b);
}

/* tolower() without the call, for tag names: only ASCII letters change
 * case in them. */
static char
ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

enum tag_kind { TAG_INLINE, TAG_BLOCK, TAG_HIDDEN };

/* Whether list (names of n letters, each followed by a space) holds
 * name. */
static int
listed(const char *list, const char *name, size_t n)
{
	for (; *list != '\0'; list += n + 1)
		if (list[0] == name[0] && memcmp(list, name, n) == 0)
			return 1;
	return 0;
}

/* What an element is to its text: a block ends a line or a cell, so the
 * words either side must not merge; a hidden one (script, style) holds
 * none. Names are looked up in lists by length, lower-cased, a few
 * comparisons of known size per tag. */
static enum tag_kind
tag_kind(const char *name)
{
	static const char *const blocks[] = { "", "p ",
		"br dd dl dt h1 h2 h3 h4 h5 h6 hr li ol td th tr ul ",
		"div img nav pre ", "", "aside table ", "figure footer header ",
		"address article caption section ", "", "",
		"blockquote figcaption " };
	static const char *const hidden[] = { "", "", "", "", "", "style ",
		"script ", "", "template noscript " };
	char lower[ARRAY_LEN(blocks)];
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		if (n + 1 >= ARRAY_LEN(blocks))
			return TAG_INLINE;
		lower[n] = ascii_lower(name[n]);
	}
	if (listed(blocks[n], lower, n))
		return TAG_BLOCK;
	return n < ARRAY_LEN(hidden) && listed(hidden[n], lower, n)
	    ? TAG_HIDDEN
	    : TAG_INLINE;
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
			enum tag_kind kind = tag_kind((const char *)n->name);
			descend = kind != TAG_HIDDEN;
			/* A dropped script still stands between two words. */
			if (kind != TAG_INLINE)
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
			    tag_kind((const char *)n->name) == TAG_BLOCK)
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
			name[n] = ascii_lower(*p);
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
	/* Markup and references only shorten the text: one allocation. */
	buf_reserve(&b, len);
	while (p < end) {
		const char *run = p;
		while (end - p >= 8) {
			uint64_t w = word_load(p);
			if (word_eq(w, '<') || word_eq(w, '&'))
				break;
			p += 8;
		}
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
		enum tag_kind kind = tag_kind(name);
		if (!closing && kind == TAG_HIDDEN) {
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
		} else if (kind == TAG_BLOCK)
			buf_putc(&b, ' ');
	}
	char *out = text_collapse(b.data ? b.data : "", b.len);
	buf_clear(&b);
	return out;
}
