/*
 * indexer.c - see indexer.h. One batch at most in flight on each of the
 * daemon's two connections, the second only when the daemon is idle;
 * what a batch answers (how many it indexed, how old the oldest left is)
 * decides when the next goes.
 */
#include "service/indexer.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "service/db/store.h"

/* Items a batch indexes: a few tenths of a second of the server's time,
 * short enough not to hold the saves queued behind it for long. */
#define INDEX_BATCH 1000
/* Under load (the daemon fetching or storing), a batch every so
 * often... */
#define LOADED_EVERY_MS 5000
/* ...unless the oldest item waiting is this old: then back to back, so
 * that none waits much longer than a minute. */
#define URGENT_AGE_S 20.0
/* After a failure, the next try. */
#define RETRY_MS 5000

struct indexer;

/* A connection batches go on, and whether one is in flight there. */
struct lane {
	struct indexer *ix;
	struct store *store;
	int busy;
	/* Came back with nothing taken while the other lane's batch held
	 * what is left (its items, or the stories that wait for them): not
	 * sent again before that batch returns, rather than back to back
	 * for nothing meanwhile. */
	int wait_other;
};

struct indexer {
	/* The main connection's, then the saves' (NULL until it exists):
	 * two batches at once take two sets of items (schema/013) and two
	 * of the server's CPUs. */
	struct lane lanes[2];
	void (*moved)(void *);
	void *arg;
	int caught_up;
	int64_t due; /* monotonic ms; 0: as soon as possible */
	int64_t retry_at; /* monotonic ms: none before, idle or not */
	long indexed; /* since the backlog was last empty */
	int64_t backlog_since; /* monotonic ms */
	double longest_s; /* the longest an item waited meanwhile, about */
};

struct indexer *
indexer_new(struct store *st, void (*moved)(void *), void *arg)
{
	struct indexer *ix = xcalloc(1, sizeof *ix);

	for (size_t i = 0; i < ARRAY_LEN(ix->lanes); i++)
		ix->lanes[i].ix = ix;
	ix->lanes[0].store = st;
	ix->moved = moved;
	ix->arg = arg;
	return ix;
}

void
indexer_free(struct indexer *ix)
{
	free(ix);
}

void
indexer_set_saves(struct indexer *ix, struct store *saves)
{
	ix->lanes[1].store = saves;
}

static size_t
in_flight(const struct indexer *ix)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(ix->lanes); i++)
		n += ix->lanes[i].busy != 0;
	return n;
}

int
indexer_holds(const struct indexer *ix, const struct store *st)
{
	for (size_t i = 0; i < ARRAY_LEN(ix->lanes); i++)
		if (ix->lanes[i].busy && ix->lanes[i].store == st)
			return 1;
	return 0;
}

/* A batch lost with the connection comes back as a failure too. */
static void
on_indexed(const struct index_result *r, void *arg)
{
	struct lane *lane = arg;
	struct indexer *ix = lane->ix;
	int64_t now = now_mono_ms();
	long n = r->indexed;
	double oldest_left_s = r->oldest_left_s;

	lane->busy = 0;
	/* Whatever this batch held is free now. */
	for (size_t i = 0; i < ARRAY_LEN(ix->lanes); i++)
		ix->lanes[i].wait_other = 0;
	lane->wait_other = n == 0 && oldest_left_s >= 0 && in_flight(ix) > 0;
	if (n < 0) {
		/* Not at every idle tick either: a refused batch would be
		 * logged every second. */
		ix->retry_at = ix->due = now + RETRY_MS;
		return;
	}
	if (r->set_aside > 0)
		log_warn("search: %ld items the database refused to merge "
		         "set aside (staged_refused), tried again later: %s",
		    r->set_aside, r->refusal ? r->refusal : "?");
	if (n > 0 && ix->indexed == 0)
		ix->backlog_since = now;
	ix->indexed += n;
	/* The oldest left waits at least until the next batch: the longest
	 * of those ages is about the longest wait. */
	if (oldest_left_s > ix->longest_s)
		ix->longest_s = oldest_left_s;
	if (oldest_left_s < 0) {
		if (ix->indexed > 0)
			log_info("search: %ld items indexed in %.1f s; none "
			         "waiting (the longest waited about %.0f s)",
			    ix->indexed,
			    (double)(now - ix->backlog_since) / 1000.0,
			    ix->longest_s);
		ix->indexed = 0;
		ix->longest_s = 0;
		ix->caught_up = 1;
		ix->due = now + LOADED_EVERY_MS;
	} else {
		ix->caught_up = 0;
		ix->due =
		    oldest_left_s >= URGENT_AGE_S ? 0 : now + LOADED_EVERY_MS;
	}
	/* The daemon says whether the next goes now. */
	ix->moved(ix->arg);
}

static void
send_batch(struct lane *lane)
{
	lane->busy = 1;
	store_index_items(lane->store, INDEX_BATCH, on_indexed, lane);
}

/* The saves' connection may take a batch: it is up and has nothing to
 * store (it is refused on a server that allows the daemon one). */
static int
saves_free(const struct lane *lane)
{
	return lane->store != NULL && !lane->busy && store_up(lane->store) &&
	    store_pending(lane->store) == 0;
}

void
indexer_tick(struct indexer *ix, int idle)
{
	int64_t now = now_mono_ms();

	/* Idle, the next batch goes at once only while some are known to
	 * wait: once none is left, the next look is when due, not at every
	 * tick and every answer. */
	if (now < ix->retry_at || (now < ix->due && (!idle || ix->caught_up)))
		return;
	if (!ix->lanes[0].busy && !ix->lanes[0].wait_other)
		send_batch(&ix->lanes[0]);
	/* A backlog while the daemon has nothing else to do: a second
	 * batch beside the first. */
	if (idle && !ix->caught_up && saves_free(&ix->lanes[1]) &&
	    !ix->lanes[1].wait_other)
		send_batch(&ix->lanes[1]);
}

int
indexer_caught_up(const struct indexer *ix)
{
	return ix->caught_up && !ix->lanes[0].busy && !ix->lanes[1].busy;
}

void
indexer_expect(struct indexer *ix)
{
	ix->caught_up = 0;
}
