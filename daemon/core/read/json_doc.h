/*
 * json_doc.h - untrusted JSON documents loaded whole but of a sane shape:
 * a JSON Feed, an API's answer (type = json sources).
 */
#ifndef VIGIE_JSON_DOC_H
#define VIGIE_JSON_DOC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON Feed nests five levels, an API's answer a few more; extensions
 * get room on top. */
#define JSON_DOC_DEPTH 64

/*
 * The document in s, each value nested deeper than JSON_DOC_DEPTH
 * replaced by null first (*cut set when one was), so that jansson's
 * recursive parser only sees documents of a sane depth; strings may hold
 * NULs (\u0000), which the caller must expect. NULL with err set ("not
 * JSON (line N: why)") when it is not JSON.
 */
json_t *json_doc_load(
    const char *s, size_t len, int *cut, char *err, size_t errlen);

/* A path (json_source.h) longer than this names nothing an API nests. */
#define JSON_PATH_MAX_LEN 256
#define JSON_PATH_MAX_KEYS 16

/* What an API's answer holds, read as vigie keeps it. Each takes NULL
 * (a value missing) and anything of the wrong kind as nothing. */

/* The value at path ("data.children", "items.0.id", "." for v) under v,
 * or NULL. */
json_t *json_doc_at(json_t *v, const char *path);
/* A string, or a number as its text; NULL otherwise, and for a string
 * holding a NUL (an id or a URL cut there would be another). */
char *json_doc_scalar(json_t *);
/* Text for people: markup read as text when it looks like HTML, white
 * space folded; NULL when empty. */
char *json_doc_prose(json_t *);
/* RFC 3339 or RFC 822 text, or seconds (milliseconds past 1e11) since the
 * epoch; DATE_NONE otherwise. */
int64_t json_doc_date(json_t *);
/* A non-negative number, or a string of one; -1 otherwise. */
int64_t json_doc_count(json_t *);
/* An absolute http(s) URL from a link relative to base (NULL: the link
 * must be absolute), or NULL. */
char *json_doc_link(json_t *, const char *base);

#endif
