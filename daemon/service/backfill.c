/*
 * backfill.c - matches recent history again for new or changed watches
 * (see backfill.h). One request in flight at a time, so that the store's
 * queue interleaves pages with the daemon's own writes.
 */
#include "service/backfill.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/judge/analyze.h"
#include "service/db/store.h"

#define PAGE_ITEMS 200

struct backfill {
	struct store *store;
	struct analyzer *an;
	int64_t window_ms;
	char *as_of; /* the database's clock when the watches were listed */
	backfill_done_cb done;
	void *arg;
	int stopping;
	char **names; /* the watches being backfilled */
	unsigned char *purge;
	long nnames;
	unsigned char *only; /* per analyzer watch: is it being backfilled */
	int64_t after_id;
	long items, mentions;
	struct analyze_scratch scratch;
};

static void next_page(struct backfill *);

static void
finish(struct backfill *bf, int ok)
{
	backfill_done_cb done = bf->done;
	void *arg = bf->arg;

	if (ok && bf->nnames > 0)
		log_notice("backfill: %ld recent items matched again for %ld "
		           "new or changed watches, %ld mentions",
		    bf->items, bf->nnames, bf->mentions);
	backfill_free(bf);
	done(ok, arg);
}

static void
on_done_marked(int ok, void *arg)
{
	finish(arg, ok);
}

static void
on_saved(int ok, void *arg)
{
	struct backfill *bf = arg;

	if (!ok || bf->stopping) {
		finish(bf, 0);
		return;
	}
	next_page(bf);
}

static void
on_page(struct stored_item *items, long n, void *arg)
{
	struct backfill *bf = arg;
	struct item_analysis *ia;

	if (n < 0 || bf->stopping) {
		store_page_free(items, n < 0 ? 0 : n);
		finish(bf, 0);
		return;
	}
	if (n == 0) {
		store_page_free(items, 0);
		store_backfill_done(bf->store, (const char *const *)bf->names,
		    (size_t)bf->nnames, bf->as_of, on_done_marked, bf);
		return;
	}
	ia = xcalloc((size_t)n, sizeof *ia);
	for (long i = 0; i < n; i++) {
		analyze_item(bf->an, &items[i].item, NULL, bf->only,
		    &bf->scratch, &ia[i]);
		bf->mentions += (long)ia[i].nmentions;
	}
	bf->items += n;
	bf->after_id = items[n - 1].id;
	store_save_mentions(
	    bf->store, items, ia, (size_t)n, bf->an, on_saved, bf);
	for (long i = 0; i < n; i++)
		item_analysis_clear(&ia[i]);
	free(ia);
	store_page_free(items, n);
}

static void
next_page(struct backfill *bf)
{
	store_backfill_page(bf->store, bf->after_id, bf->window_ms, bf->as_of,
	    PAGE_ITEMS, on_page, bf);
}

static void
on_purged(int ok, void *arg)
{
	struct backfill *bf = arg;

	if (!ok) {
		finish(bf, 0);
		return;
	}
	next_page(bf);
}

static void
on_todo(
    char **names, unsigned char *purge, long n, const char *as_of, void *arg)
{
	struct backfill *bf = arg;
	size_t nwatches = analyzer_watch_count(bf->an);
	const char **purged;
	size_t npurged = 0;

	if (n <= 0 || bf->stopping) {
		store_names_free(names, purge, n < 0 ? 0 : n);
		finish(bf, n == 0);
		return;
	}
	bf->names = names;
	bf->purge = purge;
	bf->nnames = n;
	bf->as_of = xstrdup(as_of);
	bf->only = xcalloc(nwatches + 1, 1);
	purged = xcalloc((size_t)n, sizeof *purged);
	for (long i = 0; i < n; i++) {
		/* A watch the configuration no longer has (the database
		 * knows better than this analyzer) is left for the next
		 * pass. */
		for (size_t w = 0; w < nwatches; w++)
			if (strcmp(analyzer_watch_name(bf->an, w), names[i]) ==
			    0)
				bf->only[w] = 1;
		if (purge[i])
			purged[npurged++] = names[i];
	}
	log_info("backfill: matching the last %lld days again for %ld watches",
	    (long long)(bf->window_ms / (24 * 3600 * 1000LL)), n);
	store_backfill_purge(
	    bf->store, purged, npurged, bf->window_ms, on_purged, bf);
	free(purged);
}

struct backfill *
backfill_start(struct store *st, struct analyzer *an, int64_t window_ms,
    backfill_done_cb done, void *arg)
{
	struct backfill *bf = xcalloc(1, sizeof *bf);

	bf->store = st;
	bf->an = analyzer_ref(an);
	bf->window_ms = window_ms;
	bf->done = done;
	bf->arg = arg;
	store_backfill_todo(st, on_todo, bf);
	return bf;
}

void
backfill_stop(struct backfill *bf)
{
	bf->stopping = 1;
}

void
backfill_free(struct backfill *bf)
{
	if (bf == NULL)
		return;
	store_names_free(bf->names, bf->purge, bf->nnames);
	free(bf->as_of);
	free(bf->only);
	analyze_scratch_clear(&bf->scratch);
	analyzer_free(bf->an);
	free(bf);
}
