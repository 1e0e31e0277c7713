/*
 * log.c - formats and writes log lines to stderr (see log.h).
 */
#include "core/base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/util.h"

static enum log_level log_threshold = LOG_LVL_INFO;
static int log_journal;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error",
	[LOG_LVL_WARN] = "warning",
	[LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void
log_init(void)
{
	/* journald sets JOURNAL_STREAM when stderr is connected to it. */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

int
log_level_parse(const char *s)
{
	for (size_t i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	if (strcmp(s, "warn") == 0)
		return LOG_LVL_WARN;
	return -1;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	if (level > log_threshold)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	/* One event, one line: a newline from untrusted text must not forge
	 * a second log entry. */
	for (char *p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_journal) {
		fprintf(stderr, "<%d>%s\n", (int)level, line);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s vigie[%s]: %s\n", stamp, level_names[level],
		    line);
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* Writes prefix and the formatted message, its trailing newlines replaced
 * by exactly one. */
static void
user_line(const char *prefix, const char *fmt, va_list ap)
{
	char *line = xvasprintf(fmt, ap);
	size_t len = strlen(line);

	while (len > 0 && line[len - 1] == '\n')
		len--;
	fprintf(stderr, "%s%.*s\n", prefix, (int)len, line);
	free(line);
}

void
log_user(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	user_line("vigie: ", fmt, ap);
	va_end(ap);
}

void
log_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	user_line("", fmt, ap);
	va_end(ap);
}
