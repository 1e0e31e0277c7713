/*
 * test_fold.c - words for matching (core/match/fold.h): where a text is
 * cut, what each word folds to, which words carry a sigil, and the byte
 * ranges they came from. Queries and documents share this code, so a
 * change here changes what every watch matches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "core/match/fold.h"

/* The words of text as "w1|w2|...", each after its sigil if it has one;
 * with parts, a first part is followed by its whole word and the number
 * of parts it covers, in brackets: "boycott[#boycottdanone/2]|danone". */
static char *
words_of(struct fold_words *fw, const char *text, int parts)
{
	struct buf b;

	fold_reset(fw);
	if (parts)
		fold_words_parts(fw, text, strlen(text));
	else
		fold_words(fw, text, strlen(text));
	buf_init(&b);
	for (size_t i = 0; i < fw->len; i++) {
		const struct fold_word *w = &fw->v[i];
		if (i > 0)
			buf_putc(&b, '|');
		if (w->sigil != 0)
			buf_putc(&b, w->sigil);
		buf_append(&b, fw->text + w->off, w->len);
		if (w->whole_len == 0)
			continue;
		buf_printf(&b, "[%c", w->whole_sigil);
		buf_append(&b, fw->text + w->whole_off, w->whole_len);
		buf_printf(&b, "/%u]", (unsigned)w->parts);
	}
	return buf_release(&b);
}

static void
cuts_into(const char *text, int parts, const char *want)
{
	struct fold_words fw = { 0 };
	char *got = words_of(&fw, text, parts);

	fold_clear(&fw);
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, got, want);
	free(got);
}

static void
cuts_as(const char *text, const char *want)
{
	cuts_into(text, 0, want);
}

static void
parts_as(const char *text, const char *want)
{
	cuts_into(text, 1, want);
}

static void
test_case(void **state)
{
	(void)state;
	cuts_as("ACME Acme acme aCmE", "acme|acme|acme|acme");
	/* Full case folding, not lowering: ß is "ss", as in a query for
	 * "strasse". */
	cuts_as("Straße STRASSE", "strasse|strasse");
}

static void
test_accents(void **state)
{
	(void)state;
	cuts_as("École ÉCOLE ecole", "ecole|ecole|ecole");
	cuts_as("À la française", "a|la|francaise");
	cuts_as("déçu Noël où naïve", "decu|noel|ou|naive");
	/* Decomposed input (e + U+0301) folds like the composed form. */
	cuts_as("e\xcc\x81"
	        "cole",
	    "ecole");
	/* A mark alone is a word character, but folds to nothing: no word. */
	cuts_as("a \xcc\x81 b", "a|b");
}

static void
test_ligatures(void **state)
{
	(void)state;
	/* Unicode does not decompose œ and æ; fold.c spells them out. */
	cuts_as("Œuvre œuvre oeuvre", "oeuvre|oeuvre|oeuvre");
	cuts_as("Lætitia ÆGIS", "laetitia|aegis");
	/* The typographic ligatures do decompose (compatibility). */
	cuts_as("\xef\xac\x81"
	        "nance",
	    "finance");
}

static void
test_elision(void **state)
{
	(void)state;
	/* The apostrophe, straight or typographic, separates words: the
	 * elided article stays a word of its own, and "acme" is found. */
	cuts_as("l'acme", "l|acme");
	cuts_as("L\xe2\x80\x99"
	        "Acme",
	    "l|acme");
	cuts_as("qu'Acme jusqu'à d'Acme", "qu|acme|jusqu|a|d|acme");
	cuts_as("Acme's CEO", "acme|s|ceo");
}

static void
test_sigils(void **state)
{
	(void)state;
	cuts_as("#Acme @acme_corp", "#acme|@acme_corp");
	cuts_as("#École", "#ecole");
	/* Only before a word, and not inside one. */
	cuts_as("a#b x@y.com", "a|b|x|y|com");
	cuts_as("# acme @ acme", "acme|acme");
	cuts_as("##acme", "#acme");
	cuts_as("(#acme)", "#acme");
	/* The underscore joins a handle, as on the sites that use them. */
	cuts_as("@acme_support_fr", "@acme_support_fr");
	/* Words are not cut in parts unless asked. */
	cuts_as("#BoycottDanone", "#boycottdanone");
}

/* fold_words_parts: hashtags and handles joining words. */
static void
test_parts(void **state)
{
	(void)state;
	parts_as("#BoycottDanone", "boycott[#boycottdanone/2]|danone");
	parts_as("le @FreeMobile !", "le|free[@freemobile/2]|mobile");
	parts_as("#GrèveSNCF", "greve[#grevesncf/2]|sncf");
	parts_as("@SNCF_Direct", "sncf[@sncf_direct/2]|direct");
	parts_as(
	    "#Covid19 #COVID19", "covid[#covid19/2]|19|covid[#covid19/2]|19");
	parts_as("#iPhone15Pro", "iphone[#iphone15pro/3]|15|pro");
	parts_as("#BNPParibas #SNCFGreve",
	    "bnp[#bnpparibas/2]|paribas|sncf[#sncfgreve/2]|greve");
	/* A run of capitals straight into lower case: its last capital is
	 * read as starting the next word, as in BNPParibas. */
	parts_as("#SNCFgreve", "snc[#sncfgreve/2]|fgreve");
	/* Underscores at either end or doubled make no empty part. */
	parts_as("@_acme__fr_", "acme[@_acme__fr_/2]|fr");
	/* One word, whatever its case: nothing to cut. */
	parts_as("#Danone #DANONE #danone @acme_ #iOS",
	    "#danone|#danone|#danone|@acme_|#ios");
	/* Only hashtags and handles are cut. */
	parts_as("BoycottDanone iPhone15", "boycottdanone|iphone15");
	/* Decomposed accents stay with their letter. */
	parts_as("#Gre\xcc\x80veSNCF", "greve[#grevesncf/2]|sncf");
	/* At most FOLD_MAX_PARTS parts: the last keeps the rest. */
	parts_as("#UnDeuxTroisQuatreCinqSixSeptHuitNeufDix",
	    "un[#undeuxtroisquatrecinqsixsepthuitneufdix/8]|deux|trois|"
	    "quatre|cinq|six|sept|huitneufdix");
}

/* Parts point into the input: the first from the sigil, the last to the
 * end of the whole word. */
static void
test_part_offsets(void **state)
{
	struct fold_words fw = { 0 };
	const char *text = "vu #BoycottDanone2024.";

	(void)state;
	fold_words_parts(&fw, text, strlen(text));
	assert_int_equal(fw.len, 4);
	assert_int_equal(fw.v[1].src, 3);
	assert_int_equal(fw.v[1].src_end, 11);
	assert_int_equal(fw.v[2].src, 11);
	assert_int_equal(fw.v[2].src_end, 17);
	assert_int_equal(fw.v[3].src, 17);
	assert_int_equal(fw.v[3].src_end, 21);
	assert_int_equal(fw.v[2].whole_len, 0);
	assert_int_equal(fw.v[2].sigil, 0);
	fold_clear(&fw);
}

static void
test_punctuation(void **state)
{
	(void)state;
	cuts_as("« Acme » : c'est nul ! Vraiment ?", "acme|c|est|nul|vraiment");
	cuts_as("Acme\xc2\xa0!", "acme");
	cuts_as("Saint-Étienne, 2024 — ok.", "saint|etienne|2024|ok");
	cuts_as("Hello, world! (Acme) \"quoted\" end...",
	    "hello|world|acme|quoted|end");
	cuts_as("acme.com/path?q=1", "acme|com|path|q|1");
	cuts_as("", "");
	cuts_as(" \t\n.,;", "");
}

static void
test_non_latin(void **state)
{
	(void)state;
	/* Other scripts are case folded and kept, not transliterated. */
	cuts_as("МОСКВА Москва", "москва|москва");
	cuts_as("ΣΟΦΙΑ", "σοφια");
	/* No dictionary: a run of CJK letters is one word. */
	cuts_as("北京欢迎你 Acme", "北京欢迎你|acme");
	/* Fullwidth forms fold to ASCII (compatibility). */
	cuts_as("ＡＣＭＥ", "acme");
	/* Invalid UTF-8 separates words like punctuation. */
	cuts_as("ab\xff"
	        "cd\xc3",
	    "ab|cd");
}

static void
test_offsets(void **state)
{
	struct fold_words fw = { 0 };
	const char *text = "Voir #Acme, l'École";
	char *got;

	(void)state;
	got = words_of(&fw, text, 0);
	assert_string_equal(got, "voir|#acme|l|ecole");
	free(got);
	/* src includes the sigil; src_end is one past the word's last byte,
	 * in the input, whatever the folded length. */
	assert_int_equal(fw.v[1].src, 5);
	assert_int_equal(fw.v[1].src_end, 10);
	assert_int_equal(fw.v[3].src, 14);
	assert_int_equal(fw.v[3].src_end, strlen(text));
	assert_int_equal(fw.v[3].len, 5);

	/* fold_words appends; fold_reset empties. */
	fold_words(&fw, "encore", 6);
	assert_int_equal(fw.len, 5);
	fold_reset(&fw);
	assert_int_equal(fw.len, 0);
	assert_int_equal(fw.text_len, 0);
	fold_clear(&fw);
	assert_null(fw.v);
	assert_null(fw.text);
}

static void
test_count_chars(void **state)
{
	(void)state;
	assert_int_equal(fold_count_chars("", 0), 0);
	assert_int_equal(fold_count_chars("acme", 4), 4);
	assert_int_equal(fold_count_chars("école", strlen("école")), 5);
	assert_int_equal(fold_count_chars("北京", strlen("北京")), 2);
	/* Only the first len bytes. */
	assert_int_equal(fold_count_chars("école", 3), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_accents),
		cmocka_unit_test(test_ligatures),
		cmocka_unit_test(test_elision),
		cmocka_unit_test(test_sigils),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_part_offsets),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_non_latin),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_count_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
