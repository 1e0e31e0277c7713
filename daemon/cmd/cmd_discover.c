/*
 * cmd_discover.c - `vigie discover URL`: the feeds a page declares or its
 * engine implies (core/read/discover.h), best first; or the URL itself
 * when it already is a feed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/read/discover.h"
#include "core/read/feed.h"
#include "service/net/fetch_now.h"

#define DISCOVER_TIMEOUT_MS 30000
#define DISCOVER_MAX_BODY (16 * 1024 * 1024)

int
cmd_discover(int argc, char **argv)
{
	struct fetched_page resp;
	struct discovered *found = NULL;
	size_t n = 0;
	char *ferr;
	int rc = 1;

	if (argc != 2 || argv[1][0] == '-') {
		log_plain("usage: vigie discover URL");
		return 2;
	}
	if (fetch_now(argv[1], "vigie/" VIGIE_VERSION, DISCOVER_TIMEOUT_MS,
	        DISCOVER_MAX_BODY, &resp, &ferr) == -1) {
		log_user("%s", ferr);
		free(ferr);
	} else {
		const char *base = resp.final_url ? resp.final_url : argv[1];
		struct feed_input in = { resp.body.data ? resp.body.data : "",
			resp.body.len, base, resp.content_type };
		struct feed *feed = NULL;
		char err[256];

		if (feed_parse(&in, &feed, err, sizeof err) == 0) {
			printf("feed\t%s\t%zu items\n", base, feed->nitems);
			feed_free(feed);
			rc = 0;
		} else if (discover_feeds(in.data, in.len, base, &found, &n) ==
		    0) {
			for (size_t i = 0; i < n; i++)
				printf("%s\t%s\t%s\n", found[i].type,
				    found[i].url,
				    found[i].title ? found[i].title : "");
			if (n == 0)
				log_user("%s: no feed found", base);
			rc = n > 0 ? 0 : 1;
			discovered_free(found, n);
		} else {
			log_user("%s: %s", base, err);
		}
		fetched_page_clear(&resp);
	}
	return rc;
}
