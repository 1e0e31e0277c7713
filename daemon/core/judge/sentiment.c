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
 * A model is read-only once loaded except for its French stemmer, which
 * Snowball does not make thread-safe: use one model per thread.
 */
#include "core/judge/sentiment_impl.h"

#include <libstemmer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/judge/lang_detect.h"

static const char *
tok_str(const struct toks *t, size_t i)
{
	return t->fold.data + t->v[i].off;
}

static int
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

/* Replaces each run of tokens that spells a multi-word lexicon entry (or,
 * in French, a multi-word intensifier such as "un peu" or contrast such as
 * "par contre") by one token, longest first, within a clause. VADER's own
 * lexicon has no such entry and its "kind of" has rules of its own, so
 * English text without phrases from the other files is tokenised exactly
 * as VADER does. */
static void
merge_phrases(const struct lang_model *m, struct toks *t, int rules)
{
	int maxw = m->words.maxwords;
	size_t w = 0;

	if (rules && m->boost.maxwords > maxw)
		maxw = m->boost.maxwords;
	if (rules && m->contrast.maxwords > maxw)
		maxw = m->contrast.maxwords;
	if (maxw < 2)
		return;
	for (size_t i = 0; i < t->n;) {
		size_t k = 1;
		for (size_t span = (size_t)maxw; span >= 2; span--) {
			if (i + span > t->n)
				continue;
			size_t j;
			for (j = i; j + 1 < i + span; j++)
				if (t->v[j].flags & T_BREAK)
					break;
			if (j + 1 < i + span)
				continue;
			if (phrase_get(&m->words, t, i, i + span - 1) ||
			    (rules &&
			        (phrase_get(&m->boost, t, i, i + span - 1) ||
			            phrase_get(
			                &m->contrast, t, i, i + span - 1)))) {
				k = span;
				break;
			}
		}
		struct tok merged = t->v[i];
		if (k > 1) {
			const struct tok *last = &t->v[i + k - 1];
			merged.n = (size_t)(last->s + last->n - merged.s);
			merged.len = last->off + last->len - merged.off;
			merged.flags = last->flags & T_BREAK;
			if (sent_is_upper(merged.s, merged.n))
				merged.flags |= T_UPPER;
		}
		t->v[w++] = merged;
		i += k;
	}
	t->n = w;
}

/* Valence of a word, through its Snowball stem if the form itself is not
 * in the lexicon (French). Short words and rule words are not stemmed:
 * their stems collide too easily ("extrêmement" with "extrême"). */
static int
word_valence(
    const struct lang_model *m, const struct toks *t, size_t i, double *val)
{
	const struct lexent *e = tok_get(&m->words, t, i);

	if (e == NULL && m->stemmer && t->v[i].len > 3 &&
	    !tok_get(&m->boost, t, i) && !tok_get(&m->negate, t, i)) {
		const sb_symbol *st = sb_stemmer_stem(m->stemmer,
		    (const sb_symbol *)tok_str(t, i), (int)t->v[i].len);
		if (st)
			e = lex_get(&m->stems, (const char *)st,
			    (size_t)sb_stemmer_length(m->stemmer));
	}
	if (e == NULL)
		return 0;
	*val = e->val;
	return 1;
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
booster(const struct lang_model *m, const struct toks *t, size_t j,
    double valence, int capdiff)
{
	const struct lexent *e = tok_get(&m->boost, t, j);
	double s;

	if (e == NULL)
		return 0;
	s = valence < 0 ? -e->val : e->val;
	if ((t->v[j].flags & T_UPPER) && capdiff)
		s += valence > 0 ? C_INCR : -C_INCR;
	return s;
}

static int
en_negated(const struct lang_model *m, const struct toks *t, size_t j)
{
	return tok_get(&m->negate, t, j) != NULL ||
	    memmem(tok_str(t, j), t->v[j].len, "n't", 3) != NULL;
}

/* VADER's _negation_check(). */
static double
en_negation(const struct lang_model *m, const struct toks *t, double v,
    size_t start, size_t i)
{
	if (start == 0) {
		if (en_negated(m, t, i - 1))
			v *= N_SCALAR;
	} else if (start == 1) {
		if (tok_is(t, i - 2, "never") &&
		    (tok_is(t, i - 1, "so") || tok_is(t, i - 1, "this")))
			v *= 1.25;
		else if (tok_is(t, i - 2, "without") &&
		    tok_is(t, i - 1, "doubt"))
			;
		else if (en_negated(m, t, i - 2))
			v *= N_SCALAR;
	} else {
		if ((tok_is(t, i - 3, "never") &&
		        (tok_is(t, i - 2, "so") || tok_is(t, i - 2, "this"))) ||
		    tok_is(t, i - 1, "so") || tok_is(t, i - 1, "this"))
			v *= 1.25;
		else if (tok_is(t, i - 3, "without") &&
		    (tok_is(t, i - 2, "doubt") || tok_is(t, i - 1, "doubt")))
			;
		else if (en_negated(m, t, i - 3))
			v *= N_SCALAR;
	}
	return v;
}

/* VADER's _special_idioms_check(). */
static double
en_special(const struct lang_model *m, const struct toks *t, double v, size_t i)
{
	static const int before[][2] = { { 1, 0 }, { 2, 0 }, { 2, 1 }, { 3, 1 },
		{ 3, 2 } };
	const struct lexent *e;

	for (size_t k = 0; k < ARRAY_LEN(before); k++) {
		e = phrase_get(
		    &m->special, t, i - before[k][0], i - before[k][1]);
		if (e) {
			v = e->val;
			break;
		}
	}
	if (i + 1 < t->n && (e = phrase_get(&m->special, t, i, i + 1)))
		v = e->val;
	if (i + 2 < t->n && (e = phrase_get(&m->special, t, i, i + 2)))
		v = e->val;
	/* Multi-word boosters ("kind of") before the word. */
	static const int grams[][2] = { { 3, 1 }, { 3, 2 }, { 2, 1 } };
	for (size_t k = 0; k < ARRAY_LEN(grams); k++)
		if ((e = phrase_get(
		         &m->boost, t, i - grams[k][0], i - grams[k][1])))
			v += e->val;
	return v;
}

static void
score_en(const struct lang_model *m, const struct toks *t, double *s)
{
	int capdiff = cap_differential(t);
	size_t n = t->n;

	for (size_t i = 0; i < n; i++) {
		s[i] = 0;
		if (tok_get(&m->boost, t, i) ||
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
		        (tok_is(t, i - 1, "or") || tok_is(t, i - 1, "nor"))))
			v = base * N_SCALAR;
		if ((t->v[i].flags & T_UPPER) && capdiff)
			v += v > 0 ? C_INCR : -C_INCR;
		for (size_t st = 0; st < 3; st++) {
			if (i <= st || (t->v[i - st - 1].flags & T_LEX))
				continue;
			double b = booster(m, t, i - st - 1, v, capdiff);
			if (st == 1)
				b *= 0.95;
			else if (st == 2)
				b *= 0.9;
			v = en_negation(m, t, v + b, st, i);
			if (st == 2)
				v = en_special(m, t, v, i);
		}
		/* "least" negates, but not in "at least", "very least". */
		if (i > 0 && !(t->v[i - 1].flags & T_LEX) &&
		    tok_is(t, i - 1, "least") &&
		    (i == 1 ||
		        (!tok_is(t, i - 2, "at") && !tok_is(t, i - 2, "very"))))
			v *= N_SCALAR;
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
		if (si < bi)
			s[si] *= 0.5;
		else if (si > bi)
			s[si] *= 1.5;
	}
}

/* Is word i negated in French: a negation among the three words before
 * it in its clause ("pas bon", "sans problème", "ne ... plus"), or "ne"
 * before it and the second half right after ("je ne l'aime pas")?
 * Returns 1.25 for "jamais ... aussi/si" (never so...), which
 * intensifies. */
static double
fr_negation(const struct lang_model *m, const struct toks *t, size_t i)
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
		int weak = tok_get(&m->weakneg, t, j) != NULL;
		int neg = tok_get(&m->negate, t, j) != NULL;
		if (weak && !neg)
			neg = (j >= 1 && tok_is(t, j - 1, "ne")) ||
			    (j >= 2 && tok_is(t, j - 2, "ne") &&
			        !(t->v[j - 2].flags & T_BREAK));
		if (!neg)
			continue;
		if (tok_is(t, j, "jamais"))
			for (size_t k = j + 1; k < i; k++)
				if (tok_is(t, k, "aussi") || tok_is(t, k, "si"))
					return 1.25;
		return N_SCALAR;
	}
	if (ne == SIZE_MAX)
		return 1;
	for (size_t j = i; j + 1 < t->n && j < i + 2; j++) {
		if (t->v[j].flags & T_BREAK)
			break;
		if (tok_get(&m->post, t, j + 1))
			return N_SCALAR;
	}
	return 1;
}

static void
score_fr(const struct lang_model *m, const struct toks *t, double *s)
{
	int capdiff = cap_differential(t);
	size_t n = t->n;

	for (size_t i = 0; i < n; i++) {
		s[i] = 0;
		if (!(t->v[i].flags & T_LEX) || tok_get(&m->negate, t, i) ||
		    tok_get(&m->contrast, t, i))
			continue;
		/* An intensifier that is also a word ("super") counts as
		 * the word when nothing it could intensify follows. */
		if (tok_get(&m->boost, t, i) && i + 1 < n &&
		    !(t->v[i].flags & T_BREAK) && (t->v[i + 1].flags & T_LEX))
			continue;
		double v = t->v[i].val;
		if ((t->v[i].flags & T_UPPER) && capdiff)
			v += v > 0 ? C_INCR : -C_INCR;
		for (size_t st = 0; st < 3 && st < i; st++) {
			size_t j = i - st - 1;
			if (t->v[j].flags & T_BREAK)
				break;
			/* Unlike VADER, an intensifier the lexicon also scores
			 * ("super", "terriblement") still intensifies. */
			double b = booster(m, t, j, v, capdiff);
			v += st == 0 ? b : st == 1 ? b * 0.95 : b * 0.9;
		}
		s[i] = v * fr_negation(m, t, i);
	}
	/* Contrast: the clause after "mais" dominates, as after "but". */
	for (size_t bi = 0; bi < n; bi++) {
		if (!tok_get(&m->contrast, t, bi))
			continue;
		for (size_t k = 0; k < n; k++)
			s[k] *= k < bi ? 0.5 : k > bi ? 1.5 : 1;
		break;
	}
}

static void
sift(const double *s, size_t n, const char *text, size_t len,
    struct sentiment_score *out)
{
	double sum = 0, pos = 0, neg = 0, neu = 0;
	size_t excl = 0, quest = 0;

	out->compound = out->pos = out->neg = out->neu = 0;
	if (n == 0)
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
	for (size_t i = 0; i < len; i++) {
		excl += text[i] == '!';
		quest += text[i] == '?';
	}
	double amp = (double)(excl > 4 ? 4 : excl) * 0.292;
	if (quest > 3)
		amp += 0.96;
	else if (quest > 1)
		amp += (double)quest * 0.18;
	if (sum > 0)
		sum += amp;
	else if (sum < 0)
		sum -= amp;
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

/* Does the text hold an entry of the language's abusive list? Each word
 * start is tried with phrases of up to the longest entry's length. */
static int
is_abusive(const struct lex *lex, const char *text, size_t len)
{
	struct buf w;
	int found = 0;

	buf_init(&w);
	sent_words(text, len, &w);
	for (size_t i = 0; i < w.len && lex->len && !found; i++) {
		if (i > 0 && w.data[i - 1] != ' ')
			continue;
		size_t end = i;
		for (int k = 0; k < lex->maxwords && end < w.len && !found;
		     k++) {
			while (end < w.len && w.data[end] != ' ')
				end++;
			found = lex_get(lex, w.data + i, end - i) != NULL;
			end++;
		}
	}
	buf_clear(&w);
	return found;
}

/* The language to score in; *known is 0 when it had to be guessed (no
 * evidence either way: English). */
static enum lang_id
pick_lang(const char *lang, const char *text, size_t len, int *known)
{
	*known = 1;
	if (lang && strcmp(lang, "fr") == 0)
		return L_FR;
	if (lang && strcmp(lang, "en") == 0)
		return L_EN;
	const char *d = lang_detect(text, len);
	*known = d != NULL;
	return d && strcmp(d, "fr") == 0 ? L_FR : L_EN;
}

void
sentiment_score(const struct sentiment_model *model, const char *text,
    size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out)
{
	int known;
	enum lang_id id = pick_lang(lang, text, len, &known);
	const struct lang_model *m = &model->lang[id];
	struct toks t = { 0 };

	buf_init(&t.fold);
	toks_read(id, &t, text, len);
	merge_phrases(m, &t, id == L_FR);
	for (size_t i = 0; i < t.n; i++)
		if (word_valence(m, &t, i, &t.v[i].val))
			t.v[i].flags |= T_LEX;
	double *s = xreallocarray(NULL, t.n ? t.n : 1, sizeof *s);
	if (id == L_FR)
		score_fr(m, &t, s);
	else
		score_en(m, &t, s);
	sift(s, t.n, text, len, out);
	free(s);
	toks_clear(&t);

	if (out->compound >= neutral_band)
		out->label = LABEL_POSITIVE;
	else if (out->compound <= -neutral_band)
		out->label = LABEL_NEGATIVE;
	else
		out->label = LABEL_NEUTRAL;
	/* The scored language's list only: a word can be an insult in one
	 * language and innocent in the other (English "retard", French
	 * "retard", a delay); insults both languages use are in both. A
	 * short text that shows no language ("Connard !") is tried with
	 * both. */
	out->abusive = is_abusive(&m->abusive, text, len);
	if (!known && !out->abusive)
		out->abusive =
		    is_abusive(&model->lang[L_FR].abusive, text, len);
	out->emotions = 0;
	out->rumour = 0;
	snprintf(out->lang, sizeof out->lang, "%s", sentiment_lang_names[id]);
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
