/*
 * sched.c - the delay before a source's next poll (see sched.h).
 *
 * After a failure the first retry comes after a quarter of the source's
 * interval, so that a feed polled every 15 minutes is retried within a few
 * minutes while a daily one is not retried hourly; but never sooner than
 * SCHED_BACKOFF_MIN_MS, so that a short interval does not turn a failing
 * server into a hammered one. Each further failure doubles the delay, up to
 * SCHED_BACKOFF_CAP_MS. "Equal" jitter then spreads retries over the upper
 * half of that delay: sources that failed together (a network outage) do
 * not all come back at the same instant, and none comes back sooner than
 * half the computed delay.
 */
#include "core/read/sched.h"

#include "core/base/util.h"

#define SCHED_BACKOFF_MIN_MS (30LL * 1000)

static int64_t
backoff(int64_t interval_ms, int failures, double rnd)
{
	int64_t delay = interval_ms / 4;

	if (delay < SCHED_BACKOFF_MIN_MS)
		delay = SCHED_BACKOFF_MIN_MS;
	for (int i = 1; i < failures && delay < SCHED_BACKOFF_CAP_MS; i++)
		delay *= 2;
	if (delay > SCHED_BACKOFF_CAP_MS)
		delay = SCHED_BACKOFF_CAP_MS;
	if (!(rnd >= 0 && rnd < 1)) /* NaN included */
		rnd = 0;
	return delay / 2 + (int64_t)((double)(delay - delay / 2) * rnd);
}

int64_t
sched_next_delay(enum fetch_outcome outcome, int64_t interval_ms, int failures,
    int64_t retry_after_ms, double rnd)
{
	int64_t delay;

	switch (outcome) {
	case OUTCOME_OK:
	case OUTCOME_PARTIAL:
	case OUTCOME_NOT_MODIFIED:
		return interval_ms;
	case OUTCOME_GONE:
	case OUTCOME_DENIED:
		return -1;
	case OUTCOME_THROTTLED:
		/* The server said when; a later time from the backoff wins,
		 * since a server that keeps throttling is failing too. */
		delay = backoff(interval_ms, failures, rnd);
		if (retry_after_ms > SCHED_RETRY_AFTER_CAP_MS)
			retry_after_ms = SCHED_RETRY_AFTER_CAP_MS;
		return retry_after_ms > delay ? retry_after_ms : delay;
	case OUTCOME_FAILED:
		break;
	}
	return backoff(interval_ms, failures, rnd);
}

static const char *const outcome_names[] = {
	[OUTCOME_OK] = "ok",
	[OUTCOME_NOT_MODIFIED] = "not_modified",
	[OUTCOME_GONE] = "gone",
	[OUTCOME_THROTTLED] = "throttled",
	[OUTCOME_FAILED] = "failed",
	[OUTCOME_PARTIAL] = "partial",
	[OUTCOME_DENIED] = "denied",
};

const char *
fetch_outcome_name(enum fetch_outcome o)
{
	/* A value outside the enum is a failure, as anything unforeseen. */
	if ((unsigned)o >= ARRAY_LEN(outcome_names))
		return outcome_names[OUTCOME_FAILED];
	return outcome_names[o];
}
