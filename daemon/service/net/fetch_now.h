/*
 * fetch_now.h - one transfer, waited for: the daemon's own fetcher
 * (fetch.h), with its limits and protocols, on an event loop of its own.
 * For commands (`vigie inspect`, `vigie discover`), never for the daemon's
 * loop.
 */
#ifndef VIGIE_FETCH_NOW_H
#define VIGIE_FETCH_NOW_H

#include <stdint.h>

#include "core/base/util.h"

struct conf_source;

/* A successful (2xx) answer. */
struct fetched_page {
	struct buf body;
	char *content_type; /* or NULL */
	char *final_url; /* after redirects, or NULL */
	char *link_next; /* the Link header's rel="next", or NULL */
};

/* 0 with the answer in *out (free with fetched_page_clear), or -1 with an
 * allocated message in *err: the transfer failed, or the answer was not
 * 2xx ("URL: HTTP 404"). */
int fetch_now(const char *url, const char *user_agent, int64_t timeout_ms,
    int64_t max_body, struct fetched_page *out, char **err);
/* The same with an API source's header and token (fetch_source_headers),
 * for `vigie inspect`. */
int fetch_now_source(const struct conf_source *, const char *url,
    const char *user_agent, int64_t timeout_ms, int64_t max_body,
    struct fetched_page *out, char **err);
void fetched_page_clear(struct fetched_page *);

#endif
