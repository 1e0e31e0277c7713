/*
 * test_sentiment.c - every scoring rule of both languages, pinned by
 * sentences whose sign or ordering is unambiguous; exact compound scores
 * checked against the reference (tests/vader_oracle.py); the abusive flag,
 * language detection, override files and lexicon errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <utf8proc.h>

#include "core/judge/lang_detect.h"
#include "core/judge/sentiment.h"
#include "core/judge/sentiment_impl.h"

#define LEXICONS VIGIE_SOURCE_RULES_DIR "/lexicons"

static struct sentiment_model *model;

static int
setup(void **state)
{
	struct diag d = { 0 };

	(void)state;
	model = sentiment_model_load(LEXICONS, NULL, 0, &d);
	diag_clear(&d);
	return model ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sentiment_model_free(model);
	return 0;
}

static struct sentiment_score
score(const char *text, const char *lang)
{
	struct sentiment_score s;

	sentiment_score(model, text, strlen(text), lang, 0.05, &s);
	return s;
}

static double
en(const char *text)
{
	return score(text, "en").compound;
}

static double
fr(const char *text)
{
	return score(text, "fr").compound;
}

/* Compound scores compared to 4 decimals, as VADER rounds them. */
#define assert_compound(text, want) \
	assert_int_equal( \
	    (long)(en(text) * 10000 + (en(text) < 0 ? -0.5 : 0.5)), \
	    (long)((want)*10000 + ((want) < 0 ? -0.5 : 0.5)))

static void
test_vader_exact(void **state)
{
	(void)state;
	/* Values vaderSentiment gives; tests/vader_oracle.py checks them
	 * against NLTK as well. */
	assert_compound("The food was good.", 0.4404);
	assert_compound("The food was not very good.", -0.3865);
	assert_compound(
	    "The service was great but the food was awful.", -0.3506);
	assert_compound("I HATE waiting in line.", -0.6633);
	assert_compound("The battery life is amazing!!!", 0.6884);
	assert_compound(
	    "It wasn't great, but it wasn't terrible either.", 0.2924);
	assert_compound("The movie was kind of boring.", -0.3804);
	assert_compound("I absolutely love it!", 0.6989);
	/* Reference rules NLTK lacks: "no" before a word negates it, "bus
	 * stop" is neutral, "without doubt" does not negate. */
	assert_true(en("No problems at all with the installation.") > 0);
	assert_compound("I waited at the bus stop for an hour.", 0);
	assert_true(en("It is without doubt the best pizza in town.") > 0);
}

static void
test_en_rules(void **state)
{
	(void)state;
	double good = en("The food was good");

	assert_true(good > 0);
	assert_true(en("The food was not good") < 0);
	assert_true(en("The food wasn't good") < 0);
	assert_true(en("The food was very good") > good);
	assert_true(en("The food was slightly good") < good);
	assert_true(en("The food was slightly good") > 0);
	/* ALL CAPS only counts when the text mixes case. */
	assert_true(en("The food was GOOD") > good);
	assert_true(en("THE FOOD WAS GOOD") == good);
	assert_true(en("The food was good!") > good);
	assert_true(en("The food was good!!!!") > en("The food was good!"));
	assert_true(en("The food was good??") > good);
	assert_true(en("The food was good but the service was bad") < 0);
	assert_true(en("The food was bad but the service was good") > 0);
	assert_true(en("That pizza was the bomb") > 0);
	assert_true(en("This is the least helpful answer") < 0);
	assert_true(en("I was never so happy in my life") > en("I was happy"));
	/* Phrases from en-reputation.tsv. */
	assert_true(en("They had a data breach") < 0);
	assert_true(en("I got a refund") > 0);
	assert_true(en("What a rip-off") < 0);
}

static void
test_fr_negation(void **state)
{
	(void)state;
	assert_true(fr("Je suis content") > 0);
	assert_true(fr("Je ne suis pas content") < 0);
	assert_true(fr("Je suis pas content") < 0);
	assert_true(fr("Je ne l'aime pas") < 0);
	assert_true(fr("Je ne suis plus satisfait") < 0);
	assert_true(fr("Je n'ai jamais été satisfait") < 0);
	assert_true(fr("Livré sans problème") > 0);
	assert_true(fr("Aucun souci, livraison rapide") > 0);
	assert_true(fr("Je n'ai jamais été aussi déçu") < fr("J'ai été déçu"));
	/* A negation does not reach over a comma into the next clause. */
	assert_true(fr("Pas de chance, mais le produit est excellent") > 0);
	/* "plus" alone is "more", not a negation. */
	assert_true(fr("Il est plus content") > 0);
}

static void
test_fr_intensity(void **state)
{
	(void)state;
	double bare = fr("Le service est bon");

	assert_true(bare > 0);
	assert_true(fr("Le service est très bon") > bare);
	assert_true(fr("Le service est vraiment bon") > bare);
	assert_true(fr("Le service est extrêmement bon") > bare);
	assert_true(fr("Le service est un peu bon") < bare);
	assert_true(fr("Le service est assez bon") < bare);
	assert_true(fr("Le service est plutôt bon") < bare);
	double bad = fr("Le service est mauvais");
	assert_true(fr("Le service est très mauvais") < bad);
	assert_true(fr("Le service est un peu mauvais") > bad);
	/* "super" alone is a word, before another one an intensifier. */
	assert_true(fr("C'est super") > 0);
	assert_true(fr("C'est super bon") > fr("C'est bon"));
	assert_true(fr("Le service est BON") > bare);
	assert_true(fr("Le service est bon !") > bare);
	assert_true(fr("Le service est bon ??") > bare);
}

static void
test_fr_contrast(void **state)
{
	(void)state;
	assert_true(
	    fr("Le produit est bon mais la livraison est horrible") < 0);
	assert_true(fr("La livraison est horrible mais le produit est "
	               "excellent") > 0);
	assert_true(
	    fr("Le prix est bas, pourtant la qualité est médiocre") < 0);
	assert_true(fr("C'était cher, cependant le résultat est "
	               "magnifique") > 0);
	/* Two-word contrasts. */
	assert_true(fr("Le produit est bon, par contre la livraison est "
	               "horrible") < 0);
	assert_true(fr("La livraison est horrible, en revanche le produit "
	               "est excellent") > 0);
	assert_true(fr("Tout est excellent, sauf que le service est "
	               "horrible") < 0);
}

static void
test_fr_forms(void **state)
{
	(void)state;
	/* Elision, with the ASCII and the typographic apostrophe. */
	assert_true(fr("C'est une arnaque") < 0);
	assert_true(fr("C'est l'arnaque du siècle") < 0);
	assert_true(fr("J'adore") > 0);
	assert_true(fr("C\xe2\x80\x99"
	               "est nul") < 0);
	assert_true(fr("c'est nul") ==
	    fr("C\xe2\x80\x99"
	       "est nul"));
	/* Accents and case do not matter to the lexicon. */
	assert_true(fr("DECU") < 0);
	/* Inflection through the stemmer: forms absent from the lexicon
	 * score like the lexicon form. */
	double decu = fr("Je suis déçu");
	assert_true(decu < 0);
	assert_true(fr("Je suis déçue") == decu);
	assert_true(fr("Nous sommes déçus") < 0);
	assert_true(fr("Elles sont déçues") < 0);
	assert_true(fr("Un service lamentablement lent") < 0);
	assert_true(fr("Des clients arnaqués") < 0);
}

/* Texts that take every path a scratch serves: French stemming (forms
 * absent from the lexicon), both languages scored for a short text, markers
 * and emotions. */
static const char *const shared_texts[] = {
	"Nous sommes déçus",
	"Des clients arnaqués, un service lamentablement lent",
	"Elles sont déçues mais la livraison était rapide",
	"The food was GREAT!! but the staff were not friendly at all",
	"Nul",
	"Il paraît que la marque a menti, quelle honte, je suis furieux",
};
#define SHARED_N (sizeof shared_texts / sizeof *shared_texts)
#define SHARED_ROUNDS 100

struct shared_run {
	struct sentiment_score want[SHARED_N];
	int differ; /* scores unlike want */
};

static int
same_score(const struct sentiment_score *a, const struct sentiment_score *b)
{
	return a->compound == b->compound && a->pos == b->pos &&
	    a->neu == b->neu && a->neg == b->neg && a->label == b->label &&
	    a->abusive == b->abusive && a->emotions == b->emotions &&
	    a->rumour == b->rumour && strcmp(a->lang, b->lang) == 0;
}

static void *
score_shared(void *arg)
{
	struct shared_run *run = arg;
	struct sentiment_scratch *x = sentiment_scratch_new();
	struct sentiment_score s;

	for (int r = 0; r < SHARED_ROUNDS; r++)
		for (size_t i = 0; i < SHARED_N; i++) {
			sentiment_score_with(model, x, shared_texts[i],
			    strlen(shared_texts[i]), NULL, 0.05, &s);
			run->differ += !same_score(&s, &run->want[i]);
		}
	sentiment_scratch_free(x);
	return NULL;
}

/* Threads sharing one model, a scratch each (as the daemon's readers do),
 * score as one thread alone: what scoring writes, the French stemmer
 * included, is the scratch's. */
static void
test_scratch_threads(void **state)
{
	struct shared_run runs[3];
	pthread_t th[3];

	(void)state;
	for (size_t i = 0; i < SHARED_N; i++)
		runs[0].want[i] = score(shared_texts[i], NULL);
	assert_true(runs[0].want[0].compound < 0); /* stemmed: déçus */
	for (int t = 0; t < 3; t++) {
		memcpy(runs[t].want, runs[0].want, sizeof runs[t].want);
		runs[t].differ = 0;
		assert_int_equal(
		    pthread_create(&th[t], NULL, score_shared, &runs[t]), 0);
	}
	for (int t = 0; t < 3; t++) {
		assert_int_equal(pthread_join(th[t], NULL), 0);
		assert_int_equal(runs[t].differ, 0);
	}
}

static void
test_fr_idioms(void **state)
{
	(void)state;
	assert_true(fr("C'est pas mal") > 0);
	assert_true(fr("Ce n'est pas mal du tout") > 0);
	assert_true(fr("C'est pas terrible") < 0);
	assert_true(fr("Franchement, c'est nul") < 0);
	assert_true(fr("Je me suis fait avoir") < 0);
	assert_true(fr("On s'est fait avoir") < 0);
	assert_true(fr("C'est n'importe quoi") < 0);
	assert_true(fr("Le service est au top") > 0);
	assert_true(fr("Rien à redire") > 0);
	assert_true(fr("Grève et fuite de données chez l'opérateur") < 0);
	assert_true(fr("Bravo et merci, je recommande") > 0);
	assert_true(fr("Service client injoignable, inadmissible") < 0);
}

/* Pattern's everyday words and homographs are out of fr.tsv: news reads
 * neutral, a recall negative. */
static void
test_fr_neutral(void **state)
{
	(void)state;
	assert_true(fr("Acme ouvre un nouveau magasin vendredi") == 0);
	assert_true(fr("Le premier magasin sera fermé lundi") == 0);
	assert_true(fr("L'appli est disponible avec un mode sombre") == 0);
	assert_true(fr("Umbrella organise une conférence de presse") == 0);
	assert_true(fr("Les données des assurés") == 0);
	assert_true(fr("Il est sur le site") == 0);
	assert_true(fr("La télécommande fonctionne avec deux piles") == 0);
	assert_true(fr("Aimants géants") == 0);
	assert_true(fr("Rappel : aimants géants Acme, lot 4471") < 0);
	/* "salé" no longer overwrites "sale" (dirty) once folded. */
	assert_true(fr("La chambre était sale") < -0.2);
	/* The verb "rappeler" (call back) is not a recall; a customer
	 * never called back is a complaint of its own. */
	assert_true(fr("Le conseiller m'a rappelé") == 0);
	assert_true(fr("Le conseiller ne m'a jamais rappelé") < 0);
}

static void
test_fr_domain(void **state)
{
	(void)state;
	assert_true(fr("Demande de remboursement") == 0);
	assert_true(fr("Je n'ai pas été remboursé") < 0);
	assert_true(fr("Toujours pas de remboursement") < 0);
	assert_true(fr("Aucun remboursement depuis un mois") < 0);
	assert_true(fr("L'appli ne fonctionne pas") < 0);
	assert_true(fr("Ça marche très bien") > 0);
	assert_true(fr("Retard de livraison") < 0);
	assert_true(fr("Colis arrivé nickel") > 0);
	assert_true(fr("Service à la hauteur") > 0);
	assert_true(fr("Le service n'est pas à la hauteur") < 0);
	assert_true(fr("Des frais cachés partout") < 0);
	/* Pattern's polarity reversed for customer language. */
	assert_true(fr("Des tarifs exorbitants") < 0);
	assert_true(fr("Un vendeur grossier") < 0);
	assert_true(fr("Un service déplorable") < -0.4);
}

static void
test_labels(void **state)
{
	struct sentiment_score s;

	(void)state;
	s = score("The food was good", "en");
	assert_int_equal(s.label, LABEL_POSITIVE);
	assert_string_equal(sentiment_label_name(s.label), "positive");
	s = score("The food was bad", "en");
	assert_int_equal(s.label, LABEL_NEGATIVE);
	s = score("The table is made of wood", "en");
	assert_int_equal(s.label, LABEL_NEUTRAL);
	assert_true(s.neu == 1.0);
	/* A wider band makes a mild text neutral. */
	sentiment_score(model, "It is okay", 10, "en", 0.9, &s);
	assert_true(s.compound > 0);
	assert_int_equal(s.label, LABEL_NEUTRAL);
	s = score("", NULL);
	assert_true(s.compound == 0);
	assert_int_equal(s.label, LABEL_NEUTRAL);
	s = score("good and bad", "en");
	assert_true(s.pos > 0 && s.neg > 0);
	assert_true(
	    s.pos + s.neu + s.neg > 0.999 && s.pos + s.neu + s.neg < 1.001);
}

static void
test_lang(void **state)
{
	(void)state;
	assert_string_equal(lang_detect("Je suis très déçu", 18), "fr");
	assert_string_equal(lang_detect("C'est nul", 9), "fr");
	assert_string_equal(lang_detect("L'arnaque du siècle", 20), "fr");
	assert_string_equal(lang_detect("Ferme ta gueule", 15), "fr");
	assert_string_equal(lang_detect("This is bad", 11), "en");
	assert_string_equal(lang_detect("I don't like it", 15), "en");
	assert_string_equal(lang_detect("The service was slow", 20), "en");
	assert_null(lang_detect("Zorglub", 7));
	assert_null(lang_detect("", 0));
	assert_string_equal(score("Le service est nul", NULL).lang, "fr");
	assert_string_equal(score("The service is bad", NULL).lang, "en");
	/* Undecided: English. */
	assert_string_equal(score("Zorglub", NULL).lang, "en");
	assert_string_equal(score("Zorglub", "fr").lang, "fr");
}

static void
test_abusive(void **state)
{
	(void)state;
	assert_true(score("You are an idiot", NULL).abusive);
	assert_true(score("Shut up, MORON!", NULL).abusive);
	assert_true(score("I will kill you", NULL).abusive);
	assert_true(score("Espèce de connard", NULL).abusive);
	assert_true(score("Je vais te tuer", NULL).abusive);
	assert_true(score("Ferme ta gueule", NULL).abusive);
	assert_true(score("quel CRÉTIN", NULL).abusive);
	assert_false(score("The food was bad", NULL).abusive);
	assert_false(score("Le contrat est clair", NULL).abusive);
	/* Innocent words holding a bad one. */
	assert_false(
	    score("Scunthorpe is in a class of its own", NULL).abusive);
	assert_false(
	    score("Déconseillé, consultez les conditions", NULL).abusive);
	assert_false(score("Je vais te tutoyer", NULL).abusive);
	assert_false(score("They will kill the project", NULL).abusive);
}

/* Each language's list applies to text scored in that language: English
 * "retard" is a slur, French "retard" a delay. */
static void
test_abusive_lang(void **state)
{
	(void)state;
	assert_false(score("Livraison en retard", "fr").abusive);
	assert_false(score("Le train a du retard", NULL).abusive);
	assert_true(score("Don't be a retard", "en").abusive);
	assert_false(score("Espèce de connard", "en").abusive);
	/* Listed in both. */
	assert_true(score("Quel idiot", "fr").abusive);
	assert_true(score("What an idiot", "en").abusive);
	assert_true(score("Fuck you Acme", "fr").abusive);
	/* No function word shows the language: the word itself does,
	 * French only knows it. */
	assert_true(score("Connard !", NULL).abusive);
	assert_string_equal(score("Connard !", NULL).lang, "fr");
}

static void
test_abusive_classes(void **state)
{
	(void)state;
	/* Insults. */
	assert_true(score("You are a bunch of clowns", "en").abusive);
	assert_true(score("The manager is a jerk", "en").abusive);
	assert_true(score("Acme devs are losers", "en").abusive);
	assert_true(score("Ces escrocs m'ont volé", "fr").abusive);
	assert_true(score("Bande de débiles", "fr").abusive);
	assert_true(score("Vous êtes des guignols", "fr").abusive);
	/* Slurs. */
	assert_true(score("Shut up you spastic", "en").abusive);
	assert_true(score("Sale bougnoule", "fr").abusive);
	/* Threats. */
	assert_true(score("I know where you live", "en").abusive);
	assert_true(score("Je vais te casser la gueule", "fr").abusive);
	assert_true(score("Tu vas le payer", "fr").abusive);
	/* Near misses. */
	assert_false(score("A knee-jerk reaction", "en").abusive);
	assert_false(score("The clown at the party", "en").abusive);
	assert_false(score("Un voleur a été arrêté", "fr").abusive);
	assert_false(score("Je vais te rappeler", "fr").abusive);
}

/* The shipped model with one override file, which must load cleanly. */
static struct sentiment_model *
load_with(const char *file)
{
	const char *files[] = { file };
	struct diag d = { 0 };
	struct sentiment_model *m =
	    sentiment_model_load(LEXICONS, files, 1, &d);

	assert_non_null(m);
	assert_int_equal(d.len, 0);
	return m;
}

static void
test_overrides(void **state)
{
	struct sentiment_model *m =
	    load_with(FIXTURES "/sentiment/override.tsv");
	struct sentiment_score s;

	(void)state;
	sentiment_score(m, "zorglub", 7, "en", 0.05, &s);
	assert_true(s.compound > 0.5);
	sentiment_score(m, "zorglub", 7, "fr", 0.05, &s);
	assert_true(s.compound > 0.5);
	/* "scam" is overridden for English only. */
	sentiment_score(m, "what a scam", 11, "en", 0.05, &s);
	assert_true(s.compound > 0);
	sentiment_score(m, "une boulette", 12, "fr", 0.05, &s);
	assert_true(s.compound < 0);
	sentiment_score(m, "une boulette", 12, "en", 0.05, &s);
	assert_true(s.compound == 0);
	sentiment_score(m, "sale zorgluber", 14, NULL, 0.05, &s);
	assert_true(s.abusive);
	sentiment_score(m, "rumeurzorg sur Acme", 19, "fr", 0.05, &s);
	assert_true(s.rumour);
	sentiment_score(m, "zorgrage", 8, "en", 0.05, &s);
	assert_int_equal(
	    s.emotions, (1u << EMOTION_ANGER) | (1u << EMOTION_DISGUST));
	sentiment_model_free(m);
	assert_true(en("what a scam") < 0);
}

/* The idioms are looked up only from a token that may begin one: a word
 * that begins one, or a token made of several words ("to die", merged),
 * whose first word is not the one looked up. */
static void
test_idiom_from_merged_token(void **state)
{
	struct sentiment_model *m =
	    load_with(FIXTURES "/sentiment/idiom-token.tsv");
	/* VADER looks for idioms from the fourth token on. */
	const char *text = "This chocolate cake is to die for";
	struct sentiment_score s;

	(void)state;
	sentiment_score(m, text, strlen(text), "en", 0.05, &s);
	assert_true(s.compound > 0.5);
	sentiment_model_free(m);
	/* Without the entry, "die" is scored and the idiom is not seen from
	 * it, as in VADER. */
	assert_true(en(text) < 0);
}

static void
test_malformed(void **state)
{
	const char *files[] = { FIXTURES "/sentiment/bad.tsv",
		FIXTURES "/sentiment/missing.tsv" };
	struct diag d = { 0 };

	(void)state;
	assert_null(sentiment_model_load(LEXICONS, files, 2, &d));
	assert_int_equal(d.len, 5);
	assert_non_null(strstr(d.msgs[0], "/sentiment/bad.tsv:3: expected"));
	assert_non_null(strstr(d.msgs[1], "bad.tsv:4: valence \"terrible\""));
	assert_non_null(strstr(d.msgs[2], "bad.tsv:5: valence 9 outside"));
	assert_non_null(strstr(d.msgs[3], "bad.tsv:6: unknown language"));
	assert_non_null(strstr(d.msgs[4], "missing.tsv: No such file"));
	diag_clear(&d);
	assert_null(sentiment_model_load(FIXTURES "/nowhere", NULL, 0, &d));
	assert_true(d.len >= 6);
	diag_clear(&d);
}

/* The folding the lexicons rely on is utf8proc's, character for
 * character. */
static void
test_fold(void **state)
{
	const char *in = "\xc3\x89t\xc3\xa9 D\xc3\xa9\xc3\xa7u \xc5\x92uvre";
	utf8proc_uint8_t *want = NULL;

	(void)state;
	utf8proc_map((const utf8proc_uint8_t *)in, 0, &want,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
	        UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
	assert_string_equal((char *)want, "ete decu \xc5\x93uvre");
	free(want);
	assert_true(fr("\xc3\x89t\xc3\xa9 D\xc3\xa9\xc3\xa7u") < 0);
	/* Invalid UTF-8 is dropped, never read past. */
	assert_true(fr("d\xc3\xa9\xc3"
	               "\xff\xfe"
	               "\xe2\x80") <= 0);
	assert_true(en("\xf0\x9f\x98") == 0);
	/* Every character of the first planes folds as utf8proc_map
	 * folds it, the Latin-1 table's included; typographic apostrophes
	 * are made ASCII on purpose. */
	for (utf8proc_int32_t cp = 0x80; cp < 0x3000; cp++) {
		utf8proc_uint8_t ch[5] = { 0 };
		utf8proc_uint8_t *ref = NULL;
		struct buf got;

		if (cp == 0x2018 || cp == 0x2019 || cp == 0x02bc ||
		    !utf8proc_codepoint_valid(cp))
			continue;
		utf8proc_encode_char(cp, ch);
		if (utf8proc_map(ch, 0, &ref,
		        UTF8PROC_NULLTERM | UTF8PROC_STABLE |
		            UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
		            UTF8PROC_STRIPMARK) < 0)
			continue;
		buf_init(&got);
		sent_fold(&got, (const char *)ch, strlen((const char *)ch));
		if (strcmp(got.data ? got.data : "", (const char *)ref) != 0)
			fail_msg("U+%04X folds to \"%s\", utf8proc: \"%s\"",
			    (unsigned)cp, got.data ? got.data : "",
			    (const char *)ref);
		buf_clear(&got);
		free(ref);
	}
}

/* The examples of French online writing the scorer got wrong: each with
 * its sign, in French and with the language left to detection. */
static void
test_fr_online(void **state)
{
	static const struct {
		const char *text;
		int sign;
	} cases[] = {
		{ "J'aime pas du tout ce produit", -1 },
		{ "Je recommande pas", -1 },
		{ "Je ne recommande pas", -1 },
		{ "Trop bien ce nouveau forfait !", 1 },
		{ "Pas ouf", -1 },
		{ "Je kiffe grave la nouvelle appli", 1 },
		{ "C'est une dinguerie", 1 },
		{ "Ils se foutent de notre gueule", -1 },
		{ "Cette entreprise pollue et ment aux consommateurs", -1 },
		{ "\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1", -1 },
		{ "\xf0\x9f\x91\x8d", 1 },
		{ "G\xc3\xa9nial, encore 3 heures d'attente au service "
		  "client... merci Orange \xf0\x9f\x99\x84",
		    -1 },
		{ "Merci pour rien", -1 },
		{ "Bravo la SNCF, encore un train annul\xc3\xa9, vraiment au "
		  "top \xf0\x9f\x91\x8f",
		    -1 },
		{ "Esp\xc3\xa8"
		  "ce de connard",
		    -1 },
		{ "Va te faire foutre", -1 },
		{ "Free arnaque", -1 },
		{ "FREE = ARNAQUE !!!", -1 },
		{ "SAV nul", -1 },
		{ "c nuuul", -1 },
		{ "trooop bien", 1 },
		{ "Service client au top :)", 1 },
		{ "Toujours pas de r\xc3\xa9seau :(", -1 },
		{ "Encore une panne #fail", -1 },
		{ "Ils remplacent les conseillers par un robot #BoycottAcme",
		    -1 },
		{ "Bravo \xc3\xa0 toute l'\xc3\xa9quipe \xf0\x9f\x91\x8f", 1 },
		{ "G\xc3\xa9nial, livraison en avance !", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int auto_lang = 0; auto_lang < 2; auto_lang++) {
			struct sentiment_score s =
			    score(cases[i].text, auto_lang ? NULL : "fr");
			if ((cases[i].sign > 0 && s.label != LABEL_POSITIVE) ||
			    (cases[i].sign < 0 && s.label != LABEL_NEGATIVE))
				fail_msg("%s (%s): %.4f", cases[i].text,
				    auto_lang ? "auto" : "fr", s.compound);
			/* Pictographs alone show no language. */
			if (auto_lang && (unsigned char)cases[i].text[0] < 0xf0)
				assert_string_equal(s.lang, "fr");
		}
	}
}

/* Insults are negative, whatever else the lexicon sees. */
static void
test_insult_tone(void **state)
{
	struct sentiment_score s;

	(void)state;
	s = score("Esp\xc3\xa8"
	          "ce de connard",
	    "fr");
	assert_true(s.abusive);
	assert_int_equal(s.label, LABEL_NEGATIVE);
	s = score("You are a bunch of clowns", "en");
	assert_true(s.abusive);
	assert_int_equal(s.label, LABEL_NEGATIVE);
	/* An insult does not turn a long, plainly positive text. */
	assert_true(fr("Livraison rapide, produit parfait, vendeur "
	               "tr\xc3\xa8s aimable, je recommande vivement, "
	               "mes coll\xc3\xa8gues sont des bouffons de ne pas "
	               "l'avoir pris") > -0.05);
}

static unsigned
emotions(const char *text, const char *lang)
{
	return score(text, lang).emotions;
}

static void
test_emotions(void **state)
{
	(void)state;
	assert_true(emotions("Je suis furieux, quel scandale", "fr") &
	    (1u << EMOTION_ANGER));
	assert_true(emotions("J'ai peur pour mes donn\xc3\xa9"
	                     "es personnelles",
	                "fr") &
	    (1u << EMOTION_FEAR));
	assert_true(emotions("I'm so happy with my new phone", "en") &
	    (1u << EMOTION_JOY));
	assert_int_equal(
	    emotions("Acme ouvre un magasin \xc3\xa0 Lyon", "fr"), 0);
	/* An insult alone is anger. */
	assert_int_equal(
	    emotions("Bande de bouffons", "fr"), 1u << EMOTION_ANGER);
	assert_string_equal(emotion_name(EMOTION_DISGUST), "disgust");
	assert_string_equal(
	    emotion_label(EMOTION_ANGER, "fr"), "col\xc3\xa8re");
	assert_string_equal(emotion_label(EMOTION_ANGER, "en"), "anger");
	assert_int_equal(emotion_parse("fear"), EMOTION_FEAR);
	assert_int_equal(emotion_parse("fury"), -1);
}

static void
test_rumour(void **state)
{
	(void)state;
	assert_true(
	    score("Il para\xc3\xaet que Acme va fermer ses usines", "fr")
	        .rumour);
	assert_true(score("Il parait qu'Acme licencie, partagez avant "
	                  "suppression",
	    "fr")
	                .rumour);
	assert_true(score("Rumor has it Acme is shutting down", "en").rumour);
	assert_false(score("Acme ferme une usine \xc3\xa0 Lille", "fr").rumour);
	assert_false(score("Acme is shutting down a plant", "en").rumour);
}

/* Short texts: the language is told, or both are tried. */
static void
test_lang_short(void **state)
{
	(void)state;
	assert_string_equal(score("Free arnaque", NULL).lang, "fr");
	assert_string_equal(score("SAV nul", NULL).lang, "fr");
	assert_string_equal(score("worst service ever", NULL).lang, "en");
	assert_string_equal(score("love my new phone", NULL).lang, "en");
	assert_string_equal(
	    score("remboursement refus\xc3\xa9", NULL).lang, "fr");
}

static int
has_rule(const struct sentiment_explain *ex, const char *word, unsigned rule)
{
	for (size_t i = 0; i < ex->n; i++)
		if (strcmp(ex->v[i].word, word) == 0 && (ex->v[i].rules & rule))
			return 1;
	return 0;
}

static void
test_explain(void **state)
{
	struct sentiment_score s, plain;
	struct sentiment_explain ex;
	const char *t = "Ce n'est pas bon, mais le SAV est vraiment "
	                "g\xc3\xa9nial !";
	double sum = 0;

	(void)state;
	sentiment_explain(model, t, strlen(t), "fr", 0.05, &s, &ex);
	plain = score(t, "fr");
	assert_true(s.compound == plain.compound);
	assert_true(has_rule(&ex, "bon", RULE_NEGATED));
	assert_true(has_rule(&ex, "bon", RULE_BEFORE_CONTRAST));
	assert_true(has_rule(&ex, "g\xc3\xa9nial", RULE_BOOSTED));
	assert_true(has_rule(&ex, "g\xc3\xa9nial", RULE_AFTER_CONTRAST));
	/* The contributions and the punctuation make the sum. */
	for (size_t i = 0; i < ex.n; i++)
		sum += ex.v[i].score;
	assert_true(fabs(sum + ex.punctuation - ex.sum) < 1e-9);
	assert_true(ex.punctuation > 0);
	sentiment_explain_clear(&ex);
	t = "Merci pour rien \xf0\x9f\x99\x84 bravo";
	sentiment_explain(model, t, strlen(t), "fr", 0.05, &s, &ex);
	assert_true(has_rule(&ex, "bravo", RULE_IRONY));
	sentiment_explain_clear(&ex);
	t = "Esp\xc3\xa8"
	    "ce de connard";
	sentiment_explain(model, t, strlen(t), "fr", 0.05, &s, &ex);
	assert_int_equal(ex.n, 1);
	assert_true(ex.v[0].rules & RULE_ABUSIVE);
	sentiment_explain_clear(&ex);
	assert_string_equal(sentiment_rule_name(RULE_NEGATED), "negated");
	assert_string_equal(sentiment_rule_name(3), "");
}

static void
test_emotion_file(void **state)
{
	const char *files[] = { FIXTURES "/sentiment/bad-emotion.tsv" };
	struct diag d = { 0 };

	(void)state;
	assert_null(sentiment_model_load(LEXICONS, files, 1, &d));
	assert_int_equal(d.len, 1);
	assert_non_null(
	    strstr(d.msgs[0], "bad-emotion.tsv:1: unknown emotion \"fury\""));
	diag_clear(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vader_exact),
		cmocka_unit_test(test_en_rules),
		cmocka_unit_test(test_fr_negation),
		cmocka_unit_test(test_fr_intensity),
		cmocka_unit_test(test_fr_contrast),
		cmocka_unit_test(test_fr_forms),
		cmocka_unit_test(test_fr_idioms),
		cmocka_unit_test(test_fr_neutral),
		cmocka_unit_test(test_fr_domain),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_abusive),
		cmocka_unit_test(test_abusive_lang),
		cmocka_unit_test(test_abusive_classes),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fr_online),
		cmocka_unit_test(test_insult_tone),
		cmocka_unit_test(test_emotions),
		cmocka_unit_test(test_rumour),
		cmocka_unit_test(test_lang_short),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_emotion_file),
		cmocka_unit_test(test_scratch_threads),
		cmocka_unit_test(test_idiom_from_merged_token),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
