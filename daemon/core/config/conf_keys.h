/*
 * conf_keys.h - the keys of each section of the configuration file and
 * the setters that check and store their values. Internal to conf.c.
 */
#ifndef VIGIE_CONF_KEYS_H
#define VIGIE_CONF_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct diag;

#define SEC 1000LL
#define MIN (60 * SEC)
#define DAY (24 * 60 * MIN)

enum sect {
	SECT_NONE,
	SECT_DATABASE,
	SECT_POLL,
	SECT_DAEMON,
	SECT_SOURCE,
	SECT_WATCH,
	SECT_SENTIMENT,
	SECT_RULES,
	SECT_SMTP,
	SECT_NOTIFY,
	SECT_DETECT,
	SECT_DASHBOARD,
	SECT_SKIP,
	SECT_REPORT,
	SECT_SEARCH,
	SECT_COUNT
};

/* Where a value was read, for its messages. */
struct conf_where {
	struct diag *diag;
	const char *file;
	int line;
};

struct conf_key;

/* Checks value and stores it in field, or adds a message and leaves the
 * field as it was (except where said). */
typedef void conf_setter(const struct conf_key *, const struct conf_where *,
    void *field, const char *value);

struct conf_key {
	enum sect sect;
	const char *name;
	conf_setter *set;
	size_t off; /* into struct conf or the section's own struct (for
	             [detect]'s keys, struct detect_params) */
	int64_t min, max;
	const char *range; /* min and max as a user writes them */
};

/* The number of rows of conf_keys[], for the parser's table of lines. */
#define CONF_NKEYS 109

extern const struct conf_key conf_keys[CONF_NKEYS];

/* The key named name in sect, or NULL. */
const struct conf_key *conf_key_find(enum sect, const char *name);

#endif
