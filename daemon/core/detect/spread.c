/*
 * spread.c - spreading stories (see spread.h): a window slid over the
 * first times of a story's voices, in order.
 */
#include "core/detect/spread.h"

#include <stdlib.h>

static int
time_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void
spread_judge(const struct detect_params *p, int64_t *first_ms, size_t n,
    struct spread_verdict *v)
{
	size_t lo = 0;

	v->reached_ms = INT64_MIN;
	v->peak = 0;
	if (n == 0)
		return;
	if (n > 1)
		qsort(first_ms, n, sizeof *first_ms, time_cmp);
	/* The window ends at each voice in turn and holds the voices no
	 * more than a window before it, that one included. */
	for (size_t hi = 0; hi < n; hi++) {
		int count;

		while (first_ms[hi] - first_ms[lo] > p->spread_window_ms)
			lo++;
		count = (int)(hi - lo + 1);
		if (count > v->peak)
			v->peak = count;
		if (p->spread_sites > 0 && count >= p->spread_sites &&
		    v->reached_ms == INT64_MIN)
			v->reached_ms = first_ms[hi];
	}
}

int
spread_recent(const struct detect_params *p, int64_t reached_ms, int64_t now_ms)
{
	return reached_ms != INT64_MIN &&
	    reached_ms > now_ms - p->spread_window_ms;
}

int64_t
spread_quiet(const struct detect_params *p, int64_t last_ms, int64_t now_ms)
{
	if (last_ms == INT64_MIN)
		return now_ms;
	if (last_ms > now_ms - p->spread_window_ms)
		return INT64_MIN;
	return last_ms + p->spread_window_ms;
}
