/*
 * outbox.h - delivery of the notifications the detector wrote to the
 * outbox table: emails through SMTP, webhooks by HTTP POST, both on the
 * event loop. A failed delivery is retried with exponential backoff for a
 * day and its last error kept; a restart resumes whatever is pending.
 */
#ifndef VIGIE_OUTBOX_H
#define VIGIE_OUTBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct fetcher;
struct outbox;
struct store;

struct outbox *outbox_new(struct store *, struct fetcher *, const char *owner);
void outbox_free(struct outbox *);
void outbox_set_conf(struct outbox *, const struct conf *);
/* Claims due notifications when nothing is in flight. */
void outbox_tick(struct outbox *);
/* 1 while deliveries or their results are under way. */
int outbox_busy(const struct outbox *);
/* 1 once a claim found nothing due and nothing is under way. */
int outbox_drained(const struct outbox *);
/* Abandons deliveries in flight (their leases lapse). */
void outbox_stop(struct outbox *);

/* What the writers of notifications share (the monitor's alerts, the
 * scheduled reports): a comma-separated list as an array of at most max
 * strings, cut in copy; and one notification appended to rows, the JSON
 * array the statements that store them expand. body is freed; NULL (it
 * could not be written) is logged and skipped. */
size_t outbox_split(char *copy, const char **out, size_t max);
void outbox_add_row(json_t *rows, const char *target, const char *channel,
    const char *destination, const char *type, char *body);

#endif
