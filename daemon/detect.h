/*
 * detect.h - spike detection for one watch: negative mentions counted in
 * fixed buckets, a baseline learned from the watch's own quiet history,
 * and incidents (OK -> FIRING -> RESOLVED) raised when the recent window is
 * improbable under that baseline. Pure arithmetic on counts, no clock and
 * no I/O: the daemon and `vigie backtest` feed it the same bucket series.
 */
#ifndef VIGIE_DETECT_H
#define VIGIE_DETECT_H

#include <stdint.h>

/* Every parameter, with its [detect] key and default (see DETECTION.md). */
struct detect_params {
	int64_t bucket_ms;   /* bucket = 5m (>= 10s) */
	int64_t window_ms;   /* window = 1h: a multiple of the bucket */
	int min_count;       /* min_count = 5: negatives in the window */
	double min_ratio;    /* min_ratio = 3: window / expected window */
	double p_value;      /* p_value = 1e-4: Poisson upper tail */
	double alpha;        /* baseline half-life, as an EWMA weight per
	                        bucket: derived from half_life = 24h */
	double floor;        /* baseline_floor = 0.05 negatives per bucket */
	int cold_count;      /* cold_threshold = 20: with no history yet */
	int64_t warmup_ms;   /* warmup = 24h of history before the
	                        statistical test is trusted */
	double cusum_k;      /* cusum_k = 0.5 (in baseline sd units) */
	double cusum_h;      /* cusum_h = 8 */
	double resolve_ratio; /* resolve_ratio = 1.5: window falls below
	                         this times expected -> resolving */
	int64_t resolve_ms;  /* resolve_after = 30m below it to resolve */
	int64_t cooldown_ms; /* cooldown = 2h after a resolution */
	double escalate;     /* escalate = 2: a new notice when the window
	                        count reaches this multiple of the last one
	                        notified */
};

void detect_params_default(struct detect_params *);

enum detect_state {
	DETECT_OK,
	DETECT_FIRING,
	DETECT_COOLDOWN, /* resolved recently: no new incident yet */
};

enum detect_event {
	DETECT_NONE,
	DETECT_FIRED,     /* a new incident */
	DETECT_ESCALATED, /* the open incident got much worse */
	DETECT_RESOLVED,
};

enum detect_reason {
	REASON_NONE,
	REASON_POISSON, /* the window is improbable under the baseline */
	REASON_CUSUM,   /* a slow build-up */
	REASON_COLD,    /* no history yet, an obvious crisis */
};

/* What the detector knows of one watch; small, copyable, resumable. */
struct detect_track {
	enum detect_state state;
	double baseline;       /* expected negatives per bucket */
	double cusum;
	int64_t history_ms;    /* quiet history learned so far */
	int64_t last_bucket;   /* start of the last bucket stepped, or -1 */
	int window[512];       /* ring of the last buckets' negatives */
	int total[512];        /* and of all mentions */
	int nwindow;           /* buckets per window (<= 512) */
	int head;
	int64_t state_since;   /* bucket start when the state was entered */
	int64_t below_since;   /* resolving: first bucket below, or -1 */
	int notified;          /* window count last notified */
	int peak;              /* highest window count of the incident */
};

/* Figures behind a decision, for the notification. */
struct detect_info {
	enum detect_reason reason;
	int window_count;     /* negatives in the window */
	int window_total;     /* all mentions in the window */
	double expected;      /* negatives the baseline expects per window */
	double ratio;         /* window_count / expected */
	double p;             /* Poisson upper tail P(X >= window_count) */
	int peak;
};

void detect_track_init(struct detect_track *, const struct detect_params *);

/*
 * Feeds the bucket that starts at bucket_start (a multiple of bucket_ms)
 * with its negative and total mention counts. Buckets must come in order;
 * skipped buckets count as empty. Returns what happened, with info.
 */
enum detect_event detect_step(const struct detect_params *,
    struct detect_track *, int64_t bucket_start, int negative, int total,
    struct detect_info *);

/* P(X >= k) for X ~ Poisson(lambda), accurate in the far tail. */
double poisson_upper_tail(int k, double lambda);

#endif
