/*
 * json_source.c - posts out of any JSON API's answer (see json_source.h).
 */
#include "core/read/json_source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/json_doc.h"
#include "core/read/url.h"

/* No API pages more posts than this at once. */
#define POSTS_MAX 10000

/* What read_post reads a post by. */
struct path_post {
	const struct json_paths *paths;
	const char *url;
};

int
json_path_check(const char *path, char *err, size_t errlen)
{
	size_t keys = 1;

	if (path == NULL || path[0] == '\0')
		return err_set(err, errlen, "an empty path");
	if (strlen(path) > JSON_PATH_MAX_LEN)
		return err_set(err, errlen, "a path longer than %d bytes",
		    JSON_PATH_MAX_LEN);
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
	if (keys > JSON_PATH_MAX_KEYS)
		return err_set(err, errlen, "'%s': more than %d keys", path,
		    JSON_PATH_MAX_KEYS);
	return 0;
}

void
json_post_count(struct item *it, int e, json_t *v)
{
	int64_t n = json_doc_count(v);

	if (n >= 0) {
		it->engagement[e] = n;
		it->engaged |= 1u << e;
	}
}

struct feed *
json_posts(json_t *array, json_post_fn *read, const void *arg)
{
	struct feed *f = xcalloc(1, sizeof *f);
	size_t i;
	json_t *o;

	f->items = xcalloc(json_array_size(array) + 1, sizeof *f->items);
	json_array_foreach(array, i, o)
	{
		struct item *it = &f->items[f->nitems];

		if (f->nitems == POSTS_MAX) {
			f->skipped = xasprintf(
			    "posts past the %dth left out", POSTS_MAX);
			break;
		}
		if (!json_is_object(o))
			continue;
		it->published = it->updated = DATE_NONE;
		if (read(o, arg, it))
			f->nitems++;
		else
			item_clear(it);
	}
	return f;
}

/* A post by the paths of a type = json source; one with nothing to say
 * or to find it by is none. */
static int
read_post(json_t *o, const void *arg, struct item *it)
{
	const struct path_post *pp = arg;
	const struct json_paths *p = pp->paths;

	it->id = json_doc_scalar(json_doc_at(o, p->id));
	it->link = json_doc_link(json_doc_at(o, p->link), pp->url);
	it->title = json_doc_prose(json_doc_at(o, p->title));
	it->content = json_doc_prose(json_doc_at(o, p->text));
	it->author = json_doc_prose(json_doc_at(o, p->author));
	it->author_url = json_doc_link(json_doc_at(o, p->profile), pp->url);
	it->published = json_doc_date(json_doc_at(o, p->date));
	for (int e = 0; e < ENG_COUNT; e++)
		json_post_count(it, e, json_doc_at(o, p->engagement[e]));
	return it->title != NULL || it->content != NULL || it->link != NULL;
}

int
json_source_read(const struct json_paths *p, const char *body, size_t len,
    const char *url, struct feed **out, char **next, char *err, size_t errlen)
{
	int cut;
	json_t *root = json_doc_load(body, len, &cut, err, errlen);
	json_t *posts;
	struct feed *f;

	*out = NULL;
	*next = NULL;
	if (root == NULL)
		return -1;
	posts = json_doc_at(root, p->items);
	if (!json_is_array(posts)) {
		json_decref(root);
		return err_set(err, errlen, "no array of posts at '%s'",
		    p->items ? p->items : "");
	}
	f = json_posts(posts, read_post, &(struct path_post){ p, url });
	if (cut && f->skipped == NULL)
		f->skipped = xasprintf(
		    "values nested deeper than %d left out", JSON_DOC_DEPTH);
	if (p->next != NULL && p->next_param != NULL && url != NULL) {
		char *cursor = json_doc_scalar(json_doc_at(root, p->next));

		if (cursor != NULL)
			*next = url_with_param(url, p->next_param, cursor);
		free(cursor);
	} else if (p->next != NULL) {
		*next = json_doc_link(json_doc_at(root, p->next), url);
	}
	json_decref(root);
	*out = f;
	return 0;
}
