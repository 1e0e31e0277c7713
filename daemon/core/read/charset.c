/*
 * charset.c - the bytes of a fetched document as UTF-8 (see charset.h).
 *
 * Feeds and pages find their charset in different places and trust them
 * in different orders (XML puts the declaration before the BOM, HTML the
 * BOM before everything), but once the name is known both are decoded
 * alike: unknown or invalid UTF-8 is read as windows-1252, byte by byte,
 * so that libxml2 never has to guess and never gives up on a stray byte.
 */
#include "core/read/charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/base/word.h"

/* --- Decoding --- */

/* windows-1252's 0x80-0x9f; 0 where the code page has a hole. */
static const unsigned short cp1252_c1[32] = { 0x20ac, 0, 0x201a, 0x0192, 0x201e,
	0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
	0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178 };

static void
put_cp(struct buf *b, unsigned cp)
{
	char u[3];

	if (cp < 0x80) {
		/* XML forbids these; dropping them keeps the parser going. */
		if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
			return;
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	}
}

static void
put_cp1252(struct buf *b, unsigned char c)
{
	if (c >= 0x80 && c < 0xa0)
		put_cp(b, cp1252_c1[c - 0x80] ? cp1252_c1[c - 0x80] : 0xfffd);
	else
		put_cp(b, c);
}

/* UTF-8 with each byte that is not part of a well-formed sequence read as
 * windows-1252: a UTF-8 feed with one pasted Latin-1 paragraph stays
 * readable. */
static void
from_utf8(struct buf *b, const unsigned char *s, size_t len)
{
	size_t run = 0; /* start of the pending run of good bytes */

	buf_reserve(b, len); /* the usual size: one allocation */
	for (size_t i = 0; i < len;) {
		/* Most of a feed is printable ASCII: skip it eight bytes at
		 * a time while no byte has its high bit set or is below
		 * 0x20, then byte by byte, without the sequence decoder. */
		while (len - i >= 8 && !word_not_text(word_load(s + i)))
			i += 8;
		while (i < len && s[i] >= 0x20 && s[i] < 0x80)
			i++;
		if (i == len)
			break;
		size_t n = utf8_len_at(s + i, len - i);
		int ctl = n == 1 && s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r';
		if (n > 0 && !ctl) {
			i += n;
			continue;
		}
		buf_append(b, s + run, i - run);
		if (n == 0)
			put_cp1252(b, s[i]);
		run = ++i;
	}
	buf_append(b, s + run, len - run);
}

static int
from_iconv(
    struct buf *b, const unsigned char *s, size_t len, const char *charset)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	struct buf tmp;
	char out[4096];

	if (cd == (iconv_t)-1)
		return -1;
	buf_init(&tmp);
	char *in = (char *)s;
	size_t inleft = len;
	while (inleft > 0) {
		char *o = out;
		size_t oleft = sizeof out;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		buf_append(&tmp, out, (size_t)(o - out));
		if (r == (size_t)-1 && errno != E2BIG) {
			/* Undecodable or truncated: mark it and move on. */
			buf_puts(&tmp, UTF8_REPLACEMENT);
			in++;
			inleft--;
		}
	}
	iconv_close(cd);
	from_utf8(
	    b, (const unsigned char *)(tmp.data ? tmp.data : ""), tmp.len);
	buf_clear(&tmp);
	return 0;
}

static int
charset_is(const char *cs, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cs, names[i]) == 0)
			return 1;
	return 0;
}

/* Appends s, in charset cs ("" when unknown), to b as UTF-8: invalid
 * UTF-8 is read as windows-1252 byte by byte, and the C0 controls XML
 * forbids are dropped. */
static void
charset_decode(
    struct buf *b, const unsigned char *s, size_t len, const char *cs)
{
	static const char *const utf8[] = { "utf-8", "utf8" };
	static const char *const latin[] = { "iso-8859-1", "iso8859-1",
		"iso_8859-1", "latin1", "l1", "us-ascii", "ascii",
		"windows-1252", "cp1252", "x-cp1252" };

	if (charset_is(cs, utf8, ARRAY_LEN(utf8)))
		from_utf8(b, s, len);
	else if (charset_is(cs, latin, ARRAY_LEN(latin)))
		for (size_t i = 0; i < len; i++)
			put_cp1252(b, s[i]);
	else if (cs[0] != '\0' && from_iconv(b, s, len, cs) == 0)
		return;
	else if (utf8_valid((const char *)s, len))
		from_utf8(b, s, len);
	else
		for (size_t i = 0; i < len; i++)
			put_cp1252(b, s[i]);
}

/* --- Where the name is --- */

/* The BOM at the start of *s, stepped over, or NULL. */
static const char *
strip_bom(const unsigned char **s, size_t *len)
{
	const unsigned char *p = *s;

	if (*len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		*s += 3;
		*len -= 3;
		return "UTF-8";
	}
	if (*len >= 2 &&
	    ((p[0] == 0xff && p[1] == 0xfe) ||
	        (p[0] == 0xfe && p[1] == 0xff))) {
		*s += 2;
		*len -= 2;
		return p[0] == 0xff ? "UTF-16LE" : "UTF-16BE";
	}
	return NULL;
}

static void
media_param(const char *ct, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);

	out[0] = '\0';
	for (const char *p = ct ? strchr(ct, ';') : NULL; p != NULL;
	     p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, name, nlen) != 0 || q[nlen] != '=')
			continue;
		q += nlen + 1;
		if (*q == '"')
			q++;
		size_t n = 0;
		while (q[n] != '\0' && q[n] != '"' && q[n] != ';' &&
		    q[n] != ' ' && n + 1 < outlen)
			n++;
		memcpy(out, q, n);
		out[n] = '\0';
		return;
	}
}

/* encoding="..." of an XML declaration at the start of s. */
static void
decl_encoding(const char *s, size_t len, char *out, size_t outlen)
{
	out[0] = '\0';
	if (len < 6 || strncmp(s, "<?xml", 5) != 0)
		return;
	size_t end = 5;
	while (
	    end + 1 < len && end < 512 && !(s[end] == '?' && s[end + 1] == '>'))
		end++;
	const char *p = memmem(s, end, "encoding", 8);
	if (p == NULL)
		return;
	p += 8;
	while (p < s + end && (*p == ' ' || *p == '='))
		p++;
	if (p >= s + end || (*p != '"' && *p != '\''))
		return;
	char q = *p++;
	size_t n = 0;
	while (p + n < s + end && p[n] != q && n + 1 < outlen)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The value of the first "charset=" in s[0..len), as HTTP headers and both
 * forms of <meta> write it. */
static void
charset_in(const char *s, size_t len, char *out, size_t outlen)
{
	const char *end = s + len;

	out[0] = '\0';
	for (const char *p = s; p != NULL && p + 7 < end;) {
		p = memmem(p, (size_t)(end - p), "harset", 6);
		if (p == NULL)
			return;
		const char *q = p + 6;
		p = q;
		if (tolower((unsigned char)q[-7]) != 'c')
			continue;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q != '=')
			continue;
		q++;
		while (q < end && (*q == ' ' || *q == '"' || *q == '\''))
			q++;
		size_t n = 0;
		while (q + n < end && n + 1 < outlen &&
		    (isalnum((unsigned char)q[n]) || strchr("-_.:", q[n])))
			n++;
		memcpy(out, q, n);
		out[n] = '\0';
		return;
	}
}

/* A <meta> declaring the charset, within the first 1024 bytes as the HTML
 * standard's prescan looks. */
static void
meta_charset(const char *s, size_t len, char *out, size_t outlen)
{
	size_t lim = len < 1024 ? len : 1024;
	const char *end = s + lim;

	out[0] = '\0';
	for (const char *p = s; p < end; p++) {
		if (*p != '<' || (size_t)(end - p) < 5 ||
		    strncasecmp(p + 1, "meta", 4) != 0)
			continue;
		const char *gt =
		    memchr(p, '>', (size_t)(len - (size_t)(p - s)));
		if (gt == NULL)
			return;
		charset_in(p, (size_t)(gt - p), out, outlen);
		if (out[0] != '\0')
			return;
		p = gt;
	}
}

/* --- Documents --- */

void
charset_xml_utf8(
    struct buf *b, const char *data, size_t len, const char *content_type)
{
	const unsigned char *s = (const unsigned char *)data;
	const char *bom = strip_bom(&s, &len);
	char cs[64];

	media_param(content_type, "charset", cs, sizeof cs);
	/* A declaration legible as ASCII cannot be in UTF-16 or UTF-32,
	 * whatever it says: such a claim is a template's mistake. */
	if (cs[0] == '\0') {
		decl_encoding((const char *)s, len, cs, sizeof cs);
		if (strncasecmp(cs, "utf-16", 6) == 0 ||
		    strncasecmp(cs, "utf-32", 6) == 0 ||
		    strncasecmp(cs, "ucs", 3) == 0)
			cs[0] = '\0';
	}
	if (cs[0] == '\0' && bom != NULL)
		snprintf(cs, sizeof cs, "%s", bom);
	charset_decode(b, s, len, cs);
}

void
charset_html_utf8(
    struct buf *b, const char *data, size_t len, const char *content_type)
{
	const unsigned char *s = (const unsigned char *)data;
	const char *bom = strip_bom(&s, &len);
	char cs[64];

	charset_in(content_type ? content_type : "",
	    content_type ? strlen(content_type) : 0, cs, sizeof cs);
	if (bom != NULL)
		snprintf(cs, sizeof cs, "%s", bom);
	else if (cs[0] == '\0')
		meta_charset((const char *)s, len, cs, sizeof cs);
	/* A page declaring UTF-16 in ASCII bytes is mistaken. */
	if (bom == NULL && strncasecmp(cs, "utf-16", 6) == 0)
		cs[0] = '\0';
	charset_decode(b, s, len, cs);
}
