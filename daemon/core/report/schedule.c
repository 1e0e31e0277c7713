/*
 * schedule.c - the periods of a scheduled report and their due times (see
 * schedule.h): calendar arithmetic on civil seconds, no time zone.
 */
#include "core/report/schedule.h"

#include <time.h>

#define DAY_S 86400

const char *const report_every_names[3] = {
	[EVERY_DAILY] = "daily",
	[EVERY_WEEKLY] = "weekly",
	[EVERY_MONTHLY] = "monthly",
};

/* Floor division: civil times before 1970 are negative. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The civil midnight of the first day of the month of day (a civil
 * midnight), moved by months. */
static int64_t
month_start(int64_t day, int months)
{
	time_t t = (time_t)day;
	struct tm tm;

	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_mon += months; /* timegm carries it into the year */
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int64_t)timegm(&tm);
}

/* The start of the period containing day. */
static int64_t
period_start(enum report_every every, int64_t day)
{
	switch (every) {
	case EVERY_WEEKLY: {
		/* 1970-01-01 was a Thursday: day number + 3 is 0 mod 7 on
		 * Mondays. */
		int64_t n = floor_div(day, DAY_S);
		int64_t monday = n - ((n + 3) - 7 * floor_div(n + 3, 7));

		return monday * DAY_S;
	}
	case EVERY_MONTHLY:
		return month_start(day, 0);
	case EVERY_DAILY:
		break;
	}
	return day;
}

/* The start of the period n periods after the one starting at start. */
static int64_t
period_shift(enum report_every every, int64_t start, int n)
{
	switch (every) {
	case EVERY_WEEKLY:
		return start + (int64_t)n * 7 * DAY_S;
	case EVERY_MONTHLY:
		return month_start(start, n);
	case EVERY_DAILY:
		break;
	}
	return start + (int64_t)n * DAY_S;
}

void
schedule_latest(enum report_every every, int at_min, int64_t now,
    struct report_period *p, int64_t *next_due)
{
	int64_t at = (int64_t)at_min * 60;
	/* The end of the latest period that may be due: the start of the
	 * one now is in. */
	int64_t end = period_start(every, floor_div(now, DAY_S) * DAY_S);

	if (now < end + at)
		end = period_shift(every, end, -1);
	p->to = end;
	p->from = period_shift(every, end, -1);
	p->due = end + at;
	*next_due = period_shift(every, end, 1) + at;
}

int
schedule_parse_at(const char *s)
{
	int d[4];

	for (int i = 0, j = 0; i < 5; i++) {
		if (i == 2) {
			if (s[i] != ':')
				return -1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d[j++] = s[i] - '0';
	}
	if (s[5] != '\0')
		return -1;
	int h = d[0] * 10 + d[1], m = d[2] * 10 + d[3];
	return h < 24 && m < 60 ? h * 60 + m : -1;
}
