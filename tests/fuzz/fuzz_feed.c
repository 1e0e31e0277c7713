/*
 * fuzz_feed.c - libFuzzer target: feed_parse on any bytes, as a feed of
 * unknown type and as a JSON Feed (the first byte chooses).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/read/feed.h"
#include "core/read/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct feed_input in = { (const char *)data, size,
		"https://fuzz.example/feed/", NULL };
	struct feed *f = NULL;
	char err[256];

	if (!ready) {
		xml_global_init();
		ready = 1;
	}
	if (size > 0 && data[0] == '{')
		in.content_type = "application/feed+json";
	if (feed_parse(&in, &f, err, sizeof err) == 0)
		feed_free(f);
	return 0;
}
