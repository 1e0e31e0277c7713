/*
 * json_source.c - posts out of any JSON API's answer (see json_source.h).
 */
#include "core/read/json_source.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/json_doc.h"
#include "core/read/text.h"
#include "core/read/url.h"

/* A path longer than this names nothing an API nests. */
#define PATH_MAX_LEN 256
#define PATH_MAX_KEYS 16
/* No API pages more posts than this at once. */
#define POSTS_MAX 10000

int
json_path_check(const char *path, char *err, size_t errlen)
{
	size_t keys = 1;

	if (path == NULL || path[0] == '\0')
		return err_set(err, errlen, "an empty path");
	if (strlen(path) > PATH_MAX_LEN)
		return err_set(
		    err, errlen, "a path longer than %d bytes", PATH_MAX_LEN);
	if (strcmp(path, ".") == 0)
		return 0;
	for (const char *p = path; *p; p++) {
		if (*p != '.')
			continue;
		if (p == path || p[1] == '\0' || p[1] == '.')
			return err_set(err, errlen,
			    "'%s': an empty key in the path", path);
		keys++;
	}
	if (keys > PATH_MAX_KEYS)
		return err_set(err, errlen, "'%s': more than %d keys", path,
		    PATH_MAX_KEYS);
	return 0;
}

/* The value at path under v, or NULL. A key of digits takes an array's
 * element. */
static json_t *
follow(json_t *v, const char *path)
{
	char key[PATH_MAX_LEN + 1];

	if (path == NULL || strlen(path) > PATH_MAX_LEN)
		return NULL;
	if (strcmp(path, ".") == 0)
		return v;
	while (v != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");
		char *end;

		memcpy(key, path, n);
		key[n] = '\0';
		path += n + (path[n] == '.');
		if (json_is_array(v)) {
			unsigned long i;

			errno = 0;
			i = strtoul(key, &end, 10);
			v = *end == '\0' && end != key && errno == 0
			    ? json_array_get(v, i)
			    : NULL;
		} else {
			v = json_object_get(v, key);
		}
	}
	return v;
}

/* A string, or a number as its text; NULL for anything else, and for a
 * string holding a NUL (an id or a URL cut there would be another). */
static char *
scalar_text(json_t *v)
{
	if (json_is_string(v)) {
		size_t len = json_string_length(v);
		const char *s = json_string_value(v);

		return len == strlen(s) && len > 0 ? xstrdup(s) : NULL;
	}
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.17g", json_real_value(v));
	return NULL;
}

/* Text for people: markup read as text when the value looks like HTML,
 * white space folded; NULL when empty. */
static char *
prose(json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	char *out;

	if (s == NULL || len == 0)
		return NULL;
	/* NULs dropped: text is not cut at one. */
	out = strchr(s, '<') != NULL && strchr(s, '>') != NULL
	    ? text_from_html(s, len)
	    : text_collapse(s, len);
	if (out[0] == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

static int64_t
date_of(json_t *v)
{
	if (json_is_number(v)) {
		double t = json_number_value(v);

		/* Milliseconds, as JavaScript's APIs give them. */
		if (t > 1e11)
			t /= 1000;
		return t >= 0 && t < 253402300800.0 ? (int64_t)t : DATE_NONE;
	}
	if (json_is_string(v) &&
	    json_string_length(v) == strlen(json_string_value(v)))
		return date_parse(json_string_value(v));
	return DATE_NONE;
}

/* A count: a non-negative number, or a string of one; -1 for none. */
static int64_t
count_of(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
	if (json_is_real(v))
		return json_real_value(v) >= 0 && json_real_value(v) < 9e18
		    ? (int64_t)json_real_value(v)
		    : -1;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		long long n;

		errno = 0;
		n = strtoll(s, &end, 10);
		return end != s && *end == '\0' && errno == 0 && n >= 0 ? n
		                                                        : -1;
	}
	return -1;
}

/* An absolute http(s) URL from a link in the answer, or NULL. */
static char *
link_of(json_t *v, const char *url)
{
	char *s = scalar_text(v), *abs;

	if (s == NULL)
		return NULL;
	abs = url != NULL ? url_resolve(url, s) : NULL;
	free(s);
	if (abs != NULL && !url_is_http(abs)) {
		free(abs);
		abs = NULL;
	}
	return abs;
}

static void
read_post(
    const struct json_paths *p, json_t *o, const char *url, struct item *it)
{
	it->id = scalar_text(follow(o, p->id));
	it->link = link_of(follow(o, p->link), url);
	it->title = prose(follow(o, p->title));
	it->content = prose(follow(o, p->text));
	it->author = prose(follow(o, p->author));
	it->author_url = link_of(follow(o, p->profile), url);
	it->published = date_of(follow(o, p->date));
	it->updated = DATE_NONE;
	for (int e = 0; e < ENG_COUNT; e++) {
		int64_t n = count_of(follow(o, p->engagement[e]));

		if (n >= 0) {
			it->engagement[e] = n;
			it->engaged |= 1u << e;
		}
	}
}

int
json_source_read(const struct json_paths *p, const char *body, size_t len,
    const char *url, struct feed **out, char **next, char *err, size_t errlen)
{
	int cut;
	json_t *root = json_doc_load(body, len, &cut, err, errlen);
	json_t *posts, *o;
	struct feed *f;
	size_t i;

	*out = NULL;
	*next = NULL;
	if (root == NULL)
		return -1;
	posts = follow(root, p->items);
	if (!json_is_array(posts)) {
		json_decref(root);
		return err_set(err, errlen, "no array of posts at '%s'",
		    p->items ? p->items : "");
	}
	f = xcalloc(1, sizeof *f);
	f->items = xcalloc(json_array_size(posts) + 1, sizeof *f->items);
	json_array_foreach(posts, i, o)
	{
		struct item *it;

		if (f->nitems == POSTS_MAX) {
			f->skipped = xasprintf(
			    "posts past the %dth left out", POSTS_MAX);
			break;
		}
		if (!json_is_object(o))
			continue;
		it = &f->items[f->nitems];
		read_post(p, o, url, it);
		/* A post with nothing to say or to find it by is none. */
		if (it->title == NULL && it->content == NULL &&
		    it->link == NULL) {
			item_clear(it);
			continue;
		}
		f->nitems++;
	}
	if (cut && f->skipped == NULL)
		f->skipped = xasprintf(
		    "values nested deeper than %d left out", JSON_DOC_DEPTH);
	if (p->next != NULL && p->next_param != NULL && url != NULL) {
		char *cursor = scalar_text(follow(root, p->next));

		if (cursor != NULL)
			*next = url_with_param(url, p->next_param, cursor);
		free(cursor);
	} else if (p->next != NULL) {
		*next = link_of(follow(root, p->next), url);
	}
	json_decref(root);
	*out = f;
	return 0;
}
