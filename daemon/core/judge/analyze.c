/*
 * analyze.c - the match/score stage (see analyze.h): compiles watches into
 * one matcher, loads the sentiment model, and gives each item its
 * mentions, its tone and its story identity.
 */
#include "core/judge/analyze.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config/conf.h"
#include "core/judge/story.h"

/* Tone is read from the first part of a long text: the opening carries
 * it, and scoring a whole 10 MB page would stall the loop. */
#define TONE_MAX_BYTES (16 * 1024)

struct analyzer {
	int refs;
	struct matcher *matcher;
	struct sentiment_model *model;
	double band;
	struct diag warnings; /* likely mistakes in queries that parse */
};

static int
compile_watches(struct analyzer *a, const struct conf *conf, struct diag *diag)
{
	size_t before = diag->len;

	a->matcher = matcher_new();
	for (size_t i = 0; i < conf->nwatches; i++) {
		const struct conf_watch *w = &conf->watches[i];
		struct query_error err;

		if (matcher_add(a->matcher, w->name, w->query, w->lang, &err) ==
		    -1)
			diag_add(diag, w->file, w->query_line, "column %d: %s",
			    w->query_column + err.column - 1, err.message);
		else if (err.warn_column != 0)
			diag_add(&a->warnings, w->file, w->query_line,
			    "column %d: warning: %s",
			    w->query_column + err.warn_column - 1, err.warning);
	}
	matcher_build(a->matcher);
	return diag->len == before ? 0 : -1;
}

static int
load_model(struct analyzer *a, const struct conf *conf, struct diag *diag)
{
	char *list = conf->sentiment.overrides
	    ? xstrdup(conf->sentiment.overrides)
	    : NULL;
	const char **files = NULL;
	size_t n = 0;
	char *save = NULL;

	for (char *f = list ? strtok_r(list, ",", &save) : NULL; f != NULL;
	     f = strtok_r(NULL, ",", &save)) {
		files = xreallocarray(files, n + 1, sizeof *files);
		files[n++] = f;
	}
	a->model = sentiment_model_load(
	    conf->sentiment.lexicons, (const char *const *)files, n, diag);
	free(files);
	free(list);
	return a->model != NULL ? 0 : -1;
}

struct analyzer *
analyzer_new(const struct conf *conf, struct diag *diag)
{
	struct analyzer *a = xcalloc(1, sizeof *a);
	int bad = 0;

	a->refs = 1;
	a->band = conf->sentiment.neutral_band;
	/* Both run so that every problem is reported at once. */
	bad |= compile_watches(a, conf, diag);
	bad |= load_model(a, conf, diag);
	if (bad) {
		analyzer_free(a);
		return NULL;
	}
	return a;
}

struct analyzer *
analyzer_ref(struct analyzer *a)
{
	a->refs++;
	return a;
}

void
analyzer_free(struct analyzer *a)
{
	if (a == NULL || --a->refs > 0)
		return;
	matcher_free(a->matcher);
	sentiment_model_free(a->model);
	diag_clear(&a->warnings);
	free(a);
}

const struct diag *
analyzer_warnings(const struct analyzer *a)
{
	return &a->warnings;
}

const struct matcher *
analyzer_matcher(const struct analyzer *a)
{
	return a->matcher;
}

const struct sentiment_model *
analyzer_model(const struct analyzer *a)
{
	return a->model;
}

double
analyzer_band(const struct analyzer *a)
{
	return a->band;
}

size_t
analyzer_watch_count(const struct analyzer *a)
{
	return matcher_count(a->matcher);
}

const char *
analyzer_watch_name(const struct analyzer *a, size_t watch)
{
	return matcher_name(a->matcher, watch);
}

/* Summary and content, which often repeat each other: the longer one. */
static const char *
body_of(const struct item *it)
{
	size_t s = it->summary ? strlen(it->summary) : 0;
	size_t c = it->content ? strlen(it->content) : 0;

	return c >= s ? it->content : it->summary;
}

/* The scorer knows "en" and "fr"; "fr-CA" is French, anything else is
 * left to its language detection. */
static const char *
tone_lang(const char *lang)
{
	if (lang == NULL)
		return NULL;
	if (strncasecmp(lang, "fr", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '-'))
		return "fr";
	if (strncasecmp(lang, "en", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '-'))
		return "en";
	return NULL;
}

/* The text whose tone is read: the title, a sentence of its own, then
 * the opening of the body. */
static void
tone_text(const struct item *it, struct buf *b)
{
	const char *body = body_of(it);

	if (it->title != NULL) {
		buf_puts(b, it->title);
		buf_puts(b, ".\n");
	}
	if (body != NULL)
		buf_append(b, body,
		    strlen(body) > TONE_MAX_BYTES ? TONE_MAX_BYTES
		                                  : strlen(body));
	if (b->data == NULL)
		buf_puts(b, "");
}

/* The length of the sentence (or clause) that starts at s: up to . ! ?
 * ; or : followed by a space, or a line break. Numbers ("20.000",
 * "3:30") do not end one. s[len] is a NUL, as at the end of a buf.
 * strcspn() passes over the bytes that cannot end one many at a time:
 * this scan, a byte at a time, was most of tone_toward()'s own time. */
static size_t
sentence_len(const char *s, size_t len)
{
	static const char ends[] = ".!?;:\n";

	for (size_t i = strcspn(s, ends); i < len;
	     i += 1 + strcspn(s + i + 1, ends)) {
		if (s[i] == '\n')
			return i + 1;
		if (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n' ||
		    (unsigned char)s[i + 1] == 0xc2) {
			while (i + 1 < len &&
			    (s[i + 1] == '.' || s[i + 1] == '!' ||
			        s[i + 1] == '?'))
				i++;
			return i + 1;
		}
	}
	return len;
}

/*
 * The tone toward each watch: that of the sentences which, alone, match
 * the watch ("Free condamné à rembourser 20 000 abonnés" in a headline
 * that goes on to quote a victory for consumers). A watch that no
 * sentence matches alone (its terms spread over several), or whose
 * sentences carry no tone, keeps the document's. An insult counts where
 * it is aimed: at the watch its sentence names. A rumour marker is the
 * whole post's, and so are its emotions when its sentences show none.
 */
static void
tone_toward(const struct analyzer *a, const struct item *it, struct buf *tone,
    const char *lang, const struct match_doc *whole, struct analyze_scratch *x,
    struct item_analysis *out)
{
	struct match_result *scratch = &x->match;
	struct buf *mine = xcalloc(out->nmentions, sizeof *mine);
	size_t title_len = it->title ? strlen(it->title) + 2 : 0;
	char *text = tone->data;
	size_t len = tone->len;

	for (size_t off = 0; off < len;) {
		size_t n = sentence_len(text + off, len - off);
		struct match_doc doc = *whole;
		/* Matched where it is, its end a NUL for the time of it. */
		char end = text[off + n];

		text[off + n] = '\0';
		doc.title = off < title_len ? text + off : NULL;
		doc.text = off < title_len ? NULL : text + off;
		matcher_match(a->matcher, &doc, scratch);
		text[off + n] = end;
		for (size_t h = 0; h < scratch->nhits; h++)
			for (size_t m = 0; m < out->nmentions; m++)
				if (out->mentions[m].watch ==
				    scratch->hits[h].watch) {
					buf_append(&mine[m], text + off, n);
					buf_putc(&mine[m], '\n');
				}
		off += n;
	}
	for (size_t m = 0; m < out->nmentions; m++) {
		struct sentiment_score *t = &out->mention_tones[m];
		*t = out->tone;
		if (mine[m].len > 0 && mine[m].len < len) {
			struct sentiment_score clause;
			sentiment_score_with(a->model, x->tone, mine[m].data,
			    mine[m].len, lang ? lang : out->tone.lang, a->band,
			    &clause);
			/* Sentences that name the watch without a word of
			 * tone ("Acme : un service formidable" cut at its
			 * colon) say nothing against the document's. */
			if (clause.compound != 0) {
				*t = clause;
				t->rumour = out->tone.rumour;
				if (t->emotions == 0)
					t->emotions = out->tone.emotions;
			}
		}
		buf_clear(&mine[m]);
	}
	free(mine);
}

/* What links an item to the same story elsewhere (story.h). */
void
analyze_story(const struct item *it, struct item_analysis *out)
{
	struct buf text;

	out->url_norm = it->link ? story_normalize_url(it->link) : NULL;
	if (out->url_norm != NULL &&
	    strlen(out->url_norm) > ANALYZE_URL_NORM_MAX) {
		free(out->url_norm);
		out->url_norm = NULL;
	}
	/* The content, else the summary (not body_of's longer of the two):
	 * the SimHashes stored so far were made so, and new ones must
	 * compare with them. */
	buf_init(&text);
	if (it->title != NULL)
		buf_printf(&text, "%s\n", it->title);
	if (it->content != NULL || it->summary != NULL)
		buf_puts(&text, it->content ? it->content : it->summary);
	out->simhash = story_simhash(text.data ? text.data : "", text.len);
	buf_clear(&text);
}

void
analyze_scratch_clear(struct analyze_scratch *x)
{
	match_result_clear(&x->match);
	sentiment_scratch_free(x->tone);
	x->tone = NULL;
}

void
analyze_item(const struct analyzer *a, const struct item *it, const char *lang,
    const unsigned char *only, struct analyze_scratch *x,
    struct item_analysis *out)
{
	struct match_result *scratch = &x->match;
	struct match_doc doc = {
		.title = it->title,
		.text = body_of(it),
		.author = it->author,
		.link = it->link,
		.lang = it->lang ? it->lang : lang,
	};
	size_t n;

	memset(out, 0, sizeof *out);
	n = matcher_match(a->matcher, &doc, scratch);
	for (size_t i = 0; i < n; i++) {
		if (only != NULL && !only[scratch->hits[i].watch])
			continue;
		struct match_hit *h = &scratch->hits[i], *m;

		out->mentions = xreallocarray(
		    out->mentions, out->nmentions + 1, sizeof *out->mentions);
		m = &out->mentions[out->nmentions++];
		/* The hit's term list lives in the scratch space, which the
		 * next item reuses; the terms themselves live in the
		 * matcher. */
		*m = *h;
		m->terms = xcalloc(h->nterms, sizeof *m->terms);
		if (h->nterms > 0)
			memcpy(
			    m->terms, h->terms, h->nterms * sizeof *m->terms);
	}
	/* Every item is scored, mention or not: the tone of what a source
	 * publishes is worth knowing before it names a watch. A backfill
	 * scores only what it matched (the others were scored on ingest). */
	if (only == NULL || out->nmentions > 0) {
		struct buf text;
		const char *lang = tone_lang(doc.lang);

		buf_init(&text);
		tone_text(it, &text);
		if (x->tone == NULL)
			x->tone = sentiment_scratch_new();
		sentiment_score_with(a->model, x->tone, text.data, text.len,
		    lang, a->band, &out->tone);
		out->scored = 1;
		out->mention_tones =
		    xreallocarray(NULL, out->nmentions ? out->nmentions : 1,
		        sizeof *out->mention_tones);
		if (out->nmentions > 0)
			tone_toward(a, it, &text, lang, &doc, x, out);
		buf_clear(&text);
	}
}

void
item_analysis_clear(struct item_analysis *ia)
{
	for (size_t i = 0; i < ia->nmentions; i++)
		free(ia->mentions[i].terms);
	free(ia->mentions);
	free(ia->mention_tones);
	free(ia->url_norm);
	memset(ia, 0, sizeof *ia);
}
