/*
 * polite.h - crawling manners for pages (type = html sources): robots.txt
 * fetched once a day per site and obeyed for our User-Agent, Crawl-delay
 * included, and a minimum delay between two requests to one host.
 */
#ifndef VIGIE_POLITE_H
#define VIGIE_POLITE_H

#include <stdint.h>

struct fetcher;
struct polite;

/* ready is called when a robots.txt it was waiting for has arrived, so
 * that waiting pages can be tried again. */
struct polite *polite_new(struct fetcher *, void (*ready)(void *), void *arg);
void polite_free(struct polite *);

enum polite_verdict {
	POLITE_GO, /* fetch it now (and call polite_started) */
	POLITE_WAIT, /* not yet: robots.txt is on its way, or too soon */
	POLITE_DISALLOWED, /* robots.txt says no */
};

/* May url be fetched now, min_delay_ms after the last request to its
 * host (or the site's Crawl-delay, if longer)? user_agent names us. */
enum polite_verdict polite_check(struct polite *, const char *url,
    const char *user_agent, int64_t min_delay_ms, int64_t now_ms);
void polite_started(struct polite *, const char *url, int64_t now_ms);

#endif
