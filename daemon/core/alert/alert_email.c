/*
 * alert_email.c - an alert as a MIME message ready for SMTP: the headers
 * of mail.h, and the text and HTML alternatives in quoted-printable.
 */
#include "core/alert/alert_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/mail.h"

/* Quoted-printable output never holds "=_", so no line of a part can be
 * mistaken for this boundary. */
#define BOUNDARY "=_vigie-alternative"

/* One alternative of the body, its headers and its text in
 * quoted-printable, after its boundary line. */
static void
put_part(struct buf *b, const char *subtype,
    void (*body)(struct buf *, const struct view *), const struct view *v)
{
	struct buf part;

	buf_init(&part);
	buf_printf(b,
	    "--" BOUNDARY "\r\nContent-Type: text/%s; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n",
	    subtype);
	body(&part, v);
	mail_qp(b, part.data);
	buf_clear(&part);
}

char *
alert_email(const struct alert *a, const char *from, const char *const *to,
    size_t nto, const char *message_id_domain)
{
	struct view v;
	struct buf b;

	alert_view_init(&v, a);
	buf_init(&b);
	if (mail_headers(&b, from, to, nto, v.subject, a->at_ms, a->event_id,
	        message_id_domain) < 0) {
		buf_clear(&b);
		alert_view_clear(&v);
		return NULL;
	}
	buf_puts(&b,
	    "Content-Type: multipart/alternative;\r\n boundary=\"" BOUNDARY
	    "\"\r\n\r\n");

	put_part(&b, "plain", alert_body_text, &v);
	buf_puts(&b, "\r\n");
	put_part(&b, "html", alert_body_html, &v);
	buf_puts(&b, "\r\n--" BOUNDARY "--\r\n");
	alert_view_clear(&v);
	return buf_release(&b);
}
