/*
 * cmd_check.c - "vigie check": loads the configuration the way the daemon
 * would and reports every problem in it, for editors and deployment scripts.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/judge/analyze.h"

#define USAGE "usage: vigie check [-c FILE]"

/* Asked for (-h), the usage is the answer, on stdout; otherwise it is a
 * complaint. */
static int
usage(int asked)
{
	if (asked) {
		puts(USAGE);
		return 0;
	}
	log_plain(USAGE);
	return 2;
}

int
cmd_check(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct diag diag = { 0 };
	struct conf *conf;
	struct analyzer *an = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			return usage(1);
		default:
			return usage(0);
		}
	}
	if (optind != argc)
		return usage(0);

	if ((conf = conf_open(path, &an, &diag)) == NULL) {
		diag_print(&diag);
		return 1;
	}
	/* Warnings do not refuse the configuration: it runs as written. */
	for (size_t i = 0; i < analyzer_warnings(an)->len; i++)
		log_plain("%s", analyzer_warnings(an)->msgs[i]);
	printf("%s: ok, %zu source%s, %zu watch%s", path, conf->nsources,
	    conf->nsources == 1 ? "" : "s", conf->nwatches,
	    conf->nwatches == 1 ? "" : "es");
	/* Said only when there are some: the line stays as it was for a
	 * configuration without them. */
	if (conf->nreports > 0)
		printf(", %zu scheduled report%s", conf->nreports,
		    conf->nreports == 1 ? "" : "s");
	putchar('\n');
	/* What the watches' search keys made: that is what will be asked. */
	for (size_t i = 0; i < conf->nsources; i++)
		if (conf->sources[i].watch != NULL)
			printf("  %s\t%s\n", conf->sources[i].name,
			    conf->sources[i].url);
	analyzer_free(an);
	conf_free(conf);
	return 0;
}
