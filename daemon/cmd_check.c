/*
 * cmd_check.c - "vigie check": loads the configuration the way the daemon
 * would and reports every problem in it, for editors and deployment scripts.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "util.h"

static int
usage(FILE *f)
{
	fprintf(f, "usage: vigie check [-c FILE]\n");
	return f == stdout ? 0 : 2;
}

int
cmd_check(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct diag diag = {0};
	struct conf *conf;
	int ch;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);

	if ((conf = conf_load(path, &diag)) == NULL) {
		for (size_t i = 0; i < diag.len; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		diag_free(&diag);
		return 1;
	}
	printf("%s: ok, %zu source%s\n", path, conf->nsources,
	    conf->nsources == 1 ? "" : "s");
	conf_free(conf);
	return 0;
}
