/*
 * report_send.h - a scheduled report as it is sent: a MIME email (the
 * report as its body, the CSV attached) and the JSON summary a webhook
 * receives (docs/REPORTS.md, "Scheduled reports"). Pure functions of a
 * filled struct report: storing and delivering them is the outbox's.
 */
#ifndef VIGIE_REPORT_SEND_H
#define VIGIE_REPORT_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/report/report.h"

#define REPORT_WEBHOOK_VERSION 1

/* What names one sending of a report. */
struct report_sending {
	const char *name; /* the [report] section's */
	const char *event_id; /* stable per report and period */
	int64_t at_ms; /* when it was written: the Date header */
	enum report_format body; /* the email's body: the report as HTML,
	                          * as Markdown, or a line saying the CSV is
	                          * attached */
};

/*
 * The whole message (CRLF line ends) ready for SMTP: multipart/mixed, the
 * body in quoted-printable, the CSV (as report_render writes it, byte
 * order mark included) attached in base64. from, to and domain as for
 * mail_headers() (core/alert/mail.h). A new string, or NULL when an
 * address is not a plain addr-spec.
 */
char *report_email(const struct report *, const struct report_sending *,
    const char *from, const char *const *to, size_t nto, const char *domain);

/* The webhook's JSON summary, compact. A new string, or NULL when memory
 * ran out inside jansson. */
char *report_webhook(const struct report *, const struct report_sending *);

#endif
