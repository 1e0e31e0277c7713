/*
 * fold.c - word segmentation and folding for the matcher (see fold.h).
 *
 * Folding is done a character at a time with utf8proc_decompose_char
 * (compatibility decomposition, case folding, marks stripped), so a
 * document costs no allocation beyond the growth of the reused buffers.
 * Runs of ASCII, most of most texts, are cut and folded through one byte
 * table instead; the folded forms of Latin letters are kept, once worked
 * out, with the buffers.
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

/* Characters below this, Latin letters with accents among them, are
 * folded by utf8proc once per struct fold_words: texts repeat a few of
 * them many times. */
#define LATIN_END 0x250
#define LATIN_MAX 7 /* longer forms are not kept */

struct fold_latin {
	uint8_t len[LATIN_END - 0x80]; /* bytes + 1, 0: not worked out */
	unsigned char bytes[LATIN_END - 0x80][LATIN_MAX];
};

void
fold_clear(struct fold_words *fw)
{
	free(fw->v);
	free(fw->text);
	free(fw->latin);
	memset(fw, 0, sizeof(*fw));
}

/* A byte's folded form where it is an ASCII word character, else 0: one
 * load a byte tells both. */
static const char ascii_fold[256] = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                    "0123456789\0\0\0\0\0\0"
                                    "\0abcdefghijklmno"
                                    "pqrstuvwxyz\0\0\0\0_"
                                    "\0abcdefghijklmno"
                                    "pqrstuvwxyz";

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
		return ascii_fold[s[i]] != 0;
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

/* Writes the folded form of cp, not ASCII, at p (4 * 2 *
 * FOLD_MAX_EXPANSION bytes at most); returns its length. */
static size_t
fold_decompose(utf8proc_int32_t cp, unsigned char *p)
{
	utf8proc_int32_t out[FOLD_MAX_EXPANSION];
	utf8proc_ssize_t n, i;
	int boundclass = 0;
	unsigned char *start = p;

	n = utf8proc_decompose_char(
	    cp, out, FOLD_MAX_EXPANSION, FOLD_OPTIONS, &boundclass);
	if (n < 0 || n > FOLD_MAX_EXPANSION)
		return 0;
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
	return (size_t)(p - start);
}

static void
fold_char(struct fold_words *fw, utf8proc_int32_t cp)
{
	struct fold_latin *l;
	unsigned char *p;
	size_t n, k;

	text_reserve(fw, 4 * 2 * FOLD_MAX_EXPANSION);
	p = (unsigned char *)fw->text + fw->text_len;
	if (cp < 0x80) {
		*p = (unsigned char)ascii_fold[cp];
		fw->text_len++;
		return;
	}
	if (cp >= LATIN_END) {
		fw->text_len += fold_decompose(cp, p);
		return;
	}
	if (fw->latin == NULL)
		fw->latin = xcalloc(1, sizeof(*fw->latin));
	l = fw->latin;
	k = (size_t)cp - 0x80;
	if (l->len[k] == 0) {
		n = fold_decompose(cp, p);
		if (n > LATIN_MAX) {
			fw->text_len += n;
			return;
		}
		memcpy(l->bytes[k], p, n);
		l->len[k] = (uint8_t)(n + 1);
	}
	memcpy(p, l->bytes[k], l->len[k] - 1u);
	fw->text_len += l->len[k] - 1u;
}

/* Folds the run of ASCII word characters at s[i]; returns where it ends.
 * Most words of most texts are such runs: one reservation and a byte
 * copy for them, rather than a character at a time. */
static size_t
fold_ascii(struct fold_words *fw, const unsigned char *s, size_t len, size_t i)
{
	char *p;

	/* A folded ASCII byte takes one byte: what is left of s is room
	 * enough. */
	text_reserve(fw, len - i);
	p = fw->text + fw->text_len;
	for (; i < len && ascii_fold[s[i]] != 0; i++)
		*p++ = ascii_fold[s[i]];
	fw->text_len = (size_t)(p - fw->text);
	return i;
}

/* The folded bytes [off, end) as a word, unless empty (a word of marks
 * alone folds to nothing: not a word). */
static struct fold_word *
push_word(struct fold_words *fw, size_t off, size_t end, size_t src,
    size_t src_end, char sigil)
{
	struct fold_word *w;

	if (end == off)
		return NULL;
	if (fw->len == fw->cap) {
		fw->cap = fw->cap ? fw->cap * 2 : 64;
		fw->v = xreallocarray(fw->v, fw->cap, sizeof(*fw->v));
	}
	w = &fw->v[fw->len++];
	memset(w, 0, sizeof(*w));
	w->off = (uint32_t)off;
	w->len = (uint32_t)(end - off);
	w->src = (uint32_t)src;
	w->src_end = (uint32_t)src_end;
	w->sigil = sigil;
	return w;
}

/* What a character is to the cutting of a hashtag into words. */
enum part_class {
	PC_NONE, /* before the first character */
	PC_UPPER,
	PC_LOWER, /* letters without case (CJK...) count as lower case */
	PC_DIGIT,
	PC_MARK, /* belongs with the character before it */
	PC_SEP, /* '_' */
};

static enum part_class
part_class(utf8proc_int32_t cp)
{
	if (cp == '_')
		return PC_SEP;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LT:
		return PC_UPPER;
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return PC_LOWER;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return PC_MARK;
	default:
		return PC_DIGIT; /* the numbers: what else a word holds */
	}
}

static int
is_letter(enum part_class c)
{
	return c == PC_UPPER || c == PC_LOWER;
}

/* The parts of one hashtag or handle, as its characters are folded:
 * folded bytes and input bytes of each. */
struct cut {
	struct {
		size_t off, end, src, src_end;
	} v[FOLD_MAX_PARTS];
	size_t n; /* parts closed */
	int open; /* a part is open, from off and src */
	size_t off, src;
	size_t chars; /* in the open part, marks aside */
	enum part_class prev; /* of the last character not a mark */
};

static void
cut_close(struct cut *c, size_t end, size_t src_end)
{
	if (c->open && end > c->off) {
		c->v[c->n].off = c->off;
		c->v[c->n].end = end;
		c->v[c->n].src = c->src;
		c->v[c->n].src_end = src_end;
		c->n++;
	}
	c->open = 0;
}

/* Before a character of class cls, at input byte src and folded byte
 * off: ends the part open there if a word ends there, and opens one. next
 * is the class of the character after it. */
static void
cut_at(struct cut *c, enum part_class cls, enum part_class next, size_t off,
    size_t src)
{
	enum part_class prev = c->prev;
	/* One lower-case letter before a capital starts a word rather than
	 * being one: iPhone, eBay, iOS are words. */
	int cut = (prev == PC_LOWER && cls == PC_UPPER &&
	              !(c->n == 0 && c->chars == 1)) ||
	    (is_letter(prev) && cls == PC_DIGIT) ||
	    (prev == PC_DIGIT && is_letter(cls)) ||
	    (prev == PC_UPPER && cls == PC_UPPER && next == PC_LOWER);

	if (cls == PC_MARK)
		return;
	c->prev = cls;
	/* The last part takes the rest. */
	if (c->n + 1 >= FOLD_MAX_PARTS)
		cut = 0;
	if (cls == PC_SEP || (cut && c->open)) {
		cut_close(c, off, src);
		if (cls == PC_SEP)
			return;
	}
	if (!c->open) {
		c->open = 1;
		c->off = off;
		c->src = src;
		c->chars = 0;
	}
	c->chars++;
}

/* The class of the word character at s[i], PC_NONE if none is there. */
static enum part_class
class_at(const unsigned char *s, size_t len, size_t i)
{
	utf8proc_int32_t cp;

	if (i >= len || word_char(s, len, i, &cp) == 0)
		return PC_NONE;
	return part_class(cp);
}

/* The word folded at [off, text_len), from input bytes [src, src_end):
 * whole, or as its parts when it has several. */
static void
push_cut(struct fold_words *fw, const struct cut *c, size_t off, size_t src,
    size_t src_end, char sigil)
{
	struct fold_word *w;

	if (c->n < 2) {
		push_word(fw, off, fw->text_len, src, src_end, sigil);
		return;
	}
	for (size_t k = 0; k < c->n; k++) {
		/* The first part starts with the sigil, the last ends with
		 * the word, as the whole does. */
		w = push_word(fw, c->v[k].off, c->v[k].end,
		    k == 0 ? src : c->v[k].src,
		    k + 1 == c->n ? src_end : c->v[k].src_end, 0);
		if (k == 0) {
			w->whole_off = (uint32_t)off;
			w->whole_len = (uint32_t)(fw->text_len - off);
			w->parts = (uint8_t)c->n;
			w->whole_sigil = sigil;
		}
	}
}

static void
fold_run(struct fold_words *fw, const char *str, size_t len, int split)
{
	const unsigned char *s = (const unsigned char *)str;
	utf8proc_int32_t cp;
	size_t i = 0, n, start, off;
	int after_word = 0;
	char sigil;
	struct cut c;

	while (i < len) {
		start = i;
		/* Words and the spaces and punctuation between them, in
		 * ASCII: most of most texts, cut here in the fewest steps. */
		if (ascii_fold[s[i]] != 0) {
			off = fw->text_len;
			i = fold_ascii(fw, s, len, i);
			if (i == len || s[i] < 0x80) {
				push_word(fw, off, fw->text_len, start, i, 0);
				after_word = 1;
				continue;
			}
			/* A word going on beyond ASCII: folded again whole. */
			fw->text_len = off;
			i = start;
		} else if (s[i] < 0x80 && s[i] != '#' && s[i] != '@') {
			i++;
			after_word = 0;
			continue;
		}
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
		/* All but the parts, which are written before they are read:
		 * this runs for every word. */
		c.n = c.off = c.src = c.chars = 0;
		c.open = 0;
		c.prev = PC_NONE;
		do {
			if (split && sigil)
				cut_at(&c, part_class(cp),
				    class_at(s, len, i + n), fw->text_len, i);
			else if (cp < 0x80) {
				i = fold_ascii(fw, s, len, i);
				continue;
			}
			fold_char(fw, cp);
			i += n;
		} while (i < len && (n = word_char(s, len, i, &cp)) != 0);
		cut_close(&c, fw->text_len, i);
		push_cut(fw, &c, off, start, i, sigil);
		after_word = 1;
	}
}

void
fold_words(struct fold_words *fw, const char *s, size_t len)
{
	fold_run(fw, s, len, 0);
}

void
fold_words_parts(struct fold_words *fw, const char *s, size_t len)
{
	fold_run(fw, s, len, 1);
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
