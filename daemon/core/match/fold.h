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

struct fold_word {
	uint32_t off; /* folded bytes: text + off, len bytes, no NUL */
	uint32_t len;
	uint32_t src; /* first input byte of the word, sigil included */
	uint32_t src_end; /* one past its last input byte */
	char sigil; /* '#' (hashtag), '@' (handle) or 0 */
};

/* Reused between texts: fold_words appends, fold_reset empties,
 * fold_clear frees what it holds (not the struct). */
struct fold_words {
	struct fold_word *v;
	size_t len, cap;
	char *text;
	size_t text_len, text_cap;
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

/* Number of characters (code points) in the first len bytes of s. */
size_t fold_count_chars(const char *s, size_t len);

#endif
