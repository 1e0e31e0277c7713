/*
 * store.h - everything vigie says to PostgreSQL, asynchronously, on the
 * event loop: one nonblocking libpq connection, prepared statements, a
 * queue of requests that survives reconnections.
 *
 * Every write is idempotent (items are unique per source and identity,
 * fetch records carry the attempt's UUID), so a request whose answer was
 * lost with the connection is simply sent again after reconnecting.
 */
#ifndef VIGIE_STORE_H
#define VIGIE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/detect/detect.h"
#include "core/detect/incident.h"
#include "core/read/feed.h"
#include "core/read/sched.h"

struct event_base;
struct analyzer;
struct conf;
struct feed;
struct item_analysis;
struct store;

enum store_event {
	STORE_UP, /* connected, schema checked, statements prepared */
	STORE_DOWN, /* connection lost or refused; retrying with backoff */
	STORE_FATAL, /* cannot work with this database (schema behind) */
};

typedef void (*store_event_cb)(enum store_event, const char *msg, void *arg);

struct store *store_new(
    struct event_base *, const char *conninfo, store_event_cb, void *arg);
void store_free(struct store *);
/* Requests queued or in flight. */
size_t store_pending(const struct store *);
/* 1 while connected, checked and prepared. */
int store_up(const struct store *);
/* Hands the server what the socket takes now of the request in flight,
 * for a caller that keeps the loop busy (see store.c). */
void store_flush(struct store *);

/* Asks the server to cancel the request in flight, for a daemon that
 * stops without waiting for it; blocks for the round trip of the request
 * (a connection of its own), not for the cancellation. Returns 1 with the
 * statement's name in what, 0 when nothing is in flight, -1 with libpq's
 * reason in what. */
int store_cancel(struct store *, char *what, size_t size);

/* Closes the connection for good, for a daemon that stops: the request
 * in flight goes back to the queue, unanswered (store_spool_saves can
 * then keep it). */
void store_disconnect(struct store *);

/* Brings the sources table in line with the configuration: adds and
 * updates configured sources, marks the others as no longer configured. */
typedef void (*store_done_cb)(int ok, void *arg);
void store_sync_sources(
    struct store *, const struct conf *, store_done_cb, void *arg);

struct claimed_source {
	int64_t id;
	char *name;
	char *url;
	char *etag;
	char *last_modified;
	int failures;
};

/*
 * Leases up to limit sources for lease_s seconds to owner: those due now,
 * or with once_since_ms >= 0, every enabled source not fetched since then.
 * The callback owns the array (free with store_claimed_free). n is -1 when
 * the claim failed.
 */
typedef void (*store_claim_cb)(struct claimed_source *, long n, void *arg);
void store_claim(struct store *, const char *owner, int limit, int lease_s,
    int64_t once_since_ms, store_claim_cb, void *arg);
void store_claimed_free(struct claimed_source *, long n);

/* What one poll of a source produced. */
struct fetch_record {
	int64_t source_id;
	const char *owner;
	char attempt[37]; /* UUID: makes the write idempotent */
	int64_t started_ms; /* realtime */
	int64_t duration_ms;
	long http_status; /* 0: none */
	enum fetch_outcome outcome;
	const char *error; /* NULL on success */
	int64_t bytes;
	const char *final_url;
	int set_validators; /* replace etag/last_modified with these */
	const char *etag;
	const char *last_modified;
	int failures; /* consecutive, after this fetch */
	int64_t next_delay_ms; /* < 0: disable the source */
	const char *lang; /* the source's configured language, or NULL */
	const char *feed_url; /* a feed discovered on the source's page */
	/* > 0: a next page follows, so the source's lease is kept (this many
	 * seconds more) instead of given back. */
	int lease_s;
	const struct feed *feed; /* items to store, or NULL */
	/* One per item, from analyze_item: what it mentions, its tone and
	 * its story identity (the normalised link and SimHash written with
	 * it); NULL when there are no items. */
	const struct item_analysis *analysis;
	const struct analyzer *analyzer;
};

/* Stores items, the fetch record and the source's new state: in one
 * statement, all of it or nothing, or for many items in chunks, one
 * statement each, queued one at a time behind other requests, the record
 * and the state with the last (a failed chunk fails the fetch; the chunks
 * before it stay stored). Retried across reconnections until the
 * database has it. */
enum save_status {
	SAVE_FAILED,
	SAVE_STORED,
	SAVE_SPOOLED, /* handed to the spool (store_spool_saves) */
};
/* mentions[3]: the new mentions stored, negative, neutral, positive
 * (SAVE_STORED only). */
typedef void (*store_saved_cb)(enum save_status, long items_new,
    long items_seen, const long *mentions, void *arg);
void store_save_fetch(
    struct store *, const struct fetch_record *, store_saved_cb, void *arg);

/* The same fetch encoded as the spool keeps it (spool.h), to be saved
 * later by store_save_entry. */
struct spool;
struct spool_entry;
struct spool_entry *store_spool_entry(const struct fetch_record *);
/* Saves a spooled fetch, like store_save_fetch; e stays the caller's
 * (its texts are copied). */
void store_save_entry(
    struct store *, const struct spool_entry *e, store_saved_cb, void *arg);
/* The saves queued and not sent, handed to sp in their order, each one's
 * callback told SAVE_SPOOLED: for a database that went away, so that the
 * sources they hold are polled again meanwhile. A save that came from
 * the spool (store_save_entry) is not put again, only told; one sp has
 * no room for stays queued. */
void store_spool_saves(struct store *, struct spool *sp);

/* Gives back owner's lease on one source (kept while its pages were
 * followed). */
void store_release_lease(struct store *, int64_t source_id, const char *owner);

/* Gives back the leases owner holds, except on the sources listed. */
void store_release_leases(struct store *, const char *owner,
    const int64_t *keep, size_t nkeep, store_done_cb, void *arg);

/* Brings the watches table in line with the configuration; a watch that
 * is new or whose query or languages changed is marked for backfill. */
void store_sync_watches(
    struct store *, const struct conf *, store_done_cb, void *arg);

/* Names of the watches waiting for a backfill; purge[i] is set when the
 * watch had been matched before (its query changed). as_of is the
 * database's clock when they were listed. n is -1 on failure. The callback
 * owns the arrays (free with store_names_free). */
typedef void (*store_names_cb)(
    char **names, unsigned char *purge, long n, const char *as_of, void *arg);
void store_backfill_todo(struct store *, store_names_cb, void *arg);
void store_names_free(char **names, unsigned char *purge, long n);

/* Deletes the mentions of the named watches in the window, before they
 * are matched again. */
void store_backfill_purge(struct store *, const char *const *names, size_t n,
    int64_t window_ms, store_done_cb, void *arg);

/* A page of items of the window first seen up to as_of (the database's
 * clock from store_backfill_todo: items stored since were matched with
 * the same watches), by id after after_id. The callback owns the items
 * (free with store_page_free); n is -1 on failure. */
struct stored_item {
	int64_t id;
	struct item item;
};
typedef void (*store_page_cb)(struct stored_item *, long n, void *arg);
void store_backfill_page(struct store *, int64_t after_id, int64_t window_ms,
    const char *as_of, int limit, store_page_cb, void *arg);
void store_page_free(struct stored_item *, long n);

/* Mentions (and tone) of already stored items. */
void store_save_mentions(struct store *, const struct stored_item *,
    const struct item_analysis *, size_t n, const struct analyzer *,
    store_done_cb, void *arg);

/* Clears the backfill mark of the named watches, unless their query
 * changed after as_of (the database's clock: the daemon's may differ). */
void store_backfill_done(struct store *, const char *const *names, size_t n,
    const char *as_of, store_done_cb, void *arg);

/* --- detection and alerts --- */

/* Negative and total mentions of one watch in one bucket. */
struct bucket_count {
	char *watch;
	int64_t bucket_ms;
	int negative;
	int total;
};
/* n is -1 on failure; the callback owns the rows (store_counts_free). */
typedef void (*store_counts_cb)(struct bucket_count *, long n, void *arg);
/* Buckets in [from_ms, to_ms) of every configured watch, by the time a
 * mention counts for detection (see detect_item_time). */
void store_detect_counts(struct store *, int64_t from_ms, int64_t to_ms,
    int64_t bucket_ms, int64_t window_ms, store_counts_cb, void *arg);
void store_counts_free(struct bucket_count *, long n);

/* The saved detector tracks: pairs of watch name and JSON text. */
typedef void (*store_pairs_cb)(char **names, char **values, long n, void *arg);
void store_load_tracks(struct store *, store_pairs_cb, void *arg);
void store_pairs_free(char **names, char **values, long n);
/* tracks: a JSON array of {"watch": NAME, "track": {...}}. */
void store_save_tracks(
    struct store *, const char *tracks, store_done_cb, void *arg);

/* What a notification about a watch shows, as JSON text ({"top": [...],
 * "terms": [...], "series": [24 hourly counts]}), or NULL on failure. */
typedef void (*store_text_cb)(char *text, void *arg);
/* Stories spreading (sql/spread_check.sql): watches is a JSON array of
 * {watch, window_ms}; the answer a JSON array of stories, or NULL on
 * failure. */
void store_spread_check(struct store *, int64_t now_ms, const char *watches,
    store_text_cb, void *arg);
void store_event_context(struct store *, const char *watch,
    int64_t window_from_ms, int64_t at_ms, store_text_cb, void *arg);

/* An incident's state change with the notifications it causes. */
struct event_record {
	enum incident_kind kind;
	const char *subject; /* watch or source name */
	enum incident_state state;
	const char *event_id;
	int64_t at_ms;
	enum incident_severity severity;
	enum detect_reason reason; /* REASON_NONE for a source */
	int window_count, window_total;
	double expected, ratio, p;
	const char *details; /* JSON object text */
	const char *outbox; /* JSON array of {target, channel, destination,
	                       content_type, body} */
	const char *track; /* JSON of the detector's track, or NULL */
	int64_t story_id; /* a spread's story; 0 for other kinds */
};
/* Replayed after a lost connection: event ids make it idempotent. */
void store_record_event(
    struct store *, const struct event_record *, store_done_cb, void *arg);

struct outbox_row {
	int64_t id;
	char *event_id;
	char *target;
	char *channel; /* "email" or "webhook" */
	char *destination;
	char *content_type;
	char *body;
	int attempts;
	int64_t created_ms;
};
typedef void (*store_outbox_cb)(struct outbox_row *, long n, void *arg);
/* Leases up to limit notifications that are due. */
void store_outbox_claim(struct store *, const char *owner, int limit,
    int lease_s, store_outbox_cb, void *arg);
void store_outbox_free(struct outbox_row *, long n);
/* What became of one delivery: delivered, or the error and when to try
 * again, or given up. */
void store_outbox_result(struct store *, int64_t id, int delivered,
    const char *error, int64_t retry_ms, int give_up, store_done_cb, void *arg);

/* Figures for /metrics and systemd's STATUS= (stats.sql's columns, in
 * this order). */
struct store_stats {
	long sources_ok;
	long sources_failing;
	long mentions_hour; /* mentions first seen in the last hour */
	long incidents_open;
	long outbox_pending; /* notifications not yet delivered */
	long items_set_aside; /* by the merge (staged_refused) */
};
/* s is NULL on failure. */
typedef void (*store_stats_cb)(const struct store_stats *s, void *arg);
void store_stats(struct store *, store_stats_cb, void *arg);

/* A fetch the database would not store: recorded on the source as a
 * failure (its lease given back, next try after retry_ms). */
void store_save_failed(
    struct store *, int64_t source_id, const char *why, int64_t retry_ms);

/* Creates the month partitions of items, mentions and fetches ahead of
 * need and drops those wholly older than retention_ms (none when it is 0);
 * n is how many partitions went, -1 on failure. */
typedef void (*store_count_cb)(long n, void *arg);
void store_maintain(
    struct store *, int64_t retention_ms, store_count_cb, void *arg);

/* Several daemons on one database (schema/018). store_register marks
 * owner alive for as long as this connection lasts, so that its leases
 * hold; it goes first on each new connection of the daemon's first
 * store. store_take_lead asks to run detection and the partitions'
 * maintenance, one daemon at a time: n is 1 when this connection now
 * holds that role (until it is lost), 0 when another daemon does, -1 on
 * failure. */
void store_register(struct store *, const char *owner);
void store_take_lead(struct store *, store_count_cb, void *arg);

/* Merges the oldest staged items into items with their full-text vector
 * and their mentions, then looks up the stories they continue, at most
 * limit of them (schema/031_staged.sql); an item the database refuses
 * for a reason of its own is set aside and tried again later
 * (schema/035_staged_refused.sql). */
struct index_result {
	long indexed; /* items merged or indexed; -1: the batch failed */
	double oldest_left_s; /* the oldest item still waiting; -1: none */
	long set_aside; /* items refused, set aside by this batch */
	const char *refusal; /* the last one's message, or NULL; lives
	                        as long as the call */
};
typedef void (*store_indexed_cb)(const struct index_result *, void *arg);
void store_index_items(struct store *, int limit, store_indexed_cb, void *arg);

/* A fresh random UUID, for fetch_record.attempt. */
void store_new_attempt(char out[37]);

#endif
