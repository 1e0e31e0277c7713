/*
 * date.h - the date forms feeds really use: RFC 822/1123 and its real-world
 * variants, RFC 3339 and W3C-DTF, all normalised to UTC.
 */
#ifndef VIGIE_DATE_H
#define VIGIE_DATE_H

#include <stddef.h>
#include <stdint.h>

/* No date: the document does not say, or says nothing readable. */
#define DATE_NONE INT64_MIN

/* Seconds since the epoch (UTC), or DATE_NONE when s is not a date. */
int64_t date_parse(const char *s);

/* Writes "2004-06-04T12:00:00Z" (21 bytes with the NUL). */
#define DATE_RFC3339_LEN 32
void date_format_rfc3339(int64_t t, char out[DATE_RFC3339_LEN]);

#endif
