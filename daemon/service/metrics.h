/*
 * metrics.h - what the daemon tells its operators over HTTP, on a loopback
 * listener (libevent's evhttp; `[daemon] listen`): /metrics in the
 * Prometheus text format, and /healthz (200 only when the loop, the
 * database and polling are healthy).
 */
#ifndef VIGIE_METRICS_H
#define VIGIE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/read/sched.h"
#include "service/db/store.h"

struct event_base;
struct evhttp;
struct metrics;

/* Figures read from the database now and then. */
struct metrics_stats {
	struct store_stats db;
	double db_seconds; /* round trip of the query that read them */
};

/* Listens on "HOST:PORT" (an empty listen means no listener, and NULL is
 * returned with an empty err). NULL with err set if it cannot bind. */
struct metrics *metrics_new(
    struct event_base *, const char *listen, char *err, size_t errlen);
void metrics_free(struct metrics *);
/* The listener, where the dashboard serves its pages beside these. */
struct evhttp *metrics_http(struct metrics *);

/* A poll's outcome, counted under its name (fetch_outcome_name()). */
void metrics_fetch(struct metrics *, enum fetch_outcome, int64_t now_ms);
void metrics_items(struct metrics *, long n);
void metrics_mentions(
    struct metrics *, long negative, long neutral, long positive);
void metrics_stats(struct metrics *, const struct metrics_stats *);
/* Health as the poller sees it: database reachable, and the age beyond
 * which a quiet poller is unhealthy (0: no sources, always fine). */
void metrics_health(struct metrics *, int db_up, int64_t stale_ms);
/* The spool (spool.h): results waiting, their bytes, and 1 while full. */
void metrics_spool(struct metrics *, long results, int64_t bytes, int full);

/* The exposition text (for tests and the listener); a new string. */
char *metrics_render(const struct metrics *, int64_t now_ms);

#endif
