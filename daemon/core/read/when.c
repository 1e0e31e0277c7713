/*
 * when.c - the times people type for a period (see when.h).
 *
 * A person asking for "today" or "2026-12-01" in Paris means Paris's
 * midnight, not UTC's: days are cut by the local calendar (mktime() with
 * the daylight saving time left for it to find), and offsets of days and
 * more move the calendar, not a count of seconds, so that "-1d" across a
 * change of time is still yesterday at the same hour.
 */
#include "core/read/when.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/read/date.h"

/* Far enough for any period a person asks about, small enough that no
 * offset overflows. */
#define MAX_AGO 100000

static int64_t
from_local(struct tm *tm)
{
	time_t t;

	tm->tm_isdst = -1;
	errno = 0;
	t = mktime(tm);
	/* -1 is also one second before the epoch: errno tells. */
	if (t == (time_t)-1 && errno != 0)
		return DATE_NONE;
	return (int64_t)t;
}

static int
to_local(int64_t now, struct tm *tm)
{
	time_t t = (time_t)now;

	return localtime_r(&t, tm) != NULL;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (month == 1 &&
	    ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return days[month];
}

/* The local midnight days_back days before now's. */
static int64_t
midnight(int64_t now, int days_back)
{
	struct tm tm;

	if (!to_local(now, &tm))
		return DATE_NONE;
	tm.tm_mday -= days_back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return from_local(&tm);
}

/* -Nh, -Nd, -Nj, -Nw, -Nm, -Ny. */
static int64_t
ago(int64_t now, const char *s)
{
	struct tm tm;
	char *end;
	long n, months;

	if (s[0] != '-' || s[1] < '0' || s[1] > '9')
		return DATE_NONE;
	errno = 0;
	n = strtol(s + 1, &end, 10);
	if (errno != 0 || n > MAX_AGO || end[0] == '\0' || end[1] != '\0')
		return DATE_NONE;
	if (end[0] == 'h')
		return now - n * 3600;
	if (!to_local(now, &tm))
		return DATE_NONE;
	switch (end[0]) {
	case 'd':
	case 'j':
		tm.tm_mday -= (int)n;
		break;
	case 'w':
		tm.tm_mday -= 7 * (int)n;
		break;
	case 'm':
	case 'y':
		/* The same day of an earlier month, or its last day. */
		months = (long)tm.tm_year * 12 + tm.tm_mon -
		    (end[0] == 'y' ? 12 * n : n);
		tm.tm_year =
		    (int)(months >= 0 ? months / 12 : -((-months + 11) / 12));
		tm.tm_mon = (int)(months - (long)tm.tm_year * 12);
		if (tm.tm_mday > days_in_month(tm.tm_year + 1900, tm.tm_mon))
			tm.tm_mday =
			    days_in_month(tm.tm_year + 1900, tm.tm_mon);
		break;
	default:
		return DATE_NONE;
	}
	return from_local(&tm);
}

/* n digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS (T or a space) in
 * local time; DATE_NONE for anything else, a zone included. */
static int64_t
local_date(const char *s)
{
	struct tm tm = { 0 };
	int year = digits(s, 4), month, day;
	size_t len = strlen(s);

	if (year < 1970 || s[4] != '-' || s[7] != '-')
		return DATE_NONE;
	month = digits(s + 5, 2);
	day = digits(s + 8, 2);
	if (month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month - 1))
		return DATE_NONE;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	if (len > 10) {
		if ((s[10] != 'T' && s[10] != ' ') ||
		    (len != 16 && len != 19) || s[13] != ':' ||
		    (len == 19 && s[16] != ':'))
			return DATE_NONE;
		tm.tm_hour = digits(s + 11, 2);
		tm.tm_min = digits(s + 14, 2);
		tm.tm_sec = len == 19 ? digits(s + 17, 2) : 0;
		if (tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
		    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59)
			return DATE_NONE;
	} else if (len != 10)
		return DATE_NONE;
	return from_local(&tm);
}

int64_t
when_parse(const char *s, int64_t now)
{
	static const char *const today[] = { "today", "aujourd'hui",
		"aujourd\xe2\x80\x99hui", "aujourdhui" };
	int64_t t;

	if (s == NULL || *s == '\0')
		return DATE_NONE;
	if (strcasecmp(s, "now") == 0 || strcasecmp(s, "maintenant") == 0)
		return now;
	for (size_t i = 0; i < sizeof(today) / sizeof(*today); i++)
		if (strcasecmp(s, today[i]) == 0)
			return midnight(now, 0);
	if (strcasecmp(s, "yesterday") == 0 || strcasecmp(s, "hier") == 0)
		return midnight(now, 1);
	if (s[0] == '-')
		return ago(now, s);
	if (strlen(s) >= 10 && (t = local_date(s)) != DATE_NONE)
		return t;
	return date_parse(s);
}
