/*
 * args.c - what several subcommands read from their arguments alike, and
 * how those that only read the database say it failed.
 */
#include "cmd/cmd.h"

#include "core/base/log.h"
#include "core/config/conf.h"
#include "core/read/date.h"
#include "core/read/when.h"

int
cmd_time_arg(const char *cmd, const char *opt, const char *arg, int64_t now,
    int64_t *out)
{
	if ((*out = when_parse(arg, now)) != DATE_NONE)
		return 0;
	log_plain("vigie %s: --%s %s: not a time\n", cmd, opt, arg);
	return -1;
}

void
cmd_read_failed(const struct conf *conf, const char *err)
{
	/* They read on the standby when one is set, and do not fall back
	 * to the primary (a report's figures must say where they come
	 * from): the setting to look at is the replica's. */
	if (conf->replica != NULL)
		log_user("[database] replica: %s", err);
	else
		log_user("%s", err);
}
