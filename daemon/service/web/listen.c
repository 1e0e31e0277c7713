/*
 * listen.c - the HTTP listener (see listen.h).
 */
#include "service/web/listen.h"

#include <arpa/inet.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"

/* The host of HOST:PORT without IPv6's brackets, and the port; NULL when
 * listen is not of that form. */
static char *
split(const char *listen, long *port)
{
	const char *colon = strrchr(listen, ':');
	char *end;

	if (colon == NULL || colon == listen)
		return NULL;
	*port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || *port <= 0 || *port > 65535)
		return NULL;
	if (listen[0] == '[')
		return colon[-1] == ']'
		    ? xstrndup(listen + 1, (size_t)(colon - listen - 2))
		    : NULL;
	return xstrndup(listen, (size_t)(colon - listen));
}

struct evhttp *
http_listen(
    struct event_base *base, const char *listen, char *err, size_t errlen)
{
	struct evhttp *http;
	long port;
	char *host = split(listen, &port);

	if (host == NULL) {
		snprintf(
		    err, errlen, "listen '%s': expected HOST:PORT", listen);
		return NULL;
	}
	http = evhttp_new(base);
	if (http == NULL ||
	    evhttp_bind_socket(http, host, (unsigned short)port) != 0) {
		snprintf(err, errlen, "cannot listen on %s", listen);
		if (http != NULL)
			evhttp_free(http);
		free(host);
		return NULL;
	}
	free(host);
	/* A form or a header is never this big; a hostile client gets a
	 * 413 rather than our memory. */
	evhttp_set_max_body_size(http, 64 * 1024);
	evhttp_set_max_headers_size(http, 16 * 1024);
	evhttp_set_timeout(http, 30);
	evhttp_set_allowed_methods(
	    http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
	return http;
}

static int
name_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
	return 0;
}

int
http_listen_is_loopback(const char *listen)
{
	long port;
	char *host = split(listen, &port);
	int loopback = host != NULL && name_is_loopback(host);

	free(host);
	return loopback;
}

int
http_host_is_loopback(const char *host)
{
	long port;
	char *name;
	int loopback;

	if (host == NULL)
		return 0;
	/* A Host without its port: "localhost", "[::1]". */
	if (strrchr(host, ':') == NULL ||
	    (host[0] == '[' && host[strlen(host) - 1] == ']')) {
		char *with = xasprintf("%s:80", host);

		loopback = http_listen_is_loopback(with);
		free(with);
		return loopback;
	}
	name = split(host, &port);
	loopback = name != NULL && name_is_loopback(name);
	free(name);
	return loopback;
}
