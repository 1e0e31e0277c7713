/*
 * dashboard.h - the dashboard in the browser: pages of what vigie knows
 * (service/web/pages.h), on the daemon's listener beside /metrics or on
 * vigie dashboard's own. Queries run on a worker thread, never on the
 * loop. Without logins it serves the local user, read-only, and only on a
 * loopback address; with logins each user signs in with a PostgreSQL
 * role and password and every query runs as that role, so that the
 * database's grants (analysts read, editors correct) are the rules.
 */
#ifndef VIGIE_DASHBOARD_H
#define VIGIE_DASHBOARD_H

#include <stddef.h>

struct conf;
struct dashboard;
struct event_base;
struct evhttp;

/* Serves the dashboard on http (owned by the caller), listening on listen
 * (to refuse a non-loopback address without logins). NULL with err
 * filled. */
struct dashboard *dashboard_new(struct event_base *, struct evhttp *http,
    const char *listen, const struct conf *, char *err, size_t errlen);
/* Language, zone and cookie flag from a reloaded configuration;
 * sessions are kept. */
void dashboard_set_conf(struct dashboard *, const struct conf *);
void dashboard_free(struct dashboard *);

#endif
