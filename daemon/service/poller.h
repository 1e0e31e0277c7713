/*
 * poller.h - the job pipeline: sources claimed from the database (leased,
 * so several daemons can share one), a short queue of them, transfers
 * started within the global and per-host limits, and each finished
 * transfer turned into one fetch record for the store.
 *
 * The pipeline owns its jobs and nothing else: the store, the fetcher and
 * the rest are lent by the daemon (daemon.h), which decides when to claim
 * and when to stop.
 */
#ifndef VIGIE_POLLER_H
#define VIGIE_POLLER_H

#include <stddef.h>
#include <stdint.h>

struct analyzer;
struct conf;
struct fetcher;
struct metrics;
struct monitor;
struct pacer;
struct poller;
struct roster;
struct spool;
struct store;

/* What the pipeline works with; it frees none of it. */
struct poller_env {
	struct event_base *base; /* for the reader's threads */
	struct store *store;
	struct fetcher *fetcher;
	struct pacer *pacer; /* robots.txt and the delay between pages */
	struct monitor *monitor; /* told of failing and recovered sources */
	struct metrics *metrics; /* may be NULL */
	/* Where results wait while the database is away, and the schedule
	 * polling follows meanwhile; NULL for both (--once): results wait
	 * in memory, polling waits for the database. */
	struct spool *spool;
	struct roster *roster;
	const char *owner; /* whose leases these are */
	int once; /* --once: claim only what was due at once_since_ms */
	int64_t once_since_ms;
	/* Called whenever a job moves on or a claim is answered: the daemon
	 * looks whether to claim more, finish --once or end a stop. */
	void (*moved)(void *arg);
	void *arg;
};

/* Works with conf and its analyzer until poller_set_conf(). NULL with
 * errno set if the threads that read answers cannot be started. */
struct poller *poller_new(
    const struct poller_env *, const struct conf *, struct analyzer *);
/* Cancels the transfers in flight and forgets every job. */
void poller_free(struct poller *);

/* The configuration and analyzer to use from now on (the caller keeps
 * them alive). Waits for the answers being read with the old ones, which
 * the caller may free once this returns (an analyzer is kept as long as
 * what it judged is not stored). A job keeps copies of what it needs, so
 * one in flight is not disturbed. */
void poller_set_conf(struct poller *, const struct conf *, struct analyzer *);

/* A second connection for saves (NULL: none): each save goes to the one
 * of the two with fewer requests waiting, so that the server stores two
 * statements at once, on two CPUs, once fetching is done. */
void poller_set_saver(struct poller *, struct store *);

/* Claims due sources while the queue has room, unless a claim is
 * awaited or --once has claimed them all: from the database, or while it
 * is away from the schedule, as long as the spool has room. */
void poller_claim(struct poller *);
/* Writes what waits in the spool to the database, oldest first, a few
 * saves at a time. */
void poller_drain(struct poller *);
/* Starts queued jobs, oldest first, as far as the limits allow. */
void poller_dispatch(struct poller *);
/* The database went away: a claim in flight will not be answered. */
void poller_db_lost(struct poller *);
/* Gives back the leases this daemon holds but has no job for (a claim
 * whose answer was lost with the connection, or jobs dropped by a stop). */
void poller_release_leases(struct poller *);
/* Abandons the transfers in flight and the queue; results being stored
 * still are, but lead to nothing more. */
void poller_stop(struct poller *);

/* --once: every due source was claimed and every job is done. */
int poller_done(const struct poller *);
/* The jobs being fetched, and those whose results are being stored. */
void poller_in_flight(const struct poller *, size_t *fetching, size_t *saving);

#endif
