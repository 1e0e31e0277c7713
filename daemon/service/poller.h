/*
 * poller.h - the daemon: the event loop that polls, stores, detects and
 * delivers until it is told to stop.
 */
#ifndef VIGIE_POLLER_H
#define VIGIE_POLLER_H

struct analyzer;
struct conf;

/* Runs the daemon on a configuration read from conf_path (re-read from
 * there on SIGHUP) and its analyzer, both of which it takes over. With
 * once, polls every source once and returns. Returns the process exit
 * status. */
int poller_run(
    const char *conf_path, int once, struct conf *, struct analyzer *);

#endif
