/*
 * reporter.h - the scheduled reports ([report "NAME"], docs/REPORTS.md):
 * each report's latest period, once due, is read from the analytics
 * views, written as an email and a webhook summary
 * (core/report/report_send.h) and stored in the outbox with its run
 * (service/db/report_runs.h), all on the worker thread, so that the loop
 * never waits for the database's answers. The outbox delivers them.
 */
#ifndef VIGIE_REPORTER_H
#define VIGIE_REPORTER_H

#include <stdint.h>

struct conf;
struct reporter;
struct worker;

/* owner names this daemon in report_runs; host, the Message-IDs. */
struct reporter *reporter_new(
    struct worker *, const char *owner, const char *host);
/* After worker_free(): the worker's jobs hold the reporter. */
void reporter_free(struct reporter *);
/* The reports of c, each checked again at the next tick. */
void reporter_set_conf(struct reporter *, const struct conf *c);
/* Checks each report whose time has come (now_ms: real time): at start,
 * when its next period falls due, and again a minute after a failure. Call
 * once the configuration's watches are in the database. */
void reporter_tick(struct reporter *, int64_t now_ms);

#endif
