/*
 * indexer.h - what an item's insert leaves for later, its full-text
 * vector and the story it continues (schema/009_ingest.sql), computed in
 * batches: one every few seconds, back to back while a backlog is known
 * and the daemon has nothing else to do (two at once then, one on each of
 * its connections), and back to back again once the oldest item waiting
 * is older than its bound.
 */
#ifndef VIGIE_INDEXER_H
#define VIGIE_INDEXER_H

struct indexer;
struct store;

/* moved(arg) is called whenever a batch comes back. */
struct indexer *indexer_new(struct store *, void (*moved)(void *), void *);
void indexer_free(struct indexer *);
/* The saves' connection, once the daemon has it: while the daemon is
 * idle with a backlog, a second batch goes there beside the first. */
void indexer_set_saves(struct indexer *, struct store *);
/* Sends a batch unless one is in flight, if one is due, or if the daemon
 * is idle (nothing fetched or stored) and items are known to wait. */
void indexer_tick(struct indexer *, int idle);
/* 1 once a batch found nothing left to index and none is in flight. */
int indexer_caught_up(const struct indexer *);
/* 1 if a batch is in flight on that connection: the daemon's idleness
 * leaves the batches out, or the first would keep the second from going
 * beside it. */
int indexer_holds(const struct indexer *, const struct store *);
/* Items were stored since the last batch was sent: not caught up until
 * another finds nothing left. */
void indexer_expect(struct indexer *);

#endif
