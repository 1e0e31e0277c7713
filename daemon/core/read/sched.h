/*
 * sched.h - when a source is polled next: its interval after a success,
 * exponential backoff with jitter after failures, Retry-After honoured.
 * Pure arithmetic so that it can be tested without a clock.
 */
#ifndef VIGIE_SCHED_H
#define VIGIE_SCHED_H

#include <stdint.h>

#define SCHED_BACKOFF_CAP_MS (6LL * 3600 * 1000)
#define SCHED_RETRY_AFTER_CAP_MS (24LL * 3600 * 1000)

enum fetch_outcome {
	OUTCOME_OK, /* 2xx with a body we parsed */
	OUTCOME_NOT_MODIFIED, /* 304 */
	OUTCOME_GONE, /* 410: the source is disabled */
	OUTCOME_THROTTLED, /* 429 or 503 */
	OUTCOME_FAILED, /* anything else */
	OUTCOME_PARTIAL, /* 2xx, items read around a part that could not be */
	/* 401 or 403 from an API (type = json): its credentials refused,
	 * the source disabled until the configuration is read again. */
	OUTCOME_DENIED,
};

/* What a poll's outcome is called in the fetches table and in /metrics:
 * "ok", "not_modified", "gone", "throttled", "failed", "partial",
 * "denied". */
const char *fetch_outcome_name(enum fetch_outcome);

/*
 * Delay before the next poll. failures is the count of consecutive failures
 * including this one (0 after a success); retry_after_ms is the server's
 * Retry-After (0 if absent); rnd is a uniform random number in [0, 1) for
 * the jitter.
 */
int64_t sched_next_delay(enum fetch_outcome, int64_t interval_ms, int failures,
    int64_t retry_after_ms, double rnd);

#endif
