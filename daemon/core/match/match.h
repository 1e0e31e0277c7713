/*
 * match.h - watches: the query language (terms, "phrases", AND/OR/NOT,
 * parentheses, NEAR/n, trailing wildcards, title:/author:/site:/lang:
 * fields, /regex/ through PCRE2) and the matcher that tests a document
 * against every watch at once.
 *
 * Matching is case- and accent-insensitive, on word boundaries, over title
 * and text. The cost of matching one document grows far slower than the
 * number of watches: the text is tokenised and folded once, its tokens are
 * looked up in an index of every watch's terms, and only the watches those
 * terms can satisfy are evaluated.
 */
#ifndef VIGIE_MATCH_H
#define VIGIE_MATCH_H

#include <stddef.h>

#include "core/match/query_error.h"

struct matcher;

struct matcher *matcher_new(void);
void matcher_free(struct matcher *);

/*
 * Compiles query for the watch name. langs is a comma-separated list of
 * language codes to keep ("fr,en"), or NULL for all. Returns the watch's
 * index (0, 1, 2... in the order added), or -1 with err filled in.
 */
int matcher_add(struct matcher *, const char *name, const char *query,
    const char *langs, struct query_error *err);
/* Builds the index. Call once, after the last matcher_add. */
void matcher_build(struct matcher *);

/* Regexes run as JIT-compiled code where the system allows it (the
 * default), else, or when turned off here, in PCRE2's interpreter: same
 * answers, same limits. */
void matcher_set_jit(struct matcher *, int on);

size_t matcher_count(const struct matcher *);
const char *matcher_name(const struct matcher *, size_t watch);

/* What a document is made of; any field may be NULL. */
struct match_doc {
	const char *title;
	const char *text; /* summary and content, plain text */
	const char *author;
	const char *link; /* site: matches its host and the host's parents */
	const char *lang;
};

struct match_hit {
	size_t watch;
	/* The query terms that matched, as written in the query; they point
	 * into the matcher and live as long as it does. */
	const char **terms;
	size_t nterms;
};

/* Reused between documents so that matching allocates little. */
struct match_result {
	struct match_hit *hits;
	size_t nhits;
	void *scratch; /* the matcher's working memory */
};

void match_result_init(struct match_result *);
void match_result_clear(struct match_result *);

/* Tests doc against every watch; fills res with the matching watches in
 * index order. Returns res->nhits. Thread-compatible: one match_result per
 * thread, the matcher itself is read-only after matcher_build. */
size_t matcher_match(
    const struct matcher *, const struct match_doc *, struct match_result *);

/* Same answer as matcher_match, without the index: every watch evaluated,
 * each term found by scanning the document's words. The baseline the index
 * is measured against, and its oracle in tests. A matcher not yet built
 * matches this way too. */
size_t matcher_match_naive(
    const struct matcher *, const struct match_doc *, struct match_result *);

#endif
