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

/* Brings the database at conninfo up to migrate_latest(), calling
 * applied_cb (if not NULL) after each migration it applies. 0, or -1 with
 * an allocated message in *err (the caller frees it); a failed migration
 * is rolled back whole. Concurrent callers are serialised by an advisory
 * lock. */
int migrate_database(const char *conninfo,
    void (*applied_cb)(const struct migration *, void *), void *arg,
    char **err);

#endif
