/*
 * url.c - URL resolution, scheme checks and host names, all through
 * libcurl's URL API so that vigie and the fetcher agree on what a URL is.
 */
#include "core/read/url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"

/* Feeds carry URLs with spaces and non-ASCII bytes that browsers accept;
 * percent-encoding them is what a browser would request. Schemes curl
 * cannot fetch (mailto:, tag:) are still valid links. */
#define URL_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE)

static char *
trimmed(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* "scheme:" as RFC 3986 spells it. curl only parses URLs with an
 * authority, so "mailto:x" or "tag:x,2004:1" fail there though they are
 * already absolute and need no resolution. */
static int
has_scheme(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	while (
	    isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return *s == ':';
}

static char *
get_url(CURLU *h)
{
	char *s, *out = NULL;

	if (curl_url_get(h, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		out = xstrdup(s);
		curl_free(s);
	}
	return out;
}

/* Longer URLs go through curl, which has limits of its own. */
#define URL_PLAIN_MAX 2048

/* Characters a path, query or fragment may hold for curl to write it
 * back unchanged: ASCII letters and digits (whatever the locale), no
 * space or byte to encode, no percent sign, no backslash. */
static int
is_plain_url_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') ||
	    (ch != '\0' && strchr("-._~/?#=&+,;:@!$*'()", ch));
}

int
url_is_plain(const char *s)
{
	size_t n = strncmp(s, "http://", 7) == 0 ? 7
	    : strncmp(s, "https://", 8) == 0     ? 8
	                                         : 0;
	if (n == 0)
		return 0;
	const char *p = s + n;
	/* A host that starts with a letter is a name, never an IPv4 address
	 * curl would rewrite ("0x7f.1", "2130706433"); no capitals, no
	 * port, no user. */
	if (!(*p >= 'a' && *p <= 'z'))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	    *p == '-' || *p == '.')
		p++;
	if (*p != '/')
		return 0;
	/* "/." may start a dot segment; curl drops an empty query or
	 * fragment. */
	for (; *p != '\0'; p++)
		if (!is_plain_url_char((unsigned char)*p) ||
		    (p[0] == '/' && p[1] == '.') ||
		    ((p[0] == '?' || p[0] == '#') &&
		        (p[1] == '\0' || p[1] == '#')) ||
		    p - s >= URL_PLAIN_MAX)
			return 0;
	return 1;
}

char *
url_resolve(const char *base, const char *ref)
{
	if (ref != NULL && url_is_plain(ref))
		return xstrdup(ref);

	CURLU *h = curl_url();
	int have_base = 0;
	char *out = NULL;

	if (h == NULL)
		return NULL;
	if (base != NULL) {
		char *b = trimmed(base);
		have_base =
		    curl_url_set(h, CURLUPART_URL, b, URL_FLAGS) == CURLUE_OK;
		free(b);
	}
	if (ref == NULL) {
		if (have_base)
			out = get_url(h);
		curl_url_cleanup(h);
		return out;
	}
	char *r = trimmed(ref);
	if (r[0] == '\0' || r[0] == '#') {
		/* Same-document references only replace the fragment; curl
		 * 7.88 resolves "#s" against the directory, so do it here. */
		if (have_base &&
		    curl_url_set(h, CURLUPART_FRAGMENT,
		        r[0] == '#' ? r + 1 : NULL,
		        CURLU_URLENCODE) == CURLUE_OK)
			out = get_url(h);
	} else if (curl_url_set(h, CURLUPART_URL, r, URL_FLAGS) == CURLUE_OK)
		out = get_url(h);
	else if (has_scheme(r)) {
		out = r;
		r = NULL;
	}
	free(r);
	curl_url_cleanup(h);
	return out;
}

int
url_is_http(const char *url)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (h == NULL || url == NULL)
		goto out;
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	ok = (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    host[0] != '\0';
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return ok;
}

char *
url_host(const char *url)
{
	CURLU *h = curl_url();
	char *host, *out = NULL;

	if (h == NULL || url == NULL)
		goto out;
	if (curl_url_set(h, CURLUPART_URL, url, URL_FLAGS) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (host[0] != '\0') {
		out = xstrdup(host);
		for (char *p = out; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
out:
	curl_url_cleanup(h);
	return out;
}

/* Whether the parameters of one link, from p to end, hold rel="next"
 * (quoted or not, among other relations: rel="next last"). */
static int
rel_next(const char *p, const char *end)
{
	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p > 4 && strncasecmp(p, "rel=", 4) == 0) {
			const char *v = p + 4, *ve;
			int quoted = *v == '"';

			v += quoted;
			ve = v;
			while (ve < end && *ve != (quoted ? '"' : ';'))
				ve++;
			for (const char *w = v; w < ve;) {
				size_t n = strcspn(w, " \t\";");

				if (w + n > ve)
					n = (size_t)(ve - w);
				if (n == 4 && strncasecmp(w, "next", 4) == 0)
					return 1;
				w += n;
				while (w < ve && (*w == ' ' || *w == '\t'))
					w++;
			}
		}
		p = memchr(p, ';', (size_t)(end - p));
		if (p == NULL)
			return 0;
	}
	return 0;
}

char *
url_link_next(const char *header)
{
	const char *p = header;

	while (p != NULL && *p != '\0') {
		const char *lt = strchr(p, '<'), *gt, *end;

		if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
			return NULL;
		/* The link's parameters end at the next link's comma, past
		 * any quoted string (a title may hold one). */
		end = gt + 1;
		for (int q = 0; *end != '\0' && (q || *end != ','); end++)
			if (*end == '"')
				q = !q;
		if (rel_next(gt + 1, end))
			return xstrndup(lt + 1, (size_t)(gt - lt - 1));
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* url with name=value appended to its query, after removing the
 * parameters of that name when replace is set. */
static char *
add_param(const char *url, const char *name, const char *value, int replace)
{
	CURLU *h = curl_url();
	char *query = NULL, *full = NULL, *pair, *out = NULL;
	size_t nlen = strlen(name);
	struct buf kept;

	buf_init(&kept);
	if (h == NULL || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto done;
	if (curl_url_get(h, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		for (const char *p = query; *p != '\0';) {
			size_t n = strcspn(p, "&");

			if (!replace ||
			    !(n >= nlen && strncmp(p, name, nlen) == 0 &&
			        (n == nlen || p[nlen] == '=')))
				buf_printf(&kept, "%s%.*s", kept.len ? "&" : "",
				    (int)n, p);
			p += n + (p[n] == '&');
		}
	}
	pair = xasprintf("%s=%s", name, value);
	if (curl_url_set(h, CURLUPART_QUERY, kept.len ? kept.data : NULL, 0) ==
	        CURLUE_OK &&
	    curl_url_set(h, CURLUPART_QUERY, pair,
	        CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &full, 0) == CURLUE_OK)
		out = xstrdup(full);
	free(pair);
done:
	curl_free(query);
	curl_free(full);
	buf_clear(&kept);
	curl_url_cleanup(h);
	return out;
}

char *
url_with_param(const char *url, const char *name, const char *value)
{
	return add_param(url, name, value, 1);
}

char *
url_add_param(const char *url, const char *name, const char *value)
{
	return add_param(url, name, value, 0);
}

int
url_is_segment(const char *s)
{
	size_t n = strlen(s);

	/* "." and ".." would move up the path they are put in. */
	return n > 0 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	    strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_-.@:") == n;
}

char *
url_add_params(char *url, const char *const *pairs)
{
	for (size_t i = 0; url != NULL && pairs[i] != NULL; i += 2) {
		char *next;

		if (pairs[i + 1] == NULL)
			continue;
		next = url_add_param(url, pairs[i], pairs[i + 1]);
		free(url);
		url = next;
	}
	return url;
}
