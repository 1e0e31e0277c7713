/*
 * reviews.c - schema.org reviews of a page (see reviews.h).
 *
 * JSON-LD first: every <script type="application/ld+json"> is loaded
 * (depth-limited, json_doc.h) and walked for objects typed Review or
 * AggregateRating, wherever they sit (a Product's review array, an
 * @graph, a bare array). Then microdata: every element whose itemtype is
 * schema.org's Review or AggregateRating, its itemprops read without
 * crossing into another item, but its author's and its rating's. A page
 * usually carries one form; one carrying both has each review once per
 * form, which the store's identity (author, date, text) folds into one.
 */
#include "core/read/reviews.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/read/charset.h"
#include "core/read/date.h"
#include "core/read/extract.h"
#include "core/read/json_doc.h"
#include "core/read/text.h"
#include "core/read/url.h"

#define REVIEWS_MAX_SIZE ((size_t)16 << 20)
/* No page shows more at once. */
#define REVIEWS_MAX 1000
#define TEXT_MAX ((size_t)64 << 10)

struct found {
	struct feed *feed;
	const char *url; /* the page's */
	size_t cap;
};

enum kind { NONE, REVIEW, AGGREGATE };

/* The rating value / best / worst as schema.org means them, 0-1; -1 when
 * there is none or it does not fit its own scale. */
static double
normalise(double value, double best, double worst)
{
	if (!isfinite(value) || !isfinite(best) || !isfinite(worst) ||
	    best <= worst || value < worst || value > best)
		return -1;
	return (value - worst) / (best - worst);
}

/* A number written as a number or as text ("4,5" in French pages). */
static double
number_of(const char *s)
{
	char buf[64], *end;
	double v;

	if (s == NULL)
		return NAN;
	snprintf(buf, sizeof buf, "%s", s);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	v = strtod(buf, &end);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return end != buf && *end == '\0' ? v : NAN;
}

/* How many ratings an aggregate averages: its ratingCount, else its
 * reviewCount, else at least one. */
static int64_t
ratings_behind(double ratings, double reviews)
{
	double n = isnan(ratings) ? reviews : ratings;

	return n >= 1 && n < 1e12 ? (int64_t)n : 1;
}

/* A 64-bit FNV-1a of the parts, for the id of a review without one. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static char *
clip(char *s)
{
	if (s != NULL && strlen(s) > TEXT_MAX)
		s[TEXT_MAX] = '\0';
	if (s != NULL && s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* The next item, or NULL past the limit. */
static struct item *
next_item(struct found *f)
{
	struct feed *feed = f->feed;

	if (feed->nitems == REVIEWS_MAX) {
		if (feed->skipped == NULL)
			feed->skipped = xasprintf(
			    "reviews past the %dth left out", REVIEWS_MAX);
		return NULL;
	}
	if (feed->nitems == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		feed->items =
		    xreallocarray(feed->items, f->cap, sizeof *feed->items);
	}
	memset(&feed->items[feed->nitems], 0, sizeof feed->items[0]);
	return &feed->items[feed->nitems++];
}

/* A review's title names what it is about, so that a watch on a brand
 * finds the reviews of its page, which seldom name it: "about: headline",
 * or either alone. */
static char *
title_of(char *headline, const char *about)
{
	char *t;

	if (about == NULL || about[0] == '\0')
		return headline;
	if (headline == NULL)
		return xstrdup(about);
	t = xasprintf("%s: %s", about, headline);
	free(headline);
	return clip(t);
}

/* What every review needs once its fields are read: an id, a link, a
 * rating in range; a review with nothing to say is dropped. */
static void
finish(struct found *f, struct item *it, const char *own_id, double value,
    double best, double worst)
{
	double r =
	    normalise(value, isnan(best) ? 5 : best, isnan(worst) ? 1 : worst);
	char id[64];

	if (r >= 0) {
		it->rating = r;
		it->has_rating = 1;
	}
	if (!it->has_rating && it->content == NULL && it->title == NULL) {
		item_clear(it);
		f->feed->nitems--;
		return;
	}
	it->updated = DATE_NONE;
	if (it->link == NULL && f->url != NULL)
		it->link = xstrdup(f->url);
	if (own_id != NULL) {
		it->id = xstrdup(own_id);
		return;
	}
	snprintf(id, sizeof id, "#review-%016llx",
	    (unsigned long long)fnv(
	        fnv(fnv(fnv(0xcbf29ce484222325ULL, it->author), it->content),
	            it->title),
	        it->rating_count > 0 ? "aggregate" : ""));
	it->id = xasprintf("%s%s", f->url ? f->url : "", id);
}

/* --- JSON-LD --- */

static int
ld_is(json_t *o, const char *type)
{
	json_t *t = json_object_get(o, "@type"), *e;
	size_t i;

	if (json_is_string(t))
		return strcasecmp(json_string_value(t), type) == 0;
	json_array_foreach(t, i, e) if (json_is_string(e) &&
	    strcasecmp(json_string_value(e), type) == 0) return 1;
	return 0;
}

/* A text member, or a name: "author": "Ann" or {"name": "Ann"}. */
static char *
ld_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v))
		v = json_object_get(v, "name");
	if (!json_is_string(v) ||
	    json_string_length(v) != strlen(json_string_value(v)))
		return NULL;
	return clip(text_collapse(json_string_value(v), json_string_length(v)));
}

static double
ld_number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		return json_number_value(v);
	return json_is_string(v) ? number_of(json_string_value(v)) : NAN;
}

static void
ld_review(struct found *f, json_t *o, const char *about, enum kind k)
{
	json_t *rating =
	    k == AGGREGATE ? o : json_object_get(o, "reviewRating");
	struct item *it = next_item(f);
	char *url, *id;

	if (it == NULL)
		return;
	char *headline = ld_text(o, "headline");
	char *item = ld_text(o, "itemReviewed");

	it->author = ld_text(o, "author");
	if (headline == NULL && k == REVIEW)
		headline = ld_text(o, "name");
	it->title = title_of(headline, item ? item : about);
	free(item);
	it->content = ld_text(o, k == AGGREGATE ? "description" : "reviewBody");
	if (it->content == NULL && k == REVIEW)
		it->content = ld_text(o, "description");
	it->published = date_parse(json_string_value(json_object_get(
	    o, k == AGGREGATE ? "dateModified" : "datePublished")));
	if (k == AGGREGATE)
		it->rating_count = ratings_behind(
		    ld_number(o, "ratingCount"), ld_number(o, "reviewCount"));
	url = ld_text(o, "url");
	if (url != NULL && f->url != NULL) {
		it->link = url_resolve(f->url, url);
		if (it->link != NULL && !url_is_http(it->link)) {
			free(it->link);
			it->link = NULL;
		}
	}
	free(url);
	id = ld_text(o, "@id");
	finish(f, it, id, ld_number(rating, "ratingValue"),
	    ld_number(rating, "bestRating"), ld_number(rating, "worstRating"));
	free(id);
}

/* Every Review and AggregateRating under v; about is the name of the
 * thing they are about, as far as known. */
static void
ld_walk(struct found *f, json_t *v, const char *about)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) ld_walk(f, e, about);
		return;
	}
	if (!json_is_object(v))
		return;
	if (ld_is(v, "Review")) {
		ld_review(f, v, about, REVIEW);
		return;
	}
	if (ld_is(v, "AggregateRating")) {
		ld_review(f, v, about, AGGREGATE);
		return;
	}
	char *name = ld_text(v, "name");

	json_object_foreach(v, key, e) ld_walk(f, e, name ? name : about);
	free(name);
}

static void
read_json_ld(struct found *f, xmlNode *script)
{
	char *text = (char *)xmlNodeGetContent(script);
	char err[128];
	int cut;
	json_t *doc;

	if (text == NULL)
		return;
	doc = json_doc_load(text, strlen(text), &cut, err, sizeof err);
	xmlFree(text);
	if (doc == NULL)
		return;
	ld_walk(f, doc, NULL);
	json_decref(doc);
}

/* --- microdata --- */

static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static enum kind
md_kind(xmlNode *n)
{
	char *type;
	enum kind k = NONE;
	size_t len;

	if (n->type != XML_ELEMENT_NODE ||
	    !xmlHasProp(n, (const xmlChar *)"itemscope") ||
	    (type = attr(n, "itemtype")) == NULL)
		return NONE;
	len = strlen(type);
	while (len > 0 && type[len - 1] == '/')
		len--;
	type[len] = '\0';
	if (len >= 7 && strcasecmp(type + len - 7, "/Review") == 0)
		k = REVIEW;
	else if (len >= 16 &&
	    strcasecmp(type + len - 16, "/AggregateRating") == 0)
		k = AGGREGATE;
	free(type);
	return k;
}

/* The element under n whose itemprop is name, n's own (not inside
 * another item below n), or NULL. */
static xmlNode *
md_find(xmlNode *n, const char *name)
{
	for (xmlNode *c = n->children; c != NULL; c = c->next) {
		char *prop;
		int hit;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		prop = attr(c, "itemprop");
		hit = prop != NULL && strcasecmp(prop, name) == 0;
		free(prop);
		if (hit)
			return c;
		if (xmlHasProp(c, (const xmlChar *)"itemscope"))
			continue;
		xmlNode *d = md_find(c, name);
		if (d != NULL)
			return d;
	}
	return NULL;
}

/* An itemprop's value: content, datetime or href when the element gives
 * one, else its text; an item's value is its name. */
static char *
md_text(xmlNode *n, const char *name)
{
	xmlNode *e = n ? md_find(n, name) : NULL;
	char *v = NULL;

	if (e == NULL)
		return NULL;
	if (xmlHasProp(e, (const xmlChar *)"itemscope"))
		return md_text(e, "name");
	if ((v = attr(e, "content")) == NULL &&
	    (v = attr(e, "datetime")) == NULL) {
		char *raw = text_from_node(e);

		v = text_collapse(raw, strlen(raw));
		free(raw);
	}
	return clip(v);
}

static double
md_number(xmlNode *n, const char *name)
{
	char *s = md_text(n, name);
	double v = number_of(s);

	free(s);
	return v;
}

static void
md_review(struct found *f, xmlNode *n, enum kind k, const char *about)
{
	xmlNode *rating = k == AGGREGATE ? n : md_find(n, "reviewRating");
	struct item *it = next_item(f);
	char *date;

	if (it == NULL)
		return;
	char *item = md_text(n, "itemReviewed");

	it->author = md_text(n, "author");
	it->title = title_of(
	    k == REVIEW ? md_text(n, "name") : NULL, item ? item : about);
	free(item);
	it->content = md_text(n, k == AGGREGATE ? "description" : "reviewBody");
	if (it->content == NULL && k == REVIEW)
		it->content = md_text(n, "description");
	date = md_text(n, "datePublished");
	it->published = date_parse(date);
	free(date);
	if (k == AGGREGATE)
		it->rating_count = ratings_behind(
		    md_number(n, "ratingCount"), md_number(n, "reviewCount"));
	finish(f, it, NULL, md_number(rating, "ratingValue"),
	    md_number(rating, "bestRating"), md_number(rating, "worstRating"));
}

/* Scripts and microdata items, in document order; about is the name of
 * the item they are inside (a Product), if any. A review found is not
 * entered: a review inside a review is no review of the page. */
static void
walk(struct found *f, xmlNode *n, const char *about)
{
	for (; n != NULL; n = n->next) {
		enum kind k;
		char *name;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcasecmp((const char *)n->name, "script") == 0) {
			char *type = attr(n, "type");

			if (type != NULL &&
			    strcasecmp(type, "application/ld+json") == 0)
				read_json_ld(f, n);
			free(type);
			continue;
		}
		if ((k = md_kind(n)) != NONE) {
			md_review(f, n, k, about);
			continue;
		}
		name = xmlHasProp(n, (const xmlChar *)"itemscope")
		    ? md_text(n, "name")
		    : NULL;
		walk(f, n->children, name ? name : about);
		free(name);
	}
}

int
reviews_read(const char *html, size_t len, const char *url,
    const char *content_type, struct feed **out, char *err, size_t errlen)
{
	struct found f = { .url = url };
	struct buf u;
	htmlDocPtr doc;

	*out = NULL;
	buf_init(&u);
	charset_html_utf8(&u, html,
	    len < REVIEWS_MAX_SIZE ? len : REVIEWS_MAX_SIZE, content_type);
	if (u.len == 0 || u.len > INT_MAX) {
		buf_clear(&u);
		return err_set(err, errlen, "empty page");
	}
	doc = htmlReadMemory(
	    u.data, (int)u.len, url, "UTF-8", EXTRACT_HTML_OPTIONS);
	buf_clear(&u);
	if (doc == NULL)
		return err_set(err, errlen, "page could not be parsed");
	f.feed = xcalloc(1, sizeof *f.feed);
	f.feed->link = url ? xstrdup(url) : NULL;
	walk(&f, xmlDocGetRootElement(doc), NULL);
	xmlFreeDoc(doc);
	*out = f.feed;
	return 0;
}

size_t
reviews_count(const char *html, size_t len)
{
	struct feed *feed = NULL;
	char err[128];
	size_t n;

	if (reviews_read(html, len, NULL, NULL, &feed, err, sizeof err) == -1)
		return 0;
	n = feed->nitems;
	feed_free(feed);
	return n;
}
