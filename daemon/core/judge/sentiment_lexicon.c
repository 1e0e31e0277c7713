/*
 * sentiment_lexicon.c - the model's tables: the hash table of folded
 * words and phrases, the rule words of each language (negations,
 * intensifiers, contrasts), the lexicon files read and checked, and the
 * French stems' mean valences.
 */
#include "core/judge/sentiment_impl.h"

#include <errno.h>
#include <libstemmer.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

const char *const sentiment_lang_names[L_COUNT] = { "en", "fr" };

/* VADER 3.3.2's rule words. */
static const char *const en_negate[] = { "aint", "arent", "cannot", "cant",
	"couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
	"couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt",
	"havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't",
	"hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt",
	"needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't",
	"shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont",
	"wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite" };

static const char *const en_incr[] = { "absolutely", "amazingly", "awfully",
	"completely", "considerable", "considerably", "decidedly", "deeply",
	"effing", "enormous", "enormously", "entirely", "especially",
	"exceptional", "exceptionally", "extreme", "extremely", "fabulously",
	"flipping", "flippin", "frackin", "fracking", "fricking", "frickin",
	"frigging", "friggin", "fully", "fuckin", "fucking", "fuggin",
	"fugging", "greatly", "hella", "highly", "hugely", "incredible",
	"incredibly", "intensely", "major", "majorly", "more", "most",
	"particularly", "purely", "quite", "really", "remarkably", "so",
	"substantially", "thoroughly", "total", "totally", "tremendous",
	"tremendously", "uber", "unbelievably", "unusually", "utter", "utterly",
	"very" };

static const char *const en_decr[] = { "almost", "barely", "hardly",
	"just enough", "kind of", "kinda", "kindof", "kind-of", "less",
	"little", "marginal", "marginally", "occasional", "occasionally",
	"partly", "scarce", "scarcely", "slight", "slightly", "somewhat",
	"sort of", "sorta", "sortof", "sort-of" };

static const struct {
	const char *phrase;
	double val;
} en_special_cases[] = {
	{ "the shit", 3 },
	{ "the bomb", 3 },
	{ "bad ass", 1.5 },
	{ "badass", 1.5 },
	{ "bus stop", 0.0 },
	{ "yeah right", -2 },
	{ "kiss of death", -1.5 },
	{ "to die for", 3 },
	{ "beating heart", 3.1 },
	{ "broken heart", -2.9 },
};

/* French rule words, written folded (no accents). */
static const char *const fr_negate[] = { "pas", "jamais", "rien", "sans",
	"aucun", "aucune", "ni", "non", "nullement" };
/* Negations only when "ne" comes just before: alone they are ordinary
 * words ("plus beau", "une personne", "un point"). */
static const char *const fr_weakneg[] = { "plus", "personne", "point",
	"guere" };
static const char *const fr_post[] = { "pas", "plus", "jamais", "rien", "guere",
	"point", "personne" };
static const char *const fr_incr[] = { "tres", "trop", "vraiment", "super",
	"hyper", "tellement", "si", "extremement", "absolument", "totalement",
	"completement", "particulierement", "vachement", "carrement",
	"franchement", "enormement", "profondement", "entierement", "fortement",
	"hautement", "incroyablement", "terriblement", "beaucoup", "aussi" };
static const char *const fr_decr[] = { "peu", "un peu", "assez", "plutot",
	"legerement", "moyennement", "presque", "quelque peu", "relativement",
	"a peine", "moins", "un brin" };
static const char *const fr_contrast[] = { "mais", "pourtant", "cependant",
	"toutefois", "neanmoins", "par contre", "en revanche", "sauf que" };

/* Sets the value of s, adding it if new. */
static void
lex_put(struct lex *l, const char *s, size_t n, double val)
{
	if (2 * (l->len + 1) > l->cap) {
		struct lex g = { xcalloc(
			             l->cap ? 2 * l->cap : 64, sizeof *g.tab),
			l->cap ? 2 * l->cap : 64, l->len, l->maxwords };
		for (size_t i = 0; i < l->cap; i++)
			if (l->tab[i].key)
				*lex_slot(&g, l->tab[i].key, l->tab[i].klen) =
				    l->tab[i];
		free(l->tab);
		*l = g;
	}
	struct lexent *e = lex_slot(l, s, n);
	if (e->key == NULL) {
		e->key = xstrndup(s, n);
		e->klen = n;
		l->len++;
	}
	e->val = val;
	int words = 1;
	for (size_t i = 0; i < n; i++)
		words += s[i] == ' ';
	if (words > l->maxwords)
		l->maxwords = words;
}

static void
lex_clear(struct lex *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free(l->tab[i].key);
	free(l->tab);
	memset(l, 0, sizeof *l);
}

/* Adds an entry under its normalised key: tokenised like text of the
 * language, folded, words joined by single spaces. 0, or -1 if the entry
 * has no word or too many. */
static int
add_entry(struct lex *l, enum lang_id lang, const char *word, size_t n,
    double val, int abusive)
{
	struct toks t = { 0 };
	struct buf w;
	int r = -1;

	buf_init(&t.fold);
	buf_init(&w);
	if (abusive) {
		sent_words(word, n, &w);
		int words = 1;
		for (size_t i = 0; i < w.len; i++)
			words += w.data[i] == ' ';
		if (w.len > 0 && words <= PHRASE_MAX) {
			lex_put(l, w.data, w.len, val);
			r = 0;
		}
	} else {
		toks_read(lang, &t, word, n);
		if (t.n > 0 && t.n <= PHRASE_MAX) {
			lex_put(l, t.fold.data, t.fold.len, val);
			r = 0;
		}
	}
	toks_clear(&t);
	buf_clear(&w);
	return r;
}

enum file_kind {
	F_VALENCE, /* WORD<TAB>VALENCE */
	F_ABUSIVE, /* WORD */
	F_OVERRIDE, /* WORD<TAB>VALENCE|abusive[<TAB>en|fr] */
};

static int
parse_valence(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*v);
}

static void
load_line(struct sentiment_model *m, enum lang_id lang, enum file_kind kind,
    char *line, const char *path, int lineno, struct diag *diag)
{
	char *f[4];
	int nf = 0;
	double val = 0;

	for (char *p = line; nf < 4;) {
		f[nf++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	int want = kind == F_ABUSIVE ? 1 : 2;
	if (nf < want || nf > (kind == F_OVERRIDE ? 3 : want) || !*f[0]) {
		diag_add(diag, path, lineno, "expected %s",
		    kind == F_ABUSIVE ? "WORD"
		        : kind == F_VALENCE
		        ? "WORD<TAB>VALENCE"
		        : "WORD<TAB>VALENCE|abusive[<TAB>en|fr]");
		return;
	}
	int abusive = kind == F_ABUSIVE ||
	    (kind == F_OVERRIDE && strcmp(f[1], "abusive") == 0);
	if (!abusive && !parse_valence(f[1], &val)) {
		diag_add(
		    diag, path, lineno, "valence \"%s\" is not a number", f[1]);
		return;
	}
	if (!abusive && fabs(val) > VALENCE_MAX) {
		diag_add(diag, path, lineno, "valence %g outside -4 .. 4", val);
		return;
	}
	int from = lang, to = lang;
	if (kind == F_OVERRIDE) {
		from = 0, to = L_COUNT - 1;
		if (nf == 3) {
			for (from = 0; from < L_COUNT; from++)
				if (strcmp(f[2], sentiment_lang_names[from]) ==
				    0)
					break;
			if (from == L_COUNT) {
				diag_add(diag, path, lineno,
				    "unknown language \"%s\" (en, fr)", f[2]);
				return;
			}
			to = from;
		}
	}
	for (int l = from; l <= to; l++) {
		struct lang_model *lm = &m->lang[l];
		if (add_entry(abusive ? &lm->abusive : &lm->words,
		        (enum lang_id)l, f[0], strlen(f[0]), val,
		        abusive) < 0) {
			diag_add(diag, path, lineno,
			    "\"%s\" has no word or more than %d", f[0],
			    PHRASE_MAX);
			return;
		}
	}
}

static int
valid_utf8(const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)n;

	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
		if (k <= 0 || cp == 0)
			return 0;
		p += k, left -= k;
	}
	return 1;
}

static void
load_file(struct sentiment_model *m, enum lang_id lang, enum file_kind kind,
    const char *path, struct diag *diag)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;

	if (fp == NULL) {
		diag_add(diag, path, 0, "%s", strerror(errno));
		return;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (n > LINE_MAX_LEN) {
			diag_add(diag, path, lineno,
			    "line longer than %d bytes", LINE_MAX_LEN);
			continue;
		}
		if (!valid_utf8(line, (size_t)n)) {
			diag_add(diag, path, lineno, "not UTF-8 text");
			continue;
		}
		load_line(m, lang, kind, line, path, lineno, diag);
	}
	if (ferror(fp))
		diag_add(diag, path, 0, "%s", strerror(errno));
	free(line);
	fclose(fp);
}

static void
put_words(struct lex *l, const char *const *w, size_t n, double val)
{
	for (size_t i = 0; i < n; i++)
		lex_put(l, w[i], strlen(w[i]), val);
}

/* Each stem takes the mean valence of the lexicon words that share it. */
static void
build_stems(struct lang_model *lm)
{
	struct lex count = { 0 };

	for (size_t i = 0; i < lm->words.cap; i++) {
		const struct lexent *e = &lm->words.tab[i];
		if (e->key == NULL || memchr(e->key, ' ', e->klen) ||
		    e->klen <= 3)
			continue;
		const sb_symbol *st = sb_stemmer_stem(
		    lm->stemmer, (const sb_symbol *)e->key, (int)e->klen);
		if (st == NULL)
			continue;
		size_t sl = (size_t)sb_stemmer_length(lm->stemmer);
		const struct lexent *c = lex_get(&count, (const char *)st, sl);
		const struct lexent *sum =
		    lex_get(&lm->stems, (const char *)st, sl);
		double k = c ? c->val : 0;
		double total = (sum ? sum->val * k : 0) + e->val;
		lex_put(&count, (const char *)st, sl, k + 1);
		lex_put(&lm->stems, (const char *)st, sl, total / (k + 1));
	}
	lex_clear(&count);
}

struct sentiment_model *
sentiment_model_load(const char *dir, const char *const *overrides,
    size_t noverrides, struct diag *diag)
{
	struct sentiment_model *m = xcalloc(1, sizeof *m);
	size_t before = diag->len;
	struct lang_model *en = &m->lang[L_EN], *fr = &m->lang[L_FR];

	put_words(&en->negate, en_negate, ARRAY_LEN(en_negate), 1);
	put_words(&en->boost, en_incr, ARRAY_LEN(en_incr), B_INCR);
	put_words(&en->boost, en_decr, ARRAY_LEN(en_decr), B_DECR);
	for (size_t i = 0; i < ARRAY_LEN(en_special_cases); i++)
		lex_put(&en->special, en_special_cases[i].phrase,
		    strlen(en_special_cases[i].phrase),
		    en_special_cases[i].val);
	put_words(&fr->negate, fr_negate, ARRAY_LEN(fr_negate), 1);
	put_words(&fr->weakneg, fr_weakneg, ARRAY_LEN(fr_weakneg), 1);
	put_words(&fr->post, fr_post, ARRAY_LEN(fr_post), 1);
	put_words(&fr->boost, fr_incr, ARRAY_LEN(fr_incr), B_INCR);
	put_words(&fr->boost, fr_decr, ARRAY_LEN(fr_decr), B_DECR);
	put_words(&fr->contrast, fr_contrast, ARRAY_LEN(fr_contrast), 1);

	static const struct {
		const char *name;
		enum lang_id lang;
		enum file_kind kind;
	} files[] = {
		{ "en.tsv", L_EN, F_VALENCE },
		{ "en-reputation.tsv", L_EN, F_VALENCE },
		{ "en-abusive.tsv", L_EN, F_ABUSIVE },
		{ "fr.tsv", L_FR, F_VALENCE },
		{ "fr-fitted.tsv", L_FR, F_VALENCE },
		{ "fr-reputation.tsv", L_FR, F_VALENCE },
		{ "fr-abusive.tsv", L_FR, F_ABUSIVE },
	};
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *path = xasprintf("%s/%s", dir, files[i].name);
		load_file(m, files[i].lang, files[i].kind, path, diag);
		free(path);
	}
	for (size_t i = 0; i < noverrides; i++)
		load_file(m, L_EN, F_OVERRIDE, overrides[i], diag);
	if (diag->len > before) {
		sentiment_model_free(m);
		return NULL;
	}
	fr->stemmer = sb_stemmer_new("french", NULL);
	if (fr->stemmer == NULL) {
		diag_add(diag, "libstemmer", 0, "no French stemmer");
		sentiment_model_free(m);
		return NULL;
	}
	build_stems(fr);
	return m;
}

void
sentiment_model_free(struct sentiment_model *m)
{
	if (m == NULL)
		return;
	for (int l = 0; l < L_COUNT; l++) {
		struct lang_model *lm = &m->lang[l];
		lex_clear(&lm->words);
		lex_clear(&lm->stems);
		lex_clear(&lm->abusive);
		lex_clear(&lm->boost);
		lex_clear(&lm->negate);
		lex_clear(&lm->special);
		lex_clear(&lm->post);
		lex_clear(&lm->weakneg);
		lex_clear(&lm->contrast);
		if (lm->stemmer)
			sb_stemmer_delete(lm->stemmer);
	}
	free(m);
}
