/*
 * pacer.h - crawling manners for pages (type = html sources): robots.txt
 * fetched once a day per site and obeyed for our User-Agent, Crawl-delay
 * included, and a minimum delay between two requests to one host.
 */
#ifndef VIGIE_POLITE_H
#define VIGIE_POLITE_H

#include <stdint.h>

struct fetcher;
struct pacer;

/* ready is called when a robots.txt it was waiting for has arrived, so
 * that waiting pages can be tried again. */
struct pacer *pacer_new(struct fetcher *, void (*ready)(void *), void *arg);
void pacer_free(struct pacer *);

enum pacer_verdict {
	PACER_GO, /* fetch it now (and call pacer_started) */
	PACER_WAIT, /* not yet: robots.txt is on its way, or too soon */
	PACER_DISALLOWED, /* robots.txt says no */
};

/* May url be fetched now, min_delay_ms after the last request to its
 * host ended (or the site's Crawl-delay, if longer)? user_agent names
 * us. */
enum pacer_verdict pacer_check(struct pacer *, const char *url,
    const char *user_agent, int64_t min_delay_ms, int64_t now_ms);
/* A request to url's host starts, and ends: the delay runs from the
 * end, so that the host sees it between two requests whatever the time
 * one took to reach it (a new connection, a slow answer). */
void pacer_started(struct pacer *, const char *url, int64_t now_ms);
void pacer_finished(struct pacer *, const char *url, int64_t now_ms);

#endif
