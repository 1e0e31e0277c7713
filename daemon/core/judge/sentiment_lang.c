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

/* The index of the trigram of word w (n letters) centred on letter i:
 * code 0 is the word's boundary, 1..26 the letters. */
static size_t
gram_at(const char *w, size_t n, size_t i)
{
	size_t a = i == 0 ? 0 : (size_t)(w[i - 1] - 'a' + 1);
	size_t b = (size_t)(w[i] - 'a' + 1);
	size_t c = i + 1 < n ? (size_t)(w[i + 1] - 'a' + 1) : 0;

	return (a * GRAM_CODES + b) * GRAM_CODES + c;
}

/* Trigram counts of the single words of one language's lexicons; the
 * number of trigrams. */
static double
count_grams(const struct lex *words, double *counts)
{
	double total = 0;

	for (size_t i = 0; i < words->cap; i++) {
		const struct lexent *e = &words->tab[i];
		if (e->key == NULL || !(e->kind & K_VALENCE) ||
		    !letters_only(e->key, e->klen))
			continue;
		for (size_t k = 0; k < e->klen; k++)
			counts[gram_at(e->key, e->klen, k)] += 1;
		total += (double)e->klen;
	}
	return total;
}

void
lang_grams_build(struct sentiment_model *m)
{
	double *en = xcalloc(GRAMS, sizeof *en);
	double *fr = xcalloc(GRAMS, sizeof *fr);
	double nen = count_grams(&m->lang[L_EN].words, en);
	double nfr = count_grams(&m->lang[L_FR].words, fr);
	double seen = 0;

	for (size_t g = 0; g < GRAMS; g++)
		seen += en[g] > 0 || fr[g] > 0;
	/* Add-one smoothing over the trigrams either language has; one
	 * that neither has says nothing. */
	for (size_t g = 0; g < GRAMS; g++)
		m->grams[g] = en[g] == 0 && fr[g] == 0
		    ? 0
		    : (float)log(((fr[g] + 1) / (nfr + seen)) /
		          ((en[g] + 1) / (nen + seen)));
	free(en);
	free(fr);
}

/* French evidence of one folded word (> 0 French, < 0 English). */
static double
word_evidence(const struct sentiment_model *m, const char *w, size_t n)
{
	const struct lexent *fr = lex_get(&m->lang[L_FR].words, w, n);
	const struct lexent *en = lex_get(&m->lang[L_EN].words, w, n);
	unsigned known = ~(K_MARKERS | K_MARK_PHRASE | K_PHRASE | K_HEAD);
	int in_fr = fr && (fr->kind & known), in_en = en && (en->kind & known);
	double ev = 0;

	if (in_fr != in_en)
		ev += in_fr ? W_LEXICON : -W_LEXICON;
	if (n >= 3 && letters_only(w, n)) {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += m->grams[gram_at(w, n, i)];
		double g = sum / (double)n * 2;
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
