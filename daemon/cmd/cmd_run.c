/*
 * cmd_run.c - `vigie run [-c FILE] [--once]`: reads and checks the
 * configuration, then hands it to the daemon (service/daemon.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/config/conf.h"
#include "core/config/conf_open.h"
#include "core/judge/analyze.h"
#include "service/daemon.h"

int
cmd_run(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH;
	struct analyzer *analyzer = NULL;
	struct diag diag = { 0 };
	struct conf *conf;
	int c, once = 0;
	static const struct option opts[] = { { "config", required_argument,
		                                  NULL, 'c' },
		{ "once", no_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			once = 1;
			break;
		default:
			log_plain("usage: vigie run [-c FILE] [--once]");
			return 2;
		}
	}
	conf = conf_open(path, &analyzer, &diag);
	if (conf == NULL || conf_check_private(conf, &diag) == -1) {
		diag_print(&diag);
		analyzer_free(analyzer);
		conf_free(conf);
		return 1;
	}
	return daemon_run(path, once, conf, analyzer);
}
