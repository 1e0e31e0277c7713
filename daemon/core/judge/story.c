/*
 * story.c - the identity of a story across sources (see story.h): alert
 * feeds' redirect links unwrapped, URLs brought to one spelling, and a
 * SimHash of the text for copies published under different URLs.
 * URLs go through libcurl's URL API, words through fold.h, so both are
 * cut the way the fetcher and the matcher cut them.
 */
#include "core/judge/story.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/match/fold.h"
#include "core/read/url.h"

/* A redirector wrapping a redirector is seen; a chain longer than this is
 * someone playing. */
#define UNWRAP_MAX_DEPTH 4

/*
 * Hosts known to redirect to the URL in one of their query parameters.
 * Only these are unwrapped: elsewhere "url=" may be a search term or a
 * share button, and the link itself is the story.
 */
struct redirector {
	const char *host; /* exact, or any subdomain when starting with '.' */
	const char *path; /* exact, or NULL for any */
	const char *params; /* tried in order, space-separated */
	/* An alert or news service, whose links bring other sites'
	 * articles (the item is relayed); not a share button. */
	int relays;
};

static const struct redirector redirectors[] = {
	/* Google Alerts and Google News; google.* hosts are checked apart. */
	{ "talkwalker.com", NULL, "url u target link", 1 },
	{ ".talkwalker.com", NULL, "url u target link", 1 },
	{ "l.facebook.com", "/l.php", "u", 0 },
	{ "lm.facebook.com", "/l.php", "u", 0 },
	{ "www.youtube.com", "/redirect", "q", 0 },
	{ "out.reddit.com", NULL, "url", 0 },
	{ "slack-redir.net", "/link", "url", 0 },
	{ "vk.com", "/away.php", "to", 0 },
	{ "www.bing.com", "/news/apiclick.aspx", "url", 1 },
	{ ".safelinks.protection.outlook.com", "/", "url", 0 },
	{ "steamcommunity.com", "/linkfilter/", "url", 0 },
};

/* %XX decoded; '+' kept, as a target URL may hold a literal one. */
static char *
pct_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* google.com, www.google.fr, news.google.co.uk: Google's own hosts, and
 * not google.example.com. */
static int
google_host(const char *host)
{
	if (strncmp(host, "www.", 4) == 0 || strncmp(host, "news.", 5) == 0)
		host = strchr(host, '.') + 1;
	if (strncmp(host, "google.", 7) != 0)
		return 0;
	int labels = 0;
	for (const char *p = host + 7; *p != '\0'; labels++) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
		if (n < 2 || n > 3)
			return 0;
		p += n;
		if (*p == '.')
			p++;
	}
	return labels >= 1 && labels <= 2;
}

static int
host_is(const char *host, const char *pattern)
{
	if (pattern[0] != '.')
		return strcmp(host, pattern) == 0;
	size_t h = strlen(host), p = strlen(pattern);
	return h > p && strcmp(host + h - p, pattern) == 0;
}

/* The parameters to look for in a link on host at path, or NULL; *relays
 * set for an alert or news service's redirector. */
static const char *
redirect_params(const char *host, const char *path, int *relays)
{
	if (google_host(host)) {
		*relays = 1;
		return strcmp(path, "/url") == 0 ||
		        strcmp(path, "/news/url") == 0
		    ? "url q"
		    : NULL;
	}
	for (size_t i = 0; i < ARRAY_LEN(redirectors); i++) {
		const struct redirector *r = &redirectors[i];
		if (host_is(host, r->host) &&
		    (r->path == NULL || strcmp(path, r->path) == 0)) {
			*relays = r->relays;
			return r->params;
		}
	}
	return NULL;
}

/* The decoded value of the first parameter in names present in query. */
static char *
query_param(const char *query, const char *names)
{
	for (const char *name = names; *name != '\0';) {
		size_t nlen = strcspn(name, " ");
		for (const char *p = query; *p != '\0';) {
			size_t plen = strcspn(p, "&");
			if (plen > nlen && strncmp(p, name, nlen) == 0 &&
			    p[nlen] == '=')
				return pct_decode(
				    p + nlen + 1, plen - nlen - 1);
			p += plen;
			if (*p == '&')
				p++;
		}
		name += nlen;
		if (*name == ' ')
			name++;
	}
	return NULL;
}

/* One level of unwrapping: the target of url if it is a redirect link;
 * *relays set when the redirector is an alert or news service's. */
static char *
unwrap_once(const char *url, int *relays)
{
	CURLU *h = curl_url();
	char *host = NULL, *path = NULL, *query = NULL, *target = NULL;
	char *out = NULL;

	if (h == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		goto out;
	for (char *p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);

	int kind = 0;
	const char *names = redirect_params(host, path, &kind);
	if (names == NULL || (target = query_param(query, names)) == NULL)
		goto out;
	/* Only to the web: never javascript:, data: or a local file. */
	out = url_resolve(NULL, target);
	if (out != NULL && !url_is_http(out)) {
		free(out);
		out = NULL;
	}
	*relays |= out != NULL && kind;
out:
	free(target);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(h);
	return out;
}

char *
story_unwrap(const char *url, int *relayed)
{
	char *cur = NULL;
	int relays = 0;

	if (relayed != NULL)
		*relayed = 0;
	if (url == NULL || !url_is_http(url))
		return NULL;
	for (int depth = 0; depth < UNWRAP_MAX_DEPTH; depth++) {
		char *next = unwrap_once(cur != NULL ? cur : url, &relays);
		if (next == NULL)
			break;
		free(cur);
		cur = next;
	}
	if (relayed != NULL)
		*relayed = relays;
	return cur;
}

/*
 * Parameters that say how the reader came, not what they read: campaign
 * tags (utm_*, Matomo's, AT Internet's xtor that French news sites add
 * to every feed link), click identifiers of ad networks and mailers, and
 * share-button markers.
 */
static int
is_tracking(const char *key, size_t len)
{
	static const char *const prefixes[] = { "utm_", "pk_", "mtm_", "at_" };
	static const char *const names[] = { "fbclid", "gclid", "gclsrc",
		"dclid", "msclkid", "yclid", "twclid", "mc_cid", "mc_eid",
		"igshid", "igsh", "ref_src", "ref_url", "xtor", "_ga", "_gl",
		"_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
		"vero_id", "wickedid", "s_cid", "cmpid", "ncid", "sr_share",
		"smid" };

	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (len > n && strncasecmp(key, prefixes[i], n) == 0)
			return 1;
	}
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strlen(names[i]) == len &&
		    strncasecmp(key, names[i], len) == 0)
			return 1;
	return 0;
}

static int
unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* One spelling for escapes: "%7e" and "~" are the same character, "%2f"
 * and "%2F" the same escape. Reserved characters keep their escapes; hex
 * digits are written in lower case, as libcurl stores a path's. */
static void
pct_canon(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			int v = hi * 16 + lo;
			if (unreserved(v))
				buf_putc(b, (char)v);
			else {
				char e[3] = { '%', hex[hi], hex[lo] };
				buf_append(b, e, 3);
			}
			i += 2;
		} else
			buf_putc(b, s[i]);
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The query without tracking or empty parameters, sorted so that the
 * order a CMS happened to write them in does not matter; NULL if none
 * are left. */
static char *
canon_query(const char *query)
{
	char **v = NULL;
	size_t n = 0;

	for (const char *p = query; *p != '\0';) {
		size_t len = strcspn(p, "&");
		size_t klen = strcspn(p, "=&");
		if (len > 0 && !is_tracking(p, klen)) {
			struct buf b;
			buf_init(&b);
			pct_canon(&b, p, len);
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = buf_release(&b);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (n == 0)
		return NULL;
	qsort(v, n, sizeof(*v), str_cmp);

	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, '&');
		buf_puts(&b, v[i]);
		free(v[i]);
	}
	free(v);
	return buf_release(&b);
}

/* The path with its escapes in one spelling, "index.html" dropped (it is
 * what the directory serves) and no trailing slash but the root's:
 * "/a/" and "/a" are one page on every CMS that links either. */
static char *
canon_path(const char *path)
{
	static const char *const index_names[] = { "/index.html",
		"/index.htm" };
	struct buf b;

	buf_init(&b);
	pct_canon(&b, path, strlen(path));
	for (size_t i = 0; i < ARRAY_LEN(index_names); i++) {
		size_t n = strlen(index_names[i]);
		if (b.len >= n &&
		    strcmp(b.data + b.len - n, index_names[i]) == 0) {
			b.len -= n - 1;
			b.data[b.len] = '\0';
			break;
		}
	}
	while (b.len > 1 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	if (b.len == 0)
		buf_putc(&b, '/');
	return buf_release(&b);
}

char *
story_normalize_url(const char *url)
{
	CURLU *h;
	char *host = NULL, *path = NULL, *query = NULL, *s = NULL;
	char *out = NULL;

	if (url == NULL || !url_is_http(url) || (h = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;

	/* Host names are case-insensitive and "example.org." is absolute
	 * spelling of "example.org". */
	for (char *p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t hl = strlen(host);
	if (hl > 1 && host[hl - 1] == '.')
		host[hl - 1] = '\0';

	char *p = canon_path(path);
	char *q = query != NULL ? canon_query(query) : NULL;
	/* Credentials and fragments do not change which article it is. */
	int ok = curl_url_set(h, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_PATH, p, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_QUERY, q, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &s, CURLU_NO_DEFAULT_PORT) ==
	        CURLUE_OK;
	free(p);
	free(q);
	if (ok)
		out = xstrdup(s);
out:
	curl_free(s);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(h);
	return out;
}

/* splitmix64's finaliser: FNV-1a alone leaves the high bits of short
 * inputs poorly mixed, and SimHash reads every bit. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
shingle_hash(const struct fold_words *fw, size_t first)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = first; i < first + 3; i++) {
		const struct fold_word *w = &fw->v[i];
		for (uint32_t k = 0; k < w->len; k++) {
			h ^= (unsigned char)fw->text[w->off + k];
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff; /* no UTF-8 byte: words cannot run together */
		h *= 0x100000001b3ULL;
	}
	return mix(h);
}

/*
 * The 64 minima are independent of one another: where the CPU multiplies
 * 64-bit lanes in vector registers (AVX-512DQ, x86-64-v4), a clone of
 * this loop chosen when the program is loaded updates eight at once, and
 * the whole hash runs 1.7 times as fast (docs/BENCHMARKS.md, "SimHash").
 * GCC only: the fuzzing build, which clang compiles, needs no speed. Not
 * under ThreadSanitizer, whose runtime is not set up yet when the loader
 * calls the resolver that picks the clone (it crashed at start).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_THREAD__)
__attribute__((target_clones("arch=x86-64-v4", "default")))
#endif
static void
minima_add(uint64_t min[64], uint64_t h)
{
	for (int b = 0; b < 64; b++) {
		/* 64 hash functions out of one: a distinct odd-multiple
		 * offset each, remixed. */
		uint64_t v = mix(h + (uint64_t)(b + 1) * 0x9e3779b97f4a7c15ULL);
		/* Stored whether smaller or not: an "if" would have the
		 * compiler test each lane and branch, a branch the CPU
		 * cannot foresee on texts it has not seen; an unconditional
		 * store lets it take eight minima in one instruction. */
		min[b] = v < min[b] ? v : min[b];
	}
}

/*
 * Each bit is one minwise hash: bit b is the lowest bit of the smallest
 * value the b-th hash function gives any shingle of the text. An edit
 * flips bit b only when it removes or adds that smallest shingle, so a
 * word changed among n shingles flips each bit with a chance near 3/n,
 * while unrelated texts differ on about half the bits. Charikar's sum
 * of signs, tried first, flipped a bit whenever a counter sat near zero,
 * and a changed word moved several on article-length texts: see
 * docs/SOURCES.md for both measured.
 */
uint64_t
story_simhash(const char *text, size_t len)
{
	struct fold_words fw;
	uint64_t min[64], out = 0;

	memset(&fw, 0, sizeof(fw));
	fold_words(&fw, text, len);
	if (fw.len < 3) {
		fold_clear(&fw);
		return 0;
	}
	memset(min, 0xff, sizeof(min));
	for (size_t i = 0; i + 3 <= fw.len; i++)
		minima_add(min, shingle_hash(&fw, i));
	fold_clear(&fw);
	for (int b = 0; b < 64; b++)
		out |= (min[b] & 1) << b;
	return out;
}

int
story_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}
