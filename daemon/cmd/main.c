/*
 * main.c - the vigie executable: picks the subcommand.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/read/xml.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	/* It transfers: libcurl's set-up (OpenSSL's, some 2.5 million
	 * instructions) is done for those commands only. */
	int net;
	const char *usage;
} commands[] = {
	{ "run", cmd_run, 1,
	    "run [-c FILE] [--once]    poll, store and alert" },
	{ "check", cmd_check, 0,
	    "check [-c FILE]           validate the configuration" },
	{ "migrate", cmd_migrate, 0,
	    "migrate [-c FILE]         bring the database schema up to date" },
	{ "parse", cmd_parse, 0,
	    "parse [--base URL] FILE   print the items of a feed as JSON lines" },
	{ "backtest", cmd_backtest, 0,
	    "backtest [-c FILE] --watch NAME --from T --to T  incidents the detector would have raised" },
	{ "report", cmd_report, 0,
	    "report [-c FILE] --from T --to T [--format html|csv|md]  a period's report" },
	{ "dashboard", cmd_dashboard, 0,
	    "dashboard [-c FILE] [--listen HOST:PORT]  the dashboard alone" },
	{ "inspect", cmd_inspect, 1,
	    "inspect [-c FILE] NAME     fetch one source now and show what it gives" },
	{ "discover", cmd_discover, 1,
	    "discover [--base URL] URL|FILE  the feeds of a page that answer, best first" },
	{ "score", cmd_score, 0,
	    "score [--lang L] [-c FILE] [TEXT...]  tone (and watches) of each text" },
};

/* Asked for (help, -h), the usage is the answer, on stdout; otherwise it
 * is a complaint. */
static int
usage(int asked)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "usage: vigie COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		buf_printf(&b, "  vigie %s\n", commands[i].usage);
	buf_puts(&b, "\nThe configuration defaults to /etc/vigie/vigie.conf.");
	if (asked)
		puts(b.data);
	else
		log_plain("%s", b.data);
	buf_clear(&b);
	return asked ? 0 : 2;
}

int
main(int argc, char **argv)
{
	int rc;

	log_init();
	/* libxml2 must never print, nor load anything, whatever the
	 * command: configuration checks compile XPaths too. */
	xml_global_init();
	if (argc < 2)
		return usage(0);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(1);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vigie %s\n", VIGIE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		/* Once, before anything else runs, as libcurl asks; its URL
		 * parser, which every command uses, needs none of it. */
		if (commands[i].net &&
		    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_user("cannot initialise libcurl");
			return 1;
		}
		rc = commands[i].fn(argc - 1, argv + 1);
		if (commands[i].net)
			curl_global_cleanup();
		return rc;
	}
	log_user("unknown command '%s'", argv[1]);
	return usage(0);
}
