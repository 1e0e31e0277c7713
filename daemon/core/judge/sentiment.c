/*
 * sentiment.c - lexicon and rule based tone of a text (see sentiment.h and
 * docs/SENTIMENT.md).
 *
 * English follows VADER (vaderSentiment 3.3.2) step for step, including
 * its tokenisation, so that the compound score is VADER's. French reuses
 * the same valence arithmetic with rules of its own: clause-bounded
 * negation that understands "ne ... pas", elision, multi-word idioms and a
 * Snowball stemming fallback for inflected forms.
 *
 * A model is read-only once loaded. What scoring writes (its memory, the
 * French stemmer, which Snowball does not make thread-safe, and the stems
 * it found) is a scratch's: the model's own, or one per thread given to
 * sentiment_score_with.
 */
#include "core/judge/sentiment_impl.h"

#include <libstemmer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/judge/lang_detect.h"

/* Insults counted in a text, each adding the language's rule_params
 * .insult: beyond three, a long rant is negative enough, and an otherwise
 * positive text keeps its tone. */
#define ABUSE_MAX 3
/* Longest text, in tokens, that praise beside a complaint is read as
 * sarcastic in (see irony()). */
#define IRONY_MAX_TOKENS 40

/* The work of scoring one text in one language. */
struct scoring {
	const struct lang_model *m;
	enum lang_id id;
	struct scoring_mem *mem; /* where t and s come from and go back */
	struct sentiment_scratch *x; /* stemmer and stem cache (French) */
	struct toks t;
	double *s; /* each token's contribution */
	unsigned markers; /* K_ABUSIVE, K_RUMOUR bits seen */
	int insults;
	int emotion_hits[EMOTION_COUNT];
	size_t lexical; /* tokens the lexicon scores: evidence */
	double punct; /* the punctuation amplifier */
	double sum;
};

static const char *
tok_str(const struct toks *t, size_t i)
{
	return t->fold.data + t->v[i].off;
}

static inline int
tok_is(const struct toks *t, size_t i, const char *w)
{
	return t->v[i].len == strlen(w) &&
	    memcmp(tok_str(t, i), w, t->v[i].len) == 0;
}

/* Tokens from..to (inclusive) as one folded phrase. */
static const struct lexent *
phrase_get(const struct lex *l, const struct toks *t, size_t from, size_t to)
{
	size_t end = t->v[to].off + t->v[to].len;

	return lex_get(l, tok_str(t, from), end - t->v[from].off);
}

static const struct lexent *
tok_get(const struct lex *l, const struct toks *t, size_t i)
{
	return phrase_get(l, t, i, i);
}

static unsigned
kind_of(const struct toks *t, size_t i)
{
	return t->v[i].e ? t->v[i].e->kind : 0;
}

/*
 * Replaces each run of tokens that spells a multi-word entry (a lexicon
 * phrase; in French also a rule phrase such as "un peu" or "par contre")
 * by one token, longest first, within a clause. A run is extended only
 * while some entry starts with it (K_PHRASE), so most tokens cost one
 * lookup. VADER's own lexicon has no such entry, so English text without
 * phrases from the other files is tokenised exactly as VADER does.
 */
static void
merge_phrases(const struct lang_model *m, struct toks *t, unsigned mergeable)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n;) {
		/* score_in looked each token up already. */
		const struct lexent *e = t->v[i].e, *best = e;
		size_t k = 1;

		for (size_t j = i + 1; e && (e->kind & K_PHRASE) && j < t->n &&
		     j - i < PHRASE_MAX && !(t->v[j - 1].flags & T_BREAK);
		     j++) {
			e = phrase_get(&m->words, t, i, j);
			if (e && (e->kind & mergeable)) {
				k = j - i + 1;
				best = e;
			}
		}
		if (k == 1) {
			/* Most tokens: nothing to merge. */
			if (w != i)
				t->v[w] = t->v[i];
			w++, i++;
			continue;
		}
		struct tok merged = t->v[i];
		const struct tok *last = &t->v[i + k - 1];
		/* The phrase's entry, which look_up reads. */
		merged.e = best;
		merged.n = (size_t)(last->s + last->n - merged.s);
		merged.len = last->off + last->len - merged.off;
		merged.flags =
		    (last->flags & T_BREAK) | (merged.flags & T_QUOTED);
		if (sent_is_upper(merged.s, merged.n))
			merged.flags |= T_UPPER;
		t->v[w++] = merged;
		i += k;
	}
	t->n = w;
}

/* The entry of an elongated word ("nuuul", "trooop"): runs of three or
 * more of a letter cut to one, else to two. */
static const struct lexent *
elongated(const struct lex *l, const char *s, size_t n)
{
	char one[TOKEN_MAX], two[TOKEN_MAX];
	size_t n1 = 0, n2 = 0;
	int found = 0;

	if (n > TOKEN_MAX || n < 3)
		return NULL;
	/* Most words have no run of three: say so before copying. */
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == s[i + 1] && s[i] == s[i + 2])
			found = 1;
	if (!found)
		return NULL;
	found = 0;
	for (size_t i = 0; i < n;) {
		size_t r = 1;
		while (i + r < n && s[i + r] == s[i])
			r++;
		int letter = s[i] >= 'a' && s[i] <= 'z';
		found |= letter && r >= 3;
		size_t keep1 = letter && r >= 3 ? 1 : r;
		size_t keep2 = letter && r >= 3 ? 2 : r;
		memset(one + n1, s[i], keep1);
		memset(two + n2, s[i], keep2);
		n1 += keep1, n2 += keep2, i += r;
	}
	if (!found)
		return NULL;
	const struct lexent *e = lex_get(l, one, n1);
	return e ? e : lex_get(l, two, n2);
}

/*
 * The stem entry of a French word the lexicon lacks, or NULL. Snowball
 * is the costliest step of French scoring (half of it, before this
 * cache), and the same words come back text after text: each word's
 * answer is kept, in a table emptied when it reaches STEM_CACHE_MAX.
 */
#define STEM_CACHE_MAX 65536
#define K_STEM_FOUND K_VALENCE

static const struct lexent *
stem_valence(struct scoring *sc, const char *w, size_t n)
{
	const struct lang_model *m = sc->m;
	struct lex *seen = &sc->x->stems_seen;
	const struct lexent *c = lex_get(seen, w, n);

	if (c != NULL)
		return c->kind & K_STEM_FOUND ? c : NULL;
	if (sc->x->stemmer == NULL &&
	    (sc->x->stemmer = sb_stemmer_new("french", NULL)) == NULL)
		return NULL;
	const sb_symbol *st =
	    sb_stemmer_stem(sc->x->stemmer, (const sb_symbol *)w, (int)n);
	const struct lexent *se = st
	    ? lex_get(&m->stems, (const char *)st,
	          (size_t)sb_stemmer_length(sc->x->stemmer))
	    : NULL;
	if (seen->len >= STEM_CACHE_MAX)
		lex_clear(seen);
	struct lexent *k = lex_put(seen, w, n);
	k->kind = se ? K_STEM_FOUND : 0;
	k->val = se ? se->val : 0;
	return se ? k : NULL;
}

/* Each token's entry and valence: the word's, else (French) that of its
 * de-elongated form or of its Snowball stem. Short words and rule words
 * are not stemmed: their stems collide too easily ("extrêmement" with
 * "extrême"). */
static void
look_up(struct scoring *sc)
{
	const struct lang_model *m = sc->m;
	struct toks *t = &sc->t;

	for (size_t i = 0; i < t->n; i++) {
		struct tok *k = &t->v[i];
		const struct lexent *e = k->e;
		if (sc->id == L_FR && (e == NULL || !(e->kind & K_VALENCE))) {
			const struct lexent *x =
			    elongated(&m->words, tok_str(t, i), k->len);
			if (x != NULL) {
				e = x;
				k->why |= RULE_ELONGATED;
			}
		}
		k->e = e;
		if (e && (e->kind & K_VALENCE)) {
			k->val = e->val;
			k->flags |= T_LEX;
			continue;
		}
		if (m->stemmer == NULL || k->len <= 3 ||
		    (e && (e->kind & (K_BOOST | K_NEGATE))))
			continue;
		const struct lexent *se =
		    stem_valence(sc, tok_str(t, i), k->len);
		if (se != NULL) {
			k->val = se->val;
			k->flags |= T_LEX;
			k->why |= RULE_STEM;
		}
	}
}

static int
cap_differential(const struct toks *t)
{
	size_t upper = 0;

	for (size_t i = 0; i < t->n; i++)
		upper += (t->v[i].flags & T_UPPER) != 0;
	return upper > 0 && upper < t->n;
}

/* VADER's scalar_inc_dec(): what word j adds to valence. */
static double
booster(
    const struct toks *t, size_t j, double valence, int capdiff, unsigned *why)
{
	unsigned kind = kind_of(t, j);
	double s;

	if (!(kind & K_BOOST))
		return 0;
	s = valence < 0 ? -t->v[j].e->boost : t->v[j].e->boost;
	if ((t->v[j].flags & T_UPPER) && capdiff)
		s += valence > 0 ? C_INCR : -C_INCR;
	*why |= t->v[j].e->boost > 0 ? RULE_BOOSTED : RULE_DAMPENED;
	return s;
}

static int
en_negated(const struct toks *t, size_t j)
{
	return (kind_of(t, j) & K_NEGATE) ||
	    (memchr(tok_str(t, j), '\'', t->v[j].len) != NULL &&
	        memmem(tok_str(t, j), t->v[j].len, "n't", 3) != NULL);
}

/* VADER's _negation_check(). */
static double
en_negation(
    const struct toks *t, double v, size_t start, size_t i, unsigned *why)
{
	size_t neg = SIZE_MAX;

	if (start == 0) {
		if (en_negated(t, i - 1))
			neg = i - 1;
	} else if (start == 1) {
		if (tok_is(t, i - 2, "never") &&
		    (tok_is(t, i - 1, "so") || tok_is(t, i - 1, "this"))) {
			*why |= RULE_NEVER_SO;
			return v * 1.25;
		}
		if (!(tok_is(t, i - 2, "without") &&
		        tok_is(t, i - 1, "doubt")) &&
		    en_negated(t, i - 2))
			neg = i - 2;
	} else {
		if ((tok_is(t, i - 3, "never") &&
		        (tok_is(t, i - 2, "so") || tok_is(t, i - 2, "this"))) ||
		    tok_is(t, i - 1, "so") || tok_is(t, i - 1, "this")) {
			*why |= RULE_NEVER_SO;
			return v * 1.25;
		}
		if (!(tok_is(t, i - 3, "without") &&
		        (tok_is(t, i - 2, "doubt") ||
		            tok_is(t, i - 1, "doubt"))) &&
		    en_negated(t, i - 3))
			neg = i - 3;
	}
	if (neg == SIZE_MAX)
		return v;
	*why |= RULE_NEGATED;
	return v * N_SCALAR;
}

/*
 * Whether a span of tokens from i may spell a multi-word key: i's word
 * begins one (K_HEAD), or i is itself a phrase, merged or folded into
 * several words, whose first word is not the one looked up.
 */
static int
may_begin(const struct toks *t, size_t i)
{
	return (kind_of(t, i) & K_HEAD) ||
	    memchr(tok_str(t, i), ' ', t->v[i].len) != NULL;
}

/* VADER's _special_idioms_check(). */
static double
en_special(const struct lang_model *m, const struct toks *t, double v, size_t i,
    unsigned *why)
{
	static const int before[][2] = { { 1, 0 }, { 2, 0 }, { 2, 1 }, { 3, 1 },
		{ 3, 2 } };
	const struct lexent *e;

	for (size_t k = 0; k < ARRAY_LEN(before); k++) {
		if (!may_begin(t, i - before[k][0]))
			continue;
		e = phrase_get(
		    &m->special, t, i - before[k][0], i - before[k][1]);
		if (e) {
			v = e->val;
			*why |= RULE_SPECIAL;
			break;
		}
	}
	if (may_begin(t, i)) {
		if (i + 1 < t->n && (e = phrase_get(&m->special, t, i, i + 1)))
			v = e->val, *why |= RULE_SPECIAL;
		if (i + 2 < t->n && (e = phrase_get(&m->special, t, i, i + 2)))
			v = e->val, *why |= RULE_SPECIAL;
	}
	/* Multi-word boosters ("kind of") before the word. */
	static const int grams[][2] = { { 3, 1 }, { 3, 2 }, { 2, 1 } };
	for (size_t k = 0; k < ARRAY_LEN(grams); k++) {
		if (!may_begin(t, i - grams[k][0]))
			continue;
		e = phrase_get(&m->words, t, i - grams[k][0], i - grams[k][1]);
		if (e && (e->kind & K_BOOST)) {
			v += e->boost;
			*why |= RULE_DAMPENED;
		}
	}
	return v;
}

static void
score_en(struct scoring *sc)
{
	const struct toks *t = &sc->t;
	int capdiff = cap_differential(t);
	size_t n = t->n;
	double *s = sc->s;

	for (size_t i = 0; i < n; i++) {
		unsigned *why = &sc->t.v[i].why;
		s[i] = 0;
		if ((kind_of(t, i) & K_BOOST) ||
		    (i + 1 < n && tok_is(t, i, "kind") &&
		        tok_is(t, i + 1, "of")))
			continue;
		if (!(t->v[i].flags & T_LEX))
			continue;
		double base = t->v[i].val, v = base;
		if (tok_is(t, i, "no") && i + 1 < n &&
		    (t->v[i + 1].flags & T_LEX))
			v = 0;
		if ((i > 0 && tok_is(t, i - 1, "no")) ||
		    (i > 1 && tok_is(t, i - 2, "no")) ||
		    (i > 2 && tok_is(t, i - 3, "no") &&
		        (tok_is(t, i - 1, "or") || tok_is(t, i - 1, "nor")))) {
			v = base * N_SCALAR;
			*why |= RULE_NEGATED;
		}
		if ((t->v[i].flags & T_UPPER) && capdiff) {
			v += v > 0 ? C_INCR : -C_INCR;
			*why |= RULE_CAPS;
		}
		for (size_t st = 0; st < 3; st++) {
			if (i <= st || (t->v[i - st - 1].flags & T_LEX))
				continue;
			double b = booster(t, i - st - 1, v, capdiff, why);
			if (st == 1)
				b *= 0.95;
			else if (st == 2)
				b *= 0.9;
			v = en_negation(t, v + b, st, i, why);
			if (st == 2)
				v = en_special(sc->m, t, v, i, why);
		}
		/* "least" negates, but not in "at least", "very least". */
		if (i > 0 && !(t->v[i - 1].flags & T_LEX) &&
		    tok_is(t, i - 1, "least") &&
		    (i == 1 ||
		        (!tok_is(t, i - 2, "at") &&
		            !tok_is(t, i - 2, "very")))) {
			v *= N_SCALAR;
			*why |= RULE_NEGATED;
		}
		s[i] = v;
	}
	/*
	 * "but": words before it count half, words after one and a half.
	 * VADER finds the word to reweight with list.index(value), that is
	 * the first word holding an equal valence; reproduced so that the
	 * scores stay VADER's when two words share a valence.
	 */
	size_t bi;
	for (bi = 0; bi < n && !tok_is(t, bi, "but"); bi++)
		;
	if (bi == n)
		return;
	for (size_t k = 0; k < n; k++) {
		size_t si = k;
		/* Which zero is picked makes no difference; past BUT_LOOKBACK
		 * words the search stops, to stay linear on long texts. */
		if (s[k] != 0 && k < BUT_LOOKBACK)
			for (si = 0; s[si] != s[k]; si++)
				;
		if (si < bi) {
			s[si] *= 0.5;
			sc->t.v[si].why |= RULE_BEFORE_CONTRAST;
		} else if (si > bi) {
			s[si] *= 1.5;
			sc->t.v[si].why |= RULE_AFTER_CONTRAST;
		}
	}
}

/* Is word i negated in French? A negation among the three words before
 * it in its clause ("pas bon", "sans problème", "ne ... plus"); or "ne"
 * before it and the second half right after ("je ne l'aime pas"); or, as
 * French is written online, without "ne": "pas", "jamais" or "rien" right
 * after it ("j'aime pas", "je recommande pas"). Returns 1.25 for "jamais
 * ... aussi/si" (never so...), which intensifies. */
static double
fr_negation(const struct rule_params *p, const struct toks *t, size_t i)
{
	size_t ne = SIZE_MAX;

	for (size_t d = 1; d <= 3 && d <= i; d++) {
		size_t j = i - d;
		if (t->v[j].flags & T_BREAK)
			break;
		if (tok_is(t, j, "ne")) {
			ne = j;
			continue;
		}
		unsigned kind = kind_of(t, j);
		int neg = (kind & K_NEGATE) != 0;
		if ((kind & K_WEAKNEG) && !neg)
			neg = (j >= 1 && tok_is(t, j - 1, "ne")) ||
			    (j >= 2 && tok_is(t, j - 2, "ne") &&
			        !(t->v[j - 2].flags & T_BREAK));
		if (!neg)
			continue;
		if (tok_is(t, j, "jamais"))
			for (size_t k = j + 1; k < i; k++)
				if (tok_is(t, k, "aussi") || tok_is(t, k, "si"))
					return 1.25;
		return p->negation;
	}
	if (ne != SIZE_MAX) {
		for (size_t j = i; j + 1 < t->n && j < i + 2; j++) {
			if (t->v[j].flags & T_BREAK)
				break;
			if (kind_of(t, j + 1) & K_POST)
				return p->negation;
		}
		return 1;
	}
	if (i + 1 < t->n && !(t->v[i].flags & T_BREAK) &&
	    (tok_is(t, i + 1, "pas") || tok_is(t, i + 1, "jamais") ||
	        tok_is(t, i + 1, "rien")))
		return p->negation;
	return 1;
}

static void
score_fr(struct scoring *sc)
{
	struct toks *t = &sc->t;
	int capdiff = cap_differential(t);
	size_t n = t->n;
	double *s = sc->s;

	for (size_t i = 0; i < n; i++) {
		unsigned *why = &sc->t.v[i].why;
		unsigned kind = kind_of(t, i);
		s[i] = 0;
		if (!(t->v[i].flags & T_LEX) || (kind & K_NEGATE) ||
		    (kind & K_CONTRAST))
			continue;
		/* An intensifier that is also a word ("super") counts as
		 * the word when nothing it could intensify follows; one
		 * written after its word ("kiffe grave") never counts. */
		if ((kind & K_BOOST) && i + 1 < n &&
		    !(t->v[i].flags & T_BREAK) && (t->v[i + 1].flags & T_LEX))
			continue;
		if ((kind & K_AFTER) && i > 0 && s[i - 1] != 0 &&
		    !(t->v[i - 1].flags & T_BREAK)) {
			s[i - 1] += s[i - 1] > 0 ? sc->m->p.intensifier
			                         : -sc->m->p.intensifier;
			t->v[i - 1].why |= RULE_BOOSTED;
			continue;
		}
		double v = t->v[i].val;
		/* A pictograph says its tone whatever surrounds it: "pour
		 * rien 😭" is not a negated sob. */
		if (t->v[i].flags & T_PICTO) {
			s[i] = v;
			continue;
		}
		if ((t->v[i].flags & T_UPPER) && capdiff && v != 0) {
			v += v > 0 ? C_INCR : -C_INCR;
			*why |= RULE_CAPS;
		}
		for (size_t st = 0; st < 3 && st < i; st++) {
			size_t j = i - st - 1;
			if (t->v[j].flags & T_BREAK)
				break;
			/* Unlike VADER, an intensifier the lexicon also scores
			 * ("super", "terriblement") still intensifies. */
			double b = booster(t, j, v, capdiff, why);
			v += st == 0 ? b : st == 1 ? b * 0.95 : b * 0.9;
		}
		double neg = fr_negation(&sc->m->p, t, i);
		if (neg < 0)
			*why |= RULE_NEGATED;
		else if (neg > 1)
			*why |= RULE_NEVER_SO;
		s[i] = v * neg;
	}
	/* Contrast: the clause after "mais" dominates, as after "but". */
	for (size_t bi = 0; bi < n; bi++) {
		if (!(kind_of(t, bi) & K_CONTRAST))
			continue;
		for (size_t k = 0; k < n; k++) {
			if (s[k] == 0 || k == bi)
				continue;
			s[k] *= k < bi ? sc->m->p.before_contrast
			               : sc->m->p.after_contrast;
			sc->t.v[k].why |=
			    k < bi ? RULE_BEFORE_CONTRAST : RULE_AFTER_CONTRAST;
		}
		break;
	}
}

/*
 * Sarcasm, in its common written forms: praise next to a complaint that
 * says the failure is not the first ("Génial, encore une panne", "Bravo
 * la SNCF, encore un train annulé, vraiment au top"), an eye-roll (🙄 🙃)
 * anywhere, applause (👏) after a complaint; and praise alone in quotes
 * ('le "super" service'). The praise turns negative, as a negation
 * turns a word; the complaint keeps its own tone.
 */
static void
irony(struct scoring *sc)
{
	struct toks *t = &sc->t;
	int complaint = 0, again = 0, eyeroll = 0, clap = 0;

	for (size_t i = 0; i < t->n; i++) {
		unsigned kind = kind_of(t, i);
		complaint |= sc->s[i] < 0 && !(kind & (K_IRONY | K_CLAP));
		again |= (kind & K_AGAIN) != 0;
		eyeroll |= (kind & K_IRONY) != 0;
		clap |= (kind & K_CLAP) != 0;
	}
	/* Praise beside a complaint is sarcasm in a post; in a long review
	 * it is usually a review weighing both ("Excellent ! ... encore un
	 * rebondissement raté"), so the rule stops at IRONY_MAX_TOKENS. */
	int sarcastic = eyeroll ||
	    (complaint && (again || clap) && t->n <= IRONY_MAX_TOKENS);
	for (size_t i = 0; i < t->n; i++) {
		unsigned kind = kind_of(t, i);
		if (sc->s[i] <= 0)
			continue;
		if (sarcastic &&
		    (eyeroll || (kind & (K_PRAISE | K_CLAP)) ||
		        (t->v[i].flags & T_QUOTED))) {
			sc->s[i] *= sc->m->p.irony;
			t->v[i].why |= RULE_IRONY;
		} else if ((t->v[i].flags & T_QUOTED) && (kind & K_PRAISE)) {
			sc->s[i] *= sc->m->p.irony;
			t->v[i].why |= RULE_QUOTED;
		}
	}
}

/* Counts the marker e (the longest found at a word). */
static void
marker_count(struct scoring *sc, const struct lexent *e)
{
	sc->insults += (e->kind & K_ABUSIVE) != 0;
	sc->markers |= e->kind & (K_ABUSIVE | K_RUMOUR);
	for (int em = 0; em < EMOTION_COUNT; em++)
		sc->emotion_hits[em] += (e->kind >> (K_EMOTION_SHIFT + em)) & 1;
}

/* Appends a word at off (len bytes); known when e, its entry (NULL for
 * none), was looked up already (a plain token's), else it is looked up
 * when reached. */
static void
mark_word_add(struct sentiment_scratch *x, size_t *n, size_t off, size_t len,
    const struct lexent *e, int known)
{
	if (*n == x->mwcap) {
		x->mwcap = x->mwcap ? 2 * x->mwcap : 128;
		x->mw = xreallocarray(x->mw, x->mwcap, sizeof *x->mw);
	}
	x->mw[(*n)++] = (struct mark_word){ off, len, e, known };
}

/*
 * The markers of the text, on its whole words: insults, rumour phrases,
 * emotion words. At each word the longest marker starting there counts,
 * and the words it covers are not looked at again ("espèce de connard" is
 * one insult, not two). A start is extended to the next words only while
 * some marker starts with what it has (K_MARK_PHRASE).
 *
 * A plain token (T_PLAIN: letters and digits) is one word, whose entry
 * is known already; the others are cut into words (apostrophes, hyphens,
 * pictographs: "don't" is "don" and "t") and looked up when reached.
 * When every token is plain, the tokens are the words and the folded
 * text is their buffer.
 */
static void
markers_scan(struct scoring *sc, struct sentiment_scratch *x)
{
	const struct lex *l = &sc->m->words;
	const struct toks *t = &sc->t;
	struct buf *words = &x->words;
	const char *base;
	size_t n = 0;

	if (x->mwcap < t->n) {
		x->mwcap = t->n > 64 ? 2 * t->n : 128;
		x->mw = xreallocarray(x->mw, x->mwcap, sizeof *x->mw);
	}
	if (t->plain) {
		base = t->fold.data;
		for (size_t i = 0; i < t->n; i++)
			x->mw[n++] = (struct mark_word){ t->v[i].off,
				t->v[i].len, t->v[i].e, 1 };
	} else {
		words->len = 0;
		for (size_t i = 0; i < t->n; i++) {
			const struct tok *k = &t->v[i];
			size_t p = words->len;
			if (k->flags & T_PLAIN) {
				/* One word, whose entry is known: copied
				 * as it is, not cut again. */
				buf_reserve(words, k->len + 1);
				if (p > 0)
					words->data[words->len++] = ' ', p++;
				memcpy(words->data + p, tok_str(t, i), k->len);
				words->len += k->len;
				words->data[words->len] = '\0';
				mark_word_add(x, &n, p, k->len, k->e, 1);
				continue;
			}
			sent_words(tok_str(t, i), k->len, words);
			while (p < words->len) {
				while (p < words->len && words->data[p] == ' ')
					p++;
				size_t end = p;
				while (
				    end < words->len && words->data[end] != ' ')
					end++;
				if (end > p)
					mark_word_add(
					    x, &n, p, end - p, NULL, 0);
				p = end;
			}
		}
		base = words->data;
	}
	for (size_t i = 0; i < n;) {
		struct mark_word *w = &x->mw[i];
		if (!w->known) {
			w->e = lex_get(l, base + w->off, w->len);
			w->known = 1;
		}
		const struct lexent *e = w->e, *best = NULL;
		size_t next = i + 1;
		for (size_t j = i + 1; e != NULL; j++) {
			if (e->kind & K_MARKERS)
				best = e, next = j;
			if (!(e->kind & K_MARK_PHRASE) || j == n ||
			    j - i == PHRASE_MAX)
				break;
			const struct mark_word *last = &x->mw[j];
			e = lex_get(
			    l, base + w->off, last->off + last->len - w->off);
		}
		if (best != NULL)
			marker_count(sc, best);
		i = next;
	}
}

static void
sift(struct scoring *sc, const char *text, size_t len,
    struct sentiment_score *out)
{
	double sum = 0, pos = 0, neg = 0, neu = 0;
	size_t excl = 0, quest = 0, n = sc->t.n;
	const double *s = sc->s;
	int insults = sc->insults < ABUSE_MAX ? sc->insults : ABUSE_MAX;

	out->compound = out->pos = out->neg = out->neu = 0;
	sc->punct = sc->sum = 0;
	if (n == 0 && insults == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		sum += s[i];
		if (s[i] > 0)
			pos += s[i] + 1;
		else if (s[i] < 0)
			neg += s[i] - 1;
		else
			neu += 1;
	}
	/* An insult is a negative word, wherever the lexicon stands. */
	sum += insults * sc->m->p.insult;
	neg += insults * (sc->m->p.insult - 1);
	/* Most texts have neither: memchr finds that out a word at a
	 * time. */
	if (memchr(text, '!', len) != NULL)
		for (size_t i = 0; i < len; i++)
			excl += text[i] == '!';
	if (memchr(text, '?', len) != NULL)
		for (size_t i = 0; i < len; i++)
			quest += text[i] == '?';
	double amp = (double)(excl > 4 ? 4 : excl) * 0.292;
	if (quest > 3)
		amp += 0.96;
	else if (quest > 1)
		amp += (double)quest * 0.18;
	if (sum > 0)
		sum += amp, sc->punct = amp;
	else if (sum < 0)
		sum -= amp, sc->punct = -amp;
	sc->sum = sum;
	double c = sum / sqrt(sum * sum + 15);
	out->compound = c < -1 ? -1 : c > 1 ? 1 : c;
	if (pos > fabs(neg))
		pos += amp;
	else if (pos < fabs(neg))
		neg -= amp;
	double total = pos + fabs(neg) + neu;
	out->pos = fabs(pos / total);
	out->neg = fabs(neg / total);
	out->neu = fabs(neu / total);
}

/* Scores text in language id into out; sc keeps the details, in the
 * memory of mem. */
static void
score_in(const struct sentiment_model *model, enum lang_id id, const char *text,
    size_t len, struct scoring *sc, struct scoring_mem *mem,
    struct sentiment_scratch *x, struct sentiment_score *out)
{
	sc->m = &model->lang[id];
	sc->id = id;
	sc->mem = mem;
	sc->x = x;
	sc->t = mem->t;
	sc->t.n = 0;
	sc->t.fold.len = 0;
	toks_read(id, &sc->t, text, len);
	for (size_t i = 0; i < sc->t.n; i++)
		sc->t.v[i].e = tok_get(&sc->m->words, &sc->t, i);
	/* On the words, before phrases merge them into tokens. */
	markers_scan(sc, x);
	merge_phrases(sc->m, &sc->t,
	    id == L_FR ? K_VALENCE | K_BOOST | K_CONTRAST | K_AGAIN
	               : K_VALENCE);
	look_up(sc);
	if (mem->scap < sc->t.n || mem->s == NULL) {
		mem->scap = sc->t.n > 64 ? sc->t.n : 64;
		mem->s = xreallocarray(mem->s, mem->scap, sizeof *mem->s);
	}
	sc->s = mem->s;
	if (id == L_FR)
		score_fr(sc);
	else
		score_en(sc);
	irony(sc);
	for (size_t i = 0; i < sc->t.n; i++)
		sc->lexical += (sc->t.v[i].flags & T_LEX) != 0;
	sift(sc, text, len, out);
	out->abusive = (sc->markers & K_ABUSIVE) != 0;
	out->rumour = (sc->markers & K_RUMOUR) != 0;
	/* An insult is anger too, when nothing else says what is felt. */
	int best = 0;
	for (int e = 0; e < EMOTION_COUNT; e++)
		if (sc->emotion_hits[e] > best)
			best = sc->emotion_hits[e];
	if (best == 0 && sc->insults > 0)
		sc->emotion_hits[EMOTION_ANGER] = best = 1;
	out->emotions = 0;
	for (int e = 0; best > 0 && e < EMOTION_COUNT; e++)
		if (sc->emotion_hits[e] == best)
			out->emotions |= 1u << e;
	memcpy(out->lang, sentiment_lang_names[id], 3);
}

/* Gives the scoring's memory back for the next text. */
static void
scoring_clear(struct scoring *sc)
{
	if (sc->mem != NULL)
		sc->mem->t = sc->t;
	memset(sc, 0, sizeof *sc);
}

struct sentiment_scratch *
sentiment_scratch_new(void)
{
	return xcalloc(1, sizeof(struct sentiment_scratch));
}

void
sentiment_scratch_free(struct sentiment_scratch *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < ARRAY_LEN(x->mem); i++) {
		toks_clear(&x->mem[i].t);
		free(x->mem[i].s);
	}
	buf_clear(&x->words);
	free(x->mw);
	lex_clear(&x->stems_seen);
	if (x->stemmer != NULL)
		sb_stemmer_delete(x->stemmer);
	free(x);
}

/* Evidence a scoring found in its language: words it knows. */
static size_t
evidence(const struct scoring *sc)
{
	return sc->lexical + (size_t)sc->insults +
	    ((sc->markers & K_RUMOUR) != 0);
}

static void
explain_fill(const struct scoring *sc, struct sentiment_explain *ex)
{
	const struct toks *t = &sc->t;

	for (size_t i = 0; i < t->n; i++) {
		if (!(t->v[i].flags & T_LEX))
			continue;
		ex->v = xreallocarray(ex->v, ex->n + 1, sizeof *ex->v);
		struct sentiment_contrib *c = &ex->v[ex->n++];
		c->word = xstrndup(t->v[i].s, t->v[i].n);
		c->valence = t->v[i].val;
		c->score = sc->s[i];
		c->rules = t->v[i].why |
		    ((t->v[i].flags & T_HASHTAG) ? RULE_HASHTAG : 0);
	}
	int insults = sc->insults < ABUSE_MAX ? sc->insults : ABUSE_MAX;
	for (int i = 0; i < insults; i++) {
		ex->v = xreallocarray(ex->v, ex->n + 1, sizeof *ex->v);
		struct sentiment_contrib *c = &ex->v[ex->n++];
		c->word = xstrdup("(insult)");
		c->valence = c->score = sc->m->p.insult;
		c->rules = RULE_ABUSIVE;
	}
	ex->punctuation = sc->punct;
	ex->sum = sc->sum;
}

static void
judge(const struct sentiment_model *model, struct sentiment_scratch *x,
    const char *text, size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out, struct sentiment_explain *ex)
{
	struct scoring sc = { 0 }, other = { 0 };
	struct sentiment_score alt;
	enum lang_sureness sure = LANG_SURE;
	enum lang_id id;

	if (lang && strcmp(lang, "fr") == 0)
		id = L_FR;
	else if (lang && strcmp(lang, "en") == 0)
		id = L_EN;
	else
		id = sentiment_lang(model, text, len, &sure);
	score_in(model, id, text, len, &sc, &x->mem[0], x, out);
	if (sure != LANG_SURE) {
		/* Too little to tell the language: both, and the one that
		 * recognises more of the text wins; on a tie, the language
		 * the text leans to, else the stronger tone. */
		enum lang_id oid = id == L_FR ? L_EN : L_FR;
		score_in(model, oid, text, len, &other, &x->mem[1], x, &alt);
		size_t a = evidence(&sc), b = evidence(&other);
		if (b > a ||
		    (b == a && sure == LANG_UNKNOWN &&
		        fabs(alt.compound) > fabs(out->compound))) {
			struct scoring tmp = sc;
			sc = other, other = tmp;
			*out = alt;
		}
	}
	if (ex != NULL) {
		memset(ex, 0, sizeof *ex);
		explain_fill(&sc, ex);
	}
	scoring_clear(&sc);
	scoring_clear(&other);

	if (out->compound >= neutral_band)
		out->label = LABEL_POSITIVE;
	else if (out->compound <= -neutral_band)
		out->label = LABEL_NEGATIVE;
	else
		out->label = LABEL_NEUTRAL;
}

void
sentiment_score(const struct sentiment_model *model, const char *text,
    size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out)
{
	judge(model, model->scratch, text, len, lang, neutral_band, out, NULL);
}

void
sentiment_score_with(const struct sentiment_model *model,
    struct sentiment_scratch *x, const char *text, size_t len, const char *lang,
    double neutral_band, struct sentiment_score *out)
{
	judge(model, x, text, len, lang, neutral_band, out, NULL);
}

void
sentiment_explain(const struct sentiment_model *model, const char *text,
    size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out, struct sentiment_explain *ex)
{
	judge(model, model->scratch, text, len, lang, neutral_band, out, ex);
}

void
sentiment_explain_clear(struct sentiment_explain *ex)
{
	for (size_t i = 0; i < ex->n; i++)
		free(ex->v[i].word);
	free(ex->v);
	memset(ex, 0, sizeof *ex);
}

static const char *const rule_names[RULE_COUNT] = { "stem", "elongated", "caps",
	"boosted", "dampened", "negated", "never so", "idiom",
	"before contrast", "after contrast", "irony", "quoted", "insult",
	"hashtag" };

const char *
sentiment_rule_name(unsigned rule)
{
	for (int i = 0; i < RULE_COUNT; i++)
		if (rule == 1u << i)
			return rule_names[i];
	return "";
}

const char *
sentiment_label_name(enum sentiment_label l)
{
	switch (l) {
	case LABEL_NEGATIVE:
		return "negative";
	case LABEL_POSITIVE:
		return "positive";
	case LABEL_NEUTRAL:
		break;
	}
	return "neutral";
}

static const char *const emotion_names[EMOTION_COUNT] = {
	[EMOTION_ANGER] = "anger",
	[EMOTION_FEAR] = "fear",
	[EMOTION_SADNESS] = "sadness",
	[EMOTION_DISGUST] = "disgust",
	[EMOTION_JOY] = "joy",
	[EMOTION_SURPRISE] = "surprise",
};

static const char *const emotion_names_fr[EMOTION_COUNT] = {
	[EMOTION_ANGER] = "colère",
	[EMOTION_FEAR] = "peur",
	[EMOTION_SADNESS] = "tristesse",
	[EMOTION_DISGUST] = "dégoût",
	[EMOTION_JOY] = "joie",
	[EMOTION_SURPRISE] = "surprise",
};

const char *
emotion_name(enum emotion e)
{
	return (unsigned)e < EMOTION_COUNT ? emotion_names[e] : "";
}

const char *
emotion_label(enum emotion e, const char *lang)
{
	if ((unsigned)e >= EMOTION_COUNT)
		return "";
	if (lang != NULL && strncmp(lang, "fr", 2) == 0)
		return emotion_names_fr[e];
	return emotion_names[e];
}

int
emotion_parse(const char *name)
{
	for (int e = 0; e < EMOTION_COUNT; e++)
		if (strcmp(name, emotion_names[e]) == 0)
			return e;
	return -1;
}
