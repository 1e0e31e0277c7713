/*
 * fetch_now.c - one transfer, waited for (see fetch_now.h).
 */
#include "service/net/fetch_now.h"

#include <event2/event.h>
#include <stdlib.h>

#include "service/net/fetch.h"

struct waiter {
	struct event_base *base;
	struct fetch_response resp; /* copied: see on_done */
	int done;
};

static void
on_done(struct fetch_response *r, void *arg)
{
	struct waiter *w = arg;

	/* The fetcher frees its response after this call: keep copies of
	 * what the caller may read. */
	w->resp = *r;
	buf_init(&w->resp.body);
	buf_append(
	    &w->resp.body, r->body.data ? r->body.data : "", r->body.len);
	w->resp.etag = w->resp.last_modified = NULL;
	w->resp.content_type =
	    r->content_type ? xstrdup(r->content_type) : NULL;
	w->resp.final_url = r->final_url ? xstrdup(r->final_url) : NULL;
	w->done = 1;
	event_base_loopbreak(w->base);
}

int
fetch_now(const char *url, const char *user_agent, int64_t timeout_ms,
    int64_t max_body, struct fetched_page *out, char **err)
{
	struct waiter w = { 0 };
	struct fetcher *fr;
	struct fetch_request req = {
		.url = url,
		.user_agent = user_agent,
		.timeout_ms = timeout_ms,
		.max_body = max_body,
	};

	*err = NULL;
	w.base = event_base_new();
	fr = w.base ? fetcher_new(w.base) : NULL;
	if (fr == NULL || fetch_start(fr, &req, on_done, &w) == NULL) {
		*err = xasprintf("cannot start a transfer for %s", url);
		fetcher_free(fr);
		if (w.base)
			event_base_free(w.base);
		return -1;
	}
	while (!w.done)
		event_base_loop(w.base, EVLOOP_ONCE);
	fetcher_free(fr);
	event_base_free(w.base);
	out->body = w.resp.body;
	out->content_type = w.resp.content_type;
	out->final_url = w.resp.final_url;
	if (!w.resp.failed && w.resp.status >= 200 && w.resp.status <= 299)
		return 0;
	if (w.resp.failed)
		*err = xasprintf("%s: %s", url, w.resp.error);
	else
		*err = xasprintf("%s: HTTP %ld", url, w.resp.status);
	fetched_page_clear(out);
	return -1;
}

void
fetched_page_clear(struct fetched_page *p)
{
	buf_clear(&p->body);
	free(p->content_type);
	free(p->final_url);
	p->content_type = p->final_url = NULL;
}
