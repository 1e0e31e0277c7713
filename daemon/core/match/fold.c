/*
 * fold.c - word segmentation and folding for the matcher (see fold.h).
 *
 * Folding is done a character at a time with utf8proc_decompose_char
 * (compatibility decomposition, case folding, marks stripped), so a
 * document costs no allocation beyond the growth of the reused buffers.
 */
#include "core/match/fold.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/base/util.h"

/* The longest decomposition of a single character (U+FDFA) is 18. */
#define FOLD_MAX_EXPANSION 18

#define FOLD_OPTIONS \
	(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
	    UTF8PROC_STRIPMARK)

void
fold_reset(struct fold_words *fw)
{
	fw->len = 0;
	fw->text_len = 0;
}

void
fold_clear(struct fold_words *fw)
{
	free(fw->v);
	free(fw->text);
	memset(fw, 0, sizeof(*fw));
}

static int
ascii_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
cp_word(utf8proc_int32_t cp)
{
	utf8proc_category_t cat = utf8proc_category(cp);

	/* Letters, marks and numbers are contiguous in utf8proc's order. */
	return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
}

/*
 * Length of the word character at s[i], or 0 when the character there is
 * not part of a word; *cp receives it.
 */
static size_t
word_char(const unsigned char *s, size_t len, size_t i, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t n;

	if (s[i] < 0x80) {
		*cp = s[i];
		return ascii_word(s[i]) ? 1 : 0;
	}
	n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), cp);
	if (n <= 0 || !cp_word(*cp))
		return 0;
	return (size_t)n;
}

/* Length of whatever character is at s[i], at least 1. */
static size_t
any_char(const unsigned char *s, size_t len, size_t i)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	if (s[i] < 0x80)
		return 1;
	n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
	return n > 0 ? (size_t)n : 1;
}

static void
text_reserve(struct fold_words *fw, size_t more)
{
	if (fw->text_cap - fw->text_len >= more)
		return;
	if (more > SIZE_MAX / 2 - fw->text_len)
		abort();
	fw->text_cap = (fw->text_len + more) * 2;
	fw->text = xrealloc(fw->text, fw->text_cap);
}

static void
fold_char(struct fold_words *fw, utf8proc_int32_t cp)
{
	utf8proc_int32_t out[FOLD_MAX_EXPANSION];
	utf8proc_ssize_t n, i;
	int boundclass = 0;
	unsigned char *p;

	text_reserve(fw, 4 * 2 * FOLD_MAX_EXPANSION);
	p = (unsigned char *)fw->text + fw->text_len;
	if (cp < 0x80) {
		*p = (unsigned char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		fw->text_len++;
		return;
	}
	n = utf8proc_decompose_char(
	    cp, out, FOLD_MAX_EXPANSION, FOLD_OPTIONS, &boundclass);
	if (n < 0 || n > FOLD_MAX_EXPANSION)
		return;
	for (i = 0; i < n; i++) {
		/* French writes "oeuvre" as often as "œuvre": Unicode gives
		 * the ligatures no decomposition, so spell them out. */
		if (out[i] == 0x153) {
			*p++ = 'o';
			*p++ = 'e';
		} else if (out[i] == 0xe6) {
			*p++ = 'a';
			*p++ = 'e';
		} else
			p += utf8proc_encode_char(out[i], p);
	}
	fw->text_len = (size_t)(p - (unsigned char *)fw->text);
}

static void
push_word(
    struct fold_words *fw, size_t off, size_t src, size_t src_end, char sigil)
{
	struct fold_word *w;

	/* A word of marks alone folds to nothing: not a word. */
	if (fw->text_len == off)
		return;
	if (fw->len == fw->cap) {
		fw->cap = fw->cap ? fw->cap * 2 : 64;
		fw->v = xreallocarray(fw->v, fw->cap, sizeof(*fw->v));
	}
	w = &fw->v[fw->len++];
	w->off = (uint32_t)off;
	w->len = (uint32_t)(fw->text_len - off);
	w->src = (uint32_t)src;
	w->src_end = (uint32_t)src_end;
	w->sigil = sigil;
}

void
fold_words(struct fold_words *fw, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	utf8proc_int32_t cp;
	size_t i = 0, n, start, off;
	int after_word = 0;
	char sigil;

	while (i < len) {
		start = i;
		sigil = 0;
		n = word_char(s, len, i, &cp);
		if (n == 0) {
			if ((s[i] == '#' || s[i] == '@') && !after_word &&
			    i + 1 < len && word_char(s, len, i + 1, &cp)) {
				sigil = (char)s[i];
				i++;
				n = word_char(s, len, i, &cp);
			} else {
				i += any_char(s, len, i);
				after_word = 0;
				continue;
			}
		}
		off = fw->text_len;
		do {
			fold_char(fw, cp);
			i += n;
		} while (i < len && (n = word_char(s, len, i, &cp)) != 0);
		push_word(fw, off, start, i, sigil);
		after_word = 1;
	}
}

size_t
fold_count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
