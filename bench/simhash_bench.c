/*
 * simhash_bench.c - speed of the story SimHash (core/judge/story.c) over
 * the text of articles: the files read once, then hashed again and again
 * for about the given seconds; prints each file's hash, which must not
 * change from one build to another (tests/core/test_story.c pins three),
 * and MB/s.
 *
 * Usage: simhash_bench [seconds] FILE...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

int
main(int argc, char **argv)
{
	double seconds = 2, t0, spent;
	int first = 1, n;
	size_t bytes = 0, rounds = 0;
	uint64_t seen = 0;
	struct buf *texts;

	if (argc > 1 && atof(argv[1]) > 0) {
		seconds = atof(argv[1]);
		first = 2;
	}
	if ((n = argc - first) < 1) {
		fprintf(stderr, "usage: simhash_bench [seconds] FILE...\n");
		return 2;
	}
	texts = xcalloc((size_t)n, sizeof *texts);
	for (int i = 0; i < n; i++) {
		const char *why;

		if (file_read(argv[first + i], 1 << 24, &texts[i], &why) != 0) {
			fprintf(stderr, "simhash_bench: %s: %s\n",
			    argv[first + i], why ? why : "too large");
			return 1;
		}
		printf("%s %016" PRIx64 "\n", argv[first + i],
		    story_simhash(texts[i].data, texts[i].len));
	}
	t0 = now_s();
	do {
		for (int i = 0; i < n; i++) {
			seen ^= story_simhash(texts[i].data, texts[i].len);
			bytes += texts[i].len;
		}
		rounds++;
	} while ((spent = now_s() - t0) < seconds);
	printf("%zu rounds in %.2f s: %.1f MB/s (%016" PRIx64 ")\n", rounds,
	    spent, (double)bytes / spent / 1e6, seen);
	for (int i = 0; i < n; i++)
		buf_clear(&texts[i]);
	free(texts);
	return 0;
}
