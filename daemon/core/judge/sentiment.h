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

const char *sentiment_label_name(enum sentiment_label);
/* "anger", "fear", ...: the stored and machine-readable name. */
const char *emotion_name(enum emotion);
/* The name for a reader of lang ("fr": "colère", "peur", ...; English
 * otherwise). */
const char *emotion_label(enum emotion, const char *lang);
/* The emotion named name (emotion_name's), or -1. */
int emotion_parse(const char *name);

#endif
