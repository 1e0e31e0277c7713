/*
 * util.h - small helpers shared by every module: a growable string buffer,
 * checked allocation that aborts on exhaustion, and a list of diagnostics.
 */
#ifndef VIGIE_UTIL_H
#define VIGIE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is not recoverable in a daemon this size: these log
 * and abort rather than let a NULL travel. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *);
/* Room for extra more bytes and the NUL, so that a hot loop can write
 * into data directly. */
void buf_reserve(struct buf *, size_t extra);
void buf_append(struct buf *, const void *, size_t);
void buf_puts(struct buf *, const char *);
void buf_putc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller and leaves the buffer empty. */
char *buf_release(struct buf *);
void buf_clear(struct buf *);

/* Problems found while reading configuration or rules, each already
 * formatted as "FILE:LINE: message". */
struct diag {
	char **msgs;
	size_t len;
};

void diag_add(struct diag *, const char *file, int line, const char *, ...)
    __attribute__((format(printf, 4, 5)));
void diag_clear(struct diag *);
/* Writes every message to stderr (log_plain), one a line, and frees
 * them. */
void diag_print(struct diag *);

/* Formats a message into err[errlen] (truncated to fit) and returns -1,
 * for the parsers that report why they refused their input. */
int err_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The shipped rules directory (lexicons, example watches): the installed
 * one, else the source tree's when running from a build directory. */
const char *rules_dir_default(void);

/* The value of a hexadecimal digit, or -1. */
int hex_value(int c);

/* Milliseconds on the monotonic and realtime clocks. */
int64_t now_mono_ms(void);
int64_t now_real_ms(void);

#endif
