/*
 * log.h - the one logging module.
 *
 * Everything vigie writes to stderr goes through here; nothing else in
 * vigie writes to it. Two kinds of line:
 * - the daemon's log (log_msg and its macros): under systemd
 *   (JOURNAL_STREAM set) lines carry sd-daemon "<N>" priority prefixes so
 *   journald files them at the right level; on a terminal they carry a
 *   time stamp and the level name instead;
 * - what a command says to the person or script that ran it (log_user,
 *   log_plain): usage, "vigie: what went wrong", configuration problems as
 *   FILE:LINE: message. These are not filtered by level: they are the
 *   command's answer.
 */
#ifndef VIGIE_LOG_H
#define VIGIE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

void log_init(void);
void log_set_level(enum log_level);
/* Parses "err", "warning", "notice", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *);

void log_msg(enum log_level, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

/* "vigie: MESSAGE" on a line of its own. A trailing newline in the
 * message (libpq's messages end with one) is not doubled. */
void log_user(const char *, ...) __attribute__((format(printf, 1, 2)));
/* The message as it is, on a line of its own: usage text, or diagnostics
 * already formatted. */
void log_plain(const char *, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
