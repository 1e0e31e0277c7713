/*
 * extract.c - items out of HTML pages by XPath rules (see extract.h).
 *
 * The page is decoded to UTF-8 by charset.h (BOM, then HTTP charset, then
 * <meta charset>, else UTF-8 when valid, else windows-1252), parsed by
 * libxml2's HTML parser with recovery and no network, and queried with compiled
 * XPath under an operation budget, so a hostile page costs bounded time and
 * memory. This module also owns the engine presets; dates are read by
 * page_date.c.
 */
#include "core/read/extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/read/charset.h"
#include "core/read/date.h"
#include "core/read/page_date.h"
#include "core/read/text.h"
#include "core/read/url.h"

/* Larger pages are cut here and what was read is used: a forum page is
 * rarely over 1 MiB. */
#define EXTRACT_MAX_SIZE ((size_t)16 << 20)
/* Items per page: no real page lists more; a rule matching every <div>
 * of a huge page stops here. */
#define EXTRACT_MAX_ITEMS 1000
/* Bytes kept per field: a forum post's text, a title, an author. */
#define EXTRACT_MAX_TEXT ((size_t)64 << 10)
#define EXTRACT_MAX_SHORT ((size_t)1 << 10)
/* XPath steps for a whole page: ample for rules over a 16 MiB page (a few
 * passes over its nodes), far below what a rule that revisits the whole
 * tree per item would need there. */
#define EXTRACT_XPATH_OPS 50000000UL

/* --- Presets --- */

/* XPath 1.0 has no class selector: a whole word of @class. */
#define CLASS(c) \
	"contains(concat(' ', normalize-space(@class), ' '), ' " c " ')"

/*
 * A preset is a struct extract_rules written for an engine's default
 * theme; a source's own keys override it field by field. To add one,
 * append an entry to presets[] and its name to extract_preset_names[].
 */
static const struct {
	const char *name;
	struct extract_rules rules;
} presets[] = {
	/* phpBB 3.x, prosilver: viewtopic.php. */
	{ "phpbb",
	    {
	        .item = "//div[" CLASS("post") "][starts-with(@id, 'p')]",
	        .title = ".//h3/a",
	        .link = ".//h3/a/@href",
	        .author = ".//*[" CLASS("postprofile") "]//a[" CLASS(
	            "username") " or " CLASS("username-coloured") "]",
	        .date = ".//p[" CLASS("author") "]/time/@datetime",
	        .text = ".//div[" CLASS("content") "]",
	        .exclude = ".//blockquote | .//div[" CLASS("signature") "]",
	        .next =
	            "//li[" CLASS("next") "]/a/@href | //a[@rel='next']/@href",
	    } },
	/* Discourse's server-rendered view (no JavaScript): posts of /t/
	 * pages and rows of /latest and category lists. A post has no link
	 * of its own there: it is the topic's URL and the post number. */
	{ "discourse",
	    {
	        .item = "//div[" CLASS(
	            "crawler-post") "][starts-with(@id, 'post_')]"
	                            " | //tr[" CLASS(
	                                "topic-list-item") "]"
	                                                   " | //div[@itemprop='itemListElement']",
	        .title = ".//a[" CLASS(
	            "raw-topic-link") "]"
	                              " | //div[@id='topic-title']//h1",
	        .link = "concat(.//a[" CLASS(
	            "raw-topic-link") "]/@href,"
	                              " .//link[@itemprop='mainEntityOfPage']/@href,"
	                              " substring(concat('/', substring-after(@id, 'post_')), 1,"
	                              " 12 * starts-with(@id, 'post_')))",
	        .author = ".//*[@itemprop='author']//*[@itemprop='name']",
	        .date = ".//time[" CLASS("post-time") "]/@datetime",
	        .text = ".//div[@itemprop='text' or @itemprop='articleBody']"
	                " | .//p[" CLASS("excerpt") "]",
	        .exclude = ".//aside[" CLASS("quote") "] | .//blockquote",
	        .next = "//link[@rel='next']/@href | //a[@rel='next']/@href",
	    } },
	/* XenForo 2: threads. */
	{ "xenforo",
	    {
	        .item = "//article[" CLASS("message") "][" CLASS(
	            "message--post") "]",
	        .title = "//h1[" CLASS("p-title-value") "]",
	        .link = ".//ul[" CLASS("message-attribution-main") "]//a/@href",
	        .author = "@data-author",
	        .date = ".//ul[" CLASS(
	            "message-attribution-main") "]//time/@datetime",
	        .text = ".//div[" CLASS("message-userContent") "]",
	        .exclude =
	            ".//blockquote | .//aside[" CLASS("message-signature") "]",
	        .next = "//a[" CLASS(
	            "pageNav-jump--next") "]/@href"
	                                  " | //link[@rel='next']/@href",
	    } },
	/* WordPress: home, archive, category and search pages of the usual
	 * themes (Twenty Ten to Twenty Seventeen, Astra, GeneratePress...). */
	{ "wordpress",
	    {
	        .item =
	            "//article[" CLASS("post") " or " CLASS("type-post") "]",
	        .title = ".//*[" CLASS("entry-title") "]",
	        .link = ".//*[" CLASS("entry-title") "]//a/@href",
	        .author = ".//*[" CLASS("author") "][" CLASS("vcard") "]",
	        .date = ".//time[" CLASS("entry-date") "]/@datetime",
	        .text = "(.//*[" CLASS(
	            "entry-summary") "]"
	                             " | .//*[" CLASS("entry-content") "])[1]",
	        .exclude = ".//a[" CLASS("more-link") "]"
	                                              " | .//div[" CLASS(
	                                                  "sharedaddy") "]",
	        .next = "//link[@rel='next']/@href | //a[@rel='next']/@href"
	                " | //a[" CLASS("next") "][" CLASS(
	                    "page-numbers") "]/@href"
	                                    " | //div[" CLASS(
	                                        "nav-previous") "]/a/@href",
	    } },
};

const char *const extract_preset_names[] = { "phpbb", "discourse", "xenforo",
	"wordpress", NULL };

/* Where no next rule is given: the link the page declares. */
#define DEFAULT_NEXT "//link[@rel='next']/@href | //a[@rel='next']/@href"

const struct extract_rules *
extract_preset(const char *name)
{
	for (size_t i = 0; name != NULL && i < ARRAY_LEN(presets); i++)
		if (strcasecmp(name, presets[i].name) == 0)
			return &presets[i].rules;
	return NULL;
}

/* --- Rules --- */

enum field {
	F_TITLE,
	F_LINK,
	F_AUTHOR,
	F_DATE,
	F_TEXT,
	F_EXCLUDE,
	F_NEXT,
	F_ITEM,
	F_COUNT
};

static const char *const field_names[F_COUNT] = { "title", "link", "author",
	"date", "text", "exclude", "next", "item" };

static const char *
rule_of(const struct extract_rules *r, enum field f)
{
	switch (f) {
	case F_TITLE:
		return r->title;
	case F_LINK:
		return r->link;
	case F_AUTHOR:
		return r->author;
	case F_DATE:
		return r->date;
	case F_TEXT:
		return r->text;
	case F_EXCLUDE:
		return r->exclude;
	case F_NEXT:
		return r->next ? r->next : DEFAULT_NEXT;
	case F_ITEM:
	case F_COUNT:
		break;
	}
	return r->item;
}

static void
free_comps(xmlXPathCompExprPtr comp[F_COUNT])
{
	for (int f = 0; f < F_COUNT; f++)
		xmlXPathFreeCompExpr(comp[f]);
}

/* Compiles every rule; on failure names the rule and quotes libxml2. */
static int
compile(const struct extract_rules *r, xmlXPathCompExprPtr comp[F_COUNT],
    char *err, size_t errlen)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
	int rc = 0;

	if (ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(comp, 0, F_COUNT * sizeof comp[0]);
	for (int f = 0; f < F_COUNT && rc == 0; f++) {
		const char *expr = rule_of(r, (enum field)f);

		if (expr == NULL)
			continue;
		xmlResetError(&ctx->lastError);
		comp[f] = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr);
		if (comp[f] != NULL)
			continue;
		const char *why = ctx->lastError.message;
		size_t n = why ? strcspn(why, "\n") : 0;
		snprintf(err, errlen, "%s rule: invalid XPath: %.*s: %s",
		    field_names[f], (int)n, n ? why : "syntax error", expr);
		rc = -1;
	}
	xmlResetError(&ctx->lastError);
	xmlXPathFreeContext(ctx);
	if (rc == -1)
		free_comps(comp);
	return rc;
}

int
extract_check(const struct extract_rules *r, char *err, size_t errlen)
{
	xmlXPathCompExprPtr comp[F_COUNT];

	if (r->item == NULL) {
		snprintf(err, errlen, "item rule missing");
		return -1;
	}
	if (compile(r, comp, err, errlen) == -1)
		return -1;
	free_comps(comp);
	return 0;
}

/* --- Values --- */

struct page {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	const char *base; /* <base href> resolved, else the page's URL */
	xmlNodePtr *dropped; /* excluded nodes, unlinked, freed at the end */
	size_t ndropped, capdropped;
	int over; /* the XPath budget ran out */
};

static xmlXPathObjectPtr
eval(struct page *pg, xmlXPathCompExprPtr comp, xmlNodePtr node)
{
	if (comp == NULL || pg->over)
		return NULL;
	pg->ctx->node = node;
	xmlXPathObjectPtr o = xmlXPathCompiledEval(comp, pg->ctx);
	if (o == NULL && pg->ctx->opCount >= pg->ctx->opLimit)
		pg->over = 1;
	return o;
}

/* Cuts s to at most max bytes, at a character boundary. */
static char *
cap_text(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
	return s;
}

/*
 * The text of one node. An element gives its text, except that where a
 * URL or a date is wanted an element carrying one in its usual attribute
 * (<a href>, <time datetime>) gives that: ".//h2/a" works as a link rule.
 */
static char *
node_value(xmlNodePtr n, enum field f)
{
	const char *attr = f == F_LINK ? "href"
	    : f == F_DATE              ? "datetime"
	                               : NULL;
	xmlChar *v = NULL;

	if (n->type == XML_ELEMENT_NODE && attr != NULL)
		v = xmlGetProp(n, (const xmlChar *)attr);
	if (v == NULL && n->type == XML_ELEMENT_NODE)
		return text_from_node(n);
	if (v == NULL)
		v = xmlNodeGetContent(n);
	if (v == NULL)
		return xstrdup("");
	char *s = text_collapse((const char *)v, strlen((const char *)v));
	xmlFree(v);
	return s;
}

/* A field's value: the first node selected, or for text every node selected
 * joined by spaces; a string, number or boolean as XPath writes it. NULL
 * when there is nothing or only white space. */
static char *
value(struct page *pg, xmlXPathCompExprPtr comp, xmlNodePtr node, enum field f)
{
	size_t max = f == F_TEXT ? EXTRACT_MAX_TEXT : EXTRACT_MAX_SHORT;
	xmlXPathObjectPtr o = eval(pg, comp, node);
	char *s = NULL;

	if (o == NULL)
		return NULL;
	if (o->type == XPATH_NODESET) {
		xmlNodeSetPtr set = o->nodesetval;
		int n = set ? set->nodeNr : 0;
		struct buf b;

		buf_init(&b);
		for (int i = 0; i < n && b.len < max; i++) {
			char *v = node_value(set->nodeTab[i], f);
			if (v[0] != '\0')
				buf_printf(&b, "%s%s", b.len ? " " : "", v);
			free(v);
			if (f != F_TEXT && b.len > 0)
				break;
		}
		s = b.len ? buf_release(&b) : NULL;
		buf_clear(&b);
	} else {
		xmlChar *v = xmlXPathCastToString(o);
		if (v != NULL && v[0] != '\0')
			s = text_collapse(
			    (const char *)v, strlen((const char *)v));
		xmlFree(v);
		if (s != NULL && s[0] == '\0') {
			free(s);
			s = NULL;
		}
	}
	xmlXPathFreeObject(o);
	return s ? cap_text(s, max) : NULL;
}

static char *
url_value(struct page *pg, xmlXPathCompExprPtr comp, xmlNodePtr node)
{
	char *ref = value(pg, comp, node, F_LINK);
	char *abs = ref ? url_resolve(pg->base, ref) : NULL;

	free(ref);
	/* javascript:, mailto: and the like lead to no page. */
	if (abs != NULL && !url_is_http(abs)) {
		free(abs);
		abs = NULL;
	}
	return abs;
}

/* Unlinks the nodes the exclude rule selects under node. They are freed
 * with the page, not now: another item may still be among them. */
static void
drop_excluded(struct page *pg, xmlXPathCompExprPtr comp, xmlNodePtr node)
{
	xmlXPathObjectPtr o = eval(pg, comp, node);

	if (o != NULL && o->type == XPATH_NODESET && o->nodesetval != NULL) {
		xmlNodeSetPtr set = o->nodesetval;
		for (int i = 0; i < set->nodeNr; i++) {
			xmlNodePtr n = set->nodeTab[i];
			if (n->type != XML_ELEMENT_NODE || n == node ||
			    n->parent == NULL)
				continue;
			xmlUnlinkNode(n);
			if (pg->ndropped == pg->capdropped) {
				pg->capdropped =
				    pg->capdropped ? pg->capdropped * 2 : 16;
				pg->dropped = xreallocarray(pg->dropped,
				    pg->capdropped, sizeof *pg->dropped);
			}
			pg->dropped[pg->ndropped++] = n;
		}
	}
	xmlXPathFreeObject(o);
}

static void
read_item(struct page *pg, xmlXPathCompExprPtr comp[F_COUNT], xmlNodePtr n,
    const struct extract_rules *r, int64_t now, struct item *it,
    struct extract_stats *st)
{
	drop_excluded(pg, comp[F_EXCLUDE], n);
	it->title = value(pg, comp[F_TITLE], n, F_TITLE);
	it->link = url_value(pg, comp[F_LINK], n);
	it->author = value(pg, comp[F_AUTHOR], n, F_AUTHOR);
	it->content = value(pg, comp[F_TEXT], n, F_TEXT);
	char *d = value(pg, comp[F_DATE], n, F_DATE);
	it->published = d ? page_date_parse(d, r->date_format, now) : DATE_NONE;
	it->updated = DATE_NONE;
	free(d);
	it->id = it->link ? xstrdup(it->link) : NULL;
	st->title += it->title != NULL;
	st->link += it->link != NULL;
	st->author += it->author != NULL;
	st->date += it->published != DATE_NONE;
	st->text += it->content != NULL;
}

static char *
doc_string(struct page *pg, const char *expr)
{
	xmlXPathCompExprPtr comp = xmlXPathCompile((const xmlChar *)expr);
	char *s = comp ? value(pg, comp, (xmlNodePtr)pg->doc, F_TITLE) : NULL;

	xmlXPathFreeCompExpr(comp);
	return s;
}

static int
read_items(struct page *pg, const struct extract_rules *r,
    xmlXPathCompExprPtr comp[F_COUNT], const struct extract_input *in,
    struct feed *feed, struct extract_stats *st, char *err, size_t errlen)
{
	xmlXPathObjectPtr items = eval(pg, comp[F_ITEM], (xmlNodePtr)pg->doc);

	if (items == NULL)
		return err_set(err, errlen,
		    pg->over ? "item rule: too much work for one page"
		             : "item rule: could not be evaluated");
	if (items->type != XPATH_NODESET) {
		xmlXPathFreeObject(items);
		return err_set(err, errlen,
		    "item rule selects no elements "
		    "(a string or a number)");
	}
	int n = items->nodesetval ? items->nodesetval->nodeNr : 0;
	if (n > EXTRACT_MAX_ITEMS)
		n = EXTRACT_MAX_ITEMS;
	feed->items = n > 0 ? xcalloc((size_t)n, sizeof *feed->items) : NULL;
	for (int i = 0; i < n && !pg->over; i++) {
		xmlNodePtr node = items->nodesetval->nodeTab[i];
		struct item *it = &feed->items[feed->nitems++];

		read_item(pg, comp, node, r, in->now, it, st);
		it->lang = feed->lang ? xstrdup(feed->lang) : NULL;
	}
	st->items = feed->nitems;
	xmlXPathFreeObject(items);
	return 0;
}

int
extract_html(const struct extract_rules *r, const struct extract_input *in,
    struct feed **out, char **next, struct extract_stats *stats, char *err,
    size_t errlen)
{
	xmlXPathCompExprPtr comp[F_COUNT];
	struct page pg = { 0 };
	struct extract_stats st = { 0 };
	size_t len = in->len < EXTRACT_MAX_SIZE ? in->len : EXTRACT_MAX_SIZE;
	struct buf u;
	int rc;

	*out = NULL;
	*next = NULL;
	if (stats != NULL)
		*stats = st;
	if (r->item == NULL)
		return err_set(err, errlen, "item rule missing");
	if (compile(r, comp, err, errlen) == -1)
		return -1;
	buf_init(&u);
	charset_html_utf8(&u, in->data, len, in->content_type);
	if (u.len == 0 || u.len > INT_MAX) {
		buf_clear(&u);
		free_comps(comp);
		return err_set(err, errlen, "empty page");
	}
	pg.doc = htmlReadMemory(
	    u.data, (int)u.len, in->base_url, "UTF-8", EXTRACT_HTML_OPTIONS);
	buf_clear(&u);
	pg.ctx = pg.doc ? xmlXPathNewContext(pg.doc) : NULL;
	if (pg.ctx == NULL) {
		xmlFreeDoc(pg.doc);
		free_comps(comp);
		return err_set(err, errlen, "page could not be parsed");
	}
	pg.ctx->opLimit = EXTRACT_XPATH_OPS;
	/* Numbered elements make document order a comparison of numbers;
	 * unnumbered, sorting a node set walks sibling lists, quadratic on a
	 * page of a thousand posts. */
	xmlXPathOrderDocElems(pg.doc);

	struct feed *feed = xcalloc(1, sizeof *feed);
	char *base = doc_string(&pg, "//base/@href");
	char *base_abs = url_resolve(in->base_url, base);
	pg.base = base_abs ? base_abs : in->base_url;
	feed->title = doc_string(&pg, "/html/head/title");
	feed->link = in->base_url ? xstrdup(in->base_url) : NULL;
	feed->lang = doc_string(&pg, "/html/@lang");

	rc = read_items(&pg, r, comp, in, feed, &st, err, errlen);
	if (rc == 0) {
		*next = url_value(&pg, comp[F_NEXT], (xmlNodePtr)pg.doc);
		/* A page pointing to itself would be fetched forever. */
		if (*next != NULL && in->base_url != NULL &&
		    strcmp(*next, in->base_url) == 0) {
			free(*next);
			*next = NULL;
		}
		*out = feed;
		if (stats != NULL)
			*stats = st;
	} else
		feed_free(feed);
	/* Dropped nodes name strings of the document's dictionary: they go
	 * before it. */
	for (size_t i = 0; i < pg.ndropped; i++)
		xmlFreeNode(pg.dropped[i]);
	free(pg.dropped);
	free(base);
	free(base_abs);
	xmlXPathFreeContext(pg.ctx);
	xmlFreeDoc(pg.doc);
	free_comps(comp);
	return rc;
}
