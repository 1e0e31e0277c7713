/*
 * sentiment_lang.c - which language to score a text in when its source
 * does not say, down to posts of two words ("Free arnaque", "SAV nul").
 *
 * Three kinds of evidence, added: function words (lang_detect.c), which
 * decide any sentence; words that only one language's lexicons know
 * ("arnaque", "awful"); and letter trigrams, whose French-against-English
 * log-odds are learnt at load time from the two lexicons' words, for the
 * words neither lexicon knows ("remboursement", "SAV"). When the sum is
 * too small to trust, sentiment.c scores in both languages and keeps the
 * one that recognises more of the text.
 */
#include "core/judge/sentiment_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/judge/lang_detect.h"

/* Only the opening is read, as by lang_detect. */
#define SCAN_MAX 4096
/* Weights of the evidence: a function word says more than a lexicon word,
 * which says more than one word's spelling. */
#define W_FUNCTION 2.0
#define W_LEXICON 1.5
#define GRAM_CAP 1.5 /* most one word's spelling may say */
#define SURE 2.0 /* below this, score in both languages */

static int
letters_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return n > 0;
}

/* Calls fn on each trigram of "^word$". */
static void
each_gram(const char *w, size_t n, void (*fn)(const char *, void *), void *arg)
{
	char g[3];

	for (size_t i = 0; i < n; i++) {
		g[0] = i == 0 ? '^' : w[i - 1];
		g[1] = w[i];
		g[2] = i + 1 < n ? w[i + 1] : '$';
		fn(g, arg);
	}
}

static void
count_gram(const char *g, void *arg)
{
	lex_put(arg, g, 3)->val += 1;
}

/* Trigram counts of the single words of one language's lexicons. */
static double
count_grams(const struct lex *words, struct lex *counts)
{
	double total = 0;

	for (size_t i = 0; i < words->cap; i++) {
		const struct lexent *e = &words->tab[i];
		if (e->key == NULL || !(e->kind & K_VALENCE) ||
		    !letters_only(e->key, e->klen))
			continue;
		each_gram(e->key, e->klen, count_gram, counts);
		total += (double)e->klen;
	}
	return total;
}

void
lang_grams_build(struct sentiment_model *m)
{
	struct lex en = { 0 }, fr = { 0 };
	double nen = count_grams(&m->lang[L_EN].words, &en);
	double nfr = count_grams(&m->lang[L_FR].words, &fr);
	struct lex *out = &m->lang[L_FR].grams;
	/* Add-one smoothing over the trigrams either language has. */
	double v = (double)(en.len + fr.len);

	for (int pass = 0; pass < 2; pass++) {
		const struct lex *l = pass ? &en : &fr;
		for (size_t i = 0; i < l->cap; i++) {
			const char *k = l->tab[i].key;
			if (k == NULL)
				continue;
			const struct lexent *a = lex_get(&fr, k, 3);
			const struct lexent *b = lex_get(&en, k, 3);
			double pf = ((a ? a->val : 0) + 1) / (nfr + v);
			double pe = ((b ? b->val : 0) + 1) / (nen + v);
			lex_put(out, k, 3)->val = log(pf / pe);
		}
	}
	lex_clear(&en);
	lex_clear(&fr);
}

struct gram_sum {
	const struct lex *grams;
	double sum;
	int n;
};

static void
add_gram(const char *g, void *arg)
{
	struct gram_sum *gs = arg;
	const struct lexent *e = lex_get(gs->grams, g, 3);

	gs->sum += e ? e->val : 0;
	gs->n++;
}

/* French evidence of one folded word (> 0 French, < 0 English). */
static double
word_evidence(const struct sentiment_model *m, const char *w, size_t n)
{
	const struct lexent *fr = lex_get(&m->lang[L_FR].words, w, n);
	const struct lexent *en = lex_get(&m->lang[L_EN].words, w, n);
	unsigned known = ~(K_MARKERS | K_MARK_PHRASE | K_PHRASE);
	int in_fr = fr && (fr->kind & known), in_en = en && (en->kind & known);
	double ev = 0;

	if (in_fr != in_en)
		ev += in_fr ? W_LEXICON : -W_LEXICON;
	if (n >= 3 && letters_only(w, n)) {
		struct gram_sum gs = { &m->lang[L_FR].grams, 0, 0 };
		each_gram(w, n, add_gram, &gs);
		double g = gs.n ? gs.sum / gs.n * 2 : 0;
		ev += g > GRAM_CAP ? GRAM_CAP : g < -GRAM_CAP ? -GRAM_CAP : g;
	}
	return ev;
}

enum lang_id
sentiment_lang(const struct sentiment_model *m, const char *text, size_t len,
    enum lang_sureness *sure)
{
	double total = W_FUNCTION * lang_evidence(text, len);

	if (fabs(total) < 3 * W_FUNCTION) {
		/* A sentence's function words decide; a short post needs
		 * its words looked at. */
		struct buf f, w;
		buf_init(&f);
		buf_init(&w);
		sent_fold(&f, text, len > SCAN_MAX ? SCAN_MAX : len);
		sent_words(f.data, f.len, &w);
		for (size_t i = 0; i < w.len;) {
			size_t end = i;
			while (end < w.len && w.data[end] != ' ')
				end++;
			total += word_evidence(m, w.data + i, end - i);
			i = end + 1;
		}
		buf_clear(&f);
		buf_clear(&w);
	}
	*sure = fabs(total) >= SURE ? LANG_SURE
	    : total != 0            ? LANG_LEANING
	                            : LANG_UNKNOWN;
	return total > 0 ? L_FR : L_EN;
}
