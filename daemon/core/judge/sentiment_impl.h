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
/* Longest token looked up when de-elongated ("nuuul"), in bytes. */
#define TOKEN_MAX 64

/*
 * What a folded word or phrase is to one language: one table answers every
 * question the rules ask of a token, so that scoring looks each token up
 * once (the separate tables of rule words cost a lookup each).
 */
enum {
	K_VALENCE = 1u << 0, /* val: a lexicon word or phrase */
	K_BOOST = 1u << 1, /* boost: intensifier (> 0) or dampener (< 0) */
	K_NEGATE = 1u << 2, /* a negation (French: an unconditional one) */
	K_WEAKNEG = 1u << 3, /* French: a negation only after "ne" */
	K_POST = 1u << 4, /* French: second half of "ne ... pas" */
	K_CONTRAST = 1u << 5, /* mais, but: what follows dominates */
	K_PHRASE = 1u << 6, /* starts a multi-word token entry */
	K_PRAISE = 1u << 7, /* "génial", "bravo", "merci": ironic before a
	                       complaint */
	K_AGAIN = 1u << 8, /* "encore", "again": a failure once more */
	K_IRONY = 1u << 9, /* 🙄 🙃: the praise around it is ironic */
	K_CLAP = 1u << 10, /* 👏: ironic after a complaint, else praise */
	/* Markers, matched on whole words of the text (markers_scan). */
	K_ABUSIVE = 1u << 11,
	K_RUMOUR = 1u << 12,
	K_MARK_PHRASE = 1u << 13, /* starts a multi-word marker */
	K_AFTER = 1u << 14, /* French: intensifies the word before it
	                       ("je kiffe grave", "nul de chez nul") */
	K_HEAD = 1u << 15, /* English: the first word of a multi-word entry
	                      or idiom, which only such a word can begin */
	K_EMOTION_SHIFT = 16, /* emotion bits (1 << EMOTION_x) from here */
};
#define K_MARKERS (K_ABUSIVE | K_RUMOUR | (0xffu << K_EMOTION_SHIFT))

/* A hash table from folded text (words joined by single spaces) to what
 * it is: open addressing, linear probing, at most half full. Beside the
 * entries, two bytes of each one's hash (tags, 0 for an empty slot):
 * most words of a text are in no lexicon, and their probes then read the
 * tags alone, a sixteenth of the table's memory, which stays in the
 * processor's cache where the entries did not. */
struct lexent {
	char *key; /* NULL: empty slot */
	size_t klen;
	double val; /* valence (K_VALENCE), or a plain value (stems) */
	double boost; /* K_BOOST's scalar */
	unsigned kind;
};

/* Where a table's keys live: blocks of many keys, so that a lexicon of
 * tens of thousands of entries costs a few allocations, not one each. */
struct lex_keys {
	struct lex_keys *next;
	size_t used, cap;
	char data[];
};

struct lex {
	struct lexent *tab;
	uint16_t *tags;
	size_t cap, len;
	struct lex_keys *keys;
};

enum lang_id { L_EN, L_FR, L_COUNT };

/*
 * The numbers of a language's rules. English keeps VADER's (the
 * defaults); French reads its own from fr-params.tsv, fitted on labelled
 * reviews (scripts/fit-french-lexicon.py params).
 */
struct rule_params {
	double negation; /* a negated word's valence is multiplied by it */
	double intensifier; /* what an intensifier adds (a dampener takes) */
	double before_contrast, after_contrast; /* around "mais", "but" */
	double irony; /* ironic praise is multiplied by it */
	double insult; /* what an insult adds to the sum */
};

struct lang_model {
	struct rule_params p;
	struct lex words; /* every word and phrase: valence, rules, markers */
	struct lex stems; /* French: mean valence by Snowball stem */
	struct lex special; /* English: VADER's special cases */

	struct sb_stemmer *stemmer;
};

struct sentiment_scratch;

/* Letter trigrams of folded words: a-z and a word boundary, 27 codes. */
#define GRAM_CODES 27
#define GRAMS (GRAM_CODES * GRAM_CODES * GRAM_CODES)

struct sentiment_model {
	struct lang_model lang[L_COUNT];
	/* Each letter trigram's log-odds, French against English, for
	 * language detection (sentiment_lang.c). */
	float grams[GRAMS];
	/* Memory that scoring reuses from text to text, so that a text
	 * costs no allocation, for sentiment_score: threads sharing the
	 * model bring their own to sentiment_score_with. */
	struct sentiment_scratch *scratch;
};

extern const char *const sentiment_lang_names[L_COUNT];

/*
 * The entry for the folded text s (n bytes), or NULL. The table is looked
 * up for every token and every phrase a text could hold, so the lookup is
 * inline: a call across files cost 3 % of `vigie score` (callgrind, 20,000
 * English lines).
 */
/* The last n < 8 bytes of a key as one word, in fixed-size pieces: a
 * memcpy of variable length is a call, a loop a branch a byte. */
static inline uint64_t
lex_tail(const char *s, size_t n)
{
	uint64_t w = 0;
	unsigned shift = 0;

	if (n >= 4) {
		uint32_t x;
		memcpy(&x, s, 4);
		w = x;
		s += 4, n -= 4, shift = 32;
	}
	if (n >= 2) {
		uint16_t x;
		memcpy(&x, s, 2);
		w |= (uint64_t)x << shift;
		s += 2, n -= 2, shift += 16;
	}
	if (n > 0)
		w |= (uint64_t)(unsigned char)*s << shift;
	return w;
}

/* Do the n bytes at a and b match? Word by word, as lex_tail reads. */
static inline int
lex_key_eq(const char *a, const char *b, size_t n)
{
	for (; n >= 8; a += 8, b += 8, n -= 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return 0;
	}
	return n == 0 || lex_tail(a, n) == lex_tail(b, n);
}

static inline uint64_t
lex_hash(const char *s, size_t n)
{
	/* Eight bytes a step: words are short, and a byte-at-a-time hash
	 * was a sixth of the scoring. The mix is splitmix64's. */
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		s += 8, n -= 8;
	}
	if (n > 0) {
		h = (h ^ lex_tail(s, n)) * 0xbf58476d1ce4e5b9ULL;
	}
	h ^= h >> 29;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 32);
}

/* The slot of s: its index, or that of the empty slot where it would go;
 * *tag is s's (never 0). The slot comes from the hash's low bits, the tag
 * from its high ones. */
static inline size_t
lex_slot(const struct lex *l, const char *s, size_t n, uint16_t *tag)
{
	uint64_t h = lex_hash(s, n);
	size_t mask = l->cap - 1;
	size_t i = (size_t)h & mask;

	*tag = (uint16_t)(h >> 48) | 1;
	for (;; i = (i + 1) & mask) {
		if (l->tags[i] == 0)
			return i;
		if (l->tags[i] == *tag && l->tab[i].klen == n &&
		    lex_key_eq(l->tab[i].key, s, n))
			return i;
	}
}

static inline const struct lexent *
lex_get(const struct lex *l, const char *s, size_t n)
{
	uint16_t tag;

	if (l->len == 0)
		return NULL;
	size_t i = lex_slot(l, s, n, &tag);
	return l->tags[i] != 0 ? &l->tab[i] : NULL;
}

/* Sets the value of s, adding it if new; returns its entry (valid until
 * the next lex_put). */
struct lexent *lex_put(struct lex *, const char *s, size_t n);
void lex_clear(struct lex *);

/* Tokens of one text. Their folded forms sit in one buffer, separated by
 * single spaces, so that a run of tokens is a contiguous phrase. */
enum {
	T_UPPER = 1, /* ALL CAPS in the original, as Python's isupper() */
	T_BREAK = 2, /* clause punctuation follows (French rules) */
	T_LEX = 4, /* val is the word's valence */
	T_QUOTED = 8, /* in short quotes: "super" service, « bien arrivé » */
	T_HASHTAG = 16, /* a part of a hashtag cut at its capitals */
	T_PICTO = 32, /* a pictograph (an emoji), or a French emoticon */
	T_PLAIN = 64, /* folded, letters a-z and digits only: one word */
};

struct tok {
	const char *s; /* original text */
	size_t n;
	size_t off, len; /* folded form in toks.fold */
	const struct lexent *e; /* its entry in the language's table */
	double val;
	unsigned flags;
	unsigned why; /* the rules that changed it (enum why_bits) */
};

struct toks {
	struct tok *v;
	size_t n, cap;
	struct buf fold;
	/* Every folded token is letters a-z and digits only: the tokens
	 * are then the text's whole words too, and the markers are looked
	 * up on them directly (sentiment.c). Cleared by toks_read. */
	int plain;
};

/* Cuts text into t as the language's rules do, after what t holds. */
void toks_read(enum lang_id, struct toks *t, const char *s, size_t len);
void toks_clear(struct toks *);

/* What one scoring reuses (sentiment.c). */
struct scoring_mem {
	struct toks t;
	double *s;
	size_t scap;
};

/* A whole word of a text, for the markers: where it is in the words
 * buffer, and its entry once looked up. */
struct mark_word {
	size_t off, len;
	const struct lexent *e;
	int known;
};

/* Two scorings: a text of unsure language is scored in both. */
struct sentiment_scratch {
	struct scoring_mem mem[2];
	struct buf words;
	struct mark_word *mw;
	size_t mwcap;
	/* French words' stem valences, known so far: valid for one model
	 * only (see sentiment_score_with). */
	struct lex stems_seen;
	struct sb_stemmer *stemmer; /* made when first needed */
};
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
/* Learns the trigram log-odds from the loaded lexicons. */
void lang_grams_build(struct sentiment_model *);
/* How sure sentiment_lang is: below LANG_SURE, the text is scored in
 * both languages. */
enum lang_sureness { LANG_UNKNOWN, LANG_LEANING, LANG_SURE };
/* The language to score text in, and how sure that is. */
enum lang_id sentiment_lang(const struct sentiment_model *, const char *text,
    size_t len, enum lang_sureness *sure);

/* Whole words of folded text, for the markers: runs of letters and
 * digits, and each symbol (an emoji) a word of its own; punctuation and
 * apostrophes separate words. Appended to out, joined by single spaces. */
void sent_words(const char *folded, size_t len, struct buf *out);
/* Folds s into b (case, accents, typographic apostrophes). */
void sent_fold(struct buf *b, const char *s, size_t n);

#endif
