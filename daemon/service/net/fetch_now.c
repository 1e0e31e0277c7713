/*
 * fetch_now.c - one transfer, waited for (see fetch_now.h).
 */
#include "service/net/fetch_now.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

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
	w->resp.link_next = r->link_next ? xstrdup(r->link_next) : NULL;
	w->done = 1;
	event_base_loopbreak(w->base);
}

static int
fetch_with(
    const struct fetch_request *req, struct fetched_page *out, char **err)
{
	const char *url = req->url;
	struct waiter w = { 0 };
	struct fetcher *fr;

	w.base = event_base_new();
	fr = w.base ? fetcher_new(w.base) : NULL;
	if (fr == NULL || fetch_start(fr, req, on_done, &w) == NULL) {
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
	out->link_next = w.resp.link_next;
	if (!w.resp.failed && w.resp.status >= 200 && w.resp.status <= 299)
		return 0;
	if (w.resp.failed)
		*err = xasprintf("%s: %s", url, w.resp.error);
	else
		*err = xasprintf("%s: HTTP %ld", url, w.resp.status);
	fetched_page_clear(out);
	return -1;
}

int
fetch_now(const char *url, const char *user_agent, int64_t timeout_ms,
    int64_t max_body, struct fetched_page *out, char **err)
{
	/* No source: no header, no token. */
	return fetch_now_source(
	    NULL, url, user_agent, timeout_ms, max_body, out, err);
}

int
fetch_now_source(const struct conf_source *s, const char *url,
    const char *user_agent, int64_t timeout_ms, int64_t max_body,
    struct fetched_page *out, char **err)
{
	const char *headers[2];
	char *token = NULL, why[256];
	struct fetch_request req = {
		.url = url,
		.user_agent = user_agent,
		.timeout_ms = timeout_ms,
		.max_body = max_body,
		.headers = headers,
	};
	int rc;

	*err = NULL;
	memset(out, 0, sizeof *out);
	if (fetch_source_headers(
	        s, headers, &req.nheaders, &token, why, sizeof why) == -1) {
		*err = xasprintf("%s: %s", url, why);
		return -1;
	}
	rc = fetch_with(&req, out, err);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return rc;
}

void
fetched_page_clear(struct fetched_page *p)
{
	buf_clear(&p->body);
	free(p->content_type);
	free(p->final_url);
	free(p->link_next);
	p->content_type = p->final_url = p->link_next = NULL;
}
