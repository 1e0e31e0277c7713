/*
 * story.h - what makes two items the same story: a normalised URL (tracking
 * parameters, fragments, default ports and case removed), the real article
 * behind an alert feed's redirect link (Google Alerts, Talkwalker Alerts),
 * and a SimHash of the text robust to small edits.
 */
#ifndef VIGIE_STORY_H
#define VIGIE_STORY_H

#include <stddef.h>
#include <stdint.h>

/* The URL an alert feed's redirect link points at (google.com/url?url=…,
 * Talkwalker's and similar), or NULL if url is not such a link. *relayed
 * (when not NULL) says whether an alert or news service's redirector led
 * there (Google, Talkwalker, Bing News: the article is another site's,
 * relayed), rather than a share button's (Facebook, YouTube, ...). */
char *story_unwrap(const char *url, int *relayed);

/* A normalised form for comparing URLs: lower-case scheme and host,
 * default port, fragment and tracking parameters (utm_*, fbclid, gclid,
 * …) removed, remaining parameters sorted, "index.html" and a trailing
 * slash dropped. NULL if url is not an absolute http(s) URL. */
char *story_normalize_url(const char *url);

/* 64-bit similarity hash of the folded words of text (shingles of 3
 * words, one minwise hash per bit: see docs/SOURCES.md); 0 for a text
 * too short to say anything. */
uint64_t story_simhash(const char *text, size_t len);
/* Bits that differ: 3 or fewer means near-duplicates. */
int story_distance(uint64_t, uint64_t);

#endif
