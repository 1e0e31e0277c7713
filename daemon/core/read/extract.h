/*
 * extract.h - items out of HTML pages (forums, blogs, news) by XPath rules:
 * the repeating element and, relative to it, title, link, author, date
 * and text; presets for common engines. Dates are read by page_date.h.
 * libxml2's HTML parser with recovery, no network, size-capped.
 */
#ifndef VIGIE_EXTRACT_H
#define VIGIE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/read/feed.h"

/* XPath 1.0 expressions; item is absolute, the others relative to each
 * item (NULL: not extracted). next finds the next page's link. */
struct extract_rules {
	const char *item;
	const char *title;
	const char *link;
	const char *author;
	const char *date;
	const char *date_format; /* strptime-like, or NULL for known forms */
	const char *text;
	/* Nodes dropped from each item before its fields are read: quotes
	 * and signatures, so a reply's text is its own words only. */
	const char *exclude;
	const char *next;
};

/* The rules of a preset ("phpbb", "discourse", "xenforo", "wordpress"),
 * or NULL if there is none by that name. */
const struct extract_rules *extract_preset(const char *name);
/* Names of every preset, NULL-terminated. */
extern const char *const extract_preset_names[];

/* 0 if every expression compiles, else -1 with the rule's name and
 * libxml2's complaint in err. */
int extract_check(const struct extract_rules *, char *err, size_t errlen);

/* How pages are read: recovering from broken markup, never reaching the
 * network, the charset already made UTF-8. */
#define EXTRACT_HTML_OPTIONS \
	(HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
	    HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT)

struct extract_input {
	const char *data;
	size_t len;
	const char *base_url; /* for relative links */
	const char *content_type; /* from HTTP, with its charset; may be NULL */
	int64_t now; /* seconds, for relative dates */
};

/* Per rule, how many items it found something for: a rule that matches
 * nothing says so (vigie inspect prints it). */
struct extract_stats {
	size_t items;
	size_t title, link, author, date, text;
};

/*
 * Extracts the items of a page. Returns 0 and sets *out (free with
 * feed_free) and *next (the next page's absolute URL, or NULL; free it);
 * -1 with a reason in err when the page could not be read at all.
 */
int extract_html(const struct extract_rules *, const struct extract_input *,
    struct feed **out, char **next, struct extract_stats *stats, char *err,
    size_t errlen);

#endif
