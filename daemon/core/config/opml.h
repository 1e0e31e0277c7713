/*
 * opml.h - imports the feeds of an OPML file (what feed readers export) as
 * sources.
 */
#ifndef VIGIE_OPML_H
#define VIGIE_OPML_H

#include <stddef.h>

#include "core/base/util.h"

struct opml_feed {
	char *title; /* text or title attribute; may be NULL */
	char *url; /* xmlUrl */
	int line;
};

/* Every outline with an xmlUrl, in document order, nested folders
 * included. Returns 0, or -1 with a message in diag. */
int opml_read(
    const char *path, struct opml_feed **out, size_t *n, struct diag *diag);
void opml_free(struct opml_feed *, size_t n);

#endif
