/*
 * analyze.h - the match/score stage of the pipeline: which watches an item
 * mentions (match.h), in what tone (sentiment.h), and what makes it the
 * same story as another item (story.h). Built once from the
 * configuration, read-only afterwards; a reload builds a new one.
 */
#ifndef VIGIE_ANALYZE_H
#define VIGIE_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"
#include "core/judge/sentiment.h"
#include "core/match/match.h"
#include "core/read/feed.h"

struct conf;
struct analyzer;

/*
 * Compiles every watch of conf and loads the lexicons it names. Returns
 * NULL with every problem in diag: "FILE:LINE: column N: message" for a
 * query, "FILE:LINE: message" for a lexicon.
 */
struct analyzer *analyzer_new(const struct conf *, struct diag *);
/* Another holder (a backfill outliving a reload); every holder calls
 * analyzer_free, and the last one frees it. */
struct analyzer *analyzer_ref(struct analyzer *);
void analyzer_free(struct analyzer *);

const struct matcher *analyzer_matcher(const struct analyzer *);
const struct sentiment_model *analyzer_model(const struct analyzer *);
double analyzer_band(const struct analyzer *);
/* Likely mistakes in queries that compiled ("free ou orange"), each
 * formatted as FILE:LINE: column N: warning: message. */
const struct diag *analyzer_warnings(const struct analyzer *);
size_t analyzer_watch_count(const struct analyzer *);
const char *analyzer_watch_name(const struct analyzer *, size_t watch);

/* Past this length a normalised link is not an identity (see
 * item_analysis.url_norm). */
#define ANALYZE_URL_NORM_MAX 1024

/* One item's verdict. mentions point into the analyzer. */
struct item_analysis {
	struct match_hit *mentions;
	size_t nmentions;
	/* The document's tone, meaningful when scored. */
	struct sentiment_score tone;
	/* Parallel to mentions, when scored: the tone toward each watch,
	 * that of the sentences that mention it (the document's when no
	 * sentence does on its own). What a mention stores and counts. */
	struct sentiment_score *mention_tones;
	int scored;
	/*
	 * The item's story identity, what the store writes with a new item
	 * to link it to the same story elsewhere; set by analyze_story (a
	 * backfill reads stored items, which have theirs). url_norm
	 * is the link normalised (story_normalize_url), NULL without a link
	 * or past ANALYZE_URL_NORM_MAX bytes: such a link would not fit an
	 * index row, and the item is compared by its text only. simhash is
	 * the SimHash of the title and text (story_simhash), 0 when they
	 * are too short to say anything.
	 */
	char *url_norm;
	uint64_t simhash;
};

/*
 * What analyze_item writes as it goes, reused from item to item: the
 * matcher's working memory and the scorer's (sentiment_score_with). Threads
 * sharing an analyzer each bring one. It caches what one analyzer's
 * lexicons say: cleared before it serves another. Zeroed memory is an
 * empty scratch.
 */
struct analyze_scratch {
	struct match_result match;
	struct sentiment_scratch *tone;
};
void analyze_scratch_clear(struct analyze_scratch *);

/* Matches and scores one item. lang is the source's configured language,
 * used when the item has none. The result is owned by the caller: free it
 * with item_analysis_clear. only, when not NULL, restricts matching to the
 * watches whose flag is set. */
void analyze_item(const struct analyzer *, const struct item *,
    const char *lang, const unsigned char *only, struct analyze_scratch *,
    struct item_analysis *out);
/* Adds the item's story identity (url_norm, simhash) to out, for a new
 * item on its way to the store. */
void analyze_story(const struct item *, struct item_analysis *out);
void item_analysis_clear(struct item_analysis *);

#endif
