/*
 * fuzz_json.c - libFuzzer target: an API's answer read by paths (type =
 * json sources). The first line is the items path; the rest the answer,
 * read with paths in the shapes of Reddit's, Hacker News' and Mastodon's
 * answers, so that each field's reader sees what the fuzzer puts there;
 * then the whole input by each platform's reader (type = mastodon,
 * bluesky...), alone and as the next step of items a first answer held
 * (tests/fixtures/platforms are its seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/json_source.h"
#include "core/read/platform.h"

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
	for (int t = SOURCE_MASTODON; t <= SOURCE_HACKERNEWS; t++) {
		struct platform_answer a = { 0 };

		if (platform_read(t, (const char *)data, size,
		        "https://api.fuzz.example/v1/s", &a, err,
		        sizeof err) == -1)
			continue;
		free(a.next);
		/* The same answer as the step after its own. */
		if (a.more &&
		    platform_read(t, body, len, "https://api.fuzz.example/v1/s",
		        &a, err, sizeof err) == 0)
			free(a.next);
		feed_free(a.feed);
	}
	free(items);
	return 0;
}
