/*
 * feed.h - turns the bytes of an RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 or
 * JSON Feed 1.1 document into items. Input is untrusted: no network, no
 * external entities, no entity expansion, and it never crashes on garbage.
 */
#ifndef VIGIE_FEED_H
#define VIGIE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/read/date.h" /* DATE_NONE */

/* One entry of a feed. Every string is plain UTF-8 text (markup removed,
 * entities decoded, whitespace collapsed) except id and link; NULL where
 * the document does not say. */
/* What an API says of a post's reach (type = json sources): counts of
 * its own, and its author's audience. */
enum engagement {
	ENG_LIKES,
	ENG_SHARES, /* shares, reposts, boosts */
	ENG_REPLIES,
	ENG_VIEWS,
	ENG_FOLLOWERS, /* the author's followers or subscribers */
	ENG_COUNT
};

struct item {
	char *id; /* guid, atom:id, rdf:about, JSON Feed id */
	char *link; /* absolute URL, resolved against xml:base/feed URL */
	char *title;
	char *author;
	char *author_url; /* their profile, when an API gives it */
	/* The publisher's address when the item is relayed: an alert feed
	 * or a news search bringing another site's article (RSS <source
	 * url>, a redirector's link unwrapped); NULL for a site's own. */
	char *relayed_from;
	char *summary;
	char *content;
	char *lang; /* item language, else the feed's */
	int64_t published; /* seconds since the epoch, UTC, or DATE_NONE */
	int64_t updated; /* idem */
	int64_t engagement[ENG_COUNT];
	unsigned engaged; /* bit 1 << ENG_* for each count known */
	/* A review's rating, 0 (worst) to 1 (best), when has_rating; with
	 * rating_count > 0, the average of that many (an AggregateRating). */
	int has_rating;
	double rating;
	int64_t rating_count;
};

struct feed {
	char *title;
	char *link;
	char *lang;
	struct item *items;
	size_t nitems;
	/* What of the document was left unread and why (a hostile element
	 * the parser stopped on, values nested too deep), the items around
	 * it kept; NULL when all of it was read. */
	char *skipped;
};

struct feed_input {
	const char *data;
	size_t len;
	const char *base_url; /* feed URL, for relative links; may be NULL */
	const char *content_type; /* from HTTP, with its charset; may be NULL */
};

/*
 * Parses a feed. Returns 0 and sets *out (free with feed_free) when the
 * document could be read, even with no items; returns -1 with a one-line
 * reason in err when it could not (not XML nor JSON, not a feed, empty),
 * and -2 when it is an HTML page (whose feed may be discovered).
 */
int feed_parse(
    const struct feed_input *, struct feed **out, char *err, size_t errlen);
void feed_free(struct feed *);
/* Frees what an item holds, and zeroes it. */
void item_clear(struct item *);

#endif
