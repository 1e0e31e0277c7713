/*
 * fold.h - words for matching: a text cut into words on Unicode letters,
 * digits and marks, each word folded (case, accents, compatibility forms,
 * French ligatures) so that "École", "ecole" and "ÉCOLE" are one word.
 * Queries and documents go through the same function, so whatever one
 * calls a word, the other does too.
 */
#ifndef VIGIE_FOLD_H
#define VIGIE_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* The most parts a hashtag or handle is cut into (fold_words_parts). */
#define FOLD_MAX_PARTS 8

struct fold_word {
	uint32_t off; /* folded bytes: text + off, len bytes, no NUL */
	uint32_t len;
	uint32_t src; /* first input byte of the word, sigil included */
	uint32_t src_end; /* one past its last input byte */
	/* When the word is the first part of a hashtag or handle cut into
	 * parts (fold_words_parts): the whole word, whole_len bytes at
	 * text + whole_off, covering this word and the parts - 1 next. */
	uint32_t whole_off;
	uint32_t whole_len; /* 0: the word is not a first part */
	uint8_t parts; /* at most FOLD_MAX_PARTS */
	char sigil; /* '#' (hashtag), '@' (handle) or 0; 0 for a part */
	char whole_sigil; /* of the whole word, for a first part */
};

/* Reused between texts: fold_words appends, fold_reset empties,
 * fold_clear frees what it holds (not the struct). */
struct fold_words {
	struct fold_word *v;
	size_t len, cap;
	char *text;
	size_t text_len, text_cap;
	struct fold_latin *latin; /* folded forms worked out, fold.c's */
};

void fold_reset(struct fold_words *);
void fold_clear(struct fold_words *);

/*
 * Appends the words of s (len bytes of UTF-8; invalid bytes separate words
 * like punctuation). Word characters are letters, digits, marks and '_';
 * everything else, apostrophes included, separates words. A '#' or '@'
 * not preceded by a word character and followed by one becomes the
 * word's sigil.
 */
void fold_words(struct fold_words *, const char *s, size_t len);

/*
 * As fold_words, but a hashtag or handle that joins several words is cut
 * into them, and the parts are the words appended (without the sigil); the
 * first part keeps the whole word. Cuts fall where a lower-case letter is
 * followed by a capital (#BoycottDanone), except a single one that starts
 * the word (#iPhone is one word), before the last capital of a run
 * followed by a lower-case letter (#BNPParibas: bnp, paribas), between
 * letters and digits (#Covid19, #iPhone15Pro: iphone, 15, pro) and at
 * underscores (@SNCF_Direct). A word has at most FOLD_MAX_PARTS parts:
 * the last one keeps whatever is left.
 */
void fold_words_parts(struct fold_words *, const char *s, size_t len);

/* Number of characters (code points) in the first len bytes of s. */
size_t fold_count_chars(const char *s, size_t len);

#endif
