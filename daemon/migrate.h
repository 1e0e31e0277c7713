/*
 * migrate.h - the schema's numbered migrations (schema/NNN_name.sql), built
 * into the binary, and what applies them.
 */
#ifndef VIGIE_MIGRATE_H
#define VIGIE_MIGRATE_H

#include <stddef.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t migrations_count;

/* The version this binary needs: that of its last migration. */
int migrate_latest(void);

#endif
