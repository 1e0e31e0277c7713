/*
 * query.c - lexer and recursive-descent parser of the watch query
 * language (see query.h and docs/QUERIES.md).
 *
 * Grammar, loosest first:
 *	or	= and { ("OR" | "OU") and }
 *	and	= near { ["AND" | "ET"] near }
 *	near	= unary { "NEAR/n" unary }
 *	unary	= ("NOT" | "SAUF") unary | primary
 *	primary	= "(" or ")" | FIELD ":" primary | word | phrase | /regex/
 *	phrase	= "..." | « ... » | “...”
 *
 * French users write the operators in French and quote with guillemets
 * or typographic quotes: both are the same query as the English forms.
 */
#include "core/match/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/utf8.h"
#include "core/match/fold.h"

enum tok {
	T_END,
	T_LPAREN,
	T_RPAREN,
	T_AND,
	T_OR,
	T_NOT,
	T_NEAR,
	T_FIELD,
	T_WORD,
	T_PHRASE,
	T_REGEX,
};

enum field {
	F_NONE,
	F_TITLE,
	F_AUTHOR,
	F_SITE,
	F_LANG,
};

static const char *const field_names[] = {
	[F_TITLE] = "title",
	[F_AUTHOR] = "author",
	[F_SITE] = "site",
	[F_LANG] = "lang",
};

struct parser {
	const char *q;
	size_t len;
	size_t pos; /* where the next token starts, once peeked past */

	/* The token peeked at, if have_tok. */
	int have_tok;
	enum tok tok;
	size_t tok_start, tok_end; /* whole token, quotes and slashes too */
	int tok_distance; /* T_NEAR */
	enum field tok_field; /* T_FIELD */

	enum field field; /* applied to the leaves being parsed */
	int depth;
	struct fold_words fw;
	struct query_error *err;
	int failed;
};

static struct qnode *parse_or(struct parser *);
static struct qnode *parse_unary(struct parser *);

static int
column(const struct parser *p, size_t off)
{
	return (int)fold_count_chars(p->q, off) + 1;
}

static void fail(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	p->err->column = column(p, off);
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int
ends_chunk(char c)
{
	return is_space(c) || c == '(' || c == ')' || c == '"';
}

/* The quotes a phrase may be written with, opening and closing. */
static const struct {
	const char *open, *close;
} quotes[] = {
	{ "\"", "\"" }, { "\xc2\xab", "\xc2\xbb" }, /* « » */
	{ "\xe2\x80\x9c", "\xe2\x80\x9d" }, /* “ ” */
};

/* The quote pair opening at s (left bytes), or -1. */
static int
opening_quote(const char *s, size_t left)
{
	for (size_t i = 0; i < ARRAY_LEN(quotes); i++) {
		size_t n = strlen(quotes[i].open);

		if (n <= left && memcmp(s, quotes[i].open, n) == 0)
			return (int)i;
	}
	return -1;
}

static enum field
field_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < ARRAY_LEN(field_names); i++)
		if (strlen(field_names[i]) == len &&
		    strncasecmp(field_names[i], s, len) == 0)
			return (enum field)i;
	return F_NONE;
}

static int
chunk_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* A bare chunk: operator, NEAR/n, field prefix or plain word. */
static enum tok
lex_chunk(struct parser *p, size_t start)
{
	const char *s = p->q + start;
	size_t len = 0, i;
	long n;

	while (start + len < p->len && !ends_chunk(s[len]))
		len++;
	p->tok_end = start + len;
	if (chunk_is(s, len, "AND") || chunk_is(s, len, "ET"))
		return T_AND;
	if (chunk_is(s, len, "OR") || chunk_is(s, len, "OU"))
		return T_OR;
	if (chunk_is(s, len, "NOT") || chunk_is(s, len, "SAUF"))
		return T_NOT;
	if (chunk_is(s, len, "NEAR") || (len > 4 && !strncmp(s, "NEAR/", 5))) {
		for (i = 5, n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (n <= QUERY_MAX_NEAR)
				n = n * 10 + (s[i] - '0');
		if (len <= 5 || i < len) {
			fail(p, start, "NEAR needs a distance: NEAR/n");
			return T_END;
		}
		if (n < 1 || n > QUERY_MAX_NEAR) {
			fail(p, start, "NEAR distance must be between 1 and %d",
			    QUERY_MAX_NEAR);
			return T_END;
		}
		p->tok_distance = (int)n;
		return T_NEAR;
	}
	for (i = 0; i < len &&
	     ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'));
	     i++)
		;
	if (i > 0 && i < len && s[i] == ':') {
		p->tok_field = field_lookup(s, i);
		if (p->tok_field == F_NONE) {
			fail(p, start, "unknown field '%.*s'", (int)i, s);
			return T_END;
		}
		p->tok_end = start + i + 1;
		if (i + 1 == len &&
		    (start + len == p->len || is_space(s[len]) ||
		        s[len] == ')')) {
			fail(p, start,
			    "field '%.*s:' needs a term, phrase or group "
			    "right after it",
			    (int)i, s);
			return T_END;
		}
		return T_FIELD;
	}
	return T_WORD;
}

/* A quoted phrase or a /regex/, from the opening delimiter. */
static enum tok
lex_delimited(struct parser *p, size_t start)
{
	int quote = opening_quote(p->q + start, p->len - start);
	const char *close = quote >= 0 ? quotes[quote].close : "/";
	size_t open_len = quote >= 0 ? strlen(quotes[quote].open) : 1;
	size_t close_len = strlen(close);
	size_t i;

	for (i = start + open_len; i < p->len &&
	     (i + close_len > p->len || memcmp(p->q + i, close, close_len));
	     i++)
		if (quote < 0 && p->q[i] == '\\' && i + 1 < p->len)
			i++;
	if (i >= p->len) {
		fail(p, start,
		    quote >= 0 ? "unterminated phrase" : "unterminated regex");
		return T_END;
	}
	p->tok_end = i + close_len;
	if (quote < 0 && p->tok_end < p->len && !ends_chunk(p->q[p->tok_end])) {
		fail(p, p->tok_end,
		    "a regex ends at its closing '/': flags are not "
		    "supported, regexes are always caseless");
		return T_END;
	}
	return quote >= 0 ? T_PHRASE : T_REGEX;
}

static enum tok
peek(struct parser *p)
{
	size_t i = p->pos;

	if (p->have_tok)
		return p->tok;
	while (i < p->len && is_space(p->q[i]))
		i++;
	p->tok_start = p->tok_end = i;
	if (i >= p->len)
		p->tok = T_END;
	else if (p->q[i] == '(' || p->q[i] == ')') {
		p->tok = p->q[i] == '(' ? T_LPAREN : T_RPAREN;
		p->tok_end = i + 1;
	} else if (p->q[i] == '/' || opening_quote(p->q + i, p->len - i) >= 0)
		p->tok = lex_delimited(p, i);
	else
		p->tok = lex_chunk(p, i);
	p->have_tok = 1;
	return p->tok;
}

static void
next(struct parser *p)
{
	p->pos = p->tok_end;
	p->have_tok = 0;
}

static int
starts_operand(enum tok t)
{
	return t == T_WORD || t == T_PHRASE || t == T_REGEX || t == T_LPAREN ||
	    t == T_NOT || t == T_FIELD;
}

static struct qnode *
node_new(enum qtype type, size_t off, const struct parser *p)
{
	struct qnode *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->column = column(p, off);
	n->term = -1;
	return n;
}

void
node_free(struct qnode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	for (i = 0; i < n->nwords; i++)
		free(n->words[i].text);
	free(n->kids);
	free(n->words);
	free(n->src);
	free(n->value);
	pcre2_code_free(n->re);
	prefilter_free(n->pf);
	free(n);
}

static struct qnode *
node_join(enum qtype type, struct qnode *a, struct qnode *b)
{
	struct qnode *n;

	/* a OR b OR c is one node with three children. */
	if (a->type == type && type != Q_NEAR)
		n = a;
	else {
		n = xcalloc(1, sizeof(*n));
		n->type = type;
		n->column = a->column;
		n->term = -1;
		n->kids = xreallocarray(NULL, 2, sizeof(*n->kids));
		n->kids[n->nkids++] = a;
	}
	n->kids = xreallocarray(n->kids, n->nkids + 1, sizeof(*n->kids));
	n->kids[n->nkids++] = b;
	return n;
}

/*
 * Adds the words of the chunk s (one whitespace-free piece of a term or
 * phrase, at query offset off) to the term n.
 */
static void
add_chunk(struct parser *p, struct qnode *n, size_t off, size_t len)
{
	const char *s = p->q + off;
	const struct fold_word *w;
	struct qword *qw;
	size_t i, first, chars;
	int prefix = 0;

	if (len > 1 && s[len - 1] == '*') {
		prefix = 1;
		len--;
	}
	if (memchr(s, '*', len) != NULL) {
		fail(p, off, "'*' is only allowed at the end of a word");
		return;
	}
	fold_reset(&p->fw);
	fold_words(&p->fw, s, len);
	if (prefix &&
	    (p->fw.len == 0 || p->fw.v[p->fw.len - 1].src_end != len)) {
		fail(p, off, "'*' must follow a letter or digit");
		return;
	}
	if (n->nwords + p->fw.len > QUERY_MAX_PHRASE) {
		fail(p, off, "a phrase may have at most %d words",
		    QUERY_MAX_PHRASE);
		return;
	}
	if (prefix) {
		w = &p->fw.v[p->fw.len - 1];
		chars = fold_count_chars(s + w->src, w->src_end - w->src) -
		    (w->sigil != 0);
		if (chars < 2) {
			fail(p, off,
			    "a wildcard needs at least 2 characters before "
			    "'*'");
			return;
		}
	}
	first = n->nwords;
	n->words =
	    xreallocarray(n->words, n->nwords + p->fw.len, sizeof(*n->words));
	for (i = 0; i < p->fw.len; i++) {
		w = &p->fw.v[i];
		qw = &n->words[n->nwords++];
		memset(qw, 0, sizeof(*qw));
		qw->text = xstrndup(p->fw.text + w->off, w->len);
		qw->len = w->len;
		qw->sigil = w->sigil;
	}
	if (prefix)
		n->words[first + p->fw.len - 1].prefix = 1;
}

static unsigned
field_zones(enum field f)
{
	switch (f) {
	case F_TITLE:
		return ZONE_TITLE;
	case F_AUTHOR:
		return ZONE_AUTHOR;
	default:
		return ZONE_DEFAULT;
	}
}

/* site:host and lang:code take a plain value, not words. */
static struct qnode *
parse_value(struct parser *p, size_t off, size_t len)
{
	const char *s = p->q + off;
	struct qnode *n;
	size_t i;
	char c;

	n = node_new(p->field == F_SITE ? Q_SITE : Q_LANG, off, p);
	n->value = xstrndup(s, len);
	if (p->field == F_SITE && len > 1 && n->value[len - 1] == '.')
		n->value[--len] = '\0';
	for (i = 0; i < len; i++) {
		c = n->value[i];
		if (c >= 'A' && c <= 'Z')
			c = n->value[i] = (char)(c + 32);
		if (p->field == F_LANG && c == '_')
			c = n->value[i] = '-';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-')
			continue;
		if (p->field == F_SITE &&
		    (c == '.' || (unsigned char)c >= 0x80))
			continue;
		break;
	}
	if (i < len || len == 0 || (p->field == F_SITE && n->value[0] == '.') ||
	    (p->field == F_LANG && len > 15)) {
		fail(p, off,
		    p->field == F_SITE
		        ? "site: takes a host name such as example.com"
		        : "lang: takes a language code such as fr or en-gb");
		node_free(n);
		return NULL;
	}
	return n;
}

static struct qnode *
parse_term(struct parser *p, enum tok t, size_t start, size_t end)
{
	struct qnode *n;
	size_t i, j;

	if (p->field == F_SITE || p->field == F_LANG) {
		if (t != T_WORD) {
			fail(p, start, "%s: takes a plain value, not a %s",
			    field_names[p->field],
			    t == T_PHRASE ? "phrase" : "regex");
			return NULL;
		}
		return parse_value(p, start, end - start);
	}
	if (t == T_WORD && p->q[start] == '-' && end - start > 1) {
		fail(p, start, "'-' is not an operator: write NOT to exclude");
		return NULL;
	}
	n = node_new(Q_TERM, start, p);
	n->zones = field_zones(p->field);
	if (t == T_WORD)
		add_chunk(p, n, start, end - start);
	else {
		/* A phrase: whitespace-separated chunks, each cut into words
		 * like a bare term, so "l'acme" and l'acme agree. */
		int quote = opening_quote(p->q + start, end - start);
		size_t from = start + strlen(quotes[quote].open);
		size_t to = end - strlen(quotes[quote].close);

		for (i = from; i < to && !p->failed; i = j) {
			while (i < to && is_space(p->q[i]))
				i++;
			for (j = i; j < to && !is_space(p->q[j]); j++)
				;
			if (j > i)
				add_chunk(p, n, i, j - i);
		}
	}
	if (!p->failed && n->nwords == 0)
		fail(p, start,
		    t == T_WORD ? "'%.*s' has no letters or digits to match"
		                : "empty phrase",
		    (int)(end - start), p->q + start);
	if (p->failed) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct qnode *
parse_regex(struct parser *p, size_t start, size_t end)
{
	PCRE2_UCHAR msg[200];
	PCRE2_SIZE erroff;
	struct qnode *n;
	size_t plen = end - start - 2;
	int errcode;

	if (p->field == F_SITE || p->field == F_LANG)
		return parse_term(p, T_REGEX, start, end);
	if (plen == 0) {
		fail(p, start, "empty regex");
		return NULL;
	}
	n = node_new(Q_REGEX, start, p);
	n->zones = field_zones(p->field);
	n->re = pcre2_compile((PCRE2_SPTR)(p->q + start + 1), plen,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &errcode, &erroff, NULL);
	if (n->re == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		fail(p, start + 1 + (erroff < plen ? erroff : plen),
		    "bad regex: %s", (const char *)msg);
		node_free(n);
		return NULL;
	}
	/* Without JIT (a unit denying executable memory), pcre2_match
	 * falls back to the interpreter by itself. */
	pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);
	n->pf = prefilter_from_regex(p->q + start + 1, plen);
	return n;
}

/* Bounds the recursion a hostile query could ask for. */
static int
enter(struct parser *p, size_t at)
{
	if (++p->depth <= QUERY_MAX_DEPTH)
		return 1;
	fail(p, at, "query nested too deeply (more than %d levels)",
	    QUERY_MAX_DEPTH);
	return 0;
}

static int
is_leaf(const struct qnode *n)
{
	return n->type == Q_TERM || n->type == Q_SITE || n->type == Q_LANG ||
	    n->type == Q_REGEX;
}

static struct qnode *
parse_primary(struct parser *p)
{
	enum tok t = peek(p);
	size_t start = p->tok_start, end = p->tok_end;
	enum field saved;
	struct qnode *n;

	if (p->failed)
		return NULL;
	switch (t) {
	case T_LPAREN:
		next(p);
		if (peek(p) == T_RPAREN) {
			fail(p, start, "empty parentheses");
			return NULL;
		}
		if (peek(p) == T_END) {
			fail(p, start,
			    "unbalanced parenthesis: '(' is never closed");
			return NULL;
		}
		if (!enter(p, start) || (n = parse_or(p)) == NULL)
			return NULL;
		p->depth--;
		if (peek(p) != T_RPAREN) {
			fail(p, start,
			    "unbalanced parenthesis: '(' is never closed");
			node_free(n);
			return NULL;
		}
		next(p);
		return n;
	case T_FIELD:
		saved = p->field;
		p->field = p->tok_field;
		next(p);
		if (!enter(p, start))
			return NULL;
		n = parse_primary(p);
		p->depth--;
		p->field = saved;
		/* Report title:acme as written, field and all. */
		if (n != NULL && is_leaf(n) && p->q[end] != '(') {
			free(n->src);
			n->src = xstrndup(p->q + start, p->pos - start);
			n->column = column(p, start);
		}
		return n;
	case T_WORD:
	case T_PHRASE:
		next(p);
		n = parse_term(p, t, start, end);
		break;
	case T_REGEX:
		next(p);
		n = parse_regex(p, start, end);
		break;
	case T_RPAREN:
		fail(p, start,
		    "unbalanced parenthesis: ')' has no matching '('");
		return NULL;
	case T_AND:
	case T_OR:
		/* Named as written: ET is not AND to whoever typed it. */
		fail(p, start, "dangling operator %.*s: nothing before it",
		    (int)(end - start), p->q + start);
		return NULL;
	case T_NEAR:
		fail(p, start, "NEAR/%d needs a term on each side",
		    p->tok_distance);
		return NULL;
	default:
		fail(p, start, "empty query");
		return NULL;
	}
	if (n != NULL)
		n->src = xstrndup(p->q + start, end - start);
	return n;
}

/* The operator at `at` has no operand after it; it is named as written
 * (ET is not AND to whoever typed it). */
static void
dangling(struct parser *p, size_t at)
{
	size_t len = 0;

	while (at + len < p->len && !ends_chunk(p->q[at + len]))
		len++;
	fail(p, at, "dangling operator %.*s: nothing after it", (int)len,
	    p->q + at);
}

static struct qnode *
parse_unary(struct parser *p)
{
	size_t start;
	struct qnode *n, *kid;

	if (peek(p) != T_NOT)
		return parse_primary(p);
	start = p->tok_start;
	next(p);
	if (!starts_operand(peek(p))) {
		if (!p->failed)
			dangling(p, start);
		return NULL;
	}
	if (!enter(p, start) || (kid = parse_unary(p)) == NULL)
		return NULL;
	p->depth--;
	n = node_new(Q_NOT, start, p);
	n->kids = xreallocarray(NULL, 1, sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
	return n;
}

/* What NEAR can measure: words and phrases, alone or in OR groups. */
static const struct qnode *
unmeasurable(const struct qnode *n)
{
	const struct qnode *bad;
	size_t i;

	if (n->type == Q_TERM)
		return NULL;
	if (n->type != Q_OR)
		return n;
	for (i = 0; i < n->nkids; i++)
		if ((bad = unmeasurable(n->kids[i])) != NULL)
			return bad;
	return NULL;
}

static struct qnode *
parse_near(struct parser *p)
{
	struct qnode *n, *rhs;
	const struct qnode *bad;
	size_t at;
	int distance;

	if ((n = parse_unary(p)) == NULL)
		return NULL;
	while (peek(p) == T_NEAR) {
		at = p->tok_start;
		distance = p->tok_distance;
		next(p);
		if (!starts_operand(peek(p))) {
			if (!p->failed)
				fail(p, at, "NEAR/%d needs a term on each side",
				    distance);
			break;
		}
		if ((rhs = parse_unary(p)) == NULL)
			break;
		n = node_join(Q_NEAR, n, rhs);
		n->distance = distance;
		if ((bad = unmeasurable(n->kids[0])) != NULL ||
		    (bad = unmeasurable(rhs)) != NULL) {
			fail(p, 0,
			    "NEAR/%d joins words, phrases or OR groups of "
			    "them",
			    distance);
			p->err->column = bad->column;
			break;
		}
	}
	if (p->failed) {
		node_free(n);
		return NULL;
	}
	return n;
}

/*
 * A lower-case operator word between two terms ("free ou orange") is a
 * word to search for, as in "rock and roll" - but far more often an
 * operator mistyped. The query stands; the first such word is reported
 * as a warning. p has peeked a T_WORD after an operand.
 */
static void
warn_lower_operator(struct parser *p)
{
	static const char *const words[][2] = { { "or", "OR" },
		{ "and", "AND" }, { "not", "NOT" }, { "ou", "OU" },
		{ "et", "ET" }, { "sauf", "SAUF" } };
	size_t start = p->tok_start, len = p->tok_end - start, after;

	if (p->err->warn_column != 0)
		return;
	for (after = p->tok_end; after < p->len && is_space(p->q[after]);
	     after++)
		;
	if (after == p->len || p->q[after] == ')')
		return;
	for (size_t i = 0; i < ARRAY_LEN(words); i++) {
		if (!chunk_is(p->q + start, len, words[i][0]))
			continue;
		p->err->warn_column = column(p, start);
		snprintf(p->err->warning, sizeof p->err->warning,
		    "lower-case '%s' is searched as a word, not an "
		    "operator: write %s if an operator was meant",
		    words[i][0], words[i][1]);
		return;
	}
}

static struct qnode *
parse_and(struct parser *p)
{
	struct qnode *n, *rhs;
	size_t at;

	if ((n = parse_near(p)) == NULL)
		return NULL;
	for (;;) {
		if (peek(p) == T_AND) {
			at = p->tok_start;
			next(p);
			if (!starts_operand(peek(p))) {
				if (!p->failed)
					dangling(p, at);
				break;
			}
		} else if (!starts_operand(peek(p)))
			break;
		else if (peek(p) == T_WORD)
			warn_lower_operator(p);
		if ((rhs = parse_near(p)) == NULL)
			break;
		n = node_join(Q_AND, n, rhs);
	}
	if (p->failed) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct qnode *
parse_or(struct parser *p)
{
	struct qnode *n, *rhs;
	size_t at;

	if ((n = parse_and(p)) == NULL)
		return NULL;
	while (peek(p) == T_OR) {
		at = p->tok_start;
		next(p);
		if (!starts_operand(peek(p))) {
			if (!p->failed)
				dangling(p, at);
			break;
		}
		if ((rhs = parse_and(p)) == NULL)
			break;
		n = node_join(Q_OR, n, rhs);
	}
	if (p->failed) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* Whether n can only be true when some term in it is present. */
static int
positive(const struct qnode *n)
{
	size_t i;

	switch (n->type) {
	case Q_NOT:
		return 0;
	case Q_AND:
		for (i = 0; i < n->nkids; i++)
			if (positive(n->kids[i]))
				return 1;
		return 0;
	case Q_OR:
		for (i = 0; i < n->nkids; i++)
			if (!positive(n->kids[i]))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/*
 * A parsed tree is moved into one block, each node followed by its words,
 * their texts, its strings and its children's pointers, then by its
 * children: a matcher with thousands of watches evaluates a few of them
 * per document, and each watch's query, read from memory, is then a few
 * consecutive cache lines instead of a dozen scattered allocations.
 */
#define PACK_ALIGN 16

static size_t
pack_round(size_t n)
{
	return (n + PACK_ALIGN - 1) & ~(size_t)(PACK_ALIGN - 1);
}

static size_t
str_size(const char *str)
{
	return str == NULL ? 0 : strlen(str) + 1;
}

static size_t
packed_size(const struct qnode *n)
{
	size_t i,
	    size = pack_round(sizeof(*n)) +
	    pack_round(n->nwords * sizeof(*n->words)) +
	    pack_round(n->nkids * sizeof(*n->kids)) + str_size(n->src) +
	    str_size(n->value);

	for (i = 0; i < n->nwords; i++)
		size += str_size(n->words[i].text);
	size = pack_round(size);
	for (i = 0; i < n->nkids; i++)
		size += packed_size(n->kids[i]);
	return size;
}

/* Where len bytes of src land in the block at *at, then past them. */
static void *
put(char **at, const void *src, size_t len, size_t room)
{
	void *dst = *at;

	if (len > 0)
		memcpy(dst, src, len);
	*at += room;
	return dst;
}

static char *
put_str(char **at, const char *str)
{
	return str == NULL ? NULL
	                   : put(at, str, strlen(str) + 1, strlen(str) + 1);
}

/* Copies n at *at, its regex and prefilter moved rather than copied. */
static struct qnode *
pack_at(char **at, struct qnode *n)
{
	char *start = *at;
	struct qnode *c = put(at, n, sizeof(*n), pack_round(sizeof(*n)));
	size_t i;

	c->words = n->nwords == 0
	    ? NULL
	    : put(at, n->words, n->nwords * sizeof(*n->words),
	          pack_round(n->nwords * sizeof(*n->words)));
	c->kids = n->nkids == 0 ? NULL
	                        : put(at, n->kids, n->nkids * sizeof(*n->kids),
	                              pack_round(n->nkids * sizeof(*n->kids)));
	for (i = 0; i < n->nwords; i++)
		c->words[i].text = put_str(at, n->words[i].text);
	c->src = put_str(at, n->src);
	c->value = put_str(at, n->value);
	*at = start + pack_round((size_t)(*at - start));
	n->re = NULL;
	n->pf = NULL;
	for (i = 0; i < n->nkids; i++)
		c->kids[i] = pack_at(at, n->kids[i]);
	return c;
}

static struct qnode *
pack(struct qnode *n)
{
	char *block = xcalloc(1, packed_size(n)), *at = block;
	struct qnode *root = pack_at(&at, n);

	node_free(n);
	return root;
}

/* Frees what a packed tree does not hold in its block. */
static void
unpack(struct qnode *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++)
		unpack(n->kids[i]);
	pcre2_code_free(n->re);
	prefilter_free(n->pf);
}

struct qnode *
query_parse(const char *query, struct query_error *err)
{
	struct parser p;
	struct qnode *n = NULL;
	size_t bad;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.q = query;
	p.len = strlen(query);
	p.err = err;
	if (p.len > QUERY_MAX_BYTES)
		fail(&p, 0, "query too long (more than %d bytes)",
		    QUERY_MAX_BYTES);
	else if ((bad = utf8_valid_len(query, p.len)) < p.len)
		fail(&p, bad, "invalid UTF-8");
	else if (peek(&p) == T_END && !p.failed)
		fail(&p, p.tok_start, "empty query");
	else if ((n = parse_or(&p)) != NULL) {
		if (peek(&p) == T_RPAREN)
			fail(&p, p.tok_start,
			    "unbalanced parenthesis: ')' has no matching '('");
		else if (!positive(n))
			fail(&p, 0, "a query needs at least one positive term");
	}
	fold_clear(&p.fw);
	if (p.failed) {
		node_free(n);
		return NULL;
	}
	return pack(n);
}

void
query_free(struct qnode *root)
{
	if (root != NULL) {
		unpack(root);
		free(root);
	}
}

static void
format_word(const struct qword *w, struct buf *b)
{
	if (w->sigil)
		buf_putc(b, w->sigil);
	buf_append(b, w->text, w->len);
	if (w->prefix)
		buf_putc(b, '*');
}

void
query_format(const struct qnode *n, struct buf *b)
{
	static const char *const ops[] = {
		[Q_AND] = "AND", [Q_OR] = "OR", [Q_NOT] = "NOT"
	};
	size_t i;

	if ((n->type == Q_TERM || n->type == Q_REGEX) &&
	    n->zones != ZONE_DEFAULT)
		buf_puts(b, n->zones == ZONE_TITLE ? "title:" : "author:");
	switch (n->type) {
	case Q_TERM:
		if (n->nwords > 1)
			buf_putc(b, '"');
		for (i = 0; i < n->nwords; i++) {
			if (i > 0)
				buf_putc(b, ' ');
			format_word(&n->words[i], b);
		}
		if (n->nwords > 1)
			buf_putc(b, '"');
		break;
	case Q_SITE:
	case Q_LANG:
		buf_printf(
		    b, "%s:%s", n->type == Q_SITE ? "site" : "lang", n->value);
		break;
	case Q_REGEX:
		buf_puts(
		    b, n->src + (n->src[0] != '/' ? strcspn(n->src, "/") : 0));
		break;
	default:
		if (n->type == Q_NEAR)
			buf_printf(b, "(NEAR/%d", n->distance);
		else
			buf_printf(b, "(%s", ops[n->type]);
		for (i = 0; i < n->nkids; i++) {
			buf_putc(b, ' ');
			query_format(n->kids[i], b);
		}
		buf_putc(b, ')');
	}
}
