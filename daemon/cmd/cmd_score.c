/*
 * cmd_score.c - "vigie score": the tone of each text argument, or of each
 * line of standard input, as one JSON object per line.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int
usage(void)
{
	log_plain("usage: vigie score [--lang en|fr|auto] [--band X] "
	          "[--lexicon FILE]... [--explain] [--jobs N] [-c FILE] "
	          "[TEXT...]\n");
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
	struct sentiment_model *owned_model; /* what to free */
	struct analyzer *owned_analyzer;
	struct analyze_scratch scratch;
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
		json_object_set_new(
		    w, "valence", json_real(round(c->valence * 1000) / 1000));
		json_object_set_new(
		    w, "score", json_real(round(c->score * 1000) / 1000));
		json_object_set_new(w, "rules", rules);
		json_array_append_new(words, w);
	}
	json_object_set_new(o, "words", words);
	json_object_set_new(
	    o, "punctuation", json_real(round(ex->punctuation * 1000) / 1000));
	json_object_set_new(o, "sum", json_real(round(ex->sum * 1000) / 1000));
	js = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	buf_printf(out, ",\"explain\":%s", js ? js : "{}");
	free(js);
	json_decref(o);
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
put_fixed(char **o, double v, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	double x = fabs(v) * scale[decimals];
	double fl = floor(x);
	char *p = *o;

	if (!(fabs(v) <= 1) || fabs(x - fl - 0.5) < 1e-6) {
		int n = snprintf(p, 16, "%.*f", decimals, v);
		*o += n < 16 ? n : 15;
		return;
	}
	long k = (long)fl + (x - fl > 0.5);
	if (v < 0)
		*p++ = '-';
	*p++ = (char)('0' + k / (long)scale[decimals]);
	*p++ = '.';
	for (int d = decimals - 1; d >= 0; d--)
		*p++ = (char)('0' + k / (long)scale[d] % 10);
	*o = p;
}

/* Appends src to the line being built at *o. */
static void
put(char **o, const char *src)
{
	size_t n = strlen(src);

	memcpy(*o, src, n);
	*o += n;
}

/* The fields every line has, built on the stack and appended at once:
 * the line's bytes are most of what `vigie score` writes. */
static void
emit_score(struct buf *out, const struct sentiment_score *s)
{
	char line[320], *o = line;

	put(&o, "{\"compound\":");
	/* Adding 0.0 turns a negative zero into "0.0000". */
	put_fixed(&o, s->compound + 0.0, 4);
	put(&o, ",\"label\":\"");
	put(&o, sentiment_label_name(s->label));
	put(&o, "\",\"lang\":\"");
	put(&o, s->lang);
	put(&o, s->abusive ? "\",\"abusive\":true" : "\",\"abusive\":false");
	put(&o, ",\"pos\":");
	put_fixed(&o, s->pos, 3);
	put(&o, ",\"neu\":");
	put_fixed(&o, s->neu, 3);
	put(&o, ",\"neg\":");
	put_fixed(&o, s->neg, 3);
	put(&o, ",\"emotions\":[");
	for (int e = 0, n = 0; e < EMOTION_COUNT; e++) {
		if (!(s->emotions & (1u << e)))
			continue;
		put(&o, n++ ? ",\"" : "\"");
		put(&o, emotion_name((enum emotion)e));
		put(&o, "\"");
	}
	put(&o, s->rumour ? "],\"rumour\":true" : "],\"rumour\":false");
	buf_append(out, line, (size_t)(o - line));
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
	emit_score(out, &s);
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

/* What each scorer is built from. */
struct score_opts {
	const char *lang, *conf_path;
	const char **lexicons;
	size_t nlexicons;
	double band;
	int band_set, explain;
};

/* Loads sc's model (and with -c its analyzer); 0, or -1 with diag. */
static int
scorer_open(struct scorer *sc, const struct score_opts *o, struct diag *diag)
{
	memset(sc, 0, sizeof *sc);
	sc->lang = o->lang;
	sc->band = o->band;
	sc->explain = o->explain;
	if (o->conf_path != NULL) {
		sc->analyzer = sc->owned_analyzer = load_analyzer(
		    o->conf_path, o->lexicons, o->nlexicons, diag);
		if (sc->analyzer == NULL)
			return -1;
		sc->model = analyzer_model(sc->analyzer);
		if (!o->band_set)
			sc->band = analyzer_band(sc->analyzer);
	} else {
		char *dir = xasprintf("%s/lexicons", rules_dir_default());
		sc->model = sc->owned_model =
		    sentiment_model_load(dir, o->lexicons, o->nlexicons, diag);
		free(dir);
		if (sc->model == NULL)
			return -1;
	}
	return 0;
}

static void
scorer_close(struct scorer *sc)
{
	analyze_scratch_clear(&sc->scratch);
	sentiment_model_free(sc->owned_model);
	analyzer_free(sc->owned_analyzer);
}

/*
 * Standard input is scored in batches of lines shared out between
 * workers, each with a model of its own (a model is not thread-safe),
 * and written in input order: a batch scorer should use the machine's
 * cores, and the daemon scores on its loop, one item at a time, anyway.
 */
#define BATCH_LINES 8192
#define JOBS_MAX 16

struct batch {
	char **lines;
	size_t *lens, *caps; /* caps: getline's allocations */
	size_t n;
};

struct worker {
	struct scorer sc;
	const struct score_opts *opts;
	const struct batch *batch;
	size_t from, to;
	struct buf out;
	struct diag diag;
	int failed;
};

static void *
worker_open(void *arg)
{
	struct worker *w = arg;

	w->failed = scorer_open(&w->sc, w->opts, &w->diag) < 0;
	return NULL;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (size_t k = w->from; k < w->to; k++)
		emit(&w->out, &w->sc, w->batch->lines[k], w->batch->lens[k]);
	return NULL;
}

/* Threads of a round of workers. */
struct round {
	pthread_t tid[JOBS_MAX];
	int started[JOBS_MAX];
	int n;
};

/* Starts fn on each of the first n workers, each in a thread of its own. */
static void
round_start(struct round *r, struct worker *w, int n, void *(*fn)(void *))
{
	r->n = n;
	for (int j = 0; j < n; j++)
		r->started[j] =
		    pthread_create(&r->tid[j], NULL, fn, &w[j]) == 0;
}

/* Waits for them; a worker whose thread did not start runs here. */
static void
round_join(struct round *r, struct worker *w, void *(*fn)(void *))
{
	for (int j = 0; j < r->n; j++) {
		if (r->started[j])
			pthread_join(r->tid[j], NULL);
		else
			fn(&w[j]);
	}
}

static void
run_all(struct worker *w, int jobs, void *(*fn)(void *))
{
	struct round r;

	round_start(&r, w, jobs, fn);
	round_join(&r, w, fn);
}

/* Reads up to BATCH_LINES lines; the number read. */
static size_t
read_batch(struct batch *b)
{
	b->n = 0;
	while (b->n < BATCH_LINES) {
		ssize_t n = getline(&b->lines[b->n], &b->caps[b->n], stdin);
		if (n < 0)
			break;
		while (n > 0 &&
		    (b->lines[b->n][n - 1] == '\n' ||
		        b->lines[b->n][n - 1] == '\r'))
			n--;
		b->lens[b->n++] = (size_t)n;
	}
	return b->n;
}

static void
batch_init(struct batch *b)
{
	b->lines = xcalloc(BATCH_LINES, sizeof *b->lines);
	b->lens = xcalloc(BATCH_LINES, sizeof *b->lens);
	b->caps = xcalloc(BATCH_LINES, sizeof *b->caps);
	b->n = 0;
}

static void
batch_clear(struct batch *b)
{
	for (size_t k = 0; k < BATCH_LINES; k++)
		free(b->lines[k]);
	free(b->lines);
	free(b->lens);
	free(b->caps);
}

/* Two batches: the workers score one while this thread reads the next. */
static int
score_stdin(struct worker *w, int jobs)
{
	struct batch b[2];
	int cur = 0;

	batch_init(&b[0]);
	batch_init(&b[1]);
	read_batch(&b[0]);
	while (b[cur].n > 0) {
		/* Small batches are not worth a thread. */
		int use = b[cur].n < 64 ? 1 : jobs;
		struct round r;
		for (int j = 0; j < use; j++) {
			w[j].batch = &b[cur];
			w[j].from = b[cur].n * (size_t)j / (size_t)use;
			w[j].to = b[cur].n * (size_t)(j + 1) / (size_t)use;
		}
		round_start(&r, w, b[cur].n < 64 ? 0 : use, worker_run);
		read_batch(&b[cur ^ 1]);
		if (b[cur].n < 64)
			worker_run(&w[0]);
		round_join(&r, w, worker_run);
		for (int j = 0; j < use; j++) {
			fwrite(w[j].out.data ? w[j].out.data : "", 1,
			    w[j].out.len, stdout);
			w[j].out.len = 0;
		}
		cur ^= 1;
	}
	batch_clear(&b[0]);
	batch_clear(&b[1]);
	return 0;
}

/* --jobs, else the processors online, at most JOBS_MAX. */
static int
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : (int)n;
}

int
cmd_score(int argc, char **argv)
{
	struct score_opts o = { .band = 0.05 };
	const char *v;
	int i, missing = 0, jobs = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if ((v = optval(argc, argv, &i, "--lang", &missing))) {
			if (strcmp(v, "en") && strcmp(v, "fr") &&
			    strcmp(v, "auto"))
				missing = 1;
			o.lang = strcmp(v, "auto") ? v : NULL;
		} else if ((v = optval(argc, argv, &i, "--band", &missing))) {
			char *end;
			errno = 0;
			o.band = strtod(v, &end);
			o.band_set = 1;
			if (errno || end == v || *end || !(o.band >= 0) ||
			    o.band >= 1)
				missing = 1;
		} else if ((v = optval(argc, argv, &i, "--jobs", &missing))) {
			char *end;
			long n = strtol(v, &end, 10);
			if (end == v || *end || n < 1 || n > JOBS_MAX)
				missing = 1;
			jobs = (int)n;
		} else if ((v = optval(
		                argc, argv, &i, "--lexicon", &missing))) {
			o.lexicons = xreallocarray(
			    o.lexicons, o.nlexicons + 1, sizeof *o.lexicons);
			o.lexicons[o.nlexicons++] = v;
		} else if (strcmp(argv[i], "--explain") == 0) {
			o.explain = 1;
		} else if ((v = optval(argc, argv, &i, "-c", &missing))) {
			o.conf_path = v;
		} else if (missing || (argv[i][0] == '-' && argv[i][1])) {
			missing = 1;
		} else {
			break;
		}
		if (missing) {
			free(o.lexicons);
			return usage();
		}
	}
	/* Text arguments are few: one scorer. */
	if (i < argc || jobs == 0)
		jobs = i < argc ? 1 : default_jobs();

	struct worker w[JOBS_MAX];
	int failed = 0;

	memset(w, 0, sizeof w);
	for (int j = 0; j < jobs; j++)
		w[j].opts = &o;
	run_all(w, jobs, worker_open);
	for (int j = 0; j < jobs; j++)
		failed |= w[j].failed;
	if (failed) {
		/* Every worker read the same files: the first says it. */
		for (size_t k = 0; k < w[0].diag.len; k++)
			log_user("%s", w[0].diag.msgs[k]);
	} else if (i < argc) {
		for (; i < argc; i++) {
			emit(&w[0].out, &w[0].sc, argv[i], strlen(argv[i]));
			fwrite(w[0].out.data, 1, w[0].out.len, stdout);
			w[0].out.len = 0;
		}
	} else {
		score_stdin(w, jobs);
	}
	for (int j = 0; j < jobs; j++) {
		if (!w[j].failed)
			scorer_close(&w[j].sc);
		buf_clear(&w[j].out);
		diag_clear(&w[j].diag);
	}
	free(o.lexicons);
	if (failed)
		return 1;
	return fflush(stdout) == 0 ? 0 : 1;
}
