/*
 * robots.c - robots.txt as RFC 9309 reads it (see robots.h): the groups
 * that name our product token (else those of "*"), merged; the longest
 * matching Allow or Disallow decides, Allow on a tie. Sites write these
 * files by hand, so anything unrecognised is skipped rather than refused.
 */
#include "core/read/robots.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"

/* RFC 9309 section 2.5: crawlers must read at least 500 KiB. */
#define ROBOTS_MAX_BYTES (500 * 1024)
/* A Crawl-delay of days would stop a source for good; a day is enough to
 * honour any sincere request. */
#define ROBOTS_MAX_DELAY_MS (24 * 3600 * 1000LL)

struct rule {
	char *pat; /* normalised, '*' and a final '$' still special */
	size_t len;
	int allow;
};

struct rule_set {
	struct rule *v;
	size_t n, cap;
	int64_t delay_ms;
	int matched; /* some group named this agent, even with no rules */
};

struct robots {
	struct rule *v; /* longest first, Allow before Disallow on a tie */
	size_t n;
	int64_t delay_ms;
	int deny_all;
};

static int
unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * Both sides of a match are brought to one spelling (RFC 9309 section
 * 2.2.2): octets outside printable ASCII percent-encoded, escapes of
 * unreserved characters decoded, hex digits in upper case. Reserved
 * characters keep their form, since "%2F" and "/" may mean different
 * things to the server.
 */
static char *
normalise(const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (c == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			int v = hi * 16 + lo;
			if (unreserved(v))
				buf_putc(&b, (char)v);
			else {
				char e[3] = { '%', hex[hi], hex[lo] };
				buf_append(&b, e, 3);
			}
			i += 2;
		} else if (c <= ' ' || c >= 0x7f) {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(&b, e, 3);
		} else
			buf_putc(&b, (char)c);
	}
	return buf_release(&b);
}

/*
 * Whether pat matches a prefix of path ('*': any run of octets, a final
 * '$': the end of path). Backtracking only to the last '*' seen is enough
 * for patterns whose only wildcard is '*', and keeps the cost at
 * len(pat) * len(path) at worst.
 */
static int
match(const char *pat, size_t plen, const char *path)
{
	size_t p = 0, s = 0, star_p = 0, star_s = 0;
	int star = 0;
	int anchored = plen > 0 && pat[plen - 1] == '$';

	if (anchored)
		plen--;
	for (;;) {
		if (p == plen) {
			if (!anchored || path[s] == '\0')
				return 1;
		} else if (pat[p] == '*') {
			star = 1;
			star_p = ++p;
			star_s = s;
			continue;
		} else if (path[s] != '\0' && pat[p] == path[s]) {
			p++;
			s++;
			continue;
		}
		if (!star || path[star_s] == '\0')
			return 0;
		p = star_p;
		s = ++star_s;
	}
}

static void
rule_add(struct rule_set *rs, const char *val, size_t len, int allow)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->v = xreallocarray(rs->v, rs->cap, sizeof(*rs->v));
	}
	struct rule *r = &rs->v[rs->n++];
	r->pat = normalise(val, len);
	r->len = strlen(r->pat);
	r->allow = allow;
}

static void
rule_set_free(struct rule_set *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].pat);
	free(rs->v);
}

/* Seconds, possibly fractional ("0.5"); -1 if val is no such number. */
static int64_t
parse_delay(const char *val, size_t len)
{
	int64_t ms = 0, scale = 1000;
	size_t i = 0;
	int digits = 0;

	for (; i < len && isdigit((unsigned char)val[i]); i++, digits++)
		if (ms <= ROBOTS_MAX_DELAY_MS)
			ms = ms * 10 + (val[i] - '0') * 1000;
	if (i < len && val[i] == '.')
		for (i++; i < len && isdigit((unsigned char)val[i]);
		     i++, digits++)
			if (scale > 1) {
				scale /= 10;
				ms += (val[i] - '0') * scale;
			}
	if (digits == 0 || i != len)
		return -1;
	return ms > ROBOTS_MAX_DELAY_MS ? ROBOTS_MAX_DELAY_MS : ms;
}

/* Length of the product token at the start of s: the letters, '_' and
 * '-' RFC 9309 allows in one. */
static size_t
token_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len &&
	    (isalpha((unsigned char)s[n]) || s[n] == '_' || s[n] == '-'))
		n++;
	return n;
}

static int
key_is(const char *key, size_t klen, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strlen(*names) == klen &&
		    strncasecmp(key, *names, klen) == 0)
			return 1;
	return 0;
}

static const char *const ua_keys[] = { "user-agent", "useragent", "user agent",
	NULL };
static const char *const allow_keys[] = { "allow", NULL };
static const char *const disallow_keys[] = { "disallow", "dissallow", "disalow",
	NULL };
static const char *const delay_keys[] = { "crawl-delay", "crawldelay", NULL };

static int
rule_cmp(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return y->allow - x->allow;
}

struct parser {
	const char *token;
	size_t token_len;
	struct rule_set mine, star;
	int in_agents; /* reading a group's user-agent lines */
	int cur_mine, cur_star;
};

static void
parse_line(struct parser *ps, const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);
	if (hash != NULL)
		len = (size_t)(hash - line);
	const char *colon = memchr(line, ':', len);
	if (colon == NULL)
		return;

	const char *key = line, *val = colon + 1;
	size_t klen = (size_t)(colon - line);
	size_t vlen = len - klen - 1;
	while (klen > 0 && isspace((unsigned char)key[0]))
		key++, klen--;
	while (klen > 0 && isspace((unsigned char)key[klen - 1]))
		klen--;
	while (vlen > 0 && isspace((unsigned char)val[0]))
		val++, vlen--;
	while (vlen > 0 && isspace((unsigned char)val[vlen - 1]))
		vlen--;

	if (key_is(key, klen, ua_keys)) {
		if (!ps->in_agents)
			ps->cur_mine = ps->cur_star = 0;
		ps->in_agents = 1;
		size_t n = token_len(val, vlen);
		if (vlen > 0 && val[0] == '*')
			ps->cur_star = ps->star.matched = 1;
		else if (n > 0 && n == ps->token_len &&
		    strncasecmp(val, ps->token, n) == 0)
			ps->cur_mine = ps->mine.matched = 1;
		return;
	}

	int allow = key_is(key, klen, allow_keys);
	int delay = key_is(key, klen, delay_keys);
	if (!allow && !delay && !key_is(key, klen, disallow_keys))
		return; /* Sitemap and unknown records do not end a group */
	ps->in_agents = 0;
	struct rule_set *sets[2] = { ps->cur_mine ? &ps->mine : NULL,
		ps->cur_star ? &ps->star : NULL };
	for (size_t i = 0; i < 2; i++) {
		if (sets[i] == NULL)
			continue;
		if (delay) {
			int64_t ms = parse_delay(val, vlen);
			if (ms > sets[i]->delay_ms)
				sets[i]->delay_ms = ms;
		} else if (vlen > 0) /* "Disallow:" alone forbids nothing */
			rule_add(sets[i], val, vlen, allow);
	}
}

struct robots *
robots_parse(const char *txt, size_t len, const char *user_agent)
{
	struct parser ps;

	memset(&ps, 0, sizeof(ps));
	ps.token = user_agent ? user_agent : "";
	ps.token_len = token_len(ps.token, strlen(ps.token));
	if (len > ROBOTS_MAX_BYTES) {
		/* A line cut in half could be a shorter, wider rule. */
		len = ROBOTS_MAX_BYTES;
		while (len > 0 && txt[len - 1] != '\n' && txt[len - 1] != '\r')
			len--;
	}
	if (len >= 3 && memcmp(txt, "\xef\xbb\xbf", 3) == 0)
		txt += 3, len -= 3;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && txt[j] != '\n' && txt[j] != '\r')
			j++;
		if (memchr(txt + i, '\0', j - i) == NULL)
			parse_line(&ps, txt + i, j - i);
		i = j + 1;
	}

	struct rule_set *use = ps.mine.matched ? &ps.mine : &ps.star;
	struct rule_set *drop = use == &ps.mine ? &ps.star : &ps.mine;
	struct robots *r = xcalloc(1, sizeof(*r));
	r->v = use->v;
	r->n = use->n;
	r->delay_ms = use->delay_ms;
	if (r->n > 0)
		qsort(r->v, r->n, sizeof(*r->v), rule_cmp);
	rule_set_free(drop);
	return r;
}

struct robots *
robots_allow_all(void)
{
	return xcalloc(1, sizeof(struct robots));
}

struct robots *
robots_deny_all(void)
{
	struct robots *r = xcalloc(1, sizeof(*r));

	r->deny_all = 1;
	return r;
}

void
robots_free(struct robots *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].pat);
	free(r->v);
	free(r);
}

int
robots_allowed(const struct robots *r, const char *path)
{
	if (path == NULL || path[0] == '\0')
		path = "/";
	/* RFC 9309 section 2.5: the file itself is always allowed. */
	if (strcmp(path, "/robots.txt") == 0)
		return 1;
	if (r->deny_all)
		return 0;
	if (r->n == 0)
		return 1;

	char *p = normalise(path, strlen(path));
	int allowed = 1;
	/* Sorted longest first, so the first match is the longest one. */
	for (size_t i = 0; i < r->n; i++)
		if (match(r->v[i].pat, r->v[i].len, p)) {
			allowed = r->v[i].allow;
			break;
		}
	free(p);
	return allowed;
}

int64_t
robots_crawl_delay_ms(const struct robots *r)
{
	return r->delay_ms;
}
