/*
 * sentiment.h - the tone of a text, in English and French, from lexicons
 * and rules: VADER for English (same lexicon, same algorithm, same compound
 * score), the same machinery with French rules (ne ... pas, intensifiers,
 * "mais", elision, inflection by Snowball stemming, idioms); and a flag for
 * abusive content (insults, slurs, threats) for moderation.
 */
#ifndef VIGIE_SENTIMENT_H
#define VIGIE_SENTIMENT_H

#include <stddef.h>

#include "core/base/util.h"

struct sentiment_model;

/*
 * Loads the shipped lexicons from dir (rules/lexicons) and then each
 * override file in order (brand-specific words: later entries win).
 * Returns NULL with every problem in diag as "FILE:LINE: message".
 */
struct sentiment_model *sentiment_model_load(const char *dir,
    const char *const *overrides, size_t noverrides, struct diag *diag);
void sentiment_model_free(struct sentiment_model *);

enum sentiment_label {
	LABEL_NEGATIVE = -1,
	LABEL_NEUTRAL = 0,
	LABEL_POSITIVE = 1,
};

/* The emotions of triage, after Ekman's six: they call for different
 * answers (anger an apology, fear reassurance). */
enum emotion {
	EMOTION_ANGER,
	EMOTION_FEAR,
	EMOTION_SADNESS,
	EMOTION_DISGUST,
	EMOTION_JOY,
	EMOTION_SURPRISE,
	EMOTION_COUNT
};

struct sentiment_score {
	double compound; /* -1 .. 1, VADER's normalised score */
	double pos, neu, neg;
	enum sentiment_label label;
	int abusive;
	/* The dominant emotions: bit 1u << EMOTION_x for each emotion that
	 * has the most evidence in the text (ties keep all); 0 for none. */
	unsigned emotions;
	int rumour; /* rumour markers ("il paraît que", "fake ?") */
	char lang[8]; /* the language scored: "en" or "fr" */
};

/*
 * Scores text. lang is "en", "fr", or NULL / "auto" to detect it from the
 * text (English when undecided). The label is neutral when |compound| is
 * below neutral_band (0.05 by default).
 */
void sentiment_score(const struct sentiment_model *, const char *text,
    size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out);

/*
 * What scoring writes as it goes: its memory, the French stemmer (Snowball's
 * is not thread-safe) and the stems it has looked up. sentiment_score uses
 * the model's own, so one thread at a time; threads sharing a model each
 * score with a scratch of their own. A scratch caches what one model's
 * lexicon says: free it before it serves another.
 */
struct sentiment_scratch;
struct sentiment_scratch *sentiment_scratch_new(void);
void sentiment_scratch_free(struct sentiment_scratch *);
void sentiment_score_with(const struct sentiment_model *,
    struct sentiment_scratch *, const char *text, size_t len, const char *lang,
    double neutral_band, struct sentiment_score *out);

/*
 * Why a text got its tone, for `vigie score --explain`: every word that
 * the lexicon scores or a rule turns, with its lexicon valence, what it
 * finally added to the sum, and the rules that changed it on the way.
 */
enum sentiment_rule {
	RULE_STEM = 1u << 0, /* valence of its Snowball stem */
	RULE_ELONGATED = 1u << 1, /* "nuuul" read as "nul" */
	RULE_CAPS = 1u << 2, /* ALL CAPS in a mixed-case text */
	RULE_BOOSTED = 1u << 3, /* an intensifier before it */
	RULE_DAMPENED = 1u << 4, /* a dampener before it */
	RULE_NEGATED = 1u << 5,
	RULE_NEVER_SO = 1u << 6, /* "never so", "jamais aussi" */
	RULE_SPECIAL = 1u << 7, /* a VADER idiom ("yeah right") */
	RULE_BEFORE_CONTRAST = 1u << 8, /* halved before "mais", "but" */
	RULE_AFTER_CONTRAST = 1u << 9, /* × 1.5 after it */
	RULE_IRONY = 1u << 10, /* praise read as sarcasm */
	RULE_QUOTED = 1u << 11, /* praise in scare quotes */
	RULE_ABUSIVE = 1u << 12, /* an insult counts as negative */
	RULE_HASHTAG = 1u << 13, /* a word of a hashtag (#BoycottAcme) */
	RULE_COUNT = 14
};

/* rule: one RULE_ bit. */
const char *sentiment_rule_name(unsigned rule);

struct sentiment_contrib {
	char *word; /* as written (folded for an insult) */
	double valence; /* the lexicon's */
	double score; /* added to the sum */
	unsigned rules;
};

struct sentiment_explain {
	struct sentiment_contrib *v;
	size_t n;
	double punctuation; /* the "!" and "?" amplifier, signed */
	double sum; /* before normalisation into compound */
};

/* sentiment_score, and why, into ex (cleared first; free with
 * sentiment_explain_clear). */
void sentiment_explain(const struct sentiment_model *, const char *text,
    size_t len, const char *lang, double neutral_band,
    struct sentiment_score *out, struct sentiment_explain *ex);
void sentiment_explain_clear(struct sentiment_explain *);

const char *sentiment_label_name(enum sentiment_label);
/* "anger", "fear", ...: the stored and machine-readable name. */
const char *emotion_name(enum emotion);
/* The name for a reader of lang ("fr": "colère", "peur", ...; English
 * otherwise). */
const char *emotion_label(enum emotion, const char *lang);
/* The emotion named name (emotion_name's), or -1. */
int emotion_parse(const char *name);

#endif
