/*
 * charset.h - the bytes of a fetched feed or page turned into UTF-8, by
 * the charset its HTTP header, its own text or its BOM names; ISO-8859-1,
 * ASCII and anything unnamed that is not valid UTF-8 are read as
 * windows-1252, as browsers do, since that is what such documents hold.
 */
#ifndef VIGIE_CHARSET_H
#define VIGIE_CHARSET_H

#include <stddef.h>

struct buf;

/* An XML document (a feed): the HTTP charset, else the XML declaration's
 * encoding (unless it claims UTF-16 or UTF-32 in ASCII bytes), else the
 * BOM. content_type may be NULL. Appends to b. */
void charset_xml_utf8(
    struct buf *b, const char *data, size_t len, const char *content_type);

/* An HTML page: the BOM, else the HTTP charset, else a <meta> in the
 * first 1024 bytes; UTF-16 without a BOM is not believed. */
void charset_html_utf8(
    struct buf *b, const char *data, size_t len, const char *content_type);

#endif
