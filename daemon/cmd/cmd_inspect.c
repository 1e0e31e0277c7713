/*
 * cmd_inspect.c - `vigie inspect [-c FILE] NAME`: one source fetched now,
 * through the daemon's own fetcher and reader (source.h), and what it
 * gives printed item by item, so that a rule can be got right before it
 * runs unattended.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"
#include "core/read/feed.h"
#include "core/read/source.h"
#include "core/read/url.h"
#include "service/net/fetch_now.h"

#define INSPECT_TIMEOUT_MS 30000
#define INSPECT_MAX_BODY (16 * 1024 * 1024)

/* One page, with what the source's API asks of a request; or -1 after
 * saying why. */
static int
fetch_page(const struct conf_source *s, const char *url, const char *user_agent,
    struct fetched_page *out)
{
	char *err;

	if (fetch_now_source(s, url, user_agent, INSPECT_TIMEOUT_MS,
	        INSPECT_MAX_BODY, out, &err) == 0)
		return 0;
	log_user("%s", err);
	free(err);
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
    struct analyze_scratch *scratch)
{
	struct item_analysis ia;
	char when[DATE_RFC3339_LEN];

	printf("- %s\n", it->title ? it->title : "(no title)");
	print_field("link", it->link);
	print_field("author", it->author);
	/* An alert's or news search's article: its publisher. */
	print_field("via", it->relayed_from);
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
	struct feed *held = NULL;
	struct analyze_scratch scratch = { 0 };
	size_t total = 0;
	int rc = 0;

	for (int page = 1, hops = 0; url != NULL && page <= s->pages;) {
		struct fetched_page resp;
		struct source_result res;
		enum source_verdict v;
		const char *at;
		char *link = NULL;

		fflush(stdout);
		if (fetch_page(s, url, conf->poll.user_agent, &resp) == -1) {
			/* A later page that fails ends the walk, not the
			 * inspection; the first, or the feed found on it,
			 * fails it. */
			rc = page == 1;
			break;
		}
		at = resp.final_url ? resp.final_url : url;
		if (held != NULL)
			v = source_continue(
			    s, held, resp.body.data, resp.body.len, at, &res);
		else
			v = source_read(s, resp.body.data ? resp.body.data : "",
			    resp.body.len, at, resp.content_type,
			    now_real_ms() / 1000, &res);
		held = NULL;
		if (resp.link_next != NULL && source_pages_by_link(s))
			link = url_resolve(at, resp.link_next);
		fetched_page_clear(&resp);
		free(url);
		url = NULL;
		if (v == SOURCE_ERROR) {
			free(link);
			log_user("%s: %s", s->name, res.err);
			source_result_clear(&res);
			rc = 1;
			break;
		}
		/* A platform's next step completes these items. */
		if (res.more && hops++ < 3) {
			held = res.feed;
			res.feed = NULL;
			url = res.next;
			res.next = NULL;
			free(link);
			source_result_clear(&res);
			continue;
		}
		if (link != NULL) {
			free(res.next);
			res.next = url_is_http(link) ? link : NULL;
			if (res.next == NULL)
				free(link);
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
		/* preset = reviews has no rules to say anything of. */
		if (s->type == SOURCE_HTML &&
		    (s->preset == NULL || strcasecmp(s->preset, "reviews")))
			print_stats(s, &res.stats);
		if (res.next != NULL && ++page <= s->pages)
			url = xstrdup(res.next);
		source_result_clear(&res);
	}
	free(url);
	feed_free(held);
	analyze_scratch_clear(&scratch);
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
			log_plain("usage: vigie inspect [-c FILE] NAME");
			return 2;
		}
		path = optarg;
	}
	if (optind != argc - 1) {
		log_plain("usage: vigie inspect [-c FILE] NAME");
		return 2;
	}
	if ((conf = conf_open(path, &an, &diag)) == NULL) {
		diag_print(&diag);
		return 1;
	}
	if ((s = conf_find_source(conf, argv[optind])) == NULL) {
		log_user("%s: no source \"%s\"\n", path, argv[optind]);
		rc = 1;
	} else {
		rc = inspect(conf, an, s);
	}
	analyzer_free(an);
	conf_free(conf);
	return rc;
}
