/*
 * escape.h - text made safe for the form it is written into: HTML (text
 * and attribute values alike), CSV cells and Markdown table cells. What a
 * feed says is hostile; each writer appends to a buffer.
 */
#ifndef VIGIE_ESCAPE_H
#define VIGIE_ESCAPE_H

#include "core/base/util.h"

/* & < > " ' as entities. */
void esc_html(struct buf *, const char *s);

/*
 * One CSV cell of text (RFC 4180): quoted when it holds the separator, a
 * quote or a line break, quotes doubled. A cell a spreadsheet would take
 * for a formula (starting with = + - @, a tab or a carriage return) is
 * prefixed with an apostrophe, as OWASP advises: it is shown, not run.
 * Numbers are written as they are, not through this.
 */
void esc_csv(struct buf *, const char *s, char sep);

/* A Markdown table cell: line breaks folded to spaces, and the
 * characters Markdown gives meaning to (| \ ` * _ [ ] < > # !) escaped
 * with a backslash. */
void esc_md(struct buf *, const char *s);

/* Whether url may be made a link: http or https only, never javascript:,
 * data: or file:. */
int esc_link_ok(const char *url);

#endif
