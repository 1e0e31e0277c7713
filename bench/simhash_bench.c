/*
 * simhash_bench.c - speed of the story SimHash (core/judge/story.c) over
 * the text of articles: the files read once, then hashed again and again
 * for about the given seconds; prints each file's hash, which must not
 * change from one build to another (tests/core/test_story.c pins three),
 * and MB/s.
 *
 * With --lines, each line of each file is a text of its own (one item's
 * title and body), and one hash of them all is printed. A few texts
 * hashed over and over teach the CPU's branch predictors their every
 * turn; thousands of items, as a cycle hashes them, do not.
 *
 * Usage: simhash_bench [--lines] [seconds] FILE...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/file.h"
#include "core/base/util.h"
#include "core/judge/story.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One text to hash: a whole file, or one of its lines. */
struct span {
	const char *s;
	size_t len;
};

static void
add_span(struct span **v, size_t *n, const char *s, size_t len)
{
	if (len == 0)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = (struct span){ s, len };
}

int
main(int argc, char **argv)
{
	double seconds = 2, t0, spent;
	int first = 1, lines = 0, n;
	size_t bytes = 0, rounds = 0, nspans = 0;
	uint64_t seen = 0, all = 0;
	struct buf *texts;
	struct span *spans = NULL;

	if (argc > first && strcmp(argv[first], "--lines") == 0) {
		lines = 1;
		first++;
	}
	if (argc > first && atof(argv[first]) > 0)
		seconds = atof(argv[first++]);
	if ((n = argc - first) < 1) {
		fprintf(stderr,
		    "usage: simhash_bench [--lines] [seconds] FILE...\n");
		return 2;
	}
	texts = xcalloc((size_t)n, sizeof *texts);
	for (int i = 0; i < n; i++) {
		const char *why;
		struct buf *t = &texts[i];

		if (file_read(argv[first + i], 1 << 28, t, &why) != 0) {
			fprintf(stderr, "simhash_bench: %s: %s\n",
			    argv[first + i], why ? why : "too large");
			return 1;
		}
		if (!lines) {
			printf("%s %016" PRIx64 "\n", argv[first + i],
			    story_simhash(t->data, t->len));
			add_span(&spans, &nspans, t->data, t->len);
			continue;
		}
		for (size_t at = 0, end; at < t->len; at = end + 1) {
			const char *nl =
			    memchr(t->data + at, '\n', t->len - at);
			end = nl ? (size_t)(nl - t->data) : t->len;
			add_span(&spans, &nspans, t->data + at, end - at);
		}
	}
	if (lines) {
		for (size_t i = 0; i < nspans; i++)
			all =
			    all * 31 + story_simhash(spans[i].s, spans[i].len);
		printf("%zu texts, their hashes %016" PRIx64 "\n", nspans, all);
	}
	t0 = now_s();
	do {
		for (size_t i = 0; i < nspans; i++) {
			seen ^= story_simhash(spans[i].s, spans[i].len);
			bytes += spans[i].len;
		}
		rounds++;
	} while ((spent = now_s() - t0) < seconds);
	printf("%zu rounds in %.2f s: %.1f MB/s (%016" PRIx64 ")\n", rounds,
	    spent, (double)bytes / spent / 1e6, seen);
	for (int i = 0; i < n; i++)
		buf_clear(&texts[i]);
	free(texts);
	free(spans);
	return 0;
}
