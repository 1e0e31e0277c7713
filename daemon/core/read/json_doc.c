/*
 * json_doc.c - untrusted JSON, depth-limited (see json_doc.h).
 */
#include "core/read/json_doc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/read/date.h"
#include "core/read/text.h"
#include "core/read/url.h"

/* s with every value nested deeper than JSON_DOC_DEPTH replaced by null,
 * into out, so that jansson's recursive parser is only handed documents
 * of a sane shape and a feed's items (depth 3) outlive one extension
 * nested without end. 1 if something was replaced (out then holds the
 * copy), else 0. */
static int
json_shallow(const char *s, size_t len, struct buf *out)
{
	int depth = 0, in_str = 0, cut = 0;
	size_t copied = 0, from = 0; /* where the value left out begins */

	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"')
			in_str = 1;
		else if ((ch == '{' || ch == '[') &&
		    ++depth == JSON_DOC_DEPTH + 1)
			from = i;
		else if ((ch == '}' || ch == ']') &&
		    depth-- == JSON_DOC_DEPTH + 1) {
			buf_append(out, s + copied, from - copied);
			buf_puts(out, "null");
			copied = i + 1;
			cut = 1;
		}
	}
	/* A value too deep that never closes is left out to the end. */
	if (depth > JSON_DOC_DEPTH) {
		buf_append(out, s + copied, from - copied);
		buf_puts(out, "null");
		return 1;
	}
	if (!cut)
		return 0;
	buf_append(out, s + copied, len - copied);
	return 1;
}

json_t *
json_doc_load(const char *s, size_t len, int *cut, char *err, size_t errlen)
{
	json_error_t je;
	struct buf shallow;
	json_t *root;

	buf_init(&shallow);
	*cut = json_shallow(s, len, &shallow);
	if (*cut) {
		s = shallow.data;
		len = shallow.len;
	}
	root = json_loadb(s, len, JSON_ALLOW_NUL, &je);
	buf_clear(&shallow);
	if (root == NULL)
		err_set(
		    err, errlen, "not JSON (line %d: %s)", je.line, je.text);
	return root;
}

/* The value at path under v, or NULL. A key of digits takes an array's
 * element. */
json_t *
json_doc_at(json_t *v, const char *path)
{
	char key[JSON_PATH_MAX_LEN + 1];

	if (path == NULL || strlen(path) > JSON_PATH_MAX_LEN)
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
char *
json_doc_scalar(json_t *v)
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
char *
json_doc_prose(json_t *v)
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

int64_t
json_doc_date(json_t *v)
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
int64_t
json_doc_count(json_t *v)
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
char *
json_doc_link(json_t *v, const char *url)
{
	char *s = json_doc_scalar(v), *abs;

	if (s == NULL)
		return NULL;
	/* Without a base, only an absolute link is one. */
	abs = url_resolve(url != NULL ? url : s, s);
	free(s);
	if (abs != NULL && !url_is_http(abs)) {
		free(abs);
		abs = NULL;
	}
	return abs;
}
