/*
 * reviews.h - reviews out of the pages that publish them for search
 * engines (type = html, preset = reviews): schema.org Review and
 * AggregateRating, in JSON-LD or in microdata, as review sites, shops and
 * the review widgets embedded on brands' sites write them.
 */
#ifndef VIGIE_REVIEWS_H
#define VIGIE_REVIEWS_H

#include <stddef.h>

#include "core/read/feed.h"

/*
 * The page's reviews, each an item with its rating normalised to 0-1
 * ((value - worst) / (best - worst), schema.org's 1 and 5 when unsaid),
 * its author, date and text; and each AggregateRating as an item of its
 * own, with the number of ratings behind it (rating_count). A review
 * with no id of its own is told apart by its author, date and text. 0
 * with *out (possibly without items), or -1 with err set when the page
 * cannot be read.
 */
int reviews_read(const char *html, size_t len, const char *url,
    const char *content_type, struct feed **out, char *err, size_t errlen);

/* How many reviews and ratings the page carries, for vigie discover. */
size_t reviews_count(const char *html, size_t len);

#endif
