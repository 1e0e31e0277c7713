/*
 * test_conf.c - the configuration file: value syntax, a complete file, the
 * defaults, OPML import, lines longer than inih's buffer, the lookup of
 * sources by name, and every kind of mistake with its exact message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/base/log.h"
#include "core/config/conf.h"
#include "core/read/xml.h"
#include "core/report/report.h"
#include "core/report/schedule.h"

#define DIR FIXTURES "/conf/"
#define SEC 1000LL
#define MIN (60 * SEC)

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {
		{ "30s", 30 * SEC },
		{ "15m", 15 * MIN },
		{ "2h", 120 * MIN },
		{ "1d", 1440 * MIN },
		{ "500ms", 500 },
		{ "90", 90 * SEC },
		{ "0", 0 },
	};
	static const char *const bad[] = {
		"",
		"s",
		"15M",
		"1w",
		"1.5h",
		"-5s",
		"+5s",
		" 5s",
		"5 s",
		"5ss",
		"99999999999999999999",
		"9223372036854775807s",
	};
	int64_t ms;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		assert_int_equal(conf_parse_duration(good[i].s, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(conf_parse_duration(bad[i], &ms), -1);
}

static void
test_sizes(void **state)
{
	static const struct {
		const char *s;
		int64_t bytes;
	} good[] = {
		{ "512k", 512 * 1024 },
		{ "512K", 512 * 1024 },
		{ "10M", 10 * 1024 * 1024 },
		{ "1G", 1024 * 1024 * 1024 },
		{ "1g", 1024 * 1024 * 1024 },
		{ "4096", 4096 },
	};
	static const char *const bad[] = {
		"",
		"k",
		"10X",
		"10MB",
		"1.5M",
		"-1k",
		"10 M",
		"9223372036854775807G",
	};
	int64_t n;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		assert_int_equal(conf_parse_size(good[i].s, &n), 0);
		assert_int_equal(n, good[i].bytes);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(conf_parse_size(bad[i], &n), -1);
}

static void
assert_source(const struct conf *c, const char *name, const char *url,
    const char *file, int line)
{
	const struct conf_source *s = conf_find_source(c, name);

	assert_non_null(s);
	assert_string_equal(s->url, url);
	assert_string_equal(s->file, file);
	assert_int_equal(s->line, line);
}

static void
test_full(void **state)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(DIR "good.conf", &d);
	const struct conf_source *s;

	(void)state;
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_string_equal(c->conninfo, "host=/tmp dbname=vigie_test");
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_int_equal(c->poll.interval_ms, 20 * MIN);
	assert_int_equal(c->poll.timeout_ms, 45 * SEC);
	assert_int_equal(c->poll.max_body, 2 * 1024 * 1024);
	assert_int_equal(c->poll.concurrency, 16);
	assert_int_equal(c->poll.per_host, 4);
	assert_string_equal(c->poll.user_agent, "vigie-test/1.0");
	assert_string_equal(c->poll.opml, DIR "feeds.opml");

	assert_int_equal(c->nsources, 7);
	s = &c->sources[0];
	assert_string_equal(s->name, "Le Monde");
	assert_string_equal(s->url, "https://www.lemonde.fr/rss/une.xml");
	assert_int_equal(s->interval_ms, 5 * MIN);
	assert_string_equal(s->lang, "fr");
	assert_string_equal(s->tags, "presse,france,une");
	assert_string_equal(s->file, DIR "good.conf");
	assert_int_equal(s->line, 17);
	s = &c->sources[1];
	assert_string_equal(s->name, "Example");
	assert_int_equal(s->line, 23);
	assert_int_equal(s->interval_ms, 20 * MIN);
	assert_null(s->lang);
	assert_null(s->tags);
	assert_source(
	    c, "Example (2)", "https://example.com/other", DIR "good.conf", 26);

	/* From the OPML file: nested folders, the name clashes numbered, the
	 * URL already configured and the one listed twice skipped, the
	 * untitled named by its URL. */
	assert_source(c, "Example (3)", "https://example.org/atom.xml",
	    DIR "feeds.opml", 7);
	assert_source(c, "Only a title", "https://blog.example.net/feed",
	    DIR "feeds.opml", 8);
	assert_source(c, "https://untitled.example.com/rss",
	    "https://untitled.example.com/rss", DIR "feeds.opml", 12);
	assert_source(c, "Example (4)", "https://third.example/feed",
	    DIR "feeds.opml", 13);
	assert_int_equal(
	    conf_find_source(c, "Example (4)")->interval_ms, 20 * MIN);
	assert_null(conf_find_source(c, "Le Monde again"));
	assert_null(conf_find_source(c, "Twice in the export"));
	assert_null(conf_find_source(c, "example"));
	conf_free(c);
}

static void
test_defaults(void **state)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(DIR "minimal.conf", &d);

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->conninfo, "");
	assert_int_equal(c->log_level, LOG_LVL_INFO);
	assert_int_equal(c->poll.interval_ms, 15 * MIN);
	assert_int_equal(c->poll.timeout_ms, 30 * SEC);
	assert_int_equal(c->poll.max_body, 10 * 1024 * 1024);
	assert_int_equal(c->poll.concurrency, 64);
	assert_int_equal(c->poll.per_host, 2);
	assert_string_equal(c->poll.user_agent,
	    "vigie/" VIGIE_VERSION
	    " (+https://github.com/vigie-monitor/vigie)");
	assert_null(c->poll.opml);
	assert_int_equal(c->nsources, 1);
	assert_int_equal(c->sources[0].interval_ms, 15 * MIN);
	conf_free(c);
}

static void
assert_diag(const char *path, const char *const *want, size_t nwant)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(path, &d);

	assert_null(c);
	for (size_t i = 0; i < d.len && i < nwant; i++)
		assert_string_equal(d.msgs[i], want[i]);
	assert_int_equal(d.len, nwant);
	diag_clear(&d);
}

static void
test_every_error(void **state)
{
	static const char *const want[] = {
		DIR "bad.conf:2: key 'stray' outside of any section",
		DIR "bad.conf:4: interval '5s' is out of range (10s to 30d)",
		DIR "bad.conf:5: bad duration 'soon' for timeout (expected a "
		    "number and a unit: ms, s, m, h or d, e.g. 15m)",
		DIR
		"bad.conf:6: bad size '10X' for max_body (expected a number "
		"of bytes and an optional unit: k, M or G, e.g. 10M)",
		DIR "bad.conf:7: bad number 'lots' for concurrency (expected a "
		    "whole number)",
		DIR "bad.conf:8: per_host '0' is out of range (1 to 100)",
		DIR "bad.conf:9: unknown key 'colour' in [poll]",
		DIR "bad.conf:11: duplicate key 'timeout' in [poll] (first set "
		    "at line 5)",
		DIR "bad.conf:12: empty user_agent",
		DIR "bad.conf:15: unknown log_level 'loud' (expected err, "
		    "warning, notice, info or debug)",
		DIR "bad.conf:17: unknown section [alerts]",
		DIR
		"bad.conf:21: bad url 'ftp://example.com/feed' (expected an "
		"absolute http:// or https:// URL)",
		DIR "bad.conf:22: bad duration '1w' for interval (expected a "
		    "number and a unit: ms, s, m, h or d, e.g. 15m)",
		DIR
		"bad.conf:23: bad lang 'fr fr' (expected a language tag such "
		"as fr or en-US)",
		DIR "bad.conf:25: source \"B\" has no url",
		DIR
		"bad.conf:28: duplicate source \"A\" (first defined at line "
		"20)",
		DIR "bad.conf:31: bad section [source A] (expected [source "
		    "\"NAME\"])",
		DIR "bad.conf:32: empty source name in [source \"\"]",
		DIR "bad.conf:33: syntax error: expected 'key = value'",
		DIR "bad.conf:34: syntax error: no ']' to close the section "
		    "header",
		DIR "bad.conf:37: bad url '/relative/feed.xml' (expected an "
		    "absolute http:// or https:// URL)",
		DIR "bad.conf:40: interval '40d' is out of range (10s to 30d)",
		DIR "bad.conf:43: unknown key 'colour' in [source \"D\"]",
		DIR "bad.opml:4: bad url 'gopher://example.com/feed' (expected "
		    "an absolute http:// or https:// URL)",
		DIR "bad.opml:5: bad url 'feed.xml' (expected an absolute "
		    "http:// or https:// URL)",
	};

	(void)state;
	assert_diag(DIR "bad.conf", want, ARRAY_LEN(want));
}

static void
test_opml_errors(void **state)
{
	static const char *const notopml[] = {
		DIR "notopml.xml:2: not an OPML document (root element <rss>, "
		    "expected <opml>)",
	};
	static const char *const missing[] = {
		DIR "missing.opml: cannot read: No such file or directory",
	};
	struct diag d = { 0 };

	(void)state;
	assert_diag(DIR "notopml.conf", notopml, 1);
	assert_diag(DIR "missing-opml.conf", missing, 1);
	/* The rest of the message is libxml2's own wording. */
	assert_null(conf_load(DIR "broken.conf", &d));
	assert_int_equal(d.len, 1);
	assert_non_null(
	    strstr(d.msgs[0], DIR "broken.opml:7: not well-formed XML: "));
	diag_clear(&d);
}

/* Entities declared in the OPML file are not expanded: a few nested ones
 * could make gigabytes. The predefined ones and character references are
 * ordinary text. */
static void
test_opml_entities(void **state)
{
	struct diag d = { 0 };
	struct conf *c = conf_load(DIR "entities.conf", &d);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->nsources, 1);
	assert_string_equal(c->sources[0].name, "A  & B \xC3\xA9");
	assert_string_equal(c->sources[0].url, "https://x.example/?a=1&b=2");
	conf_free(c);
}

static void
test_unreadable(void **state)
{
	static const char *const missing[] = {
		DIR "nonexistent.conf: cannot read: No such file or directory",
	};
	static const char *const dir[] = {
		DIR ": cannot read: not a regular file",
	};
	/* Read to its end, a device never ends and a FIFO waits for a
	 * writer: refused at once. */
	static const char *const zero[] = {
		"/dev/zero: cannot read: not a regular file",
	};
	char dirbuf[] = "/tmp/vigie-test-fifo-XXXXXX", path[64], want[128];
	const char *fifo[] = { want };

	(void)state;
	assert_diag(DIR "nonexistent.conf", missing, 1);
	assert_diag(DIR, dir, 1);
	assert_diag("/dev/zero", zero, 1);
	assert_non_null(mkdtemp(dirbuf));
	snprintf(path, sizeof path, "%s/vigie.conf", dirbuf);
	snprintf(
	    want, sizeof want, "%s: cannot read: not a regular file", path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_diag(path, fifo, 1);
	unlink(path);
	rmdir(dirbuf);
}

/* A NUL byte would end its line unseen: "http://127.0.0.1/\0evil" read
 * as "http://127.0.0.1/". The line is refused, the others read. */
static void
test_nul_byte(void **state)
{
	static const char text[] =
	    "[source \"a\"]\nurl = http://127.0.0.1/\0evil\n"
	    "[source \"b\"]\nurl = http://b.example/\n";
	char path[64];
	struct diag d = { 0 };
	int fd;

	(void)state;
	snprintf(path, sizeof path, "/tmp/vigie-test-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(
	    write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	assert_null(conf_load(path, &d));
	unlink(path);
	assert_true(d.len >= 1);
	assert_non_null(strstr(d.msgs[0], ":2: a NUL byte in the line"));
	diag_clear(&d);
}

/* Writes text to a file of its own and loads it. */
static struct conf *
load_text(const char *text, struct diag *d, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "/tmp/vigie-test-conf-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct conf *c = conf_load(path, d);
	unlink(path);
	return c;
}

static void
test_text_forms(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	/* A byte order mark, CRLF line ends, "key: value", comments. */
	c = load_text("\xEF\xBB\xBF[source \"bom\"]\r\n"
	              "; comment\r\n# comment\r\n"
	              "url: https://example.com/x?a=1;b=2 ; not part of it\r\n"
	              "tags = ,\r\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_string_equal(c->sources[0].name, "bom");
	assert_string_equal(c->sources[0].url, "https://example.com/x?a=1;b=2");
	assert_null(c->sources[0].tags);
	conf_free(c);

	/* Bounds at their edges: in, then just out. */
	c = load_text("[poll]\ninterval = 10s\ntimeout = 10m\nmax_body = 1G\n"
	              "concurrency = 10000\nper_host = 100\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_int_equal(c->poll.max_body, 1024 * 1024 * 1024);
	conf_free(c);
	c = load_text(
	    "[poll]\ninterval = 9999ms\ntimeout = 601s\n"
	    "max_body = 1023\nconcurrency = 10001\nper_host = 101\n"
	    "opml =\n[source \"x\"]\nurl = https://example.com/\nlang =\n",
	    &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 7);
	assert_non_null(strstr(d.msgs[0],
	    ":2: interval '9999ms' is out of "
	    "range (10s to 30d)"));
	assert_non_null(strstr(d.msgs[1],
	    ":3: timeout '601s' is out of "
	    "range (1s to 10m)"));
	assert_non_null(strstr(d.msgs[2],
	    ":4: max_body '1023' is out of "
	    "range (1k to 1G)"));
	assert_non_null(strstr(d.msgs[3],
	    ":5: concurrency '10001' is out "
	    "of range (1 to 10000)"));
	assert_non_null(strstr(d.msgs[4],
	    ":6: per_host '101' is out of "
	    "range (1 to 100)"));
	assert_non_null(strstr(d.msgs[5], ":7: empty opml path"));
	assert_non_null(strstr(d.msgs[6], ":10: bad lang '' (expected"));
	diag_clear(&d);
}

/* A [watch] may set any [detect] key for itself; what it leaves unset
 * comes from [detect], wherever that section is in the file. */
static void
test_watch_detect(void **state)
{
	char path[64];
	struct diag d = { 0 };
	const struct conf_watch *big, *niche;
	struct conf *c;

	(void)state;
	c = load_text("[watch \"big\"]\n"
	              "query = danone\n"
	              "min_count = 50\n"
	              "cold_threshold = 200\n"
	              "window = 2h\n"
	              "p_value = 1e-6\n"
	              "[watch \"niche\"]\n"
	              "query = bledina\n"
	              "[detect]\n"
	              "min_count = 8\n"
	              "cooldown = 1h\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	big = conf_find_watch(c, "big");
	niche = conf_find_watch(c, "niche");
	assert_non_null(big);
	assert_non_null(niche);
	assert_null(conf_find_watch(c, "Big"));
	assert_int_equal(big->detect.min_count, 50);
	assert_int_equal(big->detect.cold_threshold, 200);
	assert_int_equal(big->detect.window_ms, 120 * MIN);
	assert_true(big->detect.p_value == 1e-6);
	/* Inherited: [detect]'s value, or its default. */
	assert_int_equal(big->detect.cooldown_ms, 60 * MIN);
	assert_int_equal(big->detect.bucket_ms, 5 * MIN);
	assert_int_equal(niche->detect.min_count, 8);
	assert_int_equal(niche->detect.cold_threshold, 20);
	assert_int_equal(niche->detect.window_ms, 60 * MIN);
	assert_int_equal(niche->detect.cooldown_ms, 60 * MIN);
	/* [detect] itself is untouched by the watches. */
	assert_int_equal(c->detect.min_count, 8);
	assert_true(c->detect.p_value == 1e-4);
	conf_free(c);
}

/* A watch's [detect] keys are checked as [detect]'s: their form on their
 * line, their bounds and how they fit together on the merged values. */
static void
test_watch_detect_errors(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	c = load_text("[watch \"a\"]\n"
	              "query = x\n"
	              "min_count = lots\n"
	              "min_count = 3\n"
	              "[watch \"b\"]\n"
	              "query = x\n"
	              "escalate = 3\n"
	              "p_value = 2\n"
	              "[watch \"c\"]\n"
	              "query = x\n"
	              "min_count = 50\n"
	              "[watch \"d\"]\n"
	              "query = x\n"
	              "window = 7m\n"
	              "colour = blue\n"
	              "[detect]\n"
	              "cold_threshold = 30\n",
	    &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 6);
	assert_non_null(strstr(d.msgs[0],
	    ":4: duplicate key 'min_count' in [watch \"a\"] (first set at "
	    "line 3)"));
	assert_non_null(strstr(d.msgs[1],
	    ":15: unknown key 'colour' in "
	    "[watch \"d\"]"));
	assert_non_null(strstr(d.msgs[2],
	    ":3: bad number 'lots' for min_count (expected a whole "
	    "number)"));
	assert_non_null(
	    strstr(d.msgs[3], ":8: watch \"b\": p_value must be in (0, 1)"));
	/* Set by [detect], at odds with the watch's min_count: on the
	 * watch's header. */
	assert_non_null(strstr(d.msgs[4],
	    ":9: watch \"c\": cold_threshold must be between min_count and "
	    "1000000"));
	assert_non_null(strstr(d.msgs[5],
	    ":14: watch \"d\": window must be a multiple of bucket"));
	diag_clear(&d);

	/* A mistake in [detect] is reported there, not again for each
	 * watch that inherits it. */
	c = load_text("[detect]\n"
	              "min_ratio = 0.5\n"
	              "[watch \"a\"]\n"
	              "query = x\n"
	              "min_count = 7\n",
	    &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 1);
	assert_non_null(strstr(
	    d.msgs[0], ":1: [detect]: min_ratio must be between 1 and 1000"));
	diag_clear(&d);
}

/* spread_sites and spread_window: [detect]'s for every watch, a watch's
 * own over them; their mistakes on their lines. */
static void
test_watch_spread(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	c = load_text("[detect]\n"
	              "spread_sites = 0\n"
	              "[watch \"acme\"]\n"
	              "query = acme\n"
	              "spread_sites = 8\n"
	              "spread_window = 30m\n"
	              "[watch \"globex\"]\n"
	              "query = globex\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_int_equal(conf_find_watch(c, "acme")->detect.spread_sites, 8);
	assert_int_equal(
	    conf_find_watch(c, "acme")->detect.spread_window_ms, 30 * MIN);
	assert_int_equal(conf_find_watch(c, "globex")->detect.spread_sites, 0);
	assert_int_equal(
	    conf_find_watch(c, "globex")->detect.spread_window_ms, 60 * MIN);
	conf_free(c);

	c = load_text("[watch \"a\"]\n"
	              "query = x\n"
	              "spread_sites = 1\n"
	              "[watch \"b\"]\n"
	              "query = x\n"
	              "spread_window = 30s\n"
	              "[watch \"c\"]\n"
	              "query = x\n"
	              "spread_sites = many\n"
	              "spread_window = soon\n",
	    &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 4);
	assert_non_null(strstr(d.msgs[0],
	    ":9: bad number 'many' for spread_sites (expected a whole "
	    "number)"));
	assert_non_null(strstr(d.msgs[1], ":10: bad duration 'soon'"));
	assert_non_null(strstr(d.msgs[2],
	    ":3: watch \"a\": spread_sites must be 0 (off) or between 2 "
	    "and 10000"));
	assert_non_null(strstr(d.msgs[3],
	    ":6: watch \"b\": spread_window must be between 1m and 7d"));
	diag_clear(&d);

	c = load_text(
	    "[detect]\nspread_sites = 100000\n", &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 1);
	assert_non_null(strstr(d.msgs[0],
	    ":1: [detect]: spread_sites must be 0 (off) or between 2 and "
	    "10000"));
	diag_clear(&d);
}

/* [dashboard]: French and the system's zone unless said, no logins;
 * what could not be a language or a zone is refused where it is. */
static void
test_dashboard(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	c = load_text(
	    "[watch \"Acme\"]\nquery = acme\n", &d, path, sizeof path);
	assert_non_null(c);
	assert_null(c->dashboard.lang);
	assert_null(c->dashboard.tz);
	assert_false(c->dashboard.logins);
	assert_false(c->dashboard.secure);
	conf_free(c);

	c = load_text("[dashboard]\nlang = en\ntz = America/Argentina/"
	              "Buenos_Aires\nlogins = yes\nsecure = yes\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_string_equal(c->dashboard.lang, "en");
	assert_string_equal(c->dashboard.tz, "America/Argentina/Buenos_Aires");
	assert_true(c->dashboard.logins);
	assert_true(c->dashboard.secure);
	conf_free(c);

	c = load_text("[dashboard]\nlang = de\ntz = ../../etc/passwd\n"
	              "tz = Europe/Paris\nlogins = maybe\ncolour = red\n",
	    &d, path, sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 5);
	assert_non_null(strstr(d.msgs[0], ":2: bad lang 'de'"));
	assert_non_null(strstr(d.msgs[1], ":3: unknown tz '../../etc/passwd'"));
	assert_non_null(strstr(d.msgs[2], ":4: duplicate key 'tz'"));
	assert_non_null(strstr(d.msgs[3], ":5:"));
	assert_non_null(strstr(d.msgs[4], ":6:"));
	diag_clear(&d);
}

/* The set a watch's share of voice is counted in: a brand and its
 * competitor in one, the brand's sub-watch in none. */
static void
test_watch_compare(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	c = load_text("[watch \"Acme\"]\nquery = acme\ncompare = cola\n"
	              "[watch \"Globex\"]\nquery = globex\ncompare = cola\n"
	              "[watch \"Acme - plaintes\"]\nquery = acme AND scam\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_string_equal(conf_find_watch(c, "Acme")->compare, "cola");
	assert_string_equal(conf_find_watch(c, "Globex")->compare, "cola");
	assert_null(conf_find_watch(c, "Acme - plaintes")->compare);
	conf_free(c);

	c = load_text("[watch \"Acme\"]\nquery = acme\ncompare =\n", &d, path,
	    sizeof path);
	assert_null(c);
	assert_int_equal(d.len, 1);
	assert_non_null(strstr(d.msgs[0], ":3: empty compare"));
	diag_clear(&d);
}

/* What every [report] test starts from: two watches, tagged, and where
 * reports can go. */
#define REPORT_BASE \
	"[smtp]\nurl = smtp://127.0.0.1:2525\nfrom = vigie@example.com\n" \
	"[notify \"direction\"]\nemail = com@example.com\n" \
	"[notify \"hook\"]\nwebhook = https://example.com/h\n" \
	"[notify \"slack\"]\nwebhook = https://example.com/s\n" \
	"format = slack\n" \
	"[watch \"Acme\"]\nquery = acme\ntags = brand\n" \
	"[watch \"Globex\"]\nquery = globex\n"
/* Lines 1 to 15 are REPORT_BASE's. */

static void
test_reports(void **state)
{
	char path[64];
	struct diag d = { 0 };
	struct conf *c;
	const struct conf_report *r;

	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	c = load_text(REPORT_BASE
	    "[report \"hebdo\"]\nevery = weekly\nat = 07:30\n"
	    "tz = America/New_York\nwatches = Acme, Globex\n"
	    "notify = direction, hook\nlang = en\nformat = md\n"
	    "[report \"jour\"]\nevery = daily\ntags = brand\n"
	    "notify = direction\n",
	    &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_int_equal(c->nreports, 2);
	r = conf_find_report(c, "hebdo");
	assert_non_null(r);
	assert_int_equal(r->every, EVERY_WEEKLY);
	assert_int_equal(r->at_min, 7 * 60 + 30);
	assert_string_equal(r->tz, "America/New_York");
	assert_string_equal(r->watches, "Acme,Globex");
	assert_null(r->tags);
	assert_string_equal(r->notify, "direction,hook");
	assert_string_equal(r->lang, "en");
	assert_int_equal(r->format, REPORT_MD);
	assert_int_equal(r->line, 16);
	/* The defaults: 08:00, the process's zone, French, HTML. */
	r = conf_find_report(c, "jour");
	assert_int_equal(r->every, EVERY_DAILY);
	assert_int_equal(r->at_min, 8 * 60);
	assert_string_equal(r->tz, "Europe/Paris");
	assert_null(r->watches);
	assert_string_equal(r->tags, "brand");
	assert_string_equal(r->lang, "fr");
	assert_int_equal(r->format, REPORT_HTML);
	assert_null(conf_find_report(c, "Jour"));
	conf_free(c);
	unsetenv("TZ");
}

static void
test_report_errors(void **state)
{
	static const char *const want[] = {
		":17: bad every 'hourly' (expected daily, weekly or monthly)",
		":18: bad at '8h' (expected HH:MM, 00:00 to 23:59)",
		":19: unknown tz 'Europe/Lutece' (expected a zone of the tz "
		"database, such as Europe/Paris or UTC)",
		":20: bad lang 'de' (expected fr or en)",
		":21: bad format 'pdf' (expected html, csv or md)",
		":22: unknown key 'period' in [report \"a\"]",
		":16: report \"a\" has no every (daily, weekly or monthly)",
		":27: bad at '24:00' (expected HH:MM, 00:00 to 23:59)",
		":28: unknown tz '../../etc/passwd' (expected a zone of the tz "
		"database, such as Europe/Paris or UTC)",
		":25: report \"b\" has no notify",
		":25: report \"b\" needs either watches or tags (not both)",
		":29: report \"c\" needs either watches or tags (not both)",
		":34: duplicate report \"c\" (first defined at line 29)",
		":16: report \"a\": notify 'nobody' is not a [notify \"nobody\"] "
		"section",
		":16: report \"a\": no watch named \"Initech\"",
		":29: report \"c\": notify 'slack' has format = slack, which "
		"reports are not sent in",
		":29: report \"c\": no watch has the tag \"nope\"",
	};
	char path[64];
	struct diag d = { 0 };
	struct conf *c;

	(void)state;
	c = load_text(REPORT_BASE "[report \"a\"]\n"
	                          "every = hourly\n"
	                          "at = 8h\n"
	                          "tz = Europe/Lutece\n"
	                          "lang = de\n"
	                          "format = pdf\n"
	                          "period = 1d\n"
	                          "watches = Initech\n"
	                          "notify = nobody\n"
	                          "[report \"b\"]\n"
	                          "every = daily\n"
	                          "at = 24:00\n"
	                          "tz = ../../etc/passwd\n"
	                          "[report \"c\"]\n"
	                          "every = monthly\n"
	                          "watches = Acme\n"
	                          "tags = nope\n"
	                          "notify = slack\n"
	                          "[report \"c\"]\n",
	    &d, path, sizeof path);
	assert_null(c);
	for (size_t i = 0; i < d.len && i < ARRAY_LEN(want); i++) {
		const char *m = d.msgs[i];
		size_t n = strlen(m), w = strlen(want[i]);

		assert_true(n > w);
		assert_string_equal(m + n - w, want[i]);
	}
	assert_int_equal(d.len, ARRAY_LEN(want));
	diag_clear(&d);
}

/* n characters that are not all alike, so that a cut or a shift shows. */
static char *
filler(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	return s;
}

static void
test_long_values(void **state)
{
	char path[64];
	struct diag d = { 0 };
	char *app = filler(460), *feed = filler(1964);
	char *conninfo = xasprintf("host=db.example.com dbname=vigie "
	                           "application_name=%s",
	    app);
	char *url = xasprintf("https://www.google.com/alerts/feeds/%s", feed);
	char *name = filler(300);
	char *comment = filler(1000);
	char *text =
	    xasprintf("[database]\nconninfo = %s\n; %s\n# %s\n"
	              "[source \"%s\"]\r\nurl = %s ; where the alerts are\r\n"
	              "tags =   a, b   \n",
	        conninfo, comment, comment, name, url);

	(void)state;
	assert_int_equal(strlen(url), 2000);
	assert_true(strlen(conninfo) >= 500);
	struct conf *c = load_text(text, &d, path, sizeof path);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_string_equal(c->conninfo, conninfo);
	assert_int_equal(c->nsources, 1);
	assert_string_equal(c->sources[0].name, name);
	assert_int_equal(c->sources[0].line, 5);
	assert_string_equal(c->sources[0].url, url);
	assert_string_equal(c->sources[0].tags, "a,b");
	assert_ptr_equal(conf_find_source(c, name), &c->sources[0]);
	conf_free(c);
	free(text);
	free(comment);
	free(name);
	free(url);
	free(conninfo);
	free(feed);
	free(app);
}

/* Either side of the length where read_line() stops handing lines to inih
 * as they are: the same value both ways. */
static void
test_long_edge(void **state)
{
	char path[64];
	struct diag d = { 0 };

	(void)state;
	for (size_t len = 195; len <= 200; len++) {
		/* "url = " and " " before the line's end. */
		char *fill = filler(len - strlen("url = https://e.com/") - 1);
		char *url = xasprintf("https://e.com/%s", fill);
		char *text = xasprintf("[source \"s\"]\nurl = %s \n", url);
		assert_int_equal(strchr(text, '\n')[1 + len], '\n');
		struct conf *c = load_text(text, &d, path, sizeof path);
		assert_int_equal(d.len, 0);
		assert_non_null(c);
		assert_string_equal(c->sources[0].url, url);
		conf_free(c);
		free(text);
		free(url);
		free(fill);
	}
}

/* Long lines are counted like the others and read with inih's rules: a
 * line without '=' (or with a comment before it) is an error, the key is
 * the key, and the placeholder handed to inih in their stead is not a
 * name that means anything. */
static void
test_long_errors(void **state)
{
	char path[64];
	struct diag d = { 0 };
	char *fill = filler(300);
	char *text =
	    xasprintf("[poll]\nuser_agent = %s\ncolour = red\n%s\n"
	              "per_host = 0\n%s = 1\n%s ; = 2\nuser_agent = again\n"
	              "placeholder =\n",
	        fill, fill, fill, fill);
	char *unknown = xasprintf(":6: unknown key '%s' in [poll]", fill);

	(void)state;
	assert_null(load_text(text, &d, path, sizeof path));
	assert_int_equal(d.len, 7);
	assert_non_null(
	    strstr(d.msgs[0], ":3: unknown key 'colour' in [poll]"));
	assert_non_null(strstr(d.msgs[1],
	    ":4: syntax error: expected "
	    "'key = value'"));
	assert_non_null(strstr(d.msgs[2],
	    ":5: per_host '0' is out of range "
	    "(1 to 100)"));
	assert_non_null(strstr(d.msgs[3], unknown));
	assert_non_null(strstr(d.msgs[4],
	    ":7: syntax error: expected "
	    "'key = value'"));
	assert_non_null(strstr(d.msgs[5],
	    ":8: duplicate key 'user_agent' in "
	    "[poll] (first set at line 2)"));
	assert_non_null(strstr(d.msgs[6],
	    ":9: unknown key 'placeholder' in "
	    "[poll]"));
	diag_clear(&d);
	free(unknown);
	free(text);
	free(fill);
}

/* 64 KiB a line, then "line too long", the rest of the line skipped and
 * the next one read as usual; a header too long skips its section. */
static void
test_line_cap(void **state)
{
	char path[64];
	struct diag d = { 0 };
	char *max = filler(65536 - 1);
	char *over = filler(65537 - strlen("user_agent = "));
	char *section = filler(65537);
	char *text = xasprintf("[poll]\n;%s\nuser_agent = %s\nper_host = 0\n"
	                       "[%s]\ncolour = red\n[poll]\nbogus = 1\n#%s",
	    max, over, section, max);

	(void)state;
	assert_null(load_text(text, &d, path, sizeof path));
	assert_int_equal(d.len, 4);
	assert_non_null(strstr(d.msgs[0], ":3: line too long"));
	assert_non_null(strstr(d.msgs[1], ":4: per_host '0' is out of range"));
	assert_non_null(strstr(d.msgs[2], ":5: line too long"));
	assert_non_null(strstr(d.msgs[3], ":8: unknown key 'bogus' in [poll]"));
	diag_clear(&d);
	free(text);
	free(section);
	free(over);
	free(max);
}

/* Every source found by its name, whether configured or imported; names
 * are compared exactly, case included. */
static void
test_lookup(void **state)
{
	char path[64], opml[64];
	struct diag d = { 0 };
	struct buf b;

	(void)state;
	snprintf(opml, sizeof opml, "/tmp/vigie-test-opml-XXXXXX");
	int fd = mkstemp(opml);
	assert_true(fd >= 0);
	const char *feeds =
	    "<opml version=\"2.0\"><body>\n"
	    "<outline text=\"example\" xmlUrl=\"https://example.com/b\"/>\n"
	    "<outline text=\"Example\" xmlUrl=\"https://example.com/c\"/>\n"
	    "</body></opml>\n";
	assert_int_equal(
	    write(fd, feeds, strlen(feeds)), (ssize_t)strlen(feeds));
	close(fd);
	buf_init(&b);
	buf_printf(&b, "[poll]\nopml = %s\n", opml);
	buf_puts(&b,
	    "[source \"Example\"]\nurl = https://example.com/a\n"
	    "[source \"EXAMPLE\"]\nurl = https://example.com/A\n");
	/* Enough to make the index grow several times. */
	for (int i = 0; i < 5000; i++)
		buf_printf(
		    &b, "[source \"s%d\"]\nurl = https://e.com/%d\n", i, i);
	struct conf *c = load_text(b.data, &d, path, sizeof path);
	unlink(opml);
	assert_int_equal(d.len, 0);
	assert_non_null(c);
	assert_int_equal(c->nsources, 5004);
	for (size_t i = 0; i < c->nsources; i++)
		assert_ptr_equal(
		    conf_find_source(c, c->sources[i].name), &c->sources[i]);
	assert_string_equal(
	    conf_find_source(c, "Example")->url, "https://example.com/a");
	assert_string_equal(
	    conf_find_source(c, "EXAMPLE")->url, "https://example.com/A");
	assert_string_equal(
	    conf_find_source(c, "example")->url, "https://example.com/b");
	assert_string_equal(
	    conf_find_source(c, "Example (2)")->url, "https://example.com/c");
	assert_string_equal(conf_find_source(c, "Example (2)")->file, opml);
	assert_string_equal(
	    conf_find_source(c, "s4999")->url, "https://e.com/4999");
	assert_null(conf_find_source(c, "eXample"));
	assert_null(conf_find_source(c, "example (2)"));
	assert_null(conf_find_source(c, "s5000"));
	assert_null(conf_find_source(c, "s"));
	assert_null(conf_find_source(c, ""));
	conf_free(c);
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_opml_errors),
		cmocka_unit_test(test_opml_entities),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_watch_detect),
		cmocka_unit_test(test_watch_detect_errors),
		cmocka_unit_test(test_watch_spread),
		cmocka_unit_test(test_watch_compare),
		cmocka_unit_test(test_dashboard),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_report_errors),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_long_edge),
		cmocka_unit_test(test_long_errors),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_lookup),
	};

	xml_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
