/*
 * roster.c - the daemon's own copy of its sources' schedule (see
 * roster.h): an open-addressing table by source id, and its file.
 */
#include "service/roster.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/util.h"

struct roster {
	struct roster_source **slots; /* NULL: free */
	size_t cap; /* a power of two */
	size_t n;
};

static size_t
slot_of(const struct roster *s, int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 32) & (s->cap - 1);

	while (s->slots[i] != NULL && s->slots[i]->src.id != id)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void
grow(struct roster *s)
{
	struct roster_source **old = s->slots;
	size_t oldcap = s->cap;

	s->cap = oldcap ? oldcap * 2 : 64;
	s->slots = xcalloc(s->cap, sizeof *s->slots);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			s->slots[slot_of(s, old[i]->src.id)] = old[i];
	free(old);
}

struct roster *
roster_new(void)
{
	struct roster *s = xcalloc(1, sizeof *s);

	grow(s);
	return s;
}

static void
source_free(struct roster_source *rs)
{
	free(rs->src.name);
	free(rs->src.url);
	free(rs->src.etag);
	free(rs->src.last_modified);
	free(rs);
}

void
roster_free(struct roster *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] != NULL)
			source_free(s->slots[i]);
	free(s->slots);
	free(s);
}

struct roster_source *
roster_get(struct roster *s, int64_t id)
{
	return s->slots[slot_of(s, id)];
}

void
roster_set(char **field, const char *value)
{
	char *copy = value ? xstrdup(value) : NULL;

	free(*field);
	*field = copy;
}

struct roster_source *
roster_put(struct roster *s, int64_t id, const char *name, const char *url)
{
	struct roster_source *rs;
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	i = slot_of(s, id);
	if ((rs = s->slots[i]) == NULL) {
		rs = s->slots[i] = xcalloc(1, sizeof *rs);
		rs->src.id = id;
		s->n++;
	}
	roster_set(&rs->src.name, name);
	roster_set(&rs->src.url, url);
	return rs;
}

size_t
roster_count(const struct roster *s)
{
	return s->n;
}

static int
cmp_due(const void *a, const void *b)
{
	const struct roster_source *x = *(struct roster_source *const *)a;
	const struct roster_source *y = *(struct roster_source *const *)b;

	return x->due_ms < y->due_ms ? -1 : x->due_ms > y->due_ms;
}

size_t
roster_due(
    struct roster *s, int64_t now_ms, struct roster_source **out, size_t max)
{
	struct roster_source **due = xcalloc(s->n + 1, sizeof *due);
	size_t n = 0;

	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] != NULL && !s->slots[i]->busy &&
		    s->slots[i]->due_ms <= now_ms)
			due[n++] = s->slots[i];
	qsort(due, n, sizeof *due, cmp_due);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		out[i] = due[i];
		out[i]->busy = 1;
	}
	free(due);
	return n;
}

static json_t *
text_or_null(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

int
roster_save(const struct roster *s, const char *path, char *err, size_t errlen)
{
	json_t *arr = json_array();
	char *tmp = xasprintf("%s.tmp", path);
	int rc;

	for (size_t i = 0; i < s->cap; i++) {
		const struct roster_source *rs = s->slots[i];
		json_t *o;

		if (rs == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "id", json_integer(rs->src.id));
		json_object_set_new(o, "name", text_or_null(rs->src.name));
		json_object_set_new(o, "url", text_or_null(rs->src.url));
		json_object_set_new(o, "etag", text_or_null(rs->src.etag));
		json_object_set_new(
		    o, "last_modified", text_or_null(rs->src.last_modified));
		json_object_set_new(
		    o, "failures", json_integer(rs->src.failures));
		json_object_set_new(o, "due", json_integer(rs->due_ms));
		json_array_append_new(arr, o);
	}
	rc = json_dump_file(arr, tmp, JSON_COMPACT);
	json_decref(arr);
	if (rc == 0) {
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)fsync(fd);
			close(fd);
		}
		rc = rename(tmp, path);
	}
	if (rc != 0) {
		err_set(
		    err, errlen, "%s: cannot write: %s", path, strerror(errno));
		(void)unlink(tmp);
	}
	free(tmp);
	return rc == 0 ? 0 : -1;
}

int
roster_load(struct roster *s, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *arr, *o;
	size_t i;

	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	arr = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (arr == NULL || !json_is_array(arr)) {
		json_decref(arr);
		return err_set(err, errlen, "%s:%d: %s", path, je.line,
		    arr ? "not a schedule" : je.text);
	}
	json_array_foreach(arr, i, o)
	{
		json_t *id = json_object_get(o, "id");
		const char *name =
		    json_string_value(json_object_get(o, "name"));
		const char *url = json_string_value(json_object_get(o, "url"));
		struct roster_source *rs;

		if (!json_is_integer(id) || name == NULL || url == NULL)
			continue;
		rs = roster_put(s, json_integer_value(id), name, url);
		roster_set(&rs->src.etag,
		    json_string_value(json_object_get(o, "etag")));
		roster_set(&rs->src.last_modified,
		    json_string_value(json_object_get(o, "last_modified")));
		rs->src.failures =
		    (int)json_integer_value(json_object_get(o, "failures"));
		rs->due_ms = json_integer_value(json_object_get(o, "due"));
	}
	json_decref(arr);
	return 0;
}
