/*
 * fuzz_robots.c - libFuzzer target: robots.txt read for our User-Agent,
 * and a few paths asked about.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/read/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/", "/feed/", "/forum/t/1?x=y",
		"/%7Euser/", "/index.php/rss" };
	struct robots *r = robots_parse(
	    (const char *)data, size, "vigie/0.1 (+https://fuzz.example/)");

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		(void)robots_allowed(r, paths[i]);
	(void)robots_crawl_delay_ms(r);
	robots_free(r);
	return 0;
}
