/*
 * reader.c - the threads that read answers and judge their items (see
 * reader.h). Each thread is a worker (worker.h) with its own analyzer
 * scratch; a task goes to the thread with the fewest waiting, so that one
 * large answer does not hold up the small ones queued behind it while
 * another thread idles.
 */
#include "service/reader.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/judge/analyze.h"
#include "service/worker.h"

struct reader_thread {
	struct worker *w;
	/* Used by the thread only, or by the loop while the thread is
	 * idle (reader_quiesce). */
	struct analyze_scratch scratch;
	size_t queued; /* the loop's count of tasks given and not done */
};

struct reader {
	struct reader_thread *t;
	int n;
	int freeing; /* what finishes now is cancelled */
};

/* A task on its way through a thread. */
struct reading {
	struct reader *r;
	struct reader_thread *t;
	struct read_task *task;
	reader_done_fn *done;
	void *arg;
};

/* On the thread. */
static void
run(void *arg)
{
	struct reading *rd = arg;
	struct read_task *k = rd->task;
	const char *body = k->resp.body.data ? k->resp.body.data : "";
	struct feed *feed;

	if (k->held != NULL) {
		k->verdict = source_continue(
		    k->cs, k->held, body, k->resp.body.len, k->url, &k->res);
		k->held = NULL;
	} else {
		k->verdict = source_read(k->cs, body, k->resp.body.len, k->url,
		    k->resp.content_type, k->now_s, &k->res);
	}
	feed = k->res.feed;
	if (k->verdict != SOURCE_ITEMS || feed == NULL || feed->nitems == 0 ||
	    (k->res.more && !k->last_step))
		return;
	k->analysis = xcalloc(feed->nitems, sizeof *k->analysis);
	k->nanalysis = feed->nitems;
	for (size_t i = 0; i < feed->nitems; i++) {
		analyze_item(k->an, &feed->items[i], k->lang, NULL,
		    &rd->t->scratch, &k->analysis[i]);
		analyze_story(&feed->items[i], &k->analysis[i]);
	}
}

/* On the loop. */
static void
finished(void *arg, int cancelled)
{
	struct reading *rd = arg;

	rd->t->queued--;
	rd->done(rd->task, rd->arg, cancelled || rd->r->freeing);
	free(rd);
}

int
reader_threads(int setting)
{
	cpu_set_t set;
	int n;

	if (setting > 0)
		return setting;
	n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
	return n < 1 ? 1 : n > READER_AUTO_MAX ? READER_AUTO_MAX : n;
}

struct reader *
reader_new(struct event_base *base, int threads)
{
	struct reader *r = xcalloc(1, sizeof *r);

	if (threads < 1)
		threads = 1;
	r->t = xcalloc((size_t)threads, sizeof *r->t);
	for (r->n = 0; r->n < threads; r->n++) {
		if ((r->t[r->n].w = worker_new(base)) == NULL) {
			/* The threads made are stopped: errno stays why. */
			int err = errno;
			reader_free(r);
			errno = err;
			return NULL;
		}
	}
	return r;
}

void
reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	r->freeing = 1;
	for (int i = 0; i < r->n; i++) {
		worker_free(r->t[i].w);
		analyze_scratch_clear(&r->t[i].scratch);
	}
	free(r->t);
	free(r);
}

void
reader_submit(
    struct reader *r, struct read_task *task, reader_done_fn *done, void *arg)
{
	struct reader_thread *t = &r->t[0];
	struct reading *rd = xmalloc(sizeof *rd);

	for (int i = 1; i < r->n; i++)
		if (r->t[i].queued < t->queued)
			t = &r->t[i];
	rd->r = r;
	rd->t = t;
	rd->task = task;
	rd->done = done;
	rd->arg = arg;
	t->queued++;
	worker_submit(t->w, run, finished, rd);
}

void
reader_quiesce(struct reader *r)
{
	for (int i = 0; i < r->n; i++) {
		worker_wait(r->t[i].w);
		analyze_scratch_clear(&r->t[i].scratch);
	}
}

void
read_task_clear(struct read_task *k)
{
	fetch_response_clear(&k->resp);
	feed_free(k->held);
	source_result_clear(&k->res);
	for (size_t i = 0; i < k->nanalysis; i++)
		item_analysis_clear(&k->analysis[i]);
	free(k->analysis);
	memset(k, 0, sizeof *k);
}
