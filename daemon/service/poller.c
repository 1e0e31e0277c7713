/*
 * poller.c - the daemon (`vigie run`): the event loop that drives fetch ->
 * parse -> store.
 *
 * The database decides what is due (sources are leased, so several daemons
 * can share one database); the poller keeps a short queue of leased
 * sources, starts transfers within the global and per-host limits, and
 * turns each finished transfer into one fetch_record for the store. A
 * source's validators and schedule advance in the same statement that
 * stores its items, so nothing fetched is ever acknowledged unstored.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "service/poller.h"

#include "core/base/log.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/detect/incident.h"
#include "core/judge/analyze.h"
#include "core/read/feed.h"
#include "core/read/sched.h"
#include "core/read/source.h"
#include "core/read/url.h"
#include "service/backfill.h"
#include "service/fetch.h"
#include "service/metrics.h"
#include "service/monitor.h"
#include "service/outbox.h"
#include "service/pacer.h"
#include "service/store.h"

#define TICK_MS 1000
/* How long --once waits for a database that went away mid-run, and how
 * long a stopping daemon waits for its last writes. */
#define ONCE_DB_PATIENCE_MS 60000
#define STOP_GRACE_MS 10000

enum job_state { JOB_QUEUED, JOB_FETCHING, JOB_SAVING };

struct poller;

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
	struct fetch *fetch;
	TAILQ_ENTRY(job) entry;
};

TAILQ_HEAD(job_list, job);

struct host_slot {
	char *host;
	int active;
};

struct poller {
	struct event_base *base;
	const char *conf_path;
	struct conf *conf;
	struct analyzer *analyzer; /* built from conf */
	struct match_result scratch;
	struct fetcher *fetcher;
	struct store *store;
	struct backfill *backfill; /* running, or NULL */
	struct monitor *monitor;
	struct outbox *outbox;
	struct pacer *pacer;
	struct metrics *metrics; /* NULL without [daemon] listen */
	int stats_busy;
	int maintaining;
	int64_t maintain_due; /* monotonic */
	int64_t stats_due; /* monotonic */
	int64_t stats_sent;
	int once_detected; /* --once: the final detection cycle ran */
	int backfill_again; /* watches changed while it ran */
	char owner[160];

	int once;
	int64_t once_since_ms;
	int exit_code;

	int db_up;
	int db_ever_up;
	int64_t db_down_since;
	int syncing; /* answers awaited by the current round */
	unsigned sync_gen; /* the current sync round */
	int claiming;
	int once_exhausted;
	int stopping;
	int64_t stop_deadline;

	struct job_list jobs; /* every job, in claim order */
	size_t nqueued, nfetching, nsaving;
	struct host_slot *hosts;
	size_t nhosts;

	struct event *tick;
	struct event *sig_term, *sig_int, *sig_hup;
};

static void poller_tick(struct poller *);
static void dispatch(struct poller *);

/* How long a source stays ours once claimed (or while its pages are
 * walked): long enough for three timeouts, so that it lapses only when a
 * daemon died with it. */
static int
lease_seconds(const struct poller *p)
{
	return (int)(3 * p->conf->poll.timeout_ms / 1000) + 300;
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
	case JOB_SAVING:
		p->nsaving--;
		break;
	}
	TAILQ_REMOVE(&p->jobs, j, entry);
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

static void
on_saved(
    int ok, long items_new, long items_seen, const long *by_label, void *arg)
{
	struct job *j = arg;
	struct poller *p = j->p;
	long mentions = by_label ? by_label[0] + by_label[1] + by_label[2] : 0;

	if (ok) {
		metrics_items(p->metrics, items_new);
		metrics_mentions(
		    p->metrics, by_label[0], by_label[1], by_label[2]);
	} else {
		store_save_failed(p->store, j->source_id,
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
		p->nsaving--;
		j->state = JOB_QUEUED;
		p->nqueued++;
		dispatch(p);
		return;
	}
	if (ok && j->next != NULL)
		store_release_lease(p->store, j->source_id, p->owner);
	job_remove(j);
	poller_tick(p);
}

/* Every item's mentions and tone; NULL when there is nothing to match. The
 * store serialises them at once, so they live only as long as on_fetched. */
static struct item_analysis *
analyze_feed(struct poller *p, const struct feed *feed, const char *lang)
{
	struct item_analysis *ia;

	if (feed == NULL || feed->nitems == 0)
		return NULL;
	ia = xcalloc(feed->nitems, sizeof *ia);
	for (size_t i = 0; i < feed->nitems; i++)
		analyze_item(p->analyzer, &feed->items[i], lang, NULL,
		    &p->scratch, &ia[i]);
	return ia;
}

static void
analysis_free(struct item_analysis *ia, const struct feed *feed)
{
	if (ia == NULL)
		return;
	for (size_t i = 0; i < feed->nitems; i++)
		item_analysis_clear(&ia[i]);
	free(ia);
}

/* A source that crosses alert_after failures in a row is reported once,
 * and again when it recovers. */
static void
source_health(
    struct poller *p, const struct job *j, const struct fetch_record *rec)
{
	int after = p->conf->poll.alert_after;

	if (rec->failures == after)
		monitor_source_event(p->monitor, j->name, j->url,
		    INCIDENT_FIRING, rec->failures, rec->error,
		    rec->started_ms);
	else if (rec->failures == 0 && j->failures >= after)
		monitor_source_event(p->monitor, j->name, j->url,
		    INCIDENT_RESOLVED, 0, NULL, rec->started_ms);
}

/* Decides what a finished transfer means for the source. A page where a
 * feed was expected sets *discovered to its feed. */
static enum fetch_outcome
classify(struct job *j, struct fetch_response *r, struct feed **feed,
    char **discovered, char *err, size_t errlen)
{
	const struct conf_source *cs = conf_find_source(j->p->conf, j->name);
	struct conf_source plain = { .type = SOURCE_AUTO, .pages = 1 };
	struct source_result res;
	enum source_verdict v;

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
	if (r->status == 429 || r->status == 503) {
		snprintf(err, errlen, "HTTP %ld: throttled by the server",
		    r->status);
		return OUTCOME_THROTTLED;
	}
	if (r->status < 200 || r->status > 299) {
		snprintf(err, errlen, "HTTP %ld", r->status);
		return OUTCOME_FAILED;
	}
	/* A source a reload removed is read as a feed, one last time. */
	v = source_read(cs ? cs : &plain, r->body.data ? r->body.data : "",
	    r->body.len, r->final_url ? r->final_url : j->url, r->content_type,
	    now_real_ms() / 1000, &res);
	switch (v) {
	case SOURCE_ERROR:
		snprintf(err, errlen, "%s", res.err);
		source_result_clear(&res);
		return OUTCOME_FAILED;
	case SOURCE_DISCOVERED:
		*discovered = res.next;
		res.next = NULL;
		source_result_clear(&res);
		return OUTCOME_OK;
	case SOURCE_ITEMS:
		break;
	}
	*feed = res.feed;
	res.feed = NULL;
	if (cs != NULL && j->page < cs->pages && res.next != NULL) {
		j->next = res.next;
		res.next = NULL;
	}
	if (cs != NULL && cs->type == SOURCE_HTML && res.stats.items == 0)
		log_warn("source %s: the item rule matched nothing on %s",
		    j->name, j->url);
	source_result_clear(&res);
	return OUTCOME_OK;
}

static void
on_fetched(struct fetch_response *r, void *arg)
{
	struct job *j = arg;
	struct poller *p = j->p;
	struct feed *feed = NULL;
	struct fetch_record rec = { 0 };
	struct item_analysis *analysis;
	char *discovered = NULL;
	char err[512] = "";
	enum fetch_outcome o;

	j->fetch = NULL;
	host_release(p, j->host);
	p->nfetching--;
	if (j->blocked) {
		/* Said once, then asked again a day later, not in a loop. */
		snprintf(err, sizeof err,
		    "disallowed by %s's robots.txt for "
		    "our User-Agent",
		    j->host);
		o = OUTCOME_THROTTLED;
		r->retry_after_ms = 24 * 3600 * 1000LL;
	} else {
		o = classify(j, r, &feed, &discovered, err, sizeof err);
	}
	/* A page in a feed's place: its feed is fetched at once, in the
	 * same poll, and polled instead of the page from then on. */
	if (discovered != NULL && j->feed_url == NULL) {
		log_notice("source %s: %s is a page; polling its feed %s",
		    j->name, j->url, discovered);
		j->feed_url = discovered;
		job_set_url(j, discovered);
		j->state = JOB_QUEUED;
		p->nqueued++;
		dispatch(p);
		return;
	}
	if (discovered != NULL) {
		snprintf(err, sizeof err,
		    "the discovered feed %s is a page too", discovered);
		free(discovered);
		o = OUTCOME_FAILED;
	}

	rec.source_id = j->source_id;
	rec.owner = p->owner;
	rec.lease_s = j->next != NULL ? lease_seconds(p) : 0;
	store_new_attempt(rec.attempt);
	rec.started_ms = r->started_ms;
	rec.duration_ms = r->duration_ms;
	rec.http_status = r->status;
	rec.outcome = fetch_outcome_name(o); /* the store takes the name */
	rec.error = err[0] ? err : NULL;
	rec.bytes = r->bytes;
	rec.final_url = r->final_url;
	rec.lang = j->lang;
	/* A discovered feed is kept only once it has answered as one: a
	 * guess that fails must not replace the page. */
	rec.feed_url = o == OUTCOME_OK ? j->feed_url : NULL;
	if (o != OUTCOME_OK && j->feed_url != NULL && j->page == 1) {
		char why[sizeof err];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, sizeof err,
		    "the feed found on the page, %.150s, failed: %.250s; set "
		    "the feed's url, or type = html with rules",
		    j->feed_url, why);
	}
	rec.feed = feed;
	analysis = analyze_feed(p, feed, j->lang);
	rec.analysis = analysis;
	rec.analyzer = p->analyzer;
	/* A 304 may refresh the validators; a failure must not touch them. */
	rec.set_validators = (o == OUTCOME_OK && j->page == 1) ||
	    (o == OUTCOME_NOT_MODIFIED && (r->etag || r->last_modified));
	rec.etag = rec.set_validators ? r->etag : NULL;
	rec.last_modified = rec.set_validators ? r->last_modified : NULL;
	if (o == OUTCOME_NOT_MODIFIED && !r->etag && !r->last_modified)
		rec.set_validators = 0;
	rec.failures = (o == OUTCOME_OK || o == OUTCOME_NOT_MODIFIED)
	    ? 0
	    : j->failures + 1;
	rec.next_delay_ms = sched_next_delay(o, j->interval_ms, rec.failures,
	    r->retry_after_ms, (double)arc4random() / 4294967296.0);

	if (o == OUTCOME_OK)
		log_info(
		    "source %s: HTTP %ld, %zu items, %lld bytes in %lld ms",
		    j->name, r->status, feed->nitems, (long long)r->bytes,
		    (long long)r->duration_ms);
	else if (o == OUTCOME_NOT_MODIFIED)
		log_info("source %s: not modified", j->name);
	else
		log_warn("source %s: %s (failure %d, next try in %lld s)",
		    j->name, err, rec.failures,
		    (long long)(rec.next_delay_ms / 1000));

	source_health(p, j, &rec);
	j->failures = rec.failures; /* for the next page, if any */
	metrics_fetch(p->metrics, o, now_real_ms());
	j->state = JOB_SAVING;
	p->nsaving++;
	store_save_fetch(p->store, &rec, on_saved, j);
	analysis_free(analysis, feed);
	feed_free(feed);
	dispatch(p);
	poller_tick(p);
}

static void
start_job(struct poller *p, struct job *j)
{
	struct fetch_request req = {
		.url = j->url,
		.etag = j->etag,
		.last_modified = j->last_modified,
		.user_agent = p->conf->poll.user_agent,
		.timeout_ms = p->conf->poll.timeout_ms,
		.max_body = p->conf->poll.max_body,
	};

	p->nqueued--;
	p->nfetching++;
	j->state = JOB_FETCHING;
	host_slot(p, j->host)->active++;
	j->fetch =
	    j->blocked ? NULL : fetch_start(p->fetcher, &req, on_fetched, j);
	if (j->fetch == NULL) {
		struct fetch_response r = { 0 };

		snprintf(r.error, sizeof r.error, "cannot start the transfer");
		r.failed = 1;
		r.started_ms = now_real_ms();
		on_fetched(&r, j);
	}
}

/* Starts queued jobs, oldest first, as far as the limits allow. */
static void
dispatch(struct poller *p)
{
	struct job *j, *next;

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
			switch (pacer_check(p->pacer, j->url,
			    p->conf->poll.user_agent,
			    p->conf->poll.min_delay_ms, now_real_ms())) {
			case PACER_WAIT:
				continue;
			case PACER_DISALLOWED:
				j->blocked = 1;
				break;
			case PACER_GO:
				pacer_started(p->pacer, j->url, now_real_ms());
				break;
			}
			/* pacer_check can call dispatch() back (a robots.txt
			 * that failed at once): the job may be gone on. */
			if (j->state != JOB_QUEUED)
				continue;
		}
		start_job(p, j);
	}
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
		struct job *j;

		/* Configured elsewhere or removed by a reload since the
		 * claim: its lease lapses and the next sync settles it. */
		if (cs == NULL)
			continue;
		j = xcalloc(1, sizeof *j);
		j->p = p;
		j->state = JOB_QUEUED;
		j->source_id = rows[i].id;
		j->name = rows[i].name;
		j->url = rows[i].url;
		j->etag = rows[i].etag;
		j->last_modified = rows[i].last_modified;
		rows[i].name = rows[i].url = NULL;
		rows[i].etag = rows[i].last_modified = NULL;
		j->host = url_host(j->url);
		if (j->host == NULL)
			j->host = xstrdup("");
		j->lang = cs->lang ? xstrdup(cs->lang) : NULL;
		j->page = 1;
		j->html = cs->type == SOURCE_HTML;
		j->failures = rows[i].failures;
		j->interval_ms = cs->interval_ms;
		TAILQ_INSERT_TAIL(&p->jobs, j, entry);
		p->nqueued++;
	}
	store_claimed_free(rows, n);
	if (p->once && n < limit)
		p->once_exhausted = n == 0;
	dispatch(p);
	poller_tick(p);
}

static void
finish_loop(struct poller *p)
{
	event_base_loopexit(p->base, NULL);
}

static void
check_stop(struct poller *p)
{
	if (p->nsaving == 0 && store_pending(p->store) == 0) {
		finish_loop(p);
	} else if (now_mono_ms() > p->stop_deadline) {
		log_warn("stopping with %zu results not stored", p->nsaving);
		finish_loop(p);
	}
}

#define STATS_EVERY_MS 15000
#define MAINTAIN_EVERY_MS (3600 * 1000LL)

static void
on_maintained(long n, void *arg)
{
	struct poller *p = arg;

	p->maintaining = 0;
	if (n > 0)
		log_info("retention: %ld month partitions older than %lld days "
		         "dropped",
		    n, (long long)(p->conf->retention_ms / 86400000));
}

/* The month partitions of items, mentions and fetches are made ahead of
 * need and dropped once older than [database] retention: when the
 * database is reached (before anything is stored: the store keeps the
 * order of requests) and every hour after. */
static void
maintain(struct poller *p)
{
	int64_t now = now_mono_ms();

	if (p->maintaining || now < p->maintain_due)
		return;
	p->maintaining = 1;
	p->maintain_due = now + MAINTAIN_EVERY_MS;
	store_maintain(p->store, p->conf->retention_ms, on_maintained, p);
}

/* The figures of /metrics and of systemd's STATUS= line. */
static void
on_stats(const long *v, int n, void *arg)
{
	struct poller *p = arg;
	struct metrics_stats st;
	char status[256];

	p->stats_busy = 0;
	if (n < 5)
		return;
	st.sources_ok = v[0];
	st.sources_failing = v[1];
	st.mentions_hour = v[2];
	st.incidents_open = v[3];
	st.outbox_pending = v[4];
	st.db_seconds = (double)(now_mono_ms() - p->stats_sent) / 1000.0;
	metrics_stats(p->metrics, &st);
	snprintf(status, sizeof status,
	    "STATUS=sources: %ld ok, %ld failing; mentions in the last hour: "
	    "%ld; open incidents: %ld",
	    v[0], v[1], v[2], v[3]);
	sd_notify(0, status);
}

static void
read_stats(struct poller *p)
{
	int64_t now = now_mono_ms(), stale = 0;

	/* Quiet for three times the longest interval is unhealthy. */
	for (size_t i = 0; i < p->conf->nsources; i++)
		if (3 * p->conf->sources[i].interval_ms > stale)
			stale = 3 * p->conf->sources[i].interval_ms;
	metrics_health(p->metrics, p->db_up, stale);
	if (p->stats_busy || now < p->stats_due)
		return;
	p->stats_busy = 1;
	p->stats_due = now + STATS_EVERY_MS;
	p->stats_sent = now;
	store_stats(p->store, on_stats, p);
}

/* --once, after the last poll is stored: one detection cycle over what
 * was found, then every notification it caused, delivered once. */
static void
once_finish(struct poller *p)
{
	if (!p->db_up || monitor_busy(p->monitor))
		return;
	if (!p->once_detected) {
		p->once_detected = 1;
		monitor_tick(p->monitor, now_real_ms());
		return;
	}
	if (!outbox_drained(p->outbox)) {
		outbox_tick(p->outbox);
		return;
	}
	finish_loop(p);
}

/* The heartbeat: refills the queue from the database and notices when
 * there is nothing left to do. Called on a timer and whenever a job
 * moves on. */
static void
poller_tick(struct poller *p)
{
	int room;

	if (p->stopping) {
		check_stop(p);
		return;
	}
	/* Jobs held back (a page waiting for its host's delay) go as soon
	 * as they may. */
	if (p->nqueued > 0)
		dispatch(p);
	if (p->once) {
		if (!p->db_up && p->db_ever_up &&
		    now_mono_ms() - p->db_down_since > ONCE_DB_PATIENCE_MS) {
			log_err("database unreachable for %d s: giving up",
			    ONCE_DB_PATIENCE_MS / 1000);
			p->exit_code = 1;
			finish_loop(p);
			return;
		}
		if (p->once_exhausted && TAILQ_EMPTY(&p->jobs) &&
		    p->backfill == NULL && store_pending(p->store) == 0) {
			once_finish(p);
			return;
		}
	}
	/* --once detects and delivers at the end, over all it stored. */
	if (p->db_up && !p->syncing && !p->once) {
		monitor_tick(p->monitor, now_real_ms());
		outbox_tick(p->outbox);
		read_stats(p);
		maintain(p);
	}
	if (!p->db_up || p->syncing || p->claiming || p->once_exhausted)
		return;
	room = p->conf->poll.concurrency * 2 - (int)(p->nqueued + p->nfetching);
	if (room <= 0)
		return;
	p->claiming = 1;
	store_claim(p->store, p->owner, room, lease_seconds(p),
	    p->once ? p->once_since_ms : -1, on_claimed, p);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	/* From the timer only: the loop is alive if its timers fire. */
	sd_notify(0, "WATCHDOG=1");
	poller_tick(arg);
}

static void start_backfill(struct poller *);

static void
on_backfilled(int ok, void *arg)
{
	struct poller *p = arg;

	p->backfill = NULL;
	if (!ok && !p->stopping)
		log_warn("backfill interrupted; it resumes on the next start "
		         "or reload");
	if (p->backfill_again && p->db_up && !p->stopping) {
		p->backfill_again = 0;
		start_backfill(p);
	}
	poller_tick(p);
}

static void
start_backfill(struct poller *p)
{
	if (p->backfill != NULL) {
		/* The running pass has the old watches: go again after. */
		p->backfill_again = 1;
		return;
	}
	p->backfill = backfill_start(p->store, p->analyzer,
	    p->conf->rules.backfill_ms, on_backfilled, p);
}

/* A sync round: its two requests answer to it, and a round superseded
 * (a reload, a reconnection) is ignored when its answers come. */
struct sync_round {
	struct poller *p;
	unsigned gen;
};

static void
on_synced(int ok, void *arg)
{
	struct sync_round *r = arg;
	struct poller *p = r->p;
	int current = r->gen == p->sync_gen;

	free(r);
	if (!current || --p->syncing > 0)
		return;
	if (ok)
		log_debug("%zu sources and %zu watches in the configuration",
		    p->conf->nsources, p->conf->nwatches);
	/* Ready means: database reached and sources loaded. */
	sd_notify(0, "READY=1\nSTATUS=polling");
	if (p->conf->rules.backfill_ms > 0)
		start_backfill(p);
	poller_tick(p);
}

/* Sources and watches of the configuration into the database. */
static void
sync_config(struct poller *p)
{
	struct sync_round *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);

	a->p = b->p = p;
	a->gen = b->gen = ++p->sync_gen;
	p->syncing = 2;
	store_sync_sources(p->store, p->conf, on_synced, a);
	store_sync_watches(p->store, p->conf, on_synced, b);
}

/* Leases this daemon holds but no longer knows about (a claim whose
 * answer was lost with the connection) are given back. */
static void
release_unknown_leases(struct poller *p)
{
	size_t n = 0;
	int64_t *keep =
	    xcalloc(p->nqueued + p->nfetching + p->nsaving + 1, sizeof *keep);
	struct job *j;

	TAILQ_FOREACH(j, &p->jobs, entry)
	keep[n++] = j->source_id;
	store_release_leases(p->store, p->owner, keep, n, NULL, NULL);
	free(keep);
}

static void
on_store_event(enum store_event ev, const char *msg, void *arg)
{
	struct poller *p = arg;

	switch (ev) {
	case STORE_UP:
		log_notice("database connected");
		p->db_up = p->db_ever_up = 1;
		p->maintain_due = 0;
		maintain(p);
		release_unknown_leases(p);
		sync_config(p);
		monitor_db_up(p->monitor);
		break;
	case STORE_DOWN:
		if (p->db_up || !p->db_ever_up)
			log_err("database unavailable: %s%s", msg,
			    p->once && !p->db_ever_up ? "" : "; retrying");
		if (p->db_up)
			p->db_down_since = now_mono_ms();
		p->db_up = 0;
		p->claiming = 0;
		p->syncing = 0;
		p->stats_busy = 0;
		p->maintaining = 0;
		metrics_health(p->metrics, 0, 0);
		if (p->once && !p->db_ever_up) {
			p->exit_code = 1;
			finish_loop(p);
		}
		break;
	case STORE_FATAL:
		log_err("%s", msg);
		p->exit_code = 1;
		finish_loop(p);
		break;
	}
}

static void
reload(struct poller *p)
{
	struct diag diag = { 0 };
	struct analyzer *an = NULL;
	struct conf *conf = conf_open(p->conf_path, &an, &diag);

	if (conf == NULL || conf_check_private(conf, &diag) == -1) {
		for (size_t i = 0; i < diag.len; i++)
			log_err("reload rejected: %s", diag.msgs[i]);
		log_err("reload rejected: keeping the running configuration");
		diag_free(&diag);
		analyzer_free(an);
		conf_free(conf);
		return;
	}
	conf_free(p->conf);
	analyzer_free(p->analyzer);
	p->conf = conf;
	p->analyzer = an;
	monitor_set_conf(p->monitor, conf);
	outbox_set_conf(p->outbox, conf);
	log_set_level((enum log_level)conf->log_level);
	log_notice("configuration reloaded: %zu sources, %zu watches",
	    conf->nsources, conf->nwatches);
	if (p->db_up)
		sync_config(p);
}

static void
stop(struct poller *p)
{
	struct job *j, *next;

	if (p->stopping)
		return;
	log_notice("stopping: %zu transfers abandoned, %zu results to store",
	    p->nfetching, p->nsaving);
	p->stopping = 1;
	p->stop_deadline = now_mono_ms() + STOP_GRACE_MS;
	if (p->backfill != NULL)
		backfill_stop(p->backfill);
	outbox_stop(p->outbox);
	/* Abandoned transfers leave no trace but their lease, given back
	 * below: their sources are simply due again. */
	for (j = TAILQ_FIRST(&p->jobs); j != NULL; j = next) {
		next = TAILQ_NEXT(j, entry);
		if (j->state == JOB_FETCHING) {
			fetch_cancel(j->fetch);
			host_release(p, j->host);
		}
		if (j->state != JOB_SAVING)
			job_remove(j);
	}
	if (p->db_up)
		release_unknown_leases(p);
	check_stop(p);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct poller *p = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_notice("SIGHUP: reloading %s", p->conf_path);
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld",
		    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		reload(p);
		sd_notify(0, "READY=1");
	} else {
		sd_notify(0, "STOPPING=1");
		stop(p);
	}
}

/* A robots.txt arrived: the pages waiting for it may go. */
static void
on_pacer_ready(void *arg)
{
	dispatch(arg);
}

static int
poller_init(struct poller *p)
{
	struct timeval tv = { TICK_MS / 1000, (TICK_MS % 1000) * 1000 };
	char host[64] = "localhost";

	gethostname(host, sizeof host - 1);
	snprintf(p->owner, sizeof p->owner, "%s:%ld:%08x", host, (long)getpid(),
	    arc4random());
	TAILQ_INIT(&p->jobs);
	match_result_init(&p->scratch);
	p->base = event_base_new();
	if (p->base == NULL)
		return -1;
	p->fetcher = fetcher_new(p->base);
	p->tick = event_new(p->base, -1, EV_PERSIST, on_tick, p);
	p->sig_term = evsignal_new(p->base, SIGTERM, on_signal, p);
	p->sig_int = evsignal_new(p->base, SIGINT, on_signal, p);
	p->sig_hup = evsignal_new(p->base, SIGHUP, on_signal, p);
	if (p->fetcher == NULL || p->tick == NULL || p->sig_term == NULL ||
	    p->sig_int == NULL || p->sig_hup == NULL)
		return -1;
	event_add(p->tick, &tv);
	event_add(p->sig_term, NULL);
	event_add(p->sig_int, NULL);
	event_add(p->sig_hup, NULL);
	p->store = store_new(p->base, p->conf->conninfo, on_store_event, p);
	if (p->store == NULL)
		return -1;
	p->monitor = monitor_new(p->store);
	monitor_set_conf(p->monitor, p->conf);
	p->outbox = outbox_new(p->store, p->fetcher, p->owner);
	outbox_set_conf(p->outbox, p->conf);
	p->pacer = pacer_new(p->fetcher, on_pacer_ready, p);
	if (p->conf->listen != NULL && !p->once) {
		char err[256];

		p->metrics =
		    metrics_new(p->base, p->conf->listen, err, sizeof err);
		if (p->metrics == NULL && err[0] != '\0') {
			log_err("%s", err);
			return -1;
		}
	}
	return 0;
}

static void
poller_cleanup(struct poller *p)
{
	struct job *j;

	while ((j = TAILQ_FIRST(&p->jobs)) != NULL) {
		if (j->fetch != NULL)
			fetch_cancel(j->fetch);
		job_remove(j);
	}
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i].host);
	free(p->hosts);
	outbox_free(p->outbox);
	pacer_free(p->pacer);
	metrics_free(p->metrics);
	store_free(p->store);
	/* After the store: its queue held their callbacks. */
	backfill_free(p->backfill);
	monitor_free(p->monitor);
	analyzer_free(p->analyzer);
	match_result_free(&p->scratch);
	fetcher_free(p->fetcher);
	if (p->tick)
		event_free(p->tick);
	if (p->sig_term)
		event_free(p->sig_term);
	if (p->sig_int)
		event_free(p->sig_int);
	if (p->sig_hup)
		event_free(p->sig_hup);
	if (p->base)
		event_base_free(p->base);
	conf_free(p->conf);
}

int
poller_run(const char *conf_path, int once, struct conf *conf,
    struct analyzer *analyzer)
{
	struct poller p = { 0 };

	p.conf_path = conf_path;
	p.once = once;
	p.conf = conf;
	p.analyzer = analyzer;
	log_set_level((enum log_level)p.conf->log_level);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("cannot initialise libcurl");
		analyzer_free(p.analyzer);
		conf_free(p.conf);
		return 1;
	}
	p.once_since_ms = now_real_ms();
	if (poller_init(&p) == -1) {
		log_err("cannot set up the event loop");
		p.exit_code = 1;
	} else {
		log_notice("vigie %s started: %zu sources, %zu watches%s",
		    VIGIE_VERSION, p.conf->nsources, p.conf->nwatches,
		    p.once ? ", polling each once" : "");
		event_base_dispatch(p.base);
	}
	poller_cleanup(&p);
	curl_global_cleanup();
	return p.exit_code;
}
