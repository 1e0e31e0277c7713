/*
 * test_conf_rules.c - the configuration of what is watched and who hears
 * of it: [watch] sections in the main file and in included files, [rules],
 * [sentiment], [smtp], [notify] and the checks across files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alert/mail.h"
#include "core/base/util.h"
#include "core/config/conf.h"

#define DIR FIXTURES "/conf/"
#define DAY (24 * 3600 * 1000LL)

static void
test_watches_and_includes(void **state)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(DIR "watches.conf", &d);

	(void)state;
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_int_equal(c->nwatches, 3);
	assert_string_equal(c->watches[0].name, "Acme");
	assert_string_equal(c->watches[0].query, "acme OR \"acme corp\"");
	assert_string_equal(c->watches[0].lang, "fr,en");
	assert_string_equal(c->watches[0].tags, "brand");
	assert_string_equal(c->watches[0].notify, "team,chat");
	assert_int_equal(c->watches[0].line, 34);
	assert_int_equal(c->watches[0].query_line, 35);
	/* Included files in name order, with their own paths and lines. */
	assert_string_equal(c->watches[1].name, "Globex");
	assert_string_equal(
	    c->watches[1].file, DIR "rules.d/10-competitors.conf");
	assert_int_equal(c->watches[1].query_line, 2);
	assert_string_equal(c->watches[2].name, "CEO");
	assert_string_equal(c->watches[2].file, DIR "rules.d/20-people.conf");
	assert_null(c->watches[2].lang);
	assert_non_null(conf_find_source(c, "included"));
	assert_int_equal(c->rules.backfill_ms, 7 * DAY);
	assert_string_equal(
	    c->sentiment.overrides, DIR "brand.tsv," DIR "more.tsv");
	assert_true(c->sentiment.neutral_band == 0.1);
	assert_string_equal(c->smtp.url, "smtp://127.0.0.1:2525");
	assert_int_equal(c->smtp.starttls, 1);
	assert_int_equal(c->nnotifies, 2);
	assert_string_equal(conf_find_notify(c, "team")->lang, "fr");
	assert_string_equal(conf_find_notify(c, "team")->email,
	    "cm@example.com,pr@example.com");
	assert_int_equal(conf_find_notify(c, "chat")->slack, 1);
	assert_string_equal(
	    conf_find_notify(c, "chat")->secret_file, DIR "secret.key");
	assert_null(conf_find_notify(c, "nobody"));
	assert_string_equal(c->poll.notify, "team");
	assert_int_equal(c->poll.alert_after, 3);
	conf_free(c);
}

static void
test_defaults(void **state)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(DIR "minimal.conf", &d);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->nwatches, 0);
	assert_int_equal(c->rules.backfill_ms, 30 * DAY);
	assert_true(c->sentiment.neutral_band == 0.05);
	assert_non_null(strstr(c->sentiment.lexicons, "/lexicons"));
	assert_null(c->smtp.url);
	assert_int_equal(c->poll.alert_after, 5);
	conf_free(c);
}

/* Writes text to a file in dir and returns its path. */
static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* msg without the temporary directory, wherever it appears. */
static char *
relative(const char *msg, const char *dir)
{
	struct buf b;
	size_t n = strlen(dir);
	const char *p;

	buf_init(&b);
	while ((p = strstr(msg, dir)) != NULL) {
		buf_append(&b, msg, (size_t)(p - msg));
		msg = p + n + 1;
	}
	buf_puts(&b, msg);
	return buf_release(&b);
}

static void
expect_errors(const char *main_text, const char *inc_text,
    const char *const *want, size_t nwant)
{
	char dir[] = "/tmp/vigie-conf-XXXXXX";
	struct diag d = { 0 };
	char *main_path, *inc_path = NULL;
	struct conf *c;

	assert_non_null(mkdtemp(dir));
	main_path = write_file(dir, "main.conf", main_text);
	if (inc_text != NULL)
		inc_path = write_file(dir, "inc.conf", inc_text);
	c = conf_load(main_path, &d);
	assert_null(c);
	/* Paths vary with the temporary directory. */
	for (size_t i = 0; i < d.len; i++) {
		char *msg = relative(d.msgs[i], dir);
		if (i >= nwant || strcmp(msg, want[i]) != 0)
			print_message("got[%zu]: %s\n", i, msg);
		free(msg);
	}
	for (size_t i = 0; i < d.len && i < nwant; i++) {
		char *msg = relative(d.msgs[i], dir);
		assert_string_equal(msg, want[i]);
		free(msg);
	}
	assert_int_equal(d.len, nwant);
	diag_clear(&d);
	unlink(main_path);
	free(main_path);
	if (inc_path != NULL) {
		unlink(inc_path);
		free(inc_path);
	}
	rmdir(dir);
}

static void
test_errors(void **state)
{
	static const char main_text[] =
	    "[rules]\n"
	    "include = inc.conf, missing.conf\n"
	    "[watch \"A\"]\n"
	    "lang = fr, 9x\n"
	    "notify = ghost\n"
	    "[watch \"\"]\n"
	    "[notify \"n\"]\n"
	    "email = not-an-address, ok@example.com\n"
	    "format = teams\n"
	    "lang = de\n"
	    "[notify \"hook\"]\n"
	    "webhook = ftp://example.com/x\n"
	    "[smtp]\n"
	    "url = http://mail.example.com\n"
	    "starttls = maybe\n"
	    "[sentiment]\n"
	    "neutral_band = 1.5\n"
	    "[daemon]\n"
	    "listen = 9464\n";
	static const char inc_text[] = "[watch \"A\"]\n"
	                               "query = x\n"
	                               "[poll]\n"
	                               "interval = 1m\n"
	                               "[watch \"B\"]\n"
	                               "tags = no query\n";
	static const char *const want[] = {
		"main.conf:4: bad lang '9x' (expected language tags such as fr or "
		"en-US, separated by commas)",
		"main.conf:3: watch \"A\" has no query",
		"main.conf:6: empty watch name in [watch \"\"]",
		"main.conf:8: bad address 'not-an-address' in email (expected "
		"user@host, in ASCII: a domain such as xn--socit-esab.fr for "
		"soci\xc3\xa9t\xc3\xa9.fr)",
		"main.conf:9: bad format 'teams' (expected json or slack)",
		"main.conf:10: bad lang 'de' (expected fr or en)",
		"main.conf:12: bad webhook 'ftp://example.com/x' (expected an "
		"absolute http:// or https:// URL)",
		"main.conf:14: bad url 'http://mail.example.com' (expected "
		"smtp://HOST:PORT or smtps://HOST:PORT)",
		"main.conf:15: bad starttls 'maybe' (expected yes or no)",
		"main.conf:17: neutral_band '1.5' is out of range (0 to 0.99)",
		"main.conf:19: bad listen '9464' (expected HOST:PORT, such as "
		"127.0.0.1:9464)",
		"inc.conf:1: duplicate watch \"A\" (first defined at "
		"main.conf:3)",
		"inc.conf:3: [poll] is not allowed in an included file (only "
		"[watch] and [source] are)",
		"inc.conf:5: watch \"B\" has no query",
		"missing.conf: cannot read: No such file or directory",
		"main.conf:3: watch \"A\": notify 'ghost' is not a [notify "
		"\"ghost\"] section",
		"main.conf: [smtp] has a url but no from",
	};

	(void)state;
	expect_errors(main_text, inc_text, want, sizeof want / sizeof *want);
}

static void
test_cross_checks(void **state)
{
	static const char main_text[] = "[notify \"team\"]\n"
	                                "email = cm@example.com\n"
	                                "[poll]\n"
	                                "notify = team, other\n";
	static const char *const want[] = {
		"main.conf: [poll]: notify 'other' is not a [notify \"other\"] "
		"section",
		"main.conf:1: notify \"team\" sends email but [smtp] has no url",
	};

	(void)state;
	expect_errors(main_text, NULL, want, sizeof want / sizeof *want);
}

/* The configuration takes an address exactly when the mail's headers
 * can be written with it: one it let through would lose every alert sent
 * to its list, found only when the first one fires. */
static void
test_addresses(void **state)
{
	static const char *const bad[] = {
		"jo..lee@example.com", /* two dots */
		".jo@example.com",
		"vigie@exa_mple.com", /* no _ in a host name */
		"alertes@soci\xc3\xa9t\xc3\xa9.fr", /* not in its xn-- form */
		"jos\xc3\xa9@example.com",
		"jo lee@example.com",
		"jo@example.com.",
		"@example.com",
		"jo@",
		"jo@a@example.com",
	};
	static const char *const good[] = {
		"jo@example.com",
		"jo.lee+alertes@mail.example.co.uk",
		"o'brien@example.ie",
		"crise@xn--socit-esab.fr",
	};
	char dir[] = "/tmp/vigie-conf-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* Each address as a recipient (line 5), then as the sender (line
	 * 3): both are written into the same headers. */
	for (size_t i = 0; i < 2 * (ARRAY_LEN(bad) + ARRAY_LEN(good)); i++) {
		size_t k = i % (ARRAY_LEN(bad) + ARRAY_LEN(good));
		int ok = k >= ARRAY_LEN(bad), as_from = i != k;
		const char *addr = ok ? good[k - ARRAY_LEN(bad)] : bad[k];
		char *text = xasprintf("[smtp]\nurl = smtp://127.0.0.1:25\n"
		                       "from = %s\n"
		                       "[notify \"team\"]\nemail = %s\n"
		                       "[watch \"A\"]\nquery = acme\n",
		    as_from ? addr : "vigie@example.com",
		    as_from ? "jo@example.com" : addr);
		char *path = write_file(dir, "main.conf", text);
		char *where = xasprintf("%s:%d: ", path, as_from ? 3 : 5);
		struct diag d = { 0 };
		struct conf *c = conf_load(path, &d);
		const char *to[] = { addr };
		struct buf b;

		if ((c != NULL) != ok)
			print_message(
			    "%s: %s\n", addr, d.len ? d.msgs[0] : "accepted");
		assert_int_equal(c != NULL, ok);
		if (!ok) {
			assert_int_equal(d.len, 1);
			assert_non_null(strstr(d.msgs[0], where));
			assert_non_null(strstr(d.msgs[0], "bad address"));
		}
		buf_init(&b);
		assert_int_equal(mail_headers(&b, "vigie@example.com", to, 1,
		                     "s", 0, "id", "example.com") == 0,
		    ok);
		buf_clear(&b);
		conf_free(c);
		diag_clear(&d);
		unlink(path);
		free(where);
		free(path);
		free(text);
	}
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watches_and_includes),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
