/*
 * translate.c - a watch's query in a search engine's syntax (see
 * translate.h).
 *
 * Each node is rendered knowing whether it stands under an odd number of
 * NOTs: what an engine cannot say becomes "anything" where it is wanted
 * and "nothing" where it is excluded, which is what keeps the engine's
 * query at least as broad as the watch's. AND and OR then fold those
 * constants away, as a boolean simplifier would.
 */
#include "core/match/translate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

enum value {
	V_ANY, /* matches anything: left out of an AND */
	V_NONE, /* matches nothing: left out of an OR */
	V_TEXT, /* the text in r.text */
};

struct rendered {
	enum value v;
	struct buf text;
	int group; /* more than one term: needs () inside another operator */
	int positive; /* names something to find, not only exclusions */
	int alternatives; /* an OR at its top */
};

static void render(
    const struct qnode *, enum dialect, int neg, int top, struct rendered *);

/* What an engine cannot say: anything where it is wanted, nothing where
 * it is excluded. */
static void
unsaid(struct rendered *r, int neg)
{
	r->v = neg ? V_NONE : V_ANY;
}

static int
word_ok(const struct qword *w)
{
	/* A truncated word (acm*) would be searched as another word. */
	return !w->prefix && w->len > 0 && strpbrk(w->text, "\"()|:-") == NULL;
}

static void
render_term(const struct qnode *n, int neg, struct rendered *r)
{
	if (!(n->zones & (ZONE_TITLE | ZONE_TEXT))) {
		unsaid(r, neg); /* author:, which no engine searches */
		return;
	}
	for (size_t i = 0; i < n->nwords; i++)
		if (!word_ok(&n->words[i])) {
			unsaid(r, neg);
			return;
		}
	if (n->nwords > 1)
		buf_putc(&r->text, '"');
	for (size_t i = 0; i < n->nwords; i++)
		buf_printf(&r->text, "%s%s", i ? " " : "", n->words[i].text);
	if (n->nwords > 1)
		buf_putc(&r->text, '"');
	r->v = V_TEXT;
	r->positive = 1;
}

/* Appends a kid's text as one operand of an operator. */
static void
operand(struct buf *b, const struct rendered *k)
{
	if (k->group)
		buf_printf(b, "(%s)", k->text.data);
	else
		buf_puts(b, k->text.data);
}

/* AND (and NEAR, read as AND): each operand that says something, side
 * by side. At the top, YouTube's | may stand among exclusions only
 * ("a|b -c", as its documentation writes it): beside another term its
 * reading is the engine's guess, so it is left out there. */
static void
render_and(
    const struct qnode *n, enum dialect d, int neg, int top, struct rendered *r)
{
	struct rendered *k = xcalloc(n->nkids, sizeof *k);
	size_t parts = 0, positive = 0;

	for (size_t i = 0; i < n->nkids; i++) {
		render(n->kids[i], d, neg, top, &k[i]);
		if (k[i].v == V_NONE) {
			r->v = V_NONE;
			goto done;
		}
		positive += k[i].v == V_TEXT && k[i].positive;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		if (k[i].v != V_TEXT)
			continue;
		if (d == DIALECT_YOUTUBE && k[i].alternatives && positive > 1) {
			positive--;
			continue;
		}
		if (parts++ > 0)
			buf_putc(&r->text, ' ');
		/* Only an OR needs its parentheses here. */
		k[i].group = k[i].alternatives && d != DIALECT_YOUTUBE;
		operand(&r->text, &k[i]);
		r->positive |= k[i].positive;
	}
	r->v = parts > 0 ? V_TEXT : V_ANY;
	r->group = parts > 1;
done:
	for (size_t i = 0; i < n->nkids; i++)
		buf_clear(&k[i].text);
	free(k);
}

static void
render_or(
    const struct qnode *n, enum dialect d, int neg, int top, struct rendered *r)
{
	const char *sep = d == DIALECT_YOUTUBE ? "|" : " OR ";
	size_t parts = 0;

	/* YouTube's | takes no parentheses: only at the top; Algolia has
	 * no OR (the top one is split by query_translate). */
	if ((d == DIALECT_YOUTUBE && !top) || d == DIALECT_ALGOLIA) {
		unsaid(r, neg);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		struct rendered k = { 0 };

		render(n->kids[i], d, neg, 0, &k);
		/* An alternative made only of exclusions, or a group YouTube
		 * cannot put beside a |, is one the engine cannot say. */
		if (k.v == V_TEXT &&
		    (!k.positive || (d == DIALECT_YOUTUBE && k.group))) {
			buf_clear(&k.text);
			unsaid(&k, neg);
		}
		if (k.v == V_ANY) {
			buf_clear(&r->text);
			r->v = V_ANY;
			return;
		}
		if (k.v == V_TEXT) {
			if (parts++ > 0)
				buf_puts(&r->text, sep);
			operand(&r->text, &k);
		}
		buf_clear(&k.text);
	}
	if (parts == 0) {
		r->v = V_NONE;
		return;
	}
	r->v = V_TEXT;
	r->positive = 1;
	r->group = r->alternatives = parts > 1;
}

static void
render_not(const struct qnode *n, enum dialect d, int neg, struct rendered *r)
{
	struct rendered k = { 0 };

	render(n->kids[0], d, !neg, 0, &k);
	if (k.v != V_TEXT) {
		r->v = k.v == V_ANY ? V_NONE : V_ANY;
	} else if (d == DIALECT_REDDIT) {
		buf_puts(&r->text, "NOT ");
		operand(&r->text, &k);
		r->v = V_TEXT;
	} else if (d != DIALECT_ALGOLIA && !k.group) {
		/* -word, -"a phrase", -site:x; not a group, which the
		 * engines read in ways of their own. */
		buf_printf(&r->text, "-%s", k.text.data);
		r->v = V_TEXT;
	} else {
		unsaid(r, neg);
	}
	buf_clear(&k.text);
}

static void
render(
    const struct qnode *n, enum dialect d, int neg, int top, struct rendered *r)
{
	buf_init(&r->text);
	switch (n->type) {
	case Q_TERM:
		render_term(n, neg, r);
		break;
	case Q_SITE:
		if (d != DIALECT_WEB) {
			unsaid(r, neg);
			break;
		}
		buf_printf(&r->text, "site:%s", n->value);
		r->v = V_TEXT;
		break;
	case Q_NEAR:
		/* Both words, anywhere: broader, but only where wanted. */
		if (neg)
			unsaid(r, neg);
		else
			render_and(n, d, neg, 0, r);
		break;
	case Q_AND:
		render_and(n, d, neg, top, r);
		break;
	case Q_OR:
		render_or(n, d, neg, top, r);
		break;
	case Q_NOT:
		render_not(n, d, neg, r);
		break;
	case Q_LANG:
	case Q_REGEX:
		unsaid(r, neg);
		break;
	}
}

/* A query's whole text, or NULL when it finds anything or nothing. */
static char *
whole(const struct qnode *n, enum dialect d)
{
	struct rendered r = { 0 };

	render(n, d, 0, 1, &r);
	if (r.v == V_TEXT && r.positive)
		return buf_release(&r.text);
	buf_clear(&r.text);
	return NULL;
}

/* Algolia's alternatives: the top OR's, or those of the one OR a top AND
 * holds, each with the AND's other operands ("(a OR b) c": "a c", "b c").
 * The number written in out, 0 if a piece is not searchable, -1 if too
 * many. */
static int
alternatives(const struct qnode *n, char *out[TRANSLATE_MAX])
{
	const struct qnode * or = n->type == Q_OR ? n : NULL;
	size_t count = 0;

	for (size_t i = 0; or == NULL && n->type == Q_AND && i < n->nkids; i++)
		if (n->kids[i]->type == Q_OR)
			or = n->kids[i];
	if (or == NULL)
		return (out[0] = whole(n, DIALECT_ALGOLIA)) != NULL;
	if (or->nkids > TRANSLATE_MAX)
		return -1;
	for (size_t a = 0; a < or->nkids; a++) {
		struct buf b;
		int ok = 1;

		buf_init(&b);
		for (size_t i = 0; ok && i < (or == n ? 1 : n->nkids); i++) {
			const struct qnode *part = or == n || n->kids[i] == or
			    ? or->kids[a]
			    : n->kids[i];
			struct rendered r = { 0 };

			render(part, DIALECT_ALGOLIA, 0, 0, &r);
			/* The alternative itself must name something; the
			 * other operands may be left out (anything). */
			if (r.v == V_NONE ||
			    (part ==
			        or->kids[a] && (r.v != V_TEXT || !r.positive)))
				ok = 0;
			else if (r.v == V_TEXT)
				buf_printf(
				    &b, "%s%s", b.len ? " " : "", r.text.data);
			buf_clear(&r.text);
		}
		if (!ok) {
			buf_clear(&b);
			while (count > 0)
				free(out[--count]);
			return 0;
		}
		out[count++] = buf_release(&b);
	}
	return (int)count;
}

int
query_translate(const struct qnode *n, enum dialect d, char *out[TRANSLATE_MAX])
{
	if (d == DIALECT_ALGOLIA)
		return alternatives(n, out);
	return (out[0] = whole(n, d)) != NULL;
}

static void
hashtags(
    const struct qnode *n, int neg, struct buf *b, size_t *count, size_t max)
{
	char tag[128];
	size_t len = 0;

	if (n->type == Q_NOT) {
		hashtags(n->kids[0], !neg, b, count, max);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		hashtags(n->kids[i], neg, b, count, max);
	if (n->type != Q_TERM || neg || *count >= max ||
	    !(n->zones & (ZONE_TITLE | ZONE_TEXT)))
		return;
	for (size_t i = 0; i < n->nwords; i++)
		for (const char *p = n->words[i].text; *p; p++)
			if ((isalnum((unsigned char)*p) || *p == '_') &&
			    len + 1 < sizeof tag)
				tag[len++] = *p;
	tag[len] = '\0';
	if (len == 0)
		return;
	/* Listed already? */
	for (const char *p = b->data; p != NULL && *p;) {
		size_t n2 = strcspn(p, ",");

		if (n2 == len && strncmp(p, tag, len) == 0)
			return;
		p += n2 + (p[n2] == ',');
	}
	buf_printf(b, "%s%s", b->len ? "," : "", tag);
	(*count)++;
}

char *
query_hashtags(const struct qnode *n, size_t max)
{
	struct buf b;
	size_t count = 0;

	buf_init(&b);
	hashtags(n, 0, &b, &count, max);
	if (count == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_release(&b);
}
