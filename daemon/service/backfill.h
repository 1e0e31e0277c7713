/*
 * backfill.h - when a watch is added or its query changes, the stored
 * items of the recent past (`[rules] backfill`, 30 days by default) are
 * matched again, page by page, between the daemon's other requests, so
 * that the watch's history is complete without holding up polling.
 */
#ifndef VIGIE_BACKFILL_H
#define VIGIE_BACKFILL_H

#include <stdint.h>

struct analyzer;
struct backfill;
struct store;

/* Called once when the pass is over (done or failed); the backfill is
 * then freed. */
typedef void (*backfill_done_cb)(int ok, void *arg);

/* Starts a pass for the watches the database marks as needing one. Holds
 * a reference to the analyzer until it ends. */
struct backfill *backfill_start(struct store *, struct analyzer *,
    int64_t window_ms, backfill_done_cb, void *arg);
/* Ends the pass after the request in flight: no more pages are asked. */
void backfill_stop(struct backfill *);
/* For shutdown, once the store (and the callbacks it held) is gone. */
void backfill_free(struct backfill *);

#endif
