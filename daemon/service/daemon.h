/*
 * daemon.h - the daemon (`vigie run`): the event loop that polls, stores,
 * detects and delivers until it is told to stop.
 */
#ifndef VIGIE_DAEMON_H
#define VIGIE_DAEMON_H

struct analyzer;
struct conf;

/* Runs the daemon on a configuration read from conf_path (re-read from
 * there on SIGHUP) and its analyzer, both of which it takes over. With
 * once, polls every source once and returns. Returns the process exit
 * status. */
int daemon_run(
    const char *conf_path, int once, struct conf *, struct analyzer *);

#endif
