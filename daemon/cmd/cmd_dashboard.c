/*
 * cmd_dashboard.c - `vigie dashboard`: the daemon's dashboard alone, for
 * an analyst's machine: it reads the database the daemon fills, polls
 * nothing, and stops on SIGINT or SIGTERM.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "service/web/dashboard.h"
#include "service/web/listen.h"

/* Where it listens when neither --listen nor [daemon] listen says. */
#define DEFAULT_LISTEN "127.0.0.1:8080"

static int
usage(void)
{
	log_plain("usage: vigie dashboard [-c FILE] [--listen HOST:PORT]\n");
	return 2;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int
cmd_dashboard(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONF_DEFAULT_PATH, *listen = NULL;
	struct diag diag = { 0 };
	struct conf *conf;
	struct event_base *base;
	struct evhttp *http;
	struct dashboard *d;
	struct event *sigint, *sigterm;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "c:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	conf = conf_load(path, &diag);
	if (conf == NULL) {
		diag_print(&diag);
		diag_clear(&diag);
		return 1;
	}
	if (listen == NULL)
		listen = conf->listen != NULL ? conf->listen : DEFAULT_LISTEN;
	base = event_base_new();
	http = http_listen(base, listen, err, sizeof err);
	d = http != NULL
	    ? dashboard_new(base, http, listen, conf, err, sizeof err)
	    : NULL;
	if (d == NULL) {
		log_user("vigie dashboard: %s", err);
		if (http != NULL)
			evhttp_free(http);
		event_base_free(base);
		conf_free(conf);
		return 1;
	}
	sigint = evsignal_new(base, SIGINT, on_signal, base);
	sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("vigie dashboard: http://%s/\n", listen);
	fflush(stdout);
	event_base_dispatch(base);
	event_free(sigint);
	event_free(sigterm);
	dashboard_free(d);
	evhttp_free(http);
	event_base_free(base);
	conf_free(conf);
	return 0;
}
