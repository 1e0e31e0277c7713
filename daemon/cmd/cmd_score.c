/*
 * cmd_score.c - "vigie score": the tone of each text argument, or of each
 * line of standard input, as one JSON object per line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/judge/sentiment.h"

/* Only the start of a longer line is scored: a runaway line must not
 * hold the pipeline. */
#define SCORE_MAX_LEN ((size_t)1 << 20)
#define OUT_FLUSH 65536

static int
usage(void)
{
	log_plain("usage: vigie score [--lang en|fr|auto] [--band X] "
	          "[--lexicon FILE]... [--explain] [-c FILE] [TEXT...]\n");
	return 2;
}

/* The value of option name at argv[*i] ("--name V" or "--name=V"), or
 * NULL if argv[*i] is another argument. */
static const char *
optval(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* What scoring needs: the model, and with -c the watches to match. */
struct scorer {
	const struct sentiment_model *model;
	const struct analyzer *analyzer; /* NULL without -c */
	struct match_result scratch;
	const char *lang;
	double band;
	int explain;
};

/* ,"explain":{...}: each scored word's lexicon valence, what it added,
 * the rules that changed it; the punctuation amplifier and the sum. */
static void
emit_explain(struct buf *out, const struct sentiment_explain *ex)
{
	json_t *o = json_object(), *words = json_array();
	char *js;

	for (size_t i = 0; i < ex->n; i++) {
		const struct sentiment_contrib *c = &ex->v[i];
		json_t *w = json_object(), *rules = json_array();
		for (unsigned r = 1; r != 0 && r < (1u << RULE_COUNT); r <<= 1)
			if (c->rules & r)
				json_array_append_new(
				    rules, json_string(sentiment_rule_name(r)));
		json_object_set_new(w, "word", json_string(c->word));
		json_object_set_new(w, "valence",
		    json_real(round(c->valence * 1000) / 1000));
		json_object_set_new(
		    w, "score", json_real(round(c->score * 1000) / 1000));
		json_object_set_new(w, "rules", rules);
		json_array_append_new(words, w);
	}
	json_object_set_new(o, "words", words);
	json_object_set_new(o, "punctuation",
	    json_real(round(ex->punctuation * 1000) / 1000));
	json_object_set_new(o, "sum", json_real(round(ex->sum * 1000) / 1000));
	js = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	buf_printf(out, ",\"explain\":%s", js ? js : "{}");
	free(js);
	json_decref(o);
}

/* ,"emotions":[...],"rumour":B */
static void
emit_judgement(struct buf *out, const struct sentiment_score *s)
{
	buf_puts(out, ",\"emotions\":[");
	for (int e = 0, n = 0; e < EMOTION_COUNT; e++)
		if (s->emotions & (1u << e))
			buf_printf(out, "%s\"%s\"", n++ ? "," : "",
			    emotion_name((enum emotion)e));
	buf_printf(out, "],\"rumour\":%s", s->rumour ? "true" : "false");
}

/* ,"watches":[...],"terms":[...],"tones":[...] for the watches text
 * matches: the tone toward each is that of the sentences naming it. */
static void
emit_matches(struct buf *out, struct scorer *sc, char *text)
{
	struct item it = { .content = text };
	struct item_analysis ia;
	json_t *watches = json_array(), *terms = json_array();
	json_t *tones = json_array();
	char *js;

	analyze_item(sc->analyzer, &it, sc->lang, NULL, &sc->scratch, &ia);
	for (size_t i = 0; i < ia.nmentions; i++) {
		const struct match_hit *h = &ia.mentions[i];
		json_array_append_new(watches,
		    json_string(analyzer_watch_name(sc->analyzer, h->watch)));
		for (size_t t = 0; t < h->nterms; t++)
			json_array_append_new(terms, json_string(h->terms[t]));
		json_array_append_new(tones,
		    json_real(round(ia.mention_tones[i].compound * 1e4) / 1e4));
	}
	item_analysis_clear(&ia);
	js = json_dumps(watches, JSON_COMPACT);
	buf_printf(out, ",\"watches\":%s", js ? js : "[]");
	free(js);
	js = json_dumps(terms, JSON_COMPACT);
	buf_printf(out, ",\"terms\":%s", js ? js : "[]");
	free(js);
	js = json_dumps(tones, JSON_COMPACT | JSON_REAL_PRECISION(6));
	buf_printf(out, ",\"tones\":%s", js ? js : "[]");
	free(js);
	json_decref(watches);
	json_decref(terms);
	json_decref(tones);
}

/*
 * v as printf's "%.*f" writes it, for |v| <= 1, without printf: formatting
 * four numbers a line took a fifth of `vigie score`'s time. A value whose
 * scaled fraction is too near one half to round safely in double goes to
 * printf.
 */
static void
put_fixed(struct buf *b, double v, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	double x = fabs(v) * scale[decimals];
	double fl = floor(x);
	char tmp[16];
	int n = 0;

	if (!(fabs(v) <= 1) || fabs(x - fl - 0.5) < 1e-6) {
		buf_printf(b, "%.*f", decimals, v);
		return;
	}
	long k = (long)fl + (x - fl > 0.5);
	if (v < 0)
		tmp[n++] = '-';
	tmp[n++] = (char)('0' + k / (long)scale[decimals]);
	tmp[n++] = '.';
	for (int d = decimals - 1; d >= 0; d--)
		tmp[n++] = (char)('0' + k / (long)scale[d] % 10);
	buf_append(b, tmp, (size_t)n);
}

static void
emit(struct buf *out, struct scorer *sc, char *text, size_t len)
{
	struct sentiment_score s;

	if (len > SCORE_MAX_LEN)
		len = SCORE_MAX_LEN;
	struct sentiment_explain ex;

	if (sc->explain)
		sentiment_explain(
		    sc->model, text, len, sc->lang, sc->band, &s, &ex);
	else
		sentiment_score(sc->model, text, len, sc->lang, sc->band, &s);
	/* Adding 0.0 turns a negative zero into "0.0000". */
	buf_puts(out, "{\"compound\":");
	put_fixed(out, s.compound + 0.0, 4);
	buf_printf(out, ",\"label\":\"%s\",\"lang\":\"%s\",\"abusive\":%s",
	    sentiment_label_name(s.label), s.lang,
	    s.abusive ? "true" : "false");
	buf_puts(out, ",\"pos\":");
	put_fixed(out, s.pos, 3);
	buf_puts(out, ",\"neu\":");
	put_fixed(out, s.neu, 3);
	buf_puts(out, ",\"neg\":");
	put_fixed(out, s.neg, 3);
	emit_judgement(out, &s);
	if (sc->explain) {
		emit_explain(out, &ex);
		sentiment_explain_clear(&ex);
	}
	if (sc->analyzer != NULL) {
		char saved = text[len];
		text[len] = '\0';
		emit_matches(out, sc, text);
		text[len] = saved;
	}
	buf_puts(out, "}\n");
	if (out->len >= OUT_FLUSH) {
		fwrite(out->data, 1, out->len, stdout);
		out->len = 0;
	}
}

/* With -c: the configuration's watches, lexicons and band, plus any
 * --lexicon files after its own overrides. */
static struct analyzer *
load_analyzer(
    const char *path, const char **extra, size_t nextra, struct diag *diag)
{
	struct conf *conf = conf_load(path, diag);
	struct analyzer *an;
	struct buf b;

	if (conf == NULL)
		return NULL;
	buf_init(&b);
	if (conf->sentiment.overrides != NULL)
		buf_puts(&b, conf->sentiment.overrides);
	for (size_t i = 0; i < nextra; i++) {
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_puts(&b, extra[i]);
	}
	free(conf->sentiment.overrides);
	conf->sentiment.overrides = b.len > 0 ? buf_release(&b) : NULL;
	an = analyzer_new(conf, diag);
	conf_free(conf);
	return an;
}

int
cmd_score(int argc, char **argv)
{
	const char *lang = NULL, *conf_path = NULL, *v;
	const char **lexicons = NULL;
	size_t nlexicons = 0;
	double band = 0.05;
	int i, missing = 0, band_set = 0, explain = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if ((v = optval(argc, argv, &i, "--lang", &missing))) {
			if (strcmp(v, "en") && strcmp(v, "fr") &&
			    strcmp(v, "auto"))
				missing = 1;
			lang = strcmp(v, "auto") ? v : NULL;
		} else if ((v = optval(argc, argv, &i, "--band", &missing))) {
			char *end;
			errno = 0;
			band = strtod(v, &end);
			band_set = 1;
			if (errno || end == v || *end || !(band >= 0) ||
			    band >= 1)
				missing = 1;
		} else if ((v = optval(
		                argc, argv, &i, "--lexicon", &missing))) {
			lexicons = xreallocarray(
			    lexicons, nlexicons + 1, sizeof *lexicons);
			lexicons[nlexicons++] = v;
		} else if (strcmp(argv[i], "--explain") == 0) {
			explain = 1;
		} else if ((v = optval(argc, argv, &i, "-c", &missing))) {
			conf_path = v;
		} else if (missing || (argv[i][0] == '-' && argv[i][1])) {
			missing = 1;
		} else {
			break;
		}
		if (missing) {
			free(lexicons);
			return usage();
		}
	}

	struct diag diag = { 0 };
	struct scorer sc = { .lang = lang, .band = band, .explain = explain };
	struct analyzer *an = NULL;
	struct sentiment_model *m = NULL;

	if (conf_path != NULL) {
		an = load_analyzer(conf_path, lexicons, nlexicons, &diag);
		if (an != NULL) {
			sc.analyzer = an;
			sc.model = analyzer_model(an);
			if (!band_set)
				sc.band = analyzer_band(an);
		}
	} else {
		char *dir = xasprintf("%s/lexicons", rules_dir_default());
		sc.model = m =
		    sentiment_model_load(dir, lexicons, nlexicons, &diag);
		free(dir);
	}
	free(lexicons);
	if (sc.model == NULL) {
		for (size_t k = 0; k < diag.len; k++)
			log_user("%s", diag.msgs[k]);
		diag_clear(&diag);
		return 1;
	}
	match_result_init(&sc.scratch);

	struct buf out;
	buf_init(&out);
	if (i < argc) {
		for (; i < argc; i++)
			emit(&out, &sc, argv[i], strlen(argv[i]));
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			while (n > 0 &&
			    (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			emit(&out, &sc, line, (size_t)n);
		}
		free(line);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_clear(&out);
	match_result_clear(&sc.scratch);
	sentiment_model_free(m);
	analyzer_free(an);
	return fflush(stdout) == 0 ? 0 : 1;
}
