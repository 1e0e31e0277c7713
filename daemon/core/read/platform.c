/*
 * platform.c - the request a platform source's keys make (see
 * platform.h). Each platform's endpoints and parameters are those its API
 * documents; what a source may combine is checked here, so that a
 * mistake is a "FILE:LINE:" message at start rather than an HTTP 400
 * every poll.
 */
#include "core/read/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/url.h"

struct platform {
	const char *name;
	const char *base; /* the public API, when there is one */
	/* Which keys it takes, as a set of KEY_* bits; and which of them
	 * needs token_file. */
	unsigned keys, token_keys;
	const char *token_header;
};

enum { KEY_TAG = 1, KEY_QUERY = 2, KEY_ACCOUNT = 4 };

static const struct platform platforms[] = {
	[SOURCE_MASTODON] = { "mastodon", NULL,
	    KEY_TAG | KEY_QUERY | KEY_ACCOUNT, KEY_QUERY,
	    "Authorization: Bearer " },
	[SOURCE_BLUESKY] = { "bluesky", "https://public.api.bsky.app",
	    KEY_TAG | KEY_QUERY | KEY_ACCOUNT, 0, "Authorization: Bearer " },
	[SOURCE_REDDIT] = { "reddit", "https://www.reddit.com",
	    KEY_TAG | KEY_QUERY | KEY_ACCOUNT, 0, "Authorization: Bearer " },
	[SOURCE_YOUTUBE] = { "youtube", "https://www.googleapis.com/youtube/v3",
	    KEY_QUERY | KEY_ACCOUNT, KEY_QUERY | KEY_ACCOUNT,
	    "X-Goog-Api-Key: " },
	[SOURCE_X] = { "x", "https://api.x.com", KEY_QUERY | KEY_ACCOUNT,
	    KEY_QUERY | KEY_ACCOUNT, "Authorization: Bearer " },
	[SOURCE_HACKERNEWS] = { "hackernews", "https://hn.algolia.com",
	    KEY_QUERY | KEY_ACCOUNT, 0, "Authorization: Bearer " },
};

static const struct platform *
platform_of(int type)
{
	if (!SOURCE_IS_PLATFORM(type) || (size_t)type >= ARRAY_LEN(platforms))
		return NULL;
	return &platforms[type];
}

const char *
platform_name(int type)
{
	const struct platform *pf = platform_of(type);

	return pf ? pf->name : NULL;
}

const char *
platform_token_header(int type)
{
	const struct platform *pf = platform_of(type);

	return pf ? pf->token_header : "Authorization: Bearer ";
}

int
platform_pages_by_link(int type)
{
	return type == SOURCE_MASTODON;
}

/* The API's base: url without a trailing slash, or the public one. */
static char *
base_of(const struct conf_source *s, const struct platform *pf)
{
	const char *b = s->url ? s->url : pf->base;
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		n--;
	return xstrndup(b, n);
}

/* The source's single language (an API filters by one), or NULL. */
static char *
one_lang(const struct conf_source *s)
{
	if (s->lang == NULL || strchr(s->lang, ',') != NULL)
		return NULL;
	return xstrdup(s->lang);
}

static char *
mastodon(const struct conf_source *s, const char *base)
{
	char *url, *tags, *first, *rest;

	if (s->account != NULL) {
		url = xasprintf("%s/api/v1/accounts/lookup", base);
		return url_add_params(
		    url, (const char *const[]){ "acct", s->account, NULL });
	}
	if (s->query != NULL) {
		url = xasprintf("%s/api/v2/search", base);
		return url_add_params(url,
		    (const char *const[]){ "q", s->query, "type", "statuses",
		        "resolve", "false", "limit", "40", NULL });
	}
	/* One timeline for several tags: the first in the path, the
	 * others as any[] (Mastodon's "any of these"). */
	tags = xstrdup(s->tag);
	first = strtok_r(tags, ", #", &rest);
	url = xasprintf("%s/api/v1/timelines/tag/%s", base, first);
	url = url_add_params(url, (const char *const[]){ "limit", "40", NULL });
	for (char *t; url != NULL && (t = strtok_r(NULL, ", #", &rest));) {
		char *next = url_add_param(url, "any[]", t);

		free(url);
		url = next;
	}
	free(tags);
	return url;
}

static char *
bluesky(const struct conf_source *s, const char *base)
{
	char *lang = one_lang(s), *q, *url;

	if (s->account != NULL) {
		url = xasprintf("%s/xrpc/app.bsky.feed.getAuthorFeed", base);
		url = url_add_params(url,
		    (const char *const[]){ "actor", s->account, "filter",
		        "posts_no_replies", "limit", "100", NULL });
		free(lang);
		return url;
	}
	/* A tag is searched as the hashtag it is in a post's text. */
	q = s->query ? xstrdup(s->query)
	             : xasprintf("%s%s", s->tag[0] == '#' ? "" : "#", s->tag);
	url = xasprintf("%s/xrpc/app.bsky.feed.searchPosts", base);
	url = url_add_params(url,
	    (const char *const[]){
	        "q", q, "sort", "latest", "lang", lang, "limit", "100", NULL });
	free(q);
	free(lang);
	return url;
}

static char *
reddit(const struct conf_source *s, const char *base)
{
	const char *const common[] = { "limit", "100", "raw_json", "1", NULL };
	char *url;

	/* raw_json: text as written, not with &amp; for every &. */
	if (s->account != NULL)
		url = xasprintf("%s/user/%s/submitted.json", base, s->account);
	else if (s->query != NULL && s->tag != NULL)
		url = url_add_params(
		    xasprintf("%s/r/%s/search.json", base, s->tag),
		    (const char *const[]){ "q", s->query, "restrict_sr", "1",
		        "sort", "new", NULL });
	else if (s->query != NULL)
		url = url_add_params(xasprintf("%s/search.json", base),
		    (const char *const[]){
		        "q", s->query, "sort", "new", NULL });
	else
		url = xasprintf("%s/r/%s/new.json", base, s->tag);
	return url_add_params(url, common);
}

static char *
youtube(const struct conf_source *s, const char *base)
{
	char *lang = one_lang(s), *url;

	url = url_add_params(xasprintf("%s/search", base),
	    (const char *const[]){ "part", "snippet", "type", "video", "order",
	        "date", "maxResults", "50", "q", s->query, "channelId",
	        s->account, "relevanceLanguage", lang, NULL });
	free(lang);
	return url;
}

static char *
x_search(const struct conf_source *s, const char *base)
{
	char *lang = one_lang(s), *q, *url;

	/* X's search language: from:NAME, lang:fr. */
	if (s->account != NULL && s->query != NULL)
		q = xasprintf("from:%s (%s)", s->account, s->query);
	else if (s->account != NULL)
		q = xasprintf("from:%s", s->account);
	else
		q = xstrdup(s->query);
	if (lang != NULL) {
		char *with = xasprintf("(%s) lang:%s", q, lang);

		free(q);
		q = with;
	}
	url = url_add_params(xasprintf("%s/2/tweets/search/recent", base),
	    (const char *const[]){ "query", q, "max_results", "100",
	        "tweet.fields", "created_at,lang,public_metrics,author_id",
	        "expansions", "author_id", "user.fields",
	        "username,name,public_metrics", NULL });
	free(q);
	free(lang);
	return url;
}

static char *
hackernews(const struct conf_source *s, const char *base)
{
	char *author = s->account ? xasprintf("author_%s", s->account) : NULL;
	char *tags = xasprintf(
	    "(story,comment)%s%s", author ? "," : "", author ? author : "");
	char *url = url_add_params(xasprintf("%s/api/v1/search_by_date", base),
	    (const char *const[]){
	        "query", s->query, "tags", tags, "hitsPerPage", "100", NULL });

	free(author);
	free(tags);
	return url;
}

char *
platform_request(const struct conf_source *s, char *err, size_t errlen)
{
	const struct platform *pf = platform_of(s->type);
	unsigned given = (s->tag ? KEY_TAG : 0) | (s->query ? KEY_QUERY : 0) |
	    (s->account ? KEY_ACCOUNT : 0);
	char *base, *url = NULL;

	if (pf == NULL) {
		err_set(err, errlen, "not a platform source");
		return NULL;
	}
	if (pf->base == NULL && s->url == NULL) {
		err_set(err, errlen, "type = %s needs url, the instance's",
		    pf->name);
		return NULL;
	}
	if (given == 0 || (given & ~pf->keys) != 0) {
		err_set(err, errlen, "type = %s takes %s%s%s", pf->name,
		    pf->keys & KEY_TAG ? "tag, " : "",
		    pf->keys & KEY_QUERY ? "query" : "",
		    pf->keys & KEY_ACCOUNT ? " or account" : "");
		return NULL;
	}
	/* Mastodon's timelines are one of these at a time; elsewhere a
	 * query may narrow an account (X, YouTube) or a subreddit. */
	if (s->type == SOURCE_MASTODON && (given & (given - 1)) != 0) {
		err_set(err, errlen,
		    "type = mastodon takes one of tag, query and account");
		return NULL;
	}
	if ((given & pf->token_keys) != 0 && s->token_file == NULL) {
		err_set(err, errlen,
		    "type = %s%s needs token_file, the API's %s", pf->name,
		    s->type == SOURCE_MASTODON ? " with query" : "",
		    s->type == SOURCE_YOUTUBE ? "key" : "bearer token");
		return NULL;
	}
	if ((s->account && !url_is_segment(s->account)) ||
	    (s->tag && s->type == SOURCE_REDDIT && !url_is_segment(s->tag))) {
		err_set(err, errlen, "'%s' is not a name %s can have",
		    s->account ? s->account : s->tag, pf->name);
		return NULL;
	}
	if (s->tag && s->type == SOURCE_MASTODON) {
		if (strspn(s->tag, ", #") == strlen(s->tag)) {
			err_set(
			    err, errlen, "tag '%s' names no hashtag", s->tag);
			return NULL;
		}
		for (const char *t = s->tag; *t; t++)
			if (strchr(", #", *t) == NULL &&
			    !url_is_segment((char[]){ *t, '\0' })) {
				err_set(err, errlen,
				    "'%s' is not a list of hashtags", s->tag);
				return NULL;
			}
	}
	base = base_of(s, pf);
	if (!url_is_http(base)) {
		err_set(err, errlen, "url '%s' is not http(s)", base);
		free(base);
		return NULL;
	}
	switch (s->type) {
	case SOURCE_MASTODON:
		url = mastodon(s, base);
		break;
	case SOURCE_BLUESKY:
		url = bluesky(s, base);
		break;
	case SOURCE_REDDIT:
		url = reddit(s, base);
		break;
	case SOURCE_YOUTUBE:
		url = youtube(s, base);
		break;
	case SOURCE_X:
		url = x_search(s, base);
		break;
	case SOURCE_HACKERNEWS:
		url = hackernews(s, base);
		break;
	}
	free(base);
	if (url == NULL)
		err_set(err, errlen, "the request's URL cannot be written");
	return url;
}
