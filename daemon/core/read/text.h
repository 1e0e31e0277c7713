/*
 * text.h - plain text out of the HTML fragments feeds carry: markup
 * removed, entities decoded, whitespace collapsed.
 */
#ifndef VIGIE_TEXT_H
#define VIGIE_TEXT_H

#include <stddef.h>

/* Plain text of an HTML fragment (UTF-8 in, UTF-8 out). Never NULL. */
char *text_from_html(const char *html, size_t len);

/* Plain text of a node of a parsed HTML tree, all it contains. */
struct _xmlNode;
char *text_from_node(struct _xmlNode *);

/* Copy of s with runs of white space folded to one space and trimmed. */
char *text_collapse(const char *s, size_t len);

#endif
