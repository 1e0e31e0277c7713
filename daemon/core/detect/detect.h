/*
 * detect.h - spike detection for one watch: negative mentions counted in
 * fixed buckets, a baseline learned from the watch's own quiet history,
 * and incidents (OK -> FIRING -> RESOLVED) raised when the recent window is
 * improbable under that baseline. Pure arithmetic on counts, no clock and
 * no I/O: the daemon and `vigie backtest` feed it the same bucket series.
 */
#ifndef VIGIE_DETECT_H
#define VIGIE_DETECT_H

#include <stddef.h>
#include <stdint.h>

/* The most buckets a window may hold. */
#define DETECT_MAX_WINDOW 512

/*
 * Every parameter, one field per [detect] key (see docs/DETECTION.md for
 * types, defaults and bounds); durations in milliseconds.
 */
struct detect_params {
	int64_t bucket_ms; /* bucket = 5m (>= 10s) */
	int64_t window_ms; /* window = 1h: a multiple of the bucket */
	int min_count; /* min_count = 5: negatives in the window */
	double min_ratio; /* min_ratio = 3: window / expected window */
	double p_value; /* p_value = 1e-4: Poisson upper tail */
	int64_t half_life_ms; /* half_life = 24h: of the baseline's EWMA */
	double baseline_floor; /* baseline_floor = 0.05 negatives/bucket */
	int cold_threshold; /* cold_threshold = 20: with no history yet */
	int64_t warmup_ms; /* warmup = 24h of quiet history before the
	                      statistical tests are trusted */
	double cusum_k; /* cusum_k = 1 (window sd units) */
	double cusum_h; /* cusum_h = 12 */
	double resolve_ratio; /* resolve_ratio = 1.5 */
	int64_t resolve_after_ms; /* resolve_after = 30m below it to resolve */
	int64_t cooldown_ms; /* cooldown = 2h after a resolution */
	double escalate; /* escalate = 2: a new notice when the window
	                    reaches this multiple of the last one
	                    notified, a window or more after it */
	int spread_sites; /* spread_sites = 5: one story taken up by this
	                     many sites or accounts within spread_window
	                     is a spread incident (spread.h); 0: off */
	int64_t spread_window_ms; /* spread_window = 1h */
};

void detect_params_default(struct detect_params *);

/* 0 if the parameters are usable, else -1 and a message in err, which
 * starts with the name of the key at fault (the configuration reader
 * points at that key's line). */
int detect_params_check(const struct detect_params *, char *err, size_t errlen);

/* The EWMA weight of one bucket, from half_life: 1 - 2^(-bucket/half_life). */
double detect_alpha(const struct detect_params *);

/*
 * The time at which a mention counts for detection: its published time
 * (INT64_MIN when the feed gave none) when that lies within one window
 * before its first-seen time, its first-seen time when it claims to be from
 * the future, and INT64_MIN - not counted - when it was published more than
 * a window before it was first seen (a new source's backlog, a late feed).
 */
int64_t detect_item_time(
    int64_t published_ms, int64_t first_seen_ms, const struct detect_params *);

enum detect_state {
	DETECT_OK,
	DETECT_FIRING,
	DETECT_COOLDOWN, /* resolved recently: no new incident yet */
};

enum detect_event {
	DETECT_NONE,
	DETECT_FIRED, /* a new incident */
	DETECT_ESCALATED, /* the open incident got much worse */
	DETECT_RESOLVED,
};

enum detect_reason {
	REASON_NONE,
	REASON_POISSON, /* the window is improbable under the baseline */
	REASON_CUSUM, /* a slow build-up */
	REASON_COLD, /* no history yet, an obvious crisis */
};

/* "fired", "escalated", "resolved"; "none" for DETECT_NONE. */
const char *detect_event_name(enum detect_event);
/* "poisson", "cusum", "cold" (stored in SQL, sent in JSON); NULL for
 * REASON_NONE, which is stored as NULL. */
const char *detect_reason_name(enum detect_reason);
/* The reason named s; REASON_NONE for NULL or an unknown name. */
enum detect_reason detect_reason_parse(const char *s);

/* What the detector knows of one watch; small, copyable, resumable. */
struct detect_track {
	enum detect_state state;
	enum detect_reason reason; /* of the open or last incident */
	double baseline; /* expected negatives per bucket */
	double dispersion; /* variance / mean of the window count */
	double cusum;
	int64_t history_ms; /* quiet history learned so far */
	int64_t last_bucket; /* start of the last bucket stepped, or -1 */
	int64_t first_bucket; /* start of the first one, or -1 */
	int window[DETECT_MAX_WINDOW]; /* ring of the last buckets' negatives */
	int total[DETECT_MAX_WINDOW]; /* and of all mentions */
	int nwindow; /* buckets per window */
	int head; /* the oldest bucket of the ring */
	int64_t state_since; /* bucket start when the state was entered */
	int64_t below_since; /* resolving: first bucket below, or -1 */
	int notified; /* window count last notified */
	int64_t notified_at; /* bucket start of that notice */
	int peak; /* highest window count of the incident */
};

/* Figures behind a decision, for the notification. */
struct detect_info {
	enum detect_reason reason;
	int window_count; /* negatives in the window */
	int window_total; /* all mentions in the window */
	double expected; /* negatives the baseline expects per window */
	double ratio; /* window_count / expected */
	double p; /* Poisson upper tail P(X >= window_count) */
	double cusum;
	int peak;
};

void detect_track_init(struct detect_track *, const struct detect_params *);

/*
 * Feeds the bucket that starts at bucket_start (a multiple of bucket_ms)
 * with its negative and total mention counts. Buckets must come in order:
 * a bucket at or before the last one stepped is ignored. Skipped buckets
 * count as empty; should one of them resolve the open incident, that
 * RESOLVED is what this call returns, and no new incident opens before the
 * next call. Returns what happened, with the figures in info.
 */
enum detect_event detect_step(const struct detect_params *,
    struct detect_track *, int64_t bucket_start, int negative, int total,
    struct detect_info *);

/*
 * Corrects the counts of a bucket already stepped and still in the window:
 * mentions that arrive late (published before their bucket was stepped)
 * count in the window from the next step on. The baseline, already
 * taught, is left as it is.
 */
void detect_revise(const struct detect_params *, struct detect_track *,
    int64_t bucket_start, int negative, int total);

/* P(X >= k) for X ~ Poisson(lambda), accurate in the far tail. */
double detect_poisson_upper_tail(int k, double lambda);

#endif
