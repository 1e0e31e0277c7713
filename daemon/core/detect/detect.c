/*
 * detect.c - the spike detector (see detect.h and docs/DETECTION.md): a
 * ring of the window's bucket counts, an EWMA baseline of quiet buckets,
 * a Poisson upper-tail test, a CUSUM of the window's standardised excess
 * for slow build-ups, and the incident state machine around them.
 */
#include "core/detect/detect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/base/util.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* Counts beyond this in one bucket say nothing more and could overflow
 * the window's sum. */
#define BUCKET_COUNT_MAX 1000000
/* The dispersion index is learned from quiet windows; a few freak windows
 * must not make the build-up test blind. */
#define DISPERSION_SAMPLE_MAX 100.0
#define DISPERSION_MAX 25.0
#define HISTORY_MAX (INT64_MAX / 4)

void
detect_params_default(struct detect_params *p)
{
	p->bucket_ms = 5 * MIN;
	p->window_ms = HOUR;
	p->min_count = 5;
	p->min_ratio = 3;
	p->p_value = 1e-4;
	p->half_life_ms = DAY;
	p->baseline_floor = 0.05;
	p->cold_threshold = 20;
	p->warmup_ms = DAY;
	p->cusum_k = 1;
	p->cusum_h = 12;
	p->resolve_ratio = 1.5;
	p->resolve_after_ms = 30 * MIN;
	p->cooldown_ms = 2 * HOUR;
	p->escalate = 2;
	p->spread_sites = 5;
	p->spread_window_ms = HOUR;
}

static int
fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int
detect_params_check(const struct detect_params *p, char *err, size_t errlen)
{
	/* Written so that NaN fails every range test. */
	if (p->bucket_ms < 10 * SEC || p->bucket_ms > DAY)
		return fail(err, errlen, "bucket must be between 10s and 1d");
	if (p->window_ms < p->bucket_ms || p->window_ms % p->bucket_ms != 0)
		return fail(err, errlen, "window must be a multiple of bucket");
	if (p->window_ms / p->bucket_ms > DETECT_MAX_WINDOW)
		return fail(
		    err, errlen, "window must hold at most 512 buckets");
	if (p->min_count < 1 || p->min_count > 1000000)
		return fail(
		    err, errlen, "min_count must be between 1 and 1000000");
	if (!(p->min_ratio >= 1 && p->min_ratio <= 1000))
		return fail(
		    err, errlen, "min_ratio must be between 1 and 1000");
	if (!(p->p_value > 0 && p->p_value < 1))
		return fail(err, errlen, "p_value must be in (0, 1)");
	if (p->half_life_ms < p->bucket_ms || p->half_life_ms > 365 * DAY)
		return fail(
		    err, errlen, "half_life must be between bucket and 365d");
	if (!(p->baseline_floor > 0 && p->baseline_floor <= 1000000))
		return fail(
		    err, errlen, "baseline_floor must be in (0, 1000000]");
	if (p->cold_threshold < p->min_count || p->cold_threshold > 1000000)
		return fail(err, errlen,
		    "cold_threshold must be between min_count and 1000000");
	if (p->warmup_ms < 0 || p->warmup_ms > 365 * DAY)
		return fail(err, errlen, "warmup must be between 0 and 365d");
	if (!(p->cusum_k >= 0 && p->cusum_k <= 100))
		return fail(err, errlen, "cusum_k must be between 0 and 100");
	if (!(p->cusum_h > 0 && p->cusum_h <= 1000))
		return fail(err, errlen, "cusum_h must be in (0, 1000]");
	if (!(p->resolve_ratio >= 1 && p->resolve_ratio <= p->min_ratio))
		return fail(err, errlen,
		    "resolve_ratio must be between 1 and min_ratio");
	if (p->resolve_after_ms < 0 || p->resolve_after_ms > 7 * DAY)
		return fail(
		    err, errlen, "resolve_after must be between 0 and 7d");
	if (p->cooldown_ms < 0 || p->cooldown_ms > 7 * DAY)
		return fail(err, errlen, "cooldown must be between 0 and 7d");
	if (!(p->escalate > 1 && p->escalate <= 1000))
		return fail(err, errlen, "escalate must be in (1, 1000]");
	/* One site is no spread: a story needs two to be one at all. */
	if (p->spread_sites != 0 &&
	    (p->spread_sites < 2 || p->spread_sites > 10000))
		return fail(err, errlen,
		    "spread_sites must be 0 (off) or between 2 and 10000");
	if (p->spread_window_ms < MIN || p->spread_window_ms > 7 * DAY)
		return fail(
		    err, errlen, "spread_window must be between 1m and 7d");
	return 0;
}

double
detect_alpha(const struct detect_params *p)
{
	return -expm1(-M_LN2 * (double)p->bucket_ms / (double)p->half_life_ms);
}

int64_t
detect_item_time(
    int64_t published_ms, int64_t first_seen_ms, const struct detect_params *p)
{
	if (published_ms == INT64_MIN || published_ms > first_seen_ms)
		return first_seen_ms;
	/* Subtracting the window could overflow; a bound on the difference
	 * cannot, both times being ordered. */
	if ((uint64_t)first_seen_ms - (uint64_t)published_ms >
	    (uint64_t)p->window_ms)
		return INT64_MIN;
	return published_ms;
}

/*
 * The Poisson tail as a sum of probabilities, each term computed in log
 * space from the one nearest the mode, so neither e^-lambda nor k!
 * underflow or overflow: above the mean the upper tail is summed directly,
 * below it the upper tail is one minus the (then small) lower tail.
 */
double
detect_poisson_upper_tail(int k, double lambda)
{
	double first, sum, term;
	long j;

	if (k <= 0)
		return 1;
	if (!(lambda > 0))
		return 0;
	if (isinf(lambda))
		return 1;
	if (lambda < k) {
		/* P(X >= k) = P(X = k) * sum over j of lambda^j k!/(k+j)! */
		first = k * log(lambda) - lambda - lgamma(k + 1.0);
		sum = term = 1;
		for (j = 1; term > sum * 1e-17; j++) {
			term *= lambda / (k + j);
			sum += term;
		}
		return exp(first + log(sum));
	}
	/* P(X <= k-1) = P(X = k-1) * sum over j of (k-1)!/(k-1-j)!/lambda^j */
	first = (k - 1) * log(lambda) - lambda - lgamma(k);
	sum = term = 1;
	for (j = 1; j < k && term > sum * 1e-17; j++) {
		term *= (k - j) / lambda;
		sum += term;
	}
	return -expm1(first + log(sum));
}

void
detect_track_init(struct detect_track *t, const struct detect_params *p)
{
	memset(t, 0, sizeof(*t));
	t->state = DETECT_OK;
	t->reason = REASON_NONE;
	t->dispersion = 1;
	t->last_bucket = -1;
	t->first_bucket = -1;
	t->below_since = -1;
	t->nwindow = (int)(p->window_ms / p->bucket_ms);
}

static int
clamp_count(int n)
{
	if (n < 0)
		return 0;
	return n > BUCKET_COUNT_MAX ? BUCKET_COUNT_MAX : n;
}

static double
expected(const struct detect_params *p, const struct detect_track *t)
{
	return fmax(t->baseline, p->baseline_floor) * t->nwindow;
}

/* Below this the open incident is resolving: under the hysteresis ratio,
 * and too few to have fired at all. */
static double
resolve_level(const struct detect_params *p, double e)
{
	return fmax(p->resolve_ratio * e, p->min_count);
}

/*
 * A quiet bucket teaches the baseline. Until the EWMA has seen about
 * 1/alpha buckets its weight is 1/n, a plain mean, so a new watch's
 * baseline is its average so far and not a slow climb from zero.
 */
static void
learn(const struct detect_params *p, struct detect_track *t, int n, int w,
    double e)
{
	int64_t nb = t->history_ms / p->bucket_ms;
	double alpha = detect_alpha(p);

	t->baseline += fmax(alpha, 1.0 / (double)(nb + 1)) * (n - t->baseline);
	/* The dispersion is only measured over full windows of history. */
	if (nb >= t->nwindow) {
		double dev = (w - e) * (w - e) / e;
		double a = fmax(alpha, 1.0 / (double)(nb - t->nwindow + 1));

		t->dispersion +=
		    a * (fmin(dev, DISPERSION_SAMPLE_MAX) - t->dispersion);
		t->dispersion = fmin(fmax(t->dispersion, 1), DISPERSION_MAX);
	}
	if (t->history_ms < HISTORY_MAX)
		t->history_ms += p->bucket_ms;
}

/* A long gap's empty buckets, once no incident can be open: the baseline
 * decays as if each had been stepped. */
static void
fast_forward(const struct detect_params *p, struct detect_track *t, int64_t n)
{
	double alpha = detect_alpha(p);

	while (
	    n > 0 && 1.0 / (double)(t->history_ms / p->bucket_ms + 1) > alpha) {
		learn(p, t, 0, 0, expected(p, t));
		n--;
	}
	t->baseline *= pow(1 - alpha, (double)n);
	if (n > (HISTORY_MAX - t->history_ms) / p->bucket_ms)
		t->history_ms = HISTORY_MAX;
	else
		t->history_ms += n * p->bucket_ms;
}

/* Which test, if any, opens an incident on this window. */
static enum detect_reason
judge(const struct detect_params *p, const struct detect_track *t, int w,
    double e, double pv)
{
	/* The baseline of a short history is only a rough mean: ask for a
	 * large count, well above it. Within the first window there is no
	 * mean at all (a crisis under way when the watch starts would be
	 * learned as normal): the absolute count alone speaks. */
	if (t->last_bucket - t->first_bucket < p->window_ms - p->bucket_ms)
		return w >= p->cold_threshold ? REASON_COLD : REASON_NONE;
	if (t->history_ms < p->warmup_ms)
		return w >= p->cold_threshold && w >= p->min_ratio * e
		    ? REASON_COLD
		    : REASON_NONE;
	if (w >= p->min_count && w >= p->min_ratio * e && pv <= p->p_value)
		return REASON_POISSON;
	if (t->cusum > p->cusum_h && w >= resolve_level(p, e))
		return REASON_CUSUM;
	return REASON_NONE;
}

static void
update_cusum(
    const struct detect_params *p, struct detect_track *t, int w, double e)
{
	double z;

	if (t->history_ms < p->warmup_ms) {
		t->cusum = 0;
		return;
	}
	/* Each bucket adds a window's share, so an excess of z sd held for
	 * a whole window adds z - k. */
	z = (w - e) / sqrt(e * t->dispersion);
	t->cusum = fmax(0, t->cusum + (z - p->cusum_k) / t->nwindow);
}

static enum detect_event
step_one(const struct detect_params *p, struct detect_track *t, int64_t start,
    int n, int total, int may_open, struct detect_info *info)
{
	enum detect_event ev = DETECT_NONE;
	enum detect_reason why;
	int64_t w = 0, tw = 0;
	double e = expected(p, t), pv;

	t->window[t->head] = n;
	t->total[t->head] = total;
	t->head = (t->head + 1) % t->nwindow;
	t->last_bucket = start;
	if (t->first_bucket < 0)
		t->first_bucket = start;
	for (int i = 0; i < t->nwindow; i++) {
		w += t->window[i];
		tw += t->total[i];
	}
	/* Quasi-Poisson: counts scaled down by the dispersion learned from
	 * the watch's own quiet windows, whose daily cycle and news days a
	 * single baseline cannot follow. */
	pv = detect_poisson_upper_tail(
	    (int)(w / t->dispersion), e / t->dispersion);

	switch (t->state) {
	case DETECT_FIRING:
		if (w > t->peak)
			t->peak = (int)w;
		if (w < resolve_level(p, e)) {
			if (t->below_since < 0)
				t->below_since = start;
			if (start + p->bucket_ms - t->below_since >=
			    p->resolve_after_ms) {
				t->state = DETECT_COOLDOWN;
				t->state_since = start;
				t->below_since = -1;
				ev = DETECT_RESOLVED;
			}
		} else {
			t->below_since = -1;
			/* A window still filling with the burst that fired
			 * doubles every few buckets: one notice per window. */
			if (w >= p->escalate * t->notified &&
			    start - t->notified_at >= p->window_ms) {
				t->notified = (int)w;
				t->notified_at = start;
				ev = DETECT_ESCALATED;
			}
		}
		break;
	case DETECT_COOLDOWN:
		/* An incident's aftermath is not quiet history either. */
		if (start - t->state_since < p->cooldown_ms)
			break;
		t->state = DETECT_OK;
		t->state_since = start;
		/* FALLTHROUGH */
	case DETECT_OK:
		update_cusum(p, t, (int)w, e);
		why = may_open ? judge(p, t, (int)w, e, pv) : REASON_NONE;
		if (why == REASON_NONE) {
			learn(p, t, n, (int)w, e);
			break;
		}
		/* The baseline stays as it was before the incident. */
		t->state = DETECT_FIRING;
		t->reason = why;
		t->state_since = start;
		t->below_since = -1;
		t->notified = t->peak = (int)w;
		t->notified_at = start;
		t->cusum = 0;
		ev = DETECT_FIRED;
		break;
	}

	info->reason = t->state == DETECT_OK ? REASON_NONE : t->reason;
	info->window_count = (int)w;
	info->window_total = (int)tw;
	info->expected = e;
	info->ratio = w / e;
	info->p = pv;
	info->cusum = t->cusum;
	info->peak = t->state == DETECT_OK ? 0 : t->peak;
	return ev;
}

enum detect_event
detect_step(const struct detect_params *p, struct detect_track *t,
    int64_t bucket_start, int negative, int total, struct detect_info *info)
{
	enum detect_event ev;
	int64_t start, gap, settle;
	int resolved = 0;

	/* A track from other parameters, or damaged, starts afresh rather
	 * than index its ring out of bounds. */
	if (t->nwindow != p->window_ms / p->bucket_ms || t->head < 0 ||
	    t->head >= t->nwindow)
		detect_track_init(t, p);
	memset(info, 0, sizeof(*info));
	if (bucket_start < 0 ||
	    bucket_start - bucket_start % p->bucket_ms <= t->last_bucket)
		return DETECT_NONE;
	start = bucket_start - bucket_start % p->bucket_ms;
	negative = clamp_count(negative);
	total = clamp_count(total);
	if (total < negative)
		total = negative;

	if (t->last_bucket >= 0) {
		/* Enough empty buckets to close any incident and cooldown;
		 * beyond that an empty bucket only decays the baseline. */
		gap = (start - t->last_bucket) / p->bucket_ms - 1;
		settle = t->nwindow +
		    (p->resolve_after_ms + p->cooldown_ms) / p->bucket_ms + 2;
		for (int64_t i = 0; i < gap && i < settle; i++)
			if (step_one(p, t, t->last_bucket + p->bucket_ms, 0, 0,
			        0, info) == DETECT_RESOLVED)
				resolved = 1;
		if (gap > settle) {
			fast_forward(p, t, gap - settle);
			t->last_bucket = start - p->bucket_ms;
		}
	}
	/* After a resolution in the gap, this bucket may not open another
	 * incident: one event per call. */
	ev = step_one(p, t, start, negative, total, !resolved, info);
	return resolved ? DETECT_RESOLVED : ev;
}

void
detect_revise(const struct detect_params *p, struct detect_track *t,
    int64_t bucket_start, int negative, int total)
{
	int64_t k;
	int i;

	if (t->last_bucket < 0 || bucket_start > t->last_bucket ||
	    (t->last_bucket - bucket_start) % p->bucket_ms != 0)
		return;
	k = (t->last_bucket - bucket_start) / p->bucket_ms;
	if (k >= t->nwindow)
		return;
	i = (int)(((t->head - 1 - k) % t->nwindow + t->nwindow) % t->nwindow);
	t->window[i] = clamp_count(negative);
	t->total[i] = clamp_count(total);
}

static const char *const event_names[] = {
	[DETECT_NONE] = "none",
	[DETECT_FIRED] = "fired",
	[DETECT_ESCALATED] = "escalated",
	[DETECT_RESOLVED] = "resolved",
};

static const char *const reason_names[] = {
	[REASON_NONE] = NULL,
	[REASON_POISSON] = "poisson",
	[REASON_CUSUM] = "cusum",
	[REASON_COLD] = "cold",
};

const char *
detect_event_name(enum detect_event ev)
{
	return (unsigned)ev < ARRAY_LEN(event_names) ? event_names[ev] : "none";
}

const char *
detect_reason_name(enum detect_reason r)
{
	return (unsigned)r < ARRAY_LEN(reason_names) ? reason_names[r] : NULL;
}

enum detect_reason
detect_reason_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < ARRAY_LEN(reason_names); i++)
		if (reason_names[i] != NULL && strcmp(s, reason_names[i]) == 0)
			return (enum detect_reason)i;
	return REASON_NONE;
}
