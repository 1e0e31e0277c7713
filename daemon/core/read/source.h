/*
 * source.h - what a source's answer becomes, the same for the daemon and
 * `vigie inspect`: a feed parsed, a page's items extracted by its rules,
 * or, for a page where a feed was expected, the feed to fetch instead.
 * Alert feeds' redirect links are replaced by the articles' own.
 */
#ifndef VIGIE_SOURCE_H
#define VIGIE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/read/extract.h"
#include "core/read/feed.h"

struct conf;
struct conf_source;
struct diag;

enum source_verdict {
	SOURCE_ITEMS, /* feed holds the items */
	SOURCE_DISCOVERED, /* a page: fetch `next` instead, it is its feed */
	SOURCE_ERROR, /* err says why */
};

struct source_result {
	struct feed *feed;
	char *next; /* the next page (html), or the discovered feed (auto) */
	/* A platform's items not complete yet: next is fetched at once and
	 * read with them by source_continue(). */
	int more;
	struct extract_stats stats; /* html: what each rule found */
	char err[512];
};

/* The rules of an html source: its preset's, overridden by its own keys.
 * 0, or -1 with the reason in err (unknown preset, no item rule, an
 * XPath that does not compile). */
int source_rules(const struct conf_source *, struct extract_rules *, char *err,
    size_t errlen);

/* Every html source's rules, checked: "FILE:LINE: source "NAME": why"
 * in diag for each that cannot work. 0, or -1 if any could not. */
int sources_check(const struct conf *, struct diag *);

enum source_verdict source_read(const struct conf_source *, const char *body,
    size_t len, const char *url, const char *content_type, int64_t now,
    struct source_result *);
/* The answer of the request a result with more asked for, read with
 * the items it held (taken, freed on error). */
enum source_verdict source_continue(const struct conf_source *,
    struct feed *held, const char *body, size_t len, const char *url,
    struct source_result *);
void source_result_clear(struct source_result *);

/* Whether the source's next page is the HTTP Link header's rel="next"
 * (next = link, Mastodon), not something in the answer. */
int source_pages_by_link(const struct conf_source *);

#endif
