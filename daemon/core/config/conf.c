/*
 * conf.c - the configuration file (see conf.h and docs/CONFIG.md): sections
 * and keys, their defaults and bounds, and the import of an OPML file's
 * feeds as sources. Every problem is collected, not just the first.
 */
#include "core/config/conf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/file.h"
#include "core/base/log.h"
#include "core/config/conf_keys.h"
#include "core/config/opml.h"
#include "core/config/search.h"
#include "core/read/platform.h"
#include "core/read/url.h"
#include "core/report/report.h"

#define DEFAULT_USER_AGENT \
	"vigie/" VIGIE_VERSION " (+https://github.com/vigie-monitor/vigie)"

/* The system's tz database, which PostgreSQL's packages read too. */
#define ZONEINFO "/usr/share/zoneinfo"

/* Beyond this a line is an error, not a value: it bounds what one line of
 * a mistaken file (a binary, a log) can make us allocate. */
#define LINE_MAX_LEN (64 * 1024)

/*
 * Parsing state. inih r55 as packaged does not pass line numbers to the
 * handler (INI_HANDLER_LINENO is off), so lines are handed to it by
 * read_line() below, which counts them: when the handler runs, lineno is
 * the line it is looking at. Section headers are read here too, because
 * inih reports neither an empty section nor a header it could not parse,
 * and every one of those deserves a message.
 *
 * inih's line buffer is also fixed at build time (200 bytes in Debian's
 * package), too short for alert-feed URLs or conninfo strings. A key line
 * that would not fit is split by read_line() itself, as inih would split
 * it, into long_name and long_value, and inih is handed a placeholder line
 * in its place; on_key() takes the pair from here instead of from inih.
 * Nothing in the placeholder is looked at, so no file content can pose as
 * one: long_name is set only for the line being handled and cleared before
 * the next is read.
 */
struct parser {
	struct conf *conf;
	struct diag *diag;
	const char *file; /* the file being read: the main one or an include */
	int included; /* included files hold [watch] and [source] only */
	FILE *fp;
	char *line;
	size_t linecap;
	int lineno;
	int read_errno;
	int nul; /* the line held a NUL byte */
	int pending; /* the last line handed over must reach the handler */
	int handled;
	char *long_name; /* the line too long for inih, split; or NULL */
	char *long_value;
	enum sect sect; /* of the lines being read */
	char *sect_text;
	void *base; /* where the section's values go */
	int seen[SECT_COUNT][CONF_NKEYS]; /* line of each key, 0: unset */
	struct strmap *watch_index; /* watch names, across included files */
	struct overrides *overrides; /* [detect] keys of watches, likewise */
};

/*
 * The [detect] keys set in [watch] sections. They are applied only once
 * every file is read, on top of [detect], which may come after the watch
 * or in another file.
 */
struct override {
	size_t watch; /* index in struct conf's watches */
	const struct conf_key *key;
	char *value;
	int line;
};

struct overrides {
	struct override *v;
	size_t len;
};

static const char *ini_scan(const char *, const char *);

/* The column (in characters, from 1) where the value of a key line starts,
 * so that a message about a query can point into the file. */
static int
value_column(const char *line)
{
	const char *v = ini_scan(line, "=:");
	int col = 1;

	if (*v != '\0')
		v++;
	while (isspace((unsigned char)*v))
		v++;
	for (const char *c = line; c < v; c++)
		if (((unsigned char)*c & 0xC0) != 0x80)
			col++;
	return col;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	const struct conf_key *k;

	(void)section; /* always "": headers never reach inih, see above */
	p->handled = 1;
	if (p->long_name != NULL) {
		name = p->long_name;
		value = p->long_value;
	}
	if (p->sect == SECT_SKIP)
		return 1;
	if (p->sect == SECT_NONE) {
		diag_add(p->diag, p->file, p->lineno,
		    "key '%s' outside of any section", name);
		return 1;
	}
	k = conf_key_find(p->sect, name);
	if (k == NULL && p->sect == SECT_WATCH)
		k = conf_key_find(SECT_DETECT, name);
	if (k == NULL) {
		diag_add(p->diag, p->file, p->lineno,
		    "unknown key '%s' in [%s]", name, p->sect_text);
		return 1;
	}
	int *seen = &p->seen[p->sect][k - conf_keys];
	if (*seen != 0) {
		diag_add(p->diag, p->file, p->lineno,
		    "duplicate key '%s' in [%s] (first set at line %d)", name,
		    p->sect_text, *seen);
		return 1;
	}
	*seen = p->lineno;
	if (p->sect == SECT_WATCH && strcmp(k->name, "search") == 0)
		((struct conf_watch *)p->base)->search_line = p->lineno;
	if (p->sect == SECT_WATCH && strcmp(k->name, "query") == 0) {
		struct conf_watch *w = p->base;
		w->query_line = p->lineno;
		w->query_column = value_column(p->line);
	}
	if (p->sect == SECT_WATCH && k->sect == SECT_DETECT) {
		struct overrides *o = p->overrides;
		o->v = xreallocarray(o->v, o->len + 1, sizeof *o->v);
		o->v[o->len++] =
		    (struct override){ (size_t)((struct conf_watch *)p->base -
			                   p->conf->watches),
			    k, xstrdup(value), p->lineno };
		return 1;
	}
	const struct conf_where at = { p->diag, p->file, p->lineno };
	k->set(k, &at, (char *)p->base + k->off, value);
	return 1;
}

/*
 * A set of strings with a number each: the sources by name (struct conf's
 * index, which the daemon looks up for every source it polls), and while
 * importing OPML the URLs taken and the next "(N)" suffix to try for a
 * name. Open addressing; it is what keeps tens of thousands of sources, or
 * an export of thousands of feeds with the same title, from going
 * quadratic. Names differing only in case are different names.
 */
struct strmap {
	const char **keys;
	size_t *vals;
	size_t cap, len;
};

static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *s = (const unsigned char *)key; *s; s++)
		h = (h ^ *s) * 1099511628211ULL;
	size_t i = (size_t)h & (m->cap - 1);
	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static size_t *
strmap_get(const struct strmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t i = strmap_slot(m, key);
	return m->keys[i] != NULL ? &m->vals[i] : NULL;
}

/* key must outlive the map. */
static void
strmap_put(struct strmap *m, const char *key, size_t val)
{
	if ((m->len + 1) * 2 > m->cap) {
		struct strmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->keys = xcalloc(m->cap, sizeof *m->keys);
		m->vals = xcalloc(m->cap, sizeof *m->vals);
		m->len = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.keys[i] != NULL)
				strmap_put(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	size_t i = strmap_slot(m, key);
	if (m->keys[i] == NULL)
		m->len++;
	m->keys[i] = key;
	m->vals[i] = val;
}

static void
strmap_clear(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
}

static struct conf_source *
add_source(struct conf *c, const char *name, const char *file, int line)
{
	if (c->nsources == c->sources_cap) {
		c->sources_cap = c->sources_cap ? c->sources_cap * 2 : 16;
		c->sources = xreallocarray(
		    c->sources, c->sources_cap, sizeof *c->sources);
	}
	struct conf_source *s = &c->sources[c->nsources];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
	strmap_put(c->index, s->name, c->nsources++);
	s->file = xstrdup(file);
	s->line = line;
	return s;
}

static struct conf_watch *
add_watch(struct parser *p, const char *name)
{
	struct conf *c = p->conf;
	struct conf_watch *w;

	/* Grown one at a time: watches are few and parsed once. */
	c->watches =
	    xreallocarray(c->watches, c->nwatches + 1, sizeof *c->watches);
	w = &c->watches[c->nwatches];
	memset(w, 0, sizeof *w);
	w->name = xstrdup(name);
	w->file = xstrdup(p->file);
	w->line = p->lineno;
	strmap_put(p->watch_index, w->name, c->nwatches++);
	return w;
}

/* [KIND "NAME"]: the name, or NULL with a message if the header is
 * malformed. */
static char *
quoted_name(struct parser *p, const char *text, const char *kind)
{
	const char *s = text + strlen(kind);
	size_t len;

	s += strspn(s, " \t");
	len = strlen(s);
	if (len < 2 || s[0] != '"' || s[len - 1] != '"' ||
	    memchr(s + 1, '"', len - 2) != NULL) {
		diag_add(p->diag, p->file, p->lineno,
		    "bad section [%s] (expected [%s \"NAME\"])", text, kind);
		return NULL;
	}
	if (len == 2) {
		diag_add(p->diag, p->file, p->lineno, "empty %s name in [%s]",
		    kind, text);
		return NULL;
	}
	return xstrndup(s + 1, len - 2);
}

/* 1 if text is [KIND ...], a section that takes a quoted name. */
static int
is_named(const char *text, const char *kind)
{
	size_t n = strlen(kind);

	return strncmp(text, kind, n) == 0 &&
	    (text[n] == '\0' || text[n] == ' ' || text[n] == '\t' ||
	        text[n] == '"');
}

/* "FILE:LINE" of an earlier definition, for duplicate messages: the line
 * alone when it is in the file being read. */
static char *
where(const struct parser *p, const char *file, int line)
{
	if (strcmp(file, p->file) == 0)
		return xasprintf("line %d", line);
	return xasprintf("%s:%d", file, line);
}

static void
open_source(struct parser *p, const char *text)
{
	struct conf *c = p->conf;
	char *name = quoted_name(p, text, "source");

	if (name == NULL)
		return;
	const struct conf_source *dup = conf_find_source(c, name);
	if (dup != NULL) {
		char *at = where(p, dup->file, dup->line);
		diag_add(p->diag, p->file, p->lineno,
		    "duplicate source \"%s\" (first defined at %s)", name, at);
		free(at);
	} else {
		p->base = add_source(c, name, p->file, p->lineno);
		p->sect = SECT_SOURCE;
		memset(p->seen[SECT_SOURCE], 0, sizeof p->seen[SECT_SOURCE]);
	}
	free(name);
}

static void
open_watch(struct parser *p, const char *text)
{
	struct conf *c = p->conf;
	char *name = quoted_name(p, text, "watch");

	if (name == NULL)
		return;
	const size_t *dup = strmap_get(p->watch_index, name);
	if (dup != NULL) {
		const struct conf_watch *w = &c->watches[*dup];
		char *at = where(p, w->file, w->line);
		diag_add(p->diag, p->file, p->lineno,
		    "duplicate watch \"%s\" (first defined at %s)", name, at);
		free(at);
	} else {
		p->base = add_watch(p, name);
		p->sect = SECT_WATCH;
		memset(p->seen[SECT_WATCH], 0, sizeof p->seen[SECT_WATCH]);
	}
	free(name);
}

static void
open_notify(struct parser *p, const char *text)
{
	struct conf *c = p->conf;
	char *name = quoted_name(p, text, "notify");
	const struct conf_notify *dup;
	struct conf_notify *n;

	if (name == NULL)
		return;
	if ((dup = conf_find_notify(c, name)) != NULL) {
		char *at = where(p, dup->file, dup->line);
		diag_add(p->diag, p->file, p->lineno,
		    "duplicate notify \"%s\" (first defined at %s)", name, at);
		free(at);
		free(name);
		return;
	}
	c->notifies =
	    xreallocarray(c->notifies, c->nnotifies + 1, sizeof *c->notifies);
	n = &c->notifies[c->nnotifies++];
	memset(n, 0, sizeof *n);
	n->name = name;
	n->file = xstrdup(p->file);
	n->line = p->lineno;
	p->base = n;
	p->sect = SECT_NOTIFY;
	memset(p->seen[SECT_NOTIFY], 0, sizeof p->seen[SECT_NOTIFY]);
}

static void
open_report(struct parser *p, const char *text)
{
	struct conf *c = p->conf;
	char *name = quoted_name(p, text, "report");
	const struct conf_report *dup;
	struct conf_report *r;

	if (name == NULL)
		return;
	if ((dup = conf_find_report(c, name)) != NULL) {
		char *at = where(p, dup->file, dup->line);
		diag_add(p->diag, p->file, p->lineno,
		    "duplicate report \"%s\" (first defined at %s)", name, at);
		free(at);
		free(name);
		return;
	}
	c->reports =
	    xreallocarray(c->reports, c->nreports + 1, sizeof *c->reports);
	r = &c->reports[c->nreports++];
	memset(r, 0, sizeof *r);
	r->name = name;
	r->every = -1; /* required */
	r->at_min = 8 * 60;
	r->tz = conf_tz_default();
	r->lang = xstrdup("fr");
	r->format = REPORT_HTML;
	r->file = xstrdup(p->file);
	r->line = p->lineno;
	p->base = r;
	p->sect = SECT_REPORT;
	memset(p->seen[SECT_REPORT], 0, sizeof p->seen[SECT_REPORT]);
}

static void
open_section(struct parser *p, const char *text)
{
	static const struct {
		const char *name;
		enum sect sect;
	} fixed[] = {
		{ "database", SECT_DATABASE },
		{ "poll", SECT_POLL },
		{ "daemon", SECT_DAEMON },
		{ "sentiment", SECT_SENTIMENT },
		{ "rules", SECT_RULES },
		{ "smtp", SECT_SMTP },
		{ "detect", SECT_DETECT },
		{ "dashboard", SECT_DASHBOARD },
		{ "search", SECT_SEARCH },
	};
	struct conf *c = p->conf;

	free(p->sect_text);
	p->sect_text = xstrdup(text);
	p->sect = SECT_SKIP;
	if (is_named(text, "source")) {
		open_source(p, text);
		return;
	}
	if (is_named(text, "watch")) {
		open_watch(p, text);
		return;
	}
	if (is_named(text, "notify") && !p->included) {
		open_notify(p, text);
		return;
	}
	if (is_named(text, "report") && !p->included) {
		open_report(p, text);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(fixed); i++) {
		if (strcmp(text, fixed[i].name) != 0)
			continue;
		if (p->included) {
			diag_add(p->diag, p->file, p->lineno,
			    "[%s] is not allowed in an included file (only "
			    "[watch] and [source] are)",
			    text);
			return;
		}
		p->sect = fixed[i].sect;
		p->base = fixed[i].sect == SECT_POLL ? (void *)&c->poll
		    : fixed[i].sect == SECT_DETECT   ? (void *)&c->detect
		                                     : (void *)c;
		if (p->sect == SECT_DETECT && c->detect_line == 0)
			c->detect_line = p->lineno;
		return;
	}
	diag_add(p->diag, p->file, p->lineno, "unknown section [%s]", text);
}

/* A required key can only be found missing once its section is over. */
static void
close_section(struct parser *p)
{
	const struct conf_source *s = p->base;
	const struct conf_watch *w = p->base;

	/* A platform's API has a URL of its own (platform.h). */
	if (p->sect == SECT_SOURCE && s->url == NULL &&
	    !SOURCE_IS_PLATFORM(s->type))
		diag_add(p->diag, s->file, s->line, "source \"%s\" has no url",
		    s->name);
	const struct conf_notify *n = p->base;

	if (p->sect == SECT_WATCH && w->query == NULL)
		diag_add(p->diag, w->file, w->line, "watch \"%s\" has no query",
		    w->name);
	if (p->sect == SECT_NOTIFY && n->email == NULL && n->webhook == NULL)
		diag_add(p->diag, n->file, n->line,
		    "notify \"%s\" has neither email nor webhook", n->name);
	const struct conf_report *r = p->base;

	if (p->sect == SECT_REPORT && r->every < 0)
		diag_add(p->diag, r->file, r->line,
		    "report \"%s\" has no every (daily, weekly or monthly)",
		    r->name);
	if (p->sect == SECT_REPORT && r->notify == NULL)
		diag_add(p->diag, r->file, r->line,
		    "report \"%s\" has no notify", r->name);
	if (p->sect == SECT_REPORT && (r->watches == NULL) == (r->tags == NULL))
		diag_add(p->diag, r->file, r->line,
		    "report \"%s\" needs either watches or tags (not both)",
		    r->name);
}

/* Where inih's scan for one of chars stops: at one of them, at an inline
 * comment (";" after a blank) or at the end. Only lines inih never sees
 * are scanned here, and they must read as they would to inih. */
static const char *
ini_scan(const char *s, const char *chars)
{
	int blank = 0;

	for (; *s != '\0' && strchr(chars, *s) == NULL && !(blank && *s == ';');
	     s++)
		blank = isspace((unsigned char)*s);
	return s;
}

/* [start, end) without blanks at either end, as inih trims. */
static char *
trimmed(const char *start, const char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(start, (size_t)(end - start));
}

/* After a header that could not be read, whose keys are not checked. */
static void
skip_section(struct parser *p)
{
	close_section(p);
	free(p->sect_text);
	p->sect_text = NULL;
	p->sect = SECT_SKIP;
}

static void
header(struct parser *p, const char *s)
{
	const char *end = ini_scan(s + 1, "]");

	if (*end != ']') {
		diag_add(p->diag, p->file, p->lineno,
		    "syntax error: no ']' to close the section header");
		skip_section(p);
		return;
	}
	close_section(p);
	char *text = trimmed(s + 1, end);
	open_section(p, text);
	free(text);
}

/* A line that inih took for neither a comment nor a key: it had no '='. */
static void
check_handled(struct parser *p)
{
	if (p->pending && !p->handled)
		diag_add(p->diag, p->file, p->lineno,
		    "syntax error: expected 'key = value'");
	p->pending = 0;
}

/* The next line into p->line, without its end: 1 if it was longer than
 * LINE_MAX_LEN (the rest of it is skipped), 0, or -1 at the end. A NUL
 * byte sets p->nul: the line would end there unseen, and a value with
 * it ("http://127.0.0.1/\0evil") would pass for its beginning. */
static int
next_line(struct parser *p)
{
	size_t len = 0;
	int ch, too_long = 0;

	if (p->linecap == 0)
		p->line = xmalloc(p->linecap = 256);
	errno = 0;
	p->nul = 0;
	while ((ch = getc_unlocked(p->fp)) != EOF && ch != '\n') {
		if (ch == '\0')
			p->nul = 1;
		if (len == LINE_MAX_LEN) {
			too_long = 1;
			continue;
		}
		if (len + 1 == p->linecap)
			p->line = xrealloc(p->line, p->linecap *= 2);
		p->line[len++] = (char)ch;
	}
	if (ferror(p->fp)) {
		p->read_errno = errno ? errno : EIO;
		return -1;
	}
	if (ch == EOF && len == 0)
		return -1;
	/* CRLF ends too; inih would take the '\r' for a blank. */
	if (len > 0 && p->line[len - 1] == '\r')
		len--;
	p->line[len] = '\0';
	return too_long;
}

/* A key line too long for inih: see struct parser. */
static const char *
split_long(struct parser *p, const char *s)
{
	const char *sep = ini_scan(s, "=:");

	if (*sep != '=' && *sep != ':')
		return ""; /* not a key line: check_handled() says so */
	const char *value = sep + 1;
	p->long_name = trimmed(s, sep);
	p->long_value = trimmed(value, ini_scan(value, ""));
	return "placeholder=";
}

/* The ini_reader: see struct parser. */
static char *
read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *s;
	int r;

	check_handled(p);
	free(p->long_name);
	free(p->long_value);
	p->long_name = p->long_value = NULL;
	if ((r = next_line(p)) == -1)
		return NULL;
	p->lineno++;
	p->handled = 0;
	s = p->line;
	/* inih strips a byte order mark only at the start of its first line,
	 * but this line is not handed over as read. */
	if (p->lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	/* Leading blanks go, so that inih never sees a continuation line:
	 * each value fits on one line. */
	while (isspace((unsigned char)*s))
		s++;
	if (r == 1) {
		diag_add(p->diag, p->file, p->lineno, "line too long");
		if (*s == '[')
			skip_section(p);
		s = "";
	} else if (p->nul) {
		diag_add(p->diag, p->file, p->lineno, "a NUL byte in the line");
		if (*s == '[')
			skip_section(p);
		s = "";
	} else if (*s == '[') {
		header(p, s);
		s = "";
	} else if (*s == '\0' || *s == ';' || *s == '#') {
		s = "";
	} else {
		p->pending = 1;
		/* inih needs room for "\r\n\0" and would cut the line. */
		if (strlen(s) > (size_t)num - 3)
			s = split_long(p, s);
	}
	snprintf(str, (size_t)num, "%s\n", s);
	return str;
}

static void
conf_defaults(struct conf *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->conninfo = xstrdup("");
	c->index = xcalloc(1, sizeof *c->index);
	c->log_level = LOG_LVL_INFO;
	c->poll.interval_ms = 15 * MIN;
	c->poll.timeout_ms = 30 * SEC;
	c->poll.max_body = 10 * 1024 * 1024;
	c->poll.concurrency = 64;
	c->poll.per_host = 2;
	c->poll.user_agent = xstrdup(DEFAULT_USER_AGENT);
	c->sentiment.lexicons = xasprintf("%s/lexicons", rules_dir_default());
	c->sentiment.neutral_band = 0.05;
	c->rules.backfill_ms = 30 * DAY;
	c->poll.alert_after = 5;
	c->poll.min_delay_ms = SEC;
	c->poll.robots = 1;
	c->spool_max = 1024 * 1024 * 1024;
	c->spool_memory = 32 * 1024 * 1024;
	detect_params_default(&c->detect);
}

static void
parse_file(struct parser *p)
{
	const char *why;

	if ((p->fp = file_open(p->file, &why)) == NULL) {
		diag_add(p->diag, p->file, 0, "cannot read: %s", why);
		return;
	}
	/* Its result names only the first line without a '=', which
	 * check_handled() has reported with all the others. */
	(void)ini_parse_stream(read_line, p, on_key, p);
	close_section(p);
	if (p->read_errno != 0)
		diag_add(p->diag, p->file, 0, "cannot read: %s",
		    strerror(p->read_errno));
	fclose(p->fp);
	free(p->line);
	free(p->long_name);
	free(p->long_value);
	free(p->sect_text);
}

/* title, or "title (2)", "title (3)"... whichever is free. */
static char *
unique_name(struct strmap *names, struct strmap *suffixes, const char *title)
{
	if (strmap_get(names, title) == NULL)
		return xstrdup(title);
	size_t *next = strmap_get(suffixes, title);
	size_t n = next != NULL ? *next : 2;
	char *name = NULL;
	do {
		free(name);
		name = xasprintf("%s (%zu)", title, n++);
	} while (strmap_get(names, name) != NULL);
	strmap_put(suffixes, title, n);
	return name;
}

static void
import_opml(struct parser *p)
{
	struct conf *c = p->conf;
	struct opml_feed *feeds;
	size_t nfeeds;
	struct strmap urls = { 0 }, suffixes = { 0 };

	if (opml_read(c->poll.opml, &feeds, &nfeeds, p->diag) == -1)
		return;
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].url != NULL)
			strmap_put(&urls, c->sources[i].url, 0);
	for (size_t i = 0; i < nfeeds; i++) {
		struct opml_feed *f = &feeds[i];
		if (!url_is_http(f->url)) {
			diag_add(p->diag, c->poll.opml, f->line,
			    "bad url '%s' (expected an absolute http:// or "
			    "https:// URL)",
			    f->url);
			continue;
		}
		if (strmap_get(&urls, f->url) != NULL)
			continue;
		const char *title = f->title != NULL ? f->title : f->url;
		char *name = unique_name(c->index, &suffixes, title);
		struct conf_source *s =
		    add_source(c, name, c->poll.opml, f->line);
		free(name);
		s->url = xstrdup(f->url);
		s->interval_ms = c->poll.interval_ms;
		s->pages = 1;
		strmap_put(&urls, s->url, 0);
	}
	/* The suffix map's keys are the feeds' titles. */
	strmap_clear(&suffixes);
	strmap_clear(&urls);
	opml_free(feeds, nfeeds);
}

/* A platform source's url becomes its request: the instance or API it
 * names is only where that goes. */
static void
platform_resolve(struct conf_source *s, struct diag *diag)
{
	char err[256];
	char *url = platform_request(s, err, sizeof err);

	if (url == NULL) {
		diag_add(
		    diag, s->file, s->line, "source \"%s\": %s", s->name, err);
		return;
	}
	free(s->url);
	s->url = url;
}

/* Every file the [rules] include patterns name, in the order given and,
 * within a pattern, in name order. */
static void
read_includes(struct conf *c, struct diag *diag, struct strmap *watches,
    struct overrides *overrides)
{
	char *list = xstrdup(c->rules.include), *save = NULL;

	for (char *pat = strtok_r(list, ",", &save); pat != NULL;
	     pat = strtok_r(NULL, ",", &save)) {
		glob_t g;
		int rc = glob(pat, GLOB_ERR, NULL, &g);

		if (rc == GLOB_NOMATCH && strpbrk(pat, "*?[") == NULL)
			diag_add(
			    diag, pat, 0, "cannot read: %s", strerror(ENOENT));
		else if (rc != 0 && rc != GLOB_NOMATCH)
			diag_add(diag, c->path, 0,
			    "cannot read the files of include '%s'", pat);
		for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
			struct parser *p = xcalloc(1, sizeof *p);

			p->conf = c;
			p->diag = diag;
			p->file = g.gl_pathv[i];
			p->included = 1;
			p->watch_index = watches;
			p->overrides = overrides;
			parse_file(p);
			free(p);
		}
		if (rc == 0)
			globfree(&g);
	}
	free(list);
}

/* 1 if the comma-separated list holds tag. */
static int
has_tag(const char *list, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *s = list; s != NULL && *s != '\0';) {
		size_t len = strcspn(s, ",");

		if (len == n && strncmp(s, tag, n) == 0)
			return 1;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* Each name of a notify list must be a [notify] section. */
static void
check_notify_names(struct conf *c, struct diag *diag, const char *list,
    const char *file, int line, const char *what)
{
	char *copy, *save = NULL;

	if (list == NULL)
		return;
	copy = xstrdup(list);
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save))
		if (conf_find_notify(c, t) == NULL)
			diag_add(diag, file, line,
			    "%s: notify '%s' is not a [notify \"%s\"] section",
			    what, t, t);
	free(copy);
}

/* A report's watches must be configured, its tags some watch's, and its
 * targets ones a report can be sent to. */
static void
check_report(struct conf *c, struct diag *diag, const struct conf_report *r)
{
	char *what = xasprintf("report \"%s\"", r->name);
	char *copy, *save = NULL;

	check_notify_names(c, diag, r->notify, r->file, r->line, what);
	copy = xstrdup(r->notify != NULL ? r->notify : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		const struct conf_notify *n = conf_find_notify(c, t);

		/* Slack takes its own shape of message, not a report's. */
		if (n != NULL && n->webhook != NULL && n->slack)
			diag_add(diag, r->file, r->line,
			    "%s: notify '%s' has format = slack, which reports "
			    "are not sent in",
			    what, t);
	}
	free(copy);
	copy = xstrdup(r->watches != NULL ? r->watches : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save))
		if (conf_find_watch(c, t) == NULL)
			diag_add(diag, r->file, r->line,
			    "%s: no watch named \"%s\"", what, t);
	free(copy);
	copy = xstrdup(r->tags != NULL ? r->tags : "");
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		int found = 0;

		for (size_t i = 0; i < c->nwatches && !found; i++)
			found = has_tag(c->watches[i].tags, t);
		if (!found)
			diag_add(diag, r->file, r->line,
			    "%s: no watch has the tag \"%s\"", what, t);
	}
	free(copy);
	free(what);
}

/* What can only be checked once every file is read. */
static void
check_references(struct conf *c, struct diag *diag)
{
	check_notify_names(c, diag, c->poll.notify, c->path, 0, "[poll]");
	for (size_t i = 0; i < c->nwatches; i++) {
		const struct conf_watch *w = &c->watches[i];
		char *what = xasprintf("watch \"%s\"", w->name);
		check_notify_names(c, diag, w->notify, w->file, w->line, what);
		free(what);
	}
	for (size_t i = 0; i < c->nreports; i++)
		check_report(c, diag, &c->reports[i]);
	for (size_t i = 0; i < c->nnotifies; i++) {
		const struct conf_notify *n = &c->notifies[i];
		if (n->email != NULL && c->smtp.url == NULL)
			diag_add(diag, n->file, n->line,
			    "notify \"%s\" sends email but [smtp] has no url",
			    n->name);
	}
	if (c->smtp.url != NULL && c->smtp.from == NULL)
		diag_add(diag, c->path, 0, "[smtp] has a url but no from");
}

/* The line where watch i sets the key named name (as long as its first
 * len bytes), else 0. */
static int
override_line(const struct overrides *o, size_t i, const char *name, size_t len)
{
	for (size_t j = 0; j < o->len; j++)
		if (o->v[j].watch == i && strlen(o->v[j].key->name) == len &&
		    strncmp(o->v[j].key->name, name, len) == 0)
			return o->v[j].line;
	return 0;
}

/*
 * Each watch's detector parameters: [detect]'s, then the keys its own
 * section sets, each checked as [detect]'s are. A watch's parameters are
 * checked together only when [detect]'s pass, so that one mistake there
 * is not reported again for every watch; a problem is reported on the
 * line of the key at fault when the watch sets it, else on the watch's
 * header (a key it inherits, at odds with one it sets).
 */
static void
apply_overrides(struct conf *c, struct overrides *o, struct diag *diag)
{
	char err[256];
	int detect_ok = detect_params_check(&c->detect, err, sizeof err) == 0;

	if (!detect_ok)
		diag_add(diag, c->path, c->detect_line, "[detect]: %s", err);
	for (size_t i = 0; i < c->nwatches; i++)
		c->watches[i].detect = c->detect;
	for (size_t j = 0; j < o->len; j++) {
		struct conf_watch *w = &c->watches[o->v[j].watch];
		const struct conf_key *k = o->v[j].key;
		const struct conf_where at = { diag, w->file, o->v[j].line };

		k->set(k, &at, (char *)&w->detect + k->off, o->v[j].value);
	}
	for (size_t i = 0; detect_ok && i < c->nwatches; i++) {
		const struct conf_watch *w = &c->watches[i];

		if (detect_params_check(&w->detect, err, sizeof err) == 0)
			continue;
		/* The message starts with the key at fault (detect.h). */
		int line = override_line(o, i, err, strcspn(err, " "));
		diag_add(diag, w->file, line != 0 ? line : w->line,
		    "watch \"%s\": %s", w->name, err);
	}
	for (size_t j = 0; j < o->len; j++)
		free(o->v[j].value);
	free(o->v);
}

struct conf *
conf_load(const char *path, struct diag *diag)
{
	struct conf *c = xmalloc(sizeof *c);
	struct parser *p = xcalloc(1, sizeof *p);
	size_t before = diag->len;

	struct strmap watches = { 0 };
	struct overrides overrides = { 0 };

	conf_defaults(c, path);
	p->conf = c;
	p->diag = diag;
	p->file = c->path;
	p->watch_index = &watches;
	p->overrides = &overrides;
	parse_file(p);
	if (c->rules.include != NULL)
		read_includes(c, diag, &watches, &overrides);
	strmap_clear(&watches);
	check_references(c, diag);
	apply_overrides(c, &overrides, diag);
	search_sources(c, add_source, diag);
	for (size_t i = 0; i < c->nsources; i++) {
		if (c->sources[i].interval_ms == 0)
			c->sources[i].interval_ms = c->poll.interval_ms;
		if (c->sources[i].pages == 0)
			c->sources[i].pages = 1;
		if (SOURCE_IS_PLATFORM(c->sources[i].type))
			platform_resolve(&c->sources[i], diag);
	}
	if (c->poll.opml != NULL)
		import_opml(p);
	free(p);
	if (diag->len > before) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nsources; i++) {
		struct conf_source *s = &c->sources[i];
		free(s->name);
		free(s->url);
		free(s->lang);
		free(s->tags);
		free(s->preset);
		free(s->item);
		free(s->title);
		free(s->link);
		free(s->author);
		free(s->date);
		free(s->date_format);
		free(s->text);
		free(s->next);
		free(s->exclude);
		free(s->items);
		free(s->id);
		free(s->profile);
		for (int e = 0; e < ENG_COUNT; e++)
			free(s->engagement[e]);
		free(s->header);
		free(s->token_file);
		free(s->next_param);
		free(s->tag);
		free(s->query);
		free(s->account);
		free(s->watch);
		free(s->file);
	}
	free(c->sources);
	for (size_t i = 0; i < c->nwatches; i++) {
		struct conf_watch *w = &c->watches[i];
		free(w->name);
		free(w->query);
		free(w->lang);
		free(w->tags);
		free(w->compare);
		free(w->search);
		free(w->search_lang);
		free(w->notify);
		free(w->file);
	}
	free(c->watches);
	for (size_t i = 0; i < c->nnotifies; i++) {
		struct conf_notify *n = &c->notifies[i];
		free(n->name);
		free(n->email);
		free(n->webhook);
		free(n->secret_file);
		free(n->lang);
		free(n->file);
	}
	free(c->notifies);
	free(c->dashboard.lang);
	free(c->dashboard.tz);
	free(c->search.mastodon);
	free(c->search.youtube_key_file);
	free(c->search.google_news_url);
	free(c->search.bing_news_url);
	free(c->search.reddit_url);
	free(c->search.hackernews_url);
	free(c->search.youtube_url);
	for (size_t i = 0; i < c->nreports; i++) {
		struct conf_report *r = &c->reports[i];
		free(r->name);
		free(r->tz);
		free(r->watches);
		free(r->tags);
		free(r->notify);
		free(r->lang);
		free(r->file);
	}
	free(c->reports);
	free(c->smtp.url);
	free(c->smtp.from);
	free(c->smtp.username);
	free(c->smtp.password_file);
	free(c->poll.notify);
	free(c->sentiment.lexicons);
	free(c->sentiment.overrides);
	free(c->rules.include);
	strmap_clear(c->index);
	free(c->index);
	free(c->poll.user_agent);
	free(c->poll.opml);
	free(c->conninfo);
	free(c->replica);
	free(c->listen);
	free(c->spool);
	free(c->path);
	free(c);
}

const char *
conf_read_conninfo(const struct conf *c)
{
	return c->replica != NULL ? c->replica : c->conninfo;
}

const struct conf_source *
conf_find_source(const struct conf *c, const char *name)
{
	const size_t *i = strmap_get(c->index, name);

	return i != NULL ? &c->sources[*i] : NULL;
}

const struct conf_watch *
conf_find_watch(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nwatches; i++)
		if (strcmp(c->watches[i].name, name) == 0)
			return &c->watches[i];
	return NULL;
}

const struct conf_report *
conf_find_report(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nreports; i++)
		if (strcmp(c->reports[i].name, name) == 0)
			return &c->reports[i];
	return NULL;
}

int
conf_tz_known(const char *name)
{
	char magic[4] = "";
	size_t len = strlen(name);
	FILE *f;

	if (len == 0 || len > 200 || name[0] == '/' ||
	    strstr(name, "..") != NULL ||
	    strspn(name,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_+-./") != len)
		return 0;
	char *path = xasprintf("%s/%s", ZONEINFO, name);
	if ((f = fopen(path, "r")) != NULL) {
		if (fread(magic, 1, sizeof magic, f) != sizeof magic)
			magic[0] = '\0';
		fclose(f);
	}
	free(path);
	return memcmp(magic, "TZif", 4) == 0;
}

char *
conf_tz_default(void)
{
	const char *tz = getenv("TZ");
	char link[512];
	ssize_t n;

	if (tz != NULL && *tz == ':')
		tz++;
	if (tz != NULL && *tz != '\0')
		return xstrdup(tz);
	n = readlink("/etc/localtime", link, sizeof link - 1);
	if (n > 0) {
		const char *z;

		link[n] = '\0';
		if ((z = strstr(link, "zoneinfo/")) != NULL &&
		    conf_tz_known(z + 9))
			return xstrdup(z + 9);
	}
	return xstrdup("UTC");
}

const struct conf_notify *
conf_find_notify(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nnotifies; i++)
		if (strcmp(c->notifies[i].name, name) == 0)
			return &c->notifies[i];
	return NULL;
}
