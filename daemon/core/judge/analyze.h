/*
 * analyze.h - the match/score stage of the pipeline: which watches an item
 * mentions (match.h) and in what tone (sentiment.h). Built once from the
 * configuration, read-only afterwards; a reload builds a new one.
 */
#ifndef VIGIE_ANALYZE_H
#define VIGIE_ANALYZE_H

#include <stddef.h>

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
size_t analyzer_watch_count(const struct analyzer *);
const char *analyzer_watch_name(const struct analyzer *, size_t watch);

/* One item's verdict. mentions point into the analyzer. */
struct item_analysis {
	struct match_hit *mentions;
	size_t nmentions;
	struct sentiment_score tone; /* meaningful when scored */
	int scored;
};

/* Matches and scores one item. lang is the
 * source's configured language, used when the item has none. The result
 * is owned by the caller: free it with item_analysis_clear. only, when not
 * NULL, restricts matching to the watches whose flag is set. */
void analyze_item(const struct analyzer *, const struct item *,
    const char *lang, const unsigned char *only, struct match_result *scratch,
    struct item_analysis *out);
void item_analysis_clear(struct item_analysis *);

#endif
