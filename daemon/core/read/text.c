/*
 * text.c - plain text out of HTML fragments (see text.h). libxml2's HTML
 * parser does the tokenising and entity decoding; this module decides
 * which nodes carry words and where words must be kept apart.
 */
#include "core/read/text.h"

#include <libxml/HTMLparser.h>
#include <limits.h>
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
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(p + i, len - i);
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

/* Elements that end a line or a cell: words either side must not merge. */
static int
is_block(const char *name)
{
	static const char *const blocks[] = { "address", "article", "aside",
		"blockquote", "br", "caption", "dd", "div", "dl", "dt",
		"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5",
		"h6", "header", "hr", "img", "li", "nav", "ol", "p", "pre",
		"section", "table", "td", "th", "tr", "ul" };

	for (size_t i = 0; i < ARRAY_LEN(blocks); i++)
		if (strcasecmp(name, blocks[i]) == 0)
			return 1;
	return 0;
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

char *
text_from_html(const char *html, size_t len)
{
	if (memchr(html, '<', len) == NULL && memchr(html, '&', len) == NULL)
		return text_collapse(html, len);
	if (len > INT_MAX)
		return xstrdup("");

	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	        HTML_PARSE_NOWARNING);
	if (doc == NULL)
		return text_collapse(html, len);

	char *out = text_from_node((xmlNode *)doc);
	xmlFreeDoc(doc);
	return out;
}
