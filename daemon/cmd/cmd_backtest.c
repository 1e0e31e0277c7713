/*
 * cmd_backtest.c - `vigie backtest`: replays the detector over a watch's stored
 * mentions with the watch's detector parameters ([detect]'s, and those its
 * own section sets) and prints the
 * incidents it would have raised, so that they can be tuned on real
 * history before they wake anyone. The counts come from the database
 * (service/history.h), the decisions from the detector itself
 * (core/detect/detect.h).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/detect/detect.h"
#include "core/read/date.h"
#include "service/db/history.h"

static int
usage(void)
{
	log_plain("usage: vigie backtest [-c FILE] --watch NAME "
	          "--from TIME --to TIME\n"
	          "TIME is a local date or time (2026-03-01, 2026-03-01 "
	          "08:00), an RFC 3339 time (2026-03-01T08:00:00Z), now, "
	          "today, yesterday (aujourd'hui, hier), or hours, days, "
	          "weeks, months or years ago (-12h, -7d, -2w, -1m, -1y)\n");
	return 2;
}

static void
print_event(enum detect_event ev, int64_t at, const struct detect_info *in)
{
	const char *reason = detect_reason_name(in->reason);
	char when[DATE_RFC3339_LEN], name[16];
	size_t i;

	/* Upper case, so that events stand out of the figures. */
	for (i = 0; detect_event_name(ev)[i] != '\0' && i + 1 < sizeof name;
	     i++)
		name[i] =
		    (char)toupper((unsigned char)detect_event_name(ev)[i]);
	name[i] = '\0';
	date_format_rfc3339(at / 1000, when);
	printf("%s  %-9s  reason=%-7s  negatives=%d/%d  expected=%.1f  "
	       "ratio=%.1f  p=%.2g\n",
	    when, name, reason ? reason : "-", in->window_count,
	    in->window_total, in->expected, in->ratio, in->p);
}

/* Steps the detector over the rows, printing the events from `from` on;
 * the history before it only teaches the baseline. */
static int
replay(const struct detect_params *p, const struct bucket_count *rows,
    size_t nrows, int64_t learn_from, int64_t from, int64_t to)
{
	struct detect_track t;
	struct detect_info info;
	size_t r = 0;
	int incidents = 0;

	detect_track_init(&t, p);
	for (int64_t b = learn_from; b < to; b += p->bucket_ms) {
		int neg = 0, total = 0;
		enum detect_event ev;

		if (r < nrows && rows[r].bucket_ms == b) {
			neg = rows[r].negative;
			total = rows[r].total;
			r++;
		}
		/* History starts with the watch's first mention. */
		if (t.last_bucket < 0 && total == 0)
			continue;
		ev = detect_step(p, &t, b, neg, total, &info);
		if (ev == DETECT_NONE || b < from)
			continue;
		incidents += ev == DETECT_FIRED;
		print_event(ev, b + p->bucket_ms, &info);
	}
	return incidents;
}

int
cmd_backtest(int argc, char **argv)
{
	const char *path = CONF_DEFAULT_PATH, *watch = NULL;
	int64_t from = DATE_NONE, to = DATE_NONE;
	struct diag diag = { 0 };
	static const struct option opts[] = { { "config", required_argument,
		                                  NULL, 'c' },
		{ "watch", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'w':
			watch = optarg;
			break;
		case 'f':
		case 't':
			if (cmd_time_arg("backtest", c == 'f' ? "from" : "to",
			        optarg, now_real_ms() / 1000,
			        c == 'f' ? &from : &to) < 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (watch == NULL || from == DATE_NONE || to == DATE_NONE ||
	    to <= from || optind != argc)
		return usage();

	struct conf *conf = conf_load(path, &diag);
	if (conf == NULL) {
		diag_print(&diag);
		return 1;
	}
	/* A watch no longer configured still has history: [detect]'s. */
	const struct conf_watch *w = conf_find_watch(conf, watch);
	const struct detect_params *p = w != NULL ? &w->detect : &conf->detect;
	/* Whole buckets, and a warmup's history before the start to learn
	 * the baseline from, as the daemon would have. */
	int64_t from_ms = from * 1000 / p->bucket_ms * p->bucket_ms;
	/* The future has no mentions yet: replaying it would resolve
	 * every incident still open. */
	int64_t end = to * 1000 < now_real_ms() ? to * 1000 : now_real_ms();
	int64_t to_ms = end / p->bucket_ms * p->bucket_ms;
	int64_t learn_ms = from_ms - p->warmup_ms - p->window_ms;
	struct bucket_count *rows;
	size_t nrows;
	char *err;

	if (history_counts(conf_read_conninfo(conf), watch, p->bucket_ms,
	        p->window_ms, learn_ms, to_ms, &rows, &nrows, &err) == -1) {
		cmd_read_failed(conf, err);
		free(err);
		conf_free(conf);
		return 1;
	}
	printf("watch \"%s\": %zu buckets with mentions; bucket %llds, "
	       "window %llds\n",
	    watch, nrows, (long long)(p->bucket_ms / 1000),
	    (long long)(p->window_ms / 1000));
	int n = replay(p, rows, nrows, learn_ms, from_ms, to_ms);
	printf("%d incident%s\n", n, n == 1 ? "" : "s");
	free(rows);
	conf_free(conf);
	return 0;
}
