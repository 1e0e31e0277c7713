/*
 * report_send.c - a scheduled report as an email and as a webhook's JSON
 * summary (see report_send.h).
 */
#include "core/report/report_send.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/mail.h"
#include "core/read/date.h"

#define DAY_S 86400
/* Neither quoted-printable nor base64 output holds "=_", so no line of a
 * part can be mistaken for this boundary. */
#define BOUNDARY "=_vigie-report"
#define FILENAME_MAX_ 60

static void
day_text(int64_t t, char out[DATE_RFC3339_LEN])
{
	date_format_rfc3339(t, out);
	out[10] = '\0';
}

static int
french(const struct report *r)
{
	return strcmp(r->lang, "en") != 0;
}

/* "Rapport « NAME » du 2026-12-04", or "... du A au B" for more days. */
static char *
subject(const struct report *r, const char *name)
{
	char first[DATE_RFC3339_LEN], last[DATE_RFC3339_LEN];

	day_text(r->from, first);
	day_text(r->to - DAY_S, last);
	if (r->to - r->from <= DAY_S)
		return french(r)
		    ? xasprintf(
		          "Rapport \xc2\xab %s \xc2\xbb du %s", name, first)
		    : xasprintf("Report \"%s\" for %s", name, first);
	return french(r)
	    ? xasprintf(
	          "Rapport \xc2\xab %s \xc2\xbb du %s au %s", name, first, last)
	    : xasprintf("Report \"%s\" from %s to %s", name, first, last);
}

/* vigie-NAME-FIRSTDAY.csv, the name reduced to what every mail client
 * and file system takes as it is: nothing to quote or encode. */
static char *
filename(const struct report *r, const char *name)
{
	char first[DATE_RFC3339_LEN];
	struct buf b;

	day_text(r->from, first);
	buf_init(&b);
	buf_puts(&b, "vigie-");
	for (const char *s = name; *s != '\0' && b.len < FILENAME_MAX_; s++) {
		char c = *s;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_';

		buf_putc(&b, keep ? c : '-');
	}
	buf_printf(&b, "-%s.csv", first);
	return buf_release(&b);
}

static void
put_body(struct buf *b, const struct report *r, const struct report_sending *s,
    const char *file)
{
	struct buf part;

	buf_init(&part);
	if (s->body == REPORT_CSV)
		buf_printf(&part,
		    french(r) ? "Le rapport est en pi\xc3\xa8"
		                "ce jointe : %s\n"
		              : "The report is attached: %s\n",
		    file);
	else
		report_render(r, s->body, ',', &part);
	buf_printf(b,
	    "--" BOUNDARY "\r\nContent-Type: text/%s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    s->body == REPORT_HTML ? "html" : "plain");
	mail_qp(b, part.data);
	buf_puts(b, "\r\n");
	buf_clear(&part);
}

char *
report_email(const struct report *r, const struct report_sending *s,
    const char *from, const char *const *to, size_t nto, const char *domain)
{
	struct buf b, csv;
	char *subj = subject(r, s->name), *file = filename(r, s->name);
	int rc;

	buf_init(&b);
	rc = mail_headers(
	    &b, from, to, nto, subj, s->at_ms, s->event_id, domain);
	free(subj);
	if (rc < 0) {
		free(file);
		buf_clear(&b);
		return NULL;
	}
	buf_puts(&b,
	    "Content-Type: multipart/mixed;\r\n boundary=\"" BOUNDARY
	    "\"\r\n\r\n");
	put_body(&b, r, s, file);
	buf_init(&csv);
	report_render(r, REPORT_CSV, ',', &csv);
	buf_printf(&b,
	    "--" BOUNDARY "\r\nContent-Type: text/csv; charset=utf-8;\r\n"
	    " name=\"%s\"\r\nContent-Disposition: attachment;\r\n"
	    " filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	    file, file);
	mail_base64(&b, csv.data, csv.len);
	buf_puts(&b, "--" BOUNDARY "--\r\n");
	buf_clear(&csv);
	free(file);
	return buf_release(&b);
}

static void
set_day(json_t *o, const char *key, int64_t t)
{
	char day[DATE_RFC3339_LEN];

	day_text(t, day);
	json_object_set_new(o, key, json_string(day));
}

/* Not a number is not JSON: an undefined figure is null. */
static void
set_real(json_t *o, const char *key, double x)
{
	json_object_set_new(o, key, isfinite(x) ? json_real(x) : json_null());
}

static json_t *
watch_json(const struct report *r, const struct report_watch *w)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(w->name));
	set_day(o, "from", r->from);
	set_day(o, "to", r->to);
	json_object_set_new(o, "mentions", json_integer(w->mentions[0]));
	json_object_set_new(
	    o, "previous_mentions", json_integer(w->mentions[1]));
	json_object_set_new(o, "negative", json_integer(w->negative[0]));
	json_object_set_new(o, "neutral", json_integer(w->neutral[0]));
	json_object_set_new(o, "positive", json_integer(w->positive[0]));
	set_real(o, "share_of_voice", w->share[0] >= 0 ? w->share[0] : NAN);
	set_real(o, "net_sentiment", report_net_sentiment(w, 0));
	json_object_set_new(
	    o, "incidents", json_integer((json_int_t)w->nincidents));
	return o;
}

char *
report_webhook(const struct report *r, const struct report_sending *s)
{
	json_t *o = json_object(), *list = json_array();
	char *out;

	json_object_set_new(o, "version", json_integer(REPORT_WEBHOOK_VERSION));
	json_object_set_new(o, "type", json_string("report"));
	json_object_set_new(o, "event_id", json_string(s->event_id));
	json_object_set_new(o, "report", json_string(s->name));
	json_object_set_new(o, "lang", json_string(r->lang));
	set_day(o, "from", r->from);
	set_day(o, "to", r->to);
	set_day(o, "previous_from", r->prev_from);
	for (size_t i = 0; i < r->nwatches; i++)
		json_array_append_new(list, watch_json(r, &r->watches[i]));
	json_object_set_new(o, "watches", list);
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}
