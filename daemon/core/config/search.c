/*
 * search.c - the sources a watch's search key generates (see search.h).
 *
 * A generated source is named after its watch and engine ("search: acme
 * (google-news fr)"), so that a changed query changes the URL of the same
 * source (its history stays) and a removed engine leaves it out of the
 * configuration, which is how the database stops polling it.
 */
#include "core/config/search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/match/translate.h"
#include "core/read/url.h"

/* Mastodon's tag timeline takes a tag and four more (any[]). */
#define MASTODON_TAGS 5
/* The languages a news engine is asked in when the watch names none. */
#define NEWS_LANGS "fr,en"

static const char *const engines[] = { "google-news", "bing-news", "reddit",
	"mastodon", "hackernews", "youtube" };

int
search_engine_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(engines); i++)
		if (strcmp(name, engines[i]) == 0)
			return 1;
	return 0;
}

/* What one watch's sources are made from. */
struct maker {
	struct conf *c;
	const struct conf_watch *w;
	const struct qnode *q;
	search_add_fn *add;
	struct diag *diag;
};

static struct conf_source *
make(struct maker *m, int type, const char *name_fmt, const char *a,
    const char *b)
{
	char *name = xasprintf(name_fmt, m->w->name, a, b);
	struct conf_source *s = NULL;
	int line = m->w->search_line ? m->w->search_line : m->w->line;

	if (conf_find_source(m->c, name) != NULL) {
		diag_add(m->diag, m->w->file, line,
		    "watch \"%s\": search: a source is already named \"%s\"",
		    m->w->name, name);
	} else {
		s = m->add(m->c, name, m->w->file, line);
		s->type = type;
		s->watch = xstrdup(m->w->name);
		s->tags = xstrdup("search");
		s->interval_ms = m->c->search.interval_ms
		    ? m->c->search.interval_ms
		    : m->c->poll.interval_ms;
		s->pages = 1;
	}
	free(name);
	return s;
}

/* An edition of the news engines: language and country ("fr", "FR"). */
static void
edition(const char *lang, char hl[8], char cc[8])
{
	size_t n = strcspn(lang, "-_");

	snprintf(hl, 8, "%.*s", (int)(n < 3 ? n : 3), lang);
	if (lang[n] != '\0' && strlen(lang + n + 1) == 2)
		snprintf(cc, 8, "%s", lang + n + 1);
	else if (strcmp(hl, "en") == 0)
		snprintf(cc, 8, "US");
	else
		snprintf(cc, 8, "%s", hl);
	for (char *p = cc; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* Google News' and Bing News' RSS searches, one per language. */
static void
news(struct maker *m, const char *engine, const char *langs, const char *base)
{
	char *q[TRANSLATE_MAX] = { 0 };
	char *list = xstrdup(langs), *save = NULL;

	if (query_translate(m->q, DIALECT_WEB, q) != 1) {
		diag_add(m->diag, m->w->file, m->w->search_line,
		    "watch \"%s\": search: nothing in the query that %s can "
		    "search for",
		    m->w->name, engine);
		free(list);
		return;
	}
	for (char *lang = strtok_r(list, ", ", &save); lang != NULL;
	     lang = strtok_r(NULL, ", ", &save)) {
		struct conf_source *s =
		    make(m, SOURCE_FEED, "search: %s (%s %s)", engine, lang);
		char hl[8], cc[8], ceid[20], full[20];

		if (s == NULL)
			continue;
		edition(lang, hl, cc);
		snprintf(ceid, sizeof ceid, "%s:%s", cc, hl);
		/* Google's interface language: en-GB, or en-US for en. */
		snprintf(full, sizeof full, "%s-%s", hl, cc);
		s->lang = xstrdup(lang);
		if (strcmp(engine, "google-news") == 0)
			s->url = url_add_params(
			    xstrdup(base
			            ? base
			            : "https://news.google.com/rss/search"),
			    (const char *const[]){ "q", q[0], "hl",
			        strcmp(hl, "en") == 0 ? full : hl, "gl", cc,
			        "ceid", ceid, NULL });
		else
			s->url = url_add_params(
			    xstrdup(base ? base
			                 : "https://www.bing.com/news/search"),
			    (const char *const[]){ "q", q[0], "format", "rss",
			        "setlang", hl, "cc", cc, NULL });
	}
	free(list);
	free(q[0]);
}

/* A platform engine's source: its API's query in the engine's dialect,
 * through the [search] address when one is set. */
static void
platform(struct maker *m, const char *engine, int type, enum dialect d,
    const char *base, const char *lang)
{
	char *q[TRANSLATE_MAX] = { 0 };
	int n = query_translate(m->q, d, q);

	if (n <= 0) {
		diag_add(m->diag, m->w->file, m->w->search_line,
		    n == 0 ? "watch \"%s\": search: nothing in the query that "
		             "%s can search for"
		           : "watch \"%s\": search: %s takes no OR: at most "
		             "four alternatives, each searched on its own",
		    m->w->name, engine);
		return;
	}
	for (int i = 0; i < n; i++) {
		char nth[16] = "";
		struct conf_source *s;

		/* The first keeps the plain name: a query that gains an
		 * alternative keeps its source and history. */
		if (i > 0)
			snprintf(nth, sizeof nth, " %d", i + 1);
		s = make(m, type, "search: %s (%s%s)", engine, nth);
		if (s == NULL)
			continue;
		s->query = q[i];
		q[i] = NULL;
		s->url = base ? xstrdup(base) : NULL;
		s->lang = lang ? xstrdup(lang) : NULL;
		if (type == SOURCE_YOUTUBE && m->c->search.youtube_key_file)
			s->token_file = xstrdup(m->c->search.youtube_key_file);
	}
	for (int i = 0; i < n; i++)
		free(q[i]);
}

/* Mastodon: the tag timeline of the query's hashtags, on each instance
 * [search] mastodon lists. */
static void
mastodon(struct maker *m)
{
	char *tags = query_hashtags(m->q, MASTODON_TAGS);
	char *list, *save = NULL;

	if (m->c->search.mastodon == NULL || tags == NULL) {
		diag_add(m->diag, m->w->file, m->w->search_line,
		    tags == NULL
		        ? "watch \"%s\": search: no word of the query makes a "
		          "hashtag for mastodon"
		        : "watch \"%s\": search: mastodon needs the instances "
		          "to ask, in [search] mastodon",
		    m->w->name);
		free(tags);
		return;
	}
	list = xstrdup(m->c->search.mastodon);
	for (char *inst = strtok_r(list, ", ", &save); inst != NULL;
	     inst = strtok_r(NULL, ", ", &save)) {
		/* A host name, or the instance's URL. */
		char *url = strstr(inst, "://") ? xstrdup(inst)
		                                : xasprintf("https://%s", inst);
		char *host = url_host(url);
		struct conf_source *s = host
		    ? make(m, SOURCE_MASTODON, "search: %s (%s %s)", "mastodon",
		          host)
		    : NULL;

		if (host == NULL)
			diag_add(m->diag, m->c->path, 0,
			    "[search] mastodon: '%s' is not an instance", inst);
		if (s != NULL) {
			s->url = url;
			url = NULL;
			s->tag = xstrdup(tags);
		}
		free(url);
		free(host);
	}
	free(list);
	free(tags);
}

static void
watch_sources(struct maker *m)
{
	const struct conf_search *cs = &m->c->search;
	const char *langs = m->w->search_lang ? m->w->search_lang : m->w->lang;
	char *list = xstrdup(m->w->search), *save = NULL;
	/* YouTube ranks by one language; the news engines have editions. */
	char *first = langs ? xstrndup(langs, strcspn(langs, ",")) : NULL;

	for (char *e = strtok_r(list, ", ", &save); e != NULL;
	     e = strtok_r(NULL, ", ", &save)) {
		if (strcmp(e, "google-news") == 0 ||
		    strcmp(e, "bing-news") == 0)
			news(m, e, langs ? langs : NEWS_LANGS,
			    e[0] == 'g' ? cs->google_news_url
			                : cs->bing_news_url);
		else if (strcmp(e, "reddit") == 0)
			platform(m, e, SOURCE_REDDIT, DIALECT_REDDIT,
			    cs->reddit_url, NULL);
		else if (strcmp(e, "hackernews") == 0)
			platform(m, e, SOURCE_HACKERNEWS, DIALECT_ALGOLIA,
			    cs->hackernews_url, NULL);
		else if (strcmp(e, "youtube") == 0)
			platform(m, e, SOURCE_YOUTUBE, DIALECT_YOUTUBE,
			    cs->youtube_url, first);
		else if (strcmp(e, "mastodon") == 0)
			mastodon(m);
	}
	free(first);
	free(list);
}

void
search_sources(struct conf *c, search_add_fn *add, struct diag *diag)
{
	for (size_t i = 0; i < c->nwatches; i++) {
		const struct conf_watch *w = &c->watches[i];
		struct query_error qerr;
		struct maker m = { c, w, NULL, add, diag };
		struct qnode *q;

		if (w->search == NULL || w->query == NULL)
			continue;
		/* A query that does not parse is said by the analyzer. */
		if ((q = query_parse(w->query, &qerr)) == NULL)
			continue;
		m.q = q;
		watch_sources(&m);
		query_free(q);
	}
}
