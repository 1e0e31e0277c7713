/*
 * test_analyze.c - the analysis stage, an analyzer built from a small
 * configuration: which watches an item mentions (and only those a
 * backfill asks for), the tone's sign on clearly positive and negative
 * text, the source's language standing in for the item's, the story
 * identity (normalised link, SimHash) the store writes, and
 * item_analysis_clear leaving nothing behind (run under valgrind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/read/date.h"

static const char conf_text[] =
    "[sentiment]\n"
    "lexicons = " VIGIE_SOURCE_RULES_DIR "/lexicons\n"
    "\n"
    "[source \"wire\"]\n"
    "url = https://example.com/feed.xml\n"
    "\n"
    "[watch \"Acme\"]\n"
    "query = acme\n"
    "\n"
    "[watch \"Acme FR\"]\n"
    "query = acme\n"
    "lang = fr\n"
    "\n"
    "[watch \"Globex\"]\n"
    "query = globex AND NOT recall\n";

/* Watch indexes, in the configuration's order. */
enum { ACME, ACME_FR, GLOBEX, NWATCHES };

struct fixture {
	struct conf *conf;
	struct analyzer *an;
	struct analyze_scratch scratch;
};

static int
setup(void **state)
{
	static struct fixture f;
	char path[] = "/tmp/vigie-test-analyze-XXXXXX";
	struct diag d = { 0 };
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, conf_text, sizeof conf_text - 1) !=
	    (ssize_t)(sizeof conf_text - 1)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	f.conf = conf_load(path, &d);
	unlink(path);
	if (f.conf != NULL)
		f.an = analyzer_new(f.conf, &d);
	diag_print(&d);
	if (f.an == NULL)
		return -1;
	memset(&f.scratch, 0, sizeof f.scratch);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	analyze_scratch_clear(&f->scratch);
	analyzer_free(f->an);
	conf_free(f->conf);
	return 0;
}

static struct item
item(const char *title, const char *text, const char *link)
{
	struct item it = { 0 };

	/* analyze_item reads them only. */
	it.title = (char *)title;
	it.content = (char *)text;
	it.link = (char *)link;
	it.published = it.updated = DATE_NONE;
	return it;
}

/* As the daemon does: an item on ingest (only NULL) gets its story
 * identity, a backfilled one (only set) does not. */
static void
analyze(struct fixture *f, const struct item *it, const char *lang,
    const unsigned char *only, struct item_analysis *out)
{
	analyze_item(f->an, it, lang, only, &f->scratch, out);
	if (only == NULL)
		analyze_story(it, out);
}

/* Which watches ia mentions, as a bit per watch index. */
static unsigned
watches_of(const struct item_analysis *ia)
{
	unsigned bits = 0;

	for (size_t i = 0; i < ia->nmentions; i++)
		bits |= 1u << ia->mentions[i].watch;
	return bits;
}

static void
test_watch_names(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(analyzer_watch_count(f->an), NWATCHES);
	assert_string_equal(analyzer_watch_name(f->an, ACME), "Acme");
	assert_string_equal(analyzer_watch_name(f->an, ACME_FR), "Acme FR");
	assert_string_equal(analyzer_watch_name(f->an, GLOBEX), "Globex");
}

static void
test_mentions(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item a = item("Acme opens a new plant",
	    "The company said the site would employ 200 people.", NULL);
	struct item g = item("Globex results", "Globex sold more.", NULL);
	struct item gr = item("Globex recall", "Globex recalls a car.", NULL);
	struct item none = item("Weather", "Rain tomorrow.", NULL);

	analyze(f, &a, "en", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME);
	assert_int_equal(ia.mentions[0].nterms, 1);
	assert_string_equal(ia.mentions[0].terms[0], "acme");
	item_analysis_clear(&ia);

	analyze(f, &g, "en", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << GLOBEX);
	item_analysis_clear(&ia);

	/* Excluded by its NOT. */
	analyze(f, &gr, "en", NULL, &ia);
	assert_int_equal(ia.nmentions, 0);
	item_analysis_clear(&ia);

	/* No mention, still scored: the tone of a source is worth knowing
	 * before it names a watch. */
	analyze(f, &none, "en", NULL, &ia);
	assert_int_equal(ia.nmentions, 0);
	assert_null(ia.mentions);
	assert_true(ia.scored);
	item_analysis_clear(&ia);
}

/* A backfill matches only the watches it was asked for, and scores only
 * what it matched. */
static void
test_only(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item both = item("Acme and Globex merge", "Acme buys Globex.",
	    "https://example.com/merger");
	unsigned char only[NWATCHES] = { 0 };

	only[GLOBEX] = 1;
	analyze(f, &both, "en", only, &ia);
	assert_int_equal(watches_of(&ia), 1u << GLOBEX);
	assert_true(ia.scored);
	item_analysis_clear(&ia);

	only[GLOBEX] = 0;
	only[ACME_FR] = 1;
	analyze(f, &both, "en", only, &ia);
	assert_int_equal(ia.nmentions, 0);
	assert_false(ia.scored);
	item_analysis_clear(&ia);
}

static void
test_tone(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item good = item("Acme support is excellent",
	    "I love Acme. Wonderful, friendly people and great products.",
	    NULL);
	struct item bad = item("Acme support is terrible",
	    "I hate Acme. Awful, rude people and horrible, broken products.",
	    NULL);
	struct item bon = item("Acme : un service formidable",
	    "Je suis très content d'Acme, livraison rapide, aucun souci.",
	    NULL);
	struct item mauvais = item("Acme : un service catastrophique",
	    "Je ne suis pas content d'Acme, c'est nul et décevant.", NULL);

	analyze(f, &good, "en", NULL, &ia);
	assert_true(ia.scored);
	assert_true(ia.tone.compound > 0);
	assert_int_equal(ia.tone.label, LABEL_POSITIVE);
	assert_string_equal(ia.tone.lang, "en");
	item_analysis_clear(&ia);

	analyze(f, &bad, "en", NULL, &ia);
	assert_true(ia.scored);
	assert_true(ia.tone.compound < 0);
	assert_int_equal(ia.tone.label, LABEL_NEGATIVE);
	item_analysis_clear(&ia);

	analyze(f, &bon, "fr", NULL, &ia);
	assert_true(ia.tone.compound > 0);
	assert_int_equal(ia.tone.label, LABEL_POSITIVE);
	assert_string_equal(ia.tone.lang, "fr");
	item_analysis_clear(&ia);

	analyze(f, &mauvais, "fr", NULL, &ia);
	assert_true(ia.tone.compound < 0);
	assert_int_equal(ia.tone.label, LABEL_NEGATIVE);
	item_analysis_clear(&ia);
}

/* A mention's tone is the tone of the sentences naming its watch; the
 * document keeps its own. */
static void
test_tone_toward(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item it = item("Globex condamn\xc3\xa9 \xc3\xa0 rembourser "
	                      "20 000 abonn\xc3\xa9s : \xc2\xab C'est une "
	                      "victoire magnifique pour Acme \xc2\xbb",
	    NULL, NULL);
	struct item one =
	    item("Acme et Globex : un service formidable", NULL, NULL);

	analyze(f, &it, "fr", NULL, &ia);
	assert_int_equal(
	    watches_of(&ia), (1u << ACME) | (1u << ACME_FR) | (1u << GLOBEX));
	for (size_t i = 0; i < ia.nmentions; i++) {
		const struct sentiment_score *t = &ia.mention_tones[i];
		if (ia.mentions[i].watch == GLOBEX)
			assert_int_equal(t->label, LABEL_NEGATIVE);
		else
			assert_int_equal(t->label, LABEL_POSITIVE);
	}
	item_analysis_clear(&ia);

	/* One sentence names both: the document's tone for each. */
	analyze(f, &one, "fr", NULL, &ia);
	assert_int_equal(ia.nmentions, 3);
	for (size_t i = 0; i < ia.nmentions; i++)
		assert_true(ia.mention_tones[i].compound == ia.tone.compound);
	item_analysis_clear(&ia);
}

/* An item without a language of its own is in its source's: that decides
 * the watches restricted to a language and the language it is scored
 * in. Its own language, when it has one, wins. */
static void
test_lang_fallback(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	/* Words the scorer knows in neither language: the language comes
	 * from the item or its source, not from detection. */
	struct item it = item("Acme", "Acme Acme.", NULL);

	analyze(f, &it, "fr", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME | 1u << ACME_FR);
	assert_string_equal(ia.tone.lang, "fr");
	item_analysis_clear(&ia);

	analyze(f, &it, "fr-CA", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME | 1u << ACME_FR);
	assert_string_equal(ia.tone.lang, "fr");
	item_analysis_clear(&ia);

	analyze(f, &it, "en", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME);
	assert_string_equal(ia.tone.lang, "en");
	item_analysis_clear(&ia);

	it.lang = (char *)"en";
	analyze(f, &it, "fr", NULL, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME);
	assert_string_equal(ia.tone.lang, "en");
	item_analysis_clear(&ia);
}

static const char story_text[] =
    "The regional council voted on Tuesday to fund a new tram line "
    "between the station and the university campus, a project debated "
    "for a decade. Work is to start next spring and the first trams "
    "should run within four years, the council's president said.";

static void
test_story_url(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item it = item("Tram line approved", story_text,
	    "HTTPS://Example.COM:443/news/tram/?utm_source=rss&id=3"
	    "&fbclid=x#top");
	char *longer = malloc(2048);

	assert_non_null(longer);
	analyze(f, &it, "en", NULL, &ia);
	assert_non_null(ia.url_norm);
	assert_string_equal(ia.url_norm, "https://example.com/news/tram?id=3");
	item_analysis_clear(&ia);

	it.link = NULL;
	analyze(f, &it, "en", NULL, &ia);
	assert_null(ia.url_norm);
	assert_int_not_equal(ia.simhash, 0);
	item_analysis_clear(&ia);

	/* Too long for an index row: compared by its text only. */
	snprintf(longer, 2048, "https://example.com/%01500d", 7);
	it.link = longer;
	analyze(f, &it, "en", NULL, &ia);
	assert_null(ia.url_norm);
	item_analysis_clear(&ia);
	snprintf(longer, 2048, "https://example.com/%0900d", 7);
	analyze(f, &it, "en", NULL, &ia);
	assert_non_null(ia.url_norm);
	item_analysis_clear(&ia);
	free(longer);
}

static void
test_story_simhash(void **state)
{
	struct fixture *f = *state;
	struct item_analysis a, b, c, d, e;
	struct item one =
	    item("Tram line approved", story_text, "https://example.com/one");
	/* The same story from another source: same title and text. */
	struct item copy = item(
	    "Tram line approved", story_text, "https://other.example.org/tram");
	struct item other = item("Strike at the port",
	    "Dockers walked out on Monday over pay, leaving ships waiting "
	    "offshore and exporters counting their losses as the talks "
	    "with the port authority broke down for the third time this "
	    "month, the union said in a statement.",
	    "https://example.com/one");
	struct item tiny = item(NULL, "Short.", NULL);
	/* A summary only: it stands for the text. */
	struct item summary = item("Tram line approved", NULL, NULL);

	summary.summary = (char *)story_text;
	analyze(f, &one, "en", NULL, &a);
	analyze(f, &copy, "en", NULL, &b);
	analyze(f, &other, "en", NULL, &c);
	analyze(f, &tiny, "en", NULL, &d);
	analyze(f, &summary, "en", NULL, &e);
	assert_int_not_equal(a.simhash, 0);
	assert_true(a.simhash == b.simhash);
	assert_true(a.simhash == e.simhash);
	assert_true(a.simhash != c.simhash);
	assert_int_equal(d.simhash, 0);
	item_analysis_clear(&a);
	item_analysis_clear(&b);
	item_analysis_clear(&c);
	item_analysis_clear(&d);
	item_analysis_clear(&e);
}

/* A backfill reads stored items, whose identity is stored: none is made. */
static void
test_story_not_in_backfill(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia;
	struct item it = item("Acme tram", story_text, "https://example.com/a");
	unsigned char only[NWATCHES] = { 1, 1, 1 };

	analyze(f, &it, "en", only, &ia);
	assert_int_equal(watches_of(&ia), 1u << ACME);
	assert_null(ia.url_norm);
	assert_int_equal(ia.simhash, 0);
	item_analysis_clear(&ia);
}

static void
test_clear(void **state)
{
	struct fixture *f = *state;
	struct item_analysis ia, zero;
	struct item it = item("Acme and Globex",
	    "Acme buys Globex: a great deal.", "https://example.com/deal");

	memset(&zero, 0, sizeof zero);
	analyze(f, &it, "en", NULL, &ia);
	assert_int_equal(ia.nmentions, 2);
	assert_non_null(ia.url_norm);
	assert_true(ia.scored);
	item_analysis_clear(&ia);
	assert_null(ia.mentions);
	assert_int_equal(ia.nmentions, 0);
	assert_null(ia.url_norm);
	assert_int_equal(ia.simhash, 0);
	assert_false(ia.scored);
	assert_memory_equal(&ia, &zero, sizeof ia);
	/* Cleared twice is harmless. */
	item_analysis_clear(&ia);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_names),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_only),
		cmocka_unit_test(test_tone),
		cmocka_unit_test(test_tone_toward),
		cmocka_unit_test(test_lang_fallback),
		cmocka_unit_test(test_story_url),
		cmocka_unit_test(test_story_simhash),
		cmocka_unit_test(test_story_not_in_backfill),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
