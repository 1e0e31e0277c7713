/*
 * sentiment_lexicon.c - the model's tables: the hash table of folded
 * words and phrases, the rule words of each language (negations,
 * intensifiers, contrasts), the lexicon files read and checked, and the
 * French stems' mean valences.
 */
#include "core/base/file.h"
#include "core/judge/sentiment_impl.h"

#include <errno.h>
#include <libstemmer.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

const char *const sentiment_lang_names[L_COUNT] = { "en", "fr" };

/* VADER 3.3.2's rule words. */
static const char *const en_negate[] = { "aint", "arent", "cannot", "cant",
	"couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
	"couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt",
	"havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't",
	"hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt",
	"needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't",
	"shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont",
	"wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite" };

static const char *const en_incr[] = { "absolutely", "amazingly", "awfully",
	"completely", "considerable", "considerably", "decidedly", "deeply",
	"effing", "enormous", "enormously", "entirely", "especially",
	"exceptional", "exceptionally", "extreme", "extremely", "fabulously",
	"flipping", "flippin", "frackin", "fracking", "fricking", "frickin",
	"frigging", "friggin", "fully", "fuckin", "fucking", "fuggin",
	"fugging", "greatly", "hella", "highly", "hugely", "incredible",
	"incredibly", "intensely", "major", "majorly", "more", "most",
	"particularly", "purely", "quite", "really", "remarkably", "so",
	"substantially", "thoroughly", "total", "totally", "tremendous",
	"tremendously", "uber", "unbelievably", "unusually", "utter", "utterly",
	"very" };

static const char *const en_decr[] = { "almost", "barely", "hardly",
	"just enough", "kind of", "kinda", "kindof", "kind-of", "less",
	"little", "marginal", "marginally", "occasional", "occasionally",
	"partly", "scarce", "scarcely", "slight", "slightly", "somewhat",
	"sort of", "sorta", "sortof", "sort-of" };

static const struct {
	const char *phrase;
	double val;
} en_special_cases[] = {
	{ "the shit", 3 },
	{ "the bomb", 3 },
	{ "bad ass", 1.5 },
	{ "badass", 1.5 },
	{ "bus stop", 0.0 },
	{ "yeah right", -2 },
	{ "kiss of death", -1.5 },
	{ "to die for", 3 },
	{ "beating heart", 3.1 },
	{ "broken heart", -2.9 },
};

/* French rule words, written folded (no accents). */
static const char *const fr_negate[] = { "pas", "jamais", "rien", "sans",
	"aucun", "aucune", "ni", "non", "nullement" };
/* Negations only when "ne" comes just before: alone they are ordinary
 * words ("plus beau", "une personne", "un point"). */
static const char *const fr_weakneg[] = { "plus", "personne", "point",
	"guere" };
static const char *const fr_post[] = { "pas", "plus", "jamais", "rien", "guere",
	"point", "personne" };
static const char *const fr_incr[] = { "tres", "trop", "vraiment", "super",
	"hyper", "tellement", "si", "extremement", "absolument", "totalement",
	"completement", "particulierement", "vachement", "carrement",
	"franchement", "enormement", "profondement", "entierement", "fortement",
	"hautement", "incroyablement", "terriblement", "beaucoup", "aussi",
	"archi", "ultra", "mega", "bcp", "tro", "vrmt", "bien" };
/* Intensifiers written after the word, as spoken French does. */
static const char *const fr_after[] = { "grave", "de ouf", "a mort", "a fond",
	"de fou", "de chez de chez" };
static const char *const fr_decr[] = { "peu", "un peu", "assez", "plutot",
	"legerement", "moyennement", "presque", "quelque peu", "relativement",
	"a peine", "moins", "un brin" };
static const char *const fr_contrast[] = { "mais", "pourtant", "cependant",
	"toutefois", "neanmoins", "par contre", "en revanche", "sauf que",
	"finalement", "au final", "en fin de compte" };

/*
 * Irony. Praise that opens or closes a complaint is read as sarcasm when a
 * word says the failure is not the first ("Génial, encore une panne",
 * "Bravo ... encore un train annulé") or an eye-roll says so (🙄 🙃); 👏
 * is applause, unless the text complains. English "but" is VADER's own
 * rule (score_en), not a contrast word here.
 */
static const char *const fr_praise[] = { "genial", "geniale", "bravo", "merci",
	"super", "parfait", "parfaite", "top", "au top", "chapeau",
	"felicitations", "bien joue", "trop bien", "excellent", "magnifique",
	"formidable", "sympa", "cool", "nickel", "champion", "champions",
	"quel plaisir", "j'adore" };
static const char *const fr_again[] = { "encore", "encore une fois",
	"une fois de plus", "comme d'habitude", "comme d'hab", "a nouveau",
	"de nouveau", "toujours autant", "comme toujours" };
static const char *const en_praise[] = { "great", "thanks", "thank you",
	"bravo", "well done", "perfect", "awesome", "wonderful", "brilliant",
	"nice", "love", "fantastic", "amazing", "congrats", "congratulations",
	"superb", "excellent", "good job", "nice job" };
static const char *const en_again[] = { "again", "once again", "yet again",
	"as usual", "as always", "another" };
static const char *const irony_marks[] = { "\xf0\x9f\x99\x84",
	"\xf0\x9f\x99\x83", "\xf0\x9f\x98\x92", "\xf0\x9f\xa4\xa1" };
static const char *const clap_marks[] = { "\xf0\x9f\x91\x8f" };

#define KEYS_BLOCK 65536

/* A NUL-terminated copy of s in the table's key blocks. */
static char *
key_copy(struct lex *l, const char *s, size_t n)
{
	struct lex_keys *b = l->keys;

	if (b == NULL || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > KEYS_BLOCK ? n + 1 : KEYS_BLOCK;
		b = xmalloc(sizeof *b + cap);
		b->next = l->keys;
		b->used = 0;
		b->cap = cap;
		l->keys = b;
	}
	char *k = b->data + b->used;
	memcpy(k, s, n);
	k[n] = '\0';
	b->used += n + 1;
	return k;
}

struct lexent *
lex_put(struct lex *l, const char *s, size_t n)
{
	uint16_t tag;
	size_t i;

	if (2 * (l->len + 1) > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct lex g = { xcalloc(cap, sizeof *g.tab),
			xcalloc(cap, sizeof *g.tags), cap, l->len, l->keys };
		for (size_t k = 0; k < l->cap; k++)
			if (l->tags[k] != 0) {
				i = lex_slot(
				    &g, l->tab[k].key, l->tab[k].klen, &tag);
				g.tab[i] = l->tab[k];
				g.tags[i] = tag;
			}
		free(l->tab);
		free(l->tags);
		*l = g;
	}
	i = lex_slot(l, s, n, &tag);
	if (l->tags[i] == 0) {
		l->tags[i] = tag;
		l->tab[i].key = key_copy(l, s, n);
		l->tab[i].klen = n;
		l->len++;
	}
	return &l->tab[i];
}

void
lex_clear(struct lex *l)
{
	for (struct lex_keys *b = l->keys, *next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(l->tab);
	free(l->tags);
	memset(l, 0, sizeof *l);
}

/*
 * The key of an entry: tokenised like text of the language and folded,
 * words joined by single spaces; a marker's is then cut into whole words
 * (sent_words), as the text it is looked for in will be. Returns the
 * number of words, 0 if none, or more than PHRASE_MAX.
 */
static int
entry_key(enum lang_id lang, const char *word, size_t n, int marker,
    struct toks *t, struct buf *key)
{
	int words = 0;

	t->n = 0;
	t->fold.len = 0;
	toks_read(lang, t, word, n);
	key->len = 0;
	if (marker)
		sent_words(t->fold.data, t->fold.len, key);
	else if (t->n > 0)
		buf_append(key, t->fold.data, t->fold.len);
	if (key->len > 0) {
		words = 1;
		for (size_t i = 0; i < key->len; i++)
			words += key->data[i] == ' ';
	}
	return words > PHRASE_MAX ? 0 : words;
}

/* What reading the files reuses from line to line. */
struct loading {
	struct sentiment_model *m;
	struct diag *diag;
	struct toks t;
	struct buf key;
};

enum file_kind {
	F_VALENCE, /* WORD<TAB>VALENCE */
	F_ABUSIVE, /* WORD */
	F_RUMOUR, /* WORD */
	F_EMOTION, /* WORD<TAB>EMOTION[,EMOTION...] */
	F_OVERRIDE, /* WORD<TAB>VALENCE|abusive|rumour|emotion:E,...[<TAB>LANG]
	             */
};

static const char *const file_syntax[] = {
	[F_VALENCE] = "WORD<TAB>VALENCE",
	[F_ABUSIVE] = "WORD",
	[F_RUMOUR] = "WORD",
	[F_EMOTION] = "WORD<TAB>EMOTION[,EMOTION...]",
	[F_OVERRIDE] = ("WORD<TAB>VALENCE|abusive|rumour|emotion:EMOTION,..."
	                "[<TAB>en|fr]"),
};

static int
parse_valence(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*v);
}

/* "anger,fear" as emotion bits, or -1 naming the bad one in *bad. */
static long
parse_emotions(char *list, const char **bad)
{
	unsigned bits = 0;
	char *save = NULL;

	for (char *e = strtok_r(list, ",", &save); e != NULL;
	     e = strtok_r(NULL, ",", &save)) {
		while (*e == ' ')
			e++;
		int k = emotion_parse(e);
		if (k < 0) {
			*bad = e;
			return -1;
		}
		bits |= 1u << k;
	}
	if (bits == 0)
		*bad = "";
	return bits ? (long)bits : -1;
}

/* What one line of a file says: the kind bits it sets and its valence. */
static int
parse_line(enum file_kind kind, char **f, int nf, const char *path, int lineno,
    struct diag *diag, unsigned *bits, double *val)
{
	int want = kind == F_ABUSIVE || kind == F_RUMOUR ? 1 : 2;

	if (nf < want || nf > (kind == F_OVERRIDE ? 3 : want) || !*f[0]) {
		diag_add(diag, path, lineno, "expected %s", file_syntax[kind]);
		return -1;
	}
	*val = 0;
	if (kind == F_ABUSIVE ||
	    (kind == F_OVERRIDE && strcmp(f[1], "abusive") == 0)) {
		*bits = K_ABUSIVE;
		return 0;
	}
	if (kind == F_RUMOUR ||
	    (kind == F_OVERRIDE && strcmp(f[1], "rumour") == 0)) {
		*bits = K_RUMOUR;
		return 0;
	}
	if (kind == F_EMOTION ||
	    (kind == F_OVERRIDE && strncmp(f[1], "emotion:", 8) == 0)) {
		const char *bad = NULL;
		long e =
		    parse_emotions(kind == F_EMOTION ? f[1] : f[1] + 8, &bad);
		if (e < 0) {
			diag_add(diag, path, lineno,
			    "unknown emotion \"%s\" (anger, fear, sadness, "
			    "disgust, joy, surprise)",
			    bad);
			return -1;
		}
		*bits = (unsigned)e << K_EMOTION_SHIFT;
		return 0;
	}
	if (!parse_valence(f[1], val)) {
		diag_add(
		    diag, path, lineno, "valence \"%s\" is not a number", f[1]);
		return -1;
	}
	if (fabs(*val) > VALENCE_MAX) {
		diag_add(
		    diag, path, lineno, "valence %g outside -4 .. 4", *val);
		return -1;
	}
	*bits = K_VALENCE;
	return 0;
}

static void
load_line(struct loading *ld, enum lang_id lang, enum file_kind kind,
    char *line, const char *path, int lineno)
{
	struct diag *diag = ld->diag;
	char *f[4];
	int nf = 0;
	double val;
	unsigned bits;

	for (char *p = line; nf < 4;) {
		f[nf++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (parse_line(kind, f, nf, path, lineno, diag, &bits, &val) < 0)
		return;
	int from = lang, to = lang;
	if (kind == F_OVERRIDE) {
		from = 0, to = L_COUNT - 1;
		if (nf == 3) {
			for (from = 0; from < L_COUNT; from++)
				if (strcmp(f[2], sentiment_lang_names[from]) ==
				    0)
					break;
			if (from == L_COUNT) {
				diag_add(diag, path, lineno,
				    "unknown language \"%s\" (en, fr)", f[2]);
				return;
			}
			to = from;
		}
	}
	for (int l = from; l <= to; l++) {
		if (entry_key((enum lang_id)l, f[0], strlen(f[0]),
		        (bits & K_MARKERS) != 0, &ld->t, &ld->key) == 0) {
			diag_add(diag, path, lineno,
			    "\"%s\" has no word or more than %d", f[0],
			    PHRASE_MAX);
			break;
		}
		struct lexent *e =
		    lex_put(&ld->m->lang[l].words, ld->key.data, ld->key.len);
		e->kind |= bits;
		if (bits & K_VALENCE)
			e->val = val;
	}
}

static int
valid_utf8(const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)n;

	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
		if (k <= 0 || cp == 0)
			return 0;
		p += k, left -= k;
	}
	return 1;
}

/*
 * Calls fn on each line of path that holds something: line ends, blank
 * lines and # comments left out; a line too long or not UTF-8 reported
 * as FILE:LINE and skipped.
 */
static void
each_line(const char *path, struct diag *diag,
    void (*fn)(char *line, int lineno, void *arg), void *arg)
{
	const char *why;
	FILE *fp = file_open(path, &why);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;

	if (fp == NULL) {
		diag_add(diag, path, 0, "%s", why);
		return;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (n > LINE_MAX_LEN) {
			diag_add(diag, path, lineno,
			    "line longer than %d bytes", LINE_MAX_LEN);
			continue;
		}
		if (!valid_utf8(line, (size_t)n)) {
			diag_add(diag, path, lineno, "not UTF-8 text");
			continue;
		}
		fn(line, lineno, arg);
	}
	if (ferror(fp))
		diag_add(diag, path, 0, "%s", strerror(errno));
	free(line);
	fclose(fp);
}

/* One lexicon file's reading. */
struct lexicon_file {
	struct loading *ld;
	enum lang_id lang;
	enum file_kind kind;
	const char *path;
};

static void
lexicon_line(char *line, int lineno, void *arg)
{
	struct lexicon_file *f = arg;

	load_line(f->ld, f->lang, f->kind, line, f->path, lineno);
}

static void
load_file(struct loading *ld, enum lang_id lang, enum file_kind kind,
    const char *path)
{
	struct lexicon_file f = { ld, lang, kind, path };

	each_line(path, ld->diag, lexicon_line, &f);
}

static void
put_words(
    struct lex *l, const char *const *w, size_t n, unsigned kind, double boost)
{
	for (size_t i = 0; i < n; i++) {
		struct lexent *e = lex_put(l, w[i], strlen(w[i]));
		e->kind |= kind;
		if (kind & K_BOOST)
			e->boost = boost;
	}
}

/*
 * Marks every proper prefix of a multi-word entry, so that the scorer
 * extends a phrase only while some entry still starts with it: one lookup
 * for most tokens, where trying every span up to PHRASE_MAX words cost
 * seven. Token phrases are the lexicon's and, in French, the rule
 * phrases ("un peu", "par contre"); markers are prefixed apart, as they
 * are looked up in the text's whole words.
 */
static void
mark_prefixes(struct lex *l, unsigned phrase_kinds)
{
	char **keys = NULL;
	unsigned *kinds = NULL;
	size_t n = 0;

	for (size_t i = 0; i < l->cap; i++) {
		const struct lexent *e = &l->tab[i];
		if (e->key == NULL || memchr(e->key, ' ', e->klen) == NULL)
			continue;
		keys = xreallocarray(keys, n + 1, sizeof *keys);
		kinds = xreallocarray(kinds, n + 1, sizeof *kinds);
		keys[n] = xstrndup(e->key, e->klen);
		kinds[n++] = e->kind;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned mark = ((kinds[i] & phrase_kinds) ? K_PHRASE : 0) |
		    ((kinds[i] & K_MARKERS) ? K_MARK_PHRASE : 0);
		for (char *sp = strchr(keys[i], ' '); mark && sp != NULL;
		     sp = strchr(sp + 1, ' '))
			lex_put(l, keys[i], (size_t)(sp - keys[i]))->kind |=
			    mark;
		free(keys[i]);
	}
	free(keys);
	free(kinds);
}

/*
 * Marks in words the first word of every multi-word key of words and of
 * idioms (K_HEAD), adding it when words lacks it, so that en_special()
 * looks up a span of tokens only when its first token can begin one:
 * the idioms and multi-word boosters around each scored word were half
 * the lookups of English scoring, and almost never there.
 */
static void
mark_heads(struct lex *words, const struct lex *idioms)
{
	const struct lex *from[] = { words, idioms };
	char **heads = NULL;
	size_t n = 0;

	for (size_t k = 0; k < ARRAY_LEN(from); k++)
		for (size_t i = 0; i < from[k]->cap; i++) {
			const struct lexent *e = &from[k]->tab[i];
			const char *sp;
			if (e->key == NULL ||
			    (sp = memchr(e->key, ' ', e->klen)) == NULL)
				continue;
			heads = xreallocarray(heads, n + 1, sizeof *heads);
			heads[n++] = xstrndup(e->key, (size_t)(sp - e->key));
		}
	for (size_t i = 0; i < n; i++) {
		lex_put(words, heads[i], strlen(heads[i]))->kind |= K_HEAD;
		free(heads[i]);
	}
	free(heads);
}

/* Each stem takes the mean valence of the lexicon words that share it. */
static void
build_stems(struct lang_model *lm)
{
	struct lex count = { 0 };

	for (size_t i = 0; i < lm->words.cap; i++) {
		const struct lexent *e = &lm->words.tab[i];
		if (e->key == NULL || !(e->kind & K_VALENCE) ||
		    memchr(e->key, ' ', e->klen) || e->klen <= 3)
			continue;
		const sb_symbol *st = sb_stemmer_stem(
		    lm->stemmer, (const sb_symbol *)e->key, (int)e->klen);
		if (st == NULL)
			continue;
		size_t sl = (size_t)sb_stemmer_length(lm->stemmer);
		const struct lexent *c = lex_get(&count, (const char *)st, sl);
		const struct lexent *sum =
		    lex_get(&lm->stems, (const char *)st, sl);
		double k = c ? c->val : 0;
		double total = (sum ? sum->val * k : 0) + e->val;
		lex_put(&count, (const char *)st, sl)->val = k + 1;
		lex_put(&lm->stems, (const char *)st, sl)->val =
		    total / (k + 1);
	}
	lex_clear(&count);
}

/* VADER's numbers, and the insult's: about VADER's "hate" (-3.2 before
 * VADER's damping), so that "Espèce de connard" is clearly negative. */
static const struct rule_params vader_params = {
	.negation = N_SCALAR,
	.intensifier = B_INCR,
	.before_contrast = 0.5,
	.after_contrast = 1.5,
	.irony = N_SCALAR,
	.insult = -2.5,
};

static const struct {
	const char *name;
	size_t off;
	double lo, hi;
} param_keys[] = {
	{ "negation", offsetof(struct rule_params, negation), -2, 0 },
	{ "intensifier", offsetof(struct rule_params, intensifier), 0, 2 },
	{ "before_contrast", offsetof(struct rule_params, before_contrast), 0,
	    1 },
	{ "after_contrast", offsetof(struct rule_params, after_contrast), 1,
	    3 },
	{ "irony", offsetof(struct rule_params, irony), -2, 0 },
	{ "insult", offsetof(struct rule_params, insult), -4, 0 },
};

/* The parameter file's reading. */
struct params_file {
	struct rule_params *p;
	const char *path;
	struct diag *diag;
};

static void
params_line(char *line, int lineno, void *arg)
{
	struct params_file *f = arg;
	char *tab = strchr(line, '\t');
	size_t k;
	double v;

	if (tab == NULL || strchr(tab + 1, '\t') != NULL) {
		diag_add(f->diag, f->path, lineno, "expected NAME<TAB>VALUE");
		return;
	}
	*tab = '\0';
	for (k = 0; k < ARRAY_LEN(param_keys); k++)
		if (strcmp(line, param_keys[k].name) == 0)
			break;
	if (k == ARRAY_LEN(param_keys))
		diag_add(f->diag, f->path, lineno,
		    "unknown parameter \"%s\" (negation, intensifier, "
		    "before_contrast, after_contrast, irony, insult)",
		    line);
	else if (!parse_valence(tab + 1, &v))
		diag_add(f->diag, f->path, lineno,
		    "value \"%s\" is not a number", tab + 1);
	else if (v < param_keys[k].lo || v > param_keys[k].hi)
		diag_add(f->diag, f->path, lineno, "%s %g outside %g .. %g",
		    line, v, param_keys[k].lo, param_keys[k].hi);
	else
		*(double *)((char *)f->p + param_keys[k].off) = v;
}

/* Reads NAME<TAB>VALUE lines into p; each problem as FILE:LINE. */
static void
load_params(struct rule_params *p, const char *path, struct diag *diag)
{
	struct params_file f = { p, path, diag };

	each_line(path, diag, params_line, &f);
}

struct sentiment_model *
sentiment_model_load(const char *dir, const char *const *overrides,
    size_t noverrides, struct diag *diag)
{
	struct sentiment_model *m = xcalloc(1, sizeof *m);
	size_t before = diag->len;

	m->scratch = xcalloc(1, sizeof *m->scratch);
	struct lang_model *en = &m->lang[L_EN], *fr = &m->lang[L_FR];

	en->p = fr->p = vader_params;
	/* Before the rule words: the intensifiers take its value. */
	char *params = xasprintf("%s/fr-params.tsv", dir);
	load_params(&fr->p, params, diag);
	free(params);

	put_words(&en->words, en_negate, ARRAY_LEN(en_negate), K_NEGATE, 0);
	put_words(&en->words, en_incr, ARRAY_LEN(en_incr), K_BOOST, B_INCR);
	put_words(&en->words, en_decr, ARRAY_LEN(en_decr), K_BOOST, B_DECR);
	put_words(&en->words, en_praise, ARRAY_LEN(en_praise), K_PRAISE, 0);
	put_words(&en->words, en_again, ARRAY_LEN(en_again), K_AGAIN, 0);
	for (size_t i = 0; i < ARRAY_LEN(en_special_cases); i++)
		lex_put(&en->special, en_special_cases[i].phrase,
		    strlen(en_special_cases[i].phrase))
		    ->val = en_special_cases[i].val;
	put_words(&fr->words, fr_negate, ARRAY_LEN(fr_negate), K_NEGATE, 0);
	put_words(&fr->words, fr_weakneg, ARRAY_LEN(fr_weakneg), K_WEAKNEG, 0);
	put_words(&fr->words, fr_post, ARRAY_LEN(fr_post), K_POST, 0);
	put_words(&fr->words, fr_incr, ARRAY_LEN(fr_incr), K_BOOST,
	    fr->p.intensifier);
	put_words(&fr->words, fr_decr, ARRAY_LEN(fr_decr), K_BOOST,
	    -fr->p.intensifier);
	put_words(&fr->words, fr_after, ARRAY_LEN(fr_after), K_AFTER | K_BOOST,
	    fr->p.intensifier);
	put_words(
	    &fr->words, fr_contrast, ARRAY_LEN(fr_contrast), K_CONTRAST, 0);
	put_words(&fr->words, fr_praise, ARRAY_LEN(fr_praise), K_PRAISE, 0);
	put_words(&fr->words, fr_again, ARRAY_LEN(fr_again), K_AGAIN, 0);
	for (int l = 0; l < L_COUNT; l++) {
		put_words(&m->lang[l].words, irony_marks,
		    ARRAY_LEN(irony_marks), K_IRONY, 0);
		put_words(&m->lang[l].words, clap_marks, ARRAY_LEN(clap_marks),
		    K_CLAP, 0);
	}

	static const struct {
		const char *name;
		enum lang_id lang;
		enum file_kind kind;
	} files[] = {
		{ "en.tsv", L_EN, F_VALENCE },
		{ "en-reputation.tsv", L_EN, F_VALENCE },
		{ "emoji.tsv", L_EN, F_VALENCE },
		{ "en-abusive.tsv", L_EN, F_ABUSIVE },
		{ "en-emotion.tsv", L_EN, F_EMOTION },
		{ "en-rumour.tsv", L_EN, F_RUMOUR },
		{ "fr.tsv", L_FR, F_VALENCE },
		{ "fr-fitted.tsv", L_FR, F_VALENCE },
		{ "fr-reputation.tsv", L_FR, F_VALENCE },
		{ "fr-online.tsv", L_FR, F_VALENCE },
		{ "emoji.tsv", L_FR, F_VALENCE },
		{ "fr-abusive.tsv", L_FR, F_ABUSIVE },
		{ "fr-emotion.tsv", L_FR, F_EMOTION },
		{ "fr-rumour.tsv", L_FR, F_RUMOUR },
	};
	struct loading ld = { .m = m, .diag = diag };
	buf_init(&ld.t.fold);
	buf_init(&ld.key);
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *path = xasprintf("%s/%s", dir, files[i].name);
		load_file(&ld, files[i].lang, files[i].kind, path);
		free(path);
	}
	for (size_t i = 0; i < noverrides; i++)
		load_file(&ld, L_EN, F_OVERRIDE, overrides[i]);
	toks_clear(&ld.t);
	buf_clear(&ld.key);
	if (diag->len > before) {
		sentiment_model_free(m);
		return NULL;
	}
	fr->stemmer = sb_stemmer_new("french", NULL);
	if (fr->stemmer == NULL) {
		diag_add(diag, "libstemmer", 0, "no French stemmer");
		sentiment_model_free(m);
		return NULL;
	}
	build_stems(fr);
	mark_prefixes(&en->words, K_VALENCE);
	mark_heads(&en->words, &en->special);
	mark_prefixes(&fr->words, K_VALENCE | K_BOOST | K_CONTRAST | K_AGAIN);
	lang_grams_build(m);
	return m;
}

void
sentiment_model_free(struct sentiment_model *m)
{
	if (m == NULL)
		return;
	for (int l = 0; l < L_COUNT; l++) {
		struct lang_model *lm = &m->lang[l];
		lex_clear(&lm->words);
		lex_clear(&lm->stems);
		lex_clear(&lm->special);
		if (lm->stemmer)
			sb_stemmer_delete(lm->stemmer);
	}
	sentiment_scratch_free(m->scratch);
	free(m);
}
