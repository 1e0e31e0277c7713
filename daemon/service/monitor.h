/*
 * monitor.h - the detect and alert stages on the daemon's loop: at every
 * bucket boundary, the mentions of every watch are counted, the detector
 * (detect.h) is stepped, and each incident's state change is stored with
 * the notifications it causes (alert.h), in one statement. Source-health
 * alerts come through here too.
 */
#ifndef VIGIE_MONITOR_H
#define VIGIE_MONITOR_H

#include <stdint.h>

#include "core/detect/incident.h"

struct conf;
struct monitor;
struct store;

struct monitor *monitor_new(struct store *);
void monitor_free(struct monitor *);

/* The configuration to use from now on (watches, targets, parameters). */
void monitor_set_conf(struct monitor *, const struct conf *);
/* This daemon runs detection from now on (schema/018's lead): the saved
 * tracks are read again before the next cycle, since another daemon may
 * have moved them on. */
void monitor_lead(struct monitor *);
/* Runs a cycle when a bucket has closed since the last one: 1 if one
 * started. The watches on one grid (bucket and window) are counted in a
 * cycle; a watch on another grid waits for a later tick. */
int monitor_tick(struct monitor *, int64_t now_ms);
/* 1 while a cycle or an event is being stored. */
int monitor_busy(const struct monitor *);

/* A source crossed [poll] alert_after failures in a row (state
 * INCIDENT_FIRING), or recovered after that (INCIDENT_RESOLVED; any state
 * but firing is taken as that). */
void monitor_source_event(struct monitor *, const char *source, const char *url,
    enum incident_state, int failures, const char *last_error, int64_t at_ms);

#endif
