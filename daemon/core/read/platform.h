/*
 * platform.h - the social platforms read through their own APIs: type =
 * mastodon, bluesky, reddit, youtube, x or hackernews. The request a
 * source's keys make (platform.c), and each platform's answers read into
 * items with their author, audience and engagement (platform_read.c),
 * both written from the platforms' API documentation (docs/SOURCES.md).
 */
#ifndef VIGIE_PLATFORM_H
#define VIGIE_PLATFORM_H

#include <stddef.h>

#include "core/read/feed.h"

struct conf_source;

/* The name of a platform type ("mastodon"), or NULL for another type. */
const char *platform_name(int type);

/*
 * The first request of s, a platform source, from its keys: url (the
 * instance or the API; each platform's public one by default), tag, query,
 * account and lang. A new string, or NULL with err set when the keys do
 * not make one (a missing key, one the platform cannot take, a token the
 * API requires and token_file does not give).
 */
char *platform_request(const struct conf_source *, char *err, size_t errlen);

/* The header that carries a source's token ("Authorization: Bearer "
 * for most, YouTube's key its own), to which the token is appended. */
const char *platform_token_header(int type);

/* Whether the platform pages by the HTTP Link header (Mastodon). */
int platform_pages_by_link(int type);

struct platform_answer {
	/* In: the items an earlier step of this poll held (more, below),
	 * or NULL. Out: the items, or NULL on error. */
	struct feed *feed;
	/* The next page (NULL: none); with more, the next step. */
	char *next;
	/* 1 when the items are not complete yet: next is fetched at once
	 * and its answer read with them (YouTube's statistics, then its
	 * channels' subscribers; a Mastodon account's id, then its posts). */
	int more;
};

/*
 * Reads one answer of a platform's API fetched from url. 0, or -1 with
 * err set when it is not JSON or not the answer expected (the held items
 * are freed then).
 */
int platform_read(int type, const char *body, size_t len, const char *url,
    struct platform_answer *, char *err, size_t errlen);

#endif
