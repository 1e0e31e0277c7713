/*
 * spool.h - where fetched results wait while the database is away: in
 * memory first, then as files in a directory of the service's state, up
 * to a size cap, in the order they were fetched; written to the database
 * once it is back, oldest first, and kept across a restart.
 *
 * An entry is a fetch as the store encodes it (store_spool_entry): the
 * fetch record's JSON and its items in chunks, each chunk the store's
 * bytes (an earlier version's: JSON, with bytes beside it or none). The
 * spool never looks inside; writing it twice is harmless (the store's
 * saves are idempotent), losing it is not, so a file is removed only
 * once the database has its entry.
 */
#ifndef VIGIE_SPOOL_H
#define VIGIE_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

struct spool;

struct spool_entry {
	uint64_t seq; /* its place: lower is older */
	char *fetch; /* the fetch record, JSON */
	/* Each chunk's items: the store's bytes (any, newlines included),
	 * or in an earlier version's file a JSON array, with bytes beside it
	 * or none (NULL). */
	char **chunks; /* the JSON, or NULL */
	char **blobs;
	size_t *blob_lens;
	size_t *sizes; /* items in each chunk */
	size_t nchunks;
	size_t bytes; /* of the chunks above */
	int on_disk; /* its file exists */
	int in_flight; /* taken, not done */
	int tries; /* writes the database refused */
	TAILQ_ENTRY(spool_entry) link;
};

struct spool_entry *spool_entry_new(char *fetch, size_t nchunks);
void spool_entry_free(struct spool_entry *);

/*
 * Opens the spool in dir (created 0700 if missing; NULL: memory only),
 * with what an earlier run left there. max_bytes caps the files,
 * mem_bytes what waits in memory before it goes to files. NULL with err
 * set when dir cannot be used.
 */
struct spool *spool_open(const char *dir, int64_t max_bytes, size_t mem_bytes,
    char *err, size_t errlen);
void spool_free(struct spool *);

/* Takes e, the newest entry; 0, or -1 when it does not fit (memory and
 * files full, or a file that cannot be written, logged): e is the
 * caller's still. */
int spool_put(struct spool *, struct spool_entry *e);

/* The oldest entry not being written to the database, read back from its
 * file if need be, or NULL; it stays the spool's, marked in flight until
 * spool_done. An unreadable file is set aside (renamed *.bad, logged). */
struct spool_entry *spool_take(struct spool *);

enum spool_outcome {
	SPOOL_STORED, /* the database has it: forgotten */
	SPOOL_REFUSED, /* an error: tried again, set aside after a few */
	SPOOL_AGAIN, /* not tried (the connection went away) */
};
void spool_done(struct spool *, struct spool_entry *, enum spool_outcome);

/* Entries and bytes held, in flight included; entries in flight. */
size_t spool_count(const struct spool *);
int64_t spool_bytes(const struct spool *);
size_t spool_in_flight(const struct spool *);
/* Whether the last spool_put failed for want of room (until one fits). */
int spool_full(const struct spool *);
/* The directory, or NULL. */
const char *spool_dir(const struct spool *);

/* Writes what waits in memory to files, for a daemon that stops; 0, or
 * -1 when some could not be written (logged). */
int spool_flush(struct spool *);

#endif
