/*
 * cmd_report.c - `vigie report`: a period's report for management, per
 * watch against the period before, as HTML, CSV or Markdown
 * (core/report/report.h), from the analytics views
 * (service/db/report_data.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/read/date.h"
#include "core/report/report.h"
#include "service/db/report_data.h"

#define DAY 86400
/* Three years of days: a chart's bars stay bars. */
#define MAX_DAYS 1100

static int
usage(void)
{
	log_plain("usage: vigie report [-c FILE] [--watch NAME]... [--tag TAG] "
	          "--from T --to T\n"
	          "                    [--format html|csv|md] [--lang fr|en] "
	          "[--sep ,|;] [-o FILE]\n"
	          "T is a local date or time (2026-03-01, 2026-03-01 08:00), "
	          "now, today, yesterday\n"
	          "(aujourd'hui, hier), or hours, days, weeks, months or years "
	          "ago (-7d, -1m)\n");
	return 2;
}

/* The UTC midnight of t's local date: the views count by day, and a
 * person's day is the local one. */
static int64_t
local_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return DATE_NONE;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return (int64_t)timegm(&tm);
}

static int
write_out(const char *path, const struct buf *b)
{
	FILE *f = path != NULL ? fopen(path, "w") : stdout;

	if (f == NULL) {
		log_user("vigie report: %s: %s", path, strerror(errno));
		return 1;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len ||
	    (path != NULL ? fclose(f) : fflush(f)) != 0) {
		log_user("vigie report: %s: %s", path ? path : "stdout",
		    strerror(errno));
		return 1;
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH, *tag = NULL, *out = NULL;
	const char *lang = "fr";
	int format = REPORT_HTML, c, rc;
	char sep = ',';
	int64_t from = DATE_NONE, to = DATE_NONE, now = (int64_t)time(NULL);
	char **names = NULL;
	size_t nnames = 0;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "watch", required_argument, NULL, 'w' },
		{ "tag", required_argument, NULL, 'g' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "lang", required_argument, NULL, 'l' },
		{ "sep", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};

	while ((c = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'w':
			names =
			    xreallocarray(names, nnames + 1, sizeof(*names));
			names[nnames++] = optarg;
			break;
		case 'g':
			tag = optarg;
			break;
		case 'f':
		case 't':
			if (cmd_time_arg("report", c == 'f' ? "from" : "to",
			        optarg, now, c == 'f' ? &from : &to) < 0)
				goto bad;
			break;
		case 'F':
			if ((format = report_format_parse(optarg)) < 0) {
				log_plain("vigie report: --format %s: html, "
				          "csv or md\n",
				    optarg);
				goto bad;
			}
			break;
		case 'l':
			if (strcmp(optarg, "fr") != 0 &&
			    strcmp(optarg, "en") != 0) {
				log_plain("vigie report: --lang %s: fr or en\n",
				    optarg);
				goto bad;
			}
			lang = optarg;
			break;
		case 's':
			if (strcmp(optarg, ",") != 0 &&
			    strcmp(optarg, ";") != 0) {
				log_plain(
				    "vigie report: --sep %s: , or ;\n", optarg);
				goto bad;
			}
			sep = optarg[0];
			break;
		default:
			goto bad;
		}
	}
	if (from == DATE_NONE || to == DATE_NONE || optind != argc ||
	    (nnames > 0 && tag != NULL))
		goto bad;
	/* The days of [from, to): a "to" within a day takes that day in. */
	int64_t first = local_day(from), last = local_day(to - 1);
	if (first == DATE_NONE || last == DATE_NONE || last < first ||
	    (last - first) / DAY >= MAX_DAYS) {
		if (last < first)
			log_plain("vigie report: --to is not after --from\n");
		goto bad;
	}

	struct diag diag = { 0 };
	struct conf *conf = conf_load(path, &diag);
	if (conf == NULL) {
		diag_print(&diag);
		free(names);
		return 1;
	}
	struct report *r = report_new(first, last + DAY, lang);
	char *err;
	if (report_data_fill(conf_read_conninfo(conf), r,
	        (const char *const *)names, nnames, tag != NULL ? &tag : NULL,
	        tag != NULL, &err) < 0) {
		cmd_read_failed(conf, err);
		free(err);
		rc = 1;
	} else {
		struct buf b;

		buf_init(&b);
		report_render(r, (enum report_format)format, sep, &b);
		rc = write_out(out, &b);
		buf_clear(&b);
	}
	report_free(r);
	conf_free(conf);
	free(names);
	return rc;
bad:
	free(names);
	return usage();
}
