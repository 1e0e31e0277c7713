/*
 * test_query.c - the query parser: precedence, implicit AND, grouping,
 * fields, folding of terms, and every error with its column and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/match/query.h"

static void
parses_as(const char *query, const char *want)
{
	struct query_error err;
	struct qnode *n = query_parse(query, &err);
	struct buf b;

	if (n == NULL)
		fail_msg("%s: column %d: %s", query, err.column, err.message);
	buf_init(&b);
	query_format(n, &b);
	if (strcmp(b.data, want) != 0)
		fail_msg("%s: got %s, want %s", query, b.data, want);
	buf_clear(&b);
	query_free(n);
}

static void
fails_with(const char *query, int column, const char *message)
{
	struct query_error err;
	struct qnode *n = query_parse(query, &err);

	if (n != NULL) {
		query_free(n);
		fail_msg("%s: parsed, want an error", query);
	}
	if (err.column != column || strcmp(err.message, message) != 0)
		fail_msg("%s: got column %d: %s; want column %d: %s", query,
		    err.column, err.message, column, message);
}

/* query parses, with a warning at column (0: none) that names word. */
static void
warns_at(const char *query, int column, const char *word)
{
	struct query_error err;
	struct qnode *n = query_parse(query, &err);

	if (n == NULL)
		fail_msg("%s: column %d: %s", query, err.column, err.message);
	query_free(n);
	if (err.warn_column != column)
		fail_msg("%s: warning at column %d (%s), want %d", query,
		    err.warn_column, err.warning, column);
	if (column != 0 && strstr(err.warning, word) == NULL)
		fail_msg("%s: warning %s does not name %s", query, err.warning,
		    word);
}

static void
test_precedence(void **state)
{
	(void)state;
	parses_as("a OR b AND c", "(OR a (AND b c))");
	parses_as("a AND b OR c", "(OR (AND a b) c)");
	parses_as("NOT a AND b", "(AND (NOT a) b)");
	parses_as("a OR NOT b c", "(OR a (AND (NOT b) c))");
	parses_as("a NEAR/3 b AND c", "(AND (NEAR/3 a b) c)");
	parses_as("a OR b OR c", "(OR a b c)");
}

static void
test_implicit_and(void **state)
{
	(void)state;
	parses_as("acme arnaque", "(AND acme arnaque)");
	parses_as("acme NOT promo", "(AND acme (NOT promo))");
	parses_as("acme \"service client\" /x+/",
	    "(AND acme \"service client\" /x+/)");
	parses_as("acme (a OR b)", "(AND acme (OR a b))");
	/* Lowercase operators are words. */
	parses_as("acme or not", "(AND acme or not)");
	parses_as("acme near/3 x", "(AND acme \"near 3\" x)");
}

static void
test_parentheses(void **state)
{
	(void)state;
	parses_as("(a OR b) AND (c OR (d AND NOT e))",
	    "(AND (OR a b) (OR c (AND d (NOT e))))");
	parses_as("((acme))", "acme");
	parses_as("(a OR b)c", "(AND (OR a b) c)");
}

static void
test_terms(void **state)
{
	(void)state;
	parses_as("ÉCOLE Déçu", "(AND ecole decu)");
	parses_as("arnaque*", "arnaque*");
	parses_as("\"service cli*\"", "\"service cli*\"");
	parses_as("l'acme", "\"l acme\"");
	parses_as("e-commerce", "\"e commerce\"");
	parses_as("#Acme @acme_FR", "(AND #acme @acme_fr)");
	parses_as("iPhone15 4G", "(AND iphone15 4g)");
	parses_as("Œuvre", "oeuvre");
	parses_as(
	    "\"voir http://example.com/x\"", "\"voir http example com x\"");
	parses_as("acme NEAR/5 \"service client\"",
	    "(NEAR/5 acme \"service client\")");
	parses_as("(acme OR acmé) NEAR/5 (panne OR bug*)",
	    "(NEAR/5 (OR acme acme) (OR panne bug*))");
	parses_as("/r[eé]gex/", "/r[eé]gex/");
	parses_as("/a\\/b/", "/a\\/b/");
}

static void
test_fields(void **state)
{
	(void)state;
	parses_as("title:acme", "title:acme");
	parses_as("title:(acme OR acmé)", "(OR title:acme title:acme)");
	parses_as("author:\"Jean Dupont\"", "author:\"jean dupont\"");
	parses_as("site:Blog.Example.COM.", "site:blog.example.com");
	parses_as("site:(a.com OR b.fr) acme",
	    "(AND (OR site:a.com site:b.fr) acme)");
	parses_as("lang:FR_ca acme", "(AND lang:fr-ca acme)");
	parses_as("TITLE:acme", "title:acme");
	parses_as("title:/x/", "title:/x/");
	parses_as("title:(acme OR author:bob)", "(OR title:acme author:bob)");
}

static void
test_errors(void **state)
{
	(void)state;
	fails_with("", 1, "empty query");
	fails_with("   ", 4, "empty query");
	fails_with(
	    "(acme OR b", 1, "unbalanced parenthesis: '(' is never closed");
	fails_with("a AND (b OR (c)", 7,
	    "unbalanced parenthesis: '(' is never closed");
	fails_with(
	    "acme) OR b", 5, "unbalanced parenthesis: ')' has no matching '('");
	fails_with("a ()", 3, "empty parentheses");
	fails_with("acme \"service", 6, "unterminated phrase");
	fails_with("acme \"\"", 6, "empty phrase");
	fails_with("acme /abc", 6, "unterminated regex");
	fails_with("acme //", 6, "empty regex");
	fails_with("/abc/i", 6,
	    "a regex ends at its closing '/': flags are not supported, "
	    "regexes are always caseless");
	fails_with("acme foo:bar", 6, "unknown field 'foo'");
	fails_with("acme http://example.com", 6, "unknown field 'http'");
	fails_with("title: acme", 1,
	    "field 'title:' needs a term, phrase or group right after it");
	fails_with(
	    "site:\"a b\"", 6, "site: takes a plain value, not a phrase");
	fails_with("site:example.com/x", 6,
	    "site: takes a host name such as example.com");
	fails_with("lang:français", 6,
	    "lang: takes a language code such as fr or en-gb");
	fails_with("acme NEAR x", 6, "NEAR needs a distance: NEAR/n");
	fails_with("acme NEAR/x y", 6, "NEAR needs a distance: NEAR/n");
	fails_with(
	    "acme NEAR/0 x", 6, "NEAR distance must be between 1 and 100");
	fails_with(
	    "acme NEAR/101 x", 6, "NEAR distance must be between 1 and 100");
	fails_with("acme NEAR/99999999999999999999 x", 6,
	    "NEAR distance must be between 1 and 100");
	fails_with("acme NEAR/3", 6, "NEAR/3 needs a term on each side");
	fails_with("NEAR/3 acme", 1, "NEAR/3 needs a term on each side");
	fails_with("(a AND b) NEAR/3 c", 2,
	    "NEAR/3 joins words, phrases or OR groups of them");
	fails_with("a NEAR/3 /x/", 10,
	    "NEAR/3 joins words, phrases or OR groups of them");
	fails_with("a NEAR/3 b NEAR/3 c", 1,
	    "NEAR/3 joins words, phrases or OR groups of them");
	fails_with("acme AND", 6, "dangling operator AND: nothing after it");
	fails_with(
	    "acme AND OR b", 6, "dangling operator AND: nothing after it");
	fails_with("acme OR", 6, "dangling operator OR: nothing after it");
	fails_with("OR acme", 1, "dangling operator OR: nothing before it");
	fails_with("(AND acme)", 2, "dangling operator AND: nothing before it");
	fails_with("acme NOT", 6, "dangling operator NOT: nothing after it");
	fails_with("NOT acme", 1, "a query needs at least one positive term");
	fails_with(
	    "NOT a AND NOT b", 1, "a query needs at least one positive term");
	fails_with("a OR NOT b", 1, "a query needs at least one positive term");
	fails_with(
	    "acme a*", 6, "a wildcard needs at least 2 characters before '*'");
	fails_with(
	    "#a*", 1, "a wildcard needs at least 2 characters before '*'");
	fails_with("ac*me", 1, "'*' is only allowed at the end of a word");
	fails_with("acme.*", 1, "'*' must follow a letter or digit");
	fails_with("acme !!!", 6, "'!!!' has no letters or digits to match");
	fails_with(
	    "acme -promo", 6, "'-' is not an operator: write NOT to exclude");
	fails_with("acme /a(b/", 10, "bad regex: missing closing parenthesis");
	fails_with("acme /x{2,1}/", 12,
	    "bad regex: numbers out of order in {} quantifier");
}

static void
test_utf8_columns(void **state)
{
	(void)state;
	/* é is one column though two bytes. */
	fails_with("é AND", 3, "dangling operator AND: nothing after it");
	fails_with("déçu (", 6, "unbalanced parenthesis: '(' is never closed");
	fails_with(
	    "déçu (acmé", 6, "unbalanced parenthesis: '(' is never closed");
	fails_with("\"é\" /é(/", 8, "bad regex: missing closing parenthesis");
	fails_with("acme \xff", 6, "invalid UTF-8");
}

static void
test_limits(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < QUERY_MAX_DEPTH + 1; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "acme");
	for (i = 0; i < QUERY_MAX_DEPTH + 1; i++)
		buf_putc(&b, ')');
	fails_with(b.data, QUERY_MAX_DEPTH + 1,
	    "query nested too deeply (more than 64 levels)");
	buf_clear(&b);
	buf_init(&b);
	buf_putc(&b, '"');
	for (i = 0; i < QUERY_MAX_PHRASE + 1; i++)
		buf_puts(&b, "w ");
	buf_putc(&b, '"');
	fails_with(b.data, 2 + 2 * QUERY_MAX_PHRASE,
	    "a phrase may have at most 32 words");
	buf_clear(&b);
	buf_init(&b);
	for (i = 0; i < QUERY_MAX_BYTES / 4 + 1; i++)
		buf_puts(&b, "abc ");
	fails_with(b.data, 1, "query too long (more than 16384 bytes)");
	buf_clear(&b);
}

/* French users' forms: OU, ET, SAUF; guillemets and typographic quotes,
 * with or without the non-breaking spaces French typography puts inside
 * guillemets. */
static void
test_french(void **state)
{
	(void)state;
	parses_as("free OU orange", "(OR free orange)");
	parses_as("free ET forfait", "(AND free forfait)");
	parses_as("free SAUF promo", "(AND free (NOT promo))");
	parses_as("a OU b ET c", "(OR a (AND b c))");
	parses_as("a OU b SAUF c", "(OR a (AND b (NOT c)))");
	parses_as("a OR b OU c", "(OR a b c)");
	parses_as("\xc2\xab service client \xc2\xbb", "\"service client\"");
	parses_as("free \xc2\xabservice client\xc2\xbb",
	    "(AND free \"service client\")");
	parses_as("\xc2\xab\xc2\xa0service client\xc2\xa0\xc2\xbb",
	    "\"service client\"");
	parses_as("\xe2\x80\x9cservice client\xe2\x80\x9d OU \"sav nul\"",
	    "(OR \"service client\" \"sav nul\")");
	parses_as(
	    "title:\xc2\xabservice client\xc2\xbb", "title:\"service client\"");
	/* Lower case, they are words, as or and not are. */
	parses_as("free ou orange", "(AND free ou orange)");
	parses_as("free et sauf", "(AND free et sauf)");
	/* A closing mark of another pair does not close a phrase. */
	fails_with("acme \xc2\xabservice\"", 6, "unterminated phrase");
	fails_with(
	    "acme \xe2\x80\x9cservice\xc2\xbb", 6, "unterminated phrase");
	fails_with("acme ET", 6, "dangling operator ET: nothing after it");
	fails_with("acme OU", 6, "dangling operator OU: nothing after it");
	fails_with("OU acme", 1, "dangling operator OU: nothing before it");
	fails_with("acme SAUF", 6, "dangling operator SAUF: nothing after it");
	fails_with("\xc2\xab \xc2\xbb", 1, "empty phrase");
}

/* A lower-case operator word between terms is searched as a word, and
 * said to be a likely mistake; elsewhere it is just a word. */
static void
test_lower_operator_warning(void **state)
{
	(void)state;
	warns_at("free ou orange", 6, "'ou'");
	warns_at("free ou orange", 6, "write OU");
	warns_at("acme not promo", 6, "write NOT");
	warns_at("a et b sauf c", 3, "write ET");
	warns_at("(acme and globex)", 7, "write AND");
	warns_at("\xc3\xa9t\xc3\xa9 or hiver", 5, "write OR");
	warns_at("free OU orange", 0, NULL);
	warns_at("\"rock and roll\"", 0, NULL);
	warns_at("ou free", 0, NULL);
	warns_at("free ou", 0, NULL);
	warns_at("(free ou) orange", 0, NULL);
	warns_at("free oui orange", 0, NULL);
	warns_at("free OU orange ou sfr", 16, "'ou'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_implicit_and),
		cmocka_unit_test(test_parentheses),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_utf8_columns),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_french),
		cmocka_unit_test(test_lower_operator_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
