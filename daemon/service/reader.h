/*
 * reader.h - reading fetched answers and judging their items off the event
 * loop. A few threads each parse an answer (source.h) and analyze its items
 * (analyze.h), which is most of the daemon's own work on a busy cycle; the
 * loop only hands them out and takes back what they read. Each thread keeps
 * its own analyzer scratch, so the analyzer and configuration are shared
 * read-only.
 */
#ifndef VIGIE_READER_H
#define VIGIE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "core/read/source.h"
#include "service/net/fetch.h"

struct analyzer;
struct conf_source;
struct event_base;
struct item_analysis;
struct reader;

/* One answer to read. The caller fills the first part and keeps cs and
 * an alive until done is called; the thread fills the second. */
struct read_task {
	const struct conf_source *cs; /* the source, or a plain feed */
	struct feed *held; /* a platform's items to complete, or NULL */
	struct fetch_response resp; /* the answer, owned by the task */
	const char *url; /* what it answers (its final URL, if any) */
	int64_t now_s; /* when it came: a page's "2 hours ago" counts from it */
	struct analyzer *an; /* a reference the task holds */
	const char *lang; /* the source's, for items that say none */
	/* A platform's answer that asks for more is analyzed all the same
	 * when no further step will be taken. */
	int last_step;

	enum source_verdict verdict;
	struct source_result res;
	/* One per item of res.feed once it is complete, or NULL. */
	struct item_analysis *analysis;
	size_t nanalysis;
};

/* Runs on the loop once the task is read, or cancelled (the reader freed
 * first): then verdict and analysis are unset. */
typedef void reader_done_fn(struct read_task *, void *arg, int cancelled);

/* threads: how many; at least one. NULL with errno set if a thread or
 * its pipe cannot be made. */
struct reader *reader_new(struct event_base *, int threads);
/* Waits for the tasks being read; those not started are cancelled, and so
 * are those read whose done was still to be called. */
void reader_free(struct reader *);
void reader_submit(
    struct reader *, struct read_task *, reader_done_fn *, void *arg);
/*
 * Blocks until every task submitted has been read, then empties the
 * threads' scratch: for a reload, which frees the configuration the tasks
 * read with and brings an analyzer whose lexicons the caches would not fit.
 * Done functions are called later, by the loop, as usual.
 */
void reader_quiesce(struct reader *);
/* The read_threads setting made a count: 0 is one per CPU this process
 * may run on, at most READER_AUTO_MAX. */
int reader_threads(int setting);
#define READER_AUTO_MAX 8

/* The task's answer, analysis and result freed; the task itself is the
 * caller's. */
void read_task_clear(struct read_task *);

#endif
