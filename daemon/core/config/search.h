/*
 * search.h - the sources a watch generates with its search key: one per
 * engine (per language for the news engines, per instance for Mastodon),
 * asking each engine for the watch's query in its own syntax
 * (translate.h). They are sources like the others once made: polled,
 * stored, shown; the watch's own matching filters what they bring.
 */
#ifndef VIGIE_SEARCH_H
#define VIGIE_SEARCH_H

#include "core/config/conf.h"

/* 1 if name is an engine a watch may search (google-news, bing-news,
 * reddit, mastodon, hackernews, youtube). */
int search_engine_known(const char *name);

/* What conf.c adds a source to its configuration with. */
typedef struct conf_source *search_add_fn(
    struct conf *, const char *name, const char *file, int line);

/*
 * Adds the sources every watch's search key generates to c, through add.
 * What cannot be generated (an engine that needs [search] settings not
 * given, a query with nothing an engine can search, a name taken) is said
 * in diag at the watch's search line.
 */
void search_sources(struct conf *c, search_add_fn *add, struct diag *diag);

#endif
