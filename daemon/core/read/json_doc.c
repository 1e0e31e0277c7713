/*
 * json_doc.c - untrusted JSON, depth-limited (see json_doc.h).
 */
#include "core/read/json_doc.h"

#include "core/base/util.h"

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
