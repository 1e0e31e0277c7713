/*
 * daemon.c - the daemon's life cycle (`vigie run`): the event loop and
 * everything set up on it, signals (SIGHUP reloads, SIGTERM and SIGINT
 * stop), the configuration's sync into the database, systemd's
 * notifications, the tick that drives the job pipeline (poller.h), the
 * monitor and the outbox, statistics, partition maintenance, the
 * database going and coming back, and --once's ending.
 */
#include "service/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/judge/analyze.h"
#include "service/backfill.h"
#include "service/db/store.h"
#include "service/indexer.h"
#include "service/metrics.h"
#include "service/monitor.h"
#include "service/net/fetch.h"
#include "service/net/pacer.h"
#include "service/outbox.h"
#include "service/poller.h"
#include "service/reporter.h"
#include "service/roster.h"
#include "service/spool.h"
#include "service/web/dashboard.h"
#include "service/worker.h"

#define TICK_MS 1000
/* How often a daemon that does not lead asks again: the longest a
 * leader's death leaves detection and maintenance without one. */
#define LEAD_RETRY_MS 5000

/* Detection and the partitions' maintenance: one daemon at a time, the
 * one whose first connection holds schema/018's lead. */
enum lead {
	LEAD_NONE, /* not asked on this connection yet */
	LEAD_ASKING,
	LEAD_HELD,
	LEAD_OTHER, /* another daemon leads: asked again later */
};
/* How long --once waits for a database that went away mid-run, and how
 * long a stopping daemon waits for its last writes. */
#define ONCE_DB_PATIENCE_MS 60000
#define STOP_GRACE_MS 10000

struct daemon {
	struct event_base *base;
	const char *conf_path;
	struct conf *conf;
	struct analyzer *analyzer; /* built from conf */
	struct fetcher *fetcher;
	struct store *store;
	struct store *saver; /* the second connection, for saves only */
	struct poller *poller;
	struct backfill *backfill; /* running, or NULL */
	struct monitor *monitor;
	struct outbox *outbox;
	struct indexer *indexer;
	struct worker *worker; /* blocking jobs; NULL with --once */
	struct reporter *reporter; /* the scheduled reports; likewise */
	struct pacer *pacer;
	struct spool *spool; /* NULL with --once */
	struct roster *roster; /* likewise */
	char *roster_path; /* in the spool's directory, or NULL */
	struct metrics *metrics; /* NULL without [daemon] listen */
	struct dashboard *dashboard; /* on the metrics' listener */
	int stats_busy;
	int maintaining;
	int64_t maintain_due; /* monotonic */
	int64_t stats_due; /* monotonic */
	int64_t stats_sent;
	int once_detected; /* --once: the final detection cycles ran */
	int once_stored; /* --once: every source polled and stored */
	int once_said; /* --once: and its time logged */
	int64_t started; /* monotonic */
	int backfill_again; /* watches changed while it ran */
	char owner[160];

	int once;
	int exit_code;

	enum lead lead;
	int64_t lead_due; /* monotonic: when to ask again */
	int db_up;
	int db_ever_up;
	int64_t db_down_since;
	int syncing; /* answers awaited by the current round */
	unsigned sync_gen; /* the current sync round */
	int stopping;
	int64_t stop_deadline;

	struct event *tick;
	struct event *once_poll; /* --once's ending, see once_poll() */
	struct event *sig_term, *sig_int, *sig_hup;
};

static void
finish_loop(struct daemon *d)
{
	event_base_loopexit(d->base, NULL);
}

/* What the server is still running for us would go on after we are gone
 * (a big save, for minutes) and hold its locks meanwhile. */
static void
cancel_inflight(struct daemon *d)
{
	struct store *stores[] = { d->store, d->saver };
	char what[256];

	for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
		switch (stores[i] == NULL
		        ? 0
		        : store_cancel(stores[i], what, sizeof what)) {
		case 1:
			log_notice(
			    "database: %s cancelled on the server", what);
			break;
		case -1:
			log_warn(
			    "database: cannot cancel the request in flight: "
			    "%s",
			    what);
			break;
		}
}

/* Requests waiting on either connection. */
static size_t
pending(struct daemon *d)
{
	return store_pending(d->store) +
	    (d->saver != NULL ? store_pending(d->saver) : 0);
}

/*
 * --once: every source polled and its results in the database. A job
 * ends when its save is answered; a result spooled while the database
 * was away must be replayed first. Not pending() == 0: the merges for
 * search, back to back once a backlog is old (indexer.c), and what
 * queues behind them kept it above zero until a 20,000-feed cold start
 * was all indexed, three minutes after its last save.
 */
/* --once: every source polled, a backfill included. */
static int
once_polled(struct daemon *d)
{
	return poller_done(d->poller) && d->backfill == NULL;
}

static int
once_all_stored(struct daemon *d)
{
	return once_polled(d) &&
	    (d->spool == NULL ||
	        (spool_count(d->spool) == 0 && spool_in_flight(d->spool) == 0));
}

/* To the hundredth: bench/poll_bench.py takes it as the cycle's time. */
static void
once_say_stored(struct daemon *d)
{
	log_info("once: every source polled and stored in %.2f s",
	    (double)(now_mono_ms() - d->started) / 1000.0);
	d->once_said = 1;
}

static void
check_stop(struct daemon *d)
{
	size_t fetching, saving;

	poller_in_flight(d->poller, &fetching, &saving);
	/* With the database away, what is left waits in the spool. */
	if (saving == 0 && (pending(d) == 0 || (!d->db_up && d->spool))) {
		/* Nothing to wait for, but maybe a connection's set-up. */
		cancel_inflight(d);
		finish_loop(d);
	} else if (now_mono_ms() > d->stop_deadline) {
		log_warn("stopping with %zu results not stored", saving);
		cancel_inflight(d);
		finish_loop(d);
	}
}

#define STATS_EVERY_MS 15000
#define MAINTAIN_EVERY_MS (3600 * 1000LL)
/* A failed maintenance (most often a reader holding an old month past
 * the lock timeout) is tried again this soon, not in an hour. */
#define MAINTAIN_RETRY_MS (30 * 1000LL)

static void
on_maintained(long n, void *arg)
{
	struct daemon *d = arg;

	d->maintaining = 0;
	if (n < 0)
		d->maintain_due = now_mono_ms() + MAINTAIN_RETRY_MS;
	if (n > 0)
		log_info("retention: %ld month partitions older than %lld days "
		         "dropped",
		    n, (long long)(d->conf->retention_ms / 86400000));
}

/* The month partitions of items, mentions and fetches are made ahead of
 * need and dropped once older than [database] retention: when the
 * database is reached (before anything is stored: the store keeps the
 * order of requests) and every hour after. */
static void
maintain(struct daemon *d)
{
	int64_t now = now_mono_ms();

	if (d->maintaining || now < d->maintain_due)
		return;
	d->maintaining = 1;
	d->maintain_due = now + MAINTAIN_EVERY_MS;
	store_maintain(d->store, d->conf->retention_ms, on_maintained, d);
}

/* The figures of /metrics and of systemd's STATUS= line. */
static void
on_stats(const struct store_stats *s, void *arg)
{
	struct daemon *d = arg;
	struct metrics_stats st;
	char status[256];

	d->stats_busy = 0;
	if (s == NULL)
		return;
	st.db = *s;
	st.db_seconds = (double)(now_mono_ms() - d->stats_sent) / 1000.0;
	metrics_stats(d->metrics, &st);
	snprintf(status, sizeof status,
	    "STATUS=sources: %ld ok, %ld failing; mentions in the last hour: "
	    "%ld; open incidents: %ld",
	    s->sources_ok, s->sources_failing, s->mentions_hour,
	    s->incidents_open);
	sd_notify(0, status);
}

static void
read_stats(struct daemon *d)
{
	int64_t now = now_mono_ms(), stale = 0;

	/* Quiet for three times the longest interval is unhealthy. */
	for (size_t i = 0; i < d->conf->nsources; i++)
		if (3 * d->conf->sources[i].interval_ms > stale)
			stale = 3 * d->conf->sources[i].interval_ms;
	metrics_health(d->metrics, d->db_up, stale);
	if (d->stats_busy || now < d->stats_due)
		return;
	d->stats_busy = 1;
	d->stats_due = now + STATS_EVERY_MS;
	d->stats_sent = now;
	store_stats(d->store, on_stats, d);
}

/* Nothing fetched, nothing to store, no request waiting but the
 * indexer's own batches and, on the first connection, what queues behind
 * one (a tick's claims and statistics; behind a batch on the saves'
 * connection wait saves, which are work): the database's time is free.
 * Counted as work, a batch in flight kept the indexer from sending
 * another beside it whenever the two came back apart (and the requests
 * of each tick queued behind the first), so that a running daemon merged
 * a backlog on one connection where --once used two. */
static int
daemon_idle(struct daemon *d)
{
	size_t fetching, saving;
	int held = indexer_holds(d->indexer, d->store);

	poller_in_flight(d->poller, &fetching, &saving);
	return fetching == 0 && saving == 0 &&
	    (held || store_pending(d->store) == 0) &&
	    (d->saver == NULL ||
	        store_pending(d->saver) ==
	            (size_t)indexer_holds(d->indexer, d->saver));
}

static void on_once_poll(evutil_socket_t, short, void *);

/* The detection cycles and the outbox do not say when they are done:
 * while --once waits for them, it looks again every ONCE_POLL_MS rather
 * than at the next tick, a second later. */
#define ONCE_POLL_MS 20

static void
once_poll(struct daemon *d)
{
	struct timeval tv = { 0, ONCE_POLL_MS * 1000 };

	if (d->once_poll == NULL)
		d->once_poll = evtimer_new(d->base, on_once_poll, d);
	evtimer_add(d->once_poll, &tv);
}

/* --once, after the last poll is stored: a detection cycle over what
 * was found (one per grid of bucket and window the watches use), then
 * every notification they caused, delivered once. */
static void
once_finish(struct daemon *d)
{
	if (!d->db_up || monitor_busy(d->monitor)) {
		once_poll(d);
		return;
	}
	if (!d->once_detected && d->lead != LEAD_HELD) {
		if (d->lead != LEAD_OTHER) {
			once_poll(d);
			return;
		}
		log_notice("once: detection left to the daemon that leads");
		d->once_detected = 1;
	}
	if (!d->once_detected) {
		d->once_detected = !monitor_tick(d->monitor, now_real_ms());
		if (!d->once_detected) {
			once_poll(d);
			return;
		}
	}
	if (!outbox_drained(d->outbox)) {
		outbox_tick(d->outbox);
		once_poll(d);
		return;
	}
	/* Last, as for a running daemon: whatever waits to be searchable. */
	if (!indexer_caught_up(d->indexer)) {
		indexer_tick(d->indexer, 1);
		return;
	}
	log_info("once: done in %.1f s",
	    (double)(now_mono_ms() - d->started) / 1000.0);
	finish_loop(d);
}

static void
on_lead(long n, void *arg)
{
	struct daemon *d = arg;

	if (d->lead != LEAD_ASKING)
		return; /* the connection it was asked on is gone */
	if (n == 1) {
		log_notice("this daemon now runs detection and the partitions' "
		           "maintenance");
		d->lead = LEAD_HELD;
		monitor_lead(d->monitor);
		d->maintain_due = 0;
		maintain(d);
		return;
	}
	if (n == 0)
		log_debug("another daemon runs detection and maintenance");
	d->lead = LEAD_OTHER;
	d->lead_due = now_mono_ms() + LEAD_RETRY_MS;
}

static void
ask_lead(struct daemon *d)
{
	d->lead = LEAD_ASKING;
	store_take_lead(d->store, on_lead, d);
}

/* The heartbeat: refills the queue from the database and notices when
 * there is nothing left to do. Called on a timer and whenever a job
 * moves on. */
static void
daemon_tick(struct daemon *d)
{
	int idle;

	if (d->stopping) {
		check_stop(d);
		return;
	}
	/* Before this tick's own requests (the outbox's claim, the
	 * statistics), which would make every tick look busy. */
	idle = daemon_idle(d);
	/* Jobs held back (a page waiting for its host's delay) go as soon
	 * as they may. */
	poller_dispatch(d->poller);
	if (d->once) {
		if (!d->db_up && d->db_ever_up &&
		    now_mono_ms() - d->db_down_since > ONCE_DB_PATIENCE_MS) {
			log_err("database unreachable for %d s: giving up",
			    ONCE_DB_PATIENCE_MS / 1000);
			d->exit_code = 1;
			finish_loop(d);
			return;
		}
		if (!d->once_said && once_all_stored(d))
			once_say_stored(d);
		if (once_polled(d) && pending(d) == 0) {
			if (!d->once_stored) {
				/* A batch that ran beside the last saves may
				 * not have seen them: only now is none in
				 * flight. */
				indexer_expect(d->indexer);
			}
			d->once_stored = 1;
			once_finish(d);
			return;
		}
	}
	if (d->db_up && d->lead == LEAD_OTHER && now_mono_ms() >= d->lead_due)
		ask_lead(d);
	/* --once detects and delivers at the end, over all it stored. */
	if (d->db_up && !d->syncing && !d->once) {
		if (d->lead == LEAD_HELD) {
			monitor_tick(d->monitor, now_real_ms());
			maintain(d);
		}
		outbox_tick(d->outbox);
		reporter_tick(d->reporter, now_real_ms());
		read_stats(d);
	}
	if (d->db_up && !d->syncing) {
		/* --once too: a long cycle must not leave its first items
		 * unsearchable until its end. */
		indexer_tick(d->indexer, idle);
		poller_drain(d->poller);
		poller_claim(d->poller);
	} else if (!d->db_up && d->spool != NULL) {
		/* From the schedule, into the spool. */
		poller_claim(d->poller);
	}
}

static void
on_once_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_tick(arg);
}

/* The pipeline moved on: so may the daemon. */
static void
on_moved(void *arg)
{
	daemon_tick(arg);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	/* From the timer only: the loop is alive if its timers fire. */
	sd_notify(0, "WATCHDOG=1");
	daemon_tick(arg);
}

static void start_backfill(struct daemon *);

static void
on_backfilled(int ok, void *arg)
{
	struct daemon *d = arg;

	d->backfill = NULL;
	if (!ok && !d->stopping)
		log_warn("backfill interrupted; it resumes on the next start "
		         "or reload");
	if (d->backfill_again && d->db_up && !d->stopping) {
		d->backfill_again = 0;
		start_backfill(d);
	}
	daemon_tick(d);
}

static void
start_backfill(struct daemon *d)
{
	if (d->backfill != NULL) {
		/* The running pass has the old watches: go again after. */
		d->backfill_again = 1;
		return;
	}
	d->backfill = backfill_start(d->store, d->analyzer,
	    d->conf->rules.backfill_ms, on_backfilled, d);
}

/* A sync round: its two requests answer to it, and a round superseded
 * (a reload, a reconnection) is ignored when its answers come. */
struct sync_round {
	struct daemon *d;
	unsigned gen;
};

static void
on_synced(int ok, void *arg)
{
	struct sync_round *r = arg;
	struct daemon *d = r->d;
	int current = r->gen == d->sync_gen;

	free(r);
	if (!current || --d->syncing > 0)
		return;
	if (ok)
		log_debug("%zu sources and %zu watches in the configuration",
		    d->conf->nsources, d->conf->nwatches);
	/* Ready means: database reached and sources loaded. */
	sd_notify(0, "READY=1\nSTATUS=polling");
	if (d->conf->rules.backfill_ms > 0)
		start_backfill(d);
	daemon_tick(d);
}

/* Sources and watches of the configuration into the database. */
static void
sync_config(struct daemon *d)
{
	struct sync_round *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);

	a->d = b->d = d;
	a->gen = b->gen = ++d->sync_gen;
	d->syncing = 2;
	store_sync_sources(d->store, d->conf, on_synced, a);
	store_sync_watches(d->store, d->conf, on_synced, b);
}

/* The saves' connection says nothing the first one does not: the poller
 * uses it while it is up, and the first one otherwise (a schema behind,
 * an outage, a server out of connections). */
static void
on_saver_event(enum store_event ev, const char *msg, void *arg)
{
	struct daemon *d = arg;

	/* Both away: its saves wait in the spool too. */
	if (ev == STORE_DOWN && !d->db_up)
		poller_db_lost(d->poller);
	log_debug("database (saves): %s%s%s",
	    ev == STORE_UP         ? "connected"
	        : ev == STORE_DOWN ? "unavailable"
	                           : "not used",
	    msg ? ": " : "", msg ? msg : "");
}

static void
on_store_event(enum store_event ev, const char *msg, void *arg)
{
	struct daemon *d = arg;

	switch (ev) {
	case STORE_UP:
		log_notice("database connected");
		d->db_up = d->db_ever_up = 1;
		/* The saves' connection once the first is in: on a server that
		 * allows the daemon one, it is the one refused. */
		if (d->saver == NULL) {
			d->saver = store_new(
			    d->base, d->conf->conninfo, on_saver_event, d);
			poller_set_saver(d->poller, d->saver);
			indexer_set_saves(d->indexer, d->saver);
		}
		/* Alive first, so that the leases it takes hold; then the
		 * lead, whose maintenance goes before any save. */
		store_register(d->store, d->owner);
		ask_lead(d);
		/* Leases held but no longer known of: a claim whose answer
		 * was lost with the connection. */
		poller_release_leases(d->poller);
		sync_config(d);
		break;
	case STORE_DOWN:
		if (d->db_up || !d->db_ever_up)
			log_err("database unavailable: %s%s", msg,
			    d->once && !d->db_ever_up ? "" : "; retrying");
		if (d->db_up)
			d->db_down_since = now_mono_ms();
		d->db_up = 0;
		/* Held by the session that is gone. */
		d->lead = LEAD_NONE;
		poller_db_lost(d->poller);
		d->syncing = 0;
		d->stats_busy = 0;
		d->maintaining = 0;
		metrics_health(d->metrics, 0, 0);
		if (d->once && !d->db_ever_up) {
			d->exit_code = 1;
			finish_loop(d);
		}
		break;
	case STORE_FATAL:
		log_err("%s", msg);
		d->exit_code = 1;
		finish_loop(d);
		break;
	}
}

/* Queries that compiled but probably do not say what was meant. */
static void
log_query_warnings(const struct analyzer *an)
{
	const struct diag *w = analyzer_warnings(an);

	for (size_t i = 0; i < w->len; i++)
		log_warn("%s", w->msgs[i]);
}

static void
reload(struct daemon *d)
{
	struct diag diag = { 0 };
	struct analyzer *an = NULL;
	struct conf *conf = conf_open(d->conf_path, &an, &diag);

	if (conf == NULL || conf_check_private(conf, &diag) == -1) {
		for (size_t i = 0; i < diag.len; i++)
			log_err("reload rejected: %s", diag.msgs[i]);
		log_err("reload rejected: keeping the running configuration");
		diag_clear(&diag);
		analyzer_free(an);
		conf_free(conf);
		return;
	}
	log_query_warnings(an);
	/* Freed once the poller has let go of them. */
	struct conf *old_conf = d->conf;
	struct analyzer *old_an = d->analyzer;
	d->conf = conf;
	d->analyzer = an;
	poller_set_conf(d->poller, conf, an);
	monitor_set_conf(d->monitor, conf);
	outbox_set_conf(d->outbox, conf);
	if (d->dashboard != NULL)
		dashboard_set_conf(d->dashboard, conf);
	if (d->reporter != NULL)
		reporter_set_conf(d->reporter, conf);
	conf_free(old_conf);
	analyzer_free(old_an);
	log_set_level((enum log_level)conf->log_level);
	log_notice("configuration reloaded: %zu sources, %zu watches",
	    conf->nsources, conf->nwatches);
	if (d->db_up)
		sync_config(d);
}

static void
stop(struct daemon *d)
{
	size_t fetching, saving;

	if (d->stopping)
		return;
	poller_in_flight(d->poller, &fetching, &saving);
	log_notice("stopping: %zu transfers abandoned, %zu results to store",
	    fetching, saving);
	d->stopping = 1;
	d->stop_deadline = now_mono_ms() + STOP_GRACE_MS;
	if (d->backfill != NULL)
		backfill_stop(d->backfill);
	outbox_stop(d->outbox);
	poller_stop(d->poller);
	if (d->db_up)
		poller_release_leases(d->poller);
	else if (d->spool != NULL)
		poller_db_lost(d->poller);
	check_stop(d);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_notice("SIGHUP: reloading %s", d->conf_path);
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld",
		    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		reload(d);
		sd_notify(0, "READY=1");
	} else {
		sd_notify(0, "STOPPING=1");
		stop(d);
	}
}

/* A robots.txt arrived: the pages waiting for it may go. */
static void
on_pacer_ready(void *arg)
{
	struct daemon *d = arg;

	poller_dispatch(d->poller);
}

/* The spool's directory: the configuration's, else systemd's state
 * directory's, else none (memory only). */
static char *
spool_path(const struct conf *conf)
{
	const char *state = getenv("STATE_DIRECTORY");

	if (conf->spool != NULL)
		return xstrdup(conf->spool);
	if (state == NULL || state[0] == '\0')
		return NULL;
	/* Several directories are separated by colons: the first. */
	return xasprintf("%.*s/spool", (int)strcspn(state, ":"), state);
}

static int
open_spool(struct daemon *d)
{
	char *dir = spool_path(d->conf);
	char err[512] = "";

	d->spool = spool_open(dir, d->conf->spool_max,
	    (size_t)d->conf->spool_memory, err, sizeof err);
	d->roster = roster_new();
	if (d->spool == NULL) {
		log_err("%s", err);
		free(dir);
		return -1;
	}
	if (dir != NULL) {
		d->roster_path = xasprintf("%s/roster.json", dir);
		if (roster_load(d->roster, d->roster_path, err, sizeof err) ==
		    -1)
			log_warn(
			    "spool: %s: polling waits for the database", err);
		else if (roster_count(d->roster) > 0)
			log_info("spool: %zu sources to poll by if the "
			         "database is away",
			    roster_count(d->roster));
	}
	free(dir);
	return 0;
}

static int
daemon_init(struct daemon *d)
{
	struct timeval tv = { TICK_MS / 1000, (TICK_MS % 1000) * 1000 };
	char host[64] = "localhost";

	gethostname(host, sizeof host - 1);
	snprintf(d->owner, sizeof d->owner, "%s:%ld:%08x", host, (long)getpid(),
	    arc4random());
	if ((d->base = event_base_new()) != NULL) {
		d->fetcher = fetcher_new(d->base);
		d->tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
		d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
		d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
		d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
	}
	if (d->base == NULL || d->fetcher == NULL || d->tick == NULL ||
	    d->sig_term == NULL || d->sig_int == NULL || d->sig_hup == NULL) {
		log_err("cannot set up the event loop");
		return -1;
	}
	event_add(d->tick, &tv);
	event_add(d->sig_term, NULL);
	event_add(d->sig_int, NULL);
	event_add(d->sig_hup, NULL);
	d->store = store_new(d->base, d->conf->conninfo, on_store_event, d);
	if (d->store == NULL) {
		log_err("cannot set up the database connection");
		return -1;
	}
	d->monitor = monitor_new(d->store);
	monitor_set_conf(d->monitor, d->conf);
	d->outbox = outbox_new(d->store, d->fetcher, d->owner);
	outbox_set_conf(d->outbox, d->conf);
	d->indexer = indexer_new(d->store, on_moved, d);
	d->pacer = pacer_new(d->fetcher, on_pacer_ready, d);
	/* --once polls and stops: no report falls due in it, and it waits
	 * for its database rather than spool. */
	if (!d->once && open_spool(d) == -1)
		return -1;
	if (!d->once) {
		if ((d->worker = worker_new(d->base)) == NULL) {
			log_err("cannot start the thread that renders reports: "
			        "%s",
			    strerror(errno));
			return -1;
		}
		d->reporter = reporter_new(d->worker, d->owner, host);
		reporter_set_conf(d->reporter, d->conf);
	}
	if (d->conf->listen != NULL && !d->once) {
		char err[256];

		d->metrics =
		    metrics_new(d->base, d->conf->listen, err, sizeof err);
		if (d->metrics == NULL && err[0] != '\0') {
			log_err("%s", err);
			return -1;
		}
		d->dashboard = dashboard_new(d->base, metrics_http(d->metrics),
		    d->conf->listen, d->conf, err, sizeof err);
		if (d->dashboard == NULL) {
			log_err("%s", err);
			return -1;
		}
	}
	d->poller = poller_new(
	    &(struct poller_env){
	        .base = d->base,
	        .store = d->store,
	        .fetcher = d->fetcher,
	        .pacer = d->pacer,
	        .monitor = d->monitor,
	        .metrics = d->metrics,
	        .spool = d->spool,
	        .roster = d->roster,
	        .owner = d->owner,
	        .once = d->once,
	        /* --once: every source not polled since the start. */
	        .once_since_ms = now_real_ms(),
	        .moved = on_moved,
	        .arg = d,
	    },
	    d->conf, d->analyzer);
	if (d->poller == NULL) {
		log_err("cannot start the threads that read answers: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* What waits in memory goes to files, with the schedule to poll by
 * if the database is still away at the next start. */
static void
close_spool(struct daemon *d)
{
	struct store *stores[] = { d->store, d->saver };
	size_t fetching, saving;
	char err[512];

	if (d->spool == NULL || d->poller == NULL)
		return;
	/* The saves' callbacks move the pipeline: nothing new may start. */
	d->stopping = 1;
	/* What is queued, and what was sent but not answered (it may be
	 * stored already: writing it again is harmless). */
	for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
		if (stores[i] != NULL) {
			store_disconnect(stores[i]);
			store_spool_saves(stores[i], d->spool);
		}
	/* What the spool had no room for is lost with this process. */
	poller_in_flight(d->poller, &fetching, &saving);
	if (saving > 0)
		log_err("spool full: %zu results lost at this stop", saving);
	if (spool_flush(d->spool) == -1)
		log_err("spool: results lost: %s",
		    spool_dir(d->spool) ? "they could not be written"
		                        : "no spool directory to keep them");
	else if (spool_count(d->spool) > 0)
		log_notice("spool: %zu results kept in %s for the next start",
		    spool_count(d->spool), spool_dir(d->spool));
	if (d->roster_path != NULL &&
	    roster_save(d->roster, d->roster_path, err, sizeof err) == -1)
		log_err("spool: %s", err);
}

static void
daemon_cleanup(struct daemon *d)
{
	close_spool(d);
	/* The worker first: its last job ends (a report's run is recorded
	 * whole or not at all) and the others, cancelled, hold the
	 * reporter. */
	worker_free(d->worker);
	reporter_free(d->reporter);
	outbox_free(d->outbox);
	pacer_free(d->pacer);
	dashboard_free(d->dashboard);
	metrics_free(d->metrics);
	store_free(d->store);
	store_free(d->saver);
	indexer_free(d->indexer);
	/* After the store: its queue held their callbacks. The poller
	 * before the fetcher, so that its transfers are cancelled while the
	 * fetcher lives. */
	poller_free(d->poller);
	spool_free(d->spool);
	roster_free(d->roster);
	free(d->roster_path);
	backfill_free(d->backfill);
	monitor_free(d->monitor);
	analyzer_free(d->analyzer);
	fetcher_free(d->fetcher);
	if (d->tick)
		event_free(d->tick);
	if (d->once_poll)
		event_free(d->once_poll);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->sig_int)
		event_free(d->sig_int);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->base)
		event_base_free(d->base);
	conf_free(d->conf);
}

int
daemon_run(const char *conf_path, int once, struct conf *conf,
    struct analyzer *analyzer)
{
	struct daemon d = { 0 };

	d.conf_path = conf_path;
	d.once = once;
	d.started = now_mono_ms();
	d.conf = conf;
	d.analyzer = analyzer;
	log_set_level((enum log_level)d.conf->log_level);
	log_query_warnings(d.analyzer);
	/* libcurl was set up by main, before anything else ran. */
	signal(SIGPIPE, SIG_IGN);
	/* Each step that fails says why. */
	if (daemon_init(&d) == -1) {
		d.exit_code = 1;
	} else {
		log_notice("vigie %s started: %zu sources, %zu watches%s",
		    VIGIE_VERSION, d.conf->nsources, d.conf->nwatches,
		    d.once ? ", polling each once" : "");
		event_base_dispatch(d.base);
	}
	daemon_cleanup(&d);
	return d.exit_code;
}
