/*
 * fetch.c - libcurl multi-socket transfers driven by libevent (see fetch.h).
 *
 * libcurl tells us which sockets to watch and when to wake it; libevent
 * watches them. We never call libcurl from inside its own callbacks: the
 * timer callback only arms a libevent timer, and finished transfers are
 * collected after curl_multi_socket_action() has returned.
 */
#include "service/net/fetch.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/date.h"
#include "core/read/platform.h"
#include "core/read/url.h"

#define CONNECT_TIMEOUT_MS 10000
#define MAX_REDIRECTS 5
#define HEADER_VALUE_MAX 1024

struct fetcher {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	int running;
};

struct fetch {
	struct fetcher *fetcher;
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *rcpt;
	const char *upload; /* the request's body, being sent */
	size_t upload_left;
	fetch_done_cb done;
	void *arg;
	int64_t max_body;
	int too_large;
	int64_t started_mono;
	char curl_error[CURL_ERROR_SIZE];
	/* An API's budget, from its X-RateLimit-Remaining and -Reset. */
	char *rate_remaining, *rate_reset;
	char *link; /* the Link header */
	struct fetch_response resp;
};

/* Per-socket state libcurl hands back to us through curl_multi_assign. */
struct sock {
	struct fetcher *fetcher;
	curl_socket_t fd;
	struct event *ev;
};

static void fetcher_drain(struct fetcher *);

void
fetch_response_clear(struct fetch_response *r)
{
	buf_clear(&r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->final_url);
	free(r->link_next);
	memset(r, 0, sizeof *r);
}

static void
fetch_free(struct fetch *f)
{
	curl_multi_remove_handle(f->fetcher->multi, f->easy);
	curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->headers);
	curl_slist_free_all(f->rcpt);
	free(f->rate_remaining);
	free(f->rate_reset);
	free(f->link);
	fetch_response_clear(&f->resp);
	free(f);
}

static void
on_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct sock *s = arg;
	struct fetcher *fr = s->fetcher;
	int action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* s may be freed inside this call (CURL_POLL_REMOVE). */
	curl_multi_socket_action(fr->multi, fd, action, &fr->running);
	fetcher_drain(fr);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *fr = arg;

	(void)fd;
	(void)what;
	curl_multi_socket_action(
	    fr->multi, CURL_SOCKET_TIMEOUT, 0, &fr->running);
	fetcher_drain(fr);
}

static int
curl_socket_cb(
    CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct fetcher *fr = userp;
	struct sock *s = socketp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->fetcher = fr;
		s->fd = fd;
		curl_multi_assign(fr->multi, fd, s);
	} else {
		event_free(s->ev);
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	s->ev = event_new(fr->base, fd, kind, on_socket_event, s);
	if (s->ev == NULL || event_add(s->ev, NULL) == -1) {
		log_err("fetch: cannot watch socket %d", (int)fd);
		return -1;
	}
	return 0;
}

static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *fr = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(fr->timer);
		return 0;
	}
	/* Even a zero timeout goes through the loop: calling back into
	 * libcurl from here is not allowed. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(fr->timer, &tv);
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	/* Content-Length is not trusted and a gzip body can inflate: the cap
	 * is checked against what we actually receive, decompressed. */
	if ((int64_t)(f->resp.body.len + n) > f->max_body) {
		f->too_large = 1;
		return 0;
	}
	buf_append(&f->resp.body, data, n);
	return n;
}

static size_t
on_upload(char *out, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	if (n > f->upload_left)
		n = f->upload_left;
	memcpy(out, f->upload, n);
	f->upload += n;
	f->upload_left -= n;
	return n;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return NULL;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 &&
	    (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	        line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (len == 0 || len > HEADER_VALUE_MAX)
		return NULL;
	return xstrndup(line, len);
}

static void
replace(char **slot, char *value)
{
	if (value == NULL)
		return;
	free(*slot);
	*slot = value;
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	/* A new status line starts the headers of the next response in a
	 * redirect chain: only the last response's validators count. */
	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		free(f->resp.etag);
		free(f->resp.last_modified);
		free(f->rate_remaining);
		free(f->rate_reset);
		free(f->link);
		f->resp.etag = f->resp.last_modified = NULL;
		f->rate_remaining = f->rate_reset = f->link = NULL;
		return n;
	}
	replace(&f->resp.etag, header_value(line, n, "ETag"));
	replace(&f->resp.last_modified, header_value(line, n, "Last-Modified"));
	/* X spells them x-rate-limit-*; the others X-RateLimit-*. */
	replace(
	    &f->rate_remaining, header_value(line, n, "X-RateLimit-Remaining"));
	replace(&f->rate_remaining,
	    header_value(line, n, "X-Rate-Limit-Remaining"));
	replace(&f->rate_reset, header_value(line, n, "X-RateLimit-Reset"));
	replace(&f->rate_reset, header_value(line, n, "X-Rate-Limit-Reset"));
	replace(&f->link, header_value(line, n, "Link"));
	return n;
}

/* How long an API asks to be left alone once its budget is spent:
 * X-RateLimit-Remaining below one, and X-RateLimit-Reset either when
 * (seconds since the epoch: GitHub's, X's; a date: Mastodon's) or in how
 * long (seconds: Reddit's). 0 while budget remains or nothing is said. */
static int64_t
rate_wait_ms(const struct fetch *f, int64_t now_ms)
{
	char *end;
	double left, reset;
	int64_t when;

	if (f->rate_remaining == NULL || f->rate_reset == NULL)
		return 0;
	left = strtod(f->rate_remaining, &end);
	if (end == f->rate_remaining || left >= 1)
		return 0;
	reset = strtod(f->rate_reset, &end);
	/* "2026-12-05T15:12:00.000Z" reads as 2026 seconds otherwise. */
	if (*end != '\0' && (when = date_parse(f->rate_reset)) != DATE_NONE)
		reset = (double)when;
	else if (end == f->rate_reset || !(reset > 0) || reset > 1e12)
		return 0;
	if (reset > 1e9)
		reset -= (double)now_ms / 1000;
	return reset > 0 ? (int64_t)(reset * 1000) : 0;
}

static void
describe_failure(struct fetch *f, CURLcode rc)
{
	struct fetch_response *r = &f->resp;

	r->failed = 1;
	if (f->too_large) {
		snprintf(r->error, sizeof r->error,
		    "body larger than max_body (%lld bytes)",
		    (long long)f->max_body);
	} else if (rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof r->error,
		    "announced body larger than max_body (%lld bytes)",
		    (long long)f->max_body);
	} else if (rc == CURLE_UNSUPPORTED_PROTOCOL &&
	    strstr(f->curl_error, "not supported or disabled") != NULL) {
		snprintf(r->error, sizeof r->error,
		    "refused: only http and https are fetched (%.200s)",
		    f->curl_error[0] ? f->curl_error : curl_easy_strerror(rc));
	} else if (rc == CURLE_TOO_MANY_REDIRECTS) {
		snprintf(r->error, sizeof r->error, "more than %d redirects",
		    MAX_REDIRECTS);
	} else {
		snprintf(r->error, sizeof r->error, "%s",
		    f->curl_error[0] ? f->curl_error : curl_easy_strerror(rc));
	}
}

static void
finish(struct fetch *f, CURLcode rc)
{
	struct fetch_response *r = &f->resp;
	char *s = NULL;
	curl_off_t retry_after = 0;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &s) ==
	        CURLE_OK &&
	    s != NULL)
		r->final_url = xstrdup(s);
	s = NULL;
	if (curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    s != NULL)
		r->content_type = xstrdup(s);
	if (curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry_after) ==
	        CURLE_OK &&
	    retry_after > 0)
		r->retry_after_ms = (int64_t)retry_after * 1000;
	r->rate_wait_ms = rate_wait_ms(f, now_real_ms());
	r->link_next = f->link ? url_link_next(f->link) : NULL;
	r->duration_ms = now_mono_ms() - f->started_mono;
	r->bytes = (int64_t)r->body.len;
	if (rc != CURLE_OK)
		describe_failure(f, rc);
	f->done(r, f->arg);
	fetch_free(f);
}

/* Hands finished transfers to their owners. Runs only after libcurl has
 * returned to us, so owners may start or cancel transfers freely. */
static void
fetcher_drain(struct fetcher *fr)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(fr->multi, &left)) != NULL) {
		struct fetch *f = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &f);
		finish(f, msg->data.result);
	}
}

struct fetcher *
fetcher_new(struct event_base *base)
{
	struct fetcher *fr = xcalloc(1, sizeof *fr);

	fr->base = base;
	fr->multi = curl_multi_init();
	fr->timer = evtimer_new(base, on_timer, fr);
	if (fr->multi == NULL || fr->timer == NULL) {
		fetcher_free(fr);
		return NULL;
	}
	curl_multi_setopt(fr->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
	curl_multi_setopt(fr->multi, CURLMOPT_SOCKETDATA, fr);
	curl_multi_setopt(fr->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(fr->multi, CURLMOPT_TIMERDATA, fr);
	return fr;
}

void
fetcher_free(struct fetcher *fr)
{
	if (fr == NULL)
		return;
	if (fr->multi != NULL)
		curl_multi_cleanup(fr->multi);
	if (fr->timer != NULL)
		event_free(fr->timer);
	free(fr);
}

static int
append(struct curl_slist **list, const char *s)
{
	struct curl_slist *l = curl_slist_append(*list, s);

	if (l == NULL)
		return -1;
	*list = l;
	return 0;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char *h;
	int rc;

	/* Validators come from servers: a CR or LF in one must not let a
	 * server inject headers into our next request. */
	if (value == NULL || value[0] == '\0' || strpbrk(value, "\r\n"))
		return 0;
	h = xasprintf("%s: %s", name, value);
	rc = append(list, h);
	free(h);
	return rc;
}

static int
is_smtp(const char *url)
{
	return strncasecmp(url, "smtp://", 7) == 0 ||
	    strncasecmp(url, "smtps://", 8) == 0;
}

/* The options of an upload (see struct fetch_request). */
static CURLcode
setup_upload(struct fetch *f, const struct fetch_request *req)
{
	CURL *e = f->easy;
	CURLcode rc = CURLE_OK;

	f->upload = req->body;
	f->upload_left = req->body_len;
	if (is_smtp(req->url)) {
		for (size_t i = 0; i < req->nrcpt; i++)
			if (append(&f->rcpt, req->mail_rcpt[i]) == -1)
				return CURLE_OUT_OF_MEMORY;
		rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(
			    e, CURLOPT_MAIL_FROM, req->mail_from);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(e, CURLOPT_MAIL_RCPT, f->rcpt);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		if (rc == CURLE_OK && req->starttls)
			rc = curl_easy_setopt(
			    e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		if (rc == CURLE_OK && req->username != NULL)
			rc = curl_easy_setopt(
			    e, CURLOPT_USERNAME, req->username);
		if (rc == CURLE_OK && req->password != NULL)
			rc = curl_easy_setopt(
			    e, CURLOPT_PASSWORD, req->password);
	} else {
		/* A webhook that redirects is misconfigured: a POST is not
		 * replayed elsewhere. */
		rc = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(e, CURLOPT_POST, 1L);
		if (rc == CURLE_OK)
			rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)req->body_len);
	}
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_READDATA, f);
	return rc;
}

struct fetch *
fetch_start(struct fetcher *fr, const struct fetch_request *req,
    fetch_done_cb done, void *arg)
{
	struct fetch *f = xcalloc(1, sizeof *f);
	CURL *e;
	CURLcode rc = CURLE_OK;

	f->fetcher = fr;
	f->done = done;
	f->arg = arg;
	f->max_body = req->max_body;
	buf_init(&f->resp.body);
	f->easy = e = curl_easy_init();
	if (e == NULL) {
		free(f);
		return NULL;
	}
	if (add_header(&f->headers, "If-None-Match", req->etag) == -1 ||
	    add_header(&f->headers, "If-Modified-Since", req->last_modified) ==
	        -1)
		goto fail;
	/* A webhook's, an API's: never one that would add a line. curl
	 * does not send one named Authorization on to another host a
	 * redirect leads to. */
	for (size_t i = 0; i < req->nheaders; i++)
		if (strpbrk(req->headers[i], "\r\n") == NULL &&
		    append(&f->headers, req->headers[i]) == -1)
			goto fail;

#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(e, opt, val); \
	} while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PRIVATE, f);
	SET(CURLOPT_ERRORBUFFER, f->curl_error);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_USERAGENT, req->user_agent);
	SET(CURLOPT_HTTPHEADER, f->headers);
	SET(CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(req->timeout_ms < CONNECT_TIMEOUT_MS ? req->timeout_ms
	                                                : CONNECT_TIMEOUT_MS));
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, f);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, f);
	SET(CURLOPT_NOSIGNAL, 1L);
	/* Keep connections short-lived: thousands of hosts polled every few
	 * minutes gain nothing from idle sockets. */
	SET(CURLOPT_MAXAGE_CONN, 30L);
#undef SET
	if (rc == CURLE_OK && req->body != NULL)
		rc = setup_upload(f, req);
	if (rc != CURLE_OK) {
		log_err("fetch: %s: %s", req->url, curl_easy_strerror(rc));
		goto fail;
	}
	f->resp.started_ms = now_real_ms();
	f->started_mono = now_mono_ms();
	if (curl_multi_add_handle(fr->multi, e) != CURLM_OK)
		goto fail;
	return f;
fail:
	curl_easy_cleanup(e);
	curl_slist_free_all(f->headers);
	curl_slist_free_all(f->rcpt);
	free(f);
	return NULL;
}

void
fetch_cancel(struct fetch *f)
{
	fetch_free(f);
}

/* See fetch.h. */
int
fetch_source_headers(const struct conf_source *cs, const char *headers[2],
    size_t *n, char **token, char *err, size_t errlen)
{
	const char *why = NULL;
	char *secret;

	*n = 0;
	*token = NULL;
	if (cs == NULL)
		return 0;
	if (cs->header != NULL)
		headers[(*n)++] = cs->header;
	if (cs->token_file == NULL)
		return 0;
	if ((secret = file_secret(cs->token_file, &why)) == NULL)
		return err_set(
		    err, errlen, "token_file %s: %s", cs->token_file, why);
	*token = xasprintf("%s%s", platform_token_header(cs->type), secret);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	headers[(*n)++] = *token;
	return 0;
}
