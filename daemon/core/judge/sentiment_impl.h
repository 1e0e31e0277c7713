/*
 * sentiment_impl.h - what the parts of the sentiment module share: the
 * lexicon tables (sentiment_lexicon.c builds them), the tokens of a text
 * (sentiment_tokens.c cuts them) and the model that sentiment.c scores
 * with. Not for use outside core/judge/sentiment*.
 */
#ifndef VIGIE_SENTIMENT_IMPL_H
#define VIGIE_SENTIMENT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#include "core/base/util.h"
#include "core/judge/sentiment.h"

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

extern const char *const sentiment_lang_names[L_COUNT];

/*
 * The entry for the folded text s (n bytes), or NULL. The table is looked
 * up for every token and every phrase a text could hold, so the lookup is
 * inline: a call across files cost 3 % of `vigie score` (callgrind, 20,000
 * English lines).
 */
static inline uint64_t
lex_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of s: its entry, or the empty slot where it would go. */
static inline struct lexent *
lex_slot(const struct lex *l, const char *s, size_t n)
{
	size_t mask = l->cap - 1;
	size_t i = (size_t)lex_hash(s, n) & mask;

	for (;; i = (i + 1) & mask) {
		struct lexent *e = &l->tab[i];
		if (e->key == NULL ||
		    (e->klen == n && memcmp(e->key, s, n) == 0))
			return e;
	}
}

static inline const struct lexent *
lex_get(const struct lex *l, const char *s, size_t n)
{
	if (l->len == 0)
		return NULL;
	const struct lexent *e = lex_slot(l, s, n);
	return e->key ? e : NULL;
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

/* Cuts text into t as the language's rules do. */
void toks_read(enum lang_id, struct toks *t, const char *s, size_t len);
void toks_clear(struct toks *);
/* Python's str.isupper(): some cased character, and none lower case.
 * Inline for the same reason as lex_get: it runs on every token. */
static inline int
sent_is_upper(const char *s, size_t n)
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
/* Whole words of the folded text, for the abusive lists: letters and
 * digits only, so that punctuation and apostrophes separate words. */
void sent_words(const char *s, size_t len, struct buf *out);

#endif
