/*
 * cmd_migrate.c - `vigie migrate [-c FILE]`: brings the configured
 * database's schema up to this binary's version (service/migrate.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/config/conf.h"
#include "service/db/migrate.h"

static void
print_applied(const struct migration *m, void *arg)
{
	int *done = arg;

	printf("applied %s\n", m->name);
	(*done)++;
}

int
cmd_migrate(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct diag diag = { 0 };
	struct conf *conf;
	char *err;
	int c, rc, done = 0;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 }
	};

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c != 'c') {
			log_plain("usage: vigie migrate [-c FILE]");
			return 2;
		}
		path = optarg;
	}
	conf = conf_load(path, &diag);
	if (conf == NULL) {
		diag_print(&diag);
		return 1;
	}
	rc = migrate_database(conf->conninfo, print_applied, &done, &err);
	conf_free(conf);
	if (rc == -1) {
		log_user("migrate: %s", err);
		free(err);
		return 1;
	}
	printf("schema at version %d (%d migration%s applied)\n",
	    migrate_latest(), done, done == 1 ? "" : "s");
	return 0;
}
