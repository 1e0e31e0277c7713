/*
 * discover.h - finding the feeds of an HTML page (a blog's or a forum's
 * home page pasted where a feed URL was expected): <link rel="alternate">
 * of RSS, Atom and JSON Feed types first, then the conventions of blog and
 * forum engines.
 */
#ifndef VIGIE_DISCOVER_H
#define VIGIE_DISCOVER_H

#include <stddef.h>

struct discovered {
	char *url; /* absolute */
	char *type; /* "rss", "atom", "json" or "guess" */
	char *title; /* from the link, or NULL */
	int score; /* higher is better */
};

/*
 * The page's feeds, best first: declared ones (main feed before comment
 * feeds, RSS/Atom before JSON), then conventional URLs for the engine the
 * page reveals (WordPress, phpBB, Discourse, XenForo, Blogger, generic).
 * *engine, when engine is not NULL, is that engine's extraction preset
 * (extract_preset()) if it has one, else NULL. Returns 0 (possibly with
 * none), -1 if the page is not HTML.
 */
int discover_feeds(const char *html, size_t len, const char *base_url,
    struct discovered **out, size_t *n, const char **engine);
void discovered_free(struct discovered *, size_t n);

/* The list as `vigie discover` prints it: a line per feed, best first,
 * "URL<TAB>type<TAB>title" (title empty if none). */
char *discovered_format(const struct discovered *, size_t n);

#endif
