/*
 * extract.c - items out of HTML pages by XPath rules (see extract.h).
 *
 * The page is decoded to UTF-8 by the feed parser's rules (HTTP charset,
 * then BOM, then <meta charset>, else UTF-8 when valid, else
 * windows-1252), parsed by libxml2's HTML parser with recovery and no
 * network, and queried with compiled XPath under an operation budget, so
 * a hostile page costs bounded time and memory. This module also owns
 * the engine presets and the reading of dates as pages print them.
 */
#include "core/read/extract.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/base/util.h"
#include "core/read/date.h"
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

#define HTML_OPTIONS \
	(HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
	    HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT)

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

/* --- Charset --- */

/* The value of the first "charset=" in s[0..len), as HTTP headers and both
 * forms of <meta> write it. */
static void
charset_in(const char *s, size_t len, char *out, size_t outlen)
{
	const char *end = s + len;

	out[0] = '\0';
	for (const char *p = s; p != NULL && p + 7 < end;) {
		p = memmem(p, (size_t)(end - p), "harset", 6);
		if (p == NULL)
			return;
		const char *q = p + 6;
		p = q;
		if (tolower((unsigned char)q[-7]) != 'c')
			continue;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q != '=')
			continue;
		q++;
		while (q < end && (*q == ' ' || *q == '"' || *q == '\''))
			q++;
		size_t n = 0;
		while (q + n < end && n + 1 < outlen &&
		    (isalnum((unsigned char)q[n]) || strchr("-_.:", q[n])))
			n++;
		memcpy(out, q, n);
		out[n] = '\0';
		return;
	}
}

/* A <meta> declaring the charset, within the first 1024 bytes as the HTML
 * standard's prescan looks. */
static void
meta_charset(const char *s, size_t len, char *out, size_t outlen)
{
	size_t lim = len < 1024 ? len : 1024;
	const char *end = s + lim;

	out[0] = '\0';
	for (const char *p = s; p < end; p++) {
		if (*p != '<' || (size_t)(end - p) < 5 ||
		    strncasecmp(p + 1, "meta", 4) != 0)
			continue;
		const char *gt =
		    memchr(p, '>', (size_t)(len - (size_t)(p - s)));
		if (gt == NULL)
			return;
		charset_in(p, (size_t)(gt - p), out, outlen);
		if (out[0] != '\0')
			return;
		p = gt;
	}
}

static void
page_utf8(struct buf *b, const struct extract_input *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in->data;
	char cs[64];

	charset_in(in->content_type ? in->content_type : "",
	    in->content_type ? strlen(in->content_type) : 0, cs, sizeof cs);
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
		snprintf(cs, sizeof cs, "utf-8");
	} else if (len >= 2 &&
	    (memcmp(s, "\xff\xfe", 2) == 0 || memcmp(s, "\xfe\xff", 2) == 0)) {
		snprintf(cs, sizeof cs, "%s",
		    s[0] == 0xff ? "UTF-16LE" : "UTF-16BE");
		s += 2;
		len -= 2;
	} else if (cs[0] == '\0')
		meta_charset((const char *)s, len, cs, sizeof cs);
	/* A page declaring UTF-16 in ASCII bytes is mistaken. */
	if (strncasecmp(cs, "utf-16", 6) == 0 &&
	    s == (const unsigned char *)in->data)
		cs[0] = '\0';
	feed_decode(b, s, len, cs);
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
		buf_free(&b);
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
	it->published = d ? extract_date(d, r->date_format, now) : DATE_NONE;
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
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
read_items(struct page *pg, const struct extract_rules *r,
    xmlXPathCompExprPtr comp[F_COUNT], const struct extract_input *in,
    struct feed *feed, struct extract_stats *st, char *err, size_t errlen)
{
	xmlXPathObjectPtr items = eval(pg, comp[F_ITEM], (xmlNodePtr)pg->doc);

	if (items == NULL)
		return fail(err, errlen,
		    pg->over ? "item rule: too much work for one page"
		             : "item rule: could not be evaluated");
	if (items->type != XPATH_NODESET) {
		xmlXPathFreeObject(items);
		return fail(err, errlen,
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
		return fail(err, errlen, "item rule missing");
	if (compile(r, comp, err, errlen) == -1)
		return -1;
	buf_init(&u);
	page_utf8(&u, in, len);
	if (u.len == 0 || u.len > INT_MAX) {
		buf_free(&u);
		free_comps(comp);
		return fail(err, errlen, "empty page");
	}
	pg.doc = htmlReadMemory(
	    u.data, (int)u.len, in->base_url, "UTF-8", HTML_OPTIONS);
	buf_free(&u);
	pg.ctx = pg.doc ? xmlXPathNewContext(pg.doc) : NULL;
	if (pg.ctx == NULL) {
		xmlFreeDoc(pg.doc);
		free_comps(comp);
		return fail(err, errlen, "page could not be parsed");
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

/* --- Dates --- */

#define DAY_SECS 86400
#define DATE_MAX_LEN 256
#define DATE_MAX_TOKENS 48

/*
 * Lower-case ASCII with accents dropped, so "Févr.", "fevr" and "FÉVR"
 * read the same; other non-ASCII characters (non-breaking spaces, », ·)
 * become spaces. keep_case is for formats, whose %M and %m differ.
 */
static void
fold(const char *s, char *out, size_t outlen, int keep_case)
{
	/* U+00C0 to U+00FF, lower-cased, accents dropped. */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"
	                             "aaaaaaaceeeeiiiidnooooo ouuuuyty";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0' && n + 1 < outlen) {
		char c = ' ';
		if (*p < 0x80) {
			c = keep_case ? (char)*p : (char)tolower(*p);
			p++;
		} else if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			c = latin1[p[1] - 0x80];
			p += 2;
		} else if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0x98 || p[2] == 0x99)) {
			c = '\''; /* typographic apostrophes */
			p += 3;
		} else {
			size_t k = text_utf8_seq(p, strlen((const char *)p));
			p += k ? k : 1;
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

enum tok_kind { T_NUM, T_WORD, T_PUNCT };

struct tok {
	enum tok_kind kind;
	int num; /* T_NUM: its value; T_PUNCT: the character */
	int ndigits; /* T_NUM */
	char word[16];
};

static size_t
tokenize(const char *s, struct tok *t, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		struct tok *k = &t[n];
		memset(k, 0, sizeof *k);
		if (isdigit((unsigned char)*s)) {
			k->kind = T_NUM;
			while (isdigit((unsigned char)*s)) {
				if (k->ndigits < 9)
					k->num = k->num * 10 + (*s - '0');
				k->ndigits++;
				s++;
			}
		} else if (isalpha((unsigned char)*s)) {
			size_t w = 0;
			k->kind = T_WORD;
			while (isalpha((unsigned char)*s)) {
				if (w + 1 < sizeof k->word)
					k->word[w++] = *s;
				s++;
			}
		} else if (strchr(":/.-+,'", *s) != NULL) {
			k->kind = T_PUNCT;
			k->num = *s++;
		} else {
			s++;
			continue;
		}
		n++;
	}
	return n;
}

static int
is_word(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && strcmp(t->word, w) == 0;
}

static int
is_punct(const struct tok *t, int c)
{
	return t->kind == T_PUNCT && t->num == c;
}

/* Month 1-12 of a French or English name or abbreviation, else 0. */
static int
month_of(const char *w)
{
	static const char *const names[12] = { " janvier janv jan january ",
		" fevrier fevr fev february feb ", " mars mar march ",
		" avril avr april apr ", " mai may ", " juin jun june ",
		" juillet juil jul july ", " aout august aug ",
		" septembre sept sep september ", " octobre oct october ",
		" novembre nov november ", " decembre dec december " };
	char key[20];

	if (w[0] == '\0' || strlen(w) > 15)
		return 0;
	snprintf(key, sizeof key, " %s ", w);
	for (int m = 0; m < 12; m++)
		if (strstr(names[m], key) != NULL)
			return m + 1;
	return 0;
}

struct when {
	int year, mon, day, hour, min, sec;
	int pm; /* 0 none, 1 am, 2 pm */
	int off; /* seconds east of UTC */
	int have_time;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The hour on a 24-hour clock, or -1 when it cannot be one. */
static int
hour24(const struct when *w)
{
	if (w->pm == 0)
		return w->hour <= 24 ? w->hour : -1;
	if (w->hour < 1 || w->hour > 12)
		return -1;
	return w->hour % 12 + (w->pm == 2 ? 12 : 0);
}

static int
clock_ok(const struct when *w)
{
	int h = hour24(w);

	return h >= 0 && w->min >= 0 && w->min <= 59 && w->sec >= 0 &&
	    w->sec <= 60 && (h < 24 || (w->min == 0 && w->sec == 0));
}

static int64_t
when_epoch(const struct when *w)
{
	struct tm tm = {
		.tm_year = w->year - 1900,
		.tm_mon = w->mon - 1,
		.tm_mday = w->day,
	};

	if (w->year < 1 || w->year > 9999 || w->mon < 1 || w->mon > 12 ||
	    w->day < 1 || w->day > 31 || !clock_ok(w))
		return DATE_NONE;
	time_t t = timegm(&tm);
	/* timegm carries 31 February into March: refuse instead. */
	if (t == (time_t)-1 || tm.tm_mday != w->day || tm.tm_mon != w->mon - 1)
		return DATE_NONE;
	return (int64_t)t + hour24(w) * 3600 + w->min * 60 + w->sec - w->off;
}

/* Reads "14:05", "14:05:30", "2:05 pm", "14h05", "14 h" at t[i]; the
 * number of tokens used, else 0. */
static size_t
read_clock(const struct tok *t, size_t i, size_t n, struct when *w)
{
	size_t j = i + 1;

	if (t[i].kind != T_NUM || t[i].ndigits > 2 || j >= n)
		return 0;
	if (is_punct(&t[j], ':') && j + 1 < n && t[j + 1].kind == T_NUM) {
		w->hour = t[i].num;
		w->min = t[j + 1].num;
		j += 2;
		if (j + 1 < n && is_punct(&t[j], ':') &&
		    t[j + 1].kind == T_NUM) {
			w->sec = t[j + 1].num;
			j += 2;
		}
	} else if (is_word(&t[j], "h")) {
		w->hour = t[i].num;
		j++;
		if (j < n && t[j].kind == T_NUM && t[j].ndigits == 2)
			w->min = t[j++].num;
	} else
		return 0;
	w->have_time = 1;
	return j - i;
}

/* "12/01/2025", "12.01.25", "2025-01-12": day first unless the year
 * leads or the second number cannot be a month (01/31/2025). */
static size_t
read_numeric(const struct tok *t, size_t i, size_t n, struct when *w)
{
	if (i + 4 >= n || t[i + 1].kind != T_PUNCT || t[i + 2].kind != T_NUM ||
	    !is_punct(&t[i + 3], t[i + 1].num) || t[i + 4].kind != T_NUM ||
	    strchr("/.-", t[i + 1].num) == NULL)
		return 0;
	int a = t[i].num, b = t[i + 2].num, c = t[i + 4].num;
	if (t[i].ndigits == 4) {
		w->year = a;
		w->mon = b;
		w->day = c;
	} else {
		w->year = t[i + 4].ndigits <= 2 ? 2000 + c : c;
		w->day = b > 12 && a <= 12 ? b : a;
		w->mon = b > 12 && a <= 12 ? a : b;
	}
	return 5;
}

/* "+01:00", "+0100", "-05" after a clock. */
static size_t
read_offset(const struct tok *t, size_t i, size_t n, struct when *w)
{
	if (i + 1 >= n || !(is_punct(&t[i], '+') || is_punct(&t[i], '-')) ||
	    t[i + 1].kind != T_NUM || !w->have_time)
		return 0;
	int sign = is_punct(&t[i], '-') ? -1 : 1;
	int h = t[i + 1].num, m = 0;
	size_t used = 2;
	if (t[i + 1].ndigits == 4) {
		h = t[i + 1].num / 100;
		m = t[i + 1].num % 100;
	} else if (i + 3 < n && is_punct(&t[i + 2], ':') &&
	    t[i + 3].kind == T_NUM) {
		m = t[i + 3].num;
		used = 4;
	} else if (t[i + 1].ndigits > 2)
		return 0;
	if (h > 14 || m > 59)
		return 0;
	w->off = sign * (h * 3600 + m * 60);
	return used;
}

/* Counts and units of "il y a 3 heures" and "2 hours ago", in seconds. */
static int64_t
unit_secs(const char *u)
{
	static const struct {
		const char *names;
		int64_t secs;
	} units[] = {
		{ " s sec secs seconde secondes second seconds ", 1 },
		{ " mn min mins minute minutes ", 60 },
		{ " h hr hrs heure heures hour hours ", 3600 },
		{ " j d jour jours day days ", DAY_SECS },
		{ " sem semaine semaines w wk week weeks ", 7 * DAY_SECS },
		{ " mois month months ", 30 * DAY_SECS },
		{ " an ans annee annees y yr yrs year years ", 365 * DAY_SECS },
	};
	char key[20];

	if (strlen(u) > 15)
		return 0;
	snprintf(key, sizeof key, " %s ", u);
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (strstr(units[i].names, key) != NULL)
			return units[i].secs;
	return 0;
}

static int
count_of(const struct tok *t)
{
	if (t->kind == T_NUM)
		return t->ndigits <= 6 ? t->num : -1;
	if (is_word(t, "un") || is_word(t, "une") || is_word(t, "a") ||
	    is_word(t, "an") || is_word(t, "one"))
		return 1;
	return -1;
}

/* The day a word names relative to today, or INT_MIN. */
static int
day_word(const struct tok *t, size_t i, size_t n, int *used)
{
	*used = 1;
	if (is_word(&t[i], "avant") && i + 2 < n && is_punct(&t[i + 1], '-') &&
	    is_word(&t[i + 2], "hier")) {
		*used = 3;
		return -2;
	}
	if (is_word(&t[i], "hier") || is_word(&t[i], "yesterday"))
		return -1;
	if (is_word(&t[i], "today") || is_word(&t[i], "now") ||
	    is_word(&t[i], "maintenant"))
		return 0;
	if (is_word(&t[i], "aujourd") && i + 2 < n &&
	    is_punct(&t[i + 1], '\'') && is_word(&t[i + 2], "hui")) {
		*used = 3;
		return 0;
	}
	if (is_word(&t[i], "instant") ||
	    (is_word(&t[i], "just") && i + 1 < n && is_word(&t[i + 1], "now")))
		return 0;
	return INT_MIN;
}

/*
 * "il y a 3 heures", "2 hours ago", "hier à 18:02", "yesterday at 6:02
 * PM", "aujourd'hui", "à l'instant". A day word alone is that many days
 * before now to the second; with a clock, that day at that time.
 */
static int64_t
relative(const struct tok *t, size_t n, int64_t now)
{
	int ago = 0;

	for (size_t i = 0; i < n; i++)
		if (is_word(&t[i], "ago") ||
		    (is_word(&t[i], "il") && i + 2 < n &&
		        is_word(&t[i + 1], "y") && is_word(&t[i + 2], "a")))
			ago = 1;
	for (size_t i = 0; ago && i + 1 < n; i++) {
		int c = count_of(&t[i]);
		int64_t u =
		    t[i + 1].kind == T_WORD ? unit_secs(t[i + 1].word) : 0;
		/* "il y a" itself holds the word "a": not a count there. */
		if (c >= 0 && u > 0 && !(i > 0 && is_word(&t[i - 1], "y")))
			return now - (int64_t)c * u;
	}
	for (size_t i = 0; i < n; i++) {
		int used;
		int d = day_word(t, i, n, &used);
		if (d == INT_MIN)
			continue;
		struct when w = { 0 };
		for (size_t j = i + (size_t)used; j < n && !w.have_time; j++)
			read_clock(t, j, n, &w);
		for (size_t j = i + (size_t)used; j < n; j++)
			if (is_word(&t[j], "pm") || is_word(&t[j], "am"))
				w.pm = is_word(&t[j], "pm") ? 2 : 1;
		if (!w.have_time)
			return now + (int64_t)d * DAY_SECS;
		if (!clock_ok(&w))
			return DATE_NONE;
		int64_t day = floor_div(now, DAY_SECS) + d;
		return day * DAY_SECS + hour24(&w) * 3600 + w.min * 60 + w.sec;
	}
	return DATE_NONE;
}

/* A date without a year is the latest such date not after tomorrow. */
static int64_t
with_year(struct when *w, int64_t now)
{
	time_t tn = (time_t)now;
	struct tm tm;

	if (w->year != 0)
		return when_epoch(w);
	if (gmtime_r(&tn, &tm) == NULL)
		return DATE_NONE;
	w->year = tm.tm_year + 1900;
	int64_t t = when_epoch(w);
	if (t != DATE_NONE && t > now + DAY_SECS) {
		w->year--;
		t = when_epoch(w);
	}
	return t;
}

/*
 * "12 janvier 2025 à 14:05", "Jan 12, 2025, 2:05 PM", "dim. 12 janv.
 * 2025 14:05", "12/01/2025 14:05". Words that are no month, meridiem or
 * zone are passed over ("le", "at", "Posted", weekday names): the
 * numbers and the month name decide.
 */
static int64_t
absolute(const struct tok *t, size_t n, int64_t now)
{
	struct when w = { 0 };
	size_t used;

	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == T_NUM && !w.have_time &&
		    (used = read_clock(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if (t[i].kind == T_NUM && w.mon == 0 &&
		    (used = read_numeric(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if ((used = read_offset(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if (t[i].kind == T_NUM) {
			if (t[i].ndigits == 4 && w.year == 0)
				w.year = t[i].num;
			else if (t[i].ndigits <= 2 && w.day == 0 &&
			    t[i].num >= 1)
				w.day = t[i].num;
			else if (t[i].ndigits <= 2 && w.year == 0)
				w.year = 2000 + t[i].num;
			else
				return DATE_NONE;
		} else if (t[i].kind == T_WORD) {
			int m = month_of(t[i].word);
			/* A later name wins: "mar." before "14 janv." is
			 * Tuesday, not March. */
			if (m != 0)
				w.mon = m;
			else if (is_word(&t[i], "am") || is_word(&t[i], "pm"))
				w.pm = is_word(&t[i], "pm") ? 2 : 1;
			else if (is_word(&t[i], "utc") ||
			    is_word(&t[i], "gmt") || is_word(&t[i], "z"))
				w.off = 0;
		}
	}
	if (w.day == 0 || w.mon == 0)
		return DATE_NONE;
	return with_year(&w, now);
}

/* strptime-like, on folded text: see extract.h. White space in the format
 * matches any run of it, possibly none; other characters match
 * themselves, case aside. */
static int64_t
by_format(const char *s, const char *fmt, int64_t now)
{
	struct when w = { 0 };

	for (const char *f = fmt; *f != '\0'; f++) {
		if (isspace((unsigned char)*f)) {
			while (isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			f += *f == '%';
			if (tolower((unsigned char)*s) !=
			    tolower((unsigned char)*f))
				return DATE_NONE;
			s++;
			continue;
		}
		char d = *++f;
		if (d == '\0')
			return DATE_NONE;
		if (strchr("bBhaAp", d) != NULL) {
			char word[16];
			size_t n = 0;
			while (isalpha((unsigned char)*s) ||
			    (*s == '.' && n > 0)) {
				if (*s != '.' && n + 1 < sizeof word)
					word[n++] = *s;
				s++;
			}
			word[n] = '\0';
			if (d == 'a' || d == 'A') {
				if (n == 0)
					return DATE_NONE;
			} else if (d == 'p') {
				if (strcmp(word, "am") != 0 &&
				    strcmp(word, "pm") != 0)
					return DATE_NONE;
				w.pm = word[0] == 'p' ? 2 : 1;
			} else if ((w.mon = month_of(word)) == 0)
				return DATE_NONE;
			continue;
		}
		int width = d == 'Y' ? 4 : 2, v = 0, k = 0;
		int *slot = d == 'd' || d == 'e' ? &w.day
		    : d == 'm'                   ? &w.mon
		    : d == 'Y' || d == 'y'       ? &w.year
		    : d == 'H' || d == 'I'       ? &w.hour
		    : d == 'M'                   ? &w.min
		    : d == 'S'                   ? &w.sec
		                                 : NULL;
		if (slot == NULL)
			return DATE_NONE;
		while (*s == ' ' && d == 'e')
			s++;
		while (k < width && isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			k++;
		}
		if (k == 0)
			return DATE_NONE;
		*slot = d == 'y' ? 2000 + v : v;
		if (d == 'H' || d == 'I' || d == 'M')
			w.have_time = 1;
	}
	if (w.day == 0 || w.mon == 0)
		return DATE_NONE;
	return with_year(&w, now);
}

/* RFC 3339 and W3C-DTF: date_parse reads them best. */
static int
iso_shaped(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    s[4] == '-';
}

int64_t
extract_date(const char *text, const char *format, int64_t now)
{
	char s[DATE_MAX_LEN];
	struct tok t[DATE_MAX_TOKENS];
	int64_t r;

	if (text == NULL || strlen(text) >= DATE_MAX_LEN)
		return DATE_NONE;
	fold(text, s, sizeof s, 0);
	if (format != NULL) {
		char f[DATE_MAX_LEN];
		fold(format, f, sizeof f, 1);
		const char *p = s;
		while (isspace((unsigned char)*p))
			p++;
		return by_format(p, f, now);
	}
	if (iso_shaped(text) && (r = date_parse(text)) != DATE_NONE)
		return r;
	size_t n = tokenize(s, t, DATE_MAX_TOKENS);
	if ((r = relative(t, n, now)) != DATE_NONE)
		return r;
	if ((r = absolute(t, n, now)) != DATE_NONE)
		return r;
	return date_parse(text);
}
