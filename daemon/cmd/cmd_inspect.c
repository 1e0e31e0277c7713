/*
 * cmd_inspect.c - `vigie inspect` and `vigie discover`: one source fetched
 * now, through the daemon's own fetcher and reader (source.h), and what it
 * gives printed item by item, so that a rule can be got right before it
 * runs unattended.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"
#include "core/read/discover.h"
#include "core/read/feed.h"
#include "core/read/source.h"
#include "service/fetch.h"

#define INSPECT_TIMEOUT_MS 30000
#define INSPECT_MAX_BODY (16 * 1024 * 1024)

struct waiter {
	struct event_base *base;
	struct fetch_response resp;
	int done;
};

static void
on_done(struct fetch_response *r, void *arg)
{
	struct waiter *w = arg;

	/* The fetcher frees its response after this call: keep copies. */
	w->resp = *r;
	buf_init(&w->resp.body);
	buf_append(
	    &w->resp.body, r->body.data ? r->body.data : "", r->body.len);
	w->resp.etag = w->resp.last_modified = NULL;
	w->resp.content_type =
	    r->content_type ? xstrdup(r->content_type) : NULL;
	w->resp.final_url = r->final_url ? xstrdup(r->final_url) : NULL;
	w->done = 1;
	event_base_loopbreak(w->base);
}

static void
response_free(struct fetch_response *r)
{
	buf_free(&r->body);
	free(r->content_type);
	free(r->final_url);
}

/* One transfer, waited for: the daemon's fetcher on a loop of its own. */
static int
fetch_now(const char *url, const char *user_agent, struct fetch_response *out)
{
	struct waiter w = { 0 };
	struct fetcher *fr;
	struct fetch_request req = {
		.url = url,
		.user_agent = user_agent,
		.timeout_ms = INSPECT_TIMEOUT_MS,
		.max_body = INSPECT_MAX_BODY,
	};

	w.base = event_base_new();
	fr = w.base ? fetcher_new(w.base) : NULL;
	if (fr == NULL || fetch_start(fr, &req, on_done, &w) == NULL) {
		fprintf(stderr, "vigie: cannot start a transfer for %s\n", url);
		fetcher_free(fr);
		if (w.base)
			event_base_free(w.base);
		return -1;
	}
	while (!w.done)
		event_base_loop(w.base, EVLOOP_ONCE);
	fetcher_free(fr);
	event_base_free(w.base);
	*out = w.resp;
	if (!out->failed && out->status >= 200 && out->status <= 299)
		return 0;
	if (out->failed)
		fprintf(stderr, "vigie: %s: %s\n", url, out->error);
	else
		fprintf(stderr, "vigie: %s: HTTP %ld\n", url, out->status);
	response_free(out);
	return -1;
}

static void
print_field(const char *name, const char *value)
{
	if (value != NULL && value[0] != '\0')
		printf("  %-8s %.300s\n", name, value);
}

static void
print_item(const struct analyzer *an, const struct item *it, const char *lang,
    struct match_result *scratch)
{
	struct item_analysis ia;
	char when[DATE_RFC3339_LEN];

	printf("- %s\n", it->title ? it->title : "(no title)");
	print_field("link", it->link);
	print_field("author", it->author);
	if (it->published != DATE_NONE) {
		date_format_rfc3339(it->published, when);
		print_field("date", when);
	}
	print_field("text", it->content ? it->content : it->summary);
	analyze_item(an, it, lang, NULL, scratch, &ia);
	for (size_t i = 0; i < ia.nmentions; i++) {
		printf("  watch    %s:",
		    analyzer_watch_name(an, ia.mentions[i].watch));
		for (size_t t = 0; t < ia.mentions[i].nterms; t++)
			printf(" %s", ia.mentions[i].terms[t]);
		printf("\n");
	}
	if (ia.scored)
		printf("  tone     %s %.4f (%s)%s\n",
		    sentiment_label_name(ia.tone.label), ia.tone.compound,
		    ia.tone.lang, ia.tone.abusive ? ", abusive" : "");
	item_analysis_clear(&ia);
}

static void
print_stats(const struct conf_source *s, const struct extract_stats *st)
{
	static const char *const names[] = { "title", "link", "author", "date",
		"text" };
	const char *const rules[] = { s->title, s->link, s->author, s->date,
		s->text };
	const size_t found[] = { st->title, st->link, st->author, st->date,
		st->text };

	if (st->items == 0) {
		printf("the item rule matched nothing on this page\n");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (found[i] == 0 && (rules[i] != NULL || s->preset != NULL))
			printf("the %s rule matched nothing in %zu items\n",
			    names[i], st->items);
}

static int
inspect(const struct conf *conf, const struct analyzer *an,
    const struct conf_source *s)
{
	char *url = xstrdup(s->url);
	struct match_result scratch;
	size_t total = 0;
	int rc = 0;

	match_result_init(&scratch);
	for (int page = 1, hops = 0; url != NULL && page <= s->pages;) {
		struct fetch_response resp;
		struct source_result res;
		enum source_verdict v;

		fflush(stdout);
		if (fetch_now(url, conf->poll.user_agent, &resp) == -1) {
			/* A later page that fails ends the walk, not the
			 * inspection. */
			rc = page == 1 && hops == 0;
			break;
		}
		v = source_read(s, resp.body.data ? resp.body.data : "",
		    resp.body.len, resp.final_url ? resp.final_url : url,
		    resp.content_type, now_real_ms() / 1000, &res);
		response_free(&resp);
		free(url);
		url = NULL;
		if (v == SOURCE_ERROR) {
			fprintf(stderr, "vigie: %s: %s\n", s->name, res.err);
			source_result_clear(&res);
			rc = 1;
			break;
		}
		if (v == SOURCE_DISCOVERED) {
			printf(
			    "%s is a page; its feed: %s\n", s->url, res.next);
			url = hops++ == 0 ? xstrdup(res.next) : NULL;
			source_result_clear(&res);
			continue;
		}
		printf("page %d: %zu items\n", page, res.feed->nitems);
		for (size_t i = 0; i < res.feed->nitems; i++)
			print_item(an, &res.feed->items[i], s->lang, &scratch);
		total += res.feed->nitems;
		if (s->type == SOURCE_HTML)
			print_stats(s, &res.stats);
		if (res.next != NULL && ++page <= s->pages)
			url = xstrdup(res.next);
		source_result_clear(&res);
	}
	free(url);
	match_result_clear(&scratch);
	if (rc == 0)
		printf("%zu items\n", total);
	return rc;
}

int
cmd_inspect(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct diag diag = { 0 };
	struct analyzer *an = NULL;
	struct conf *conf;
	const struct conf_source *s;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 }
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c != 'c') {
			fprintf(
			    stderr, "usage: vigie inspect [-c FILE] NAME\n");
			return 2;
		}
		path = optarg;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: vigie inspect [-c FILE] NAME\n");
		return 2;
	}
	if ((conf = conf_open(path, &an, &diag)) == NULL) {
		diag_print(&diag);
		return 1;
	}
	if ((s = conf_find_source(conf, argv[optind])) == NULL) {
		fprintf(stderr, "vigie: %s: no source \"%s\"\n", path,
		    argv[optind]);
		rc = 1;
	} else {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = inspect(conf, an, s);
		curl_global_cleanup();
	}
	analyzer_free(an);
	conf_free(conf);
	return rc;
}

int
cmd_discover(int argc, char **argv)
{
	struct fetch_response resp;
	struct discovered *found = NULL;
	size_t n = 0;
	int rc = 1;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vigie discover URL\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (fetch_now(argv[1], "vigie/" VIGIE_VERSION, &resp) == 0) {
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
				fprintf(
				    stderr, "vigie: %s: no feed found\n", base);
			rc = n > 0 ? 0 : 1;
			discovered_free(found, n);
		} else {
			fprintf(stderr, "vigie: %s: %s\n", base, err);
		}
		response_free(&resp);
	}
	curl_global_cleanup();
	return rc;
}
