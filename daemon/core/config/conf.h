/*
 * conf.h - the configuration file: INI (inih) read into a struct conf, with
 * every problem reported as "FILE:LINE: message".
 */
#ifndef VIGIE_CONF_H
#define VIGIE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/util.h"
#include "core/detect/detect.h"
#include "core/read/feed.h"

#define CONF_DEFAULT_PATH "/etc/vigie/vigie.conf"

struct conf_poll {
	int64_t interval_ms; /* default 15m */
	int64_t timeout_ms; /* whole transfer, default 30s */
	int64_t max_body; /* bytes, default 10M */
	int concurrency; /* transfers in flight, default 64 */
	int per_host; /* transfers per host, default 2 */
	/* Threads reading answers and judging their items; 0 (default):
	 * one per CPU, at most 8. Read at start only. */
	int read_threads;
	char *user_agent; /* default "vigie/VERSION (+url)" */
	char *opml; /* absolute path or NULL */
	char *notify; /* source-health alerts go there */
	int alert_after; /* failures in a row before one; 5 */
	int64_t min_delay_ms; /* between two requests to a host; 1s */
	int robots; /* obey robots.txt for pages; yes */
};

enum source_type {
	SOURCE_AUTO, /* a feed, or a page whose feed is discovered */
	SOURCE_FEED,
	SOURCE_HTML, /* items extracted by XPath rules (extract.h) */
	SOURCE_JSON, /* an API's posts, by paths (json_source.h) */
	/* A platform's own API (platform.h); from here on, all are. */
	SOURCE_MASTODON,
	SOURCE_BLUESKY,
	SOURCE_REDDIT,
	SOURCE_YOUTUBE,
	SOURCE_X,
	SOURCE_HACKERNEWS,
};

#define SOURCE_IS_PLATFORM(type) ((type) >= SOURCE_MASTODON)

struct conf_source {
	char *name;
	char *url;
	char *lang; /* NULL: any */
	char *tags; /* comma-separated, trimmed; NULL: none */
	int64_t interval_ms; /* resolved: the source's or [poll]'s */
	int type; /* enum source_type */
	/* type = html: a preset's rules, overridden by any set here */
	char *preset;
	char *item, *title, *link, *author, *date, *date_format, *text, *next;
	char *exclude; /* nodes dropped from each item before reading */
	/* type = json: where the posts are (and title, link, author, date,
	 * text, next above, as paths), their counts, and what the API asks
	 * of a request: a header, and a bearer token read from a file. */
	char *items, *id, *profile, *engagement[ENG_COUNT];
	char *header, *token_file, *next_param;
	/* A platform's: what it is asked for (platform.h). url is then the
	 * request these make, the instance or API given being its base. */
	char *tag, *query, *account;
	int pages; /* pages followed through "next"; 1 */
	/* Made by a watch's search key: that watch, NULL otherwise. */
	char *watch;
	char *file; /* where it was defined, for messages */
	int line;
};

/* A watch: what to look for, in which languages. Its query is compiled by
 * watch.c; here it is only text with the line it came from. */
struct conf_watch {
	char *name;
	char *query;
	char *lang; /* comma-separated language tags; NULL: all */
	char *tags; /* comma-separated, trimmed; NULL: none */
	/* The set of watches its share of voice is counted among (a brand
	 * and its competitors); NULL: in none. */
	char *compare;
	/* The engines it searches (search.h), comma-separated, and in
	 * which languages (NULL: lang's); NULL: none. */
	char *search, *search_lang;
	int search_line; /* of the search key, for messages */
	char *notify; /* comma-separated [notify] names, or NULL */
	char *file;
	int line; /* of the [watch] header */
	int query_line; /* of the query key */
	int query_column; /* where its value starts on that line */
	/* The detector's parameters for this watch: [detect]'s, overridden
	 * by the [detect] keys set in the watch's own section. */
	struct detect_params detect;
};

/* Where alerts go: [notify "NAME"]. */
struct conf_notify {
	char *name;
	char *email; /* comma-separated addresses, or NULL */
	char *webhook; /* URL, or NULL */
	int slack; /* format = slack (else json) */
	char *secret_file; /* key for the webhook signature, or NULL */
	char *lang; /* "fr" or "en" (default en) */
	char *file;
	int line;
};

/* A report sent on a schedule: [report "NAME"] (docs/REPORTS.md). */
struct conf_report {
	char *name;
	int every; /* enum report_every (core/report/schedule.h) */
	int at_min; /* due at this local time, minutes past midnight */
	char *tz; /* its time zone: a name of the tz database */
	/* Comma-separated watch names, or tags: one of the two. */
	char *watches;
	char *tags;
	char *notify; /* comma-separated [notify] names */
	char *lang; /* "fr" (default) or "en" */
	int format; /* enum report_format: the email's body */
	char *file;
	int line;
};

struct conf_smtp {
	char *url; /* smtp://host:port or smtps://...; NULL: no email */
	char *from;
	char *username;
	char *password_file;
	int starttls; /* starttls = yes|no (default no) */
};

/* [search]: what the sources watches generate need (search.h). */
struct conf_search {
	char *mastodon; /* instances, comma-separated host names */
	char *youtube_key_file;
	int64_t interval_ms; /* of each generated source; 0: [poll]'s */
	/* Where each engine is asked (a proxy, a mirror); NULL: its own
	 * public address. */
	char *google_news_url, *bing_news_url, *reddit_url, *hackernews_url;
	char *youtube_url;
};

struct conf_sentiment {
	char *lexicons; /* directory of the shipped lexicons */
	char *overrides; /* comma-separated files, absolute; or NULL */
	double neutral_band; /* |compound| below it is neutral; 0.05 */
};

struct conf_rules {
	char *include; /* comma-separated glob patterns, absolute */
	int64_t backfill_ms; /* history matched again for a new watch; 30d */
};

/* [dashboard]: how its pages read, and who may open them. */
struct conf_dashboard {
	char *lang; /* "fr" (default) or "en" */
	char *tz; /* a zone of the tz database, or NULL for the system's */
	int logins; /* sign in with a PostgreSQL role (default no) */
	int secure; /* the session cookie only over HTTPS (default no) */
};

struct conf {
	char *path;
	char *conninfo; /* "" means libpq defaults and PG* variables */
	/* [database] replica: a standby for read-only work (the dashboard,
	 * reports, backtest), or NULL. */
	char *replica;
	int64_t retention_ms; /* items older are purged; 0: kept forever */
	int log_level; /* enum log_level */
	char *listen; /* [daemon] listen: HOST:PORT for /metrics, or NULL */
	/* [daemon] spool: where results wait while the database is away
	 * (NULL: $STATE_DIRECTORY/spool under systemd, else memory only),
	 * spool_max the bytes of its files, spool_memory what waits in
	 * memory before them. */
	char *spool;
	int64_t spool_max;
	int64_t spool_memory;
	struct conf_poll poll;
	struct conf_source *sources;
	size_t nsources;
	size_t sources_cap;
	struct strmap *index; /* sources by name, for conf_find_source() */
	struct conf_watch *watches;
	size_t nwatches;
	struct conf_sentiment sentiment;
	struct conf_rules rules;
	struct conf_smtp smtp;
	struct conf_notify *notifies;
	size_t nnotifies;
	struct detect_params detect;
	struct conf_dashboard dashboard;
	struct conf_search search;
	int detect_line; /* of the [detect] header, for messages */
	struct conf_report *reports;
	size_t nreports;
};

/*
 * Reads and validates path, the files its [rules] include names (which may
 * hold [watch] and [source] sections only) and the OPML file it names. Returns
 * the configuration, or NULL with every problem appended to diag.
 */
struct conf *conf_load(const char *path, struct diag *diag);
void conf_free(struct conf *);

/* Where read-only work connects: the replica if there is one. */
const char *conf_read_conninfo(const struct conf *);

const struct conf_source *conf_find_source(
    const struct conf *, const char *name);
const struct conf_notify *conf_find_notify(
    const struct conf *, const char *name);
const struct conf_watch *conf_find_watch(const struct conf *, const char *name);
const struct conf_report *conf_find_report(
    const struct conf *, const char *name);

/* 1 if name is a zone of the system's tz database (Europe/Paris, UTC). */
int conf_tz_known(const char *name);
/* The process's time zone as PostgreSQL reads one: TZ, else the zone
 * /etc/localtime links to, else UTC. A new string. */
char *conf_tz_default(void);

/* "30s", "15m", "2h", "1d", "500ms", bare seconds. 0 ok, -1 bad. */
int conf_parse_duration(const char *, int64_t *ms);
/* "512k", "10M", "1G", bare bytes (k = 1024). 0 ok, -1 bad. */
int conf_parse_size(const char *, int64_t *bytes);

#endif
