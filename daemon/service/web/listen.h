/*
 * listen.h - an HTTP listener on HOST:PORT ([daemon] listen, or vigie
 * dashboard --listen), shared by /metrics and the dashboard.
 */
#ifndef VIGIE_LISTEN_H
#define VIGIE_LISTEN_H

#include <stddef.h>

struct event_base;
struct evhttp;

/* A listener on listen ("127.0.0.1:9464", "[::1]:9464"), or NULL with
 * err filled. Requests are limited in size; GET, HEAD and POST only. */
struct evhttp *http_listen(
    struct event_base *, const char *listen, char *err, size_t errlen);

/* Whether listen's host is a loopback address (127.0.0.0/8, ::1,
 * localhost): only its own machine can reach it. */
int http_listen_is_loopback(const char *listen);

/* Whether a request's Host header (with or without its port) names this
 * machine by a loopback address or "localhost"; 0 for NULL. */
int http_host_is_loopback(const char *host);

#endif
