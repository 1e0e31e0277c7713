/*
 * worker.h - blocking work off the event loop: a thread runs each job
 * (a report's queries, a dashboard page's) on connections of its own, and
 * the loop is told when one is done. Jobs run one at a time, in the order
 * given, so a job may keep state (a connection) between runs.
 */
#ifndef VIGIE_WORKER_H
#define VIGIE_WORKER_H

struct event_base;
struct worker;

/* Runs on the worker's thread; must not touch the loop. */
typedef void worker_run_fn(void *arg);
/* Runs on the loop once run has returned; cancelled when the worker was
 * freed before the job could run (run was then never called). Frees arg. */
typedef void worker_done_fn(void *arg, int cancelled);

/* NULL with errno set if the thread or its pipe cannot be made. */
struct worker *worker_new(struct event_base *);
/* Waits for the job running, if any; the queued ones are cancelled. */
void worker_free(struct worker *);
void worker_submit(
    struct worker *, worker_run_fn *run, worker_done_fn *done, void *arg);
/* Blocks until every job submitted has run; their done functions are
 * still to be called, by the loop. */
void worker_wait(struct worker *);

#endif
