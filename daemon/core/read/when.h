/*
 * when.h - the times people type for a period (backtest's and report's
 * --from and --to): dates and times, in the local time zone unless they
 * name one, and the words and offsets of everyday use.
 */
#ifndef VIGIE_WHEN_H
#define VIGIE_WHEN_H

#include <stdint.h>

/*
 * Seconds since the epoch, or DATE_NONE (core/read/date.h) when s is none
 * of these, now being now:
 *   now, maintenant
 *   today, aujourd'hui; yesterday, hier: the day's local midnight
 *   -Nh, -Nd (or -Nj), -Nw, -Nm, -Ny: N hours, days, weeks, months
 *     (m: months, not minutes) or years before now, by the local
 *     calendar: -1m on 31 March is the last day of February
 *   YYYY-MM-DD, and YYYY-MM-DDTHH:MM[:SS] (T or a space): local time
 *   any time date_parse() reads with its zone (2026-12-05T09:14:00Z,
 *   RFC 3339, RFC 822)
 * "Local" is the process's time zone (TZ).
 */
int64_t when_parse(const char *s, int64_t now);

#endif
