/*
 * prefilter.h - the literals a regex cannot match without, and a scanner
 * that looks for the literals of many regexes in one pass over a text.
 *
 * A prefilter is an AND/OR of literal strings read from the regex's
 * structure: when it does not hold on a text, the regex cannot match the
 * text and need not run. It only rules out; PCRE2 still decides. Literals
 * are lower-case ASCII and are compared as PCRE2_CASELESS | PCRE2_UTF
 * compares them (K also matches the Kelvin sign, S the long s).
 */
#ifndef VIGIE_PREFILTER_H
#define VIGIE_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"

struct prefilter;

/*
 * The prefilter of a caseless PCRE2 pattern (len bytes), or NULL when the
 * pattern requires no literal (/\d{5}/) or uses syntax not analysed here
 * (flags, lookarounds, back-references, \Q, \x...): such a regex runs on
 * every text, never on a wrong guess.
 */
struct prefilter *prefilter_from_regex(const char *pattern, size_t len);
void prefilter_free(struct prefilter *);

/* As an S-expression, "(AND \"acme\" (OR \"ab1\" \"ab2\"))", for tests. */
void prefilter_format(const struct prefilter *, struct buf *);

/* Many prefilters' literals, looked for in one pass (Vectorscan). */
struct litscan;
/* A scan's working memory: one per thread that scans. */
struct litscan_scratch;

struct litscan *litscan_new(void);
void litscan_free(struct litscan *);
/* Registers pf (borrowed: it must outlive the scanner, which writes its
 * literals' numbers into it); returns its number, 0, 1, 2... */
size_t litscan_add(struct litscan *, struct prefilter *pf);
/* Compiles the literals. Call once, after the last litscan_add. */
void litscan_build(struct litscan *);

/* The size of the seen array litscan_scan and litscan_holds take. */
size_t litscan_literals(const struct litscan *);
/* Makes *sp (NULL at first: allocated here) fit for scans with this
 * scanner; it may then serve others that it fits as well. */
void litscan_scratch_fit(const struct litscan *, struct litscan_scratch **sp);
void litscan_scratch_free(struct litscan_scratch *);
/* Marks in seen, with the stamp gen, the literals found in the len bytes of
 * text (a literal never spans two calls), and appends to found, at
 * *nfound, the number of the prefilter of each literal not marked before:
 * found needs as many entries as seen. */
void litscan_scan(const struct litscan *, struct litscan_scratch *,
    const char *text, size_t len, uint32_t *seen, uint32_t gen, uint32_t *found,
    size_t *nfound);
/* Whether the literals could not be compiled (no memory, a CPU Vectorscan
 * does not run on): none is then found, and every prefilter holds. */
int litscan_blind(const struct litscan *);
/* Whether prefilter number id holds, given the literals marked seen. */
int litscan_holds(
    const struct litscan *, size_t id, const uint32_t *seen, uint32_t gen);

#endif
