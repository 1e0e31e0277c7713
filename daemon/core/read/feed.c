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

#include "core/base/util.h"
#include "core/read/charset.h"
#include "core/read/date.h"
#include "core/read/text.h"
#include "core/read/url.h"

/* No feed worth reading is larger; the fetcher stops at the same size. */
#define FEED_MAX_SIZE ((size_t)64 << 20)
/* Text that declared entities may add to a whole document: plenty for
 * the odd "&company;", nothing like the gigabytes of a quadratic blow-up
 * (one large entity referenced a million times). */
#define ENTITY_BUDGET ((size_t)1 << 20)
/* A JSON Feed nests five levels; extensions get some room on top. */
#define JSON_MAX_DEPTH 64

#define XML_OPTIONS \
	(XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | \
	    XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC)

/* Namespaces an element may be in, as a mask so a lookup can accept
 * several (RSS 1.0 and 0.90 elements are namespaced, RSS 2.0's are not). */
enum {
	M_NONE = 1 << 0,
	M_RSS = 1 << 1,
	M_ATOM = 1 << 2,
	M_DC = 1 << 3,
	M_CONTENT = 1 << 4,
	M_RDF = 1 << 5,
	M_OTHER = 1 << 6,
};
#define M_PLAIN (M_NONE | M_RSS)
#define M_ATOMDOC (M_NONE | M_ATOM)

static const struct {
	const char *uri;
	unsigned mask;
} namespaces[] = {
	{ "http://purl.org/rss/1.0/", M_RSS },
	{ "http://my.netscape.com/rdf/simple/0.9/", M_RSS },
	{ "http://www.w3.org/2005/Atom", M_ATOM },
	{ "http://purl.org/atom/ns#", M_ATOM },
	{ "http://purl.org/dc/elements/1.1/", M_DC },
	{ "http://purl.org/dc/terms/", M_DC },
	{ "http://purl.org/rss/1.0/modules/content/", M_CONTENT },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", M_RDF },
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

static unsigned
ns_mask(const xmlNode *n)
{
	if (n->ns == NULL || n->ns->href == NULL)
		return M_NONE;
	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++)
		if (strcmp((const char *)n->ns->href, namespaces[i].uri) == 0)
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

/* Raw text, trimmed: ids, links, dates. */
static char *
el_raw(struct ctx *c, xmlNode *el)
{
	struct buf b;

	if (el == NULL)
		return NULL;
	buf_init(&b);
	gather(c, el, &b);
	const char *s = b.data ? b.data : "";
	size_t len = b.len;
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	char *out = xstrndup(s, len);
	buf_clear(&b);
	return nonempty(out);
}

/* An element's text through conv (text_collapse or text_from_html). */
static char *
el_text(struct ctx *c, xmlNode *el, char *(*conv)(const char *, size_t))
{
	char *raw = el_raw(c, el);
	char *out = raw ? conv(raw, strlen(raw)) : NULL;

	free(raw);
	return nonempty(out);
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

/* Atom text construct (and Atom 0.3's mode="escaped"). */
static char *
atom_text(struct ctx *c, xmlNode *el)
{
	if (el == NULL)
		return NULL;
	char *type = attr(el, "type");
	char *mode = attr(el, "mode");
	char *out;

	if (type != NULL && strstr(type, "xhtml") != NULL &&
	    (mode == NULL || strcmp(mode, "xml") == 0))
		out = el_xhtml(el);
	else if ((type != NULL && strstr(type, "html") != NULL) ||
	    (mode != NULL && strcmp(mode, "escaped") == 0))
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
	if (ref == NULL)
		return NULL;
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

/* The alternate link among parent's atom:link children, preferring an
 * HTML one. */
static char *
atom_link(struct ctx *c, xmlNode *parent, unsigned mask)
{
	xmlNode *best = NULL;

	for (xmlNode *n = parent->children; n != NULL; n = n->next) {
		if (!is_el(n, mask, "link"))
			continue;
		char *rel = attr(n, "rel");
		char *type = attr(n, "type");
		int alt = is_alternate(rel);
		int html = type != NULL && strcasecmp(type, "text/html") == 0;
		free(rel);
		free(type);
		if (alt && (best == NULL || html))
			best = n;
		if (alt && html)
			break;
	}
	return best ? resolve_at(c, best, nonempty(attr(best, "href"))) : NULL;
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

static int
looks_like_url(const char *s)
{
	return s != NULL &&
	    (strncasecmp(s, "http://", 7) == 0 ||
	        strncasecmp(s, "https://", 8) == 0);
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
	xmlNode *link = child(el, M_PLAIN, "link");
	it->link = resolve_at(c, link, el_raw(c, link));
	if (it->link == NULL && guid != NULL && looks_like_url(it->id)) {
		char *perma = attr(guid, "isPermaLink");
		if (perma == NULL || strcasecmp(perma, "false") != 0)
			it->link = resolve_at(c, guid, xstrdup(it->id));
		free(perma);
	}
	if (it->link == NULL)
		it->link = atom_link(c, el, M_ATOM);
	it->title = el_html(c, child(el, M_PLAIN, "title"));
	it->author = first_of(el_html(c, child(el, M_PLAIN, "author")),
	    el_html(c, child(el, M_DC, "creator")));
	it->published = el_date(c, child(el, M_PLAIN, "pubDate"));
	if (it->published == DATE_NONE)
		it->published = el_date(c, child(el, M_DC, "date"));
	it->updated = el_date(c, child(el, M_ATOM, "updated"));
	if (it->updated == DATE_NONE)
		it->updated = el_date(c, child(el, M_DC, "modified"));
	it->summary = el_html(c, child(el, M_PLAIN, "description"));
	it->content = el_html(c, child(el, M_CONTENT, "encoded"));
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
	/* RSS 1.0 puts items beside the channel, RSS 2.0 inside it. */
	xmlNode *parent = rdf ? root : ch;
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (is_el(n, M_PLAIN, "item"))
			rss_item(c, n, rdf);
}

static void
atom_entry(struct ctx *c, xmlNode *el, const char *feed_author)
{
	struct item *it = new_item(c);

	it->id = el_raw(c, child(el, M_ATOMDOC, "id"));
	it->link = atom_link(c, el, M_ATOMDOC);
	it->title = atom_text(c, child(el, M_ATOMDOC, "title"));
	/* Per RFC 4287 an entry without author inherits its source's, then
	 * the feed's. */
	it->author = atom_author(c, child(el, M_ATOMDOC, "author"));
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
	f->link = atom_link(c, root, M_ATOMDOC);
	f->lang = inherited_lang(root);
	char *author = atom_author(c, child(root, M_ATOMDOC, "author"));
	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (is_el(n, M_ATOMDOC, "entry"))
			atom_entry(c, n, author);
	free(author);
}

static int
parse_xml(struct ctx *c, const char *s, size_t len, char *err, size_t errlen)
{
	xmlParserCtxt *pc = xmlNewParserCtxt();

	if (pc == NULL)
		return err_set(err, errlen, "out of memory");
	c->doc = xmlCtxtReadMemory(pc, s, (int)len, NULL, NULL, XML_OPTIONS);
	xmlNode *root = c->doc ? xmlDocGetRootElement(c->doc) : NULL;
	if (root == NULL) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		char msg[160] = "no root element";
		if (e != NULL && e->message != NULL) {
			snprintf(msg, sizeof msg, "line %d: %s", e->line,
			    e->message);
			msg[strcspn(msg, "\r\n")] = '\0';
		}
		xmlFreeParserCtxt(pc);
		return err_set(err, errlen, "not XML (%s)", msg);
	}
	xmlFreeParserCtxt(pc);

	const char *name = (const char *)root->name;
	if (strcmp(name, "rss") == 0)
		parse_rss(c, root, 0);
	else if (strcmp(name, "RDF") == 0 && (ns_mask(root) & M_RDF))
		parse_rss(c, root, 1);
	else if (strcmp(name, "feed") == 0 && (ns_mask(root) & M_ATOMDOC))
		parse_atom(c, root);
	else if (strcasecmp(name, "html") == 0)
		return err_set(err, errlen, "not a feed (HTML page)");
	else
		return err_set(
		    err, errlen, "not a feed (root element <%.40s>)", name);
	return 0;
}

/* --- JSON Feed --- */

/* Deepest nesting of s, so jansson's recursive parser is only handed
 * documents of a sane shape. */
static int
json_depth(const char *s, size_t len)
{
	int depth = 0, max = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"')
			in_str = 1;
		else if (ch == '{' || ch == '[') {
			if (++depth > max)
				max = depth;
		} else if (ch == '}' || ch == ']')
			depth--;
	}
	return max;
}

static const char *
jstr(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
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
	json_error_t je;

	if (json_depth(s, len) > JSON_MAX_DEPTH)
		return err_set(err, errlen,
		    "not a feed (JSON nested deeper "
		    "than %d)",
		    JSON_MAX_DEPTH);
	json_t *root = json_loadb(s, len, 0, &je);
	if (root == NULL)
		return err_set(
		    err, errlen, "not JSON (line %d: %s)", je.line, je.text);
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
	} else if (u.len > INT_MAX)
		r = err_set(err, errlen, "document too large");
	else
		r = parse_xml(&c, s, u.len, err, errlen);
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
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nitems; i++) {
		struct item *it = &f->items[i];
		free(it->id);
		free(it->link);
		free(it->title);
		free(it->author);
		free(it->summary);
		free(it->content);
		free(it->lang);
	}
	free(f->items);
	free(f->title);
	free(f->link);
	free(f->lang);
	free(f);
}
