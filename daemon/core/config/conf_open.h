/*
 * conf_open.h - a configuration and everything it names, read and checked
 * as `vigie run`, `vigie check` and `vigie inspect` all need it: the file
 * and its includes, page sources' rules, watches' queries, lexicons.
 */
#ifndef VIGIE_CONF_OPEN_H
#define VIGIE_CONF_OPEN_H

#include "core/base/util.h"

struct analyzer;
struct conf;

/* The configuration and its compiled watches and lexicons, or NULL with
 * every problem in diag. Queries and lexicons are checked only in a file
 * that reads well: their messages would otherwise repeat its mistakes. */
struct conf *conf_open(const char *path, struct analyzer **, struct diag *);

/* Refuses a configuration file or secret file (SMTP password, webhook
 * keys, API tokens) that others than its owner and group may read: they
 * may hold passwords. 0, or -1 with each offending file in diag. */
int conf_check_private(const struct conf *, struct diag *);

#endif
