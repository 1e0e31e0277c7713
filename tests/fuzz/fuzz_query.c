/*
 * fuzz_query.c - libFuzzer target: a watch's query compiled, and written
 * back when it compiles.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/match/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct query_error qe;
	struct qnode *q = query_parse(s, &qe);

	if (q != NULL) {
		struct buf b;

		buf_init(&b);
		query_format(q, &b);
		buf_clear(&b);
		query_free(q);
	}
	free(s);
	return 0;
}
