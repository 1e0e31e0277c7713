/*
 * source.c - a source's answer turned into items (see source.h).
 */
#include "core/read/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/escape.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/story.h"
#include "core/read/discover.h"
#include "core/read/json_source.h"
#include "core/read/platform.h"
#include "core/read/reviews.h"

/* preset = reviews: schema.org's markup, read by reviews.c, not rules. */
static int
is_reviews(const struct conf_source *s)
{
	return s->type == SOURCE_HTML && s->preset != NULL &&
	    strcasecmp(s->preset, "reviews") == 0;
}

int
source_rules(const struct conf_source *s, struct extract_rules *r, char *err,
    size_t errlen)
{
	const struct extract_rules *preset = NULL;

	memset(r, 0, sizeof *r);
	if (s->preset != NULL && (preset = extract_preset(s->preset)) == NULL) {
		struct buf names;

		buf_init(&names);
		for (size_t i = 0; extract_preset_names[i] != NULL; i++)
			buf_printf(&names, "%s%s", i ? ", " : "",
			    extract_preset_names[i]);
		snprintf(err, errlen,
		    "unknown preset '%s' (known: %s, reviews)", s->preset,
		    names.data ? names.data : "none");
		buf_clear(&names);
		return -1;
	}
	if (preset != NULL)
		*r = *preset;
#define OVERRIDE(f) \
	if (s->f != NULL) \
		r->f = s->f;
	OVERRIDE(item)
	OVERRIDE(title)
	OVERRIDE(link)
	OVERRIDE(author)
	OVERRIDE(date)
	OVERRIDE(date_format)
	OVERRIDE(text)
	OVERRIDE(next)
	OVERRIDE(exclude)
#undef OVERRIDE
	if (r->item == NULL) {
		snprintf(err, errlen,
		    "an html source needs an item rule or a preset");
		return -1;
	}
	return extract_check(r, err, errlen);
}

/* A json source's paths as json_source_read takes them. */
static void
json_paths_of(const struct conf_source *s, struct json_paths *p)
{
	memset(p, 0, sizeof *p);
	p->items = s->items;
	p->id = s->id;
	p->link = s->link;
	p->title = s->title;
	p->text = s->text;
	p->author = s->author;
	p->profile = s->profile;
	p->date = s->date;
	p->next = s->next;
	p->next_param = s->next_param;
	for (int e = 0; e < ENG_COUNT; e++)
		p->engagement[e] = s->engagement[e];
}

/* A json source's paths and header; 0, or -1 with err set. */
static int
json_check(const struct conf_source *s, char *err, size_t errlen)
{
	/* title, link... are paths here, not XPaths. */
	const char *paths[9 + ENG_COUNT] = { s->items, s->id, s->link, s->title,
		s->text, s->author, s->date, s->next, s->profile };

	if (s->items == NULL)
		return err_set(err, errlen,
		    "a json source needs items, the path of its posts");
	for (int e = 0; e < ENG_COUNT; e++)
		paths[9 + e] = s->engagement[e];
	for (size_t i = 0; i < ARRAY_LEN(paths); i++)
		if (paths[i] != NULL &&
		    json_path_check(paths[i], err, errlen) == -1)
			return -1;
	if (s->next_param != NULL &&
	    (s->next == NULL || strpbrk(s->next_param, "&=#?/ ") != NULL))
		return err_set(err, errlen,
		    "next_param '%s' needs next (the cursor's path) and a "
		    "plain parameter name",
		    s->next_param);
	if (s->header != NULL &&
	    (strchr(s->header, ':') == NULL ||
	        strpbrk(s->header, "\r\n") != NULL))
		return err_set(err, errlen,
		    "header '%s' is not 'Name: value' on one line", s->header);
	return 0;
}

int
sources_check(const struct conf *c, struct diag *diag)
{
	size_t before = diag->len;

	for (size_t i = 0; i < c->nsources; i++) {
		const struct conf_source *s = &c->sources[i];
		struct extract_rules rules;
		char err[512];
		int json_keys = s->items != NULL || s->id != NULL ||
		    s->profile != NULL || s->next_param != NULL ||
		    (!SOURCE_IS_PLATFORM(s->type) &&
		        (s->header != NULL || s->token_file != NULL));
		int platform_keys =
		    s->tag != NULL || s->query != NULL || s->account != NULL;

		for (int e = 0; e < ENG_COUNT; e++)
			json_keys |= s->engagement[e] != NULL;
		if (s->type == SOURCE_JSON) {
			if (json_check(s, err, sizeof err) == -1)
				diag_add(diag, s->file, s->line,
				    "source \"%s\": %s", s->name, err);
			continue;
		}
		if (json_keys)
			diag_add(diag, s->file, s->line,
			    "source \"%s\": items, id, counts, header and "
			    "token_file need type = json",
			    s->name);
		if (platform_keys && !SOURCE_IS_PLATFORM(s->type))
			diag_add(diag, s->file, s->line,
			    "source \"%s\": tag, query and account need a "
			    "platform's type (mastodon, bluesky, reddit, "
			    "youtube, x, hackernews)",
			    s->name);
		if (SOURCE_IS_PLATFORM(s->type)) {
			if (s->preset != NULL || s->item != NULL ||
			    s->title != NULL || s->link != NULL ||
			    s->author != NULL || s->date != NULL ||
			    s->text != NULL || s->next != NULL)
				diag_add(diag, s->file, s->line,
				    "source \"%s\": type = %s reads its API's "
				    "answers and takes no rules nor paths",
				    s->name, platform_name(s->type));
			continue;
		}
		if (is_reviews(s)) {
			if (s->item != NULL || s->title != NULL ||
			    s->link != NULL || s->author != NULL ||
			    s->date != NULL || s->text != NULL ||
			    s->exclude != NULL)
				diag_add(diag, s->file, s->line,
				    "source \"%s\": preset = reviews reads "
				    "schema.org's markup and takes no rules",
				    s->name);
			continue;
		}
		if (s->type != SOURCE_HTML) {
			if (s->preset != NULL || s->item != NULL)
				diag_add(diag, s->file, s->line,
				    "source \"%s\": extraction rules need "
				    "type = html",
				    s->name);
			continue;
		}
		if (source_rules(s, &rules, err, sizeof err) == -1)
			diag_add(diag, s->file, s->line, "source \"%s\": %s",
			    s->name, err);
	}
	return diag->len == before ? 0 : -1;
}

/* Links of alert feeds (Google Alerts, Talkwalker) go through a
 * redirector: identity, site: queries and duplicates need the article,
 * and the article's site is who published it (the item is relayed). */
static void
unwrap_links(struct feed *feed)
{
	for (size_t i = 0; feed != NULL && i < feed->nitems; i++) {
		struct item *it = &feed->items[i];
		int relayed;
		char *real = it->link ? story_unwrap(it->link, &relayed) : NULL;

		if (real == NULL)
			continue;
		/* An alert feed's guid is the redirect too, unique per
		 * alert, and stays the identity; the link is the article. */
		free(it->link);
		it->link = real;
		if (relayed && it->relayed_from == NULL)
			it->relayed_from = xstrdup(real);
	}
}

/* Only http and https links are links: a javascript:, data: or file: one
 * would reach every page, mail and payload that shows the item. It stays
 * in the item as text, after the rest, for whoever reads it. */
static void
web_links_only(struct feed *feed)
{
	for (size_t i = 0; feed != NULL && i < feed->nitems; i++) {
		struct item *it = &feed->items[i];
		char *text;

		if (it->link == NULL || esc_link_ok(it->link))
			continue;
		text = it->content != NULL
		    ? xasprintf("%s\n%s", it->content, it->link)
		    : xstrdup(it->link);
		free(it->content);
		it->content = text;
		free(it->link);
		it->link = NULL;
	}
}

static enum source_verdict
read_html(const struct conf_source *s, const char *body, size_t len,
    const char *url, const char *content_type, int64_t now,
    struct source_result *out)
{
	struct extract_rules rules;
	struct extract_input in = {
		.data = body,
		.len = len,
		.base_url = url,
		.content_type = content_type,
		.now = now,
	};

	if (source_rules(s, &rules, out->err, sizeof out->err) == -1)
		return SOURCE_ERROR;
	if (extract_html(&rules, &in, &out->feed, &out->next, &out->stats,
	        out->err, sizeof out->err) == -1)
		return SOURCE_ERROR;
	return SOURCE_ITEMS;
}

/* A platform's answer, with the items an earlier step held. */
static enum source_verdict
read_platform(const struct conf_source *s, struct feed *held, const char *body,
    size_t len, const char *url, struct source_result *out)
{
	struct platform_answer a = { .feed = held };

	if (platform_read(
	        s->type, body, len, url, &a, out->err, sizeof out->err) == -1)
		return SOURCE_ERROR;
	out->feed = a.feed;
	out->next = a.next;
	out->more = a.more;
	return SOURCE_ITEMS;
}

static enum source_verdict
read_json(const struct conf_source *s, const char *body, size_t len,
    const char *url, struct source_result *out)
{
	struct json_paths p;

	json_paths_of(s, &p);
	if (json_source_read(&p, body, len, url, &out->feed, &out->next,
	        out->err, sizeof out->err) == -1)
		return SOURCE_ERROR;
	return SOURCE_ITEMS;
}

/* A page where a feed was expected: its best feed, if it declares or
 * follows the conventions of one. */
static enum source_verdict
discover(
    const char *body, size_t len, const char *url, struct source_result *out)
{
	struct discovered *found = NULL;
	size_t n = 0;

	if (discover_feeds(body, len, url, &found, &n, NULL) == -1 || n == 0) {
		discovered_free(found, n);
		snprintf(out->err, sizeof out->err,
		    "an HTML page with no feed found: set type = html and "
		    "extraction rules, or the feed's URL");
		return SOURCE_ERROR;
	}
	out->next = xstrdup(found[0].url);
	discovered_free(found, n);
	return SOURCE_DISCOVERED;
}

/* Items are links to read: only once complete. */
static enum source_verdict
finish(enum source_verdict v, struct source_result *out)
{
	if (v == SOURCE_ITEMS && !out->more) {
		unwrap_links(out->feed);
		web_links_only(out->feed);
	}
	return v;
}

enum source_verdict
source_read(const struct conf_source *s, const char *body, size_t len,
    const char *url, const char *content_type, int64_t now,
    struct source_result *out)
{
	struct feed_input in = {
		.data = body,
		.len = len,
		.base_url = url,
		.content_type = content_type,
	};
	enum source_verdict v;
	int rc;

	memset(out, 0, sizeof *out);
	if (is_reviews(s))
		v = reviews_read(body, len, url, content_type, &out->feed,
		        out->err, sizeof out->err) == 0
		    ? SOURCE_ITEMS
		    : SOURCE_ERROR;
	else if (s->type == SOURCE_HTML)
		v = read_html(s, body, len, url, content_type, now, out);
	else if (s->type == SOURCE_JSON)
		v = read_json(s, body, len, url, out);
	else if (SOURCE_IS_PLATFORM(s->type))
		v = read_platform(s, NULL, body, len, url, out);
	else if ((rc = feed_parse(
	              &in, &out->feed, out->err, sizeof out->err)) == 0)
		v = SOURCE_ITEMS;
	else if (rc == -2 && s->type == SOURCE_AUTO)
		v = discover(body, len, url, out);
	else
		v = SOURCE_ERROR;
	return finish(v, out);
}

int
source_pages_by_link(const struct conf_source *s)
{
	return (s->type == SOURCE_JSON && s->next != NULL &&
	           strcmp(s->next, "link") == 0) ||
	    platform_pages_by_link(s->type);
}

enum source_verdict
source_continue(const struct conf_source *s, struct feed *held,
    const char *body, size_t len, const char *url, struct source_result *out)
{
	memset(out, 0, sizeof *out);
	if (!SOURCE_IS_PLATFORM(s->type)) {
		feed_free(held);
		snprintf(out->err, sizeof out->err, "not a platform source");
		return SOURCE_ERROR;
	}
	return finish(read_platform(s, held, body, len, url, out), out);
}

void
source_result_clear(struct source_result *r)
{
	feed_free(r->feed);
	free(r->next);
	memset(r, 0, sizeof *r);
}
