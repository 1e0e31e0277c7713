/*
 * cmd_score.c - "vigie score": the tone of each text argument, or of each
 * line of standard input, as one JSON object per line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "sentiment.h"
#include "util.h"

/* Only the start of a longer line is scored: a runaway line must not
 * hold the pipeline. */
#define SCORE_MAX_LEN ((size_t)1 << 20)
#define OUT_FLUSH 65536

static int
usage(void)
{
	fprintf(stderr, "usage: vigie score [--lang en|fr|auto] [--band X] "
	                "[--lexicon FILE]... [-c FILE] [TEXT...]\n");
	return 2;
}

/* The value of option name at argv[*i] ("--name V" or "--name=V"), or
 * NULL if argv[*i] is another argument. */
static const char *
optval(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static void
emit(struct buf *out, const struct sentiment_model *m, const char *text,
     size_t len, const char *lang, double band)
{
	struct sentiment_score s;

	sentiment_score(m, text, len > SCORE_MAX_LEN ? SCORE_MAX_LEN : len,
	                lang, band, &s);
	/* Adding 0.0 turns a negative zero into "0.0000". */
	buf_printf(out,
	           "{\"compound\":%.4f,\"label\":\"%s\",\"lang\":\"%s\","
	           "\"abusive\":%s,\"pos\":%.3f,\"neu\":%.3f,\"neg\":%.3f}\n",
	           s.compound + 0.0, sentiment_label_name(s.label), s.lang,
	           s.abusive ? "true" : "false", s.pos, s.neu, s.neg);
	if (out->len >= OUT_FLUSH) {
		fwrite(out->data, 1, out->len, stdout);
		out->len = 0;
	}
}

int
cmd_score(int argc, char **argv)
{
	const char *lang = NULL, *conf_path = NULL, *v;
	const char **lexicons = NULL;
	size_t nlexicons = 0;
	double band = 0.05;
	int i, missing = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if ((v = optval(argc, argv, &i, "--lang", &missing))) {
			if (strcmp(v, "en") && strcmp(v, "fr") &&
			    strcmp(v, "auto"))
				missing = 1;
			lang = strcmp(v, "auto") ? v : NULL;
		} else if ((v = optval(argc, argv, &i, "--band", &missing))) {
			char *end;
			errno = 0;
			band = strtod(v, &end);
			if (errno || end == v || *end || !(band >= 0) ||
			    band >= 1)
				missing = 1;
		} else if ((v = optval(argc, argv, &i, "--lexicon",
		                       &missing))) {
			lexicons = xreallocarray(lexicons, nlexicons + 1,
			                         sizeof *lexicons);
			lexicons[nlexicons++] = v;
		} else if ((v = optval(argc, argv, &i, "-c", &missing))) {
			conf_path = v;
		} else if (missing || (argv[i][0] == '-' && argv[i][1])) {
			missing = 1;
		} else {
			break;
		}
		if (missing) {
			free(lexicons);
			return usage();
		}
	}

	struct diag diag = {0};
	if (conf_path) {
		/* Watches and [sentiment] settings will come from here; for
		 * now the file is only checked. */
		struct conf *conf = conf_load(conf_path, &diag);
		conf_free(conf);
	}
	char *dir = xasprintf("%s/lexicons", rules_dir_default());
	struct sentiment_model *m =
	    diag.len ? NULL
	             : sentiment_model_load(dir, lexicons, nlexicons, &diag);
	free(dir);
	free(lexicons);
	if (m == NULL) {
		for (size_t k = 0; k < diag.len; k++)
			fprintf(stderr, "vigie: %s\n", diag.msgs[k]);
		diag_free(&diag);
		return 1;
	}

	struct buf out;
	buf_init(&out);
	if (i < argc) {
		for (; i < argc; i++)
			emit(&out, m, argv[i], strlen(argv[i]), lang, band);
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			while (n > 0 &&
			       (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			emit(&out, m, line, (size_t)n, lang, band);
		}
		free(line);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	sentiment_model_free(m);
	return fflush(stdout) == 0 ? 0 : 1;
}
