/*
 * args.c - what several subcommands read from their arguments alike.
 */
#include "cmd/cmd.h"

#include "core/base/log.h"
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
