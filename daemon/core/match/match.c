/*
 * match.c - the multi-watch matcher (see match.h).
 *
 * Every word a watch uses is interned once as an "atom" (a folded word,
 * a folded prefix for wildcards, a host for site:, a language for lang:)
 * in one open-addressing table. A document is tokenised and folded once;
 * each word is looked up in the table, its exact form and each of its
 * prefixes whose length some probed wildcard uses, all from one running
 * hash, when its first two bytes are those of some probed word or
 * wildcard.
 * The lookups give, per atom, the list of positions where it occurs, and
 * the set of candidate watches: those with a trigger atom present. Only
 * candidates are evaluated, and their terms read the position lists
 * instead of the text.
 *
 * Each query is reduced to clauses a document must meet for it to hold,
 * each a set of atoms one of which must be present (clauses(): every word
 * of a term, the clauses of both sides of an AND or a NEAR, one clause
 * joining a clause of each branch of an OR, for a regex an atom present
 * when the literals it requires are: prefilter.c finds the literals of
 * every regex in one scan of the raw text). The clause that looks rarest
 * (atom_cost: the fewer watches use a word, the rarer it is taken to be)
 * triggers the watch; a candidate is evaluated only if the document holds
 * an atom of each of the others. A word triggers a watch only where the
 * term it stands for may match: in the author, "Jean" does not make every
 * watch on "Jean Martin" a candidate. A watch with no clause (a regex
 * with no known literal, not ANDed with any indexable term) is evaluated
 * on every document. The evaluation of a query on a document is in
 * match_eval.c.
 */
#include "core/match/match.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "core/match/fold.h"
#include "core/match/match_impl.h"
#include "core/match/query.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t
hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

static uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < len; i++)
		h = hash_step(h, (unsigned char)s[i]);
	return h;
}

static uint32_t
lookup(const struct matcher *m, enum atom_kind kind, const char *key,
    size_t len, uint32_t h)
{
	const struct atom *a;
	size_t i;

	if (m->tabsize == 0)
		return NONE;
	for (i = h & (m->tabsize - 1); m->table[i] != 0;
	     i = (i + 1) & (m->tabsize - 1)) {
		a = &m->atoms[m->table[i] - 1];
		if (a->hash == h && a->kind == kind && a->len == len &&
		    memcmp(a->key, key, len) == 0)
			return m->table[i] - 1;
	}
	return NONE;
}

static void
table_insert(struct matcher *m, uint32_t atom)
{
	size_t i = m->atoms[atom].hash & (m->tabsize - 1);

	while (m->table[i] != 0)
		i = (i + 1) & (m->tabsize - 1);
	m->table[i] = atom + 1;
}

static uint32_t
intern(struct matcher *m, enum atom_kind kind, const char *key, size_t len)
{
	uint32_t h = hash_bytes(key, len), id;
	struct atom *a;
	size_t i;

	if ((id = lookup(m, kind, key, len, h)) != NONE)
		return id;
	if (m->natoms + 1 > m->tabsize / 2) {
		free(m->table);
		m->tabsize = m->tabsize ? m->tabsize * 2 : 256;
		m->table = xcalloc(m->tabsize, sizeof(*m->table));
		for (i = 0; i < m->natoms; i++)
			table_insert(m, (uint32_t)i);
	}
	m->atoms = xreallocarray(m->atoms, m->natoms + 1, sizeof(*m->atoms));
	a = &m->atoms[m->natoms];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->key = xstrndup(key, len);
	a->len = len;
	a->hash = h;
	table_insert(m, (uint32_t)m->natoms);
	return (uint32_t)m->natoms++;
}

struct matcher *
matcher_new(void)
{
	struct matcher *m = xcalloc(1, sizeof(*m));

	m->mctx = pcre2_match_context_create(NULL);
	if (m->mctx == NULL)
		abort();
	pcre2_set_match_limit(m->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, REGEX_HEAP_LIMIT);
	return m;
}

void
matcher_free(struct matcher *m)
{
	struct watch *w;
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nwatches; i++) {
		w = &m->watches[i];
		free(w->name);
		query_free(w->root);
		for (j = 0; j < w->nlangs; j++)
			free(w->langs[j]);
		free(w->langs);
		free(w->terms);
	}
	for (i = 0; i < m->natoms; i++) {
		free(m->atoms[i].key);
		free(m->atoms[i].watches[IN_BODY].v);
		free(m->atoms[i].watches[IN_AUTHOR].v);
	}
	free(m->watches);
	free(m->atoms);
	free(m->table);
	free(m->plens);
	free(m->regexes);
	litscan_free(m->lits);
	free(m->always);
	free(m->reqs);
	free(m->reqs_at);
	pcre2_match_context_free(m->mctx);
	free(m);
}

void
matcher_set_jit(struct matcher *m, int on)
{
	m->regex_options = on ? 0 : PCRE2_NO_JIT;
}

size_t
matcher_count(const struct matcher *m)
{
	return m->nwatches;
}

const char *
matcher_name(const struct matcher *m, size_t watch)
{
	return watch < m->nwatches ? m->watches[watch].name : NULL;
}

static uint32_t
word_atom(struct matcher *m, const struct qword *w)
{
	return intern(m, w->prefix ? A_PREFIX : A_WORD, w->text, w->len);
}

/*
 * Interns what evaluation reads (each term's first word) and numbers the
 * positive leaves' distinct terms, in query order.
 */
static void
prepare(struct matcher *m, struct watch *w, struct qnode *n, int negated)
{
	size_t i;

	if (n->type == Q_TERM) {
		n->words[0].atom = word_atom(m, &n->words[0]);
		m->atoms[n->words[0].atom].read = 1;
	}
	if (n->type <= Q_REGEX && !negated) {
		for (i = 0; i < w->nterms; i++)
			if (strcmp(w->terms[i], n->src) == 0)
				break;
		if (i == w->nterms) {
			w->terms = xreallocarray(
			    w->terms, w->nterms + 1, sizeof(*w->terms));
			w->terms[w->nterms++] = n->src;
		}
		n->term = (int)i;
	}
	for (i = 0; i < n->nkids; i++)
		prepare(m, w, n->kids[i], negated ^ (n->type == Q_NOT));
}

static void
count_mentions_of(struct matcher *m, uint32_t atom, uint32_t id)
{
	struct atom *a = &m->atoms[atom];

	if (a->last_watch != id + 1) {
		a->last_watch = id + 1;
		a->mentions++;
	}
}

static uint32_t
value_atom(struct matcher *m, const struct qnode *n)
{
	return intern(
	    m, n->type == Q_SITE ? A_SITE : A_LANG, n->value, strlen(n->value));
}

static uint32_t
regex_atom(struct matcher *m, const struct qnode *n)
{
	uint32_t id = intern(m, A_REGEX, n->src, strlen(n->src));

	m->atoms[id].pf = n->pf;
	return id;
}

/* Counts the watch id once among the users of each atom n's leaves hold. */
static void
count_mentions(struct matcher *m, const struct qnode *n, uint32_t id)
{
	uint32_t a = NONE;
	size_t i;

	if (n->type == Q_TERM)
		for (i = 0; i < n->nwords; i++)
			count_mentions_of(m, word_atom(m, &n->words[i]), id);
	else if (n->type == Q_SITE || n->type == Q_LANG)
		a = value_atom(m, n);
	else if (n->type == Q_REGEX && n->pf != NULL)
		a = regex_atom(m, n);
	if (a != NONE)
		count_mentions_of(m, a, id);
	for (i = 0; i < n->nkids; i++)
		count_mentions(m, n->kids[i], id);
}

/*
 * How often a trigger atom may be present in a document, as a rank: no
 * statistics of documents are at hand, so it is guessed from the watches.
 * A word many watches use ("panne", "refund") is common vocabulary; one
 * that few use (a brand) is what tells their watches apart. Then a
 * wildcard prefix matches more words than a word, a language holds for
 * whole feeds, and a longer word is rarer than a shorter one.
 */
static uint64_t
atom_cost(const struct atom *a)
{
	uint64_t cost = (uint64_t)a->mentions * 256;

	if (a->kind == A_PREFIX)
		cost += 64;
	else if (a->kind == A_LANG)
		cost += 128;
	return cost + 63 - (a->len < 63 ? a->len : 63);
}

#define ZONE_ALL (ZONE_TITLE | ZONE_TEXT | ZONE_AUTHOR)

/* Atoms, each with the zones where it stands for a term. */
struct atomset {
	struct {
		uint32_t atom;
		unsigned zones;
	} * v;
	size_t len;
	uint64_t cost; /* the sum of its atoms' */
};

static void
atomset_add(
    const struct matcher *m, struct atomset *set, uint32_t atom, unsigned zones)
{
	size_t i;

	for (i = 0; i < set->len; i++)
		if (set->v[i].atom == atom) {
			set->v[i].zones |= zones;
			return;
		}
	set->v = xreallocarray(set->v, set->len + 1, sizeof(*set->v));
	set->v[set->len].atom = atom;
	set->v[set->len++].zones = zones;
	set->cost += atom_cost(&m->atoms[atom]);
}

/* Conditions a document must meet for a query to hold: in each set, one
 * of the atoms must be present. */
struct clauses {
	struct atomset *v;
	size_t len;
};

static void
clauses_push(struct clauses *c, struct atomset set)
{
	c->v = xreallocarray(c->v, c->len + 1, sizeof(*c->v));
	c->v[c->len++] = set;
}

static void
clauses_clear(struct clauses *c)
{
	size_t i;

	for (i = 0; i < c->len; i++)
		free(c->v[i].v);
	free(c->v);
	c->v = NULL;
	c->len = 0;
}

/* The clause likeliest to fail (atom_cost); c is not empty. */
static size_t
cheapest(const struct clauses *c)
{
	size_t i, best = 0;

	for (i = 1; i < c->len; i++)
		if (c->v[i].cost < c->v[best].cost)
			best = i;
	return best;
}

static void
push_atom(struct matcher *m, struct clauses *out, uint32_t atom, unsigned zones)
{
	struct atomset set = { NULL, 0, 0 };

	atomset_add(m, &set, atom, zones);
	clauses_push(out, set);
}

/*
 * Appends to out clauses that n requires of a document: every word of a
 * term, site: and lang:, a regex's literals, all the clauses of an AND's
 * or a NEAR's sides, and for an OR one clause joining the cheapest of each
 * branch. A NOT, or an OR with a branch that requires nothing, adds none.
 */
static void
clauses(struct matcher *m, const struct qnode *n, struct clauses *out)
{
	struct clauses kid = { NULL, 0 };
	struct atomset set = { NULL, 0, 0 };
	const struct atomset *best;
	size_t i, k;

	switch (n->type) {
	case Q_TERM:
		for (i = 0; i < n->nwords; i++)
			push_atom(m, out, word_atom(m, &n->words[i]), n->zones);
		break;
	case Q_SITE:
	case Q_LANG:
		push_atom(m, out, value_atom(m, n), ZONE_ALL);
		break;
	case Q_REGEX:
		if (n->pf != NULL)
			push_atom(m, out, regex_atom(m, n), ZONE_ALL);
		break;
	case Q_AND:
	case Q_NEAR: /* both sides must occur, as for AND */
		for (i = 0; i < n->nkids; i++)
			clauses(m, n->kids[i], out);
		break;
	case Q_OR:
		for (i = 0; i < n->nkids; i++) {
			clauses(m, n->kids[i], &kid);
			if (kid.len == 0) {
				free(set.v);
				return;
			}
			best = &kid.v[cheapest(&kid)];
			for (k = 0; k < best->len; k++)
				atomset_add(
				    m, &set, best->v[k].atom, best->v[k].zones);
			clauses_clear(&kid);
		}
		clauses_push(out, set);
		break;
	default:
		break;
	}
}

static void
split_langs(struct watch *w, const char *langs)
{
	const char *p = langs, *end;
	char *code;
	size_t len, i;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			code = xstrndup(p, len);
			for (i = 0; i < len; i++)
				if (code[i] >= 'A' && code[i] <= 'Z')
					code[i] = (char)(code[i] + 32);
				else if (code[i] == '_')
					code[i] = '-';
			w->langs = xreallocarray(
			    w->langs, w->nlangs + 1, sizeof(*w->langs));
			w->langs[w->nlangs++] = code;
		}
		p = *end ? end + 1 : end;
	}
}

int
matcher_add(struct matcher *m, const char *name, const char *query,
    const char *langs, struct query_error *err)
{
	struct qnode *root;
	struct watch *w;

	if ((root = query_parse(query, err)) == NULL)
		return -1;
	m->watches =
	    xreallocarray(m->watches, m->nwatches + 1, sizeof(*m->watches));
	w = &m->watches[m->nwatches++];
	memset(w, 0, sizeof(*w));
	w->name = xstrdup(name);
	w->root = root;
	if (langs != NULL)
		split_langs(w, langs);
	prepare(m, w, root, 0);
	if (w->nterms > m->maxterms)
		m->maxterms = w->nterms;
	m->built = 0;
	return (int)(m->nwatches - 1);
}

/* A word's (or prefix's) first two bytes, the second 0 for one byte. */
static size_t
start_of(const char *key, size_t len)
{
	return (size_t)(unsigned char)key[0] << 8 |
	    (len > 1 ? (unsigned char)key[1] : 0);
}

/*
 * A word's first three bytes, hashed to 16 bits (the third 0 for a shorter
 * word). Two bytes tell too little when many watches are matched: their
 * words then start in so many ways ("da", "no", "tr") that common words
 * ("dans", "nous", "très") pass and are looked up for nothing.
 */
static size_t
word_start_of(const char *key, size_t len)
{
	uint32_t b = (uint32_t)start_of(key, len) << 8 |
	    (len > 2 ? (unsigned char)key[2] : 0);

	return (b * 2654435761u) >> 16;
}

static void
start_set(uint64_t *starts, size_t b)
{
	starts[b / 64] |= (uint64_t)1 << (b % 64);
}

static int
start_has(const uint64_t *starts, size_t b)
{
	return (starts[b / 64] >> (b % 64) & 1) != 0;
}

/* Adds a probed prefix's length to those looked up, kept sorted and
 * distinct, and its start to the filter. */
static void
add_prefix(struct matcher *m, const char *key, size_t len)
{
	size_t i, b, to;

	/* A one-byte prefix starts every word that starts with its byte. */
	b = start_of(key, len);
	for (to = len > 1 ? b : b + 255; b <= to; b++)
		start_set(m->pstarts, b);

	for (i = 0; i < m->nplens && m->plens[i] < len; i++)
		;
	if (i < m->nplens && m->plens[i] == len)
		return;
	m->plens = xreallocarray(m->plens, m->nplens + 1, sizeof(*m->plens));
	memmove(m->plens + i + 1, m->plens + i,
	    (m->nplens - i) * sizeof(*m->plens));
	m->plens[i] = len;
	m->nplens++;
}

static void
watchlist_add(struct watchlist *l, uint32_t id)
{
	l->v = xreallocarray(l->v, l->len + 1, sizeof(*l->v));
	l->v[l->len++] = id;
}

static int
triggers_some(const struct atom *a)
{
	return a->watches[IN_BODY].len + a->watches[IN_AUTHOR].len > 0;
}

/* Appends a clause other than the trigger to the watches'
 * requirements; its atoms must be looked for. */
static void
require(struct matcher *m, const struct atomset *set)
{
	size_t i;

	m->reqs =
	    xreallocarray(m->reqs, m->nreqs + 1 + set->len, sizeof(*m->reqs));
	m->reqs[m->nreqs++] = (uint32_t)set->len;
	for (i = 0; i < set->len; i++) {
		m->reqs[m->nreqs++] = set->v[i].atom;
		m->atoms[set->v[i].atom].probed = 1;
	}
}

void
matcher_build(struct matcher *m)
{
	struct clauses cl = { NULL, 0 };
	const struct atomset *set;
	struct atom *a;
	uint32_t id;
	size_t i, t;

	m->nalways = 0;
	m->nreqs = 0;
	for (i = 0; i < m->natoms; i++) {
		m->atoms[i].watches[IN_BODY].len = 0;
		m->atoms[i].watches[IN_AUTHOR].len = 0;
		m->atoms[i].mentions = 0;
		m->atoms[i].last_watch = 0;
		m->atoms[i].probed = 0;
	}
	for (id = 0; id < m->nwatches; id++)
		count_mentions(m, m->watches[id].root, id);
	m->reqs_at =
	    xreallocarray(m->reqs_at, m->nwatches + 1, sizeof(*m->reqs_at));
	for (id = 0; id < m->nwatches; id++) {
		m->reqs_at[id] = m->nreqs;
		clauses(m, m->watches[id].root, &cl);
		if (cl.len == 0) {
			m->always = xreallocarray(
			    m->always, m->nalways + 1, sizeof(*m->always));
			m->always[m->nalways++] = id;
			continue;
		}
		/* The cheapest clause triggers the watch, the others are
		 * checked before its query is read. */
		t = cheapest(&cl);
		set = &cl.v[t];
		for (i = 0; i < set->len; i++) {
			a = &m->atoms[set->v[i].atom];
			if (set->v[i].zones & (ZONE_TITLE | ZONE_TEXT))
				watchlist_add(&a->watches[IN_BODY], id);
			if (set->v[i].zones & ZONE_AUTHOR)
				watchlist_add(&a->watches[IN_AUTHOR], id);
		}
		for (i = 0; i < cl.len; i++)
			if (i != t)
				require(m, &cl.v[i]);
		clauses_clear(&cl);
	}
	m->reqs_at[m->nwatches] = m->nreqs;
	/* Words only counted (the other words of phrases) are not looked
	 * for; nor are the prefix lengths of such wildcards. */
	m->nplens = 0;
	memset(m->pstarts, 0, sizeof(m->pstarts));
	memset(m->wstarts, 0, sizeof(m->wstarts));
	for (i = 0; i < m->natoms; i++) {
		a = &m->atoms[i];
		a->probed |= a->read || triggers_some(a);
		if (a->probed && a->kind == A_PREFIX)
			add_prefix(m, a->key, a->len);
		else if (a->probed && a->kind == A_WORD)
			start_set(m->wstarts, word_start_of(a->key, a->len));
	}
	/* The regexes' literals, scanned once per document for all of them. */
	litscan_free(m->lits);
	m->lits = litscan_new();
	m->nregexes = 0;
	for (i = 0; i < m->natoms; i++) {
		a = &m->atoms[i];
		if (a->kind != A_REGEX || !a->probed)
			continue;
		litscan_add(m->lits, a->pf);
		m->regexes = xreallocarray(
		    m->regexes, m->nregexes + 1, sizeof(*m->regexes));
		m->regexes[m->nregexes++] = (uint32_t)i;
	}
	litscan_build(m->lits);
	m->built = 1;
}

void
match_result_init(struct match_result *res)
{
	memset(res, 0, sizeof(*res));
}

void
match_result_clear(struct match_result *res)
{
	struct scratch *s = res->scratch;

	if (s != NULL) {
		fold_clear(&s->fw);
		free(s->occ);
		free(s->astamp);
		free(s->lstamp);
		free(s->lfound);
		litscan_scratch_free(s->lscratch);
		free(s->head);
		free(s->tail);
		free(s->wstamp);
		free(s->tstamp);
		free(s->cands);
		free(s->spans);
		free(s->terms);
		free(s->terms_at);
		pcre2_match_data_free(s->md);
		free(s);
	}
	free(res->hits);
	memset(res, 0, sizeof(*res));
}

/* Grows a stamped array to n entries, the new ones stale. */
static uint32_t *
grow_stamps(uint32_t *v, size_t old, size_t n)
{
	v = xreallocarray(v, n, sizeof(*v));
	memset(v + old, 0, (n - old) * sizeof(*v));
	return v;
}

static struct scratch *
scratch_get(const struct matcher *m, struct match_result *res)
{
	struct scratch *s = res->scratch;

	if (s == NULL)
		s = res->scratch = xcalloc(1, sizeof(*s));
	if (s->capatoms < m->natoms) {
		s->astamp = grow_stamps(s->astamp, s->capatoms, m->natoms);
		s->head = xreallocarray(s->head, m->natoms, sizeof(*s->head));
		s->tail = xreallocarray(s->tail, m->natoms, sizeof(*s->tail));
		s->capatoms = m->natoms;
	}
	if (m->lits != NULL && s->caplstates < litscan_literals(m->lits)) {
		s->lstamp = grow_stamps(
		    s->lstamp, s->caplstates, litscan_literals(m->lits));
		s->lfound = xreallocarray(
		    s->lfound, litscan_literals(m->lits), sizeof(*s->lfound));
		s->caplstates = litscan_literals(m->lits);
	}
	if (m->nregexes > 0)
		litscan_scratch_fit(m->lits, &s->lscratch);
	if (s->capwatches < m->nwatches) {
		s->wstamp = grow_stamps(s->wstamp, s->capwatches, m->nwatches);
		s->cands =
		    xreallocarray(s->cands, m->nwatches, sizeof(*s->cands));
		s->capwatches = m->nwatches;
	}
	if (s->capterms < m->maxterms) {
		s->tstamp = grow_stamps(s->tstamp, s->capterms, m->maxterms);
		s->capterms = m->maxterms;
	}
	if (s->md == NULL && (s->md = pcre2_match_data_create(1, NULL)) == NULL)
		abort();
	if (++s->gen == 0) {
		memset(s->astamp, 0, s->capatoms * sizeof(*s->astamp));
		memset(s->wstamp, 0, s->capwatches * sizeof(*s->wstamp));
		memset(s->lstamp, 0, s->caplstates * sizeof(*s->lstamp));
		memset(s->rfield, 0, sizeof(s->rfield));
		s->gen = 1;
	}
	fold_reset(&s->fw);
	s->nocc = 0;
	s->ncands = 0;
	s->nspans = 0;
	s->nterms = 0;
	return s;
}

static void
add_field(struct scratch *s, const char *text)
{
	size_t len;

	if (text != NULL) {
		len = strnlen(text, MATCH_MAX_FIELD);
		fold_words_parts(&s->fw, text, len);
	}
}

/* The host of an absolute link, lowercased, without port or userinfo. */
static void
doc_host(struct scratch *s, const char *link)
{
	const char *p, *end, *at;
	size_t len, i;

	s->host[0] = '\0';
	if (link == NULL || (p = strstr(link, "://")) == NULL)
		return;
	p += 3;
	end = p + strcspn(p, "/?#");
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (*p == '[')
		return;
	for (len = 0; p + len < end && p[len] != ':'; len++)
		;
	while (len > 0 && p[len - 1] == '.')
		len--;
	if (len > MATCH_MAX_HOST)
		return;
	for (i = 0; i < len; i++)
		s->host[i] =
		    (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
	s->host[len] = '\0';
}

static void
doc_lang(struct scratch *s, const char *lang)
{
	size_t i;

	s->lang[0] = '\0';
	if (lang == NULL)
		return;
	while (*lang == ' ')
		lang++;
	for (i = 0; i < MATCH_MAX_LANG && lang[i] != '\0' && lang[i] != ' ';
	     i++)
		s->lang[i] = lang[i] >= 'A' && lang[i] <= 'Z'
		    ? (char)(lang[i] + 32)
		    : lang[i] == '_' ? '-'
		                     : lang[i];
	s->lang[i] = '\0';
}

/* The watches of l become candidates. */
static void
add_cands(struct scratch *s, const struct watchlist *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (s->wstamp[l->v[i]] != s->gen) {
			s->wstamp[l->v[i]] = s->gen;
			s->cands[s->ncands++] = l->v[i];
		}
}

/* Atom first seen in this document, no occurrence listed yet. */
static void
atom_seen(struct scratch *s, uint32_t a)
{
	s->astamp[a] = s->gen;
	s->head[a] = s->tail[a] = NONE;
}

/* A site, language or regex atom present: it is of the whole document. */
static void
doc_atom_seen(const struct matcher *m, struct scratch *s, uint32_t a)
{
	atom_seen(s, a);
	add_cands(s, &m->atoms[a].watches[IN_BODY]);
	add_cands(s, &m->atoms[a].watches[IN_AUTHOR]);
}

/* The word atom a occurs at word tok. The author's words come last: its
 * watches in the author are added at the first occurrence there. */
static void
occurs(const struct matcher *m, struct scratch *s, uint32_t a, uint32_t tok)
{
	int author = tok >= s->bound[1];

	if (s->astamp[a] != s->gen) {
		atom_seen(s, a);
		add_cands(s, &m->atoms[a].watches[author]);
	} else if (s->occ[s->tail[a]].tok == tok)
		return; /* a part and its whole share a wildcard prefix */
	else if (author && s->occ[s->tail[a]].tok < s->bound[1])
		add_cands(s, &m->atoms[a].watches[IN_AUTHOR]);
	if (s->nocc == s->capocc) {
		s->capocc = s->capocc ? s->capocc * 2 : 256;
		s->occ = xreallocarray(s->occ, s->capocc, sizeof(*s->occ));
	}
	s->occ[s->nocc].tok = tok;
	s->occ[s->nocc].next = NONE;
	if (s->tail[a] == NONE)
		s->head[a] = (uint32_t)s->nocc;
	else
		s->occ[s->tail[a]].next = (uint32_t)s->nocc;
	s->tail[a] = (uint32_t)s->nocc++;
}

/* Looks the len bytes at key up as a word of the document at t, its
 * wildcard prefixes too. */
static void
probe_word(const struct matcher *m, struct scratch *s, const char *key,
    size_t len, uint32_t t)
{
	uint32_t h = FNV_OFFSET, a;
	size_t i = 0, p = m->nplens, b = start_of(key, len);

	if (start_has(m->pstarts, b))
		p = 0;
	for (; p < m->nplens && m->plens[p] <= len; p++) {
		for (; i < m->plens[p]; i++)
			h = hash_step(h, (unsigned char)key[i]);
		a = lookup(m, A_PREFIX, key, i, h);
		if (a != NONE && m->atoms[a].probed)
			occurs(m, s, a, t);
	}
	if (!start_has(m->wstarts, word_start_of(key, len)))
		return;
	for (; i < len; i++)
		h = hash_step(h, (unsigned char)key[i]);
	a = lookup(m, A_WORD, key, len, h);
	if (a != NONE && m->atoms[a].probed)
		occurs(m, s, a, t);
}

/* Looks every word of the document up; a hashtag or handle cut into
 * parts is also looked up whole, where its first part is. */
static void
probe_words(const struct matcher *m, struct scratch *s)
{
	const struct fold_word *w;
	size_t t;

	for (t = 0; t < s->fw.len; t++) {
		w = &s->fw.v[t];
		probe_word(m, s, s->fw.text + w->off, w->len, (uint32_t)t);
		if (w->whole_len != 0)
			probe_word(m, s, s->fw.text + w->whole_off,
			    w->whole_len, (uint32_t)t);
	}
}

static void
probe_value(const struct matcher *m, struct scratch *s, enum atom_kind kind,
    const char *v, size_t len)
{
	uint32_t a = lookup(m, kind, v, len, hash_bytes(v, len));

	if (a != NONE && m->atoms[a].probed && s->astamp[a] != s->gen)
		doc_atom_seen(m, s, a);
}

/* The host and each parent domain; the language and its primary tag. */
static void
probe_doc(const struct matcher *m, struct scratch *s)
{
	const char *p;

	for (p = s->host; *p != '\0'; p = strchr(p, '.') + 1) {
		probe_value(m, s, A_SITE, p, strlen(p));
		if (strchr(p, '.') == NULL)
			break;
	}
	if (s->lang[0] != '\0') {
		probe_value(m, s, A_LANG, s->lang, strlen(s->lang));
		if ((p = strchr(s->lang, '-')) != NULL)
			probe_value(
			    m, s, A_LANG, s->lang, (size_t)(p - s->lang));
	}
}

/* A regex atom is present when its literals are: the fields a regex may
 * read are scanned, each on its own and as long as the regex sees it. */
static void
probe_regexes(
    const struct matcher *m, struct scratch *s, const struct match_doc *doc)
{
	const char *fields[] = { doc->title, doc->text, doc->author };
	size_t i, nfound = 0;
	uint32_t a;

	if (m->nregexes == 0)
		return;
	for (i = 0; i < ARRAY_LEN(fields); i++)
		if (fields[i] != NULL)
			litscan_scan(m->lits, s->lscratch, fields[i],
			    strnlen(fields[i], MATCH_MAX_FIELD), s->lstamp,
			    s->gen, s->lfound, &nfound);
	if (litscan_blind(m->lits)) {
		for (i = 0; i < m->nregexes; i++)
			doc_atom_seen(m, s, m->regexes[i]);
		return;
	}
	/* Only the regexes with a literal present: most have none. The
	 * scanner numbers them as m->regexes does. */
	for (i = 0; i < nfound; i++) {
		a = m->regexes[s->lfound[i]];
		if (s->astamp[a] != s->gen &&
		    litscan_holds(m->lits, s->lfound[i], s->lstamp, s->gen))
			doc_atom_seen(m, s, a);
	}
}

/* Whether the document holds an atom of each clause watch id requires
 * beside its trigger: most candidates that fail, fail here, without a
 * read of their query. */
static int
requirements_met(const struct matcher *m, const struct scratch *s, uint32_t id)
{
	const uint32_t *p = m->reqs + m->reqs_at[id],
	               *end = m->reqs + m->reqs_at[id + 1];
	uint32_t i, n;

	for (; p < end; p += n) {
		n = *p++;
		for (i = 0; i < n && s->astamp[p[i]] != s->gen; i++)
			;
		if (i == n)
			return 0;
	}
	return 1;
}

static int
lang_kept(const struct watch *w, const char *lang)
{
	size_t i;

	if (w->nlangs == 0 || lang[0] == '\0')
		return 1;
	for (i = 0; i < w->nlangs; i++)
		if (match_lang_is(lang, w->langs[i]))
			return 1;
	return 0;
}

static void
add_hit(const struct eval *e, struct match_result *res, uint32_t id)
{
	const struct watch *w = &e->m->watches[id];
	struct scratch *s = e->s;
	size_t i;

	/* Terms of the previous hit must not count as seen here. */
	if (++s->tgen == 0) {
		memset(s->tstamp, 0, s->capterms * sizeof(*s->tstamp));
		s->tgen = 1;
	}
	match_mark_terms(e, w->root);
	if (res->nhits == s->caphits) {
		s->caphits = s->caphits ? s->caphits * 2 : 16;
		res->hits =
		    xreallocarray(res->hits, s->caphits, sizeof(*res->hits));
		s->terms_at = xreallocarray(
		    s->terms_at, s->caphits, sizeof(*s->terms_at));
	}
	s->terms_at[res->nhits] = s->nterms;
	res->hits[res->nhits].watch = id;
	res->hits[res->nhits].nterms = 0;
	for (i = 0; i < w->nterms; i++) {
		if (s->tstamp[i] != s->tgen)
			continue;
		if (s->nterms == s->capterms_pool) {
			s->capterms_pool =
			    s->capterms_pool ? s->capterms_pool * 2 : 64;
			s->terms = xreallocarray(
			    s->terms, s->capterms_pool, sizeof(*s->terms));
		}
		s->terms[s->nterms++] = w->terms[i];
		res->hits[res->nhits].nterms++;
	}
	res->nhits++;
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Candidates in watch order, the order of hits: a few dozen at most, as a
 * rule, which insertion sorts in less than qsort takes to call its
 * comparisons. */
static void
sort_ids(uint32_t *v, size_t n)
{
	size_t i, j;
	uint32_t x;

	if (n > 64) {
		qsort(v, n, sizeof(*v), id_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static size_t
run(const struct matcher *m, const struct match_doc *doc,
    struct match_result *res, int indexed)
{
	struct scratch *s = scratch_get(m, res);
	struct eval e = { m, s, doc, indexed };
	size_t i, ncands;
	uint32_t id;

	res->nhits = 0;
	add_field(s, doc->title);
	s->bound[0] = s->fw.len;
	add_field(s, doc->text);
	s->bound[1] = s->fw.len;
	add_field(s, doc->author);
	s->bound[2] = s->fw.len;
	doc_host(s, doc->link);
	doc_lang(s, doc->lang);
	if (indexed) {
		probe_words(m, s);
		probe_doc(m, s);
		probe_regexes(m, s, doc);
		for (i = 0; i < m->nalways; i++)
			if (s->wstamp[m->always[i]] != s->gen) {
				s->wstamp[m->always[i]] = s->gen;
				s->cands[s->ncands++] = m->always[i];
			}
		sort_ids(s->cands, s->ncands);
	}
	ncands = indexed ? s->ncands : m->nwatches;
	for (i = 0; i < ncands; i++) {
		id = indexed ? s->cands[i] : (uint32_t)i;
		if ((!indexed || requirements_met(m, s, id)) &&
		    lang_kept(&m->watches[id], s->lang) &&
		    match_eval(&e, m->watches[id].root))
			add_hit(&e, res, id);
	}
	for (i = 0; i < res->nhits; i++)
		res->hits[i].terms = s->terms + s->terms_at[i];
	return res->nhits;
}

size_t
matcher_match(const struct matcher *m, const struct match_doc *doc,
    struct match_result *res)
{
	return run(m, doc, res, m->built);
}

size_t
matcher_match_naive(const struct matcher *m, const struct match_doc *doc,
    struct match_result *res)
{
	return run(m, doc, res, 0);
}
