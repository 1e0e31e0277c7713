/*
 * alert_dump.c - test-only: reads an alert described in JSON (fields named
 * as in struct alert, "emotion" by its name, plus "from", "to", "domain"
 * and "key") and writes one rendering of it to stdout, for
 * tests/alert_validate.py.
 *
 *	alert_dump FILE email|webhook|slack|signature
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert/alert.h"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t
num(json_t *o, const char *key)
{
	return (int64_t)json_number_value(json_object_get(o, key));
}

static const char **
strings(json_t *array, size_t *n)
{
	const char **v = calloc(json_array_size(array) + 1, sizeof *v);

	*n = json_array_size(array);
	for (size_t i = 0; v != NULL && i < *n; i++)
		v[i] = json_string_value(json_array_get(array, i));
	return v;
}

int
main(int argc, char **argv)
{
	json_error_t err;
	json_t *j, *top, *series;
	struct alert a = { 0 };
	struct alert_mention *m;
	const char **to, **terms;
	int *hours;
	size_t nto, nterms;
	char *out = NULL, sig[ALERT_SIGN_LEN];

	if (argc != 3) {
		fprintf(stderr,
		    "usage: alert_dump FILE "
		    "email|webhook|slack|signature\n");
		return 2;
	}
	if ((j = json_load_file(argv[1], 0, &err)) == NULL) {
		fprintf(stderr, "%s:%d: %s\n", argv[1], err.line, err.text);
		return 2;
	}
	a.event_id = str(j, "event_id");
	if (incident_kind_parse(str(j, "kind"), &a.kind) == -1 ||
	    incident_state_parse(str(j, "state"), &a.state) == -1 ||
	    incident_severity_parse(str(j, "severity"), &a.severity) == -1) {
		fprintf(
		    stderr, "%s: kind, state or severity unknown\n", argv[1]);
		return 2;
	}
	a.subject = str(j, "subject");
	a.lang = str(j, "lang");
	a.at_ms = num(j, "at_ms");
	a.started_ms = num(j, "started_ms");
	a.window_count = (int)num(j, "window_count");
	a.window_total = (int)num(j, "window_total");
	a.expected = json_number_value(json_object_get(j, "expected"));
	a.ratio = json_number_value(json_object_get(j, "ratio"));
	a.p = json_number_value(json_object_get(j, "p"));
	a.reason = detect_reason_parse(str(j, "reason"));
	a.window_ms = num(j, "window_ms");
	a.failures = (int)num(j, "failures");
	a.last_error = str(j, "last_error");
	a.url = str(j, "url");

	top = json_object_get(j, "top");
	m = calloc(json_array_size(top) + 1, sizeof *m);
	for (size_t i = 0; m != NULL && i < json_array_size(top); i++) {
		json_t *e = json_array_get(top, i);

		m[i].title = str(e, "title");
		m[i].source = str(e, "source");
		m[i].link = str(e, "link");
		m[i].score = json_number_value(json_object_get(e, "score"));
		m[i].via = str(e, "via");
	}
	a.top = m;
	a.ntop = json_array_size(top);
	terms = strings(json_object_get(j, "terms"), &nterms);
	a.terms = terms;
	a.nterms = nterms;
	series = json_object_get(j, "series");
	hours = calloc(json_array_size(series) + 1, sizeof *hours);
	for (size_t i = 0; hours != NULL && i < json_array_size(series); i++)
		hours[i] = (int)json_integer_value(json_array_get(series, i));
	a.series = hours;
	a.nseries = json_array_size(series);
	if (str(j, "emotion") != NULL) {
		int e = emotion_parse(str(j, "emotion"));

		if (e < 0) {
			fprintf(stderr, "%s: emotion unknown\n", argv[1]);
			return 2;
		}
		a.has_emotion = 1;
		a.emotion = (enum emotion)e;
	}
	a.rumours = (int)num(j, "rumours");
	a.top_author = str(j, "top_author");
	a.top_author_profile = str(j, "top_author_profile");
	a.top_author_followers =
	    json_is_integer(json_object_get(j, "top_author_followers"))
	    ? (int64_t)num(j, "top_author_followers")
	    : -1;
	a.story_id = num(j, "story_id");
	a.first_source = str(j, "first_source");
	a.first_title = str(j, "first_title");
	a.first_link = str(j, "first_link");
	a.first_ms = num(j, "first_ms");
	a.sites = (int)num(j, "sites");
	a.mentions = (int)num(j, "mentions");
	to = strings(json_object_get(j, "to"), &nto);

	if (m == NULL || terms == NULL || hours == NULL || to == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	if (strcmp(argv[2], "email") == 0) {
		out =
		    alert_email(&a, str(j, "from"), to, nto, str(j, "domain"));
	} else if (strcmp(argv[2], "webhook") == 0) {
		out = alert_webhook(&a, WEBHOOK_JSON);
	} else if (strcmp(argv[2], "slack") == 0) {
		out = alert_webhook(&a, WEBHOOK_SLACK);
	} else if (strcmp(argv[2], "signature") == 0) {
		const char *key = str(j, "key") ? str(j, "key") : "";
		char *body = alert_webhook(&a, WEBHOOK_JSON);

		if (body != NULL &&
		    alert_sign(key, strlen(key), body, strlen(body), sig) == 0)
			out = strdup(sig);
		free(body);
	} else {
		fprintf(stderr, "unknown rendering: %s\n", argv[2]);
		return 2;
	}
	if (out == NULL) {
		fprintf(stderr, "%s: no %s\n", argv[1], argv[2]);
		return 1;
	}
	fputs(out, stdout);
	free(out);
	free(m);
	free(terms);
	free(hours);
	free(to);
	json_decref(j);
	return 0;
}
