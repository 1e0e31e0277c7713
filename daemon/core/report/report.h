/*
 * report.h - a period's report for management, per watch and against the
 * period before: volume and tone, share of voice, the mentions that
 * stand out, who speaks most, and the incidents. The figures are filled
 * from the analytics views (service/db/report_data.h); this module only
 * writes them, as a self-contained HTML page (inline SVG, printable on
 * A4), as CSV, or as Markdown, in French or English.
 */
#ifndef VIGIE_REPORT_H
#define VIGIE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"

#define REPORT_TOP 5

enum report_format { REPORT_HTML, REPORT_CSV, REPORT_MD };

/* A mention that stands out: its tone is the scorer's compound. */
struct report_mention {
	char *title;
	char *link;
	char *source;
	double tone;
};

/* A source or an author, over the period. */
struct report_speaker {
	char *name;
	char *site;
	long mentions;
	long negative;
	long positive;
};

struct report_incident {
	char *severity;
	char *reason;
	int64_t opened; /* seconds since the epoch */
	int64_t resolved; /* or DATE_NONE while firing */
	int peak;
};

/* One day of the period; day is its UTC midnight, seconds. */
struct report_day {
	int64_t day;
	long negative;
	long neutral;
	long positive;
};

/* [0]: the period, [1]: the one before, of the same length. */
struct report_watch {
	char *name;
	long mentions[2];
	long negative[2];
	long neutral[2];
	long positive[2];
	/* Part of the mentions of the watches compared with it, 0 to 1;
	 * negative when it is compared with none (or none spoke). */
	double share[2];
	char *compare; /* its compared set, or NULL */
	struct report_day *days; /* every day of the period, in order */
	size_t ndays;
	struct report_mention negative_top[REPORT_TOP];
	size_t nnegative_top;
	struct report_mention positive_top[REPORT_TOP];
	size_t npositive_top;
	struct report_speaker sources[REPORT_TOP];
	size_t nsources;
	struct report_speaker authors[REPORT_TOP];
	size_t nauthors;
	struct report_incident *incidents;
	size_t nincidents;
};

struct report {
	/* UTC midnights, seconds: the period is [from, to), the one
	 * before [prev_from, from). */
	int64_t from, to, prev_from;
	const char *lang; /* "fr" or "en" */
	struct report_watch *watches;
	size_t nwatches;
};

/* Empty; watches are added by report_add_watch. */
struct report *report_new(int64_t from, int64_t to, const char *lang);
void report_free(struct report *);
/* A new watch, zeroed but for its name and days (every day of the
 * period, counts at 0), owned by r. */
struct report_watch *report_add_watch(struct report *r, const char *name);
/* The day of w whose midnight is day, or NULL. */
struct report_day *report_day(struct report_watch *w, int64_t day);

/* Writes r in format to b; sep is the CSV separator (',' or ';'). */
void report_render(
    const struct report *r, enum report_format format, char sep, struct buf *b);

/* (positive - negative) / mentions of w in period k (0: the period, 1:
 * the one before), or NAN with no mention. */
double report_net_sentiment(const struct report_watch *w, int k);

/* "html", "csv" or "md" to its format; -1 for anything else. */
int report_format_parse(const char *s);

#endif
