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

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define HAS_OUT 0x80000000u
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
	uint32_t state; /* PF_LIT: where the automaton recognises it */
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
	pf->state = NONE;
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

struct litscan {
	struct prefilter **pfs;
	size_t npfs;
	uint8_t cls[256]; /* byte to input class; 0: in no literal */
	size_t nclasses;
	/* nstates x nclasses transitions; once built, each names its
	 * target by the target's row (state x nclasses), with HAS_OUT set
	 * when a literal ends there: a scan neither multiplies nor looks
	 * further for most bytes. */
	uint32_t *delta;
	uint32_t *out; /* the longest literal ending in a state, or NONE */
	uint32_t *next; /* a literal state's next shorter literal, or NONE */
	size_t nstates;
	size_t maxlen; /* the longest literal */
};

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
	free(ls->pfs);
	free(ls->delta);
	free(ls->out);
	free(ls->next);
	free(ls);
}

size_t
litscan_add(struct litscan *ls, struct prefilter *pf)
{
	ls->pfs = xreallocarray(ls->pfs, ls->npfs + 1, sizeof(*ls->pfs));
	ls->pfs[ls->npfs] = pf;
	return ls->npfs++;
}

static void
classify(struct litscan *ls, const struct prefilter *pf)
{
	const unsigned char *c;
	size_t i;

	if (pf->type != PF_LIT) {
		for (i = 0; i < pf->nkids; i++)
			classify(ls, pf->kids[i]);
		return;
	}
	for (c = (const unsigned char *)pf->lit; *c != '\0'; c++)
		if (ls->cls[*c] == 0) {
			ls->cls[*c] = (uint8_t)ls->nclasses++;
			if (*c >= 'a' && *c <= 'z')
				ls->cls[*c - 32] = ls->cls[*c];
		}
}

static uint32_t
state_new(struct litscan *ls)
{
	size_t i;

	ls->delta = xreallocarray(
	    ls->delta, (ls->nstates + 1) * ls->nclasses, sizeof(*ls->delta));
	for (i = 0; i < ls->nclasses; i++)
		ls->delta[ls->nstates * ls->nclasses + i] = NONE;
	ls->out = xreallocarray(ls->out, ls->nstates + 1, sizeof(*ls->out));
	ls->out[ls->nstates] = NONE;
	return (uint32_t)ls->nstates++;
}

/* The trie: one state per distinct prefix of a literal. */
static void
insert(struct litscan *ls, struct prefilter *pf)
{
	const unsigned char *c;
	uint32_t s = 0, t;
	size_t i;

	if (pf->type != PF_LIT) {
		for (i = 0; i < pf->nkids; i++)
			insert(ls, pf->kids[i]);
		return;
	}
	if (strlen(pf->lit) > ls->maxlen)
		ls->maxlen = strlen(pf->lit);
	for (c = (const unsigned char *)pf->lit; *c != '\0'; c++) {
		t = ls->delta[s * ls->nclasses + ls->cls[*c]];
		if (t == NONE) {
			t = state_new(ls);
			ls->delta[s * ls->nclasses + ls->cls[*c]] = t;
		}
		s = t;
	}
	ls->out[s] = s;
	pf->state = s;
}

void
litscan_build(struct litscan *ls)
{
	uint32_t *fail, *queue, s, t;
	size_t i, c, head = 0, tail = 0;

	ls->nclasses = 1;
	for (i = 0; i < ls->npfs; i++)
		classify(ls, ls->pfs[i]);
	state_new(ls);
	for (i = 0; i < ls->npfs; i++)
		insert(ls, ls->pfs[i]);
	fail = xcalloc(ls->nstates, sizeof(*fail));
	queue = xcalloc(ls->nstates, sizeof(*queue));
	ls->next = xcalloc(ls->nstates, sizeof(*ls->next));
	ls->next[0] = NONE;
	for (c = 0; c < ls->nclasses; c++) {
		t = ls->delta[c];
		if (t == NONE)
			ls->delta[c] = 0;
		else {
			fail[t] = 0;
			queue[tail++] = t;
		}
	}
	/* Breadth first, a state's failure state is complete before it:
	 * missing transitions become those of the failure state, so a scan
	 * makes one step per byte. */
	while (head < tail) {
		s = queue[head++];
		ls->next[s] = ls->out[fail[s]];
		if (ls->out[s] == NONE)
			ls->out[s] = ls->out[fail[s]];
		for (c = 0; c < ls->nclasses; c++) {
			t = ls->delta[s * ls->nclasses + c];
			if (t == NONE)
				ls->delta[s * ls->nclasses + c] =
				    ls->delta[fail[s] * ls->nclasses + c];
			else {
				fail[t] = ls->delta[fail[s] * ls->nclasses + c];
				queue[tail++] = t;
			}
		}
	}
	if (ls->nstates * ls->nclasses >= HAS_OUT)
		abort(); /* some 20 MB of regex literals: no configuration */
	for (i = 0; i < ls->nstates * ls->nclasses; i++) {
		t = ls->delta[i];
		ls->delta[i] = (uint32_t)(t * ls->nclasses) |
		    (ls->out[t] != NONE ? HAS_OUT : 0);
	}
	free(fail);
	free(queue);
}

size_t
litscan_states(const struct litscan *ls)
{
	return ls->nstates;
}

/* One byte (or one character that caselessly is an ASCII letter) read at
 * *pp from the state whose row is row; returns the new row. */
static inline uint32_t
step(const struct litscan *ls, const unsigned char **pp,
    const unsigned char *end, uint32_t row, uint32_t *seen, uint32_t gen)
{
	const unsigned char *p = *pp;
	unsigned char c = *p++;
	uint32_t t;

	/* Caseless PCRE2 matches k with U+212A KELVIN SIGN and s with
	 * U+017F LATIN SMALL LETTER LONG S; no other non-ASCII character has
	 * an ASCII case variant. */
	if (c >= 0xc5) {
		if (c == 0xe2 && end - p > 1 && p[0] == 0x84 && p[1] == 0xaa) {
			c = 'k';
			p += 2;
		} else if (c == 0xc5 && end - p > 0 && p[0] == 0xbf) {
			c = 's';
			p++;
		}
	}
	*pp = p;
	t = ls->delta[row + ls->cls[c]];
	row = t & ~HAS_OUT;
	if (t & HAS_OUT)
		/* A literal already seen has had its shorter ones marked. */
		for (t = ls->out[row / ls->nclasses];
		     t != NONE && seen[t] != gen; t = ls->next[t])
			seen[t] = gen;
	return row;
}

void
litscan_scan(const struct litscan *ls, const char *text, size_t len,
    uint32_t *seen, uint32_t gen)
{
	const unsigned char *a = (const unsigned char *)text, *b, *a_end,
	                    *b_end = a + len;
	/* An occurrence is at most 3 bytes a character (the Kelvin sign). */
	size_t overlap = 3 * ls->maxlen;
	uint32_t ra = 0, rb = 0;

	/* Each step waits for the table load of the one before: two halves
	 * of the text, scanned in turn, keep two such chains in flight. They
	 * overlap by the longest occurrence, so that none is cut. */
	if (len >= 4 * overlap + 64) {
		b = a + len / 2;
		a_end = b + overlap;
		while (b < b_end && a < a_end) {
			ra = step(ls, &a, a_end, ra, seen, gen);
			rb = step(ls, &b, b_end, rb, seen, gen);
		}
		while (b < b_end)
			rb = step(ls, &b, b_end, rb, seen, gen);
	} else
		a_end = b_end;
	while (a < a_end)
		ra = step(ls, &a, a_end, ra, seen, gen);
}

static int
holds(const struct prefilter *pf, const uint32_t *seen, uint32_t gen)
{
	size_t i;

	if (pf->type == PF_LIT)
		return seen[pf->state] == gen;
	for (i = 0; i < pf->nkids; i++)
		if (holds(pf->kids[i], seen, gen) != (pf->type == PF_AND))
			return pf->type != PF_AND;
	return pf->type == PF_AND;
}

int
litscan_holds(
    const struct litscan *ls, size_t id, const uint32_t *seen, uint32_t gen)
{
	return holds(ls->pfs[id], seen, gen);
}
