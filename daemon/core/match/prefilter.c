/*
 * prefilter.c - required literals of a regex, and their scanner (see
 * prefilter.h).
 *
 * The pattern is read by a small recursive parser that knows a safe subset
 * of PCRE2's syntax: literal characters, escaped punctuation, groups,
 * alternation, quantifiers, classes, dot, the class escapes (\d, \w...) and
 * the assertions ^, $, \b. Anything else makes the whole pattern
 * unanalysed (no prefilter), so a construct misread can never rule out a
 * text the regex matches.
 *
 * Each piece of the pattern yields, as in RE2's prefilter, either the exact
 * set of strings it matches (while that set is small: "colou?r" is
 * {color, colour}) or a condition on the text: an AND/OR of literals, or
 * nothing required. Concatenation multiplies exact sets and ANDs
 * conditions, alternation unites sets and ORs conditions, a piece that may
 * be absent (?, *, {0,n}) requires nothing. Only printable ASCII is kept
 * in literals: a non-ASCII character or a class matches things whose
 * case variants are not modelled here, so it counts as "any character".
 */
#include "core/match/prefilter.h"

#include <hs.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
/* An exact set larger than this, or with a longer string, becomes a
 * condition: cross products grow fast. */
#define MAX_EXACT 16
#define MAX_EXACT_LEN 64
/* Shorter literals are in nearly every text: not worth requiring. */
#define MIN_LITERAL 3

enum pf_type {
	PF_LIT,
	PF_AND,
	PF_OR,
};

struct prefilter {
	enum pf_type type;
	char *lit; /* PF_LIT, lower-case printable ASCII */
	uint32_t num; /* PF_LIT: its number in the scanner */
	struct prefilter **kids; /* PF_AND, PF_OR: two or more */
	size_t nkids;
};

/* What a piece of pattern matches: exactly one of strs (exact), or texts
 * satisfying cond (NULL: no requirement). */
struct info {
	int exact;
	char **strs;
	size_t nstrs;
	struct prefilter *cond;
};

struct parser {
	const char *p, *end;
	int bad; /* unanalysable syntax met */
};

void
prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (pf == NULL)
		return;
	for (i = 0; i < pf->nkids; i++)
		prefilter_free(pf->kids[i]);
	free(pf->kids);
	free(pf->lit);
	free(pf);
}

static void
strs_free(struct info *in)
{
	size_t i;

	for (i = 0; i < in->nstrs; i++)
		free(in->strs[i]);
	free(in->strs);
	in->strs = NULL;
	in->nstrs = 0;
}

static void
info_free(struct info *in)
{
	strs_free(in);
	prefilter_free(in->cond);
	in->cond = NULL;
}

static void
strs_add(struct info *in, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < in->nstrs; i++)
		if (strlen(in->strs[i]) == len &&
		    memcmp(in->strs[i], s, len) == 0)
			return;
	in->strs = xreallocarray(in->strs, in->nstrs + 1, sizeof(*in->strs));
	in->strs[in->nstrs++] = xstrndup(s, len);
}

static struct info
exact_one(const char *s, size_t len)
{
	struct info in = { 1, NULL, 0, NULL };

	strs_add(&in, s, len);
	return in;
}

static struct info
anything(void)
{
	struct info in = { 0, NULL, 0, NULL };

	return in;
}

static struct prefilter *
node(enum pf_type type)
{
	struct prefilter *pf = xcalloc(1, sizeof(*pf));

	pf->type = type;
	pf->num = NONE;
	return pf;
}

static void
kid_add(struct prefilter *pf, struct prefilter *kid)
{
	size_t i;

	/* (AND a (AND b c)) is (AND a b c); the same for OR. */
	if (kid->type == pf->type) {
		for (i = 0; i < kid->nkids; i++)
			kid_add(pf, kid->kids[i]);
		kid->nkids = 0;
		prefilter_free(kid);
		return;
	}
	pf->kids = xreallocarray(pf->kids, pf->nkids + 1, sizeof(*pf->kids));
	pf->kids[pf->nkids++] = kid;
}

/* a AND b, where NULL requires nothing. */
static struct prefilter *
pf_and(struct prefilter *a, struct prefilter *b)
{
	struct prefilter *pf;

	if (a == NULL || b == NULL)
		return a == NULL ? b : a;
	pf = node(PF_AND);
	kid_add(pf, a);
	kid_add(pf, b);
	return pf;
}

/* a OR b: nothing required when either requires nothing. */
static struct prefilter *
pf_or(struct prefilter *a, struct prefilter *b)
{
	struct prefilter *pf;

	if (a == NULL || b == NULL) {
		prefilter_free(a);
		prefilter_free(b);
		return NULL;
	}
	pf = node(PF_OR);
	kid_add(pf, a);
	kid_add(pf, b);
	return pf;
}

/* Whether strs[i] contains another string of the set: then that one
 * alone is as good a witness, in an OR. */
static int
redundant(const struct info *in, size_t i)
{
	size_t j;

	for (j = 0; j < in->nstrs; j++)
		if (j != i && strstr(in->strs[i], in->strs[j]) != NULL &&
		    (strlen(in->strs[i]) > strlen(in->strs[j]) || j < i))
			return 1;
	return 0;
}

/* The condition an exact set implies: one of its strings present. */
static struct prefilter *
cond_of(struct info *in)
{
	struct prefilter *pf = NULL, *lit;
	size_t i;

	if (!in->exact) {
		pf = in->cond;
		in->cond = NULL;
		return pf;
	}
	for (i = 0; i < in->nstrs; i++)
		if (strlen(in->strs[i]) < MIN_LITERAL)
			goto out; /* a short string satisfies too much */
	for (i = 0; i < in->nstrs; i++) {
		if (redundant(in, i))
			continue;
		lit = node(PF_LIT);
		lit->lit = xstrdup(in->strs[i]);
		if (pf == NULL)
			pf = lit;
		else if (pf->type == PF_OR)
			kid_add(pf, lit);
		else
			pf = pf_or(pf, lit);
	}
out:
	strs_free(in);
	return pf;
}

static struct info
as_cond(struct info *in)
{
	struct info out = anything();

	out.cond = cond_of(in);
	return out;
}

/* The exact set of a followed by b: every pair, when not too long. */
static struct info
product(struct info *a, struct info *b)
{
	struct info out = { 1, NULL, 0, NULL };
	char buf[2 * MAX_EXACT_LEN + 1];
	size_t i, j, la, lb;
	int too_long = 0;

	for (i = 0; i < a->nstrs; i++)
		for (j = 0; j < b->nstrs; j++) {
			la = strlen(a->strs[i]);
			lb = strlen(b->strs[j]);
			memcpy(buf, a->strs[i], la);
			memcpy(buf + la, b->strs[j], lb);
			strs_add(&out, buf, la + lb);
			too_long |= la + lb > MAX_EXACT_LEN;
		}
	strs_free(a);
	strs_free(b);
	return too_long ? as_cond(&out) : out;
}

static struct info
alternate(struct info *a, struct info *b)
{
	struct info out = anything();
	size_t i;

	if (a->exact && b->exact && a->nstrs + b->nstrs <= MAX_EXACT) {
		out.exact = 1;
		for (i = 0; i < b->nstrs; i++)
			strs_add(a, b->strs[i], strlen(b->strs[i]));
		strs_free(b);
		return *a;
	}
	out.cond = cond_of(a);
	out.cond = pf_or(out.cond, cond_of(b));
	return out;
}

/* The piece may be absent: x? is x's set and the empty string. */
static struct info
optional(struct info *in)
{
	if (in->exact && in->nstrs < MAX_EXACT) {
		strs_add(in, "", 0);
		return *in;
	}
	info_free(in);
	return anything();
}

static struct info parse_alt(struct parser *);

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Skips a [...] class; it matches one character of unknown case. */
static struct info
parse_class(struct parser *p)
{
	p->p++;
	if (p->p < p->end && *p->p == '^')
		p->p++;
	if (p->p < p->end && *p->p == ']')
		p->p++;
	while (p->p < p->end && *p->p != ']') {
		/* [:alpha:] and \Q...\E could hide a ']'. */
		if (*p->p == '[' ||
		    (*p->p == '\\' && p->p + 1 < p->end &&
		        (p->p[1] == 'Q' || p->p[1] == 'E'))) {
			p->bad = 1;
			return anything();
		}
		p->p += *p->p == '\\' ? 2 : 1;
	}
	if (p->p >= p->end) {
		p->bad = 1;
		return anything();
	}
	p->p++;
	return anything();
}

static struct info
parse_escape(struct parser *p)
{
	char c;

	if (p->p + 1 >= p->end) {
		p->bad = 1;
		return anything();
	}
	c = p->p[1];
	p->p += 2;
	if (c == 'N' && p->p < p->end && *p->p == '{')
		p->bad = 1; /* \N{U+...} names a character */
	else if (strchr("dDwWsShHvVRN", c) != NULL)
		return anything();
	else if (strchr("bBAzZG", c) != NULL)
		return exact_one("", 0); /* assertions match no text */
	else if (!is_alnum(c) && c >= ' ' && c <= '~')
		return exact_one(&c, 1);
	else
		p->bad = 1; /* \x, \p, \1, \Q, \K, \n... */
	return anything();
}

static struct info
parse_atom(struct parser *p)
{
	unsigned char c = (unsigned char)*p->p;
	struct info in;
	char lower;

	switch (c) {
	case '(':
		p->p++;
		if (p->p + 1 < p->end && p->p[0] == '?' && p->p[1] == ':')
			p->p += 2;
		else if (p->p < p->end && (*p->p == '?' || *p->p == '*')) {
			p->bad =
			    1; /* flags, lookarounds, named groups, verbs */
			return anything();
		}
		in = parse_alt(p);
		if (p->p >= p->end || *p->p != ')')
			p->bad = 1;
		else
			p->p++;
		return in;
	case '[':
		return parse_class(p);
	case '\\':
		return parse_escape(p);
	case '.':
		p->p++;
		return anything();
	case '^':
	case '$':
		p->p++;
		return exact_one("", 0);
	case '*':
	case '+':
	case '?':
	case '{':
		p->bad = 1;
		return anything();
	}
	if (c >= 0x80) {
		/* One UTF-8 character: its case variants are PCRE2's. */
		for (p->p++;
		     p->p < p->end && ((unsigned char)*p->p & 0xc0) == 0x80;
		     p->p++)
			;
		return anything();
	}
	if (c < ' ' || c > '~') {
		p->bad = 1;
		return anything();
	}
	p->p++;
	lower = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	return exact_one(&lower, 1);
}

/* Reads {n}, {n,} or {n,m}; returns n, or -1 when it is not one. */
static long
parse_braces(struct parser *p)
{
	const char *q = p->p + 1;
	long min = 0;
	int digits = 0;

	while (q < p->end && *q >= '0' && *q <= '9' && digits < 6) {
		min = min * 10 + (*q++ - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	if (q < p->end && *q == ',')
		for (q++; q < p->end && *q >= '0' && *q <= '9'; q++)
			;
	if (q >= p->end || *q != '}')
		return -1;
	p->p = q + 1;
	return min;
}

static struct info
parse_quantified(struct parser *p)
{
	struct info in = parse_atom(p);
	long min;

	if (p->bad || p->p >= p->end)
		return in;
	switch (*p->p) {
	case '?':
		p->p++;
		in = optional(&in);
		break;
	case '*':
		p->p++;
		info_free(&in);
		in = anything();
		break;
	case '+':
		p->p++;
		in = as_cond(&in); /* at least once */
		break;
	case '{':
		if ((min = parse_braces(p)) < 0) {
			p->bad = 1; /* a literal '{', or {,m} */
			return in;
		}
		if (min == 0) {
			info_free(&in);
			in = anything();
		} else
			in = as_cond(&in);
		break;
	default:
		return in;
	}
	/* Lazy and possessive forms require the same. */
	if (p->p < p->end && (*p->p == '?' || *p->p == '+'))
		p->p++;
	if (p->p < p->end && strchr("?*+{", *p->p) != NULL)
		p->bad = 1;
	return in;
}

/* A sequence: consecutive exact pieces multiply into a run of literals;
 * a piece that is not exact ends the run, and the sequence requires the
 * runs and the pieces' conditions together. */
static struct info
parse_concat(struct parser *p)
{
	struct info run = exact_one("", 0), piece, out = anything();
	int exact = 1;

	while (!p->bad && p->p < p->end && *p->p != '|' && *p->p != ')') {
		piece = parse_quantified(p);
		if (piece.exact && run.nstrs * piece.nstrs <= MAX_EXACT) {
			run = product(&run, &piece);
			if (run.exact)
				continue;
			piece = run;
			run = exact_one("", 0);
		}
		exact = 0;
		out.cond = pf_and(out.cond, cond_of(&run));
		if (piece.exact)
			run = piece; /* a new run starts with it */
		else {
			out.cond = pf_and(out.cond, cond_of(&piece));
			run = exact_one("", 0);
		}
	}
	if (exact)
		return run;
	out.cond = pf_and(out.cond, cond_of(&run));
	return out;
}

static struct info
parse_alt(struct parser *p)
{
	struct info acc = parse_concat(p), branch;

	while (!p->bad && p->p < p->end && *p->p == '|') {
		p->p++;
		branch = parse_concat(p);
		acc = alternate(&acc, &branch);
	}
	return acc;
}

struct prefilter *
prefilter_from_regex(const char *pattern, size_t len)
{
	struct parser p = { pattern, pattern + len, 0 };
	struct info in = parse_alt(&p);
	struct prefilter *pf;

	if (p.p < p.end)
		p.bad = 1; /* an unbalanced ')' */
	pf = cond_of(&in);
	info_free(&in);
	if (p.bad) {
		prefilter_free(pf);
		return NULL;
	}
	return pf;
}

void
prefilter_format(const struct prefilter *pf, struct buf *b)
{
	size_t i;

	if (pf->type == PF_LIT) {
		buf_printf(b, "\"%s\"", pf->lit);
		return;
	}
	buf_puts(b, pf->type == PF_AND ? "(AND" : "(OR");
	for (i = 0; i < pf->nkids; i++) {
		buf_puts(b, " ");
		prefilter_format(pf->kids[i], b);
	}
	buf_puts(b, ")");
}

/*
 * The scanner: one Vectorscan database of every literal, each a pattern of
 * its own (HS_FLAG_SINGLEMATCH: reported once per scan, which is all a
 * prefilter asks). Vectorscan looks for many literals at once with SIMD
 * shift-or and hash filters (FDR, Teddy), some bytes a cycle, where an
 * automaton takes a dependent table load per byte.
 *
 * HS_FLAG_CASELESS folds ASCII letters only, and PCRE2 also matches k with
 * the Kelvin sign (U+212A) and s with the long s (U+017F). Spelling them
 * out in each literal, (?:k|\xe2\x84\xaa), would make it a regex, which
 * Vectorscan compiles some ninety times slower (17.7 s for 10,000 regexes
 * instead of 0.2 s). They are two more literals instead: a text holding
 * either, rare as it is, is scanned again with them folded to k and s.
 */
#define KELVIN "\xe2\x84\xaa"
#define LONG_S "\xc5\xbf"

struct litscan {
	struct prefilter **pfs;
	size_t npfs;
	const char **lits; /* literal number: its text, the prefilter's */
	uint32_t *owner; /* literal number: its prefilter's */
	size_t nlits; /* then KELVIN and LONG_S, numbers nlits and nlits + 1 */
	hs_database_t *db; /* NULL: no literal looked for */
	int blind; /* the literals could not be compiled: all count as seen */
	uint64_t serial; /* this build's, among all scanners' */
};

struct litscan_scratch {
	hs_scratch_t *hs;
	uint64_t fitted; /* the serial of the last scanner fitted */
	char *folded; /* a text with its Kelvin signs and long s folded */
	size_t capfolded;
};

/* Fitting a scratch to a database costs some 50,000 instructions, ten
 * times the scan of a short text: it is done again only for a scanner
 * built since. A serial, not the scanner's address, tells it: a scanner
 * freed and another built may share an address and need more. */
static atomic_uint_least64_t serials;

struct litscan *
litscan_new(void)
{
	return xcalloc(1, sizeof(struct litscan));
}

void
litscan_free(struct litscan *ls)
{
	if (ls == NULL)
		return;
	free(ls->lits);
	free(ls->owner);
	free(ls->pfs);
	hs_free_database(ls->db);
	free(ls);
}

size_t
litscan_add(struct litscan *ls, struct prefilter *pf)
{
	ls->pfs = xreallocarray(ls->pfs, ls->npfs + 1, sizeof(*ls->pfs));
	ls->pfs[ls->npfs] = pf;
	return ls->npfs++;
}

/* Numbers each literal of pf, prefilter number id. */
static void
number(struct litscan *ls, struct prefilter *pf, size_t id)
{
	size_t i;

	if (pf->type != PF_LIT) {
		for (i = 0; i < pf->nkids; i++)
			number(ls, pf->kids[i], id);
		return;
	}
	ls->lits = xreallocarray(ls->lits, ls->nlits + 1, sizeof(*ls->lits));
	ls->owner = xreallocarray(ls->owner, ls->nlits + 1, sizeof(*ls->owner));
	ls->lits[ls->nlits] = pf->lit;
	ls->owner[ls->nlits] = (uint32_t)id;
	pf->num = (uint32_t)ls->nlits++;
}

void
litscan_build(struct litscan *ls)
{
	const char **lits;
	hs_compile_error_t *err;
	unsigned *flags, *ids;
	size_t i, n, *lens;

	ls->serial = atomic_fetch_add(&serials, 1) + 1;
	for (i = 0; i < ls->npfs; i++)
		number(ls, ls->pfs[i], i);
	if (ls->nlits == 0)
		return;
	n = ls->nlits + 2;
	lits = xcalloc(n, sizeof(*lits));
	lens = xcalloc(n, sizeof(*lens));
	flags = xcalloc(n, sizeof(*flags));
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		lits[i] = i < ls->nlits ? ls->lits[i]
		    : i == ls->nlits    ? KELVIN
		                        : LONG_S;
		lens[i] = strlen(lits[i]);
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
		ids[i] = (unsigned)i;
	}
	/*
	 * No literal is refused: literals have no syntax, and what would be
	 * refused is a lack of memory, or a CPU without SSSE3. Then no
	 * literal is looked for and every prefilter holds, so regexes run
	 * wherever their watch is otherwise a candidate, as those without a
	 * prefilter do.
	 */
	if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)n,
	        HS_MODE_BLOCK, NULL, &ls->db, &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		ls->db = NULL;
		ls->blind = 1;
	}
	free(lits);
	free(lens);
	free(flags);
	free(ids);
}

int
litscan_blind(const struct litscan *ls)
{
	return ls->blind;
}

size_t
litscan_literals(const struct litscan *ls)
{
	return ls->nlits;
}

void
litscan_scratch_fit(const struct litscan *ls, struct litscan_scratch **sp)
{
	if (*sp == NULL)
		*sp = xcalloc(1, sizeof(**sp));
	if ((*sp)->fitted == ls->serial || ls->db == NULL)
		return;
	/* Grows the scratch when this database needs more; fails only for
	 * want of memory, as xcalloc would. */
	if (hs_alloc_scratch(ls->db, &(*sp)->hs) != HS_SUCCESS)
		abort();
	(*sp)->fitted = ls->serial;
}

void
litscan_scratch_free(struct litscan_scratch *sc)
{
	if (sc == NULL)
		return;
	hs_free_scratch(sc->hs);
	free(sc->folded);
	free(sc);
}

struct seen {
	const struct litscan *ls;
	uint32_t *v;
	uint32_t gen;
	uint32_t *found;
	size_t *nfound;
	int variants; /* a Kelvin sign or a long s met */
};

static int
on_literal(unsigned id, unsigned long long from, unsigned long long to,
    unsigned flags, void *ctx)
{
	struct seen *seen = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (id >= seen->ls->nlits)
		seen->variants = 1;
	else if (seen->v[id] != seen->gen) {
		seen->v[id] = seen->gen;
		seen->found[(*seen->nfound)++] = seen->ls->owner[id];
	}
	return 0;
}

static void
scan(const struct litscan *ls, struct litscan_scratch *sc, const char *text,
    size_t len, struct seen *ctx)
{
	if (hs_scan(ls->db, text, (unsigned)len, 0, sc->hs, on_literal, ctx) !=
	    HS_SUCCESS)
		abort(); /* only a misuse of the scratch fails */
}

/* Copies text into the scratch with each Kelvin sign made k and each long
 * s made s; returns the copy's length. */
static size_t
fold_variants(struct litscan_scratch *sc, const char *text, size_t len)
{
	size_t i, n = 0;

	if (sc->capfolded < len) {
		sc->folded = xrealloc(sc->folded, len);
		sc->capfolded = len;
	}
	for (i = 0; i < len; i++)
		if (len - i >= 3 && memcmp(text + i, KELVIN, 3) == 0) {
			sc->folded[n++] = 'k';
			i += 2;
		} else if (len - i >= 2 && memcmp(text + i, LONG_S, 2) == 0) {
			sc->folded[n++] = 's';
			i++;
		} else
			sc->folded[n++] = text[i];
	return n;
}

void
litscan_scan(const struct litscan *ls, struct litscan_scratch *sc,
    const char *text, size_t len, uint32_t *seen, uint32_t gen, uint32_t *found,
    size_t *nfound)
{
	struct seen ctx = { ls, seen, gen, found, nfound, 0 };

	if (ls->db == NULL)
		return;
	scan(ls, sc, text, len, &ctx);
	if (ctx.variants)
		scan(ls, sc, sc->folded, fold_variants(sc, text, len), &ctx);
}

static int
holds(const struct prefilter *pf, const uint32_t *seen, uint32_t gen)
{
	size_t i;

	if (pf->type == PF_LIT)
		return seen[pf->num] == gen;
	for (i = 0; i < pf->nkids; i++)
		if (holds(pf->kids[i], seen, gen) != (pf->type == PF_AND))
			return pf->type != PF_AND;
	return pf->type == PF_AND;
}

int
litscan_holds(
    const struct litscan *ls, size_t id, const uint32_t *seen, uint32_t gen)
{
	return ls->blind || holds(ls->pfs[id], seen, gen);
}
