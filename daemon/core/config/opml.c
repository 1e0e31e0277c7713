/*
 * opml.c - reads the feed list of an OPML file (see opml.h). Only the
 * outlines matter: folders are walked, everything else is ignored.
 */
#include "core/config/opml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/base/file.h"

/* Reader exports of thousands of feeds stay far below this. */
#define OPML_MAX_BYTES (16 * 1024 * 1024)

static int
slurp(const char *path, struct buf *out, struct diag *diag)
{
	const char *why = NULL;

	switch (file_read(path, OPML_MAX_BYTES, out, &why)) {
	case -1:
		diag_add(diag, path, 0, "cannot read: %s", why);
		return -1;
	case -2:
		diag_add(diag, path, 0, "too large (over %d MiB)",
		    OPML_MAX_BYTES / (1024 * 1024));
		return -1;
	}
	return 0;
}

/* Attribute value trimmed of surrounding blanks, or NULL if absent or
 * blank (folders sometimes carry an empty xmlUrl). Exporters disagree on
 * the case of xmlUrl (xmlURL, xmlurl). Only the text is kept: entity
 * references are dropped rather than expanded, since a few nested
 * entities can expand into gigabytes. */
static char *
attr(xmlNodePtr node, const char *name)
{
	struct buf b;
	xmlAttrPtr a = node->properties;

	while (a != NULL && xmlStrcasecmp(a->name, (const xmlChar *)name) != 0)
		a = a->next;
	if (a == NULL)
		return NULL;
	buf_init(&b);
	for (xmlNodePtr t = a->children; t != NULL; t = t->next)
		if (t->type == XML_TEXT_NODE && t->content != NULL)
			buf_puts(&b, (const char *)t->content);
	const char *s = b.data ? b.data : "";
	size_t len = b.len;
	while (len > 0 && strchr(" \t\r\n", *s) != NULL)
		s++, len--;
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	char *r = len > 0 ? xstrndup(s, len) : NULL;
	buf_clear(&b);
	return r;
}

static int
is_outline(xmlNodePtr node)
{
	return node->type == XML_ELEMENT_NODE &&
	    xmlStrcmp(node->name, (const xmlChar *)"outline") == 0;
}

/* Depth-first walk without recursion: the document's depth is the
 * author's choice, the stack's is not. */
static void
collect(xmlNodePtr root, struct opml_feed **out, size_t *n)
{
	size_t cap = 0;
	xmlNodePtr node = root->children;

	while (node != NULL && node != root) {
		if (is_outline(node)) {
			char *url = attr(node, "xmlUrl");
			if (url != NULL) {
				if (*n == cap) {
					cap = cap ? cap * 2 : 16;
					*out = xreallocarray(
					    *out, cap, sizeof **out);
				}
				struct opml_feed *f = &(*out)[(*n)++];
				f->url = url;
				f->title = attr(node, "text");
				if (f->title == NULL)
					f->title = attr(node, "title");
				f->line = (int)xmlGetLineNo(node);
			}
		}
		if (node->type == XML_ELEMENT_NODE && node->children != NULL) {
			node = node->children;
			continue;
		}
		while (node != root && node->next == NULL)
			node = node->parent;
		if (node != root)
			node = node->next;
	}
}

static int
parse(const char *path, const struct buf *data, struct opml_feed **out,
    size_t *n, struct diag *diag)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -1;

	/* The OPML file is not ours: it may come from any feed reader's
	 * export. The process's refusing entity loader (xml_global_init(),
	 * called by main) and the parser options below keep any DTD or
	 * external entity from being fetched. */
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		diag_add(diag, path, 0, "out of memory");
		return -1;
	}
	/* No XML_PARSE_NOENT nor DTDLOAD: entities stay unexpanded. */
	doc = xmlCtxtReadMemory(ctxt, data->data ? data->data : "",
	    (int)data->len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	        XML_PARSE_BIG_LINES);
	if (doc == NULL) {
		xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
		const char *msg =
		    err && err->message ? err->message : "unknown error";
		/* libxml2's messages end with a newline of their own. */
		diag_add(diag, path, err ? err->line : 0,
		    "not well-formed XML: %.*s", (int)strcspn(msg, "\n"), msg);
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL ||
	    xmlStrcmp(root->name, (const xmlChar *)"opml") != 0) {
		diag_add(diag, path, root ? (int)xmlGetLineNo(root) : 0,
		    "not an OPML document (root element <%s>, expected <opml>)",
		    root ? (const char *)root->name : "");
	} else {
		collect(root, out, n);
		rc = 0;
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
opml_read(
    const char *path, struct opml_feed **out, size_t *n, struct diag *diag)
{
	struct buf data;
	int rc = -1;

	*out = NULL;
	*n = 0;
	buf_init(&data);
	if (slurp(path, &data, diag) == 0)
		rc = parse(path, &data, out, n, diag);
	buf_clear(&data);
	return rc;
}

void
opml_free(struct opml_feed *feeds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(feeds[i].title);
		free(feeds[i].url);
	}
	free(feeds);
}
