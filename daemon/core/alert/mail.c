/*
 * mail.c - what every message vigie mails shares (see mail.h): headers
 * folded and RFC 2047-encoded, addresses checked so that no feed text can
 * add a header or a recipient, quoted-printable and base64 bodies.
 */
#include "core/alert/mail.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alert/alert_impl.h"

#define B64_LINE 57 /* bytes of input per 76-character line */
/* A subject is one header line's worth (RFC 5322 2.1.1), folded. */
#define SUBJECT_MAX 900

/*
 * Quoted-printable (RFC 2045 6.7): LF in, CRLF out, lines at most 76
 * characters with soft breaks, trailing blanks encoded so no transport
 * strips them.
 */
void
mail_qp(struct buf *b, const char *s)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int eol = p[1] == '\n' || p[1] == '\0';
		char enc[4];
		size_t n = 1;

		if (*p == '\n') {
			buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && !eol))
			enc[0] = (char)*p;
		else
			n = (size_t)snprintf(enc, sizeof enc, "=%02X", *p);
		/* A soft break needs its own column for the "=". */
		if (col + n > (eol ? QP_WIDTH : QP_WIDTH - 1)) {
			buf_puts(b, "=\r\n");
			col = 0;
		}
		buf_append(b, enc, n);
		col += n;
	}
}

/* A header being written, folded at HDR_WIDTH. */
struct hdr {
	struct buf *b;
	size_t col, start;
};

static void
hdr_begin(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_printf(b, "%s:", name);
	h->col = h->start = strlen(name) + 1;
}

static void
hdr_word(struct hdr *h, const char *w, size_t len)
{
	if (h->col > h->start && h->col + 1 + len > HDR_WIDTH) {
		buf_puts(h->b, "\r\n ");
		h->col = 1;
	} else {
		buf_putc(h->b, ' ');
		h->col++;
	}
	buf_append(h->b, w, len);
	h->col += len;
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->b, "\r\n");
}

/* ASCII whatever the locale. */
static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext: what a display-name word may hold unquoted. */
static int
is_atext(int c)
{
	return c != '\0' && (is_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Whether a word can stand as it is: short printable ASCII that no
 * decoder could take for an encoded-word (nor, in a phrase, for syntax). */
static int
word_plain(const char *w, size_t n, int phrase)
{
	if (n > WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c < 0x21 || c > 0x7e || (phrase && !is_atext(c)))
			return 0;
		if (c == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
	}
	return 1;
}

/* RFC 2047 B encoded-words, split between characters, never longer than
 * WORD_MAX. */
static void
hdr_encoded(struct hdr *h, const char *s, size_t len)
{
	unsigned char b64[4 * ((EW_BYTES + 2) / 3) + 1];
	char word[WORD_MAX + 1];

	while (len > 0) {
		size_t n = len < EW_BYTES ? len : EW_BYTES;
		int k;

		while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		if (n ==
		    0) /* not after alert_clean(); still, always progress */
			n = len < EW_BYTES ? len : EW_BYTES;
		EVP_EncodeBlock(b64, (const unsigned char *)s, (int)n);
		k = snprintf(word, sizeof word, "=?UTF-8?B?%s?=", b64);
		hdr_word(h, word, (size_t)k);
		s += n;
		len -= n;
	}
}

/*
 * Clean text as header words: plain words stay readable, and each run of
 * words that cannot be plain becomes encoded-words, the spaces inside the
 * run encoded with it (a decoder drops the white space between two
 * encoded-words but keeps it next to a plain word).
 */
static void
hdr_text(struct hdr *h, const char *s, int phrase)
{
	while (*s != '\0') {
		const char *e = strchrnul(s, ' ');
		const char *r = e;

		if (e == s) {
			s++;
			continue;
		}
		if (word_plain(s, (size_t)(e - s), phrase)) {
			hdr_word(h, s, (size_t)(e - s));
			s = e;
			continue;
		}
		while (*r == ' ') {
			const char *n = r + 1, *ne = strchrnul(n, ' ');

			if (ne == n || word_plain(n, (size_t)(ne - n), phrase))
				break;
			r = ne;
		}
		hdr_encoded(h, s, (size_t)(r - s));
		s = r;
	}
}

/* A dot-atom (RFC 5322 3.2.3); a domain holds letters, digits and
 * hyphens only. */
static int
dot_atom(const char *p, const char *end, int domain)
{
	if (p == end || *p == '.' || end[-1] == '.')
		return 0;
	for (; p < end; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return 0;
		} else if (domain ? !(is_alnum(*p) || *p == '-')
		                  : !is_atext((unsigned char)*p))
			return 0;
	}
	return 1;
}

int
mail_addr_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t len = strlen(s);

	return at != NULL && len <= 254 && dot_atom(s, at, 0) &&
	    dot_atom(at + 1, s + len, 1);
}

/* "Name <addr>" or "addr" into the header; -1 when the address is not
 * one vigie can write. */
static int
hdr_mailbox(struct hdr *h, const char *s, int comma)
{
	const char *lt = strrchr(s, '<');
	size_t len = strlen(s);
	char *name, *addr, *tok;
	int rc = 0;

	if (lt != NULL && len > 0 && s[len - 1] == '>') {
		name = xstrndup(s, (size_t)(lt - s));
		addr = xstrndup(lt + 1, len - (size_t)(lt - s) - 2);
	} else {
		name = xstrdup("");
		addr = xstrdup(s);
	}
	if (!mail_addr_ok(addr)) {
		rc = -1;
	} else {
		char *n = alert_clean(name, NAME_MAX_);
		size_t nl = strlen(n);

		/* A quoted display name is the same name unquoted. */
		if (nl >= 2 && n[0] == '"' && n[nl - 1] == '"') {
			memmove(n, n + 1, nl - 2);
			n[nl - 2] = '\0';
		}
		hdr_text(h, n, 1);
		tok =
		    xasprintf(n[0] ? "<%s>%s" : "%s%s", addr, comma ? "," : "");
		hdr_word(h, tok, strlen(tok));
		free(tok);
		free(n);
	}
	free(name);
	free(addr);
	return rc;
}

/* Only the characters no Message-ID parser trips on. */
static void
put_id_part(struct buf *b, const char *s, const char *extra, const char *dflt)
{
	size_t start = b->len;

	for (; *s != '\0' && b->len - start < 128; s++)
		if (is_alnum(*s) || strchr(extra, *s))
			buf_putc(b, *s);
		else
			buf_putc(b, '-');
	if (b->len == start)
		buf_puts(b, dflt);
}

static void
put_date(struct buf *b, int64_t ms)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	/* English names whatever the locale, as RFC 5322 3.3 requires. */
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
mail_headers(struct buf *b, const char *from, const char *const *to, size_t nto,
    const char *subject, int64_t at_ms, const char *id, const char *domain)
{
	size_t start = b->len;
	struct hdr h;
	int bad;
	char *subj;

	hdr_begin(&h, b, "From");
	bad = from == NULL || nto == 0 || hdr_mailbox(&h, from, 0) < 0;
	hdr_end(&h);
	hdr_begin(&h, b, "To");
	for (size_t i = 0; !bad && i < nto; i++)
		bad |= to[i] == NULL || hdr_mailbox(&h, to[i], i + 1 < nto) < 0;
	hdr_end(&h);
	if (bad) {
		b->len = start;
		b->data[start] = '\0';
		return -1;
	}
	subj = alert_clean(subject, SUBJECT_MAX);
	hdr_begin(&h, b, "Subject");
	hdr_text(&h, subj, 0);
	hdr_end(&h);
	free(subj);
	put_date(b, at_ms);
	/* Stable per event, so a second delivery reads as a duplicate. */
	buf_puts(b, "Message-ID: <");
	put_id_part(b, id ? id : "", "_", "event");
	buf_putc(b, '@');
	put_id_part(b, domain ? domain : "", ".", "localhost");
	buf_puts(b, ">\r\n");
	buf_puts(b, "MIME-Version: 1.0\r\n");
	/* RFC 3834: no vacation replies to what a program sends. */
	buf_puts(b, "Auto-Submitted: auto-generated\r\n");
	return 0;
}

void
mail_base64(struct buf *b, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char line[4 * (B64_LINE / 3) + 1];

	for (size_t off = 0; off < len; off += B64_LINE) {
		size_t n = len - off < B64_LINE ? len - off : B64_LINE;

		EVP_EncodeBlock(line, p + off, (int)n);
		buf_puts(b, (const char *)line);
		buf_puts(b, "\r\n");
	}
}
