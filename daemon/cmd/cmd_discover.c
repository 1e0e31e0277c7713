/*
 * cmd_discover.c - `vigie discover [--base URL] URL|FILE`: the feeds a
 * page declares or its engine implies (core/read/discover.h), best first,
 * each fetched and read before it is offered; or the URL itself when it
 * already is a feed. A page with none says so, exits 1, and names the
 * `type = html` preset that reads it (its engine's, or reviews when it
 * carries schema.org's), when it knows one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/read/discover.h"
#include "core/read/feed.h"
#include "core/read/reviews.h"
#include "core/read/url.h"
#include "service/net/fetch_now.h"

#define DISCOVER_TIMEOUT_MS 30000
#define DISCOVER_MAX_BODY (16 * 1024 * 1024)
#define USER_AGENT "vigie/" VIGIE_VERSION

static int
usage(void)
{
	log_plain("usage: vigie discover [--base URL] URL|FILE");
	return 2;
}

/* A saved page, as a fetch would have given it; -1 after saying why. */
static int
read_saved(const char *path, struct fetched_page *out)
{
	const char *why = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	buf_init(&out->body);
	if ((rc = file_read(path, DISCOVER_MAX_BODY, &out->body, &why)) == 0)
		return 0;
	if (rc == -2)
		log_user(
		    "%s: larger than %d MiB", path, DISCOVER_MAX_BODY >> 20);
	else
		log_user("%s: %s", path, why);
	fetched_page_clear(out);
	return -1;
}

/* The items of the feed at url, or -1 with why set. */
static long
feed_items(const char *url, char *why, size_t whylen)
{
	struct fetched_page resp;
	struct feed *feed = NULL;
	char *ferr;
	long n = -1;

	if (fetch_now(url, USER_AGENT, DISCOVER_TIMEOUT_MS, DISCOVER_MAX_BODY,
	        &resp, &ferr) == -1) {
		snprintf(why, whylen, "%s", ferr);
		free(ferr);
		return -1;
	}
	struct feed_input in = { resp.body.data ? resp.body.data : "",
		resp.body.len, resp.final_url ? resp.final_url : url,
		resp.content_type };
	if (feed_parse(&in, &feed, why, whylen) == 0) {
		n = (long)feed->nitems;
		feed_free(feed);
	}
	fetched_page_clear(&resp);
	return n;
}

/* Each candidate that answers as a feed, printed; how many did. A
 * declared feed that does not is said (the site's own link is broken);
 * a guess that does not is only not offered. */
static size_t
print_checked(const struct discovered *found, size_t n)
{
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		char why[256] = "";
		long items = url_is_http(found[i].url)
		    ? feed_items(found[i].url, why, sizeof why)
		    : -1;

		if (items < 0) {
			if (strcmp(found[i].type, "guess") != 0)
				log_user("%s: declared, but not a feed: %s",
				    found[i].url, why[0] ? why : "not http(s)");
			continue;
		}
		printf("%s\t%s\t%s\t%ld items\n", found[i].type, found[i].url,
		    found[i].title ? found[i].title : "", items);
		ok++;
	}
	return ok;
}

int
cmd_discover(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' }, { NULL, 0, NULL, 0 }
	};
	struct fetched_page resp;
	struct discovered *found = NULL;
	const char *base = NULL, *where, *engine = NULL;
	size_t n = 0, reviews;
	char *ferr;
	int c, rc = 1, saved;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'b')
			return usage();
		base = optarg;
	}
	if (optind != argc - 1)
		return usage();
	where = argv[optind];
	saved = !url_is_http(where);
	if (saved ? read_saved(where, &resp) == -1
	          : fetch_now(where, USER_AGENT, DISCOVER_TIMEOUT_MS,
	                DISCOVER_MAX_BODY, &resp, &ferr) == -1) {
		if (!saved) {
			log_user("%s", ferr);
			free(ferr);
		}
		return 1;
	}
	/* A saved page's links resolve against --base, if given. */
	if (!saved)
		base = resp.final_url ? resp.final_url : where;
	struct feed_input in = { resp.body.data ? resp.body.data : "",
		resp.body.len, base, resp.content_type };
	struct feed *feed = NULL;
	char err[256];

	if (feed_parse(&in, &feed, err, sizeof err) == 0) {
		printf("feed\t%s\t\t%zu items\n", base ? base : where,
		    feed->nitems);
		feed_free(feed);
		rc = 0;
	} else if (discover_feeds(in.data, in.len, base, &found, &n, &engine) ==
	    0) {
		rc = print_checked(found, n) > 0 ? 0 : 1;
		if (rc != 0)
			log_user("%s: no feed found%s", where,
			    saved && base == NULL
			        ? " (relative links need --base URL)"
			        : "");
		if (rc != 0 && engine != NULL)
			log_user(
			    "%s: a %s site: read its pages with "
			    "[source] type = html and preset = %s, and see "
			    "what they give with vigie inspect",
			    where, engine, engine);
		else if (rc != 0 && (reviews = reviews_count(in.data, in.len)))
			log_user(
			    "%s: %zu reviews or ratings in schema.org's "
			    "markup: read them with [source] type = html and "
			    "preset = reviews",
			    where, reviews);
		discovered_free(found, n);
	} else {
		log_user("%s: %s", where, err);
	}
	fetched_page_clear(&resp);
	return rc;
}
