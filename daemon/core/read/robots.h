/*
 * robots.h - robots.txt (RFC 9309): the group that applies to our
 * User-Agent, Allow/Disallow by longest match with * and $, Crawl-delay.
 */
#ifndef VIGIE_ROBOTS_H
#define VIGIE_ROBOTS_H

#include <stddef.h>
#include <stdint.h>

struct robots;

/* Parses a robots.txt body for user_agent (its product token is compared,
 * case-insensitively). Never fails: garbage allows everything. */
struct robots *robots_parse(
    const char *txt, size_t len, const char *user_agent);
/* A robots that allows everything (no robots.txt, 4xx), or that forbids
 * everything (5xx: the site is not ready to say). */
struct robots *robots_allow_all(void);
struct robots *robots_deny_all(void);
void robots_free(struct robots *);

/* 1 if path (with its query, starting with '/') may be fetched. */
int robots_allowed(const struct robots *, const char *path);
/* Crawl-delay in milliseconds, or 0. */
int64_t robots_crawl_delay_ms(const struct robots *);

#endif
