/*
 * history.h - a watch's stored mention counts per bucket, read back for
 * `vigie backtest`: what the daemon's detector would have counted
 * (detect_counts(), schema/006). Reads only, on a blocking connection of
 * its own: a command, not the event loop.
 */
#ifndef VIGIE_HISTORY_H
#define VIGIE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct bucket_count {
	int64_t bucket_ms; /* start of the bucket */
	int negative;
	int total;
};

/* The buckets of [from_ms, to_ms) in which watch has mentions, in order,
 * as an allocated array in *out (free it), with bucket and window lengths
 * as the detector's. 0, or -1 with an allocated message in *err. */
int history_counts(const char *conninfo, const char *watch, int64_t bucket_ms,
    int64_t window_ms, int64_t from_ms, int64_t to_ms,
    struct bucket_count **out, size_t *n, char **err);

#endif
