/*
 * json_doc.h - untrusted JSON documents loaded whole but of a sane shape:
 * a JSON Feed, an API's answer (type = json sources).
 */
#ifndef VIGIE_JSON_DOC_H
#define VIGIE_JSON_DOC_H

#include <jansson.h>
#include <stddef.h>

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

#endif
