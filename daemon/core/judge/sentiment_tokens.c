/*
 * sentiment_tokens.c - a text cut into the tokens the sentiment rules
 * read: VADER's own tokenisation for English (whitespace, then ASCII
 * punctuation stripped, emoticons kept), clause-aware splitting for French
 * (typographic punctuation, elision), each token folded; and the plain
 * words the abusive lists are matched on.
 */
#include "core/judge/sentiment_impl.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* What a byte is to toks_push_ascii: C_UPPER must stay 1, it becomes
 * the 0x20 bit that lower-cases a letter. */
enum { C_UPPER = 1, C_LOWER = 2, C_WORD = 4, C_HIGH = 8 };

static const unsigned char byte_class[256] = {
#define U C_UPPER | C_WORD
#define L C_LOWER | C_WORD
#define H C_HIGH
	['0'] = C_WORD,
	['1'] = C_WORD,
	['2'] = C_WORD,
	['3'] = C_WORD,
	['4'] = C_WORD,
	['5'] = C_WORD,
	['6'] = C_WORD,
	['7'] = C_WORD,
	['8'] = C_WORD,
	['9'] = C_WORD,
	['A'] = U,
	['B'] = U,
	['C'] = U,
	['D'] = U,
	['E'] = U,
	['F'] = U,
	['G'] = U,
	['H'] = U,
	['I'] = U,
	['J'] = U,
	['K'] = U,
	['L'] = U,
	['M'] = U,
	['N'] = U,
	['O'] = U,
	['P'] = U,
	['Q'] = U,
	['R'] = U,
	['S'] = U,
	['T'] = U,
	['U'] = U,
	['V'] = U,
	['W'] = U,
	['X'] = U,
	['Y'] = U,
	['Z'] = U,
	['a'] = L,
	['b'] = L,
	['c'] = L,
	['d'] = L,
	['e'] = L,
	['f'] = L,
	['g'] = L,
	['h'] = L,
	['i'] = L,
	['j'] = L,
	['k'] = L,
	['l'] = L,
	['m'] = L,
	['n'] = L,
	['o'] = L,
	['p'] = L,
	['q'] = L,
	['r'] = L,
	['s'] = L,
	['t'] = L,
	['u'] = L,
	['v'] = L,
	['w'] = L,
	['x'] = L,
	['y'] = L,
	['z'] = L,
	[0x80] = H,
	[0x81] = H,
	[0x82] = H,
	[0x83] = H,
	[0x84] = H,
	[0x85] = H,
	[0x86] = H,
	[0x87] = H,
	[0x88] = H,
	[0x89] = H,
	[0x8a] = H,
	[0x8b] = H,
	[0x8c] = H,
	[0x8d] = H,
	[0x8e] = H,
	[0x8f] = H,
	[0x90] = H,
	[0x91] = H,
	[0x92] = H,
	[0x93] = H,
	[0x94] = H,
	[0x95] = H,
	[0x96] = H,
	[0x97] = H,
	[0x98] = H,
	[0x99] = H,
	[0x9a] = H,
	[0x9b] = H,
	[0x9c] = H,
	[0x9d] = H,
	[0x9e] = H,
	[0x9f] = H,
	[0xa0] = H,
	[0xa1] = H,
	[0xa2] = H,
	[0xa3] = H,
	[0xa4] = H,
	[0xa5] = H,
	[0xa6] = H,
	[0xa7] = H,
	[0xa8] = H,
	[0xa9] = H,
	[0xaa] = H,
	[0xab] = H,
	[0xac] = H,
	[0xad] = H,
	[0xae] = H,
	[0xaf] = H,
	[0xb0] = H,
	[0xb1] = H,
	[0xb2] = H,
	[0xb3] = H,
	[0xb4] = H,
	[0xb5] = H,
	[0xb6] = H,
	[0xb7] = H,
	[0xb8] = H,
	[0xb9] = H,
	[0xba] = H,
	[0xbb] = H,
	[0xbc] = H,
	[0xbd] = H,
	[0xbe] = H,
	[0xbf] = H,
	[0xc0] = H,
	[0xc1] = H,
	[0xc2] = H,
	[0xc3] = H,
	[0xc4] = H,
	[0xc5] = H,
	[0xc6] = H,
	[0xc7] = H,
	[0xc8] = H,
	[0xc9] = H,
	[0xca] = H,
	[0xcb] = H,
	[0xcc] = H,
	[0xcd] = H,
	[0xce] = H,
	[0xcf] = H,
	[0xd0] = H,
	[0xd1] = H,
	[0xd2] = H,
	[0xd3] = H,
	[0xd4] = H,
	[0xd5] = H,
	[0xd6] = H,
	[0xd7] = H,
	[0xd8] = H,
	[0xd9] = H,
	[0xda] = H,
	[0xdb] = H,
	[0xdc] = H,
	[0xdd] = H,
	[0xde] = H,
	[0xdf] = H,
	[0xe0] = H,
	[0xe1] = H,
	[0xe2] = H,
	[0xe3] = H,
	[0xe4] = H,
	[0xe5] = H,
	[0xe6] = H,
	[0xe7] = H,
	[0xe8] = H,
	[0xe9] = H,
	[0xea] = H,
	[0xeb] = H,
	[0xec] = H,
	[0xed] = H,
	[0xee] = H,
	[0xef] = H,
	[0xf0] = H,
	[0xf1] = H,
	[0xf2] = H,
	[0xf3] = H,
	[0xf4] = H,
	[0xf5] = H,
	[0xf6] = H,
	[0xf7] = H,
	[0xf8] = H,
	[0xf9] = H,
	[0xfa] = H,
	[0xfb] = H,
	[0xfc] = H,
	[0xfd] = H,
	[0xfe] = H,
	[0xff] = H,
#undef U
#undef L
#undef H
};

/* ASCII whitespace as Python's str.split() sees it. */
static const unsigned char space_byte[128] = {
	['\t'] = 1,
	['\n'] = 1,
	['\v'] = 1,
	['\f'] = 1,
	['\r'] = 1,
	[0x1c] = 1,
	[0x1d] = 1,
	[0x1e] = 1,
	[0x1f] = 1,
	[' '] = 1,
};

/* French elided words, written folded: l'acme is "l" and "acme". */
static const char *const fr_elision[] = { "l", "j", "qu", "d", "n", "c", "s",
	"m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu" };

static int
is_elided(const char *w, size_t n)
{
	char low[8];

	if (n == 0 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(fr_elision); i++)
		if (strcmp(low, fr_elision[i]) == 0)
			return 1;
	return 0;
}

/* Is s (a word between spaces) an elided word and its apostrophe? */
static int
elided_alone(const char *s, size_t n)
{
	if (n >= 2 && s[n - 1] == '\'')
		return is_elided(s, n - 1);
	if (n >= 4 && memcmp(s + n - 3, "\xe2\x80\x99", 3) == 0)
		return is_elided(s, n - 3);
	return 0;
}

/* U+00C0..U+00FF (UTF-8 0xc3 0x80..0xbf) folded and stripped of their
 * marks, when that is one ASCII letter; 0 for the others (Æ, Ð, ×, Ø,
 * Þ, ß, æ, ð, ÷, ø, þ), which utf8proc folds. test_fold checks the table
 * against utf8proc_map. */
static const char latin1_fold[64] = "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0\0"
                                    "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";

/*
 * Folding: case folded, accents and other marks stripped, typographic
 * apostrophes made ASCII. Equivalent to utf8proc_map() with
 * UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
 * UTF8PROC_STRIPMARK (marks are dropped, so canonical reordering cannot
 * matter), but one character at a time into the caller's buffer, so that
 * scoring a text allocates nothing per word.
 */
void
sent_fold(struct buf *b, const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)n;

	while (left > 0) {
		if (*p < 0x80) {
			/* A run of ASCII, lower-cased straight into the
			 * buffer: most text is nothing else. */
			utf8proc_ssize_t run = 1;
			while (run < left && p[run] < 0x80)
				run++;
			buf_reserve(b, (size_t)run);
			char *o = b->data + b->len;
			for (utf8proc_ssize_t i = 0; i < run; i++) {
				unsigned char c = p[i];
				o[i] =
				    (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			b->len += (size_t)run;
			b->data[b->len] = '\0';
			p += run, left -= run;
			continue;
		}
		/* The accented letters of French and its neighbours
		 * (U+00C0..U+00FF) fold to one ASCII letter: a table, not
		 * utf8proc's decomposition, which took a fifth of French
		 * scoring. */
		if (*p == 0xc3 && left >= 2 && p[1] >= 0x80 && p[1] <= 0xbf &&
		    latin1_fold[p[1] - 0x80] != 0) {
			buf_putc(b, latin1_fold[p[1] - 0x80]);
			p += 2, left -= 2;
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

/* Length of the Unicode whitespace at s, 0 if none. */
static size_t
space_len_utf8(const char *s, size_t left)
{
	unsigned char lead = (unsigned char)*s;

	/* Only these lead bytes start a space (U+0085, U+00A0, U+1680,
	 * U+2000..U+205F, U+3000): an accented letter is not one. */
	if (lead != 0xc2 && lead != 0xe1 && lead != 0xe2 && lead != 0xe3)
		return 0;
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

/* Length of the whitespace at s (as Python's str.split() sees it), 0 if
 * none. */
static inline size_t
space_len(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;

	return c < 0x80 ? space_byte[c] : space_len_utf8(s, left);
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

	/* Guillemets are 0xc2, the others 0xe2 0x80. */
	if ((unsigned char)*s != 0xc2 && (unsigned char)*s != 0xe2)
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

/* Appends the token s (n bytes of the text), whose folded form is the
 * len bytes at off in t->fold. */
static void
tok_add(struct toks *t, const char *s, size_t n, size_t off, size_t len,
    unsigned flags)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = (struct tok){
		.s = s, .n = n, .off = off, .len = len, .flags = flags
	};
	t->plain &= (flags & T_PLAIN) != 0;
}

static void
toks_push(
    struct toks *t, const char *s, size_t n, const char *folded, size_t flen)
{
	if (t->fold.len > 0)
		buf_putc(&t->fold, ' ');
	size_t off = t->fold.len;
	if (folded)
		buf_append(&t->fold, folded, flen);
	else
		sent_fold(&t->fold, s, n);
	int plain = t->fold.len > off;
	for (size_t i = off; i < t->fold.len && plain; i++)
		plain =
		    (byte_class[(unsigned char)t->fold.data[i]] & C_WORD) != 0;
	tok_add(t, s, n, off, t->fold.len - off,
	    (sent_is_upper(s, n) ? T_UPPER : 0) | (plain ? T_PLAIN : 0));
}

/* toks_push for a word of ASCII and accented Latin-1 letters, the common
 * case: folded and checked for capitals in one pass. Returns 0, pushing
 * nothing, at the first character it does not know. */
static int
toks_push_ascii(struct toks *t, const char *s, size_t n)
{
	struct buf *f = &t->fold;
	size_t start = f->len;
	int upper = 0, lower = 0, plain = 1;

	if (f->cap - f->len < n + 2)
		buf_reserve(f, n + 1);
	if (f->len > 0)
		f->data[f->len++] = ' ';
	size_t off = f->len;
	unsigned seen = 0, all = C_WORD;
	char *o = f->data + f->len;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned k = byte_class[c];
		if (k & C_HIGH) {
			/* An accented Latin-1 letter folds to one ASCII
			 * letter (see latin1_fold); anything else takes the
			 * general path. */
			unsigned char d =
			    i + 1 < n ? (unsigned char)s[i + 1] : 0;
			if (c != 0xc3 || d < 0x80 || d > 0xbf ||
			    latin1_fold[d - 0x80] == 0) {
				f->len = start;
				f->data[f->len] = '\0';
				return 0;
			}
			/* U+00C0..U+00DE are capitals, the rest lower case. */
			seen |= d < 0x9f ? C_UPPER : C_LOWER;
			o[m++] = latin1_fold[d - 0x80];
			i++;
			continue;
		}
		seen |= k;
		all &= k;
		/* An upper-case letter gains the 0x20 bit of its lower
		 * case. */
		o[m++] = (char)(c | ((k & C_UPPER) << 5));
	}
	f->len += m;
	f->data[f->len] = '\0';
	upper = (seen & C_UPPER) != 0;
	lower = (seen & C_LOWER) != 0;
	plain = (all & C_WORD) != 0 && n > 0;
	tok_add(t, s, n, off, m,
	    (upper && !lower ? T_UPPER : 0) | (plain ? T_PLAIN : 0));
	return 1;
}

/* Is cp a pictograph, a token of its own however it is glued to words
 * ("merci🙄", "😡😡😡")? */
static int
is_pictograph(utf8proc_int32_t cp)
{
	return cp >= 0x2190 && utf8proc_category(cp) == UTF8PROC_CATEGORY_SO;
}

/* What dresses a pictograph and is dropped with it: skin tones, the
 * emoji variation selector, the zero-width joiner. */
static int
is_emoji_dress(utf8proc_int32_t cp)
{
	return (cp >= 0x1f3fb && cp <= 0x1f3ff) || cp == 0xfe0f || cp == 0x200d;
}

/*
 * Pushes the word s as one token, or as several when it holds
 * pictographs (each one its own token) or is a hashtag in camel case
 * ("#BoycottAcme": "boycott", "acme"), which reads as its words.
 */
static void
push_word(struct toks *t, const char *s, size_t n, int hashtag)
{
	size_t i = 0, start = 0;

	if (!hashtag && toks_push_ascii(t, s, n))
		return;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			/* A capital after a lower-case letter starts a word
			 * of a hashtag. */
			if (hashtag && i > start && s[i] >= 'A' &&
			    s[i] <= 'Z' && s[i - 1] >= 'a' && s[i - 1] <= 'z') {
				toks_push(t, s + start, i - start, NULL, 0);
				t->v[t->n - 1].flags |= T_HASHTAG;
				start = i;
			}
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t k =
		    utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		        (utf8proc_ssize_t)(n - i), &cp);
		if (k < 0) {
			i++;
			continue;
		}
		if (!is_pictograph(cp) && !is_emoji_dress(cp)) {
			i += (size_t)k;
			continue;
		}
		if (i > start)
			toks_push(t, s + start, i - start, NULL, 0);
		if (is_pictograph(cp)) {
			toks_push(t, s + i, (size_t)k, NULL, 0);
			t->v[t->n - 1].flags |= T_PICTO;
		}
		i += (size_t)k;
		start = i;
	}
	if (n > start) {
		toks_push(t, s + start, n - start, NULL, 0);
		if (hashtag && start > 0)
			t->v[t->n - 1].flags |= T_HASHTAG;
	}
}

static int
is_quote(const char *s, size_t left)
{
	return *s == '"' ||
	    (left >= 2 && memcmp(s, "\xc2\xab", 2) == 0) || /* « */
	    (left >= 3 &&
	        (memcmp(s, "\xe2\x80\x9c", 3) == 0 || /* “ */
	            memcmp(s, "\xe2\x80\x9d", 3) == 0)); /* ” */
}

/* Is there a quotation mark in s[from, to)? */
static int
has_quote(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (is_quote(s + i, to - i))
			return 1;
	return 0;
}

/* A word in quotes on both sides: '"super" service'. */
static int
quoted(const char *s, size_t start, size_t a, size_t b, size_t end)
{
	return has_quote(s, start, a) && has_quote(s, b, end);
}

/* The next run of non-space bytes at or after *i: [*start, *i). 0 when
 * there is none left. */
static int
next_word(const char *s, size_t len, size_t *i, size_t *start)
{
	/* A local index: through the pointer, every byte read would
	 * reload it (a char may alias anything). */
	size_t k = *i, sp;

	while (k < len && (sp = space_len(s + k, len - k)) > 0)
		k += sp;
	if (k >= len) {
		*i = k;
		return 0;
	}
	*start = k;
	while (k < len && space_len(s + k, len - k) == 0)
		k++;
	*i = k;
	return 1;
}

/* Is s letters and digits only, ASCII or accented Latin-1? */
static int
letters_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (byte_class[c] & C_WORD)
			continue;
		if (c != 0xc3 || i + 1 == n || (unsigned char)s[i + 1] < 0x80 ||
		    (unsigned char)s[i + 1] > 0xbf ||
		    latin1_fold[(unsigned char)s[i + 1] - 0x80] == 0)
			return 0;
		i++;
	}
	return 1;
}

/* VADER: split on whitespace, strip ASCII punctuation from both ends
 * unless that leaves two characters or fewer (emoticons, "a,"). */
static void
tokenize_en(struct toks *t, const char *s, size_t len)
{
	size_t i = 0, start;

	while (next_word(s, len, &i, &start)) {
		if (letters_word(s + start, i - start) &&
		    toks_push_ascii(t, s + start, i - start))
			continue;
		size_t a = start, b = i;
		while (a < b && is_ascii_punct((unsigned char)s[a]))
			a++;
		while (b > a && is_ascii_punct((unsigned char)s[b - 1]))
			b--;
		/* Two characters are at most eight bytes, and as many bytes
		 * in ASCII. */
		size_t chars = b - a;
		if (chars > 2 && chars <= 8) {
			chars = 0;
			for (size_t j = a; j < b; j++)
				chars += ((unsigned char)s[j] & 0xc0) != 0x80;
		}
		if (chars <= 2)
			a = start, b = i;
		size_t before = t->n;
		push_word(t, s + a, b - a, a > start && s[a - 1] == '#');
		if (t->n == before + 1 && quoted(s, start, a, b, i))
			t->v[before].flags |= T_QUOTED;
	}
}

/* An emoticon: a short word of punctuation and at most one digit or
 * letter, ":)", ":-(", "<3", ";-)", ":'(", "xD" excepted (a word). */
static int
emoticon(const char *s, size_t n)
{
	int marks = 0, other = 0;

	if (n < 2 || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':' || c == ';' || c == '=' || c == '<' || c == '^' ||
		    c == '_')
			marks++;
		else if (!is_ascii_punct(c))
			other++;
	}
	return marks > 0 && other <= 1;
}

/* French: whitespace, then punctuation stripped from both ends (clause
 * punctuation marks a break), then elided articles and pronouns split off
 * ("l'", "qu'"...); "n'" stays, as "ne", for the negation rules. */
static void
tokenize_fr(struct toks *t, const char *s, size_t len)
{
	size_t i = 0, start, quote_from = SIZE_MAX;

	while (next_word(s, len, &i, &start)) {
		size_t a = start, b = i, k;
		int brk = 0;
		/* Most words are letters and digits alone: nothing to strip,
		 * split or flag. */
		if (letters_word(s + start, i - start) &&
		    toks_push_ascii(t, s + start, i - start))
			continue;
		if (emoticon(s + start, i - start)) {
			toks_push(t, s + start, i - start, NULL, 0);
			t->v[t->n - 1].flags |= T_PICTO;
			continue;
		}
		/* An elided word left alone ("qu' Acme", or a lexicon phrase
		 * ending "il paraît qu'") is dropped as when it is glued. */
		if (elided_alone(s + start, i - start))
			continue;
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
			/* Elided words are short: an apostrophe further in is
			 * not one ("aujourd'hui"), and is not looked for. */
			size_t q = a, stop = b - a > 7 ? a + 7 : b;
			while (q < stop && s[q] != '\'' &&
			    !((unsigned char)s[q] == 0xe2 && b - q >= 3 &&
			        (unsigned char)s[q + 1] == 0x80 &&
			        (unsigned char)s[q + 2] == 0x99))
				q++;
			if (q == stop)
				break;
			size_t alen = s[q] == '\'' ? 1 : 3;
			size_t plen = q - a;
			if (!is_elided(s + a, plen))
				break;
			if (plen == 1 && (s[a] == 'n' || s[a] == 'N'))
				toks_push(t, s + a, plen, "ne", 2);
			a = q + alen;
		}
		if (a < b) {
			size_t before = t->n;
			int hashtag = a > start && s[a - 1] == '#';
			/* A hashtag stands apart from the sentence before
			 * it: "... rien #BoycottAcme" negates nothing. */
			if (hashtag && before > 0)
				t->v[before - 1].flags |= T_BREAK;
			if (has_quote(s, start, a))
				quote_from = before;
			push_word(t, s + a, b - a, hashtag);
			if (quote_from != SIZE_MAX && has_quote(s, b, i)) {
				/* Up to three words in quotes: scare quotes
				 * (« bien arrivé »), not a quoted sentence. */
				if (t->n - quote_from <= 3)
					for (size_t q = quote_from; q < t->n;
					     q++)
						t->v[q].flags |= T_QUOTED;
				quote_from = SIZE_MAX;
			}
			if (brk)
				t->v[t->n - 1].flags |= T_BREAK;
		} else if (brk && t->n > 0) {
			t->v[t->n - 1].flags |= T_BREAK;
		}
	}
}

void
toks_read(enum lang_id lang, struct toks *t, const char *s, size_t len)
{
	t->plain = 1;
	if (lang == L_FR)
		tokenize_fr(t, s, len);
	else
		tokenize_en(t, s, len);
}

void
toks_clear(struct toks *t)
{
	free(t->v);
	buf_clear(&t->fold);
}

void
sent_words(const char *folded, size_t len, struct buf *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)folded;
	utf8proc_ssize_t left = (utf8proc_ssize_t)len;
	int inword = 0;
	char *o;

	/* A word gains at most one separator: the buffer never holds more
	 * than twice the text. */
	buf_reserve(out, 2 * len + 1);
	o = out->data + out->len;
	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = 1;
		int w;
		if (*p < 0x80) {
			w = (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9');
			if (w && !inword && o > out->data)
				*o++ = ' ';
			if (w)
				*o++ = (char)*p;
			inword = w;
			p++, left--;
			continue;
		} else {
			k = utf8proc_iterate(p, left, &cp);
			if (k < 0)
				k = 1, cp = ' ';
			if (is_pictograph(cp)) {
				/* A word of its own. */
				if (o > out->data)
					*o++ = ' ';
				memcpy(o, p, (size_t)k);
				o += k;
				inword = 0;
				p += k, left -= k;
				continue;
			}
			utf8proc_category_t c = utf8proc_category(cp);
			w = c >= UTF8PROC_CATEGORY_LU &&
			    c <= UTF8PROC_CATEGORY_NO;
		}
		if (w) {
			if (!inword && o > out->data)
				*o++ = ' ';
			memcpy(o, p, (size_t)k);
			o += k;
		}
		inword = w;
		p += k, left -= k;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
}
