/*
 * fetch.h - HTTP(S) transfers on the event loop with libcurl's multi-socket
 * API: conditional GET, compression, bounded redirects (http/https only),
 * timeouts and a body cap enforced while downloading.
 *
 * The fetcher knows nothing of sources or scheduling: it runs the transfers
 * it is given and reports each one once, from the event loop (never from
 * inside a libcurl callback).
 */
#ifndef VIGIE_FETCH_H
#define VIGIE_FETCH_H

#include <stdint.h>

#include "core/base/util.h"
#include "core/read/sched.h"

struct event_base;
struct fetcher;
struct fetch;

struct fetch_request {
	const char *url;
	const char *etag; /* sent as If-None-Match; may be NULL */
	const char *last_modified; /* sent as If-Modified-Since; may be NULL */
	const char *user_agent;
	int64_t timeout_ms; /* whole transfer; connecting gets at most 10 s */
	int64_t max_body; /* bytes after decompression */

	/* Extra headers ("Name: value"): an API's, a webhook's. */
	const char *const *headers;
	size_t nheaders;

	/* Uploads. With a body and an http(s) URL: a POST, never
	 * redirected. With an
	 * smtp(s) URL: the body is a whole message submitted from mail_from
	 * to every mail_rcpt. */
	const char *body;
	size_t body_len;
	const char *mail_from;
	const char *const *mail_rcpt;
	size_t nrcpt;
	int starttls; /* smtp://: require STARTTLS */
	const char *username; /* SMTP AUTH; NULL: none */
	const char *password;
};

struct fetch_response {
	long status; /* HTTP status, 0 when no answer came */
	int failed; /* transport failure: see error */
	char error[256]; /* empty unless failed */
	struct buf body;
	char *etag; /* validators of the answer, or NULL */
	char *last_modified;
	char *content_type;
	char *final_url; /* after redirects */
	int64_t retry_after_ms; /* 0 when absent */
	/* An API's budget spent: how long until it resets (0: not spent,
	 * or not said). */
	int64_t rate_wait_ms;
	/* The Link header's rel="next" target, as written, or NULL. */
	char *link_next;
	int64_t started_ms; /* realtime clock */
	int64_t duration_ms;
	int64_t bytes; /* body bytes received, decompressed */
};

/* Frees what a response holds (a callee that took it whole). */
void fetch_response_clear(struct fetch_response *);

/* Called once per transfer, with a response the callee may keep parts of
 * (it is freed after the call returns). */
typedef void (*fetch_done_cb)(struct fetch_response *, void *arg);

struct fetcher *fetcher_new(struct event_base *);
void fetcher_free(struct fetcher *);

/* Starts a transfer. Returns NULL if libcurl refused to set it up. */
struct fetch *fetch_start(
    struct fetcher *, const struct fetch_request *, fetch_done_cb, void *arg);
/* Abandons a transfer; its callback is never called. */
void fetch_cancel(struct fetch *);

struct conf_source;

/* What an API source asks of each request: its header, and its token
 * read from its file now (never kept, never logged), in the header its
 * platform takes. 0, or -1 with why in err. headers[] is set, *token is
 * for the caller to wipe and free. */
int fetch_source_headers(const struct conf_source *, const char *headers[2],
    size_t *n, char **token, char *err, size_t errlen);

#endif
