#include "cmd.h"
#include "migrate.h"
int migrate_latest(void) { return migrations[migrations_count - 1].version; }
int cmd_migrate(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_run(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_parse(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_check(int argc, char **argv) { (void)argc; (void)argv; return 1; }
