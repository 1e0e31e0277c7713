/*
 * match_eval.c - a watch's query evaluated on one document: its terms
 * found, through the index's position lists or by scanning the words, in
 * the fields they may match; NEAR/n between their occurrences; regexes
 * run on the fields' text; site: and lang: against the document's host
 * and language.
 */
#include "core/match/match_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/base/util.h"

int
match_lang_is(const char *doc, const char *code)
{
	size_t len = strlen(code);

	return strncmp(doc, code, len) == 0 &&
	    (doc[len] == '\0' || doc[len] == '-');
}

/* site:example.com holds for example.com and its subdomains only. */
static int
site_is(const char *host, const char *site)
{
	size_t hlen = strlen(host), slen = strlen(site);

	if (hlen < slen || strcmp(host + hlen - slen, site) != 0)
		return 0;
	return hlen == slen || host[hlen - slen - 1] == '.';
}

static unsigned
zone_of(const struct scratch *s, size_t tok)
{
	if (tok < s->bound[0])
		return ZONE_TITLE;
	return tok < s->bound[1] ? ZONE_TEXT : ZONE_AUTHOR;
}

static inline int
text_is(const char *text, size_t len, char sigil, const struct qword *q)
{
	if (q->sigil != 0 && sigil != q->sigil)
		return 0;
	if (q->prefix ? len < q->len : len != q->len)
		return 0;
	return memcmp(text, q->text, q->len) == 0;
}

/* How the query word q reads at word tok: READ_WORD when the word itself
 * is q, READ_WHOLE when the hashtag or handle whose first part it is, read
 * whole, is q (both for a prefix that fits either). */
#define READ_WORD 1u
#define READ_WHOLE 2u

static inline unsigned
reads(const struct scratch *s, size_t tok, const struct qword *q)
{
	const struct fold_word *w = &s->fw.v[tok];
	unsigned r = 0;

	if (text_is(s->fw.text + w->off, w->len, w->sigil, q))
		r |= READ_WORD;
	if (w->whole_len != 0 &&
	    text_is(s->fw.text + w->whole_off, w->whole_len, w->whole_sigil, q))
		r |= READ_WHOLE;
	return r;
}

/* Adds t to the set of n sorted positions, unless it is there. */
static void
add_start(uint32_t *set, size_t *n, uint32_t t)
{
	size_t i = *n;

	while (i > 0 && set[i - 1] > t)
		i--;
	if (i > 0 && set[i - 1] == t)
		return;
	memmove(set + i + 1, set + i, (*n - i) * sizeof(*set));
	set[i] = t;
	(*n)++;
}

/* Adds to the set of n sorted positions where the next word of a term may
 * start, after word tok read as r. */
static void
add_reads(
    const struct scratch *s, uint32_t *set, size_t *n, size_t tok, unsigned r)
{
	if (r & READ_WORD)
		add_start(set, n, (uint32_t)tok + 1);
	if (r & READ_WHOLE)
		add_start(set, n, (uint32_t)tok + s->fw.v[tok].parts);
}

/*
 * Whether the term n starts at word tok, where its first word reads as r
 * (reads(), which the caller has checked, so that the words it rules out,
 * most of them, cost no more); *end is then the term's last word. A
 * word of the term matches one word of the document, or a hashtag cut into
 * parts read whole, which covers its parts: where a prefix fits both, both
 * readings stay open, so the next word of the term is looked for at a set
 * of places. They are distinct words within the term's reach, at most
 * FOLD_MAX_PARTS per word of the term.
 */
static int
term_at(const struct scratch *s, const struct qnode *n, size_t tok, unsigned r,
    size_t *end)
{
	uint32_t at[QUERY_MAX_PHRASE * FOLD_MAX_PARTS];
	uint32_t next[QUERY_MAX_PHRASE * FOLD_MAX_PARTS];
	size_t nat = 0, nnext, i, k;
	unsigned zone = zone_of(s, tok);

	if (!(n->zones & zone))
		return 0;
	add_reads(s, at, &nat, tok, r);
	for (i = 1; i < n->nwords && nat > 0; i++) {
		nnext = 0;
		for (k = 0; k < nat; k++)
			if (at[k] < s->fw.len && zone_of(s, at[k]) == zone)
				add_reads(s, next, &nnext, at[k],
				    reads(s, at[k], &n->words[i]));
		memcpy(at, next, nnext * sizeof(*at));
		nat = nnext;
	}
	if (nat == 0)
		return 0;
	/* The shortest reading: the closest to what follows. */
	*end = at[0] - 1;
	return 1;
}

static void
push_span(struct scratch *s, size_t start, size_t end)
{
	if (s->nspans == s->capspans) {
		s->capspans = s->capspans ? s->capspans * 2 : 64;
		s->spans =
		    xreallocarray(s->spans, s->capspans, sizeof(*s->spans));
	}
	s->spans[s->nspans].start = (uint32_t)start;
	s->spans[s->nspans].end = (uint32_t)end;
	s->nspans++;
}

/*
 * Finds where the term n occurs; with collect, appends every occurrence
 * to the spans, else stops at the first. Returns whether it occurs.
 */
static int
term_find(const struct eval *e, const struct qnode *n, int collect)
{
	struct scratch *s = e->s;
	uint32_t a = n->words[0].atom, o;
	size_t t, end;
	unsigned r;
	int found = 0;

	if (e->indexed) {
		if (s->astamp[a] != s->gen)
			return 0;
		for (o = s->head[a]; o != NONE; o = s->occ[o].next) {
			t = s->occ[o].tok;
			r = reads(s, t, &n->words[0]);
			if (!r || !term_at(s, n, t, r, &end))
				continue;
			found = 1;
			if (!collect)
				break;
			push_span(s, t, end);
		}
		return found;
	}
	for (t = 0; t < s->fw.len; t++) {
		r = reads(s, t, &n->words[0]);
		if (!r || !term_at(s, n, t, r, &end))
			continue;
		found = 1;
		if (!collect)
			break;
		push_span(s, t, end);
	}
	return found;
}

static void
collect_spans(const struct eval *e, const struct qnode *n)
{
	size_t i;

	if (n->type == Q_TERM)
		term_find(e, n, 1);
	else
		for (i = 0; i < n->nkids; i++)
			collect_spans(e, n->kids[i]);
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether some span of the first operand lies within n->distance words
 * of some span of the second, in either order, in the same field. */
static int
near(const struct eval *e, const struct qnode *n)
{
	struct scratch *s = e->s;
	size_t a0 = s->nspans, b0, nb, i, lo, hi, mid;
	const struct span *a, *b;
	uint32_t d = (uint32_t)n->distance, from;
	int found = 0;

	collect_spans(e, n->kids[0]);
	b0 = s->nspans;
	if (b0 > a0)
		collect_spans(e, n->kids[1]);
	nb = s->nspans - b0;
	if (nb > 1)
		qsort(s->spans + b0, nb, sizeof(*s->spans), span_cmp);
	for (a = s->spans + a0; a < s->spans + b0 && !found; a++) {
		/* A span before a ends at most d words before it, and
		 * starts at most a phrase's length earlier still. */
		from = a->start > d + QUERY_MAX_PHRASE
		    ? a->start - d - QUERY_MAX_PHRASE
		    : 0;
		for (lo = 0, hi = nb; lo < hi;) {
			mid = (lo + hi) / 2;
			if (s->spans[b0 + mid].start < from)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < nb; i++) {
			b = &s->spans[b0 + i];
			if (b->start > a->end + d + 1)
				break;
			if (zone_of(s, a->start) != zone_of(s, b->start))
				continue;
			if ((b->end < a->start && a->start - b->end - 1 <= d) ||
			    (b->start > a->end && b->start - a->end - 1 <= d)) {
				found = 1;
				break;
			}
		}
	}
	s->nspans = a0;
	return found;
}

/* Whether the regex n matches the field numbered f: 0 the title, 1 the
 * text, 2 the author. */
static int
regex_in(const struct eval *e, const struct qnode *n, size_t f)
{
	const char *fields[] = { e->doc->title, e->doc->text, e->doc->author };
	struct regex_field *rf = &e->s->rfield[f];

	if (fields[f] == NULL)
		return 0;
	/* PCRE2 checks the whole subject's UTF-8 at every call, several
	 * times what a match costs on a text of a few kilobytes: checked
	 * once here, as strictly. Ill-formed text is left to PCRE2, which
	 * refuses it. */
	if (rf->gen != e->s->gen) {
		rf->gen = e->s->gen;
		rf->len = strnlen(fields[f], MATCH_MAX_FIELD);
		rf->options =
		    utf8_valid(fields[f], rf->len) ? PCRE2_NO_UTF_CHECK : 0;
	}
	return pcre2_match(n->re, (PCRE2_SPTR)fields[f], rf->len, 0,
	           e->m->regex_options | rf->options, e->s->md,
	           e->m->mctx) >= 0;
}

int
match_eval(const struct eval *e, const struct qnode *n)
{
	size_t i;

	switch (n->type) {
	case Q_TERM:
		return term_find(e, n, 0);
	case Q_SITE:
		return site_is(e->s->host, n->value);
	case Q_LANG:
		return match_lang_is(e->s->lang, n->value);
	case Q_REGEX:
		/* Errors, limits hit included, are no match. */
		return ((n->zones & ZONE_TITLE) && regex_in(e, n, 0)) ||
		    ((n->zones & ZONE_TEXT) && regex_in(e, n, 1)) ||
		    ((n->zones & ZONE_AUTHOR) && regex_in(e, n, 2));
	case Q_AND:
		for (i = 0; i < n->nkids; i++)
			if (!match_eval(e, n->kids[i]))
				return 0;
		return 1;
	case Q_OR:
		for (i = 0; i < n->nkids; i++)
			if (match_eval(e, n->kids[i]))
				return 1;
		return 0;
	case Q_NOT:
		return !match_eval(e, n->kids[0]);
	case Q_NEAR:
		return near(e, n);
	}
	return 0;
}

void
match_mark_terms(const struct eval *e, const struct qnode *n)
{
	size_t i;

	if (n->term >= 0 && e->s->tstamp[n->term] != e->s->tgen &&
	    match_eval(e, n))
		e->s->tstamp[n->term] = e->s->tgen;
	for (i = 0; i < n->nkids; i++)
		match_mark_terms(e, n->kids[i]);
}
