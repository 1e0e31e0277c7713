/*
 * poller.c - the job pipeline (see poller.h): claim -> queue -> fetch ->
 * classify -> store, one job per leased source.
 *
 * The database decides what is due; the poller keeps a short queue of
 * leased sources, starts transfers within the global and per-host limits,
 * has each answer read and judged on the reader's threads (reader.h), and
 * turns each finished transfer into one fetch_record for the store. A
 * source's validators and schedule advance in the same statement that
 * stores its items, so nothing fetched is ever acknowledged unstored.
 */
#include "service/poller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/detect/incident.h"
#include "core/judge/analyze.h"
#include "core/read/feed.h"
#include "core/read/sched.h"
#include "core/read/source.h"
#include "core/read/url.h"
#include "service/db/store.h"
#include "service/metrics.h"
#include "service/monitor.h"
#include "service/net/fetch.h"
#include "service/net/pacer.h"
#include "service/reader.h"
#include "service/roster.h"
#include "service/spool.h"

enum job_state { JOB_QUEUED, JOB_FETCHING, JOB_READING, JOB_SAVING };

/* One leased source on its way through the pipeline. It carries copies of
 * what it needs, so that a reload can replace the configuration under it. */
struct job {
	struct poller *p;
	enum job_state state;
	int64_t source_id;
	char *name;
	char *url;
	char *host;
	char *etag;
	char *last_modified;
	char *lang;
	int failures;
	int64_t interval_ms;
	int page; /* 1, then the pages followed through "next" */
	int html; /* a page, fetched politely */
	int blocked; /* robots.txt forbids it */
	char *feed_url; /* a feed discovered on the source's page */
	char *next; /* the next page, once this one is stored */
	/* A platform's items waiting for the next step's answer to complete
	 * them (platform.h), and how many steps this poll took. */
	struct feed *held;
	int steps;
	size_t saving_items; /* while its fetch is being stored */
	struct fetch *fetch;
	TAILQ_ENTRY(job) entry;
};

TAILQ_HEAD(job_list, job);

struct host_slot {
	char *host;
	int active;
};

struct poller {
	struct poller_env env;
	const struct conf *conf;
	struct analyzer *analyzer; /* built from conf */
	struct reader *reader;
	/* How a source a reload removed is read, one last time. */
	struct conf_source plain;
	int claiming; /* a claim is awaited */
	int once_exhausted; /* --once: nothing due is left to claim */
	int stopping;

	struct job_list jobs; /* every job, in claim order */
	size_t nqueued, nfetching, nreading, nsaving;
	size_t saving_items; /* in the fetches being stored */
	struct store *saver; /* poller_set_saver's, or NULL */
	int save_turn; /* save_store's, between two connections as busy */
	struct host_slot *hosts;
	size_t nhosts;
};

static void
saving_done(struct poller *p, struct job *j)
{
	p->nsaving--;
	p->saving_items -= j->saving_items;
	j->saving_items = 0;
}

/* Items fetched and waiting to be stored past which no more sources are
 * claimed: about four of the store's statements, enough to keep both its
 * connections busy (some 15 MB of items on news feeds). */
#define SAVING_ITEMS_MAX 8000
#define RATE_WAIT_MAX_MS (24 * 3600 * 1000LL)
/* The requests one poll of a platform source makes before its items are
 * complete (YouTube's search, videos, channels). */
#define PLATFORM_STEPS_MAX 3

/* How long a source stays ours once claimed (or while its pages are
 * walked): long enough for three timeouts, so that it lapses only when a
 * daemon died with it. */
static int
lease_seconds(const struct poller *p)
{
	return (int)(3 * p->conf->poll.timeout_ms / 1000) + 300;
}

static void
moved(struct poller *p)
{
	p->env.moved(p->env.arg);
}

static void
job_free(struct job *j)
{
	free(j->name);
	free(j->url);
	free(j->host);
	free(j->etag);
	free(j->last_modified);
	free(j->lang);
	free(j->feed_url);
	free(j->next);
	feed_free(j->held);
	free(j);
}

static void
job_remove(struct job *j)
{
	struct poller *p = j->p;

	switch (j->state) {
	case JOB_QUEUED:
		p->nqueued--;
		break;
	case JOB_FETCHING:
		p->nfetching--;
		break;
	case JOB_READING:
		p->nreading--;
		break;
	case JOB_SAVING:
		saving_done(p, j);
		break;
	}
	TAILQ_REMOVE(&p->jobs, j, entry);
	if (p->env.roster != NULL) {
		struct roster_source *ss =
		    roster_get(p->env.roster, j->source_id);

		if (ss != NULL)
			ss->busy = 0;
	}
	job_free(j);
}

static struct host_slot *
host_slot(struct poller *p, const char *host)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i].host, host) == 0)
			return &p->hosts[i];
	p->hosts = xreallocarray(p->hosts, p->nhosts + 1, sizeof *p->hosts);
	p->hosts[p->nhosts].host = xstrdup(host);
	p->hosts[p->nhosts].active = 0;
	return &p->hosts[p->nhosts++];
}

static int
host_active(const struct poller *p, const char *host)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i].host, host) == 0)
			return p->hosts[i].active;
	return 0;
}

/* Forgets hosts with nothing in flight, so the table stays as small as
 * the number of transfers. */
static void
host_release(struct poller *p, const char *host)
{
	struct host_slot *h = host_slot(p, host);

	if (--h->active > 0)
		return;
	free(h->host);
	*h = p->hosts[--p->nhosts];
}

/* The job moves on to another URL of the same source: the feed found on
 * its page, or its next page. */
static void
job_set_url(struct job *j, const char *url)
{
	char *host = url_host(url);

	free(j->url);
	j->url = xstrdup(url);
	free(j->host);
	j->host = host ? host : xstrdup("");
	/* Validators belong to the first URL. */
	free(j->etag);
	free(j->last_modified);
	j->etag = j->last_modified = NULL;
}

/* The spool's figures, for /metrics. */
static void
spool_metrics(struct poller *p)
{
	struct spool *sp = p->env.spool;

	metrics_spool(p->env.metrics, (long)spool_count(sp), spool_bytes(sp),
	    spool_full(sp));
}

/* A save's new items and mentions, counted. */
static void
count_stored(struct poller *p, long items_new, const long *by_label)
{
	metrics_items(p->env.metrics, items_new);
	metrics_mentions(p->env.metrics, by_label[0], by_label[1], by_label[2]);
}

static void
on_saved(enum save_status status, long items_new, long items_seen,
    const long *by_label, void *arg)
{
	struct job *j = arg;
	struct poller *p = j->p;
	long mentions = by_label ? by_label[0] + by_label[1] + by_label[2] : 0;
	int ok = status == SAVE_STORED;

	if (status == SAVE_SPOOLED) {
		/* Its pages, if any, wait for the next poll. */
		log_debug("source %s: the result waits in the spool", j->name);
		spool_metrics(p);
		job_remove(j);
		moved(p);
		return;
	}
	if (ok) {
		count_stored(p, items_new, by_label);
	} else {
		store_save_failed(p->env.store, j->source_id,
		    "the fetch could not be stored (see the daemon's log)",
		    j->interval_ms);
	}
	if (ok && mentions > 0)
		log_info("source %s: %ld new items, %ld mentions", j->name,
		    items_new, mentions);
	else if (ok)
		log_debug("source %s: stored (%ld new, %ld already known)",
		    j->name, items_new, items_seen);
	/* The next page only while this one brought something new: once a
	 * page is all known, the older ones are too. The lease kept for it
	 * goes back otherwise (a failed save gave it back already). */
	if (ok && j->next != NULL && items_new > 0 && !p->stopping) {
		job_set_url(j, j->next);
		free(j->next);
		j->next = NULL;
		j->page++;
		saving_done(p, j);
		j->state = JOB_QUEUED;
		p->nqueued++;
		poller_dispatch(p);
		return;
	}
	if (ok && j->next != NULL)
		store_release_lease(p->env.store, j->source_id, p->env.owner);
	job_remove(j);
	moved(p);
}

/* A source that crosses alert_after failures in a row is reported once,
 * and again when it recovers. */
static void
source_health(
    struct poller *p, const struct job *j, const struct fetch_record *rec)
{
	int after = p->conf->poll.alert_after;

	/* Refused credentials are said at once: nothing will change by
	 * itself. */
	if (rec->failures == after ||
	    (rec->outcome == OUTCOME_DENIED && rec->failures < after))
		monitor_source_event(p->env.monitor, j->name, j->url,
		    INCIDENT_FIRING, rec->failures, rec->error,
		    rec->started_ms);
	else if (rec->failures == 0 && j->failures >= after)
		monitor_source_event(p->env.monitor, j->name, j->url,
		    INCIDENT_RESOLVED, 0, NULL, rec->started_ms);
}

/* An answer with a body to read: it goes to the reader. */
static int
answer_read(const struct fetch_response *r)
{
	return !r->failed && r->status >= 200 && r->status <= 299;
}

/* Decides what a finished transfer means for the source, from what the
 * reader made of it (k) when answer_read(). A page where a feed was
 * expected sets *discovered to its feed. */
static enum fetch_outcome
classify(struct job *j, const struct fetch_response *r, struct read_task *k,
    struct feed **feed, char **discovered, char **step, char *err,
    size_t errlen)
{
	const struct conf_source *cs = conf_find_source(j->p->conf, j->name);
	struct source_result *res;
	int api = cs != NULL &&
	    (cs->type == SOURCE_JSON || SOURCE_IS_PLATFORM(cs->type));

	/* Items held for an answer that is not read are lost with it (one
	 * that is read took them). */
	feed_free(j->held);
	j->held = NULL;

	if (r->failed) {
		snprintf(err, errlen, "%s", r->error);
		return OUTCOME_FAILED;
	}
	if (r->status == 304)
		return OUTCOME_NOT_MODIFIED;
	if (r->status == 410) {
		snprintf(err, errlen, "HTTP 410 Gone: source disabled");
		return OUTCOME_GONE;
	}
	/* An API that refuses its credentials will until a person acts:
	 * polling it again would only be refused again. */
	if ((r->status == 401 || r->status == 403) && api) {
		snprintf(err, errlen,
		    "HTTP %ld: the API refused the credentials; source "
		    "disabled until its token_file is fixed and the "
		    "configuration reloaded",
		    r->status);
		return OUTCOME_DENIED;
	}
	if (r->status == 429 || r->status == 503) {
		snprintf(err, errlen, "HTTP %ld: throttled by the server",
		    r->status);
		return OUTCOME_THROTTLED;
	}
	if (!answer_read(r) || k == NULL) {
		snprintf(err, errlen, "HTTP %ld", r->status);
		return OUTCOME_FAILED;
	}
	res = &k->res;
	switch (k->verdict) {
	case SOURCE_ERROR:
		snprintf(err, errlen, "%s", res->err);
		return OUTCOME_FAILED;
	case SOURCE_DISCOVERED:
		*discovered = res->next;
		res->next = NULL;
		return OUTCOME_OK;
	case SOURCE_ITEMS:
		break;
	}
	*feed = res->feed;
	res->feed = NULL;
	if (res->more) {
		*step = res->next;
		res->next = NULL;
		return OUTCOME_OK;
	}
	/* next = link: an API that pages by its Link header (Mastodon). */
	if (cs != NULL && source_pages_by_link(cs)) {
		free(res->next);
		res->next = r->link_next
		    ? url_resolve(
		          r->final_url ? r->final_url : j->url, r->link_next)
		    : NULL;
		if (res->next != NULL && !url_is_http(res->next)) {
			free(res->next);
			res->next = NULL;
		}
	}
	if (cs != NULL && j->page < cs->pages && res->next != NULL) {
		j->next = res->next;
		res->next = NULL;
	}
	if (cs != NULL && cs->type == SOURCE_HTML && (*feed)->nitems == 0)
		log_warn("source %s: no item read on %s", j->name, j->url);
	if ((*feed)->skipped != NULL) {
		snprintf(err, errlen, "partly read: %s", (*feed)->skipped);
		return OUTCOME_PARTIAL;
	}
	return OUTCOME_OK;
}

/* Where a fetch is saved: the connection with fewer requests waiting,
 * each in turn when they have as many (the saver only while it is up:
 * one refused by the server would hold its saves until it came). */
static struct store *
save_store(struct poller *p)
{
	struct store *s = p->saver;
	size_t a, b;

	if (s == NULL || !store_up(s))
		return p->env.store;
	a = store_pending(p->env.store);
	b = store_pending(s);
	if (a == b)
		p->save_turn = !p->save_turn;
	return a < b || (a == b && p->save_turn) ? p->env.store : s;
}

/* What the fetch tells the schedule polling follows while the database
 * is away: the source's validators, failures and next poll. */
static void
schedule_fetched(
    struct poller *p, const struct job *j, const struct fetch_record *rec)
{
	struct roster_source *ss =
	    p->env.roster ? roster_get(p->env.roster, j->source_id) : NULL;

	if (ss == NULL)
		return;
	if (rec->set_validators && j->page == 1) {
		roster_set(&ss->src.etag, rec->etag);
		roster_set(&ss->src.last_modified, rec->last_modified);
	}
	ss->src.failures = rec->failures;
	ss->due_ms = rec->next_delay_ms < 0
	    ? INT64_MAX
	    : now_real_ms() + rec->next_delay_ms;
}

/* Into the spool while no connection is up, and while the spool holds
 * older results (they go first); 1 when it took the result. */
static int
spool_result(struct poller *p, const struct fetch_record *rec)
{
	struct spool *sp = p->env.spool;
	struct spool_entry *e;

	if (sp == NULL || (store_up(save_store(p)) && spool_count(sp) == 0))
		return 0;
	e = store_spool_entry(rec);
	if (spool_put(sp, e) == -1) {
		/* Kept in memory with the store, as without a spool. */
		spool_entry_free(e);
		spool_metrics(p);
		return 0;
	}
	return 1;
}

/* What a finished transfer makes of its source, once its answer is read
 * (k), or at once when there is nothing to read: the next step or page,
 * or the record the store saves. */
static void
fetched(struct job *j, struct fetch_response *r, struct read_task *k)
{
	struct poller *p = j->p;
	struct feed *feed = NULL;
	struct fetch_record rec = { 0 };
	char *discovered = NULL, *step = NULL;
	char err[512] = "";
	enum fetch_outcome o;
	int spooled;

	if (j->blocked) {
		/* Said once, then asked again a day later, not in a loop. */
		snprintf(err, sizeof err,
		    "disallowed by %s's robots.txt for "
		    "our User-Agent",
		    j->host);
		o = OUTCOME_THROTTLED;
		r->retry_after_ms = 24 * 3600 * 1000LL;
	} else {
		o = classify(
		    j, r, k, &feed, &discovered, &step, err, sizeof err);
	}
	/* A platform's next step, at once and in the same poll; a few at
	 * most, whatever the answers say. */
	if (step != NULL && j->steps < PLATFORM_STEPS_MAX) {
		j->held = feed;
		j->steps++;
		job_set_url(j, step);
		free(step);
		j->state = JOB_QUEUED;
		p->nqueued++;
		poller_dispatch(p);
		return;
	}
	free(step);
	/* Read, if not all of it: a success for everything but the record. */
	int was_read = o == OUTCOME_OK || o == OUTCOME_PARTIAL;
	/* A page in a feed's place: its feed is fetched at once, in the
	 * same poll, and polled instead of the page from then on. */
	if (discovered != NULL && j->feed_url == NULL) {
		log_notice("source %s: %s is a page; polling its feed %s",
		    j->name, j->url, discovered);
		j->feed_url = discovered;
		job_set_url(j, discovered);
		j->state = JOB_QUEUED;
		p->nqueued++;
		poller_dispatch(p);
		return;
	}
	if (discovered != NULL) {
		snprintf(err, sizeof err,
		    "the discovered feed %s is a page too", discovered);
		free(discovered);
		o = OUTCOME_FAILED;
	}

	/* A spent budget: the next page would be refused, and this page's
	 * record is the one that schedules the source by the reset. */
	if (r->rate_wait_ms > 0 && j->next != NULL) {
		free(j->next);
		j->next = NULL;
	}
	rec.source_id = j->source_id;
	rec.owner = p->env.owner;
	rec.lease_s = j->next != NULL ? lease_seconds(p) : 0;
	store_new_attempt(rec.attempt);
	rec.started_ms = r->started_ms;
	rec.duration_ms = r->duration_ms;
	rec.http_status = r->status;
	rec.outcome = o;
	rec.error = err[0] ? err : NULL;
	rec.bytes = r->bytes;
	rec.final_url = r->final_url;
	rec.lang = j->lang;
	/* A discovered feed is kept only once it has answered as one: a
	 * guess that fails must not replace the page. */
	rec.feed_url = was_read ? j->feed_url : NULL;
	if (!was_read && j->feed_url != NULL && j->page == 1) {
		char why[sizeof err];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, sizeof err,
		    "the feed found on the page, %.150s, failed: %.250s; set "
		    "the feed's url, or type = html with rules",
		    j->feed_url, why);
	}
	rec.feed = feed;
	/* Made by the analyzer the answer was read with, which a reload
	 * may have replaced since: the mentions name its watches. */
	rec.analysis = k != NULL ? k->analysis : NULL;
	rec.analyzer = k != NULL ? k->an : p->analyzer;
	/* A 304 may refresh the validators; a failure must not touch them. */
	/* A platform's later steps answer other URLs than the source's. */
	rec.set_validators = (was_read && j->page == 1 && j->steps == 0) ||
	    (o == OUTCOME_NOT_MODIFIED && (r->etag || r->last_modified));
	rec.etag = rec.set_validators ? r->etag : NULL;
	rec.last_modified = rec.set_validators ? r->last_modified : NULL;
	if (o == OUTCOME_NOT_MODIFIED && !r->etag && !r->last_modified)
		rec.set_validators = 0;
	rec.failures =
	    was_read || o == OUTCOME_NOT_MODIFIED ? 0 : j->failures + 1;
	rec.next_delay_ms = sched_next_delay(o, j->interval_ms, rec.failures,
	    r->retry_after_ms, (double)arc4random() / 4294967296.0);
	/* An API whose budget is spent is left alone until it resets (a
	 * day at most: a reset further off is a mistake). */
	if (r->rate_wait_ms > rec.next_delay_ms && rec.next_delay_ms >= 0) {
		rec.next_delay_ms = r->rate_wait_ms < RATE_WAIT_MAX_MS
		    ? r->rate_wait_ms
		    : RATE_WAIT_MAX_MS;
		log_notice("source %s: the API's rate limit is spent; next "
		           "poll in %lld s",
		    j->name, (long long)(rec.next_delay_ms / 1000));
	}

	if (o == OUTCOME_OK)
		log_info(
		    "source %s: HTTP %ld, %zu items, %lld bytes in %lld ms",
		    j->name, r->status, feed->nitems, (long long)r->bytes,
		    (long long)r->duration_ms);
	else if (o == OUTCOME_PARTIAL)
		log_warn("source %s: HTTP %ld, %zu items, %s", j->name,
		    r->status, feed->nitems, err);
	else if (o == OUTCOME_NOT_MODIFIED)
		log_info("source %s: not modified", j->name);
	else
		log_warn("source %s: %s (failure %d, next try in %lld s)",
		    j->name, err, rec.failures,
		    (long long)(rec.next_delay_ms / 1000));

	source_health(p, j, &rec);
	j->failures = rec.failures; /* for the next page, if any */
	metrics_fetch(p->env.metrics, o, now_real_ms());
	schedule_fetched(p, j, &rec);
	j->state = JOB_SAVING;
	p->nsaving++;
	j->saving_items = feed != NULL ? feed->nitems : 0;
	p->saving_items += j->saving_items;
	spooled = spool_result(p, &rec);
	if (!spooled)
		store_save_fetch(save_store(p), &rec, on_saved, j);
	feed_free(feed);
	if (spooled)
		on_saved(SAVE_SPOOLED, 0, 0, NULL, j);
	store_flush(p->env.store);
	if (p->saver != NULL)
		store_flush(p->saver);
	poller_dispatch(p);
	moved(p);
}

static void
on_read(struct read_task *k, void *arg, int cancelled)
{
	struct job *j = arg;
	struct analyzer *an = k->an;

	/* Cancelled: the poller is being freed, and the job with it. */
	if (!cancelled) {
		j->p->nreading--;
		fetched(j, &k->resp, k);
	}
	read_task_clear(k);
	analyzer_free(an);
	free(k);
}

/* The answer goes to the reader's threads, with what it is read by. */
static void
read_answer(struct poller *p, struct job *j, struct fetch_response *r)
{
	const struct conf_source *cs = conf_find_source(p->conf, j->name);
	struct read_task *k = xcalloc(1, sizeof *k);

	/* The items held for this answer are its to complete (unless it is
	 * not the answer asked for), or lost with it. */
	k->held = j->held;
	j->held = NULL;
	if (k->held != NULL && (r->status != 200 || cs == NULL)) {
		feed_free(k->held);
		k->held = NULL;
	}
	/* A source a reload removed is read as a feed, one last time. */
	k->cs = cs != NULL ? cs : &p->plain;
	k->resp = *r;
	memset(r, 0, sizeof *r);
	k->url = k->resp.final_url ? k->resp.final_url : j->url;
	k->now_s = now_real_ms() / 1000;
	k->an = analyzer_ref(p->analyzer);
	k->lang = j->lang;
	k->last_step = j->steps >= PLATFORM_STEPS_MAX;
	j->state = JOB_READING;
	p->nreading++;
	reader_submit(p->reader, k, on_read, j);
}

static void
on_fetched(struct fetch_response *r, void *arg)
{
	struct job *j = arg;
	struct poller *p = j->p;

	j->fetch = NULL;
	host_release(p, j->host);
	if (j->html && p->conf->poll.robots && !j->blocked)
		pacer_finished(p->env.pacer, j->url, now_real_ms());
	p->nfetching--;
	if (j->blocked || !answer_read(r)) {
		fetched(j, r, NULL);
		return;
	}
	read_answer(p, j, r);
	/* Its transfer's place is free for another. */
	poller_dispatch(p);
}

static void
start_job(struct poller *p, struct job *j)
{
	const char *headers[2];
	char *token = NULL, err[256] = "cannot start the transfer";
	struct fetch_request req = {
		.url = j->url,
		.etag = j->etag,
		.last_modified = j->last_modified,
		.user_agent = p->conf->poll.user_agent,
		.timeout_ms = p->conf->poll.timeout_ms,
		.max_body = p->conf->poll.max_body,
		.headers = headers,
	};
	int ok = fetch_source_headers(conf_find_source(p->conf, j->name),
	             headers, &req.nheaders, &token, err, sizeof err) == 0;

	p->nqueued--;
	p->nfetching++;
	j->state = JOB_FETCHING;
	host_slot(p, j->host)->active++;
	j->fetch = j->blocked || !ok
	    ? NULL
	    : fetch_start(p->env.fetcher, &req, on_fetched, j);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (j->fetch == NULL) {
		struct fetch_response r = { 0 };

		snprintf(r.error, sizeof r.error, "%s", err);
		r.failed = 1;
		r.started_ms = now_real_ms();
		on_fetched(&r, j);
	}
}

void
poller_dispatch(struct poller *p)
{
	struct job *j, *next;

	/* With nothing queued there is nothing to look at. */
	if (p->nqueued == 0)
		return;
	for (j = TAILQ_FIRST(&p->jobs); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		if (p->stopping ||
		    (int)p->nfetching >= p->conf->poll.concurrency)
			return;
		if (j->state != JOB_QUEUED)
			continue;
		if (host_active(p, j->host) >= p->conf->poll.per_host)
			continue;
		if (j->html && p->conf->poll.robots) {
			switch (pacer_check(p->env.pacer, j->url,
			    p->conf->poll.user_agent,
			    p->conf->poll.min_delay_ms, now_real_ms())) {
			case PACER_WAIT:
				continue;
			case PACER_DISALLOWED:
				j->blocked = 1;
				break;
			case PACER_GO:
				pacer_started(
				    p->env.pacer, j->url, now_real_ms());
				break;
			}
			/* pacer_check can call poller_dispatch() back (a
			 * robots.txt that failed at once): the job may be gone
			 * on. */
			if (j->state != JOB_QUEUED)
				continue;
		}
		start_job(p, j);
	}
}

/* A job for a source claimed, from the database or the schedule. */
static void
job_add(struct poller *p, const struct conf_source *cs,
    const struct claimed_source *c)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->p = p;
	j->state = JOB_QUEUED;
	j->source_id = c->id;
	j->name = xstrdup(c->name);
	j->url = xstrdup(c->url);
	j->etag = c->etag ? xstrdup(c->etag) : NULL;
	j->last_modified = c->last_modified ? xstrdup(c->last_modified) : NULL;
	j->host = url_host(j->url);
	if (j->host == NULL)
		j->host = xstrdup("");
	j->lang = cs->lang ? xstrdup(cs->lang) : NULL;
	j->page = 1;
	j->html = cs->type == SOURCE_HTML;
	j->failures = c->failures;
	j->interval_ms = cs->interval_ms;
	TAILQ_INSERT_TAIL(&p->jobs, j, entry);
	p->nqueued++;
}

static void
on_claimed(struct claimed_source *rows, long n, void *arg)
{
	struct poller *p = arg;
	int limit = p->conf->poll.concurrency * 2;

	p->claiming = 0;
	if (n < 0)
		return;
	for (long i = 0; i < n; i++) {
		const struct conf_source *cs =
		    conf_find_source(p->conf, rows[i].name);

		/* Configured elsewhere or removed by a reload since the
		 * claim: its lease lapses and the next sync settles it. */
		if (cs == NULL)
			continue;
		job_add(p, cs, &rows[i]);
		if (p->env.roster != NULL) {
			struct roster_source *ss = roster_put(p->env.roster,
			    rows[i].id, rows[i].name, rows[i].url);

			roster_set(&ss->src.etag, rows[i].etag);
			roster_set(
			    &ss->src.last_modified, rows[i].last_modified);
			ss->src.failures = rows[i].failures;
			ss->busy = 1;
		}
	}
	store_claimed_free(rows, n);
	if (p->env.once && n < limit)
		p->once_exhausted = n == 0;
	poller_dispatch(p);
	moved(p);
}

/* While the database is away: the sources of the schedule that are due,
 * as long as the spool has room for what they bring. */
static void
claim_scheduled(struct poller *p, int room)
{
	struct roster_source **due;
	size_t n;

	if (p->env.roster == NULL || p->env.spool == NULL ||
	    spool_full(p->env.spool))
		return;
	due = xcalloc((size_t)room, sizeof *due);
	n = roster_due(p->env.roster, now_real_ms(), due, (size_t)room);
	for (size_t i = 0; i < n; i++) {
		const struct conf_source *cs =
		    conf_find_source(p->conf, due[i]->src.name);

		/* The URL is the one last claimed (a feed found on the
		 * source's page, maybe): a reload that changed it is settled
		 * by the database once it is back. */
		if (cs == NULL) {
			/* Removed by a reload: not polled again. */
			due[i]->busy = 0;
			due[i]->due_ms = INT64_MAX;
			continue;
		}
		job_add(p, cs, &due[i]->src);
	}
	free(due);
	if (n > 0) {
		poller_dispatch(p);
		moved(p);
	}
}

void
poller_claim(struct poller *p)
{
	int room;

	if (p->claiming || p->once_exhausted)
		return;
	/* Fetching faster than the database stores would only pile the
	 * fetched items up in memory: no more until it catches up. */
	if (p->saving_items >= SAVING_ITEMS_MAX)
		return;
	/* Answers waiting for the reader count: they hold their bodies. */
	room = p->conf->poll.concurrency * 2 -
	    (int)(p->nqueued + p->nfetching + p->nreading);
	if (room <= 0)
		return;
	if (!store_up(p->env.store)) {
		claim_scheduled(p, room);
		return;
	}
	p->claiming = 1;
	store_claim(p->env.store, p->env.owner, room, lease_seconds(p),
	    p->env.once ? p->env.once_since_ms : -1, on_claimed, p);
}

void
poller_db_lost(struct poller *p)
{
	p->claiming = 0;
	if (p->env.spool == NULL)
		return;
	/* The saves waiting for the database would hold their sources
	 * until it comes back: the spool keeps them instead. */
	store_spool_saves(p->env.store, p->env.spool);
	if (p->saver != NULL && !store_up(p->saver))
		store_spool_saves(p->saver, p->env.spool);
	spool_metrics(p);
}

/* A spooled result on its way to the database. */
struct drain {
	struct poller *p;
	struct spool_entry *e;
};

/* Saves from the spool at once: enough to keep the connection busy,
 * few enough that new results do not wait long behind them. */
#define DRAIN_IN_FLIGHT 4

static void
on_drained(enum save_status status, long items_new, long items_seen,
    const long *by_label, void *arg)
{
	struct drain *d = arg;
	struct poller *p = d->p;
	struct spool *sp = p->env.spool;

	(void)items_seen;
	if (status == SAVE_STORED)
		count_stored(p, items_new, by_label);
	spool_done(sp, d->e,
	    status == SAVE_STORED       ? SPOOL_STORED
	        : status == SAVE_FAILED ? SPOOL_REFUSED
	                                : SPOOL_AGAIN);
	free(d);
	if (status == SAVE_STORED && spool_count(sp) == 0)
		log_notice("spool: every waiting result is stored");
	spool_metrics(p);
	moved(p);
}

void
poller_drain(struct poller *p)
{
	struct spool *sp = p->env.spool;
	struct spool_entry *e;

	/* The first connection only: one queue keeps them in order. */
	while (sp != NULL && store_up(p->env.store) &&
	    spool_in_flight(sp) < DRAIN_IN_FLIGHT &&
	    (e = spool_take(sp)) != NULL) {
		struct drain *d = xmalloc(sizeof *d);

		d->p = p;
		d->e = e;
		store_save_entry(p->env.store, e, on_drained, d);
	}
}

void
poller_release_leases(struct poller *p)
{
	size_t n = 0;
	int64_t *keep =
	    xcalloc(p->nqueued + p->nfetching + p->nreading + p->nsaving + 1,
	        sizeof *keep);
	struct job *j;

	TAILQ_FOREACH(j, &p->jobs, entry)
	keep[n++] = j->source_id;
	store_release_leases(p->env.store, p->env.owner, keep, n, NULL, NULL);
	free(keep);
}

void
poller_stop(struct poller *p)
{
	struct job *j, *next;

	p->stopping = 1;
	/* Abandoned transfers leave no trace but their lease, given back
	 * by poller_release_leases(): their sources are simply due again. */
	for (j = TAILQ_FIRST(&p->jobs); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		if (j->state == JOB_FETCHING) {
			fetch_cancel(j->fetch);
			host_release(p, j->host);
		}
		/* What was fetched is read and stored. */
		if (j->state != JOB_READING && j->state != JOB_SAVING)
			job_remove(j);
	}
}

int
poller_done(const struct poller *p)
{
	return p->once_exhausted && TAILQ_EMPTY(&p->jobs);
}

void
poller_in_flight(const struct poller *p, size_t *fetching, size_t *saving)
{
	*fetching = p->nfetching;
	*saving = p->nreading + p->nsaving;
}

void
poller_set_saver(struct poller *p, struct store *saver)
{
	p->saver = saver;
}

void
poller_set_conf(struct poller *p, const struct conf *conf, struct analyzer *an)
{
	/* The answers being read use the old configuration's sources. */
	reader_quiesce(p->reader);
	p->conf = conf;
	p->analyzer = an;
}

struct poller *
poller_new(
    const struct poller_env *env, const struct conf *conf, struct analyzer *an)
{
	struct poller *p = xcalloc(1, sizeof *p);

	p->reader =
	    reader_new(env->base, reader_threads(conf->poll.read_threads));
	if (p->reader == NULL) {
		free(p);
		return NULL;
	}
	p->env = *env;
	p->conf = conf;
	p->analyzer = an;
	p->plain.type = SOURCE_AUTO;
	p->plain.pages = 1;
	TAILQ_INIT(&p->jobs);
	return p;
}

void
poller_free(struct poller *p)
{
	struct job *j;

	if (p == NULL)
		return;
	/* First: the answers it cancels belong to jobs freed below. */
	reader_free(p->reader);
	while ((j = TAILQ_FIRST(&p->jobs)) != NULL) {
		if (j->fetch != NULL)
			fetch_cancel(j->fetch);
		job_remove(j);
	}
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i].host);
	free(p->hosts);
	free(p);
}
