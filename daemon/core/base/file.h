/*
 * file.h - opening the files a configuration names (itself, its includes,
 * lexicons, OPML lists, secrets) as regular files only.
 */
#ifndef VIGIE_FILE_H
#define VIGIE_FILE_H

#include <stdio.h>

/* path opened for reading if it is a regular file; NULL otherwise, with
 * why set to the system's reason or "not a regular file". A device
 * (/dev/zero), a FIFO or a directory is refused at once: read to its end,
 * the first never ends and the second waits for a writer. */
FILE *file_open(const char *path, const char **why);

/* All of the regular file at path appended to out: 0; -1 with why set
 * when it cannot be read; -2 when it is larger than max bytes (out then
 * holds part of it). */
struct buf;
int file_read(const char *path, size_t max, struct buf *out, const char **why);

/* The first line of a secret file (a key, a password, a token), without
 * its line end: a new string, or NULL with why set. Never printed by
 * vigie; a caller that logs a failure logs why, not the content. */
char *file_secret(const char *path, const char **why);

#endif
