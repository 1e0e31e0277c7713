/*
 * query.h - the watch query language, parsed into a tree (see
 * docs/QUERIES.md for the language). The matcher owns the evaluation;
 * this module owns syntax, folding of the terms and error reporting.
 */
#ifndef VIGIE_QUERY_H
#define VIGIE_QUERY_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"
#include "core/match/prefilter.h"
#include "core/match/query_error.h"

#define QUERY_MAX_BYTES 16384
#define QUERY_MAX_DEPTH 64
#define QUERY_MAX_PHRASE 32 /* words in a phrase */
#define QUERY_MAX_NEAR 100

/* Where a term may match. */
enum {
	ZONE_TITLE = 1,
	ZONE_TEXT = 2,
	ZONE_AUTHOR = 4,
};
#define ZONE_DEFAULT (ZONE_TITLE | ZONE_TEXT)

enum qtype {
	Q_TERM, /* a word or phrase, possibly with a trailing wildcard */
	Q_SITE, /* site:host */
	Q_LANG, /* lang:code */
	Q_REGEX, /* /pattern/ */
	Q_AND,
	Q_OR,
	Q_NOT,
	Q_NEAR,
};

struct qword {
	char *text; /* folded, NUL-terminated */
	size_t len;
	char sigil; /* '#', '@' or 0 (any) */
	int prefix; /* trailing '*' */
	uint32_t atom; /* the matcher's index entry, for the first word */
};

struct qnode {
	enum qtype type;
	int column;
	char *src; /* leaves: the term as written in the query */

	unsigned zones; /* Q_TERM, Q_REGEX */
	struct qword *words; /* Q_TERM */
	size_t nwords;
	char *value; /* Q_SITE, Q_LANG: lowercased host or language */
	pcre2_code *re; /* Q_REGEX */
	struct prefilter *pf; /* Q_REGEX: its literals, NULL: none known */

	struct qnode **kids; /* Q_AND, Q_OR: two or more; Q_NOT: one;
	                      * Q_NEAR: two */
	size_t nkids;
	int distance; /* Q_NEAR */

	/* Filled by the matcher. */
	int term; /* positive leaves: index in the reported terms */
};

/* Parses query; NULL with err filled in when it is not valid. */
struct qnode *query_parse(const char *query, struct query_error *err);
void query_free(struct qnode *);

/* The tree as an S-expression, "(AND acme (OR a b))", for tests and
 * diagnostics. */
void query_format(const struct qnode *, struct buf *);

#endif
