/*
 * test_detect.c - the spike detector on synthetic bucket series: Poisson
 * tails against values summed independently, the item time rule, quiet
 * traffic, bursts through the whole incident cycle, slow build-ups, cold
 * starts, one watch's thresholds against another's, the frozen baseline,
 * the floor, gaps and parameter checks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/detect/detect.h"
#include "core/detect/incident.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define BUCKET (5 * MIN)
/* A round start, so bucket times are exact multiples. */
#define T0 (1700000000000LL - 1700000000000LL % DAY)

/* Our own generator, so the series are the same everywhere. */
static uint64_t rng_state;

static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double
uniform(void)
{
	return (double)(xorshift() >> 11) / 9007199254740992.0;
}

/* A Poisson draw by inversion: the rates here are small. */
static int
poisson(double lambda)
{
	double u = uniform(), p = exp(-lambda), c = p;
	int k = 0;

	while (u > c && k < 1000) {
		k++;
		p *= lambda / k;
		c += p;
	}
	return k;
}

struct run {
	struct detect_params p;
	struct detect_track t;
	struct detect_info info;
	int64_t next; /* start of the next bucket */
	int fired, escalated, resolved;
	enum detect_reason reason;
	int64_t last_event_at;
};

static void
run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	detect_params_default(&r->p);
	detect_track_init(&r->t, &r->p);
	r->next = T0;
}

static enum detect_event
feed(struct run *r, int negative)
{
	enum detect_event ev = detect_step(
	    &r->p, &r->t, r->next, negative, negative * 5, &r->info);

	switch (ev) {
	case DETECT_FIRED:
		r->fired++;
		r->reason = r->info.reason;
		break;
	case DETECT_ESCALATED:
		r->escalated++;
		break;
	case DETECT_RESOLVED:
		r->resolved++;
		break;
	case DETECT_NONE:
		break;
	}
	if (ev != DETECT_NONE)
		r->last_event_at = r->next;
	r->next += r->p.bucket_ms;
	return ev;
}

/* One negative every tenth bucket: 0.1 per bucket, 1.2 per hour. */
static void
warm(struct run *r, int64_t duration)
{
	for (int64_t i = 0; i < duration / BUCKET; i++)
		assert_int_equal(feed(r, i % 10 == 0), DETECT_NONE);
}

static void
test_poisson_tail(void **state)
{
	/* Tail sums computed with Python's math.lgamma and math.fsum. */
	static const struct {
		int k;
		double lambda, p;
	} cases[] = {
		{ 1, 0.6, 0.4511883639059736 },
		{ 5, 0.6, 0.0003944860183402551 },
		{ 8, 0.6, 2.448275022427485e-07 },
		{ 20, 0.6, 8.489768352448028e-24 },
		{ 50, 0.6, 1.4758744508134407e-76 },
		{ 100, 0.05, 8.044463847173858e-289 },
		{ 30, 10, 2.5099512015279213e-07 },
		{ 10, 10, 0.5420702855281497 },
		{ 5, 20, 0.9999830552560669 },
		{ 1000, 900, 0.0005499022657119449 },
		{ 2, 1e-9, 4.999999996666682e-19 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got =
		    detect_poisson_upper_tail(cases[i].k, cases[i].lambda);

		assert_true(fabs(got - cases[i].p) <= 1e-9 * cases[i].p);
	}
	assert_true(detect_poisson_upper_tail(0, 3) == 1);
	assert_true(detect_poisson_upper_tail(-4, 3) == 1);
	assert_true(detect_poisson_upper_tail(1, 0) == 0);
	assert_true(detect_poisson_upper_tail(1, NAN) == 0);
	/* Underflows to zero rather than to garbage. */
	assert_true(detect_poisson_upper_tail(200, 0.01) == 0);
	/* Far beyond the mean the sum stops quickly and stays in [0, 1]. */
	double big = detect_poisson_upper_tail(2000000000, 1e6);
	assert_true(big >= 0 && big < 1e-300);
	for (int k = 1; k < 60; k++)
		assert_true(detect_poisson_upper_tail(k + 1, 7.5) <
		    detect_poisson_upper_tail(k, 7.5));
}

static void
test_item_time(void **state)
{
	struct detect_params p;
	int64_t now = T0 + 10 * DAY, in_window = 0;

	(void)state;
	detect_params_default(&p);
	assert_int_equal(detect_item_time(INT64_MIN, now, &p), now);
	assert_int_equal(
	    detect_item_time(now - 10 * MIN, now, &p), now - 10 * MIN);
	assert_int_equal(detect_item_time(now - HOUR, now, &p), now - HOUR);
	assert_true(detect_item_time(now - HOUR - 1, now, &p) == INT64_MIN);
	assert_true(detect_item_time(now - 30 * DAY, now, &p) == INT64_MIN);
	/* A date in the future is the feed's clock, not the mention's. */
	assert_int_equal(detect_item_time(now + 3 * HOUR, now, &p), now);
	assert_true(
	    detect_item_time(INT64_MIN + 1, INT64_MAX, &p) == INT64_MIN);

	/* A new source's backlog, seen all at once: one item every hour
	 * for a week. Only the last hour's items count, where they were
	 * published; the rest is never counted. */
	for (int i = 0; i < 7 * 24; i++) {
		int64_t at =
		    detect_item_time(now - i * HOUR - 30 * MIN, now, &p);

		if (at == INT64_MIN)
			continue;
		assert_true(at >= now - p.window_ms && at <= now);
		in_window++;
	}
	assert_int_equal(in_window, 1);
}

static void
test_quiet(void **state)
{
	/* Low, medium and busy watches over 90 days of Poisson traffic with
	 * a daily cycle: nothing to report. */
	static const double rates[] = { 0.01, 0.1, 0.5, 3 };

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (size_t w = 0; w < sizeof(rates) / sizeof(rates[0]); w++) {
		struct run r;

		run_init(&r);
		for (int i = 0; i < 90 * 288; i++) {
			double hour = (i % 288) / 12.0;
			double cycle =
			    1 + 0.5 * sin(2 * M_PI * (hour - 9) / 24);

			feed(&r, poisson(rates[w] * cycle));
			/* Within its first window a watch is judged on the
			 * absolute count alone (see test_cold_start). */
			if (i == 12 + 24 + 24)
				r.fired = 0;
		}
		assert_int_equal(r.fired, 0);
		assert_int_equal(r.t.state, DETECT_OK);
		assert_true(r.t.baseline > rates[w] * 0.3 &&
		    r.t.baseline < rates[w] * 2);
	}
}

static void
test_burst_cycle(void **state)
{
	struct run r;
	int64_t start, fired_at, end, resolved_at;
	double before;

	(void)state;
	run_init(&r);
	warm(&r, 2 * DAY);

	/* Four negatives a bucket: one incident, at once. */
	start = r.next;
	for (int i = 0; i < 3 && r.fired == 0; i++)
		feed(&r, 4);
	assert_int_equal(r.fired, 1);
	assert_int_equal(r.reason, REASON_POISSON);
	assert_int_equal(r.t.state, DETECT_FIRING);
	fired_at = r.last_event_at;
	before = r.t.baseline;
	assert_true(fired_at - start <= 2 * BUCKET);
	assert_true(r.info.p <= r.p.p_value);

	/* It goes on at the same rate for two hours: the window fills, which
	 * is one escalation a window after the first notice, then no more. */
	for (int i = 0; i < 24; i++)
		feed(&r, 4);
	assert_int_equal(r.fired, 1);
	assert_int_equal(r.escalated, 1);
	assert_int_equal(r.last_event_at, fired_at + HOUR);
	assert_int_equal(r.t.notified, 48);

	/* The rate doubles: the window doubles, one more notice. */
	for (int i = 0; i < 24; i++)
		feed(&r, 8);
	assert_int_equal(r.fired, 1);
	assert_int_equal(r.escalated, 2);
	assert_int_equal(r.t.notified, 96);
	assert_int_equal(r.t.peak, 96);

	/* It ends. The window empties over an hour, then stays below for
	 * resolve_after before the incident resolves. */
	end = r.next;
	while (r.resolved == 0 && r.next < end + 4 * HOUR)
		feed(&r, 0);
	assert_int_equal(r.resolved, 1);
	resolved_at = r.last_event_at;
	assert_int_equal(r.t.state, DETECT_COOLDOWN);
	assert_true(resolved_at + BUCKET - end >=
	    r.p.window_ms + r.p.resolve_after_ms - BUCKET);
	assert_true(resolved_at < end + r.p.window_ms + r.p.resolve_after_ms);
	/* The baseline did not learn the burst. */
	assert_true(r.t.baseline == before);

	/* A second burst during the cooldown raises nothing... */
	for (int i = 0; i < 6; i++)
		assert_int_equal(feed(&r, 6), DETECT_NONE);
	while (r.next < resolved_at + r.p.cooldown_ms + HOUR)
		assert_int_equal(feed(&r, 0), DETECT_NONE);
	assert_int_equal(r.t.state, DETECT_OK);
	/* ...a third one after it is a new incident. */
	for (int i = 0; i < 3; i++)
		feed(&r, 6);
	assert_int_equal(r.fired, 2);
	assert_int_equal(r.resolved, 1);
}

static void
test_resolve_needs_time(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	warm(&r, 2 * DAY);
	for (int i = 0; i < 12; i++)
		feed(&r, 5);
	assert_int_equal(r.fired, 1);
	/* Dips below the resolve level shorter than resolve_after, then up
	 * again, never resolve. */
	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < 16; i++)
			feed(&r, 0);
		for (int i = 0; i < 3; i++)
			feed(&r, 5);
	}
	assert_int_equal(r.resolved, 0);
	assert_int_equal(r.t.state, DETECT_FIRING);
}

static void
test_buildup(void **state)
{
	struct run r, poisson_only;
	int64_t from;

	(void)state;
	/* A busy watch, one negative a bucket, climbs to 2.5 times that
	 * over four hours and stays there: never three times the baseline. */
	for (int cusum = 1; cusum >= 0; cusum--) {
		struct run *x = cusum ? &r : &poisson_only;

		rng_state = 42;
		run_init(x);
		if (!cusum)
			x->p.cusum_h = 1000;
		for (int i = 0; i < 3 * 288; i++)
			feed(x, poisson(1));
		assert_int_equal(x->fired, 0);
		from = x->next;
		for (int i = 0; i < 12 * 12; i++) {
			double level = i < 48 ? 1 + 1.5 * i / 48 : 2.5;

			feed(x, poisson(level));
		}
	}
	assert_int_equal(r.fired, 1);
	assert_int_equal(r.reason, REASON_CUSUM);
	assert_true(r.last_event_at > from + HOUR);
	assert_int_equal(poisson_only.fired, 0);
}

static void
test_cold_start(void **state)
{
	struct run r;

	(void)state;
	/* A new install: a big burst is an obvious crisis. */
	run_init(&r);
	feed(&r, 0);
	assert_int_equal(feed(&r, 25), DETECT_FIRED);
	assert_int_equal(r.info.reason, REASON_COLD);
	assert_int_equal(r.info.window_count, 25);

	/* A small one is not, whatever the ratio to no history at all. */
	run_init(&r);
	for (int i = 0; i < 12; i++)
		assert_int_equal(feed(&r, 1), DETECT_NONE);
	assert_int_equal(feed(&r, 6), DETECT_NONE);

	/* A busy watch, above the threshold all along: in its first window,
	 * with no mean to compare with, it cannot be told from a crisis
	 * under way when it started, and fires once; then it has a mean,
	 * and the rest of its first day is quiet. */
	run_init(&r);
	for (int i = 0; i < 280; i++)
		feed(&r, 3);
	assert_int_equal(r.fired, 1);
	assert_int_equal(r.reason, REASON_COLD);
	assert_int_equal(r.t.state, DETECT_OK);
	assert_int_equal(r.info.window_count, 36);
	/* But three times its first day's rate is a crisis. */
	feed(&r, 80);
	feed(&r, 80);
	assert_int_equal(r.fired, 2);
	assert_int_equal(r.reason, REASON_COLD);
}

/* Two watches of one configuration, a big brand and a niche product, each
 * with its own thresholds: the same counts are an incident for one and not
 * for the other, in the daemon and in a backtest alike, since both step
 * the detector with the watch's parameters. */
static void
test_watch_params(void **state)
{
	static const char text[] = "[detect]\n"
	                           "min_count = 5\n"
	                           "[watch \"big\"]\n"
	                           "query = danone\n"
	                           "min_count = 40\n"
	                           "cold_threshold = 200\n"
	                           "[watch \"niche\"]\n"
	                           "query = bledina\n";
	char path[] = "/tmp/vigie-test-detect-XXXXXX";
	struct diag d = { 0 };
	struct run big, niche;
	struct conf *c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(
	    write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	c = conf_load(path, &d);
	unlink(path);
	assert_non_null(c);
	run_init(&big);
	run_init(&niche);
	big.p = conf_find_watch(c, "big")->detect;
	niche.p = conf_find_watch(c, "niche")->detect;
	conf_free(c);
	warm(&big, 2 * DAY);
	warm(&niche, 2 * DAY);
	/* 24 negatives in an hour against about one. */
	for (int i = 0; i < 12; i++) {
		feed(&big, 2);
		feed(&niche, 2);
	}
	assert_int_equal(niche.fired, 1);
	assert_int_equal(niche.reason, REASON_POISSON);
	assert_int_equal(big.fired, 0);
	assert_int_equal(big.t.state, DETECT_OK);
}

static void
test_baseline_frozen(void **state)
{
	struct run r;
	double before;

	(void)state;
	run_init(&r);
	warm(&r, 2 * DAY);
	before = r.t.baseline;
	for (int i = 0; i < 36; i++) {
		feed(&r, 20);
		assert_true(r.t.baseline == before);
	}
	assert_int_equal(r.t.state, DETECT_FIRING);
	assert_true(fabs(r.info.expected - before * 12) < 1e-9);
}

static void
test_floor(void **state)
{
	struct run r;

	(void)state;
	/* Two days of silence: the baseline is zero, the floor is not. */
	run_init(&r);
	for (int i = 0; i < 2 * 288; i++)
		feed(&r, 0);
	assert_true(r.t.baseline == 0);
	assert_int_equal(feed(&r, 2), DETECT_NONE);
	assert_true(fabs(r.info.expected - 0.05 * 12) < 1e-9);
	assert_int_equal(r.info.window_count, 2);
	/* Past min_count and the ratio, the p-value decides. */
	assert_int_equal(feed(&r, 3), DETECT_NONE);
	assert_int_equal(feed(&r, 3), DETECT_FIRED);
	assert_int_equal(r.info.reason, REASON_POISSON);

	/* No history at all: two mentions are nothing. */
	run_init(&r);
	assert_int_equal(feed(&r, 2), DETECT_NONE);
}

static void
test_skipped_buckets(void **state)
{
	struct run a, b;
	enum detect_event ev;

	(void)state;
	run_init(&a);
	warm(&a, 2 * DAY);
	b = a;
	/* Nine buckets skipped are nine empty buckets. */
	for (int i = 0; i < 9; i++)
		feed(&a, 0);
	feed(&a, 3);
	assert_int_equal(
	    detect_step(&b.p, &b.t, b.next + 9 * BUCKET, 3, 15, &b.info),
	    DETECT_NONE);
	assert_memory_equal(&a.t, &b.t, sizeof(a.t));

	/* An old or repeated bucket is ignored. */
	assert_int_equal(
	    detect_step(&b.p, &b.t, b.next, 50, 50, &b.info), DETECT_NONE);
	assert_memory_equal(&a.t, &b.t, sizeof(a.t));

	/* A gap that outlasts an incident resolves it, and the bucket after
	 * the gap, in cooldown, opens nothing. */
	run_init(&a);
	warm(&a, 2 * DAY);
	for (int i = 0; i < 6; i++)
		feed(&a, 5);
	assert_int_equal(a.t.state, DETECT_FIRING);
	a.next += 3 * HOUR;
	ev = feed(&a, 40);
	assert_int_equal(ev, DETECT_RESOLVED);
	assert_int_equal(a.t.state, DETECT_COOLDOWN);

	/* So does a gap longer than the cooldown, and the next bucket may
	 * open a new incident. */
	run_init(&a);
	warm(&a, 2 * DAY);
	for (int i = 0; i < 6; i++)
		feed(&a, 5);
	a.next += 6 * HOUR;
	assert_int_equal(feed(&a, 40), DETECT_RESOLVED);
	assert_int_equal(a.t.state, DETECT_OK);
	assert_int_equal(feed(&a, 40), DETECT_FIRED);

	/* A month away decays the baseline without a month of steps. */
	run_init(&a);
	warm(&a, 2 * DAY);
	double before = a.t.baseline;
	a.next += 30 * DAY;
	assert_int_equal(feed(&a, 0), DETECT_NONE);
	assert_true(a.t.baseline < before * 1e-8);
	assert_true(a.t.baseline >= 0);
	/* And an absurd jump ends. */
	assert_int_equal(
	    detect_step(&a.p, &a.t, INT64_MAX - DAY, 1, 1, &a.info),
	    DETECT_NONE);
}

static void
test_params_check(void **state)
{
	struct detect_params p, d;
	char err[128];

	(void)state;
	detect_params_default(&d);
	assert_int_equal(detect_params_check(&d, err, sizeof(err)), 0);
	assert_true(fabs(detect_alpha(&d) - (1 - pow(2, -1.0 / 288))) < 1e-15);

	/* The shortest bucket, with the longest window it allows. */
	p = d;
	p.bucket_ms = 10 * SEC;
	p.window_ms = 512 * 10 * SEC;
	assert_int_equal(detect_params_check(&p, err, sizeof(err)), 0);
	p.window_ms = 513 * 10 * SEC;
	assert_int_equal(detect_params_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "512"));

#define BAD(field, value, word) \
	do { \
		p = d; \
		p.field = value; \
		err[0] = '\0'; \
		assert_int_equal( \
		    detect_params_check(&p, err, sizeof(err)), -1); \
		assert_non_null(strstr(err, word)); \
	} while (0)
	BAD(bucket_ms, 9 * SEC, "bucket");
	BAD(window_ms, 7 * MIN, "multiple");
	BAD(window_ms, 0, "multiple");
	BAD(min_count, 0, "min_count");
	BAD(min_ratio, 0.5, "min_ratio");
	BAD(p_value, 0, "p_value");
	BAD(p_value, 1, "p_value");
	BAD(p_value, NAN, "p_value");
	BAD(half_life_ms, MIN, "half_life");
	BAD(baseline_floor, 0, "baseline_floor");
	BAD(cold_threshold, 2, "cold_threshold");
	BAD(warmup_ms, -1, "warmup");
	BAD(cusum_k, -1, "cusum_k");
	BAD(cusum_h, 0, "cusum_h");
	BAD(resolve_ratio, 4, "resolve_ratio");
	BAD(resolve_ratio, 0.9, "resolve_ratio");
	BAD(resolve_after_ms, -MIN, "resolve_after");
	BAD(cooldown_ms, 8 * DAY, "cooldown");
	BAD(escalate, 1, "escalate");
#undef BAD
}

/* Late mentions revise buckets already stepped, within the window only. */
static void
test_revise(void **state)
{
	struct run r;
	int64_t last;

	(void)state;
	run_init(&r);
	for (int i = 0; i < 2 * 288; i++)
		feed(&r, 0);
	last = r.t.last_bucket;
	/* Three late negatives in the bucket just stepped, and in the
	 * oldest one the window still holds: both count at the next step. */
	detect_revise(&r.p, &r.t, last, 3, 3);
	detect_revise(&r.p, &r.t, last - 11 * BUCKET, 2, 2);
	/* Outside the window, in the future, or off the grid: ignored. */
	detect_revise(&r.p, &r.t, last - 12 * BUCKET, 50, 50);
	detect_revise(&r.p, &r.t, last + BUCKET, 50, 50);
	detect_revise(&r.p, &r.t, last - BUCKET / 2, 50, 50);
	feed(&r, 0);
	/* The oldest revised bucket has just left the window. */
	assert_int_equal(r.info.window_count, 3);
	assert_true(r.t.baseline == 0);
}

/* The names are stored in SQL and sent in JSON: they must not drift, and
 * each must read back as the value it names. */
static void
test_names(void **state)
{
	static const struct {
		enum incident_state v;
		const char *name;
	} states[] = { { INCIDENT_FIRING, "firing" },
		{ INCIDENT_ESCALATED, "escalated" },
		{ INCIDENT_RESOLVED, "resolved" } };
	enum incident_kind kind = INCIDENT_SPIKE;
	enum incident_state st = INCIDENT_FIRING;
	enum incident_severity sev = SEVERITY_WARNING;

	(void)state;
	for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
		assert_string_equal(
		    incident_state_name(states[i].v), states[i].name);
		assert_int_equal(incident_state_parse(states[i].name, &st), 0);
		assert_int_equal(st, states[i].v);
	}
	assert_string_equal(incident_kind_name(INCIDENT_SPIKE), "spike");
	assert_string_equal(incident_kind_name(INCIDENT_SOURCE), "source");
	assert_int_equal(incident_kind_parse("source", &kind), 0);
	assert_int_equal(kind, INCIDENT_SOURCE);
	assert_string_equal(
	    incident_severity_name(SEVERITY_WARNING), "warning");
	assert_string_equal(
	    incident_severity_name(SEVERITY_CRITICAL), "critical");
	assert_int_equal(incident_severity_parse("critical", &sev), 0);
	assert_int_equal(sev, SEVERITY_CRITICAL);
	/* Unknown names are refused and leave the value alone; a value cast
	 * from outside the enum is named, not read past the table. */
	assert_int_equal(incident_kind_parse("Spike", &kind), -1);
	assert_int_equal(incident_state_parse(NULL, &st), -1);
	assert_int_equal(kind, INCIDENT_SOURCE);
	assert_string_equal(
	    incident_state_name((enum incident_state)7), "unknown");

	assert_string_equal(detect_reason_name(REASON_POISSON), "poisson");
	assert_string_equal(detect_reason_name(REASON_CUSUM), "cusum");
	assert_string_equal(detect_reason_name(REASON_COLD), "cold");
	assert_null(detect_reason_name(REASON_NONE));
	assert_int_equal(detect_reason_parse("cusum"), REASON_CUSUM);
	assert_int_equal(detect_reason_parse("cold"), REASON_COLD);
	assert_int_equal(detect_reason_parse("bogus"), REASON_NONE);
	assert_int_equal(detect_reason_parse(NULL), REASON_NONE);
	assert_string_equal(detect_event_name(DETECT_FIRED), "fired");
	assert_string_equal(detect_event_name(DETECT_RESOLVED), "resolved");
	assert_string_equal(detect_event_name(DETECT_NONE), "none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poisson_tail),
		cmocka_unit_test(test_item_time),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_burst_cycle),
		cmocka_unit_test(test_resolve_needs_time),
		cmocka_unit_test(test_buildup),
		cmocka_unit_test(test_cold_start),
		cmocka_unit_test(test_watch_params),
		cmocka_unit_test(test_baseline_frozen),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_skipped_buckets),
		cmocka_unit_test(test_params_check),
		cmocka_unit_test(test_revise),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
