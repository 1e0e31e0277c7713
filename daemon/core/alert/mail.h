/*
 * mail.h - what every message vigie mails shares, alerts and reports: the
 * headers (addresses checked, so that no text from a feed or a name can
 * add a header or a recipient; the subject RFC 2047-encoded and folded),
 * and the encodings of the parts (quoted-printable, base64).
 */
#ifndef VIGIE_MAIL_H
#define VIGIE_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"

/*
 * From, To, Subject, Date, Message-ID, MIME-Version and Auto-Submitted,
 * each ending in CRLF; the caller adds Content-Type. from and each of to
 * are "addr@host" or "Display Name <addr@host>"; subject is any text
 * (cleaned to one line here); id and domain make the Message-ID, stable
 * so that a second delivery reads as a duplicate. -1, with nothing
 * written, when an address is not a plain addr-spec.
 */
int mail_headers(struct buf *b, const char *from, const char *const *to,
    size_t nto, const char *subject, int64_t at_ms, const char *id,
    const char *domain);

/*
 * Whether addr is an address vigie writes into a header and gives SMTP:
 * user@host, the user a dot-atom (RFC 5322 3.2.3: letters, digits and
 * !#$%&'*+-/=?^_`{|}~, dots between), the host ASCII letters, digits and
 * hyphens between dots (an internationalised domain in its xn-- form), at
 * most 254 bytes. The configuration refuses any other, so that no alert
 * is found unwritable when it fires.
 */
int mail_addr_ok(const char *addr);

/* s in quoted-printable (RFC 2045 6.7): LF in, CRLF out. */
void mail_qp(struct buf *b, const char *s);

/* data in base64, lines of 76 characters ending in CRLF. */
void mail_base64(struct buf *b, const void *data, size_t len);

#endif
