/*
 * roster.h - the sources this daemon has polled and when each is due
 * again: the database decides what to poll while it is there; while it is
 * away, polling goes on from this copy (poller.c), and a daemon stopped
 * meanwhile leaves it in its spool's directory for the next start.
 *
 * Only the sources a daemon itself claimed are in it, so several daemons
 * keep to their own shares through an outage, as their leases had them.
 */
#ifndef VIGIE_ROSTER_H
#define VIGIE_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "service/db/store.h"

struct roster;

struct roster_source {
	/* As the database last gave it, with what fetches changed since:
	 * id, name, URL, validators and failures. */
	struct claimed_source src;
	int64_t due_ms; /* realtime; INT64_MAX: disabled */
	int busy; /* being polled */
};

struct roster *roster_new(void);
void roster_free(struct roster *);

/* The source with this id, or NULL. */
struct roster_source *roster_get(struct roster *, int64_t id);
/* The source with this id, added if new, its name and URL set. */
struct roster_source *roster_put(
    struct roster *, int64_t id, const char *name, const char *url);
/* Replaces a field's copy (value may be NULL). */
void roster_set(char **field, const char *value);
size_t roster_count(const struct roster *);

/* Up to max sources due at now_ms and not busy, oldest due first, into
 * out; they are marked busy. */
size_t roster_due(
    struct roster *, int64_t now_ms, struct roster_source **out, size_t max);

/* The schedule as a file (JSON, written whole under a temporary name),
 * and read back: 0, or -1 with err set. A missing file reads as an empty
 * schedule. */
int roster_save(
    const struct roster *, const char *path, char *err, size_t errlen);
int roster_load(struct roster *, const char *path, char *err, size_t errlen);

#endif
