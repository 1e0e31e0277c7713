/*
 * pacer.c - robots.txt and request spacing per site (see pacer.h).
 *
 * Sites are few next to sources, and only those being polled matter: a
 * small array, searched linearly, forgets a site a day after its
 * robots.txt was read.
 */
#include "service/net/pacer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/read/robots.h"
#include "service/net/fetch.h"

#define ROBOTS_TTL_MS (24 * 3600 * 1000LL)
/* A site whose robots.txt failed (5xx, timeout) is treated as closed for
 * a while, as RFC 9309 asks, then asked again. */
#define ROBOTS_RETRY_MS (3600 * 1000LL)
#define ROBOTS_MAX (512 * 1024)
#define ROBOTS_TIMEOUT_MS 30000

struct site {
	char *origin; /* scheme://host[:port] */
	struct robots *robots; /* NULL while it is being fetched */
	int64_t expires_ms;
	int64_t last_ms; /* last request started or finished */
	char *agent; /* the User-Agent robots.txt is read for */
	struct fetch *fetch; /* robots.txt on its way, or NULL */
	struct pacer *pl;
};

struct pacer {
	struct fetcher *fetcher;
	void (*ready)(void *);
	void *arg;
	struct site **sites;
	size_t nsites;
};

/* scheme://host[:port] of url, and the path with its query. */
static int
split(const char *url, char **origin, const char **path)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return -1;
	p += 3;
	p += strcspn(p, "/?#");
	*origin = xstrndup(url, (size_t)(p - url));
	*path = *p == '/' ? p : "/";
	return 0;
}

static struct site *
find_site(struct pacer *pl, const char *origin)
{
	for (size_t i = 0; i < pl->nsites; i++)
		if (strcmp(pl->sites[i]->origin, origin) == 0)
			return pl->sites[i];
	return NULL;
}

static void
on_robots(struct fetch_response *r, void *arg)
{
	struct site *s = arg;
	int64_t now = now_real_ms();

	s->fetch = NULL;
	if (!r->failed && r->status >= 200 && r->status <= 299) {
		s->robots = robots_parse(
		    r->body.data ? r->body.data : "", r->body.len, s->agent);
		s->expires_ms = now + ROBOTS_TTL_MS;
	} else if (!r->failed && r->status >= 400 && r->status <= 499) {
		/* No robots.txt: everything is allowed. */
		s->robots = robots_allow_all();
		s->expires_ms = now + ROBOTS_TTL_MS;
	} else {
		log_warn("%s/robots.txt: %s: its pages wait an hour", s->origin,
		    r->failed ? r->error : "server error");
		s->robots = robots_deny_all();
		s->expires_ms = now + ROBOTS_RETRY_MS;
	}
	if (s->pl->ready != NULL)
		s->pl->ready(s->pl->arg);
}

static void
fetch_robots(struct site *s, const char *user_agent)
{
	char *url = xasprintf("%s/robots.txt", s->origin);
	struct fetch_request req = {
		.url = url,
		.user_agent = user_agent,
		.timeout_ms = ROBOTS_TIMEOUT_MS,
		.max_body = ROBOTS_MAX,
	};
	struct fetch_response fail = { 0 };

	robots_free(s->robots);
	s->robots = NULL;
	free(s->agent);
	s->agent = xstrdup(user_agent);
	if ((s->fetch = fetch_start(s->pl->fetcher, &req, on_robots, s)) ==
	    NULL) {
		fail.failed = 1;
		snprintf(
		    fail.error, sizeof fail.error, "cannot start the transfer");
		on_robots(&fail, s);
	}
	free(url);
}

enum pacer_verdict
pacer_check(struct pacer *pl, const char *url, const char *user_agent,
    int64_t min_delay_ms, int64_t now_ms)
{
	char *origin;
	const char *path;
	struct site *s;
	int64_t delay;

	if (split(url, &origin, &path) == -1)
		return PACER_GO;
	s = find_site(pl, origin);
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->origin = origin;
		s->pl = pl;
		pl->sites =
		    xreallocarray(pl->sites, pl->nsites + 1, sizeof *pl->sites);
		pl->sites[pl->nsites++] = s;
		origin = NULL;
	}
	free(origin);
	if (s->robots == NULL && s->expires_ms == 0) {
		s->expires_ms = -1; /* being fetched */
		fetch_robots(s, user_agent);
	} else if (s->robots != NULL && now_ms > s->expires_ms) {
		s->expires_ms = -1;
		fetch_robots(s, user_agent);
	}
	if (s->robots == NULL)
		return PACER_WAIT;
	if (!robots_allowed(s->robots, path))
		return PACER_DISALLOWED;
	delay = robots_crawl_delay_ms(s->robots);
	if (delay < min_delay_ms)
		delay = min_delay_ms;
	/* Strictly more: both times are whole milliseconds, so an equal
	 * count can be most of a millisecond short of the delay. */
	if (s->last_ms != 0 && now_ms - s->last_ms <= delay)
		return PACER_WAIT;
	return PACER_GO;
}

/* The last contact with url's site was at now_ms. */
static void
touch(struct pacer *pl, const char *url, int64_t now_ms)
{
	char *origin;
	const char *path;
	struct site *s;

	if (split(url, &origin, &path) == -1)
		return;
	if ((s = find_site(pl, origin)) != NULL)
		s->last_ms = now_ms;
	free(origin);
}

void
pacer_started(struct pacer *pl, const char *url, int64_t now_ms)
{
	touch(pl, url, now_ms);
}

void
pacer_finished(struct pacer *pl, const char *url, int64_t now_ms)
{
	touch(pl, url, now_ms);
}

struct pacer *
pacer_new(struct fetcher *fr, void (*ready)(void *), void *arg)
{
	struct pacer *pl = xcalloc(1, sizeof *pl);

	pl->fetcher = fr;
	pl->ready = ready;
	pl->arg = arg;
	return pl;
}

void
pacer_free(struct pacer *pl)
{
	if (pl == NULL)
		return;
	for (size_t i = 0; i < pl->nsites; i++) {
		struct site *s = pl->sites[i];

		if (s->fetch != NULL)
			fetch_cancel(s->fetch);
		robots_free(s->robots);
		free(s->agent);
		free(s->origin);
		free(s);
	}
	free(pl->sites);
	free(pl);
}
