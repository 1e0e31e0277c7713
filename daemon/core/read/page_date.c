/*
 * page_date.c - dates as pages print them (see page_date.h).
 *
 * The text is folded to lower-case ASCII and cut into tokens (numbers,
 * words, punctuation). A format, when the source gives one, is followed
 * instead of guessing; else ISO-shaped text goes to date_parse, then
 * relative forms are tried, then absolute ones with French or English
 * month names, and last date_parse's RFC forms.
 */
#include "core/read/page_date.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/read/date.h"

#define DAY_SECS 86400
#define DATE_MAX_LEN 256
#define DATE_MAX_TOKENS 48

/*
 * Lower-case ASCII with accents dropped, so "Févr.", "fevr" and "FÉVR"
 * read the same; other non-ASCII characters (non-breaking spaces, », ·)
 * become spaces. keep_case is for formats, whose %M and %m differ.
 */
static void
fold(const char *s, char *out, size_t outlen, int keep_case)
{
	/* U+00C0 to U+00FF, lower-cased, accents dropped. */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"
	                             "aaaaaaaceeeeiiiidnooooo ouuuuyty";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0' && n + 1 < outlen) {
		char c = ' ';
		if (*p < 0x80) {
			c = keep_case ? (char)*p : (char)tolower(*p);
			p++;
		} else if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			c = latin1[p[1] - 0x80];
			p += 2;
		} else if (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0x98 || p[2] == 0x99)) {
			c = '\''; /* typographic apostrophes */
			p += 3;
		} else {
			size_t k = utf8_char_len(p, strlen((const char *)p));
			p += k ? k : 1;
		}
		out[n++] = c;
	}
	out[n] = '\0';
}

enum tok_kind { T_NUM, T_WORD, T_PUNCT };

struct tok {
	enum tok_kind kind;
	int num; /* T_NUM: its value; T_PUNCT: the character */
	int ndigits; /* T_NUM */
	char word[16];
};

static size_t
tokenize(const char *s, struct tok *t, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		struct tok *k = &t[n];
		memset(k, 0, sizeof *k);
		if (isdigit((unsigned char)*s)) {
			k->kind = T_NUM;
			while (isdigit((unsigned char)*s)) {
				if (k->ndigits < 9)
					k->num = k->num * 10 + (*s - '0');
				k->ndigits++;
				s++;
			}
		} else if (isalpha((unsigned char)*s)) {
			size_t w = 0;
			k->kind = T_WORD;
			while (isalpha((unsigned char)*s)) {
				if (w + 1 < sizeof k->word)
					k->word[w++] = *s;
				s++;
			}
		} else if (strchr(":/.-+,'", *s) != NULL) {
			k->kind = T_PUNCT;
			k->num = *s++;
		} else {
			s++;
			continue;
		}
		n++;
	}
	return n;
}

static int
is_word(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && strcmp(t->word, w) == 0;
}

static int
is_punct(const struct tok *t, int c)
{
	return t->kind == T_PUNCT && t->num == c;
}

/* Month 1-12 of a French or English name or abbreviation, else 0. */
static int
month_of(const char *w)
{
	static const char *const names[12] = { " janvier janv jan january ",
		" fevrier fevr fev february feb ", " mars mar march ",
		" avril avr april apr ", " mai may ", " juin jun june ",
		" juillet juil jul july ", " aout august aug ",
		" septembre sept sep september ", " octobre oct october ",
		" novembre nov november ", " decembre dec december " };
	char key[20];

	if (w[0] == '\0' || strlen(w) > 15)
		return 0;
	snprintf(key, sizeof key, " %s ", w);
	for (int m = 0; m < 12; m++)
		if (strstr(names[m], key) != NULL)
			return m + 1;
	return 0;
}

struct when {
	int year, mon, day, hour, min, sec;
	int pm; /* 0 none, 1 am, 2 pm */
	int off; /* seconds east of UTC */
	int have_time;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The hour on a 24-hour clock, or -1 when it cannot be one. */
static int
hour24(const struct when *w)
{
	if (w->pm == 0)
		return w->hour <= 24 ? w->hour : -1;
	if (w->hour < 1 || w->hour > 12)
		return -1;
	return w->hour % 12 + (w->pm == 2 ? 12 : 0);
}

static int
clock_ok(const struct when *w)
{
	int h = hour24(w);

	return h >= 0 && w->min >= 0 && w->min <= 59 && w->sec >= 0 &&
	    w->sec <= 60 && (h < 24 || (w->min == 0 && w->sec == 0));
}

static int64_t
when_epoch(const struct when *w)
{
	struct tm tm = {
		.tm_year = w->year - 1900,
		.tm_mon = w->mon - 1,
		.tm_mday = w->day,
	};

	if (w->year < 1 || w->year > 9999 || w->mon < 1 || w->mon > 12 ||
	    w->day < 1 || w->day > 31 || !clock_ok(w))
		return DATE_NONE;
	time_t t = timegm(&tm);
	/* timegm carries 31 February into March: refuse instead. */
	if (t == (time_t)-1 || tm.tm_mday != w->day || tm.tm_mon != w->mon - 1)
		return DATE_NONE;
	return (int64_t)t + hour24(w) * 3600 + w->min * 60 + w->sec - w->off;
}

/* Reads "14:05", "14:05:30", "2:05 pm", "14h05", "14 h" at t[i]; the
 * number of tokens used, else 0. */
static size_t
read_clock(const struct tok *t, size_t i, size_t n, struct when *w)
{
	size_t j = i + 1;

	if (t[i].kind != T_NUM || t[i].ndigits > 2 || j >= n)
		return 0;
	if (is_punct(&t[j], ':') && j + 1 < n && t[j + 1].kind == T_NUM) {
		w->hour = t[i].num;
		w->min = t[j + 1].num;
		j += 2;
		if (j + 1 < n && is_punct(&t[j], ':') &&
		    t[j + 1].kind == T_NUM) {
			w->sec = t[j + 1].num;
			j += 2;
		}
	} else if (is_word(&t[j], "h")) {
		w->hour = t[i].num;
		j++;
		if (j < n && t[j].kind == T_NUM && t[j].ndigits == 2)
			w->min = t[j++].num;
	} else
		return 0;
	w->have_time = 1;
	return j - i;
}

/* "12/01/2025", "12.01.25", "2025-01-12": day first unless the year
 * leads or the second number cannot be a month (01/31/2025). */
static size_t
read_numeric(const struct tok *t, size_t i, size_t n, struct when *w)
{
	if (i + 4 >= n || t[i + 1].kind != T_PUNCT || t[i + 2].kind != T_NUM ||
	    !is_punct(&t[i + 3], t[i + 1].num) || t[i + 4].kind != T_NUM ||
	    strchr("/.-", t[i + 1].num) == NULL)
		return 0;
	int a = t[i].num, b = t[i + 2].num, c = t[i + 4].num;
	if (t[i].ndigits == 4) {
		w->year = a;
		w->mon = b;
		w->day = c;
	} else {
		w->year = t[i + 4].ndigits <= 2 ? 2000 + c : c;
		w->day = b > 12 && a <= 12 ? b : a;
		w->mon = b > 12 && a <= 12 ? a : b;
	}
	return 5;
}

/* "+01:00", "+0100", "-05" after a clock. */
static size_t
read_offset(const struct tok *t, size_t i, size_t n, struct when *w)
{
	if (i + 1 >= n || !(is_punct(&t[i], '+') || is_punct(&t[i], '-')) ||
	    t[i + 1].kind != T_NUM || !w->have_time)
		return 0;
	int sign = is_punct(&t[i], '-') ? -1 : 1;
	int h = t[i + 1].num, m = 0;
	size_t used = 2;
	if (t[i + 1].ndigits == 4) {
		h = t[i + 1].num / 100;
		m = t[i + 1].num % 100;
	} else if (i + 3 < n && is_punct(&t[i + 2], ':') &&
	    t[i + 3].kind == T_NUM) {
		m = t[i + 3].num;
		used = 4;
	} else if (t[i + 1].ndigits > 2)
		return 0;
	if (h > 14 || m > 59)
		return 0;
	w->off = sign * (h * 3600 + m * 60);
	return used;
}

/* Counts and units of "il y a 3 heures" and "2 hours ago", in seconds. */
static int64_t
unit_secs(const char *u)
{
	static const struct {
		const char *names;
		int64_t secs;
	} units[] = {
		{ " s sec secs seconde secondes second seconds ", 1 },
		{ " mn min mins minute minutes ", 60 },
		{ " h hr hrs heure heures hour hours ", 3600 },
		{ " j d jour jours day days ", DAY_SECS },
		{ " sem semaine semaines w wk week weeks ", 7 * DAY_SECS },
		{ " mois month months ", 30 * DAY_SECS },
		{ " an ans annee annees y yr yrs year years ", 365 * DAY_SECS },
	};
	char key[20];

	if (strlen(u) > 15)
		return 0;
	snprintf(key, sizeof key, " %s ", u);
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (strstr(units[i].names, key) != NULL)
			return units[i].secs;
	return 0;
}

static int
count_of(const struct tok *t)
{
	if (t->kind == T_NUM)
		return t->ndigits <= 6 ? t->num : -1;
	if (is_word(t, "un") || is_word(t, "une") || is_word(t, "a") ||
	    is_word(t, "an") || is_word(t, "one"))
		return 1;
	return -1;
}

/* The day a word names relative to today, or INT_MIN. */
static int
day_word(const struct tok *t, size_t i, size_t n, int *used)
{
	*used = 1;
	if (is_word(&t[i], "avant") && i + 2 < n && is_punct(&t[i + 1], '-') &&
	    is_word(&t[i + 2], "hier")) {
		*used = 3;
		return -2;
	}
	if (is_word(&t[i], "hier") || is_word(&t[i], "yesterday"))
		return -1;
	if (is_word(&t[i], "today") || is_word(&t[i], "now") ||
	    is_word(&t[i], "maintenant"))
		return 0;
	if (is_word(&t[i], "aujourd") && i + 2 < n &&
	    is_punct(&t[i + 1], '\'') && is_word(&t[i + 2], "hui")) {
		*used = 3;
		return 0;
	}
	if (is_word(&t[i], "instant") ||
	    (is_word(&t[i], "just") && i + 1 < n && is_word(&t[i + 1], "now")))
		return 0;
	return INT_MIN;
}

/*
 * "il y a 3 heures", "2 hours ago", "hier à 18:02", "yesterday at 6:02
 * PM", "aujourd'hui", "à l'instant". A day word alone is that many days
 * before now to the second; with a clock, that day at that time.
 */
static int64_t
relative(const struct tok *t, size_t n, int64_t now)
{
	int ago = 0;

	for (size_t i = 0; i < n; i++)
		if (is_word(&t[i], "ago") ||
		    (is_word(&t[i], "il") && i + 2 < n &&
		        is_word(&t[i + 1], "y") && is_word(&t[i + 2], "a")))
			ago = 1;
	for (size_t i = 0; ago && i + 1 < n; i++) {
		int c = count_of(&t[i]);
		int64_t u =
		    t[i + 1].kind == T_WORD ? unit_secs(t[i + 1].word) : 0;
		/* "il y a" itself holds the word "a": not a count there. */
		if (c >= 0 && u > 0 && !(i > 0 && is_word(&t[i - 1], "y")))
			return now - (int64_t)c * u;
	}
	for (size_t i = 0; i < n; i++) {
		int used;
		int d = day_word(t, i, n, &used);
		if (d == INT_MIN)
			continue;
		struct when w = { 0 };
		for (size_t j = i + (size_t)used; j < n && !w.have_time; j++)
			read_clock(t, j, n, &w);
		for (size_t j = i + (size_t)used; j < n; j++)
			if (is_word(&t[j], "pm") || is_word(&t[j], "am"))
				w.pm = is_word(&t[j], "pm") ? 2 : 1;
		if (!w.have_time)
			return now + (int64_t)d * DAY_SECS;
		if (!clock_ok(&w))
			return DATE_NONE;
		int64_t day = floor_div(now, DAY_SECS) + d;
		return day * DAY_SECS + hour24(&w) * 3600 + w.min * 60 + w.sec;
	}
	return DATE_NONE;
}

/* A date without a year is the latest such date not after tomorrow. */
static int64_t
with_year(struct when *w, int64_t now)
{
	time_t tn = (time_t)now;
	struct tm tm;

	if (w->year != 0)
		return when_epoch(w);
	if (gmtime_r(&tn, &tm) == NULL)
		return DATE_NONE;
	w->year = tm.tm_year + 1900;
	int64_t t = when_epoch(w);
	if (t != DATE_NONE && t > now + DAY_SECS) {
		w->year--;
		t = when_epoch(w);
	}
	return t;
}

/*
 * "12 janvier 2025 à 14:05", "Jan 12, 2025, 2:05 PM", "dim. 12 janv.
 * 2025 14:05", "12/01/2025 14:05". Words that are no month, meridiem or
 * zone are passed over ("le", "at", "Posted", weekday names): the
 * numbers and the month name decide.
 */
static int64_t
absolute(const struct tok *t, size_t n, int64_t now)
{
	struct when w = { 0 };
	size_t used;

	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == T_NUM && !w.have_time &&
		    (used = read_clock(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if (t[i].kind == T_NUM && w.mon == 0 &&
		    (used = read_numeric(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if ((used = read_offset(t, i, n, &w)) > 0) {
			i += used - 1;
		} else if (t[i].kind == T_NUM) {
			if (t[i].ndigits == 4 && w.year == 0)
				w.year = t[i].num;
			else if (t[i].ndigits <= 2 && w.day == 0 &&
			    t[i].num >= 1)
				w.day = t[i].num;
			else if (t[i].ndigits <= 2 && w.year == 0)
				w.year = 2000 + t[i].num;
			else
				return DATE_NONE;
		} else if (t[i].kind == T_WORD) {
			int m = month_of(t[i].word);
			/* A later name wins: "mar." before "14 janv." is
			 * Tuesday, not March. */
			if (m != 0)
				w.mon = m;
			else if (is_word(&t[i], "am") || is_word(&t[i], "pm"))
				w.pm = is_word(&t[i], "pm") ? 2 : 1;
			else if (is_word(&t[i], "utc") ||
			    is_word(&t[i], "gmt") || is_word(&t[i], "z"))
				w.off = 0;
		}
	}
	if (w.day == 0 || w.mon == 0)
		return DATE_NONE;
	return with_year(&w, now);
}

/* strptime-like, on folded text: see extract.h. White space in the format
 * matches any run of it, possibly none; other characters match
 * themselves, case aside. */
static int64_t
by_format(const char *s, const char *fmt, int64_t now)
{
	struct when w = { 0 };

	for (const char *f = fmt; *f != '\0'; f++) {
		if (isspace((unsigned char)*f)) {
			while (isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			f += *f == '%';
			if (tolower((unsigned char)*s) !=
			    tolower((unsigned char)*f))
				return DATE_NONE;
			s++;
			continue;
		}
		char d = *++f;
		if (d == '\0')
			return DATE_NONE;
		if (strchr("bBhaAp", d) != NULL) {
			char word[16];
			size_t n = 0;
			while (isalpha((unsigned char)*s) ||
			    (*s == '.' && n > 0)) {
				if (*s != '.' && n + 1 < sizeof word)
					word[n++] = *s;
				s++;
			}
			word[n] = '\0';
			if (d == 'a' || d == 'A') {
				if (n == 0)
					return DATE_NONE;
			} else if (d == 'p') {
				if (strcmp(word, "am") != 0 &&
				    strcmp(word, "pm") != 0)
					return DATE_NONE;
				w.pm = word[0] == 'p' ? 2 : 1;
			} else if ((w.mon = month_of(word)) == 0)
				return DATE_NONE;
			continue;
		}
		int width = d == 'Y' ? 4 : 2, v = 0, k = 0;
		int *slot = d == 'd' || d == 'e' ? &w.day
		    : d == 'm'                   ? &w.mon
		    : d == 'Y' || d == 'y'       ? &w.year
		    : d == 'H' || d == 'I'       ? &w.hour
		    : d == 'M'                   ? &w.min
		    : d == 'S'                   ? &w.sec
		                                 : NULL;
		if (slot == NULL)
			return DATE_NONE;
		while (*s == ' ' && d == 'e')
			s++;
		while (k < width && isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			k++;
		}
		if (k == 0)
			return DATE_NONE;
		*slot = d == 'y' ? 2000 + v : v;
		if (d == 'H' || d == 'I' || d == 'M')
			w.have_time = 1;
	}
	if (w.day == 0 || w.mon == 0)
		return DATE_NONE;
	return with_year(&w, now);
}

/* RFC 3339 and W3C-DTF: date_parse reads them best. */
static int
iso_shaped(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    s[4] == '-';
}

int64_t
page_date_parse(const char *text, const char *format, int64_t now)
{
	char s[DATE_MAX_LEN];
	struct tok t[DATE_MAX_TOKENS];
	int64_t r;

	if (text == NULL || strlen(text) >= DATE_MAX_LEN)
		return DATE_NONE;
	fold(text, s, sizeof s, 0);
	if (format != NULL) {
		char f[DATE_MAX_LEN];
		fold(format, f, sizeof f, 1);
		const char *p = s;
		while (isspace((unsigned char)*p))
			p++;
		return by_format(p, f, now);
	}
	if (iso_shaped(text) && (r = date_parse(text)) != DATE_NONE)
		return r;
	size_t n = tokenize(s, t, DATE_MAX_TOKENS);
	if ((r = relative(t, n, now)) != DATE_NONE)
		return r;
	if ((r = absolute(t, n, now)) != DATE_NONE)
		return r;
	return date_parse(text);
}
