/*
 * test_match.c - the matcher: folding, word boundaries, phrases, NEAR,
 * wildcards, fields, exclusions, regexes, hashtags and handles, the watch
 * language filter, reported terms, and the index checked against
 * evaluating every watch (and each watch alone) on generated documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/base/util.h"
#include "core/match/match.h"
#include "core/match/prefilter.h"
#include "core/match/query.h"

static int jit = 1;

static struct matcher *
one(const char *query, const char *langs)
{
	struct matcher *m = matcher_new();
	struct query_error err;

	matcher_set_jit(m, jit);
	if (matcher_add(m, "w", query, langs, &err) != 0)
		fail_msg("%s: column %d: %s", query, err.column, err.message);
	matcher_build(m);
	return m;
}

/* Whether query matches doc, asserting the index and the scan agree. */
static int
doc_matches(const char *query, const char *langs, const struct match_doc *doc)
{
	struct matcher *m = one(query, langs);
	struct match_result res;
	size_t indexed, naive;

	match_result_init(&res);
	indexed = matcher_match(m, doc, &res);
	naive = matcher_match_naive(m, doc, &res);
	if (indexed != naive)
		fail_msg(
		    "%s: index says %zu, scan says %zu", query, indexed, naive);
	match_result_clear(&res);
	matcher_free(m);
	return indexed == 1;
}

static int
matches(const char *query, const char *title, const char *text)
{
	struct match_doc doc = { title, text, NULL, NULL, NULL };

	return doc_matches(query, NULL, &doc);
}

#define YES(q, title, text) assert_true(matches(q, title, text))
#define NO(q, title, text) assert_false(matches(q, title, text))

static void
test_folding(void **state)
{
	(void)state;
	YES("ecole", NULL, "Une École de commerce");
	YES("ecole", "ÉCOLE", NULL);
	YES("ecole", NULL, "Ecole");
	YES("École", NULL, "ecole");
	YES("Decu", NULL, "Très déçu par Acme");
	YES("DÉÇU", NULL, "decu");
	YES("oeuvre", NULL, "une œuvre");
	YES("straße", NULL, "STRASSE");
	YES("acme", NULL, "ＡＣＭＥ"); /* fullwidth */
	NO("ecole", NULL, "écoles");
}

static void
test_word_boundaries(void **state)
{
	(void)state;
	YES("acme", NULL, "I like Acme.");
	NO("acme", NULL, "acmes everywhere");
	NO("acme", NULL, "acmeco");
	YES("acme*", NULL, "acmes everywhere");
	YES("acme", NULL, "Acme's service");
	YES("acme", NULL, "chez l'acme");
	YES("acme", NULL, "chez d’Acme");
	YES("acme", NULL, "(acme)");
	YES("acme", NULL, "acme, again");
	YES("acme", NULL, "support@acme.com");
	YES("iphone15", NULL, "mon iPhone15 est en panne");
	NO("iphone", NULL, "mon iPhone15 est en panne");
	YES("4g", NULL, "pas de 4G ici");
	YES("l'acme", NULL, "L’ACME");
	YES("aujourd'hui", NULL, "aujourd'hui");
	/* Scripts written without spaces: a run of letters is one word. */
	YES("东京", NULL, "东京 tower");
	NO("东京", NULL, "在东京");
}

static void
test_phrases(void **state)
{
	(void)state;
	YES("\"service client\"", NULL, "le service client est nul");
	YES("\"service client\"", NULL, "Service, client: rien.");
	NO("\"service client\"", NULL, "le service du client");
	NO("\"service client\"", NULL, "client service");
	NO("\"service client\"", "Le service", "client absent");
	YES("\"service client\"", "Le service client", "rien");
	YES("\"service cli*\"", NULL, "service clientèle");
	YES("e-commerce", NULL, "le E-Commerce");
	YES("e-commerce", NULL, "le e commerce");
}

static void
test_near(void **state)
{
	(void)state;
	YES("acme NEAR/3 arnaque", NULL, "acme a b c arnaque");
	NO("acme NEAR/3 arnaque", NULL, "acme a b c d arnaque");
	YES("acme NEAR/3 arnaque", NULL, "arnaque a b c acme");
	NO("acme NEAR/3 arnaque", NULL, "arnaque a b c d acme");
	YES("acme NEAR/1 arnaque", NULL, "acme arnaque");
	NO("acme NEAR/3 arnaque", "acme", "arnaque");
	NO("acme NEAR/3 acme", NULL, "acme");
	YES("acme NEAR/3 acme", NULL, "acme x acme");
	YES("\"service client\" NEAR/2 acme", NULL,
	    "service client de chez acme");
	NO("\"service client\" NEAR/1 acme", NULL,
	    "service client de chez acme");
	YES("acme NEAR/2 \"service client\"", NULL,
	    "le service client x y acme z");
	YES("(acme OR acmé) NEAR/5 (panne OR bug*)", NULL,
	    "Acmé: énorme bugs depuis lundi");
	NO("(acme OR acmé) NEAR/2 (panne OR bug*)", NULL,
	    "Acmé: toujours une énorme panne");
	YES("acme NEAR/100 arnaque", NULL,
	    "acme a b c d e f g h i j k l m n o p arnaque");
}

static void
test_wildcards(void **state)
{
	(void)state;
	YES("arnaque*", NULL, "quelle arnaque");
	YES("arnaque*", NULL, "des arnaques");
	YES("arnaque*", NULL, "ils arnaquent? non: ARNAQUÉS");
	NO("arnaque*", NULL, "arnaqu");
	NO("arnaque*", NULL, "une grosse-arnaqu");
	YES("rembours*", NULL, "aucun remboursement");
	YES("#acme*", NULL, "#acmefail");
	NO("#acme*", NULL, "acmefail");
}

static void
test_fields(void **state)
{
	struct match_doc doc = { "Acme en panne", "Le service client dit rien",
		"Jean Dupont", "https://blog.example.com:8080/p?q=1", "fr-FR" };

	(void)state;
	assert_true(doc_matches("title:acme", NULL, &doc));
	assert_false(doc_matches("title:service", NULL, &doc));
	assert_true(doc_matches("title:(service OR panne)", NULL, &doc));
	assert_false(doc_matches("dupont", NULL, &doc));
	assert_true(doc_matches("author:dupont", NULL, &doc));
	assert_true(doc_matches("author:\"jean dupont\"", NULL, &doc));
	/* Words of the title or text that are also the author's. */
	doc.author = "Acme, le service";
	assert_true(doc_matches("author:acme", NULL, &doc));
	assert_true(doc_matches("author:service AND panne", NULL, &doc));
	assert_false(doc_matches("author:panne", NULL, &doc));
	doc.author = "Jean Dupont";
	assert_true(doc_matches("site:example.com", NULL, &doc));
	assert_true(doc_matches("site:blog.example.com", NULL, &doc));
	assert_false(doc_matches("site:www.example.com", NULL, &doc));
	assert_false(doc_matches("site:ample.com", NULL, &doc));
	assert_true(doc_matches("site:(a.org OR example.com)", NULL, &doc));
	assert_true(doc_matches("lang:fr", NULL, &doc));
	assert_true(doc_matches("lang:fr-fr acme", NULL, &doc));
	assert_false(doc_matches("lang:fr-ca acme", NULL, &doc));
	assert_false(doc_matches("lang:en", NULL, &doc));
	assert_true(doc_matches("acme NOT site:twitter.com", NULL, &doc));

	doc.link = "https://badexample.com/";
	assert_false(doc_matches("site:example.com", NULL, &doc));
	doc.link = "https://example.com.evil.net/";
	assert_false(doc_matches("site:example.com", NULL, &doc));
	doc.link = "http://user@Example.COM./x";
	assert_true(doc_matches("site:example.com", NULL, &doc));
	doc.link = "https://www.example.com";
	assert_true(doc_matches("site:example.com", NULL, &doc));
	doc.link = NULL;
	assert_false(doc_matches("site:example.com", NULL, &doc));
	doc.lang = NULL;
	assert_false(doc_matches("lang:fr", NULL, &doc));
}

static void
test_exclusions(void **state)
{
	(void)state;
	YES("acme NOT promo", NULL, "acme en panne");
	NO("acme NOT promo", NULL, "acme en promo");
	NO("acme AND NOT (promo OR soldes)", NULL, "acme SOLDES");
	YES("apple NOT (fruit OR tarte OR pomme)", NULL,
	    "Apple lance un iPhone");
	NO("apple NOT (fruit OR tarte OR pomme)", NULL, "une tarte aux apple");
	YES("acme NOT title:promo", "Acme", "promo");
	NO("acme NOT title:promo", "Acme promo", "rien");
}

static void
test_regex(void **state)
{
	struct match_doc doc = { NULL, NULL, NULL, NULL, NULL };
	struct buf b;
	int i;

	(void)state;
	YES("/r[eé]gex/", NULL, "UNE RÉGEX");
	YES("/\\bacme\\b/", NULL, "chez ACME.");
	NO("/\\bacme\\b/", NULL, "chez ACMEs");
	YES("/https?:\\/\\/acme\\.com/", NULL, "voir https://acme.com/x");
	YES("title:/^acme/", "Acme en panne", NULL);
	NO("title:/^acme/", "Panne", "acme");
	YES("/\\d{2}\\s?€/", NULL, "payé 30 €");
	YES("acme /panne|bug/", NULL, "acme: bug");
	NO("acme /panne|bug/", NULL, "acme: ok");

	/* In a long text, a literal is found at either end or in the
	 * middle. */
	for (i = 0; i < 3; i++) {
		buf_init(&b);
		buf_puts(&b, i == 0 ? "Acme-1 " : "");
		for (int k = 0; k < 200; k++)
			buf_puts(&b, k == 100 && i == 1 ? "ACME-2 " : "xy ");
		buf_puts(&b, i == 2 ? "acme-3" : "");
		doc.text = b.data;
		assert_true(doc_matches("/acme-\\d/", NULL, &doc));
		buf_clear(&b);
	}
	doc.text = NULL;

	/* Catastrophic backtracking: stopped by the limits, no match, by
	 * the JIT and by the interpreter. */
	buf_init(&b);
	for (i = 0; i < 100000; i++)
		buf_putc(&b, 'a');
	buf_putc(&b, '!');
	doc.text = b.data;
	for (jit = 1; jit >= 0; jit--) {
		assert_false(doc_matches("/(a+)+$/", NULL, &doc));
		assert_false(doc_matches("/^(\\w+\\s?)*$/", NULL, &doc));
		assert_true(doc_matches("/a!/", NULL, &doc));
	}
	jit = 1;
	buf_clear(&b);
}

static void
test_hashtags(void **state)
{
	(void)state;
	YES("#acme", NULL, "vive #Acme !");
	NO("#acme", NULL, "vive Acme !");
	NO("#acme", NULL, "vive @acme !");
	YES("acme", NULL, "vive #acme !");
	YES("acme", NULL, "merci @acme");
	YES("@acme_fr", NULL, "merci @Acme_FR.");
	/* A handle's parts are words of the text, not handles. */
	YES("acme", NULL, "merci @acme_fr");
	NO("@acme", NULL, "merci @acme_fr");
	NO("@acme", NULL, "contact@acme.com");
	YES("\"#acme fail\"", NULL, "#acme fail");
}

/* Hashtags and handles joining words contain them. */
static void
test_camel_case(void **state)
{
	const char *t = "Rejoignez le #BoycottDanone, il continue.";

	(void)state;
	YES("danone", NULL, t);
	YES("boycott", NULL, t);
	YES("\"boycott danone\"", NULL, t);
	YES("#BoycottDanone", NULL, t);
	YES("boycottdanone", NULL, t);
	YES("boycottd*", NULL, t);
	YES("boycott*", NULL, t);
	/* Its parts are not hashtags. */
	NO("#boycott", NULL, t);
	NO("#danone", NULL, t);
	/* The whole hashtag still is one. */
	YES("#boycott*", NULL, t);
	/* Phrases run through the parts, or over the whole word. */
	YES("\"le boycott\"", NULL, t);
	YES("\"danone il\"", NULL, t);
	YES("\"le #boycottdanone il\"", NULL, t);
	YES("\"le boycott danone il continue\"", NULL, t);
	NO("\"boycott il\"", NULL, t);
	NO("\"le danone\"", NULL, t);
	/* A prefix may be read either way: each reading is tried. */
	YES("\"boycott* danone\"", NULL, t);
	YES("\"boycott* il\"", NULL, t);
	/* NEAR counts the parts as words. */
	YES("boycott NEAR/1 il", NULL, t);
	NO("le NEAR/1 il", NULL, t);
	YES("#boycottdanone NEAR/1 continue", NULL, t);
	/* Handles, underscores, accents, digits. */
	YES("free", NULL, "merci @FreeMobile");
	YES("mobile", NULL, "merci @FreeMobile");
	NO("@free", NULL, "merci @FreeMobile");
	YES("sncf", NULL, "cc @SNCF_Direct");
	YES("\"sncf direct\"", NULL, "cc @SNCF_Direct");
	YES("@sncf_direct", NULL, "cc @SNCF_Direct");
	YES("grève", NULL, "#GrèveSNCF");
	YES("\"greve sncf\"", NULL, "#GrèveSNCF");
	YES("covid", NULL, "#Covid19");
	YES("19", NULL, "#Covid19");
	YES("iphone", NULL, "#iPhone15Pro");
	YES("\"iphone 15 pro\"", NULL, "#iPhone15Pro");
	YES("iphone15pro", NULL, "#iPhone15Pro");
	YES("paribas", NULL, "#BNPParibas");
	NO("sncf", NULL, "#SNCFgreve");
	YES("sncf*", NULL, "#SNCFgreve");
	/* Only hashtags and handles are cut. */
	NO("danone", NULL, "BoycottDanone");
	/* The examples of docs/QUERIES.md. */
	YES("danone NEAR/3 boycott*", NULL, "#BoycottDanone");
	YES("danone NEAR/3 boycott*", NULL,
	    "@Danone_France appelle au boycott");
	YES("danone NEAR/3 boycott*", NULL, "le boycott de Danone");
	YES("sncf* AND grève*", NULL, "#GrèveSNCF");
	YES("sncf* AND grève*", NULL, "#SNCFGreve");
	YES("sncf* AND grève*", NULL, "@SNCF_Direct : grève demain");
	YES("sncf* AND grève*", NULL, "grève à la SNCF");
	/* Fields keep their parts: no phrase from the title into the
	 * text. */
	NO("\"boycott danone\"", "#Boycott", "Danone");
	YES("title:danone", "#BoycottDanone", "rien");
}

static void
test_watch_lang(void **state)
{
	struct match_doc doc = { "acme", NULL, NULL, NULL, "fr-FR" };

	(void)state;
	assert_true(doc_matches("acme", "fr,en", &doc));
	assert_true(doc_matches("acme", " EN , Fr ", &doc));
	assert_false(doc_matches("acme", "en,de", &doc));
	doc.lang = "de";
	assert_false(doc_matches("acme", "fr,en", &doc));
	doc.lang = NULL;
	assert_true(doc_matches("acme", "fr,en", &doc));
	doc.lang = "";
	assert_true(doc_matches("acme", "fr", &doc));
}

static void
test_terms(void **state)
{
	struct matcher *m = matcher_new();
	struct match_doc doc = { "Acme: arnaque",
		"le service client et sa régex, "
		"une arnaque",
		NULL, "https://www.example.com/", NULL };
	struct match_result res;
	struct query_error err;

	(void)state;
	assert_int_equal(matcher_add(m, "a", "nothing", NULL, &err), 0);
	assert_int_equal(
	    matcher_add(m, "b",
	        "arnaque* OR title:acme OR \"service client\" OR absent OR "
	        "/r[eé]gex/ OR arnaque* OR site:example.com",
	        NULL, &err),
	    1);
	assert_int_equal(
	    matcher_add(m, "c", "acme NOT promo NOT arnaque*", NULL, &err), 2);
	assert_int_equal(
	    matcher_add(m, "d", "acme NEAR/3 (arnaque OR panne)", NULL, &err),
	    3);
	matcher_build(m);
	assert_int_equal(matcher_count(m), 4);
	assert_string_equal(matcher_name(m, 3), "d");
	assert_null(matcher_name(m, 4));

	match_result_init(&res);
	assert_int_equal(matcher_match(m, &doc, &res), 2);
	assert_int_equal(res.hits[0].watch, 1);
	assert_int_equal(res.hits[0].nterms, 5);
	assert_string_equal(res.hits[0].terms[0], "arnaque*");
	assert_string_equal(res.hits[0].terms[1], "title:acme");
	assert_string_equal(res.hits[0].terms[2], "\"service client\"");
	assert_string_equal(res.hits[0].terms[3], "/r[eé]gex/");
	assert_string_equal(res.hits[0].terms[4], "site:example.com");
	assert_int_equal(res.hits[1].watch, 3);
	assert_int_equal(res.hits[1].nterms, 2);
	assert_string_equal(res.hits[1].terms[0], "acme");
	assert_string_equal(res.hits[1].terms[1], "arnaque");

	/* The result is reused; the second document leaves no trace. */
	doc.title = "promo acme";
	doc.text = NULL;
	doc.link = NULL;
	assert_int_equal(matcher_match(m, &doc, &res), 1);
	assert_int_equal(res.hits[0].watch, 1);
	doc.title = "acme";
	assert_int_equal(matcher_match(m, &doc, &res), 2);
	assert_int_equal(res.hits[0].watch, 1);
	assert_int_equal(res.hits[0].nterms, 1);
	assert_string_equal(res.hits[0].terms[0], "title:acme");
	assert_int_equal(res.hits[1].watch, 2);
	assert_int_equal(res.hits[1].nterms, 1);
	assert_string_equal(res.hits[1].terms[0], "acme");
	match_result_clear(&res);
	matcher_free(m);
}

static void
test_add_errors(void **state)
{
	struct matcher *m = matcher_new();
	struct query_error err;

	(void)state;
	assert_int_equal(matcher_add(m, "bad", "acme AND", NULL, &err), -1);
	assert_int_equal(err.column, 6);
	assert_int_equal(matcher_add(m, "good", "acme", NULL, &err), 0);
	assert_int_equal(matcher_count(m), 1);
	matcher_free(m);
}

/* The literals a regex requires, or NULL for no prefilter. */
static void
assert_prefilter(const char *pattern, const char *want)
{
	struct prefilter *pf = prefilter_from_regex(pattern, strlen(pattern));
	struct buf b;

	if (want == NULL) {
		if (pf != NULL) {
			buf_init(&b);
			prefilter_format(pf, &b);
			fail_msg("/%s/: no prefilter expected, got %s", pattern,
			    b.data);
		}
		return;
	}
	if (pf == NULL)
		fail_msg("/%s/: no prefilter, expected %s", pattern, want);
	buf_init(&b);
	prefilter_format(pf, &b);
	if (strcmp(b.data, want) != 0)
		fail_msg("/%s/: %s, expected %s", pattern, b.data, want);
	buf_clear(&b);
	prefilter_free(pf);
}

static void
test_prefilter_literals(void **state)
{
	(void)state;
	/* Literals, lowered: the regex is caseless. */
	assert_prefilter("Acme", "\"acme\"");
	assert_prefilter("acme[- ]?\\d+", "\"acme\"");
	assert_prefilter("\\bACME-?\\d{3,4}\\b", "\"acme\"");
	assert_prefilter("\\bAC-?\\d{3,4}\\b", NULL); /* "ac" is too short */
	assert_prefilter("^acme$", "\"acme\"");
	/* Small exact sets multiply out; a set containing a shorter member
	 * needs only that one. */
	assert_prefilter("colou?r", "(OR \"colour\" \"color\")");
	assert_prefilter("(acme|globex) (scam|fraud)",
	    "(OR \"acme scam\" \"acme fraud\" \"globex scam\" "
	    "\"globex fraud\")");
	assert_prefilter("(?:arnaque|scam)s?", "(OR \"arnaque\" \"scam\")");
	assert_prefilter(
	    "re(fund|mboursement)", "(OR \"refund\" \"remboursement\")");
	/* What is not a literal splits the requirement. */
	assert_prefilter("acme.*globex", "(AND \"acme\" \"globex\")");
	assert_prefilter("r[eé]gex", "\"gex\"");
	assert_prefilter("d[ée]çu client", "\"u client\"");
	assert_prefilter("déçu", NULL); /* non-ASCII: PCRE2's case variants */
	assert_prefilter("ac+me", NULL); /* a, c and me: all too short */
	assert_prefilter("acme\\.fr", "\"acme.fr\"");
	assert_prefilter("(acme|\\d+) store", "\" store\"");
	/* An alternative without literal, or an optional piece, requires
	 * nothing. */
	assert_prefilter("acme|\\d+", NULL);
	assert_prefilter("(acme)?\\d+", NULL);
	assert_prefilter("(acme)*x", NULL);
	assert_prefilter("(acme){0,3}", NULL);
	assert_prefilter("(acme){2}", "\"acme\"");
	assert_prefilter("\\d{5}", NULL);
	assert_prefilter("[a-z]+\\d", NULL);
	assert_prefilter("a|b", NULL); /* too short to be worth it */
	/* Syntax not analysed gets no prefilter, never a wrong one. */
	assert_prefilter("(?i)acme", NULL);
	assert_prefilter("(?=acme)\\w+", NULL);
	assert_prefilter("(?<n>acme)", NULL);
	assert_prefilter("(*UCP)acme", NULL);
	assert_prefilter("\\x{41}cme", NULL);
	assert_prefilter("\\QAC-1\\E", NULL);
	assert_prefilter("(acme)\\1", NULL);
	assert_prefilter("acme\\p{L}", NULL);
	assert_prefilter("acme[[:alpha:]]", NULL);
	assert_prefilter("acme{", NULL);
	assert_prefilter("acme\\n", NULL);
}

/* The scanner compares literals as caseless PCRE2 does: of the
 * characters of the Basic Multilingual Plane beyond ASCII, only the Kelvin
 * sign and the long s are case variants of printable ASCII. */
static void
test_prefilter_case(void **state)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	PCRE2_UCHAR8 subject[3];
	PCRE2_SIZE erroff;
	pcre2_code *re;
	uint32_t u;
	int errcode;
	size_t n;

	(void)state;
	re = pcre2_compile((PCRE2_SPTR) "[!-~]", PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &errcode, &erroff, NULL);
	assert_non_null(re);
	for (u = 0x80; u < 0x10000; u++) {
		if (u >= 0xd800 && u < 0xe000)
			continue;
		n = u < 0x800 ? 2 : 3;
		subject[0] =
		    (PCRE2_UCHAR8)(n == 2 ? 0xc0 | u >> 6 : 0xe0 | u >> 12);
		subject[n - 1] = (PCRE2_UCHAR8)(0x80 | (u & 0x3f));
		if (n == 3)
			subject[1] = (PCRE2_UCHAR8)(0x80 | ((u >> 6) & 0x3f));
		if (pcre2_match(re, subject, n, 0, 0, md, NULL) >= 0)
			assert_true(u == 0x212a || u == 0x17f);
	}
	pcre2_code_free(re);
	pcre2_match_data_free(md);
	YES("/kiss/", "", "\xe2\x84\xaaISS");
	YES("/kiss/", "", "ki\xc5\xbfs");
	/* Either of them as the first or second character of a literal. */
	YES("/scan/", "",
	    "le \xc5\xbf"
	    "can");
	YES("/skip/", "", "S\xe2\x84\xaaIP");
	YES("/ksar/", "",
	    "\xe2\x84\xaa\xc5\xbf"
	    "AR");
	NO("/ksar/", "", "\xe2\x84\xaa\xc5\xbf");
	/* A text with either is scanned again, folded: what the first scan
	 * found stays found. */
	YES("/acme-\\d/ /kiss/", "", "acme-1 et \xe2\x84\xaaISS");
	YES("/acme-\\d/ /kiss/", "acme-1", "\xe2\x84\xaaISS");
	NO("/acme-\\d/ /kiss/", "acme", "\xe2\x84\xaaISS");
	YES("/ACME/", "", "acme");
	NO("/acme/", "", "acmé");
}

/* The scanner's longest literals (prefilter.c cuts runs at 64 to 128
 * characters), each k and s of them also a Kelvin sign or a long s. */
static void
test_regex_long_literals(void **state)
{
	struct match_doc doc = { NULL, NULL, NULL, NULL, NULL };
	struct buf re, text;
	int i;

	(void)state;
	buf_init(&re);
	buf_init(&text);
	buf_puts(&re, "/");
	for (i = 0; i < 300; i++) {
		buf_puts(&re, "k");
		buf_puts(&text, i % 2 ? "\xe2\x84\xaa" : "K");
	}
	buf_puts(&re, "/");
	doc.text = text.data;
	assert_true(doc_matches(re.data, NULL, &doc));
	text.data[text.len - 3] = '\0'; /* one k short */
	assert_false(doc_matches(re.data, NULL, &doc));
	buf_clear(&re);
	buf_clear(&text);

	/* Two exact sets of 64-character strings: their product has 128. */
	buf_puts(&re, "/(");
	for (i = 0; i < 64; i++)
		buf_puts(&re, "s");
	buf_puts(&re, "|x)(");
	for (i = 0; i < 64; i++)
		buf_puts(&re, "k");
	buf_puts(&re, "|y)/");
	for (i = 0; i < 128; i++)
		buf_puts(&text, i < 64 ? "\xc5\xbf" : "\xe2\x84\xaa");
	doc.text = text.data;
	assert_true(doc_matches(re.data, NULL, &doc));
	buf_clear(&re);
	buf_clear(&text);
}

/* One match_result serves matchers of different sizes in turn: its
 * scanner's scratch is fitted again to each one built since. */
static void
test_result_across_matchers(void **state)
{
	struct match_doc doc = { NULL, "voir Brand150-7 et acme-1", NULL, NULL,
		NULL };
	struct matcher *small = one("/acme-\\d/", NULL), *big;
	struct match_result res;
	struct query_error err;
	char name[32], query[64];
	int i;

	(void)state;
	match_result_init(&res);
	assert_int_equal(matcher_match(small, &doc, &res), 1);
	big = matcher_new();
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		snprintf(query, sizeof(query), "/brand%d-\\d+/", i);
		assert_int_equal(matcher_add(big, name, query, NULL, &err), i);
	}
	matcher_build(big);
	assert_int_equal(matcher_match(big, &doc, &res), 1);
	assert_string_equal(matcher_name(big, res.hits[0].watch), "b150");
	assert_int_equal(matcher_match(small, &doc, &res), 1);
	matcher_free(small);
	small = one("/brand15\\d-7/", NULL);
	assert_int_equal(matcher_match(small, &doc, &res), 1);
	assert_int_equal(matcher_match(big, &doc, &res), 1);
	matcher_free(small);
	matcher_free(big);
	match_result_clear(&res);
}

/* A regex reads a field only when it is well-formed UTF-8, as PCRE2
 * checks it (matching checks it once per field and document). */
static void
test_regex_utf8(void **state)
{
	struct match_doc doc = { "acme \xe9t\xe9", "acme en \xc3\xa9t\xc3\xa9",
		NULL, NULL, NULL };

	(void)state;
	assert_true(doc_matches("/acme en/", NULL, &doc));
	assert_false(doc_matches("title:/acme/", NULL, &doc));
	assert_true(doc_matches("/acme en/ /été/", NULL, &doc));
	doc.text = "acme \xed\xa0\x80 en"; /* a surrogate */
	assert_false(doc_matches("/acme/", NULL, &doc));
	doc.text = "acme \xc0\xa0 en"; /* an overlong space */
	assert_false(doc_matches("/acme/", NULL, &doc));
	doc.title = "acme";
	assert_true(doc_matches("/acme/", NULL, &doc));
}

/* Deterministic generator for the differential test. */
static uint32_t seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static const char *const vocab[] = {
	"acme",
	"Acmé",
	"acmes",
	"arnaque",
	"arnaques",
	"panne",
	"service",
	"client",
	"bug",
	"déçu",
	"école",
	"nul",
	"super",
	"promo",
	"#acme",
	"@acme_fr",
	"#BoycottAcme",
	"#AcmeArnaque",
	"@Acme_Service",
	"#iPhone15Pro",
	"boycott",
	"l'acme",
	"remboursement",
	"retard",
	"livraison",
	"iPhone15",
	"4G",
	"ÉCOLE",
	"Decu",
	"service-client",
	"globex",
	"initech",
	"le",
	"la",
	"de",
	"the",
	"of",
	"refund",
	"scam",
	"broken",
	"colour",
	"Color",
	"kiss",
	"\xe2\x84\xaaISS", /* KELVIN SIGN, caselessly k */
	"ki\xc5\xbfs", /* LONG S, caselessly s */
	"acme-42",
	"AC-1234",
	"serv1ce",
	"12345",
};

static const char *const stems[] = {
	"acm",
	"arnaq",
	"rembours",
	"servic",
	"#acm",
	"@acme_",
	"#boycott",
	"acmea",
	"déç",
	"ÉCO",
	"ac",
};

static const char *const hosts[] = {
	"https://www.example.com/a",
	"https://example.com",
	"http://news.fr/",
	"https://badexample.com/",
	NULL,
};

static const char *const langs[] = { "fr", "en", "fr-CA", "de", NULL };

/* Regexes the prefilter reads in full, in part, or not at all. */
static const char *const regex_parts[] = {
	"acme",
	"ACME",
	"Acm[eé]",
	"(acme|globex)",
	"(?:arnaque|scam)s?",
	"acme[- ]?\\d+",
	"^acme",
	"client$",
	"\\bservice\\b",
	"serv.ce",
	"se{0,2}rvice",
	"colou?r",
	"kiss",
	"KI(SS|X)",
	"d[ée]çu",
	"DÉÇU",
	"École",
	"ac+me",
	"\\d{5}",
	"[a-z]+\\d",
	"(?i)acme",
	"(?=acme)\\w+",
	"\\x{41}cme",
	"(acme|\\d+)",
	"a|b",
	"re(fund|mboursement)",
	"ac{2,}",
	"\\QAC-1\\E",
	"#acme",
	"@acme_fr",
};

static const char *const regex_glue[] = { "", " ", ".*", "\\W+", "|" };

static void
gen_regex(struct buf *q)
{
	uint32_t i, n = 1 + rnd(3);

	buf_putc(q, '/');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(q, regex_glue[rnd(ARRAY_LEN(regex_glue))]);
		buf_puts(q, regex_parts[rnd(ARRAY_LEN(regex_parts))]);
	}
	buf_putc(q, '/');
}

/* Set by the regex-heavy variant of the differential test. */
static int regex_heavy;

static void
gen_leaf(struct buf *q)
{
	const char *w = vocab[rnd(ARRAY_LEN(vocab))];

	if (regex_heavy && rnd(3) != 0) {
		if (rnd(4) == 0)
			buf_puts(q, rnd(2) ? "title:" : "author:");
		gen_regex(q);
		return;
	}
	switch (rnd(12)) {
	case 0:
		buf_printf(q, "\"%s %s\"", w, vocab[rnd(ARRAY_LEN(vocab))]);
		break;
	case 1:
		buf_printf(q, "%s*", stems[rnd(ARRAY_LEN(stems))]);
		break;
	case 2:
		buf_printf(q, "title:%s", w);
		break;
	case 3:
		buf_printf(q, "(%s NEAR/%u (%s OR %s))", w, 1 + rnd(5),
		    vocab[rnd(ARRAY_LEN(vocab))], vocab[rnd(ARRAY_LEN(vocab))]);
		break;
	case 4:
		buf_puts(q, rnd(2) ? "site:example.com" : "lang:fr");
		break;
	case 5:
		/* acme is in texts too, and some authors'. */
		if (rnd(4) == 0)
			buf_puts(q, "/ac+m[eé]s?\\b/");
		else
			buf_puts(q, rnd(2) ? "author:dupont" : "author:acme");
		break;
	default:
		buf_puts(q, w);
	}
}

static void
gen_query(struct buf *q, int depth)
{
	uint32_t kind = depth > 2 ? 0 : rnd(5);

	switch (kind) {
	case 1:
	case 2:
		buf_putc(q, '(');
		gen_query(q, depth + 1);
		buf_puts(q, kind == 1 ? " OR " : " AND ");
		gen_query(q, depth + 1);
		buf_putc(q, ')');
		break;
	case 3:
		gen_query(q, depth + 1);
		buf_puts(q, " NOT ");
		gen_leaf(q);
		break;
	default:
		gen_leaf(q);
	}
}

static void
gen_words(struct buf *b, int n)
{
	static const char *const sep[] = { " ", " ", " ", ", ", ". ", " (",
		") ", "’", "-" };
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, sep[rnd(ARRAY_LEN(sep))]);
		if (rnd(3) == 0)
			buf_puts(b, vocab[rnd(ARRAY_LEN(vocab))]);
		else
			buf_printf(b, "mot%u", rnd(50));
	}
}

#define NWATCHES 1000
#define NDOCS 300
#define NSINGLE 150

/* The index against the scan, and the first watches each alone. */
static void
differential(size_t nwatches)
{
	struct matcher *m = matcher_new(), *single[NSINGLE];
	struct match_result res, naive, alone;
	struct query_error err;
	struct match_doc doc;
	struct buf q, title, text;
	size_t i, j, k, nhits = 0;
	int id;

	/* PCRE2's JIT reads whole vectors past the end of a subject (within
	 * its allocation); valgrind reports the unwritten spare capacity of
	 * the generated buffers. The interpreter gives the same answers. */
	jit = 0;
	matcher_set_jit(m, jit);
	for (i = 0; i < nwatches; i++) {
		buf_init(&q);
		gen_query(&q, 0);
		id = matcher_add(m, "w", q.data, rnd(4) ? NULL : "fr,en", &err);
		if (id < 0) {
			/* Only queries the generator cannot keep positive. */
			assert_string_equal(err.message,
			    "a query needs at least one positive term");
			i--;
		} else if ((size_t)id < NSINGLE)
			single[id] = one(q.data, NULL);
		buf_clear(&q);
	}
	matcher_build(m);
	match_result_init(&res);
	match_result_init(&naive);
	match_result_init(&alone);
	for (i = 0; i < NDOCS; i++) {
		buf_init(&title);
		buf_init(&text);
		gen_words(&title, 3 + (int)rnd(6));
		gen_words(&text, 20 + (int)rnd(80));
		doc.title = title.data;
		doc.text = text.data;
		doc.author = rnd(3) ? "Jean Dupont" : rnd(2) ? NULL : "ACME-42";
		doc.link = hosts[rnd(ARRAY_LEN(hosts))];
		doc.lang = langs[rnd(ARRAY_LEN(langs))];
		matcher_match(m, &doc, &res);
		matcher_match_naive(m, &doc, &naive);
		assert_int_equal(res.nhits, naive.nhits);
		for (j = 0; j < res.nhits; j++) {
			assert_int_equal(
			    res.hits[j].watch, naive.hits[j].watch);
			assert_int_equal(
			    res.hits[j].nterms, naive.hits[j].nterms);
			for (k = 0; k < res.hits[j].nterms; k++)
				assert_ptr_equal(res.hits[j].terms[k],
				    naive.hits[j].terms[k]);
		}
		nhits += res.nhits;
		/* Single watches: no lang list, so compare on that basis. */
		doc.lang = NULL;
		matcher_match(m, &doc, &res);
		for (j = 0, k = 0; j < NSINGLE; j++) {
			matcher_match(single[j], &doc, &alone);
			while (k < res.nhits && res.hits[k].watch < j)
				k++;
			assert_int_equal(alone.nhits,
			    k < res.nhits && res.hits[k].watch == j);
		}
		buf_clear(&title);
		buf_clear(&text);
	}
	/* The generated data must exercise both outcomes. */
	assert_true(nhits > NDOCS);
	assert_true(nhits < NDOCS * nwatches / 2);
	for (j = 0; j < NSINGLE; j++)
		matcher_free(single[j]);
	jit = 1;
	match_result_clear(&res);
	match_result_clear(&naive);
	match_result_clear(&alone);
	matcher_free(m);
}

static void
test_index_against_scan(void **state)
{
	(void)state;
	differential(NWATCHES);
}

/* Two leaves in three are regexes: alternations, classes, anchors,
 * optional groups, case, accents, regexes without literals or that the
 * prefilter does not read. */
static void
test_regex_index_against_scan(void **state)
{
	(void)state;
	regex_heavy = 1;
	/* Fewer: without JIT, regexes make the scan slow. */
	differential(NWATCHES / 4);
	regex_heavy = 0;
}

/* The French forms of the operators and quotes match as the English. */
static void
test_french_forms(void **state)
{
	(void)state;
	YES("free OU orange", "", "Panne chez Orange ce matin");
	NO("free ET orange", "", "Panne chez Orange ce matin");
	YES("free SAUF promo", "", "Free augmente ses prix");
	NO("free SAUF promo", "", "Promo Free sur la fibre");
	YES("\xc2\xab service client \xc2\xbb", "",
	    "Le service client de Free ne r\xc3\xa9pond pas");
	NO("\xc2\xab service client \xc2\xbb", "", "le client du service");
	YES("\xe2\x80\x9cSAV nul\xe2\x80\x9d", "", "Franchement, SAV nul.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_word_boundaries),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_hashtags),
		cmocka_unit_test(test_camel_case),
		cmocka_unit_test(test_french_forms),
		cmocka_unit_test(test_watch_lang),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_prefilter_literals),
		cmocka_unit_test(test_prefilter_case),
		cmocka_unit_test(test_regex_long_literals),
		cmocka_unit_test(test_result_across_matchers),
		cmocka_unit_test(test_regex_utf8),
		cmocka_unit_test(test_index_against_scan),
		cmocka_unit_test(test_regex_index_against_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
