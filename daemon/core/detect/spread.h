/*
 * spread.h - spreading stories: one story (items linked as near
 * duplicates, core/judge/story.c) taken up by spread_sites distinct
 * voices - sites, or accounts on a platform - within spread_window opens a
 * 'spread' incident for the watch it mentions, the early sign of a rumour
 * or a fake news going viral; the incident ends once the story has had no
 * new mention for a window. Pure arithmetic on times, no clock and no
 * I/O (docs/DETECTION.md, "Spreading stories").
 */
#ifndef VIGIE_SPREAD_H
#define VIGIE_SPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/detect/detect.h"

/* What the first times of a story's voices say. */
struct spread_verdict {
	/* The first time of the voice that made spread_sites of them
	 * within one window: when the story was found spreading;
	 * INT64_MIN when it never was (or spread detection is off). */
	int64_t reached_ms;
	/* The most voices within one window: how fast it spread. */
	int peak;
};

/*
 * Judges a story from the first time each of its voices took it up
 * (first_ms, n of them, in any order; the array is sorted in place).
 */
void spread_judge(const struct detect_params *, int64_t *first_ms, size_t n,
    struct spread_verdict *);

/* Whether a story found spreading at reached_ms is news at now_ms, to be
 * announced: found within its window. Older ones (the daemon was away)
 * are recorded, not announced, as a spike found in old history is. */
int spread_recent(
    const struct detect_params *, int64_t reached_ms, int64_t now_ms);

/* When an open spread incident ends, its story's last mention being at
 * last_ms (INT64_MIN: none left, every mention dismissed): a window
 * after that mention, or now; INT64_MIN while the window is not over. */
int64_t spread_quiet(
    const struct detect_params *, int64_t last_ms, int64_t now_ms);

#endif
