/*
 * replay.c - the fuzz targets without libFuzzer: every file under the
 * directories given is run through the target once, so that every build
 * (the sanitized one included) replays the seeds and the inputs that once
 * found a bug.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed, failed;

static int
replay(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *fp;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		failed = 1;
		return 0;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
	buf_clear(&b);
	replayed++;
	return 0;
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (nftw(argv[i], replay, 16, FTW_PHYS) != 0) {
			perror(argv[i]);
			failed = 1;
		}
	printf("%d inputs replayed\n", replayed);
	/* A test that replays nothing checks nothing. */
	return failed || replayed == 0;
}
