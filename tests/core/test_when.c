/*
 * test_when.c - when_parse: the times people type for a period, in Paris,
 * across changes of time and months of unequal length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core/read/date.h"
#include "core/read/when.h"

/* 2026-12-05T09:14:00 in Paris (08:14:00Z), winter time. */
#define NOW INT64_C(1796458440)

static const struct {
	const char *s;
	int64_t now, t;
} good[] = {
	{ "now", NOW, NOW },
	{ "maintenant", NOW, NOW },
	/* Local midnights: 2026-12-04T23:00:00Z, 2026-12-03T23:00:00Z. */
	{ "today", NOW, INT64_C(1796425200) },
	{ "Today", NOW, INT64_C(1796425200) },
	{ "aujourd'hui", NOW, INT64_C(1796425200) },
	{ "aujourd\xe2\x80\x99hui", NOW, INT64_C(1796425200) },
	{ "AUJOURD'HUI", NOW, INT64_C(1796425200) },
	{ "yesterday", NOW, INT64_C(1796338800) },
	{ "hier", NOW, INT64_C(1796338800) },
	{ "-12h", NOW, NOW - 12 * 3600 },
	{ "-7d", NOW, INT64_C(1795853640) },
	{ "-7j", NOW, INT64_C(1795853640) },
	{ "-2w", NOW, INT64_C(1795248840) },
	{ "-1m", NOW, INT64_C(1793866440) }, /* months, not minutes */
	{ "-1y", NOW, INT64_C(1764922440) },
	{ "-0d", NOW, NOW },
	/* 31 March 10:00 summer time, a month back: 28 February 10:00
	 * winter time. */
	{ "-1m", INT64_C(1774944000), INT64_C(1772269200) },
	/* 29 March 12:00, the day the clocks went forward: the day before
	 * at 12:00 is 23 hours earlier. */
	{ "-1d", INT64_C(1774778400), INT64_C(1774695600) },
	/* 29 February 2028, a year back: 28 February 2027. */
	{ "-1y", INT64_C(1835434800), INT64_C(1803812400) },
	/* Local dates and times. */
	{ "2026-12-01", NOW, INT64_C(1796079600) },
	{ "2026-07-02", NOW, INT64_C(1782943200) }, /* summer time */
	{ "2026-12-01 09:30", NOW, INT64_C(1796113800) },
	{ "2026-12-01T09:30:15", NOW, INT64_C(1796113815) },
	/* A zone said is the zone used. */
	{ "2026-12-01T09:30:00Z", NOW, INT64_C(1796117400) },
	{ "2026-12-01T10:30:00+01:00", NOW, INT64_C(1796117400) },
};

static const char *const bad[] = {
	"",
	"-",
	"-7",
	"-7x",
	"-7dd",
	"-d",
	"--7d",
	"-1000000d",
	"tomorrow",
	"2026-13-01",
	"2026-02-29",
	"2026-12-01T25:00",
	"2026-12-01T09",
	"2026-12-01X09:30",
};

static void
test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		int64_t t = when_parse(good[i].s, good[i].now);

		if (t != good[i].t)
			fail_msg("%s: %lld, want %lld", good[i].s, (long long)t,
			    (long long)good[i].t);
	}
}

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (when_parse(bad[i], NOW) != DATE_NONE)
			fail_msg("%s: read as a time", bad[i]);
	assert_true(when_parse(NULL, NOW) == DATE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	setenv("TZ", "Europe/Paris", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
