/*
 * lang_detect.c - tells French from English (see lang_detect.h).
 *
 * Function words give most of the evidence: each language's most frequent
 * short words, none shared by the other ("a", "on", "me" are left out).
 * French also shows itself by elided articles and pronouns ("l'", "qu'")
 * and accented letters. Only the first LANG_SCAN bytes are read: a page of
 * text decides, and a huge document must not cost more.
 */
#include "core/judge/lang_detect.h"
#include "core/base/util.h"
#include "core/judge/sentiment_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LANG_SCAN 4096
#define WORD_MAX 16
/* Accented letters are weaker evidence than words ("café" in English). */
#define ACCENT_CAP 2

static const char *const fr_words[] = { "au", "aux", "avec", "ce", "ces",
	"cette", "dans", "des", "donc", "du", "elle", "elles", "en", "est",
	"et", "etait", "ete", "etre", "il", "ils", "je", "la", "le", "les",
	"leur", "mais", "mes", "moi", "mon", "ne", "nous", "ont", "ou", "par",
	"pas", "plus", "pour", "qu", "que", "qui", "sa", "sans", "ses", "son",
	"sont", "sur", "ta", "te", "tes", "toi", "tres", "tu", "un", "une",
	"vous" };

static const char *const en_words[] = { "about", "and", "are", "at", "be",
	"been", "but", "by", "can", "could", "did", "do", "does", "dont", "for",
	"from", "had", "has", "have", "he", "her", "his", "i", "im", "is", "it",
	"its", "my", "not", "of", "or", "our", "she", "that", "the", "their",
	"them", "they", "this", "to", "very", "was", "we", "were", "what",
	"when", "which", "who", "will", "with", "would", "you", "your" };

static const char *const fr_elided[] = { "c", "d", "j", "l", "m", "n", "qu",
	"s", "t" };

/*
 * The three lists in one lexicon table (sentiment_lexicon.c's), each word
 * once with the lists it is on as its kind: a text's every word was two
 * binary searches of strcmp calls, a third of the time of scoring a text
 * of unknown language. Built once, kept for the process.
 */
enum { ON_FR = 1, ON_EN = 2, ON_ELIDED = 4 };

static struct lex lists;
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void
lists_add(const char *const *list, size_t n, unsigned on)
{
	for (size_t i = 0; i < n; i++)
		lex_put(&lists, list[i], strlen(list[i]))->kind |= on;
}

static void
lists_build(void)
{
	lists_add(fr_words, ARRAY_LEN(fr_words), ON_FR);
	lists_add(en_words, ARRAY_LEN(en_words), ON_EN);
	lists_add(fr_elided, ARRAY_LEN(fr_elided), ON_ELIDED);
}

/* The lists word w (n letters) is on. */
static unsigned
lists_of(const char *w, size_t n)
{
	const struct lexent *e = lex_get(&lists, w, n);

	return e ? e->kind : 0;
}

/* Lower-case ASCII letter for c, folding the accented Latin-1 letters
 * of French (UTF-8 "\xc3" + c); 0 if c is not a letter. *accent is set
 * for an accented one. */
static char
latin1_fold(unsigned char c, int *accent)
{
	static const char map[] = "aaaaaaaceeeeiiii"
	                          "dnooooo ouuuuy  ";
	if (c < 0x80 || c > 0xbf)
		return 0;
	unsigned idx = (c - 0x80) & 0x1f;
	if (idx == 0x17 || idx >= 0x1e)
		return 0;
	*accent = 1;
	return map[idx];
}

int
lang_evidence(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	int fr = 0, en = 0, accents = 0;
	char w[WORD_MAX + 1];
	size_t wl = 0;
	int overlong = 0;

	pthread_once(&lists_once, lists_build);
	if (len > LANG_SCAN)
		len = LANG_SCAN;
	for (size_t i = 0; i <= len; i++) {
		char c = 0;
		int accent = 0;
		size_t skip = 0;
		if (i < len) {
			unsigned char b = s[i];
			if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
				c = (char)(b | 0x20);
			else if (b == 0xc3 && i + 1 < len &&
			    (c = latin1_fold(s[i + 1], &accent)))
				skip = 1;
			else if (b == 0xc5 && i + 1 < len &&
			    (s[i + 1] == 0x93 || s[i + 1] == 0x92))
				c = 'o', skip = 1, accent = 1; /* oe */
		}
		if (c) {
			if (wl < WORD_MAX)
				w[wl++] = c;
			else
				overlong = 1;
			accents += accent;
			i += skip;
			continue;
		}
		/* An apostrophe after an elidable word: "l'", "qu’". */
		int apos = i < len &&
		    (s[i] == '\'' ||
		        (i + 2 < len && s[i] == 0xe2 && s[i + 1] == 0x80 &&
		            s[i + 2] == 0x99));
		if (wl > 0 && !overlong) {
			unsigned on = lists_of(w, wl);
			if (apos && (on & ON_ELIDED))
				fr++;
			else if (apos && wl == 3 && memcmp(w, "don", 3) == 0)
				en++; /* don't */
			else if (on & ON_FR)
				fr++;
			else if (on & ON_EN)
				en++;
		}
		wl = 0;
		overlong = 0;
	}
	fr += accents < ACCENT_CAP ? accents : ACCENT_CAP;
	return fr - en;
}

const char *
lang_detect(const char *text, size_t len)
{
	int d = lang_evidence(text, len);

	return d > 0 ? "fr" : d < 0 ? "en" : NULL;
}
