/*
 * test_schedule.c - the periods of scheduled reports: days, ISO weeks and
 * months, their ends at month and year ends, and the wall-clock days on
 * which Paris changes its clocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/report/schedule.h"

/* A wall-clock time, and as schedule.h reads it. */
struct wall {
	int y, mo, d, h, mi;
};

#define W(y, mo, d, h, mi) \
	{ \
		y, mo, d, h, mi \
	}

static int64_t
civil(struct wall w)
{
	struct tm tm = { .tm_year = w.y - 1900,
		.tm_mon = w.mo - 1,
		.tm_mday = w.d,
		.tm_hour = w.h,
		.tm_min = w.mi };

	return (int64_t)timegm(&tm);
}

static const struct {
	enum report_every every;
	int at; /* minutes */
	struct wall now, from, to, due, next;
} cases[] = {
	/* A day, once its time has come; the day before until then. */
	{ EVERY_DAILY, 480, W(2026, 12, 5, 9, 14), W(2026, 12, 4, 0, 0),
	    W(2026, 12, 5, 0, 0), W(2026, 12, 5, 8, 0), W(2026, 12, 6, 8, 0) },
	{ EVERY_DAILY, 480, W(2026, 12, 5, 8, 0), W(2026, 12, 4, 0, 0),
	    W(2026, 12, 5, 0, 0), W(2026, 12, 5, 8, 0), W(2026, 12, 6, 8, 0) },
	{ EVERY_DAILY, 480, W(2026, 12, 5, 7, 59), W(2026, 12, 3, 0, 0),
	    W(2026, 12, 4, 0, 0), W(2026, 12, 4, 8, 0), W(2026, 12, 5, 8, 0) },
	/* Year end. */
	{ EVERY_DAILY, 0, W(2027, 1, 1, 0, 0), W(2026, 12, 31, 0, 0),
	    W(2027, 1, 1, 0, 0), W(2027, 1, 1, 0, 0), W(2027, 1, 2, 0, 0) },
	/* Paris goes from 02:00 to 03:00 on 29 March 2026: 02:30 never
	 * shows on the wall, and 03:00 is past it. */
	{ EVERY_DAILY, 150, W(2026, 3, 29, 1, 59), W(2026, 3, 27, 0, 0),
	    W(2026, 3, 28, 0, 0), W(2026, 3, 28, 2, 30),
	    W(2026, 3, 29, 2, 30) },
	{ EVERY_DAILY, 150, W(2026, 3, 29, 3, 0), W(2026, 3, 28, 0, 0),
	    W(2026, 3, 29, 0, 0), W(2026, 3, 29, 2, 30),
	    W(2026, 3, 30, 2, 30) },
	/* The 23-hour day is still one date. */
	{ EVERY_DAILY, 150, W(2026, 3, 30, 3, 0), W(2026, 3, 29, 0, 0),
	    W(2026, 3, 30, 0, 0), W(2026, 3, 30, 2, 30),
	    W(2026, 3, 31, 2, 30) },
	/* And back from 03:00 to 02:00 on 25 October: 02:30 shows twice,
	 * both times the same period (sent once: report_runs). */
	{ EVERY_DAILY, 150, W(2026, 10, 25, 2, 30), W(2026, 10, 24, 0, 0),
	    W(2026, 10, 25, 0, 0), W(2026, 10, 25, 2, 30),
	    W(2026, 10, 26, 2, 30) },
	{ EVERY_DAILY, 150, W(2026, 10, 26, 2, 29), W(2026, 10, 24, 0, 0),
	    W(2026, 10, 25, 0, 0), W(2026, 10, 25, 2, 30),
	    W(2026, 10, 26, 2, 30) },
	/* ISO weeks: Monday to Monday. Saturday 5 December 2026. */
	{ EVERY_WEEKLY, 480, W(2026, 12, 5, 9, 0), W(2026, 11, 23, 0, 0),
	    W(2026, 11, 30, 0, 0), W(2026, 11, 30, 8, 0),
	    W(2026, 12, 7, 8, 0) },
	/* A Monday before its time: the week before last. */
	{ EVERY_WEEKLY, 480, W(2026, 11, 30, 7, 0), W(2026, 11, 16, 0, 0),
	    W(2026, 11, 23, 0, 0), W(2026, 11, 23, 8, 0),
	    W(2026, 11, 30, 8, 0) },
	/* Week 53 of 2026 ends in 2027. */
	{ EVERY_WEEKLY, 480, W(2027, 1, 4, 9, 0), W(2026, 12, 28, 0, 0),
	    W(2027, 1, 4, 0, 0), W(2027, 1, 4, 8, 0), W(2027, 1, 11, 8, 0) },
	{ EVERY_WEEKLY, 480, W(2027, 1, 1, 12, 0), W(2026, 12, 21, 0, 0),
	    W(2026, 12, 28, 0, 0), W(2026, 12, 28, 8, 0), W(2027, 1, 4, 8, 0) },
	/* The week the clocks go back is seven dates. */
	{ EVERY_WEEKLY, 0, W(2026, 10, 26, 0, 0), W(2026, 10, 19, 0, 0),
	    W(2026, 10, 26, 0, 0), W(2026, 10, 26, 0, 0),
	    W(2026, 11, 2, 0, 0) },
	/* Calendar months, whatever their length. */
	{ EVERY_MONTHLY, 60, W(2026, 3, 1, 0, 30), W(2026, 1, 1, 0, 0),
	    W(2026, 2, 1, 0, 0), W(2026, 2, 1, 1, 0), W(2026, 3, 1, 1, 0) },
	{ EVERY_MONTHLY, 60, W(2026, 3, 1, 1, 0), W(2026, 2, 1, 0, 0),
	    W(2026, 3, 1, 0, 0), W(2026, 3, 1, 1, 0), W(2026, 4, 1, 1, 0) },
	{ EVERY_MONTHLY, 60, W(2028, 3, 31, 23, 59), W(2028, 2, 1, 0, 0),
	    W(2028, 3, 1, 0, 0), W(2028, 3, 1, 1, 0), W(2028, 4, 1, 1, 0) },
	/* Year end. */
	{ EVERY_MONTHLY, 480, W(2027, 1, 15, 12, 0), W(2026, 12, 1, 0, 0),
	    W(2027, 1, 1, 0, 0), W(2027, 1, 1, 8, 0), W(2027, 2, 1, 8, 0) },
	{ EVERY_MONTHLY, 480, W(2027, 1, 1, 7, 0), W(2026, 11, 1, 0, 0),
	    W(2026, 12, 1, 0, 0), W(2026, 12, 1, 8, 0), W(2027, 1, 1, 8, 0) },
	/* March holds the change of clocks; still the month's dates. */
	{ EVERY_MONTHLY, 0, W(2026, 4, 1, 0, 0), W(2026, 3, 1, 0, 0),
	    W(2026, 4, 1, 0, 0), W(2026, 4, 1, 0, 0), W(2026, 5, 1, 0, 0) },
};

static void
test_periods(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct report_period p;
		int64_t next;

		schedule_latest(cases[i].every, cases[i].at,
		    civil(cases[i].now), &p, &next);
		assert_int_equal(p.from, civil(cases[i].from));
		assert_int_equal(p.to, civil(cases[i].to));
		assert_int_equal(p.due, civil(cases[i].due));
		assert_int_equal(next, civil(cases[i].next));
	}
}

static void
test_parse_at(void **state)
{
	(void)state;
	assert_int_equal(schedule_parse_at("00:00"), 0);
	assert_int_equal(schedule_parse_at("08:30"), 510);
	assert_int_equal(schedule_parse_at("23:59"), 1439);
	assert_int_equal(schedule_parse_at("24:00"), -1);
	assert_int_equal(schedule_parse_at("08:60"), -1);
	assert_int_equal(schedule_parse_at("8:30"), -1);
	assert_int_equal(schedule_parse_at("08:30 "), -1);
	assert_int_equal(schedule_parse_at("08h30"), -1);
	assert_int_equal(schedule_parse_at(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_parse_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
