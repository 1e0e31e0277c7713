/*
 * page_date.h - dates in the forms forum, blog and news pages print them,
 * French and English, absolute and relative.
 */
#ifndef VIGIE_PAGE_DATE_H
#define VIGIE_PAGE_DATE_H

#include <stdint.h>

/*
 * A date as pages write it: RFC 3339 and RFC 822 (date_parse), "12 janvier
 * 2025 à 14:05", "Jan 12, 2025, 2:05 PM", "12/01/2025", relative forms
 * ("il y a 3 heures", "hier à 18:02", "2 hours ago", "yesterday at 6:02
 * PM"), or by format (strptime-like %d %m %Y %H %M %S %b %B %p, with French
 * and English month names). Times without a zone are taken as UTC; now
 * (seconds) anchors relative forms and years left out. Returns seconds
 * since the epoch or DATE_NONE.
 */
int64_t page_date_parse(const char *text, const char *format, int64_t now);

#endif
