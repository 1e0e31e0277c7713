/*
 * schedule.h - the periods of a scheduled report ([report "NAME"]) and
 * when each is due, on the report's wall clock.
 *
 * Everything here reads and writes local wall-clock times as if they were
 * UTC ("civil" seconds: timegm() of the local fields), so that a period is
 * a run of local dates whatever daylight saving time does to their length:
 * the day the clocks go forward is still one day, 23 hours long. Which
 * instant a wall-clock time is in a given zone is the caller's question
 * (the daemon asks PostgreSQL, which reads the same tz database).
 */
#ifndef VIGIE_SCHEDULE_H
#define VIGIE_SCHEDULE_H

#include <stdint.h>

enum report_every { EVERY_DAILY, EVERY_WEEKLY, EVERY_MONTHLY };

/* The names of the configuration key, indexed by enum report_every. */
extern const char *const report_every_names[3];

struct report_period {
	/* The period's first local date and the date after its last, as
	 * civil midnights: what report_new() takes (the views' days). */
	int64_t from, to;
	/* When it is due: the time of day "at" on the date "to". */
	int64_t due;
};

/*
 * The latest period due at the civil time now, for a report sent every
 * every at at_min minutes past midnight: the previous day, the previous
 * ISO week (Monday to Monday) or the previous calendar month, once now has
 * reached its due time; else the one before it. *next_due is when the
 * period after it will be due (civil).
 */
void schedule_latest(enum report_every every, int at_min, int64_t now,
    struct report_period *p, int64_t *next_due);

/* "HH:MM" (00:00 to 23:59) to minutes past midnight; -1 if it is not. */
int schedule_parse_at(const char *s);

#endif
