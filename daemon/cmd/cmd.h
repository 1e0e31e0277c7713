/*
 * cmd.h - the subcommands of the vigie executable. Each takes the argument
 * vector from its own name on (argv[0] is "parse", "check", ...) and
 * returns the process exit status.
 */
#ifndef VIGIE_CMD_H
#define VIGIE_CMD_H

#include <stdint.h>

struct conf;

int cmd_parse(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_dashboard(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_discover(int argc, char **argv);

/* --opt arg of cmd read as a time (core/read/when.h) into *out: 0, or -1
 * after saying what could not be read. */
int cmd_time_arg(const char *cmd, const char *opt, const char *arg, int64_t now,
    int64_t *out);

/* Says why a command that only reads the database could not (err), naming
 * the standby's setting when it read there. */
void cmd_read_failed(const struct conf *conf, const char *err);

#endif
