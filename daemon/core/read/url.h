/*
 * url.h - URL handling on top of libcurl's URL API: resolution of relative
 * references, scheme checks and host extraction.
 */
#ifndef VIGIE_URL_H
#define VIGIE_URL_H

/* Resolves ref against base (either may be relative/NULL). Returns a new
 * string, or NULL if no absolute URL results. */
char *url_resolve(const char *base, const char *ref);

/* 1 if ref is an absolute http(s) URL that url_resolve gives back as it
 * is, whatever the base: no relative part to resolve, nothing curl would
 * encode or rewrite. A shortcut past curl for the links of most feeds. */
int url_is_plain(const char *ref);

/* 1 if url is an absolute http:// or https:// URL with a host. */
int url_is_http(const char *url);

/* Lower-case host name of url, new string, or NULL. */
char *url_host(const char *url);

/* The target of the rel="next" link of an HTTP Link header's value (RFC
 * 8288: <URL>; rel="next", <URL>; rel="prev"), as written (maybe
 * relative), new string, or NULL. */
char *url_link_next(const char *header);

/* url with its query's name parameter set to value (encoded), any
 * earlier one dropped: the next page of an API that pages by a cursor.
 * New string, or NULL. */
char *url_with_param(const char *url, const char *name, const char *value);
/* url with name=value added to its query, beside any of that name
 * (Mastodon's any[]=). */
char *url_add_param(const char *url, const char *name, const char *value);
/* url (taken) with each name, value pair of a NULL-terminated list added
 * in turn, a NULL value skipping its pair; NULL if one cannot be. */
char *url_add_params(char *url, const char *const *pairs);

/* Whether s can stand as it is in a URL's path or query, changing
 * nothing around it: a name, an id, a handle (letters, digits and
 * "_-.@:", not "." nor ".."). */
int url_is_segment(const char *s);

#endif
