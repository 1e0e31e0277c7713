/*
 * conf_keys.c - every key of the configuration file, one row each: its
 * section, its name, the setter that checks its value and the field it
 * goes to, with its bounds. The setters are small and typed (duration,
 * size, bounded int, number, yes/no, path, URL, a choice among names...);
 * each message they write is part of the interface (tests compare them).
 */
#include "core/config/conf_keys.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alert/mail.h"
#include "core/base/log.h"
#include "core/config/conf.h"
#include "core/config/search.h"
#include "core/read/url.h"
#include "core/report/report.h"
#include "core/report/schedule.h"

static int
parse_digits(const char *s, int64_t *out, const char **end)
{
	int64_t n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	*end = s;
	return 0;
}

struct unit {
	const char *suffix;
	int64_t mult;
};

static int
parse_with_units(
    const char *s, const struct unit *units, size_t nunits, int64_t *out)
{
	int64_t n;
	const char *end;

	if (parse_digits(s, &n, &end) == -1)
		return -1;
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (n > INT64_MAX / units[i].mult)
			return -1;
		*out = n * units[i].mult;
		return 0;
	}
	return -1;
}

int
conf_parse_duration(const char *s, int64_t *ms)
{
	static const struct unit units[] = {
		{ "", SEC },
		{ "ms", 1 },
		{ "s", SEC },
		{ "m", MIN },
		{ "h", 60 * MIN },
		{ "d", DAY },
	};

	return parse_with_units(s, units, ARRAY_LEN(units), ms);
}

int
conf_parse_size(const char *s, int64_t *bytes)
{
	/* Either case: unlike durations, sizes have no "m" to confuse. */
	static const struct unit units[] = {
		{ "", 1 },
		{ "k", 1024 },
		{ "K", 1024 },
		{ "m", 1024 * 1024 },
		{ "M", 1024 * 1024 },
		{ "g", 1024 * 1024 * 1024 },
		{ "G", 1024 * 1024 * 1024 },
	};

	return parse_with_units(s, units, ARRAY_LEN(units), bytes);
}

/* A language tag as in xml:lang or HTTP: fr, en-US, zh-Hant-TW. */
static int
valid_lang(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 35 ||
	    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	return strspn(s,
	           "abcdefghijklmnopqrstuvwxyz"
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == len;
}

/* Comma-separated, each trimmed, empty ones dropped; NULL if none. */
static char *
normalize_tags(const char *s)
{
	struct buf b;

	buf_init(&b);
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		const char *t = s;
		size_t tlen = len;
		while (tlen > 0 && (*t == ' ' || *t == '\t'))
			t++, tlen--;
		while (tlen > 0 && (t[tlen - 1] == ' ' || t[tlen - 1] == '\t'))
			tlen--;
		if (tlen > 0) {
			if (b.len > 0)
				buf_putc(&b, ',');
			buf_append(&b, t, tlen);
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return b.len > 0 ? buf_release(&b) : NULL;
}

/* rel against the directory of the configuration file, made absolute so
 * that it does not depend on where the daemon is started from later. */
static char *
resolve_path(const char *conf_path, const char *rel)
{
	struct buf b;
	const char *slash = strrchr(conf_path, '/');

	if (rel[0] == '/')
		return xstrdup(rel);
	buf_init(&b);
	if (conf_path[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		if (cwd != NULL) {
			buf_puts(&b, cwd);
			buf_putc(&b, '/');
			free(cwd);
		}
	}
	if (slash != NULL)
		buf_append(&b, conf_path, (size_t)(slash - conf_path) + 1);
	buf_puts(&b, rel);
	return buf_release(&b);
}

static void
replace(void *field, char *value)
{
	char **p = field;

	free(*p);
	*p = value;
}

/* What each item of a comma-separated list is. */
enum list_kind { LIST_PATHS, LIST_LANGS, LIST_EMAILS, LIST_NAMES };

/* A comma-separated list of paths (each made absolute), of language tags
 * or of addresses (each checked), or of names; NULL when empty, with a
 * message. */
static char *
checked_list(const struct conf_where *w, enum list_kind kind, const char *name,
    const char *value)
{
	char *list = normalize_tags(value), *save = NULL;
	struct buf b;

	if (list == NULL) {
		diag_add(w->diag, w->file, w->line, "empty %s", name);
		return NULL;
	}
	buf_init(&b);
	for (char *t = strtok_r(list, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		if (b.len > 0)
			buf_putc(&b, ',');
		if (kind == LIST_LANGS && !valid_lang(t)) {
			diag_add(w->diag, w->file, w->line,
			    "bad lang '%s' (expected language tags such as "
			    "fr or en-US, separated by commas)",
			    t);
		} else if (kind == LIST_EMAILS && !mail_addr_ok(t)) {
			/* The rule the mail's headers are written by:
			 * an address it refuses would lose every alert
			 * sent to it, the others' on the same list too. */
			diag_add(w->diag, w->file, w->line,
			    "bad address '%s' in %s (expected user@host, "
			    "in ASCII: a domain such as xn--socit-esab.fr "
			    "for société.fr)",
			    t, name);
		} else if (kind == LIST_PATHS) {
			char *abs = resolve_path(w->file, t);
			buf_puts(&b, abs);
			free(abs);
		} else {
			buf_puts(&b, t);
		}
	}
	free(list);
	/* Kept even when partly wrong, so that it is not also reported
	 * missing: the configuration is refused anyway. */
	return buf_release(&b);
}

static void
set_string(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	(void)k, (void)w;
	replace(field, xstrdup(value));
}

static void
set_text(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	if (*value == '\0')
		diag_add(w->diag, w->file, w->line, "empty %s", k->name);
	else
		replace(field, xstrdup(value));
}

static void
set_path(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	if (*value == '\0')
		diag_add(w->diag, w->file, w->line, "empty %s path", k->name);
	else
		replace(field, resolve_path(w->file, value));
}

/* URLs (a source's, a webhook's) are kept even when bad, so that they are
 * not also reported missing: the configuration is refused anyway. */
static void
set_url(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	if (!url_is_http(value))
		diag_add(w->diag, w->file, w->line,
		    "bad %s '%s' (expected an absolute http:// or "
		    "https:// URL)",
		    k->name, value);
	replace(field, xstrdup(value));
}

static void
set_smtp_url(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	(void)k;
	if (strncmp(value, "smtp://", 7) != 0 &&
	    strncmp(value, "smtps://", 8) != 0)
		diag_add(w->diag, w->file, w->line,
		    "bad url '%s' (expected smtp://HOST:PORT or "
		    "smtps://HOST:PORT)",
		    value);
	replace(field, xstrdup(value));
}

static void
set_lang(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	(void)k;
	if (!valid_lang(value))
		diag_add(w->diag, w->file, w->line,
		    "bad lang '%s' (expected a language tag such as "
		    "fr or en-US)",
		    value);
	else
		replace(field, xstrdup(value));
}

/* The language of alerts: only those the templates are written in. */
static void
set_alert_lang(const struct conf_key *k, const struct conf_where *w,
    void *field, const char *value)
{
	(void)k;
	if (strcmp(value, "fr") == 0 || strcmp(value, "en") == 0)
		replace(field, xstrdup(value));
	else
		diag_add(w->diag, w->file, w->line,
		    "bad lang '%s' (expected fr or en)", value);
}

static void
set_tags(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	(void)k, (void)w;
	replace(field, normalize_tags(value));
}

static void
set_paths(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	replace(field, checked_list(w, LIST_PATHS, k->name, value));
}

static void
set_langs(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	replace(field, checked_list(w, LIST_LANGS, k->name, value));
}

static void
set_emails(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	replace(field, checked_list(w, LIST_EMAILS, k->name, value));
}

static void
set_names(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	replace(field, checked_list(w, LIST_NAMES, k->name, value));
}

/* The engines a watch searches (search.h): names it knows. */
static void
set_engines(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	char *list = checked_list(w, LIST_NAMES, k->name, value), *save = NULL;
	char *copy = list ? xstrdup(list) : NULL;

	for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; e != NULL;
	     e = strtok_r(NULL, ",", &save))
		if (!search_engine_known(e))
			diag_add(w->diag, w->file, w->line,
			    "unknown search engine '%s' (expected google-news, "
			    "bing-news, reddit, mastodon, hackernews or "
			    "youtube)",
			    e);
	free(copy);
	replace(field, list);
}

/* HOST:PORT to listen on; empty for no listener. */
static void
set_listen(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	const char *colon = strrchr(value, ':');
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : 0;

	(void)k;
	if (*value == '\0')
		return;
	if (colon == NULL || colon == value || *end != '\0' || port < 1 ||
	    port > 65535)
		diag_add(w->diag, w->file, w->line,
		    "bad listen '%s' (expected HOST:PORT, such as "
		    "127.0.0.1:9464)",
		    value);
	else
		replace(field, xstrdup(value));
}

static void
set_bool(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
		*(int *)field = 1;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
		*(int *)field = 0;
	else
		diag_add(w->diag, w->file, w->line,
		    "bad %s '%s' (expected yes or no)", k->name, value);
}

/* One of names, stored as its index; k->range lists them for the
 * message. */
static void
set_choice(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value, const char *const *names, int nnames)
{
	for (int i = 0; i < nnames; i++) {
		if (strcmp(value, names[i]) == 0) {
			*(int *)field = i;
			return;
		}
	}
	diag_add(w->diag, w->file, w->line, "bad %s '%s' (expected %s)",
	    k->name, value, k->range);
}

static void
set_source_type(const struct conf_key *k, const struct conf_where *w,
    void *field, const char *value)
{
	static const char *const names[] = {
		[SOURCE_AUTO] = "auto",
		[SOURCE_FEED] = "feed",
		[SOURCE_HTML] = "html",
		[SOURCE_JSON] = "json",
		[SOURCE_MASTODON] = "mastodon",
		[SOURCE_BLUESKY] = "bluesky",
		[SOURCE_REDDIT] = "reddit",
		[SOURCE_YOUTUBE] = "youtube",
		[SOURCE_X] = "x",
		[SOURCE_HACKERNEWS] = "hackernews",
	};

	set_choice(k, w, field, value, names, ARRAY_LEN(names));
}

/* struct conf_notify's slack: 1 for Slack's format, 0 for plain JSON. */
static void
set_format(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	static const char *const names[] = { "json", "slack" };

	set_choice(k, w, field, value, names, ARRAY_LEN(names));
}

static void
set_every(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	set_choice(k, w, field, value, report_every_names,
	    ARRAY_LEN(report_every_names));
}

/* A report's body: the names report_format_parse() reads. */
static void
set_report_format(const struct conf_key *k, const struct conf_where *w,
    void *field, const char *value)
{
	int f = report_format_parse(value);

	if (f < 0)
		diag_add(w->diag, w->file, w->line, "bad %s '%s' (expected %s)",
		    k->name, value, k->range);
	else
		*(int *)field = f;
}

static void
set_at(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	int m = schedule_parse_at(value);

	if (m < 0)
		diag_add(w->diag, w->file, w->line,
		    "bad %s '%s' (expected HH:MM, 00:00 to 23:59)", k->name,
		    value);
	else
		*(int *)field = m;
}

/* A zone of the tz database, as PostgreSQL will read it: the name must
 * be a file of the system's copy, and nothing that climbs out of it. */
static void
set_tz(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	if (conf_tz_known(value))
		replace(field, xstrdup(value));
	else
		diag_add(w->diag, w->file, w->line,
		    "unknown %s '%s' (expected a zone of the tz database, "
		    "such as Europe/Paris or UTC)",
		    k->name, value);
}

static void
set_log_level(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	int level = log_level_parse(value);

	(void)k;
	if (level == -1)
		diag_add(w->diag, w->file, w->line,
		    "unknown log_level '%s' (expected err, warning, "
		    "notice, info or debug)",
		    value);
	else
		*(int *)field = level;
}

static void
set_real(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	char *end;
	double d = strtod(value, &end);

	if (*value == '\0' || *end != '\0' || !isfinite(d))
		diag_add(w->diag, w->file, w->line,
		    "bad number '%s' for %s (expected a decimal number "
		    "such as 3 or 0.0001)",
		    value, k->name);
	else
		*(double *)field = d;
}

/* A fraction in [0, 1): the neutral band of sentiment scores. */
static void
set_band(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	char *end;
	double d = strtod(value, &end);

	if (*value == '\0' || *end != '\0' || !(d >= 0 && d < 1))
		diag_add(w->diag, w->file, w->line,
		    "%s '%s' is out of range (%s)", k->name, value, k->range);
	else
		*(double *)field = d;
}

static int
parse_whole(const char *s, int64_t *n)
{
	const char *end;

	return parse_digits(s, n, &end) == -1 || *end != '\0' ? -1 : 0;
}

/* A whole amount and how it is written, for the message when it is not. */
struct amount {
	const char *what;
	int (*parse)(const char *, int64_t *);
	const char *expected;
};

static const struct amount duration = { "duration", conf_parse_duration,
	"a number and a unit: ms, s, m, h or d, e.g. 15m" };
static const struct amount size = { "size", conf_parse_size,
	"a number of bytes and an optional unit: k, M or G, e.g. 10M" };
static const struct amount whole = { "number", parse_whole, "a whole number" };

/* value read as a, within the key's bounds, in *n; -1 with a message if
 * it is not. */
static int
parse_amount(const struct conf_key *k, const struct conf_where *w,
    const char *value, const struct amount *a, int64_t *n)
{
	if (a->parse(value, n) == -1) {
		diag_add(w->diag, w->file, w->line,
		    "bad %s '%s' for %s (expected %s)", a->what, value, k->name,
		    a->expected);
		return -1;
	}
	if (*n < k->min || *n > k->max) {
		diag_add(w->diag, w->file, w->line,
		    "%s '%s' is out of range (%s)", k->name, value, k->range);
		return -1;
	}
	return 0;
}

static void
set_duration(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	int64_t n;

	if (parse_amount(k, w, value, &duration, &n) == 0)
		*(int64_t *)field = n;
}

static void
set_size(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	int64_t n;

	if (parse_amount(k, w, value, &size, &n) == 0)
		*(int64_t *)field = n;
}

static void
set_int(const struct conf_key *k, const struct conf_where *w, void *field,
    const char *value)
{
	int64_t n;

	if (parse_amount(k, w, value, &whole, &n) == 0)
		*(int *)field = (int)n;
}

#define CONF(f) offsetof(struct conf, f)
#define POLL(f) offsetof(struct conf_poll, f)
#define SRC(f) offsetof(struct conf_source, f)
#define WATCH(f) offsetof(struct conf_watch, f)
#define SENT(f) offsetof(struct conf, sentiment.f)
#define RULES(f) offsetof(struct conf, rules.f)
#define SMTP(f) offsetof(struct conf, smtp.f)
#define NOTIFY(f) offsetof(struct conf_notify, f)
#define DASH(f) offsetof(struct conf, dashboard.f)
#define REPORT(f) offsetof(struct conf_report, f)
#define SEARCH(f) offsetof(struct conf, search.f)
/* Into struct detect_params: [detect] and a [watch] that overrides it
 * both set them. Their values are checked together by
 * detect_params_check(); here only their form is. */
#define DET(f) offsetof(struct detect_params, f)
#define ANY_DURATION 0, INT64_MAX, NULL
#define ANY_COUNT 0, INT32_MAX, NULL

const struct conf_key conf_keys[CONF_NKEYS] = {
	{ SECT_DATABASE, "conninfo", set_string, CONF(conninfo), 0, 0, NULL },
	{ SECT_DATABASE, "replica", set_text, CONF(replica), 0, 0, NULL },
	{ SECT_DATABASE, "retention", set_duration, CONF(retention_ms), 0,
	    3650 * DAY, "0 (keep) to 3650d" },
	{ SECT_POLL, "interval", set_duration, POLL(interval_ms), 10 * SEC,
	    30 * DAY, "10s to 30d" },
	{ SECT_POLL, "timeout", set_duration, POLL(timeout_ms), SEC, 10 * MIN,
	    "1s to 10m" },
	{ SECT_POLL, "max_body", set_size, POLL(max_body), 1024,
	    1024 * 1024 * 1024, "1k to 1G" },
	{ SECT_POLL, "concurrency", set_int, POLL(concurrency), 1, 10000,
	    "1 to 10000" },
	{ SECT_POLL, "per_host", set_int, POLL(per_host), 1, 100, "1 to 100" },
	{ SECT_POLL, "read_threads", set_int, POLL(read_threads), 0, 64,
	    "0 to 64" },
	{ SECT_POLL, "user_agent", set_text, POLL(user_agent), 0, 0, NULL },
	{ SECT_POLL, "opml", set_path, POLL(opml), 0, 0, NULL },
	{ SECT_SOURCE, "url", set_url, SRC(url), 0, 0, NULL },
	{ SECT_SOURCE, "interval", set_duration, SRC(interval_ms), 10 * SEC,
	    30 * DAY, "10s to 30d" },
	{ SECT_SOURCE, "lang", set_lang, SRC(lang), 0, 0, NULL },
	{ SECT_SOURCE, "tags", set_tags, SRC(tags), 0, 0, NULL },
	{ SECT_SOURCE, "type", set_source_type, SRC(type), 0, 0,
	    "auto, feed, html or json" },
	{ SECT_SOURCE, "preset", set_text, SRC(preset), 0, 0, NULL },
	{ SECT_SOURCE, "item", set_text, SRC(item), 0, 0, NULL },
	{ SECT_SOURCE, "title", set_text, SRC(title), 0, 0, NULL },
	{ SECT_SOURCE, "link", set_text, SRC(link), 0, 0, NULL },
	{ SECT_SOURCE, "author", set_text, SRC(author), 0, 0, NULL },
	{ SECT_SOURCE, "date", set_text, SRC(date), 0, 0, NULL },
	{ SECT_SOURCE, "date_format", set_text, SRC(date_format), 0, 0, NULL },
	{ SECT_SOURCE, "text", set_text, SRC(text), 0, 0, NULL },
	{ SECT_SOURCE, "next", set_text, SRC(next), 0, 0, NULL },
	{ SECT_SOURCE, "exclude", set_text, SRC(exclude), 0, 0, NULL },
	{ SECT_SOURCE, "pages", set_int, SRC(pages), 1, 50, "1 to 50" },
	{ SECT_SOURCE, "items", set_text, SRC(items), 0, 0, NULL },
	{ SECT_SOURCE, "id", set_text, SRC(id), 0, 0, NULL },
	{ SECT_SOURCE, "profile", set_text, SRC(profile), 0, 0, NULL },
	{ SECT_SOURCE, "likes", set_text, SRC(engagement[ENG_LIKES]), 0, 0,
	    NULL },
	{ SECT_SOURCE, "shares", set_text, SRC(engagement[ENG_SHARES]), 0, 0,
	    NULL },
	{ SECT_SOURCE, "replies", set_text, SRC(engagement[ENG_REPLIES]), 0, 0,
	    NULL },
	{ SECT_SOURCE, "views", set_text, SRC(engagement[ENG_VIEWS]), 0, 0,
	    NULL },
	{ SECT_SOURCE, "followers", set_text, SRC(engagement[ENG_FOLLOWERS]), 0,
	    0, NULL },
	{ SECT_SOURCE, "header", set_text, SRC(header), 0, 0, NULL },
	{ SECT_SOURCE, "next_param", set_text, SRC(next_param), 0, 0, NULL },
	{ SECT_SOURCE, "token_file", set_path, SRC(token_file), 0, 0, NULL },
	{ SECT_SOURCE, "tag", set_text, SRC(tag), 0, 0, NULL },
	{ SECT_SOURCE, "query", set_text, SRC(query), 0, 0, NULL },
	{ SECT_SOURCE, "account", set_text, SRC(account), 0, 0, NULL },
	{ SECT_POLL, "min_delay", set_duration, POLL(min_delay_ms), 0, 60 * SEC,
	    "0 to 60s" },
	{ SECT_POLL, "robots", set_bool, POLL(robots), 0, 0, NULL },
	{ SECT_DAEMON, "log_level", set_log_level, CONF(log_level), 0, 0,
	    NULL },
	{ SECT_DAEMON, "listen", set_listen, CONF(listen), 0, 0, NULL },
	{ SECT_DAEMON, "spool", set_path, CONF(spool), 0, 0, NULL },
	{ SECT_DAEMON, "spool_max", set_size, CONF(spool_max), 0,
	    1024LL * 1024 * 1024 * 1024, "0 to 1024G" },
	{ SECT_DAEMON, "spool_memory", set_size, CONF(spool_memory), 0,
	    1024 * 1024 * 1024, "0 to 1G" },
	{ SECT_WATCH, "query", set_text, WATCH(query), 0, 0, NULL },
	{ SECT_WATCH, "lang", set_langs, WATCH(lang), 0, 0, NULL },
	{ SECT_WATCH, "tags", set_tags, WATCH(tags), 0, 0, NULL },
	{ SECT_WATCH, "compare", set_text, WATCH(compare), 0, 0, NULL },
	{ SECT_WATCH, "search", set_engines, WATCH(search), 0, 0, NULL },
	{ SECT_WATCH, "search_lang", set_langs, WATCH(search_lang), 0, 0,
	    NULL },
	{ SECT_SEARCH, "mastodon", set_names, SEARCH(mastodon), 0, 0, NULL },
	{ SECT_SEARCH, "youtube_key_file", set_path, SEARCH(youtube_key_file),
	    0, 0, NULL },
	{ SECT_SEARCH, "interval", set_duration, SEARCH(interval_ms), 60 * SEC,
	    DAY, "1m to 1d" },
	{ SECT_SEARCH, "google_news_url", set_url, SEARCH(google_news_url), 0,
	    0, NULL },
	{ SECT_SEARCH, "bing_news_url", set_url, SEARCH(bing_news_url), 0, 0,
	    NULL },
	{ SECT_SEARCH, "reddit_url", set_url, SEARCH(reddit_url), 0, 0, NULL },
	{ SECT_SEARCH, "hackernews_url", set_url, SEARCH(hackernews_url), 0, 0,
	    NULL },
	{ SECT_SEARCH, "youtube_url", set_url, SEARCH(youtube_url), 0, 0,
	    NULL },
	{ SECT_SENTIMENT, "lexicons", set_path, SENT(lexicons), 0, 0, NULL },
	{ SECT_SENTIMENT, "overrides", set_paths, SENT(overrides), 0, 0, NULL },
	{ SECT_SENTIMENT, "neutral_band", set_band, SENT(neutral_band), 0, 0,
	    "0 to 0.99" },
	{ SECT_RULES, "include", set_paths, RULES(include), 0, 0, NULL },
	{ SECT_RULES, "backfill", set_duration, RULES(backfill_ms), 0,
	    365 * DAY, "0 to 365d" },
	{ SECT_POLL, "notify", set_names, POLL(notify), 0, 0, NULL },
	{ SECT_POLL, "alert_after", set_int, POLL(alert_after), 1, 1000,
	    "1 to 1000" },
	{ SECT_WATCH, "notify", set_names, WATCH(notify), 0, 0, NULL },
	{ SECT_SMTP, "url", set_smtp_url, SMTP(url), 0, 0, NULL },
	{ SECT_SMTP, "from", set_emails, SMTP(from), 0, 0, NULL },
	{ SECT_SMTP, "username", set_text, SMTP(username), 0, 0, NULL },
	{ SECT_SMTP, "password_file", set_path, SMTP(password_file), 0, 0,
	    NULL },
	{ SECT_SMTP, "starttls", set_bool, SMTP(starttls), 0, 0, NULL },
	{ SECT_NOTIFY, "email", set_emails, NOTIFY(email), 0, 0, NULL },
	{ SECT_NOTIFY, "webhook", set_url, NOTIFY(webhook), 0, 0, NULL },
	{ SECT_NOTIFY, "format", set_format, NOTIFY(slack), 0, 0,
	    "json or slack" },
	{ SECT_NOTIFY, "secret_file", set_path, NOTIFY(secret_file), 0, 0,
	    NULL },
	{ SECT_NOTIFY, "lang", set_alert_lang, NOTIFY(lang), 0, 0, NULL },
	{ SECT_DETECT, "bucket", set_duration, DET(bucket_ms), ANY_DURATION },
	{ SECT_DETECT, "window", set_duration, DET(window_ms), ANY_DURATION },
	{ SECT_DETECT, "min_count", set_int, DET(min_count), ANY_COUNT },
	{ SECT_DETECT, "min_ratio", set_real, DET(min_ratio), 0, 0, NULL },
	{ SECT_DETECT, "p_value", set_real, DET(p_value), 0, 0, NULL },
	{ SECT_DETECT, "half_life", set_duration, DET(half_life_ms),
	    ANY_DURATION },
	{ SECT_DETECT, "baseline_floor", set_real, DET(baseline_floor), 0, 0,
	    NULL },
	{ SECT_DETECT, "cold_threshold", set_int, DET(cold_threshold),
	    ANY_COUNT },
	{ SECT_DETECT, "warmup", set_duration, DET(warmup_ms), ANY_DURATION },
	{ SECT_DETECT, "cusum_k", set_real, DET(cusum_k), 0, 0, NULL },
	{ SECT_DETECT, "cusum_h", set_real, DET(cusum_h), 0, 0, NULL },
	{ SECT_DETECT, "resolve_ratio", set_real, DET(resolve_ratio), 0, 0,
	    NULL },
	{ SECT_DETECT, "resolve_after", set_duration, DET(resolve_after_ms),
	    ANY_DURATION },
	{ SECT_DETECT, "cooldown", set_duration, DET(cooldown_ms),
	    ANY_DURATION },
	{ SECT_DETECT, "escalate", set_real, DET(escalate), 0, 0, NULL },
	{ SECT_DETECT, "spread_sites", set_int, DET(spread_sites), ANY_COUNT },
	{ SECT_DETECT, "spread_window", set_duration, DET(spread_window_ms),
	    ANY_DURATION },
	{ SECT_DASHBOARD, "lang", set_alert_lang, DASH(lang), 0, 0, NULL },
	{ SECT_DASHBOARD, "tz", set_tz, DASH(tz), 0, 0, NULL },
	{ SECT_DASHBOARD, "logins", set_bool, DASH(logins), 0, 0, NULL },
	{ SECT_DASHBOARD, "secure", set_bool, DASH(secure), 0, 0, NULL },
	{ SECT_REPORT, "every", set_every, REPORT(every), 0, 0,
	    "daily, weekly or monthly" },
	{ SECT_REPORT, "at", set_at, REPORT(at_min), 0, 0, NULL },
	{ SECT_REPORT, "tz", set_tz, REPORT(tz), 0, 0, NULL },
	{ SECT_REPORT, "watches", set_names, REPORT(watches), 0, 0, NULL },
	{ SECT_REPORT, "tags", set_names, REPORT(tags), 0, 0, NULL },
	{ SECT_REPORT, "notify", set_names, REPORT(notify), 0, 0, NULL },
	{ SECT_REPORT, "lang", set_alert_lang, REPORT(lang), 0, 0, NULL },
	{ SECT_REPORT, "format", set_report_format, REPORT(format), 0, 0,
	    "html, csv or md" },
};

_Static_assert(ARRAY_LEN(conf_keys) == CONF_NKEYS, "CONF_NKEYS is wrong");

const struct conf_key *
conf_key_find(enum sect sect, const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(conf_keys); i++)
		if (conf_keys[i].sect == sect &&
		    strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}
