/*
 * translate.h - a watch's query in a search engine's own syntax, for the
 * sources a watch generates ([watch] search =). An engine is asked for at
 * least what the watch matches, never less: what its syntax cannot say
 * (a regex, a language, a site or a proximity it has no operator for, an
 * exclusion of a group) is left out so that its results are broader, and
 * the watch's own matching filters them afterwards.
 */
#ifndef VIGIE_TRANSLATE_H
#define VIGIE_TRANSLATE_H

#include <stddef.h>

#include "core/match/query.h"

enum dialect {
	/* Google News, Bing News: "phrase", OR, -word, (group), site: */
	DIALECT_WEB,
	/* Reddit's search: "phrase", OR, NOT, (group) */
	DIALECT_REDDIT,
	/* YouTube: "phrase", a|b at the top only, -word */
	DIALECT_YOUTUBE,
	/* Hacker News (Algolia): words and phrases, all required; no OR, no
	 * exclusion: a query of alternatives becomes one per alternative */
	DIALECT_ALGOLIA,
};

/* The most queries a query of alternatives becomes for DIALECT_ALGOLIA. */
#define TRANSLATE_MAX 4

/*
 * The query in dialect d: up to TRANSLATE_MAX new strings in out (one but
 * for DIALECT_ALGOLIA), their number returned; 0 when nothing searchable
 * is left (a query of regexes alone), -1 when an ALGOLIA query would need
 * more than TRANSLATE_MAX.
 */
int query_translate(
    const struct qnode *, enum dialect d, char *out[TRANSLATE_MAX]);

/* The hashtags its terms make (Mastodon's tag timelines): each term not
 * excluded, its words run together ("acme corp": acmecorp), letters and
 * digits only; comma-separated, at most max of them, or NULL if none. */
char *query_hashtags(const struct qnode *, size_t max);

#endif
