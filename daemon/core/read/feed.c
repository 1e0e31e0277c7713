/*
 * feed.c - RSS, RDF, Atom and JSON Feed documents into items (see feed.h).
 *
 * The bytes are first turned into clean UTF-8 (charset.h: HTTP charset,
 * then XML declaration, then BOM, then a windows-1252 fallback), so that
 * libxml2 never has to guess and never gives up on a stray byte. The tree
 * is then read per format with namespaces checked.
 * Entities are never substituted: text is gathered by walking the tree,
 * and entity references are looked at, not descended into.
 */
#include "core/read/feed.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/read/charset.h"
#include "core/read/date.h"
#include "core/read/json_doc.h"
#include "core/read/text.h"
#include "core/read/url.h"

/* No feed worth reading is larger; the fetcher stops at the same size. */
#define FEED_MAX_SIZE ((size_t)64 << 20)
/* Text that declared entities may add to a whole document: plenty for
 * the odd "&company;", nothing like the gigabytes of a quadratic blow-up
 * (one large entity referenced a million times). */
#define ENTITY_BUDGET ((size_t)1 << 20)

#define XML_OPTIONS \
	(XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | \
	    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT)

/* Namespaces an element may be in, as a mask so a lookup can accept
 * several (RSS 1.0 and 0.90 elements are namespaced, RSS 2.0's are not). */
enum {
	M_NONE = 1 << 0,
	M_RSS = 1 << 1,
	M_ATOM = 1 << 2,
	M_DC = 1 << 3,
	M_CONTENT = 1 << 4,
	M_RDF = 1 << 5,
	M_MEDIA = 1 << 6,
	M_ITUNES = 1 << 7,
	M_OTHER = 1 << 8,
};
#define M_PLAIN (M_NONE | M_RSS)
#define M_ATOMDOC (M_NONE | M_ATOM)

static const struct {
	const char *uri;
	unsigned mask;
} namespaces[] = {
	{ "http://purl.org/rss/1.0/", M_RSS },
	/* UserLand's namespace for RSS 2.0, used as a default namespace by
	 * some generators: the elements are plain RSS 2.0 ones. */
	{ "http://backend.userland.com/rss2", M_RSS },
	{ "http://backend.userland.com/rss", M_RSS },
	/* Where the RSS 2.0 specification lived after UserLand. */
	{ "http://blogs.law.harvard.edu/tech/rss", M_RSS },
	{ "http://my.netscape.com/rdf/simple/0.9/", M_RSS },
	{ "http://www.w3.org/2005/Atom", M_ATOM },
	{ "http://purl.org/atom/ns#", M_ATOM },
	{ "http://purl.org/dc/elements/1.1/", M_DC },
	{ "http://purl.org/dc/terms/", M_DC },
	{ "http://purl.org/rss/1.0/modules/content/", M_CONTENT },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", M_RDF },
	{ "http://search.yahoo.com/mrss/", M_MEDIA },
	{ "http://search.yahoo.com/mrss", M_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", M_ITUNES },
};
#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

struct ctx {
	xmlDoc *doc;
	const char *base_url;
	struct feed *feed;
	size_t cap;
	size_t entity_budget; /* bytes entities may still add */
};

/* --- Items --- */

static struct item *
new_item(struct ctx *c)
{
	struct feed *f = c->feed;

	if (f->nitems == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		f->items = xreallocarray(f->items, c->cap, sizeof *f->items);
	}
	struct item *it = &f->items[f->nitems++];
	memset(it, 0, sizeof *it);
	it->published = it->updated = DATE_NONE;
	return it;
}

/*
 * Namespace names are compared as written first (nearly every feed), then
 * regardless of case: podcasts declare iTunes' as ".../DTDs/Podcast-1.0.dtd"
 * as often as Apple's ".../dtds/podcast-1.0.dtd", and the other readers
 * (feedparser among them) accept any case.
 */
static unsigned
ns_mask(const xmlNode *n)
{
	if (n->ns == NULL || n->ns->href == NULL)
		return M_NONE;
	const char *href = (const char *)n->ns->href;
	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++)
		if (strcmp(href, namespaces[i].uri) == 0)
			return namespaces[i].mask;
	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++)
		if (strcasecmp(href, namespaces[i].uri) == 0)
			return namespaces[i].mask;
	return M_OTHER;
}

static int
is_el(const xmlNode *n, unsigned mask, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0 && (ns_mask(n) & mask);
}

static xmlNode *
child(xmlNode *parent, unsigned mask, const char *name)
{
	if (parent == NULL)
		return NULL;
	for (xmlNode *n = parent->children; n != NULL; n = n->next)
		if (is_el(n, mask, name))
			return n;
	return NULL;
}

/* The last matching child: where a document repeats an element (several
 * authors), readers keep the one written last. */
static xmlNode *
last_child(xmlNode *parent, unsigned mask, const char *name)
{
	xmlNode *last = NULL;

	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (is_el(n, mask, name))
			last = n;
	return last;
}

static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static char *
xml_attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, XML_XML_NAMESPACE);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

/* An entity reference contributes its replacement text only when that
 * text is plain characters: one level, never a chain (billion laughs),
 * never an external entity (XXE), and within the document's budget. */
static void
entity_text(struct ctx *c, const xmlNode *ref, struct buf *b)
{
	xmlEntity *ent = xmlGetDocEntity(c->doc, ref->name);

	if (ent == NULL || ent->etype != XML_INTERNAL_GENERAL_ENTITY ||
	    ent->content == NULL ||
	    strpbrk((const char *)ent->content, "&<%") != NULL)
		return;
	size_t n = strlen((const char *)ent->content);
	if (n > c->entity_budget)
		return;
	c->entity_budget -= n;
	buf_append(b, ent->content, n);
}

/* Text of el and its descendants, iteratively. */
static void
gather(struct ctx *c, xmlNode *el, struct buf *b)
{
	xmlNode *n = el->children;

	while (n != NULL) {
		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				buf_puts(b, (const char *)n->content);
		} else if (n->type == XML_ENTITY_REF_NODE)
			entity_text(c, n, b);
		else if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == el)
				return;
		}
		if (n != NULL)
			n = n->next;
	}
}

static char *
nonempty(char *s)
{
	if (s != NULL && s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* Text of el, trimmed, as a view: into the tree when el holds a single
 * text node (nearly always), else into b, where the pieces are gathered.
 * Returns the length; *s is set even for 0. */
static size_t
el_view(struct ctx *c, xmlNode *el, struct buf *b, const char **s)
{
	xmlNode *only = el->children;
	size_t len;

	if (only != NULL && only->next == NULL && only->content != NULL &&
	    (only->type == XML_TEXT_NODE ||
	        only->type == XML_CDATA_SECTION_NODE)) {
		*s = (const char *)only->content;
		len = strlen(*s);
	} else {
		gather(c, el, b);
		*s = b->data ? b->data : "";
		len = b->len;
	}
	while (len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)(*s)[len - 1]))
		len--;
	return len;
}

/* An element's text through conv (text_collapse, text_from_html, or
 * xstrndup for the raw text), straight from the view: no copy of the
 * raw text on the way. */
static char *
el_text(struct ctx *c, xmlNode *el, char *(*conv)(const char *, size_t))
{
	struct buf b;
	const char *s;

	if (el == NULL)
		return NULL;
	buf_init(&b);
	size_t len = el_view(c, el, &b, &s);
	char *out = len > 0 ? conv(s, len) : NULL;
	buf_clear(&b);
	return nonempty(out);
}

/* Raw text, trimmed: ids, links, dates. */
static char *
el_raw(struct ctx *c, xmlNode *el)
{
	return el_text(c, el, xstrndup);
}

static char *
el_plain(struct ctx *c, xmlNode *el)
{
	return el_text(c, el, text_collapse);
}

static char *
el_html(struct ctx *c, xmlNode *el)
{
	return el_text(c, el, text_from_html);
}

static int64_t
el_date(struct ctx *c, xmlNode *el)
{
	char *raw = el_raw(c, el);
	int64_t t = date_parse(raw);

	free(raw);
	return t;
}

/* Inline XHTML: serialised back and read like an HTML fragment so block
 * elements separate words the same way. */
static char *
el_xhtml(xmlNode *el)
{
	xmlBuffer *xb = xmlBufferCreate();
	char *out;

	if (xb == NULL)
		return NULL;
	for (xmlNode *n = el->children; n != NULL; n = n->next)
		xmlNodeDump(xb, el->doc, n, 0, 0);
	out = text_from_html(
	    (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return nonempty(out);
}

static int
b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Base64 (RFC 4648, white space allowed, padding optional) decoded into
 * b; -1 on any other character, so garbage is not read as text. */
static int
b64_decode(const char *s, struct buf *b)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s != '\0' && *s != '='; s++) {
		if (isspace((unsigned char)*s))
			continue;
		int v = b64_value((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(b, (char)(acc >> bits & 0xff));
		}
	}
	while (*s == '=' || isspace((unsigned char)*s))
		s++;
	return *s == '\0' ? 0 : -1;
}

/* Atom 0.3's mode="base64": the decoded bytes, made valid UTF-8, read as
 * the type says. */
static char *
el_base64(struct ctx *c, xmlNode *el, int html)
{
	char *raw = el_raw(c, el);
	struct buf b;
	char *out = NULL;

	if (raw == NULL)
		return NULL;
	buf_init(&b);
	if (b64_decode(raw, &b) == 0 && b.len > 0) {
		char *u = utf8_repair(b.data, b.len);
		out = html ? text_from_html(u, strlen(u))
		           : text_collapse(u, strlen(u));
		free(u);
	}
	buf_clear(&b);
	free(raw);
	return nonempty(out);
}

/* Atom text construct (and Atom 0.3's modes "escaped" and "base64"). */
static char *
atom_text(struct ctx *c, xmlNode *el)
{
	if (el == NULL)
		return NULL;
	char *type = attr(el, "type");
	char *mode = attr(el, "mode");
	int html = type != NULL && strstr(type, "html") != NULL;
	char *out;

	if (mode != NULL && strcmp(mode, "base64") == 0)
		out = el_base64(c, el, html);
	else if (type != NULL && strstr(type, "xhtml") != NULL &&
	    (mode == NULL || strcmp(mode, "xml") == 0))
		out = el_xhtml(el);
	else if (html || (mode != NULL && strcmp(mode, "escaped") == 0))
		out = el_html(c, el);
	else
		out = el_plain(c, el);
	free(type);
	free(mode);
	return out;
}

/* Base URL in effect at n: the feed URL, then each xml:base from the root
 * down. */
static char *
base_at(struct ctx *c, xmlNode *n)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return c->base_url ? xstrdup(c->base_url) : NULL;
	char *parent = base_at(c, n->parent);
	char *xb = xml_attr(n, "base");
	if (xb == NULL)
		return parent;
	char *r = url_resolve(parent, xb);
	if (r == NULL && parent == NULL)
		r = xstrdup(xb);
	free(xb);
	if (r == NULL)
		return parent;
	free(parent);
	return r;
}

/* ref resolved at el; kept as written when nothing makes it absolute. */
static char *
resolve_at(struct ctx *c, xmlNode *el, char *ref)
{
	/* Most links are already absolute and plain: no base to look up. */
	if (ref == NULL || url_is_plain(ref))
		return ref;
	char *base = base_at(c, el);
	char *r = url_resolve(base, ref);
	free(base);
	if (r == NULL)
		return ref;
	free(ref);
	return r;
}

static int
is_alternate(const char *rel)
{
	return rel == NULL || strcmp(rel, "alternate") == 0 ||
	    strcmp(rel, "http://www.iana.org/assignments/relation/alternate") ==
	    0;
}

/* The link among parent's atom:link children whose rel is rel (NULL: the
 * alternate one), preferring an HTML one. The URL is in href, or in the
 * element's text as Atom 0.3-era and hand-written feeds put it. */
static char *
atom_link(struct ctx *c, xmlNode *parent, unsigned mask, const char *want)
{
	xmlNode *best = NULL;

	for (xmlNode *n = parent->children; n != NULL; n = n->next) {
		if (!is_el(n, mask, "link"))
			continue;
		char *rel = attr(n, "rel");
		char *type = attr(n, "type");
		int ok = want ? rel != NULL && strcmp(rel, want) == 0
		              : is_alternate(rel);
		int html = type != NULL && strcasecmp(type, "text/html") == 0;
		free(rel);
		free(type);
		if (ok && (best == NULL || html))
			best = n;
		if (ok && html)
			break;
	}
	if (best == NULL)
		return NULL;
	char *href = nonempty(attr(best, "href"));
	return resolve_at(c, best, href ? href : el_raw(c, best));
}

static int
looks_like_url(const char *s)
{
	return s != NULL &&
	    (strncasecmp(s, "http://", 7) == 0 ||
	        strncasecmp(s, "https://", 8) == 0);
}

/* An item without a link is a mention nobody can open: its id stands in
 * when it is a web address. */
static char *
link_from_id(struct ctx *c, xmlNode *id_el, const char *id)
{
	if (!looks_like_url(id))
		return NULL;
	char *perma = attr(id_el, "isPermaLink");
	char *link = perma == NULL || strcasecmp(perma, "false") != 0
	    ? resolve_at(c, id_el, xstrdup(id))
	    : NULL;
	free(perma);
	return link;
}

static char *
atom_author(struct ctx *c, xmlNode *author)
{
	char *s = el_plain(c, child(author, M_ATOMDOC, "name"));

	return s ? s : el_plain(c, child(author, M_ATOMDOC, "email"));
}

static char *
first_of(char *a, char *b)
{
	if (a != NULL) {
		free(b);
		return a;
	}
	return b;
}

static char *
item_lang(xmlNode *el, const char *feed_lang)
{
	char *l = nonempty(xml_attr(el, "lang"));

	return l ? l : feed_lang ? xstrdup(feed_lang) : NULL;
}

/* The last of an RSS item's author elements, whichever vocabulary names
 * it: a later one corrects or completes an earlier one. */
static xmlNode *
rss_author(xmlNode *item)
{
	xmlNode *last = NULL;

	for (xmlNode *n = item->children; n != NULL; n = n->next)
		if (is_el(n, M_PLAIN, "author") || is_el(n, M_DC, "creator") ||
		    is_el(n, M_DC, "author") || is_el(n, M_ITUNES, "author"))
			last = n;
	return last;
}

static int
is_mailbox(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (at == NULL || at == s || at == s + n - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]) || s[i] == '(' || s[i] == ')')
			return 0;
	return 1;
}

/*
 * An RSS author's name: RSS 2.0 writes the author as "jo@example.com (Jo
 * Lee)", many feeds as "Jo Lee (jo@example.com)"; the name is who wrote
 * it (and the same person on every feed), the address only clutters
 * reports. Anything else is kept as it is.
 */
static char *
author_name(char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 4 || s[n - 1] != ')')
		return s;
	char *open = strrchr(s, '(');
	if (open == NULL || open == s)
		return s;
	size_t before = (size_t)(open - s), inside = n - before - 2;
	const char *in = open + 1;
	while (before > 0 && isspace((unsigned char)s[before - 1]))
		before--;
	while (inside > 0 && isspace((unsigned char)*in))
		in++, inside--;
	while (inside > 0 && isspace((unsigned char)in[inside - 1]))
		inside--;
	char *name = NULL;
	if (is_mailbox(s, before) && inside > 0)
		name = xstrndup(in, inside); /* email (Name) */
	else if (is_mailbox(in, inside) && before > 0)
		name = xstrndup(s, before); /* Name (email) */
	if (name == NULL)
		return s;
	free(s);
	return name;
}

/* The last of an RSS item's links that gives a URL, in its text or, as
 * some generators write it, in an href: a later one corrects an earlier
 * one, as for authors (and as feedparser and gofeed read them). */
static char *
rss_link(struct ctx *c, xmlNode *item)
{
	char *best = NULL;
	xmlNode *at = NULL;

	for (xmlNode *n = item->children; n != NULL; n = n->next) {
		if (!is_el(n, M_PLAIN, "link"))
			continue;
		char *s = el_raw(c, n);
		if (s == NULL)
			s = nonempty(attr(n, "href"));
		if (s != NULL) {
			free(best);
			best = s, at = n;
		}
	}
	/* Only the link kept is resolved against its base. */
	return resolve_at(c, at, best);
}

/* The first of el's children named in order that gives a value. */
static char *
first_html(struct ctx *c, xmlNode *el, const unsigned *masks,
    const char *const *names, size_t n)
{
	char *s = NULL;

	for (size_t i = 0; i < n && s == NULL; i++)
		s = el_html(c, child(el, masks[i], names[i]));
	return s;
}

static int64_t
first_date(struct ctx *c, xmlNode *el, const unsigned *masks,
    const char *const *names, size_t n)
{
	int64_t t = DATE_NONE;

	for (size_t i = 0; i < n && t == DATE_NONE; i++)
		t = el_date(c, child(el, masks[i], names[i]));
	return t;
}

static void
rss_item(struct ctx *c, xmlNode *el, int rdf)
{
	struct item *it = new_item(c);
	xmlNode *guid = child(el, M_PLAIN, "guid");

	it->id = el_raw(c, guid);
	if (it->id == NULL && rdf) {
		it->id = el_raw(c, child(el, M_DC, "identifier"));
		if (it->id == NULL) {
			xmlChar *about = xmlGetNsProp(el,
			    (const xmlChar *)"about", (const xmlChar *)RDF_NS);
			it->id =
			    about ? nonempty(xstrdup((char *)about)) : NULL;
			xmlFree(about);
		}
	}
	it->link = rss_link(c, el);
	if (it->link == NULL && guid != NULL)
		it->link = link_from_id(c, guid, it->id);
	if (it->link == NULL)
		it->link = atom_link(c, el, M_ATOM, NULL);
	static const unsigned title_ns[] = { M_PLAIN, M_DC, M_MEDIA };
	static const char *const title[] = { "title", "title", "title" };
	it->title = first_html(c, el, title_ns, title, ARRAY_LEN(title));
	it->author = author_name(el_html(c, rss_author(el)));
	/* Atom's elements in an RSS item, where its own are missing. */
	if (it->author == NULL)
		it->author = atom_author(c, child(el, M_ATOM, "author"));
	static const unsigned pub_ns[] = { M_PLAIN, M_DC, M_DC, M_ATOM };
	static const char *const pub[] = { "pubDate", "date", "issued",
		"published" };
	it->published = first_date(c, el, pub_ns, pub, ARRAY_LEN(pub));
	static const unsigned upd_ns[] = { M_ATOM, M_DC };
	static const char *const upd[] = { "updated", "modified" };
	it->updated = first_date(c, el, upd_ns, upd, ARRAY_LEN(upd));
	static const unsigned sum_ns[] = { M_PLAIN, M_MEDIA };
	static const char *const sum[] = { "description", "description" };
	it->summary = first_html(c, el, sum_ns, sum, ARRAY_LEN(sum));
	it->content = el_html(c, child(el, M_CONTENT, "encoded"));
	/* The channel the item came from (Google News names each
	 * article's publisher so). */
	xmlNode *from = child(el, M_PLAIN, "source");
	if (from != NULL)
		it->relayed_from =
		    resolve_at(c, from, nonempty(attr(from, "url")));
	it->lang = nonempty(xml_attr(el, "lang"));
	if (it->lang == NULL)
		it->lang = el_plain(c, child(el, M_DC, "language"));
	if (it->lang == NULL && c->feed->lang != NULL)
		it->lang = xstrdup(c->feed->lang);
}

static char *
inherited_lang(xmlNode *n)
{
	xmlChar *l = xmlNodeGetLang(n);
	char *s = l ? nonempty(xstrdup((const char *)l)) : NULL;

	xmlFree(l);
	return s;
}

static void
parse_rss(struct ctx *c, xmlNode *root, int rdf)
{
	struct feed *f = c->feed;
	xmlNode *ch = child(root, M_PLAIN, "channel");

	if (ch != NULL) {
		f->title = el_html(c, child(ch, M_PLAIN, "title"));
		xmlNode *link = child(ch, M_PLAIN, "link");
		f->link = resolve_at(c, link, el_raw(c, link));
		f->lang = first_of(el_plain(c, child(ch, M_PLAIN, "language")),
		    el_plain(c, child(ch, M_DC, "language")));
		f->lang = first_of(f->lang, inherited_lang(ch));
	}
	/* RSS 1.0 puts items beside the channel, RSS 2.0 inside it; a
	 * generator that forgot the channel, beside nothing. */
	xmlNode *parent = rdf || ch == NULL ? root : ch;
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (is_el(n, M_PLAIN, "item"))
			rss_item(c, n, rdf);
}

static void
atom_entry(struct ctx *c, xmlNode *el, const char *feed_author)
{
	struct item *it = new_item(c);

	xmlNode *id = child(el, M_ATOMDOC, "id");
	it->id = el_raw(c, id);
	it->link = atom_link(c, el, M_ATOMDOC, NULL);
	if (it->link == NULL)
		it->link = link_from_id(c, id, it->id);
	if (it->link == NULL)
		it->link = atom_link(c, el, M_ATOMDOC, "enclosure");
	it->title = atom_text(c, child(el, M_ATOMDOC, "title"));
	/* Per RFC 4287 an entry without author inherits its source's, then
	 * the feed's. */
	it->author = atom_author(c, last_child(el, M_ATOMDOC, "author"));
	if (it->author == NULL)
		it->author = atom_author(c,
		    child(child(el, M_ATOMDOC, "source"), M_ATOMDOC, "author"));
	if (it->author == NULL && feed_author != NULL)
		it->author = xstrdup(feed_author);
	static const char *const pub[] = { "published", "issued", "created" };
	for (size_t i = 0; i < ARRAY_LEN(pub) && it->published == DATE_NONE;
	     i++)
		it->published = el_date(c, child(el, M_ATOMDOC, pub[i]));
	it->updated = el_date(c, child(el, M_ATOMDOC, "updated"));
	if (it->updated == DATE_NONE)
		it->updated = el_date(c, child(el, M_ATOMDOC, "modified"));
	it->summary = atom_text(c, child(el, M_ATOMDOC, "summary"));
	xmlNode *content = child(el, M_ATOMDOC, "content");
	if (content != NULL && !xmlHasProp(content, (const xmlChar *)"src"))
		it->content = atom_text(c, content);
	it->lang = item_lang(el, c->feed->lang);
}

static void
parse_atom(struct ctx *c, xmlNode *root)
{
	struct feed *f = c->feed;

	f->title = atom_text(c, child(root, M_ATOMDOC, "title"));
	f->link = atom_link(c, root, M_ATOMDOC, NULL);
	f->lang = inherited_lang(root);
	char *author = atom_author(c, child(root, M_ATOMDOC, "author"));
	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (is_el(n, M_ATOMDOC, "entry"))
			atom_entry(c, n, author);
	free(author);
}

static int
is_name_char(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.' ||
	    ch == ':' || ch >= 0x80;
}

/* Past this size an internal subset is not searched for each reference
 * (a hostile document could make that quadratic): its names are all taken
 * as declared, and libxml2 reads them as it always did. */
#define SUBSET_SEARCH_MAX ((size_t)64 << 10)

/* The internal DTD subset, where a document declares its entities. */
struct subset {
	const char *start;
	size_t len;
};

static struct subset
internal_subset(const char *s, size_t len)
{
	struct subset d = { NULL, 0 };
	/* Only the prolog may hold one: stop at the root element. */
	const char *root = s;
	while ((root = memchr(root, '<', len - (size_t)(root - s))) != NULL &&
	    root + 1 < s + len && !isalpha((unsigned char)root[1]))
		root++;
	size_t prolog = root ? (size_t)(root - s) : len;
	const char *doctype = memmem(s, prolog, "<!DOCTYPE", 9);

	if (doctype == NULL)
		return d;
	size_t left = len - (size_t)(doctype - s);
	const char *open = memchr(doctype, '[', left);
	const char *gt = memchr(doctype, '>', left);
	if (open == NULL || (gt != NULL && gt < open))
		return d;
	const char *close = memmem(open, len - (size_t)(open - s), "]>", 2);
	d.start = open;
	d.len = close ? (size_t)(close - open) : len - (size_t)(open - s);
	return d;
}

/* Whether the subset declares a general entity called name[0..n). */
static int
declared(const struct subset *d, const char *name, size_t n)
{
	if (d->len > SUBSET_SEARCH_MAX)
		return 1;
	/* No subset declares nothing (and NULL + 0 is undefined). */
	if (d->start == NULL)
		return 0;
	const char *p = d->start, *end = d->start + d->len;
	while (p != NULL &&
	    (p = memmem(p, (size_t)(end - p), "<!ENTITY", 8)) != NULL) {
		p += 8;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if ((size_t)(end - p) > n && memcmp(p, name, n) == 0 &&
		    isspace((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

/* Length of the reference at p ("&...;") if XML accepts it as written;
 * 0 if not. *upper_x is set for "&#X", which only needs its x lowered;
 * *html for a name that is neither one of XML's five nor declared by the
 * document (an HTML entity, whatever DTD it names but is not read). */
static size_t
ref_len(const char *p, const char *end, const struct subset *dtd, int *upper_x,
    int *html)
{
	const char *q = p + 1;

	*upper_x = *html = 0;
	if (q < end && *q == '#') {
		q++;
		int hex = q < end && (*q == 'x' || *q == 'X');
		*upper_x = hex && *q == 'X';
		q += hex;
		const char *digits = q;
		while (q < end &&
		    (hex ? isxdigit((unsigned char)*q)
		         : isdigit((unsigned char)*q)))
			q++;
		return q > digits && q < end && *q == ';' ? (size_t)(q - p + 1)
		                                          : 0;
	}
	const char *name = q;
	while (q < end && q - name < 64 && is_name_char((unsigned char)*q))
		q++;
	if (q == name || q >= end || *q != ';' || isdigit((unsigned char)*name))
		return 0;
	static const char *const predefined[] = { "amp", "lt", "gt", "quot",
		"apos" };
	size_t n = (size_t)(q - name);
	for (size_t i = 0; i < ARRAY_LEN(predefined); i++)
		if (strlen(predefined[i]) == n &&
		    memcmp(name, predefined[i], n) == 0)
			return n + 2;
	*html = !declared(dtd, name, n);
	return n + 2;
}

/* What XML leaves alone: CDATA sections, comments and processing
 * instructions. Returns where the construct at p ends, or p. */
static const char *
skip_verbatim(const char *p, const char *end)
{
	static const struct {
		const char *open, *close;
	} kinds[] = { { "<![CDATA[", "]]>" }, { "<!--", "-->" },
		{ "<?", "?>" } };

	if (end - p < 2 || (p[1] != '!' && p[1] != '?'))
		return p;
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		size_t ol = strlen(kinds[i].open), cl = strlen(kinds[i].close);
		if ((size_t)(end - p) < ol || memcmp(p, kinds[i].open, ol) != 0)
			continue;
		const char *close =
		    memmem(p + ol, (size_t)(end - p) - ol, kinds[i].close, cl);
		return close ? close + cl : end;
	}
	return p;
}

/*
 * References made well-formed before libxml2 reads them, because once a
 * document is ill-formed its recovery drops every later reference, "&amp;"
 * included, and a bare "&" loses the rest of a URL ("?a=1&b=2"). A bare
 * "&" becomes "&amp;"; "&#X41;" becomes "&#x41;"; a name the document
 * does not declare in its internal subset ("&eacute;", undeclared, or
 * declared by an external DTD that is never read) is kept as the text
 * "&eacute;", which the HTML reading of RSS text decodes.
 * Returns 1 with the repaired copy in out, 0 when nothing needed it.
 */
static int
repair_refs(const char *s, size_t len, struct buf *out)
{
	const char *end = s + len, *p = s, *copied = s;
	struct subset dtd = internal_subset(s, len);

	while (p < end) {
		/* s is NUL-terminated (a buf), so the library's vectorised
		 * scan applies; a NUL inside is stepped over. */
		p += strcspn(p, "&<");
		if (p >= end)
			break;
		if (*p == '\0') {
			p++;
			continue;
		}
		if (*p == '<') {
			const char *v = skip_verbatim(p, end);
			p = v == p ? p + 1 : v;
			continue;
		}
		int upper_x, html;
		size_t n = ref_len(p, end, &dtd, &upper_x, &html);
		if (n > 0 && !upper_x && !html) {
			p += n;
			continue;
		}
		buf_append(out, copied, (size_t)(p - copied));
		int amp = n == 0 || html;
		buf_puts(out, amp ? "&amp;" : "&#x");
		p += amp ? 1 : 3;
		copied = p;
	}
	if (out->data == NULL)
		return 0;
	buf_append(out, copied, (size_t)(end - copied));
	return 1;
}

/* The parser's last error as "line N: message", on one line. */
static void
last_error(xmlParserCtxt *pc, char *msg, size_t len)
{
	const xmlError *e = xmlCtxtGetLastError(pc);

	if (e == NULL || e->message == NULL)
		return;
	snprintf(msg, len, "line %d: %s", e->line, e->message);
	msg[strcspn(msg, "\r\n")] = '\0';
}

/* "prefix:name" or "name" of an element, as its tags are written. */
static char *
qname(const xmlNode *n)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		return xasprintf("%s:%s", n->ns->prefix, n->name);
	return xstrdup((const char *)n->name);
}

/* The next start tag of qname in [p, end), or NULL. */
static const char *
find_tag(const char *p, const char *end, const char *qname)
{
	size_t n = strlen(qname);

	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) > n + 1 &&
		    strncmp(p + 1, qname, n) == 0 &&
		    strchr(" \t\r\n/>", p[n + 1]) != NULL)
			return p;
		p++;
	}
	return NULL;
}

/* The first element under parent (its children, or its grandchildren
 * under channel) named like the feed's items. */
static xmlNode *
first_item(xmlNode *parent, unsigned mask, const char *name)
{
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (is_el(n, mask, name))
			return n;
	return NULL;
}

/* libxml2 stopped inside the document (an element nested past its
 * limit, entities expanding past theirs): the tree ends there, and every
 * item after the hostile one would be lost. Each item's text after those
 * the tree holds is read again alone, inside the root's start tag (its
 * namespaces and base), and added; feed->skipped says what happened. */
static void
read_on(struct ctx *c, const char *s, size_t len, xmlNode *root, int kind,
    const char *why)
{
	const char *end = s + len, *name = kind == 2 ? "entry" : "item";
	unsigned mask = kind == 2 ? M_ATOMDOC : M_PLAIN;
	xmlNode *parent = kind == 0 ? child(root, M_PLAIN, "channel") : root;
	xmlNode *seen = first_item(parent, mask, name);
	char *root_q = qname(root),
	     *item_q = seen ? qname(seen) : xstrdup(name);
	char *author =
	    kind == 2 ? atom_author(c, child(root, M_ATOMDOC, "author")) : NULL;
	char *close = xasprintf("</%s>", item_q);
	const char *rs = find_tag(s, end, root_q), *rs_end;
	size_t had = c->feed->nitems, index = 0, added = 0;
	xmlDoc *doc = c->doc;

	rs_end = rs ? memchr(rs, '>', (size_t)(end - rs)) : NULL;
	for (const char *p = rs_end ? find_tag(rs_end, end, item_q) : NULL;
	     p != NULL; index++) {
		const char *next = find_tag(p + 1, end, item_q);
		const char *stop = next ? next : end;
		const char *shut =
		    memmem(p, (size_t)(stop - p), close, strlen(close));
		const char *chunk_end = shut ? shut + strlen(close) : stop;
		if (index >= had) {
			struct buf w;
			buf_init(&w);
			buf_append(&w, rs, (size_t)(rs_end + 1 - rs));
			buf_puts(&w, kind == 0 ? "<channel>" : "");
			buf_append(&w, p, (size_t)(chunk_end - p));
			buf_printf(&w, "%s</%s>", kind == 0 ? "</channel>" : "",
			    root_q);
			xmlParserCtxt *pc = xmlNewParserCtxt();
			c->doc = pc && w.len <= INT_MAX
			    ? xmlCtxtReadMemory(pc, w.data, (int)w.len, NULL,
			          NULL, XML_OPTIONS)
			    : NULL;
			xmlNode *r =
			    c->doc ? xmlDocGetRootElement(c->doc) : NULL;
			xmlNode *el = first_item(
			    kind == 0 ? child(r, M_PLAIN, "channel") : r, mask,
			    name);
			if (el != NULL && kind == 2)
				atom_entry(c, el, author);
			else if (el != NULL)
				rss_item(c, el, kind == 1);
			added += el != NULL;
			xmlFreeDoc(c->doc);
			xmlFreeParserCtxt(pc);
			buf_clear(&w);
		}
		p = next;
	}
	c->doc = doc;
	c->feed->skipped = xasprintf(
	    "%s; the items after it read one by one (%zu)", why, added);
	free(close);
	free(author);
	free(item_q);
	free(root_q);
}

static int
parse_xml(struct ctx *c, const char *s, size_t len, char *err, size_t errlen)
{
	xmlParserCtxt *pc = xmlNewParserCtxt();
	char msg[160] = "no root element";
	int kind;

	if (pc == NULL)
		return err_set(err, errlen, "out of memory");
	c->doc = xmlCtxtReadMemory(pc, s, (int)len, NULL, NULL, XML_OPTIONS);
	xmlNode *root = c->doc ? xmlDocGetRootElement(c->doc) : NULL;
	last_error(pc, msg, sizeof msg);
	/* With XML_PARSE_RECOVER, errors leave the parser going; only one
	 * it cannot go on from stops it (xmlHaltParser). */
	int halted = pc->disableSAX != 0;
	xmlFreeParserCtxt(pc);
	if (root == NULL)
		return err_set(err, errlen, "not XML (%s)", msg);

	const char *name = (const char *)root->name;
	if (strcmp(name, "rss") == 0)
		kind = 0;
	else if (strcmp(name, "RDF") == 0 && (ns_mask(root) & M_RDF))
		kind = 1;
	else if (strcmp(name, "feed") == 0 && (ns_mask(root) & M_ATOMDOC))
		kind = 2;
	else if (strcasecmp(name, "html") == 0)
		return err_set(err, errlen, "not a feed (HTML page)");
	else
		return err_set(
		    err, errlen, "not a feed (root element <%.40s>)", name);
	if (kind == 2)
		parse_atom(c, root);
	else
		parse_rss(c, root, kind);
	if (halted)
		read_on(c, s, len, root, kind, msg);
	return 0;
}

/* --- JSON Feed --- */

/* A string member; without len, none when it holds a NUL (\\u0000): a
 * URL or a date cut there would be another one. */
static const char *
jstr(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	else if (strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static char *
jplain(json_t *o, const char *key)
{
	size_t len;
	const char *s = jstr(o, key, &len);

	return s ? nonempty(text_collapse(s, len)) : NULL;
}

static int64_t
jdate(json_t *o, const char *key)
{
	return date_parse(jstr(o, key, NULL));
}

/* authors[0].name (1.1), else author.name (1.0). */
static char *
jauthor(json_t *o)
{
	char *s =
	    jplain(json_array_get(json_object_get(o, "authors"), 0), "name");

	return s ? s : jplain(json_object_get(o, "author"), "name");
}

static char *
jid(json_t *v)
{
	if (json_is_string(v))
		return nonempty(
		    text_collapse(json_string_value(v), json_string_length(v)));
	if (json_is_integer(v))
		return xasprintf(
		    "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.15g", json_real_value(v));
	return NULL;
}

static void
json_item(struct ctx *c, json_t *o, const char *base, const char *author)
{
	struct item *it = new_item(c);
	size_t len;
	const char *s;

	it->id = jid(json_object_get(o, "id"));
	if ((s = jstr(o, "url", NULL)) != NULL) {
		it->link = url_resolve(base, s);
		if (it->link == NULL)
			it->link = nonempty(text_collapse(s, strlen(s)));
	}
	it->title = jplain(o, "title");
	it->author = jauthor(o);
	if (it->author == NULL && author != NULL)
		it->author = xstrdup(author);
	it->published = jdate(o, "date_published");
	it->updated = jdate(o, "date_modified");
	it->summary = jplain(o, "summary");
	if ((s = jstr(o, "content_html", &len)) != NULL)
		it->content = nonempty(text_from_html(s, len));
	if (it->content == NULL)
		it->content = jplain(o, "content_text");
	it->lang = jplain(o, "language");
	if (it->lang == NULL && c->feed->lang != NULL)
		it->lang = xstrdup(c->feed->lang);
}

static int
parse_json(struct ctx *c, const char *s, size_t len, char *err, size_t errlen)
{
	int cut;
	/* A NUL (\\u0000) in one string does not cost the whole feed: text
	 * drops it, a URL or a date holding one is none (jstr). */
	json_t *root = json_doc_load(s, len, &cut, err, errlen);

	if (root == NULL)
		return -1;
	if (cut)
		c->feed->skipped = xasprintf(
		    "values nested deeper than %d left out", JSON_DOC_DEPTH);
	json_t *items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		json_decref(root);
		return err_set(err, errlen, "not a feed (JSON without items)");
	}
	struct feed *f = c->feed;
	f->title = jplain(root, "title");
	f->link = jplain(root, "home_page_url");
	f->lang = jplain(root, "language");
	const char *base =
	    c->base_url ? c->base_url : jstr(root, "feed_url", NULL);
	char *author = jauthor(root);
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o) if (json_is_object(o))
	    json_item(c, o, base, author);
	free(author);
	json_decref(root);
	return 0;
}

/* --- Entry point --- */

static int
is_json_type(const char *ct)
{
	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	size_t n = strcspn(ct, "; ");
	return (n == 16 && strncasecmp(ct, "application/json", n) == 0) ||
	    (n == 21 && strncasecmp(ct, "application/feed+json", n) == 0);
}

static const char *
skip_space(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* An HTML page served where a feed was expected: its doctype or <html>
 * comes first, after any XML declaration and comments. */
static int
is_html_page(const char *p, const char *end)
{
	for (;;) {
		p = skip_space(p, end);
		const char *close = NULL;
		if (end - p >= 2 && strncmp(p, "<?", 2) == 0)
			close = memmem(p, (size_t)(end - p), "?>", 2);
		else if (end - p >= 4 && strncmp(p, "<!--", 4) == 0)
			close = memmem(p, (size_t)(end - p), "-->", 3);
		else
			break;
		if (close == NULL)
			return 0;
		p = close + 2;
	}
	size_t left = (size_t)(end - p);
	if (left >= 14 && strncasecmp(p, "<!doctype html", 14) == 0)
		return 1;
	return left >= 6 && strncasecmp(p, "<html", 5) == 0 &&
	    (isspace((unsigned char)p[5]) || p[5] == '>');
}

int
feed_parse(
    const struct feed_input *in, struct feed **out, char *err, size_t errlen)
{
	struct ctx c = { .base_url = in->base_url,
		.entity_budget = ENTITY_BUDGET };
	struct buf u;
	int r;

	*out = NULL;
	if (in->len > FEED_MAX_SIZE)
		return err_set(err, errlen, "document larger than %zu MiB",
		    FEED_MAX_SIZE >> 20);
	buf_init(&u);
	charset_xml_utf8(&u, in->data, in->len, in->content_type);
	const char *s = u.data ? u.data : "";
	const char *start = skip_space(s, s + u.len);
	if (start == s + u.len) {
		buf_clear(&u);
		return err_set(err, errlen, "empty document");
	}
	c.feed = xcalloc(1, sizeof *c.feed);
	if (is_json_type(in->content_type) || *start == '{')
		r = parse_json(&c, s, u.len, err, errlen);
	else if (*start != '<')
		r = err_set(err, errlen, "neither XML nor JSON");
	else if (is_html_page(start, s + u.len)) {
		err_set(err, errlen, "not a feed (HTML page)");
		r = -2;
	} else {
		struct buf fixed;
		buf_init(&fixed);
		size_t len = u.len;
		if (repair_refs(s, u.len, &fixed)) {
			s = fixed.data;
			len = fixed.len;
		}
		if (len > INT_MAX)
			r = err_set(err, errlen, "document too large");
		else
			r = parse_xml(&c, s, len, err, errlen);
		buf_clear(&fixed);
	}
	xmlFreeDoc(c.doc);
	buf_clear(&u);
	if (r < 0) {
		feed_free(c.feed);
		return r == -2 ? -2 : -1;
	}
	*out = c.feed;
	return 0;
}

void
item_clear(struct item *it)
{
	free(it->id);
	free(it->link);
	free(it->title);
	free(it->author);
	free(it->author_url);
	free(it->relayed_from);
	free(it->summary);
	free(it->content);
	free(it->lang);
	memset(it, 0, sizeof *it);
}

void
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nitems; i++)
		item_clear(&f->items[i]);
	free(f->items);
	free(f->title);
	free(f->link);
	free(f->lang);
	free(f->skipped);
	free(f);
}
