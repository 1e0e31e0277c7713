/*
 * detector.h - the detect and alert stages on the daemon's loop: at every
 * bucket boundary, the mentions of every watch are counted, the detector
 * (detect.h) is stepped, and each incident's state change is stored with
 * the notifications it causes (alert.h), in one statement. Source-health
 * alerts come through here too.
 */
#ifndef VIGIE_DETECTOR_H
#define VIGIE_DETECTOR_H

#include <stdint.h>

struct conf;
struct detector;
struct store;

struct detector *detector_new(struct store *);
void detector_free(struct detector *);

/* The configuration to use from now on (watches, targets, parameters). */
void detector_set_conf(struct detector *, const struct conf *);
/* The database is (again) reachable: reload the saved tracks. */
void detector_db_up(struct detector *);
/* Runs a cycle when a bucket has closed since the last one. */
void detector_tick(struct detector *, int64_t now_ms);
/* 1 while a cycle or an event is being stored. */
int detector_busy(const struct detector *);

/* A source crossed [poll] alert_after failures in a row (state
 * "firing"), or recovered after that ("resolved"). */
void detector_source_event(struct detector *, const char *source,
    const char *url, const char *state, int failures, const char *last_error,
    int64_t at_ms);

#endif
