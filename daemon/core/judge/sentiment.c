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
#include "core/judge/sentiment.h"

#include <errno.h>
#include <libstemmer.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define B_INCR 0.293
#define B_DECR (-0.293)
#define C_INCR 0.733
#define N_SCALAR (-0.74)
#define VALENCE_MAX 4.0
#define LINE_MAX_LEN 4096
/* Words of a text over which VADER's "but" quirk is reproduced. */
#define BUT_LOOKBACK 1024
/* Longest phrase, in words, a lexicon entry may have. */
#define PHRASE_MAX 8

/* A hash table from folded text (words joined by single spaces) to a
 * value: open addressing, linear probing, at most half full. */
struct lexent {
	char *key; /* NULL: empty slot */
	size_t klen;
	double val;
};

struct lex {
	struct lexent *tab;
	size_t cap, len;
	int maxwords; /* longest entry, in words */
};

enum lang_id { L_EN, L_FR, L_COUNT };

struct lang_model {
	struct lex words; /* valence of words and phrases */
	struct lex stems; /* French: mean valence by Snowball stem */
	struct lex abusive; /* value unused */
	struct lex boost; /* intensifiers and dampeners: scalar */
	struct lex negate; /* negations (French: unconditional ones) */
	struct lex special; /* English: VADER's special cases */
	struct lex post; /* French: second half of "ne ... pas" */
	struct lex weakneg; /* French: negations only after "ne" */
	struct lex contrast;
	struct sb_stemmer *stemmer;
};

struct sentiment_model {
	struct lang_model lang[L_COUNT];
};

static const char *const lang_names[L_COUNT] = { "en", "fr" };

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
static const char *const fr_elision[] = { "l", "j", "qu", "d", "n", "c", "s",
	"m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu" };

/*
 * Folding: case folded, accents and other marks stripped, typographic
 * apostrophes made ASCII. Equivalent to utf8proc_map() with
 * UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
 * UTF8PROC_STRIPMARK (marks are dropped, so canonical reordering cannot
 * matter), but one character at a time into the caller's buffer, so that
 * scoring a text allocates nothing per word.
 */
static void
fold_append(struct buf *b, const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)n;

	while (left > 0) {
		if (*p < 0x80) {
			char c = (char)*p;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			buf_putc(b, c);
			p++, left--;
			continue;
		}
		utf8proc_int32_t cp, d[8];
		utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
		if (k < 0) {
			/* Invalid UTF-8 is dropped, byte by byte. */
			p++, left--;
			continue;
		}
		p += k, left -= k;
		if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) {
			buf_putc(b, '\'');
			continue;
		}
		int last = 0;
		utf8proc_ssize_t m = utf8proc_decompose_char(cp, d,
		    (utf8proc_ssize_t)ARRAY_LEN(d),
		    UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
		    &last);
		if (m < 0 || m > (utf8proc_ssize_t)ARRAY_LEN(d))
			continue;
		for (utf8proc_ssize_t j = 0; j < m; j++) {
			utf8proc_uint8_t e[4];
			utf8proc_ssize_t el = utf8proc_encode_char(d[j], e);
			buf_append(b, e, (size_t)el);
		}
	}
}

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct lexent *
lex_slot(const struct lex *l, const char *s, size_t n)
{
	size_t mask = l->cap - 1;
	size_t i = (size_t)hash(s, n) & mask;

	for (;; i = (i + 1) & mask) {
		struct lexent *e = &l->tab[i];
		if (e->key == NULL ||
		    (e->klen == n && memcmp(e->key, s, n) == 0))
			return e;
	}
}

static const struct lexent *
lex_get(const struct lex *l, const char *s, size_t n)
{
	if (l->len == 0)
		return NULL;
	const struct lexent *e = lex_slot(l, s, n);
	return e->key ? e : NULL;
}

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
lex_free(struct lex *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free(l->tab[i].key);
	free(l->tab);
	memset(l, 0, sizeof *l);
}

/* Tokens of one text. Their folded forms sit in one buffer, separated by
 * single spaces, so that a run of tokens is a contiguous phrase. */
enum {
	T_UPPER = 1, /* ALL CAPS in the original, as Python's isupper() */
	T_BREAK = 2, /* clause punctuation follows (French rules) */
	T_LEX = 4, /* val is the word's valence */
};

struct tok {
	const char *s; /* original text */
	size_t n;
	size_t off, len; /* folded form in toks.fold */
	double val;
	unsigned flags;
};

struct toks {
	struct tok *v;
	size_t n, cap;
	struct buf fold;
};

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

/* Python's str.isupper(): some cased character, and none lower case. */
static int
is_upper(const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)n;
	int cased = 0;

	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
		if (k < 0) {
			p++, left--;
			continue;
		}
		p += k, left -= k;
		if (cp < 0x80) {
			if (cp >= 'a' && cp <= 'z')
				return 0;
			cased |= cp >= 'A' && cp <= 'Z';
			continue;
		}
		utf8proc_category_t c = utf8proc_category(cp);
		if (c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT)
			return 0;
		cased |= c == UTF8PROC_CATEGORY_LU;
	}
	return cased;
}

/* Length of the whitespace at s (as Python's str.split() sees it), 0 if
 * none. */
static size_t
space_len(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;

	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r') ||
		    (c >= 0x1c && c <= 0x1f);
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate(
	    (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)left, &cp);
	if (k < 0)
		return 0;
	if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return (size_t)k;
	return 0;
}

static int
is_ascii_punct(unsigned char c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
	    (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

static int
is_break_punct(unsigned char c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
	    c == '?';
}

/* Length of a typographic punctuation character at s that French text
 * wraps words in (guillemets, curly quotes, ellipsis, dashes), else 0. */
static size_t
typo_punct_len(const char *s, size_t left, int *brk)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;

	if ((unsigned char)*s < 0x80)
		return 0;
	k = utf8proc_iterate(
	    (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)left, &cp);
	if (k < 0)
		return 0;
	switch (cp) {
	case 0x2026: /* ... */
	case 0x2013:
	case 0x2014:
		*brk = 1;
		return (size_t)k;
	case 0xab:
	case 0xbb:
	case 0x201c:
	case 0x201d:
	case 0x2018:
	case 0x2019:
		return (size_t)k;
	}
	return 0;
}

static void
toks_push(
    struct toks *t, const char *s, size_t n, const char *folded, size_t flen)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	struct tok *k = &t->v[t->n++];
	if (t->fold.len > 0)
		buf_putc(&t->fold, ' ');
	k->s = s;
	k->n = n;
	k->off = t->fold.len;
	if (folded)
		buf_append(&t->fold, folded, flen);
	else
		fold_append(&t->fold, s, n);
	k->len = t->fold.len - k->off;
	k->val = 0;
	k->flags = is_upper(s, n) ? T_UPPER : 0;
}

/* VADER: split on whitespace, strip ASCII punctuation from both ends
 * unless that leaves two characters or fewer (emoticons, "a,"). */
/* The next run of non-space bytes at or after *i: [*start, *i). 0 when
 * there is none left. */
static int
next_word(const char *s, size_t len, size_t *i, size_t *start)
{
	size_t sp;

	while (*i < len && (sp = space_len(s + *i, len - *i)) > 0)
		*i += sp;
	if (*i >= len)
		return 0;
	*start = *i;
	while (*i < len && space_len(s + *i, len - *i) == 0)
		(*i)++;
	return 1;
}

static void
tokenize_en(struct toks *t, const char *s, size_t len)
{
	size_t i = 0, start;

	while (next_word(s, len, &i, &start)) {
		size_t a = start, b = i;
		while (a < b && is_ascii_punct((unsigned char)s[a]))
			a++;
		while (b > a && is_ascii_punct((unsigned char)s[b - 1]))
			b--;
		size_t chars = 0;
		for (size_t j = a; j < b; j++)
			chars += ((unsigned char)s[j] & 0xc0) != 0x80;
		if (chars <= 2)
			a = start, b = i;
		toks_push(t, s + a, b - a, NULL, 0);
	}
}

/* French: whitespace, then punctuation stripped from both ends (clause
 * punctuation marks a break), then elided articles and pronouns split off
 * ("l'", "qu'"...); "n'" stays, as "ne", for the negation rules. */
static void
tokenize_fr(struct toks *t, const char *s, size_t len)
{
	size_t i = 0, start;

	while (next_word(s, len, &i, &start)) {
		size_t a = start, b = i, k;
		int brk = 0;
		for (;;) {
			if (a < b && is_ascii_punct((unsigned char)s[a])) {
				brk |= is_break_punct((unsigned char)s[a]);
				a++;
			} else if (a < b &&
			    (k = typo_punct_len(s + a, b - a, &brk)) > 0) {
				a += k;
			} else {
				break;
			}
		}
		if (brk && t->n > 0)
			t->v[t->n - 1].flags |= T_BREAK;
		brk = 0;
		while (b > a) {
			if (is_ascii_punct((unsigned char)s[b - 1])) {
				brk |= is_break_punct((unsigned char)s[b - 1]);
				b--;
				continue;
			}
			size_t back = 1;
			while (back < 4 && b - back > a &&
			    ((unsigned char)s[b - back] & 0xc0) == 0x80)
				back++;
			if (typo_punct_len(s + b - back, back, &brk) == back)
				b -= back;
			else
				break;
		}
		while (a < b) {
			/* An elided word: up to an apostrophe ' or U+2019. */
			size_t q = a;
			while (q < b && s[q] != '\'' &&
			    !(b - q >= 3 &&
			        memcmp(s + q, "\xe2\x80\x99", 3) == 0))
				q++;
			if (q == b)
				break;
			size_t alen = s[q] == '\'' ? 1 : 3;
			char pre[8];
			size_t plen = q - a, j;
			if (plen == 0 || plen >= sizeof pre)
				break;
			for (j = 0; j < plen; j++) {
				char c = s[a + j];
				pre[j] =
				    (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			pre[plen] = '\0';
			for (j = 0; j < ARRAY_LEN(fr_elision); j++)
				if (strcmp(pre, fr_elision[j]) == 0)
					break;
			if (j == ARRAY_LEN(fr_elision))
				break;
			if (strcmp(pre, "n") == 0)
				toks_push(t, s + a, plen, "ne", 2);
			a = q + alen;
		}
		if (a < b) {
			toks_push(t, s + a, b - a, NULL, 0);
			if (brk)
				t->v[t->n - 1].flags |= T_BREAK;
		} else if (brk && t->n > 0) {
			t->v[t->n - 1].flags |= T_BREAK;
		}
	}
}

static void
tokenize(enum lang_id lang, struct toks *t, const char *s, size_t len)
{
	if (lang == L_FR)
		tokenize_fr(t, s, len);
	else
		tokenize_en(t, s, len);
}

static void
toks_free(struct toks *t)
{
	free(t->v);
	buf_free(&t->fold);
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
			if (is_upper(merged.s, merged.n))
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

/* Whole words of the folded text, for the abusive lists: letters and
 * digits only, so that punctuation and apostrophes separate words. */
static void
words_of(const char *s, size_t len, struct buf *out)
{
	struct buf f;
	buf_init(&f);
	fold_append(&f, s, len);
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)f.data;
	utf8proc_ssize_t left = (utf8proc_ssize_t)f.len;
	int inword = 0;

	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
		if (k < 0)
			k = 1, cp = ' ';
		int w;
		if (cp < 0x80) {
			w = (cp >= 'a' && cp <= 'z') ||
			    (cp >= '0' && cp <= '9');
		} else {
			utf8proc_category_t c = utf8proc_category(cp);
			w = c >= UTF8PROC_CATEGORY_LU &&
			    c <= UTF8PROC_CATEGORY_NO;
		}
		if (w) {
			if (!inword && out->len > 0)
				buf_putc(out, ' ');
			buf_append(out, p, (size_t)k);
		}
		inword = w;
		p += k, left -= k;
	}
	buf_free(&f);
}

/* Does the text hold an entry of the language's abusive list? Each word
 * start is tried with phrases of up to the longest entry's length. */
static int
is_abusive(const struct lex *lex, const char *text, size_t len)
{
	struct buf w;
	int found = 0;

	buf_init(&w);
	words_of(text, len, &w);
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
	buf_free(&w);
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
	tokenize(id, &t, text, len);
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
	toks_free(&t);

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
	snprintf(out->lang, sizeof out->lang, "%s", lang_names[id]);
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
		words_of(word, n, &w);
		int words = 1;
		for (size_t i = 0; i < w.len; i++)
			words += w.data[i] == ' ';
		if (w.len > 0 && words <= PHRASE_MAX) {
			lex_put(l, w.data, w.len, val);
			r = 0;
		}
	} else {
		tokenize(lang, &t, word, n);
		if (t.n > 0 && t.n <= PHRASE_MAX) {
			lex_put(l, t.fold.data, t.fold.len, val);
			r = 0;
		}
	}
	toks_free(&t);
	buf_free(&w);
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
				if (strcmp(f[2], lang_names[from]) == 0)
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
	lex_free(&count);
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
		lex_free(&lm->words);
		lex_free(&lm->stems);
		lex_free(&lm->abusive);
		lex_free(&lm->boost);
		lex_free(&lm->negate);
		lex_free(&lm->special);
		lex_free(&lm->post);
		lex_free(&lm->weakneg);
		lex_free(&lm->contrast);
		if (lm->stemmer)
			sb_stemmer_delete(lm->stemmer);
	}
	free(m);
}
