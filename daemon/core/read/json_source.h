/*
 * json_source.h - items from any JSON API (type = json sources), by the
 * paths the source names: where the array of posts is in the answer, and
 * where each field is in a post.
 *
 * A path is keys separated by dots (data.children), a number taking an
 * array's element (items.0.id), "." the document itself (an answer that
 * is an array). Keys holding a dot cannot be named.
 */
#ifndef VIGIE_JSON_SOURCE_H
#define VIGIE_JSON_SOURCE_H

#include <jansson.h>
#include <stddef.h>

#include "core/read/feed.h"

struct json_paths {
	const char *items; /* required */
	const char *id, *link, *title, *text, *author, *date;
	const char *profile; /* the author's profile URL */
	const char *engagement[ENG_COUNT]; /* likes, shares... followers */
	const char *next; /* the next page's URL, in the answer */
	/* When set, next is a cursor, sent as this query parameter. */
	const char *next_param;
};

/* Whether path can be followed; 0, or -1 with err set. */
int json_path_check(const char *path, char *err, size_t errlen);

/*
 * The posts of an answer: 0 with *out (free with feed_free) and, when the
 * answer names one, the next page's URL (absolute, http(s)) in *next; -1
 * with err set when it is not JSON or has no array at the items path.
 * A post's text may be HTML (Mastodon's is): it is read as text then. A
 * date is RFC 3339 or RFC 822 text, or seconds (milliseconds past 1e11)
 * since the epoch; a count is a number or a numeric string.
 */
int json_source_read(const struct json_paths *, const char *body, size_t len,
    const char *url, struct feed **out, char **next, char *err, size_t errlen);

/* The readers of one API's posts (these paths, a platform's own) share
 * the rest: each object of an array read into an item by read, which
 * says whether it is one (a post with nothing to say, or nothing to find
 * it by, is none); the array's first posts only, past a bound. */
typedef int json_post_fn(json_t *post, const void *arg, struct item *);
struct feed *json_posts(json_t *array, json_post_fn *read, const void *arg);

/* Sets engagement e of it from v, when v is a count (json_doc_count). */
void json_post_count(struct item *it, int e, json_t *v);

#endif
