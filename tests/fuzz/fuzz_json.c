/*
 * fuzz_json.c - libFuzzer target: an API's answer read by paths (type =
 * json sources). The first line is the items path; the rest the answer,
 * read with paths in the shapes of Reddit's, Hacker News' and Mastodon's
 * answers, so that each field's reader sees what the fuzzer puts there.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/json_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	char *items = nl
	    ? xstrndup((const char *)data, (size_t)(nl - (const char *)data))
	    : xstrdup(".");
	const char *body = nl ? nl + 1 : (const char *)data;
	size_t len = nl ? size - (size_t)(nl + 1 - (const char *)data) : size;
	struct json_paths p = { .items = items,
		.id = "id",
		.title = "data.title",
		.text = "content",
		.author = "account.display_name",
		.link = "url",
		.date = "created_at",
		.next = "next",
		.engagement = { [ENG_LIKES] = "points",
		    [ENG_SHARES] = "reblogs_count",
		    [ENG_REPLIES] = "0",
		    [ENG_VIEWS] = "data.views.1",
		    [ENG_FOLLOWERS] = "account.followers_count" } };
	struct feed *f = NULL;
	char *next = NULL, err[256];

	if (json_source_read(&p, body, len, "https://api.fuzz.example/v1/", &f,
	        &next, err, sizeof err) == 0) {
		feed_free(f);
		free(next);
	}
	free(items);
	return 0;
}
