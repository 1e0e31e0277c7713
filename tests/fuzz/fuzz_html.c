/*
 * fuzz_html.c - libFuzzer target: a page through every extraction preset,
 * the schema.org reviews reader and feed discovery.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/read/discover.h"
#include "core/read/extract.h"
#include "core/read/feed.h"
#include "core/read/reviews.h"
#include "core/read/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct extract_input in = { (const char *)data, size,
		"https://fuzz.example/forum/", "text/html", 1733400000 };
	struct discovered *found = NULL;
	size_t n = 0;
	const char *engine;
	char err[256];

	if (!ready) {
		xml_global_init();
		ready = 1;
	}
	for (size_t i = 0; extract_preset_names[i] != NULL; i++) {
		struct feed *f = NULL;
		struct extract_stats stats;
		char *next = NULL;

		if (extract_html(extract_preset(extract_preset_names[i]), &in,
		        &f, &next, &stats, err, sizeof err) == 0) {
			feed_free(f);
			free(next);
		}
	}
	struct feed *reviews = NULL;

	if (reviews_read((const char *)data, size, in.base_url, NULL, &reviews,
	        err, sizeof err) == 0)
		feed_free(reviews);
	if (discover_feeds((const char *)data, size, in.base_url, &found, &n,
	        &engine) == 0)
		discovered_free(found, n);
	return 0;
}
