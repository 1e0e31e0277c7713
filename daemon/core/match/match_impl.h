/*
 * match_impl.h - the matcher's inner structures: the compiled watches and
 * their index of atoms (built by match.c) and the per-document working
 * memory, read by the evaluation of queries (match_eval.c). Not for use
 * outside core/match/.
 */
#ifndef VIGIE_MATCH_IMPL_H
#define VIGIE_MATCH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/match/fold.h"
#include "core/match/match.h"
#include "core/match/prefilter.h"
#include "core/match/query.h"

/* Longer fields are matched on their first MATCH_MAX_FIELD bytes. */
#define MATCH_MAX_FIELD (1024 * 1024)
#define MATCH_MAX_LANG 15
#define MATCH_MAX_HOST 255

/* Bounds on one regex run: the interpreter's backtracking steps and
 * recursion, and its heap in KiB. */
#define REGEX_MATCH_LIMIT 200000
#define REGEX_DEPTH_LIMIT 2000
#define REGEX_HEAP_LIMIT 4096

#define NONE UINT32_MAX

enum atom_kind {
	A_WORD,
	A_PREFIX,
	A_SITE,
	A_LANG,
	A_REGEX, /* present when the regex's prefilter holds */
};

enum { IN_BODY, IN_AUTHOR };

struct atom {
	enum atom_kind kind;
	char *key;
	size_t len;
	uint32_t hash;
	struct prefilter *pf; /* A_REGEX: borrowed from the query */
	/* The watches it triggers where it occurs: in the title or text
	 * (IN_BODY) or in the author (IN_AUTHOR), as the terms it stands
	 * for allow. A site, language or regex is of the whole document. */
	struct watchlist {
		uint32_t *v;
		size_t len;
	} watches[2];
	int read; /* the first word of some term: evaluation reads its
	           * positions */
	int probed; /* looked for in documents: read, a trigger or
	             * required */
	size_t mentions; /* watches whose query uses it */
	uint32_t last_watch; /* the last of them counted, + 1 */
};

struct watch {
	char *name;
	struct qnode *root;
	char **langs; /* NULL: all */
	size_t nlangs;
	const char **terms; /* distinct positive leaves' src, query order */
	size_t nterms;
};

struct matcher {
	struct watch *watches;
	size_t nwatches;
	size_t maxterms; /* the most terms a watch has */
	struct atom *atoms;
	size_t natoms;
	uint32_t *table; /* atom index + 1, 0 when empty */
	size_t tabsize; /* a power of two, at least twice natoms */
	size_t *plens; /* lengths of the probed prefixes, ascending */
	size_t nplens;
	/* Bit start_of() set for the words some probed prefix may start,
	 * and for the first two bytes of the probed words: a word these
	 * filters rule out, most words, looks no prefix up, or no word. */
	uint64_t pstarts[65536 / 64];
	uint64_t wstarts[65536 / 64];
	uint32_t *regexes; /* the A_REGEX atoms */
	size_t nregexes;
	struct litscan *lits; /* their literals, all in one scanner */
	uint32_t *always; /* watches evaluated on every document */
	size_t nalways;
	/* What each watch requires beside its trigger: from reqs_at[w] to
	 * reqs_at[w + 1], clauses of a count and as many atoms, one of
	 * which must be present. */
	uint32_t *reqs;
	size_t nreqs;
	size_t *reqs_at;
	int built;
	uint32_t regex_options; /* PCRE2_NO_JIT or 0 */
	pcre2_match_context *mctx;
};

struct occ {
	uint32_t tok;
	uint32_t next;
};

struct span {
	uint32_t start, end; /* first and last word */
};

/* Per-document working memory, kept in match_result.scratch. Arrays
 * indexed by atom or watch are valid where their stamp equals gen, so
 * they never need clearing. */
struct scratch {
	uint32_t gen;
	struct fold_words fw;
	size_t bound[3]; /* end of the title, text and author words */

	struct occ *occ;
	size_t nocc, capocc;
	uint32_t *astamp, *head, *tail;
	size_t capatoms;
	uint32_t *lstamp; /* literals seen, by number */
	uint32_t *lfound; /* the regexes of the literals seen, by number */
	size_t caplstates;
	struct litscan_scratch *lscratch;
	uint32_t *wstamp, *tstamp;
	size_t capwatches, capterms;
	uint32_t tgen; /* tstamp's generation: one per hit */
	uint32_t *cands;
	size_t ncands;

	struct span *spans;
	size_t nspans, capspans;

	const char **terms; /* hits' terms, one run per hit */
	size_t nterms, capterms_pool;
	size_t *terms_at; /* where each hit's run starts */
	size_t caphits;

	pcre2_match_data *md;
	/* The title, text and author as regexes read them: their length,
	 * and whether it is well-formed UTF-8 (then PCRE2 need not check
	 * it again at every regex); worked out at the first regex run. */
	struct regex_field {
		uint32_t gen; /* valid when it equals the scratch's */
		size_t len;
		uint32_t options; /* PCRE2_NO_UTF_CHECK or 0 */
	} rfield[3];
	char host[MATCH_MAX_HOST + 1];
	char lang[MATCH_MAX_LANG + 1];
};

struct eval {
	const struct matcher *m;
	struct scratch *s;
	const struct match_doc *doc;
	int indexed; /* read atoms' position lists, else scan the words */
};

/* Whether n holds for the document e is reading. */
int match_eval(const struct eval *, const struct qnode *n);
/* Marks, in the scratch's tstamp, the positive terms of n present in the
 * document. */
void match_mark_terms(const struct eval *, const struct qnode *n);
/* lang:fr holds for fr, fr-FR and fr-CA; lang:fr-ca for fr-CA alone. */
int match_lang_is(const char *doc, const char *code);

#endif
