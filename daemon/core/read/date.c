/*
 * date.c - parsing of the dates feeds carry (see date.h). RFC 822 as found
 * in the wild is read token by token so that missing or wrong day names,
 * two-digit years, missing seconds and odd punctuation still give a date;
 * RFC 3339 and its W3C-DTF truncations are read field by field.
 */
#include "core/read/date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DAY_SECS 86400

struct dt {
	int year, mon, day, hour, min, sec;
	int off; /* seconds east of UTC */
};

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar,
 * counted in 400-year eras so no table or loop over years is needed. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int64_t
dt_epoch(const struct dt *t)
{
	if (t->year < 1 || t->year > 9999 || t->mon < 1 || t->mon > 12 ||
	    t->day < 1 || t->day > month_days(t->year, t->mon) || t->hour < 0 ||
	    t->hour > 24 || t->min < 0 || t->min > 59 || t->sec < 0 ||
	    t->sec > 60)
		return DATE_NONE;
	if (t->hour == 24 && (t->min != 0 || t->sec != 0))
		return DATE_NONE;
	return days_from_civil(t->year, t->mon, t->day) * DAY_SECS +
	    t->hour * 3600 + t->min * 60 + t->sec - t->off;
}

/* Reads exactly n digits. */
static int
digits(const char **sp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*sp)[i]))
			return -1;
		v = v * 10 + ((*sp)[i] - '0');
	}
	*sp += n;
	*out = v;
	return 0;
}

/* "+hh:mm", "+hhmm", "+hh" after the sign. */
static int
numeric_offset(const char **sp, int *off)
{
	const char *s = *sp;
	int sign = *s == '-' ? -1 : 1;
	int h, m = 0;

	s++;
	if (digits(&s, 2, &h) < 0)
		return -1;
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)*s) && digits(&s, 2, &m) < 0)
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*sp = s;
	return 0;
}

static int64_t
parse_iso(const char *s)
{
	struct dt t = { .mon = 1, .day = 1 };

	if (digits(&s, 4, &t.year) < 0)
		return DATE_NONE;
	if (*s == '-') {
		s++;
		if (digits(&s, 2, &t.mon) < 0)
			return DATE_NONE;
		if (*s == '-') {
			s++;
			if (digits(&s, 2, &t.day) < 0)
				return DATE_NONE;
		}
	}
	if (*s == 'T' || *s == 't' ||
	    (*s == ' ' && isdigit((unsigned char)s[1]))) {
		s++;
		if (digits(&s, 2, &t.hour) < 0 || *s++ != ':' ||
		    digits(&s, 2, &t.min) < 0)
			return DATE_NONE;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &t.sec) < 0)
				return DATE_NONE;
			if (*s == '.' || *s == ',') {
				s++;
				if (!isdigit((unsigned char)*s))
					return DATE_NONE;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		while (*s == ' ')
			s++;
		/* A time without a zone is taken as UTC, as readers do. */
		if (*s == 'Z' || *s == 'z')
			s++;
		else if ((*s == '+' || *s == '-') &&
		    numeric_offset(&s, &t.off) < 0)
			return DATE_NONE;
		else if (strncasecmp(s, "UTC", 3) == 0 ||
		    strncasecmp(s, "GMT", 3) == 0)
			s += 3;
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0' ? dt_epoch(&t) : DATE_NONE;
}

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const month_names[] = { "january", "february", "march",
	"april", "may", "june", "july", "august", "september", "october",
	"november", "december" };
static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat",
	"sun" };
static const char *const day_names[] = { "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday" };

static const struct {
	const char *name;
	int hours;
} zones[] = {
	{ "gmt", 0 },
	{ "ut", 0 },
	{ "utc", 0 },
	{ "z", 0 },
	{ "est", -5 },
	{ "edt", -4 },
	{ "cst", -6 },
	{ "cdt", -5 },
	{ "mst", -7 },
	{ "mdt", -6 },
	{ "pst", -8 },
	{ "pdt", -7 },
};

static int
lookup(const char *w, const char *const *abbr, const char *const *full, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(w, abbr[i]) == 0 || strcmp(w, full[i]) == 0)
			return i;
	return -1;
}

/* Zone name or military letter; 1 if w is one. RFC 822's letters are
 * taken at face value (A is -1, N is +1) as other readers do. */
static int
zone_word(const char *w, int *off)
{
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (strcmp(w, zones[i].name) == 0) {
			*off = zones[i].hours * 3600;
			return 1;
		}
	if (w[0] != '\0' && w[1] == '\0' && w[0] != 'j') {
		int c = w[0];
		int h = c <= 'i' ? -(c - 'a' + 1)
		    : c <= 'm'   ? -(c - 'a')
		    : c <= 'y'   ? c - 'n' + 1
		                 : 0;
		*off = h * 3600;
		return 1;
	}
	return 0;
}

static int
word_kind(const char *w, struct dt *t, int *have_mon, int *have_zone)
{
	int i;

	if ((i = lookup(w, months, month_names, 12)) >= 0 ||
	    strcmp(w, "sept") == 0) {
		t->mon = i >= 0 ? i + 1 : 9;
		*have_mon = 1;
		return 0;
	}
	if (lookup(w, days, day_names, 7) >= 0)
		return 0;
	if (zone_word(w, &t->off)) {
		*have_zone = 1;
		return 0;
	}
	return -1;
}

/* "hh:mm[:ss]", hour possibly one digit, possibly glued to an offset.
 * Returns 1 when an offset was read, 0 when not, -1 if not a time. */
static int
clock_time(const char *s, struct dt *t)
{
	int n = isdigit((unsigned char)s[1]) ? 2 : 1;

	if (digits(&s, n, &t->hour) < 0 || *s++ != ':' ||
	    digits(&s, 2, &t->min) < 0)
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &t->sec) < 0)
			return -1;
	}
	if (*s == '+' || *s == '-')
		return numeric_offset(&s, &t->off) < 0 || *s != '\0' ? -1 : 1;
	return *s == '\0' ? 0 : -1;
}

static int64_t
parse_822(const char *s)
{
	struct dt t = { 0 };
	int have_mon = 0, have_day = 0, have_year = 0, have_time = 0;
	int have_zone = 0;
	char w[16];

	for (;;) {
		while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n' ||
		    *s == '\r' || *s == '.')
			s++;
		if (*s == '\0')
			break;
		size_t n = 0;
		while (s[n] != '\0' && s[n] != ' ' && s[n] != ',' &&
		    s[n] != '\t' && s[n] != '\n' && s[n] != '\r')
			n++;
		if (n >= sizeof w)
			return DATE_NONE;
		for (size_t i = 0; i < n; i++)
			w[i] = (char)tolower((unsigned char)s[i]);
		w[n] = '\0';
		/* "Tue." and "Sept." */
		if (n > 1 && w[n - 1] == '.')
			w[n - 1] = '\0';
		s += n;

		if (isalpha((unsigned char)w[0])) {
			if (word_kind(w, &t, &have_mon, &have_zone) < 0)
				return DATE_NONE;
		} else if (w[0] == '+' || w[0] == '-') {
			const char *p = w;
			if (have_zone || numeric_offset(&p, &t.off) < 0 ||
			    *p != '\0')
				return DATE_NONE;
			have_zone = 1;
		} else if (strchr(w, ':') != NULL) {
			int r;
			if (have_time || (r = clock_time(w, &t)) < 0)
				return DATE_NONE;
			have_time = 1;
			have_zone |= r;
		} else {
			int v = 0;
			/* A day or a year: more digits would overflow v and
			 * read as another date. */
			if (n > 4)
				return DATE_NONE;
			for (size_t i = 0; i < n; i++) {
				if (!isdigit((unsigned char)w[i]))
					return DATE_NONE;
				v = v * 10 + (w[i] - '0');
			}
			if (!have_day && n <= 2 && v >= 1) {
				t.day = v;
				have_day = 1;
			} else if (!have_year) {
				/* Two-digit years pivot like POSIX %y. */
				if (n <= 2)
					v += v < 69 ? 2000 : 1900;
				else if (n == 3)
					v += 1900;
				t.year = v;
				have_year = 1;
			} else
				return DATE_NONE;
		}
	}
	if (!have_mon || !have_day || !have_year)
		return DATE_NONE;
	return dt_epoch(&t);
}

int64_t
date_parse(const char *s)
{
	if (s == NULL)
		return DATE_NONE;
	while (isspace((unsigned char)*s))
		s++;
	if (strlen(s) > 128)
		return DATE_NONE;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    !isdigit((unsigned char)s[4]) && s[4] != ' ')
		return parse_iso(s);
	return parse_822(s);
}

/* v (0 to 99) as two digits at s. */
static void
put2(char *s, int v)
{
	s[0] = (char)('0' + v / 10);
	s[1] = (char)('0' + v % 10);
}

void
date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	out[0] = '\0';
	if (t == DATE_NONE || gmtime_r(&tt, &tm) == NULL)
		return;
	int year = tm.tm_year + 1900;
	if (year < 1000 || year > 9999) {
		strftime(out, DATE_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	/* Four-digit years, all but a few, digit by digit: reading
	 * strftime's format cost more than finding the date. */
	put2(out, year / 100);
	put2(out + 2, year % 100);
	out[4] = '-';
	put2(out + 5, tm.tm_mon + 1);
	out[7] = '-';
	put2(out + 8, tm.tm_mday);
	out[10] = 'T';
	put2(out + 11, tm.tm_hour);
	out[13] = ':';
	put2(out + 14, tm.tm_min);
	out[16] = ':';
	put2(out + 17, tm.tm_sec);
	memcpy(out + 19, "Z", 2);
}
