/*
 * platform_read.c - each platform's answers read into items (see
 * platform.h), field by field as its API documents them: Mastodon's
 * Status, Bluesky's PostView, Reddit's Listing, YouTube's search, video
 * and channel resources, X's v2 tweets with their expanded users, and
 * Hacker News' Algolia hits. A field missing or of another kind is
 * nothing; an answer without the array expected is an error.
 */
#include "core/read/platform.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/json_doc.h"
#include "core/read/json_source.h"
#include "core/read/url.h"

/* Where a post's fields are read: one per platform; root is the whole
 * answer (X's users are beside its posts). */
typedef void read_post_fn(json_t *post, json_t *root, struct item *);

/* Two counts that mean one thing (reposts and quotes both share). */
static void
count_add(struct item *it, int e, json_t *v)
{
	int64_t n = json_doc_count(v);

	if (n >= 0) {
		it->engagement[e] =
		    (it->engaged & (1u << e) ? it->engagement[e] : 0) + n;
		it->engaged |= 1u << e;
	}
}

static const char *
str(json_t *v, const char *path)
{
	json_t *s = json_doc_at(v, path);
	const char *t = json_string_value(s);

	/* A string cut by a NUL would be another one. */
	return t != NULL && strlen(t) == json_string_length(s) && t[0] != '\0'
	    ? t
	    : NULL;
}

/* Reddit's link to a post from its permalink ("/r/x/comments/..."). */
static char *
reddit_link(const char *permalink)
{
	char *url;

	if (permalink == NULL || permalink[0] != '/' || permalink[1] == '/')
		return NULL;
	url = xasprintf("https://www.reddit.com%s", permalink);
	if (!url_is_http(url)) {
		free(url);
		return NULL;
	}
	return url;
}

/* The name a person shows, else their handle. */
static char *
display(json_t *who, const char *name, const char *handle)
{
	char *n = json_doc_prose(json_doc_at(who, name));

	return n != NULL ? n : json_doc_prose(json_doc_at(who, handle));
}

/* Mastodon's Status (docs.joinmastodon.org/entities/Status). A boost
 * carries the boosted status, which is the post. */
static void
mastodon_post(json_t *o, json_t *root, struct item *it)
{
	json_t *acct;

	(void)root;
	if (json_is_object(json_object_get(o, "reblog")))
		o = json_object_get(o, "reblog");
	acct = json_object_get(o, "account");
	it->id = json_doc_scalar(json_object_get(o, "uri"));
	it->link = json_doc_link(json_object_get(o, "url"), NULL);
	if (it->link == NULL)
		it->link = json_doc_link(json_object_get(o, "uri"), NULL);
	it->content = json_doc_prose(json_object_get(o, "content"));
	it->title = json_doc_prose(json_object_get(o, "spoiler_text"));
	it->lang = json_doc_scalar(json_object_get(o, "language"));
	it->published = json_doc_date(json_object_get(o, "created_at"));
	it->author = display(acct, "display_name", "acct");
	it->author_url = json_doc_link(json_object_get(acct, "url"), NULL);
	json_post_count(it, ENG_LIKES, json_object_get(o, "favourites_count"));
	json_post_count(it, ENG_SHARES, json_object_get(o, "reblogs_count"));
	json_post_count(it, ENG_REPLIES, json_object_get(o, "replies_count"));
	json_post_count(
	    it, ENG_FOLLOWERS, json_object_get(acct, "followers_count"));
}

/* Bluesky's app.bsky.feed.defs#postView: an at:// URI, its author's
 * handle, the record's text; the web link is bsky.app's. A feed's entry
 * (getAuthorFeed) holds it under "post". */
static void
bluesky_post(json_t *o, json_t *root, struct item *it)
{
	const char *uri, *handle, *rkey;
	json_t *author, *record;

	(void)root;
	if (json_is_object(json_object_get(o, "post")))
		o = json_object_get(o, "post");
	author = json_object_get(o, "author");
	record = json_object_get(o, "record");
	uri = str(o, "uri");
	handle = str(author, "handle");
	rkey = uri ? strrchr(uri, '/') : NULL;
	it->id = uri ? xstrdup(uri) : NULL;
	if (rkey != NULL && handle != NULL && url_is_segment(handle) &&
	    url_is_segment(rkey + 1))
		it->link = xasprintf(
		    "https://bsky.app/profile/%s/post/%s", handle, rkey + 1);
	if (handle != NULL && url_is_segment(handle))
		it->author_url =
		    xasprintf("https://bsky.app/profile/%s", handle);
	it->content = json_doc_prose(json_object_get(record, "text"));
	it->lang = json_doc_scalar(json_doc_at(record, "langs.0"));
	it->published = json_doc_date(json_object_get(record, "createdAt"));
	if (it->published == DATE_NONE)
		it->published = json_doc_date(json_object_get(o, "indexedAt"));
	it->author = display(author, "displayName", "handle");
	json_post_count(it, ENG_LIKES, json_object_get(o, "likeCount"));
	json_post_count(it, ENG_SHARES, json_object_get(o, "repostCount"));
	count_add(it, ENG_SHARES, json_object_get(o, "quoteCount"));
	json_post_count(it, ENG_REPLIES, json_object_get(o, "replyCount"));
	json_post_count(
	    it, ENG_FOLLOWERS, json_object_get(author, "followersCount"));
}

/* Reddit's Listing children: t3 a post, t1 a comment (its text in body,
 * its thread's title in link_title). */
static void
reddit_post(json_t *o, json_t *root, struct item *it)
{
	json_t *d = json_object_get(o, "data");
	const char *permalink = str(d, "permalink"), *author = str(d, "author");

	(void)root;
	it->id = json_doc_scalar(json_object_get(d, "name"));
	it->link = reddit_link(permalink);
	it->title = json_doc_prose(json_object_get(d, "title"));
	if (it->title == NULL)
		it->title = json_doc_prose(json_object_get(d, "link_title"));
	it->content = json_doc_prose(json_object_get(d, "selftext"));
	if (it->content == NULL)
		it->content = json_doc_prose(json_object_get(d, "body"));
	it->published = json_doc_date(json_object_get(d, "created_utc"));
	/* "[deleted]" is nobody's name. */
	if (author != NULL && strcmp(author, "[deleted]") != 0) {
		it->author = xstrdup(author);
		if (url_is_segment(author))
			it->author_url =
			    xasprintf("https://www.reddit.com/user/%s", author);
	}
	json_post_count(it, ENG_LIKES, json_object_get(d, "score"));
	json_post_count(it, ENG_REPLIES, json_object_get(d, "num_comments"));
}

/* Hacker News through Algolia: a story (title, url, story_text) or a
 * comment (comment_text, story_title); the link is the discussion. */
static void
hackernews_post(json_t *o, json_t *root, struct item *it)
{
	const char *id = str(o, "objectID"), *author = str(o, "author");

	(void)root;
	it->id = id ? xasprintf("hn:%s", id) : NULL;
	if (id != NULL && url_is_segment(id))
		it->link =
		    xasprintf("https://news.ycombinator.com/item?id=%s", id);
	it->title = json_doc_prose(json_object_get(o, "title"));
	if (it->title == NULL)
		it->title = json_doc_prose(json_object_get(o, "story_title"));
	it->content = json_doc_prose(json_object_get(o, "story_text"));
	if (it->content == NULL)
		it->content =
		    json_doc_prose(json_object_get(o, "comment_text"));
	if (it->content == NULL)
		it->content = json_doc_link(json_object_get(o, "url"), NULL);
	it->published = json_doc_date(json_object_get(o, "created_at_i"));
	if (it->published == DATE_NONE)
		it->published = json_doc_date(json_object_get(o, "created_at"));
	if (author != NULL) {
		it->author = xstrdup(author);
		if (url_is_segment(author))
			it->author_url = xasprintf(
			    "https://news.ycombinator.com/user?id=%s", author);
	}
	json_post_count(it, ENG_LIKES, json_object_get(o, "points"));
	json_post_count(it, ENG_REPLIES, json_object_get(o, "num_comments"));
}

/* X's API v2 tweet, its author found among includes.users. */
static void
x_post(json_t *o, json_t *root, struct item *it)
{
	const char *id = str(o, "id"), *author_id = str(o, "author_id");
	json_t *users = json_doc_at(root, "includes.users"), *u, *user = NULL;
	json_t *m = json_object_get(o, "public_metrics");
	const char *username;
	size_t i;

	json_array_foreach(users, i, u)
	{
		const char *uid = str(u, "id");

		if (author_id != NULL && uid != NULL &&
		    strcmp(uid, author_id) == 0) {
			user = u;
			break;
		}
	}
	username = str(user, "username");
	it->id = id ? xasprintf("x:%s", id) : NULL;
	if (id != NULL && username != NULL && url_is_segment(id) &&
	    url_is_segment(username)) {
		it->link =
		    xasprintf("https://x.com/%s/status/%s", username, id);
		it->author_url = xasprintf("https://x.com/%s", username);
	}
	it->content = json_doc_prose(json_object_get(o, "text"));
	it->lang = json_doc_scalar(json_object_get(o, "lang"));
	it->published = json_doc_date(json_object_get(o, "created_at"));
	it->author = display(user, "name", "username");
	json_post_count(it, ENG_LIKES, json_object_get(m, "like_count"));
	json_post_count(it, ENG_SHARES, json_object_get(m, "retweet_count"));
	count_add(it, ENG_SHARES, json_object_get(m, "quote_count"));
	json_post_count(it, ENG_REPLIES, json_object_get(m, "reply_count"));
	json_post_count(it, ENG_VIEWS, json_object_get(m, "impression_count"));
	json_post_count(it, ENG_FOLLOWERS,
	    json_doc_at(user, "public_metrics.followers_count"));
}

/* YouTube's search result or video resource: its snippet. */
static void
youtube_video(json_t *o, json_t *root, struct item *it)
{
	json_t *sn = json_object_get(o, "snippet");
	const char *id = str(o, "id.videoId"), *channel = str(sn, "channelId");

	(void)root;
	if (id == NULL)
		id = str(o, "id");
	it->id = id ? xstrdup(id) : NULL;
	if (id != NULL && url_is_segment(id))
		it->link = xasprintf("https://www.youtube.com/watch?v=%s", id);
	it->title = json_doc_prose(json_object_get(sn, "title"));
	it->content = json_doc_prose(json_object_get(sn, "description"));
	it->published = json_doc_date(json_object_get(sn, "publishedAt"));
	it->author = json_doc_prose(json_object_get(sn, "channelTitle"));
	if (channel != NULL && url_is_segment(channel))
		it->author_url =
		    xasprintf("https://www.youtube.com/channel/%s", channel);
	it->lang = json_doc_scalar(json_object_get(sn, "defaultAudioLanguage"));
}

/* What a platform's reader reads a post with. */
struct platform_post {
	read_post_fn *read;
	json_t *root;
};

/* A post needs a link to be shown and found again, and something to
 * say. */
static int
read_one(json_t *o, const void *arg, struct item *it)
{
	const struct platform_post *pp = arg;

	pp->read(o, pp->root, it);
	return (it->title != NULL || it->content != NULL) && it->link != NULL;
}

static struct feed *
posts(json_t *array, json_t *root, read_post_fn *read)
{
	return json_posts(
	    array, read_one, &(struct platform_post){ read, root });
}

/* url with its cursor parameter set from the answer's, or NULL. */
static char *
cursor_next(json_t *root, const char *path, const char *url, const char *param)
{
	char *cursor = json_doc_scalar(json_doc_at(root, path));
	char *next = cursor != NULL ? url_with_param(url, param, cursor) : NULL;

	free(cursor);
	return next;
}

/* Algolia pages by number: page 0 first, nbPages of them. */
static char *
page_next(json_t *root, const char *url)
{
	int64_t page = json_doc_count(json_object_get(root, "page"));
	int64_t pages = json_doc_count(json_object_get(root, "nbPages"));
	char n[32];

	if (page < 0 || pages < 0 || page + 1 >= pages)
		return NULL;
	snprintf(n, sizeof n, "%lld", (long long)page + 1);
	return url_with_param(url, "page", n);
}

/* An item of held by its id (YouTube's video id), or NULL. */
static struct item *
held_item(struct feed *held, const char *id)
{
	for (size_t i = 0; held != NULL && id != NULL && i < held->nitems; i++)
		if (held->items[i].id && strcmp(held->items[i].id, id) == 0)
			return &held->items[i];
	return NULL;
}

/* The id of a YouTube channel from its URL, or NULL. */
static const char *
channel_of(const struct item *it)
{
	const char *slash =
	    it->author_url ? strrchr(it->author_url, '/') : NULL;

	return slash != NULL && url_is_segment(slash + 1) ? slash + 1 : NULL;
}

/* The ids id= takes for f's videos, or with channels their channels: at
 * most 50 (YouTube's limit), comma-separated, none twice; NULL if none. */
static char *
id_list(const struct feed *f, int channels)
{
	const char *ids[50];
	size_t n = 0;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < f->nitems && n < ARRAY_LEN(ids); i++) {
		const char *v =
		    channels ? channel_of(&f->items[i]) : f->items[i].id;
		size_t k = 0;

		if (v == NULL || !url_is_segment(v))
			continue;
		while (k < n && strcmp(ids[k], v) != 0)
			k++;
		if (k < n)
			continue;
		ids[n++] = v;
		buf_printf(&b, "%s%s", b.len ? "," : "", v);
	}
	if (n == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_release(&b);
}

/* The YouTube resource after url's: videos' statistics, then channels'
 * subscribers (same API, same key). */
static char *
youtube_step(const char *url, const char *resource, const char *ids)
{
	char *base = url_resolve(url, resource), *part, *next = NULL;

	/* search?q=... resolves to videos (no query): only ours are set. */
	part = base ? url_with_param(base, "part", "statistics") : NULL;
	next = part ? url_with_param(part, "id", ids) : NULL;
	free(part);
	free(base);
	return next;
}

/* YouTube in three steps: a search gives the videos; "videos" their
 * views, likes and comments; "channels" their channels' subscribers. */
static int
youtube_read(json_t *root, const char *url, struct platform_answer *a,
    char *err, size_t errlen)
{
	const char *kind = str(root, "kind");
	json_t *items = json_object_get(root, "items"), *o;
	size_t i;
	char *ids;

	if (kind == NULL || !json_is_array(items))
		return err_set(err, errlen, "not an answer of YouTube's API");
	if (strcmp(kind, "youtube#searchListResponse") == 0) {
		feed_free(a->feed);
		a->feed = posts(items, root, youtube_video);
		if ((ids = id_list(a->feed, 0)) != NULL) {
			a->next = youtube_step(url, "videos", ids);
			a->more = a->next != NULL;
		}
		free(ids);
		return 0;
	}
	if (a->feed == NULL)
		return err_set(
		    err, errlen, "YouTube's %s without a search", kind);
	if (strcmp(kind, "youtube#videoListResponse") == 0) {
		json_array_foreach(items, i, o)
		{
			struct item *it = held_item(a->feed, str(o, "id"));
			json_t *st = json_object_get(o, "statistics");

			if (it == NULL)
				continue;
			json_post_count(
			    it, ENG_VIEWS, json_object_get(st, "viewCount"));
			json_post_count(
			    it, ENG_LIKES, json_object_get(st, "likeCount"));
			json_post_count(it, ENG_REPLIES,
			    json_object_get(st, "commentCount"));
		}
		if ((ids = id_list(a->feed, 1)) != NULL) {
			a->next = youtube_step(url, "channels", ids);
			a->more = a->next != NULL;
		}
		free(ids);
		return 0;
	}
	if (strcmp(kind, "youtube#channelListResponse") == 0) {
		json_array_foreach(items, i, o)
		{
			const char *id = str(o, "id");
			json_t *st = json_object_get(o, "statistics");

			/* A channel may hide its count. */
			if (id == NULL ||
			    json_is_true(
			        json_object_get(st, "hiddenSubscriberCount")))
				continue;
			for (size_t k = 0; k < a->feed->nitems; k++) {
				struct item *it = &a->feed->items[k];
				const char *c = channel_of(it);

				if (c != NULL && strcmp(c, id) == 0)
					json_post_count(it, ENG_FOLLOWERS,
					    json_object_get(
					        st, "subscriberCount"));
			}
		}
		return 0;
	}
	return err_set(err, errlen, "YouTube's %s is not read", kind);
}

/* A Mastodon account looked up: its statuses are the posts. */
static int
mastodon_account(json_t *root, const char *url, struct platform_answer *a,
    char *err, size_t errlen)
{
	const char *id = str(root, "id");
	char *rel;

	if (id == NULL || !url_is_segment(id))
		return err_set(err, errlen, "no account in the answer");
	rel = xasprintf("/api/v1/accounts/%s/statuses?limit=40"
	                "&exclude_replies=false",
	    id);
	a->next = url_resolve(url, rel);
	free(rel);
	a->more = a->next != NULL;
	/* The items a step before held are not this account's: a server
	 * answering a statuses step with an account again starts over. */
	feed_free(a->feed);
	a->feed = xcalloc(1, sizeof *a->feed);
	return 0;
}

static int
read_answer(int type, json_t *root, const char *url, struct platform_answer *a,
    char *err, size_t errlen)
{
	json_t *array = NULL;
	read_post_fn *read = NULL;

	switch (type) {
	case SOURCE_MASTODON:
		if (json_is_object(root) && json_object_get(root, "acct"))
			return mastodon_account(root, url, a, err, errlen);
		/* A timeline is an array; a search, its statuses. */
		array = json_is_array(root) ? root
		                            : json_object_get(root, "statuses");
		read = mastodon_post;
		break;
	case SOURCE_BLUESKY:
		array = json_object_get(root, "posts");
		if (array == NULL)
			array = json_object_get(root, "feed");
		read = bluesky_post;
		a->next = cursor_next(root, "cursor", url, "cursor");
		break;
	case SOURCE_REDDIT:
		array = json_doc_at(root, "data.children");
		read = reddit_post;
		a->next = cursor_next(root, "data.after", url, "after");
		break;
	case SOURCE_HACKERNEWS:
		array = json_object_get(root, "hits");
		read = hackernews_post;
		a->next = page_next(root, url);
		break;
	case SOURCE_X:
		array = json_object_get(root, "data");
		/* No tweet found: no data, a count of 0. */
		if (array == NULL &&
		    json_doc_count(json_doc_at(root, "meta.result_count")) == 0)
			array = json_array();
		else
			json_incref(array);
		read = x_post;
		a->next =
		    cursor_next(root, "meta.next_token", url, "next_token");
		break;
	case SOURCE_YOUTUBE:
		return youtube_read(root, url, a, err, errlen);
	default:
		return err_set(err, errlen, "not a platform source");
	}
	if (!json_is_array(array)) {
		if (type == SOURCE_X)
			json_decref(array);
		free(a->next);
		a->next = NULL;
		return err_set(err, errlen,
		    "no posts in the answer of %s's API", platform_name(type));
	}
	feed_free(a->feed);
	a->feed = posts(array, root, read);
	if (type == SOURCE_X)
		json_decref(array);
	return 0;
}

int
platform_read(int type, const char *body, size_t len, const char *url,
    struct platform_answer *a, char *err, size_t errlen)
{
	int cut;
	json_t *root = json_doc_load(body, len, &cut, err, errlen);
	int rc;

	a->next = NULL;
	a->more = 0;
	rc = root != NULL ? read_answer(type, root, url, a, err, errlen) : -1;
	json_decref(root);
	if (rc == -1) {
		feed_free(a->feed);
		a->feed = NULL;
		free(a->next);
		a->next = NULL;
		a->more = 0;
		return -1;
	}
	if (cut && a->feed->skipped == NULL)
		a->feed->skipped = xasprintf(
		    "values nested deeper than %d left out", JSON_DOC_DEPTH);
	return 0;
}
