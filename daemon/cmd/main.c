/*
 * main.c - the vigie executable: picks the subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/read/xml.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} commands[] = {
	{ "run", cmd_run, "run [-c FILE] [--once]    poll, store and alert" },
	{ "check", cmd_check,
	    "check [-c FILE]           validate the configuration" },
	{ "migrate", cmd_migrate,
	    "migrate [-c FILE]         bring the database schema up to date" },
	{ "parse", cmd_parse,
	    "parse [--base URL] FILE   print the items of a feed as JSON lines" },
	{ "backtest", cmd_backtest,
	    "backtest [-c FILE] --watch NAME --from T --to T  incidents the detector would have raised" },
	{ "inspect", cmd_inspect,
	    "inspect [-c FILE] NAME     fetch one source now and show what it gives" },
	{ "discover", cmd_discover,
	    "discover URL              the feeds of a page, best first" },
	{ "score", cmd_score,
	    "score [--lang L] [-c FILE] [TEXT...]  tone (and watches) of each text" },
};

static int
usage(FILE *f)
{
	fprintf(f, "usage: vigie COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  vigie %s\n", commands[i].usage);
	fprintf(f, "\nThe configuration defaults to /etc/vigie/vigie.conf.\n");
	return f == stdout ? 0 : 2;
}

int
main(int argc, char **argv)
{
	log_init();
	/* libxml2 must never print, nor load anything, whatever the
	 * command: configuration checks compile XPaths too. */
	xml_global_init();
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vigie %s\n", VIGIE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vigie: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
