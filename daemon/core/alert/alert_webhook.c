/*
 * alert_webhook.c - an alert as a webhook body: the versioned JSON payload
 * (docs/WEBHOOK.md) or Slack's incoming-webhook shape.
 */
#include "core/alert/alert_impl.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "core/read/date.h"

static void
set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_string(s));
}

static void
set_time(json_t *o, const char *key, int64_t ms)
{
	char when[DATE_RFC3339_LEN];

	date_format_rfc3339(ms / 1000, when);
	set_str(o, key, when);
}

/* Not a number is not JSON: an undefined figure is null. */
static void
set_real(json_t *o, const char *key, double x)
{
	json_object_set_new(o, key, isfinite(x) ? json_real(x) : json_null());
}

/* Titles, sources and links of mentions: a spike's most negative, or
 * where a spread was taken up. */
static json_t *
mentions_json(const struct view *v)
{
	json_t *list = json_array();

	for (size_t i = 0; i < v->ntop; i++) {
		const struct vmention *m = &v->top[i];
		json_t *e = json_object();

		set_str(e, "title", m->title.s[OUT_TEXT]);
		set_str(e, "source", m->source.s[OUT_TEXT]);
		if (m->via.s[OUT_TEXT][0] != '\0')
			set_str(e, "via", m->via.s[OUT_TEXT]);
		else
			json_object_set_new(e, "via", json_null());
		/* Stored before links were checked, a javascript: or
		 * data: one is no link for the receiver either. */
		set_str(e, "link", m->linkable ? m->link.s[OUT_TEXT] : "");
		set_real(e, "score", m->score);
		json_array_append_new(list, e);
	}
	return list;
}

/* A story spreading: its first item, how far and how fast. */
static void
spread_json(json_t *o, const struct view *v)
{
	const struct alert *a = v->a;
	json_t *first = json_object();

	json_object_set_new(o, "story_id", json_integer(a->story_id));
	set_str(first, "source", v->first_source.s[OUT_TEXT]);
	set_str(first, "title", v->first_title.s[OUT_TEXT]);
	set_str(first, "link", v->first_link.s[OUT_TEXT]);
	set_time(first, "at", a->first_ms);
	json_object_set_new(o, "first", first);
	json_object_set_new(o, "sites", json_integer(a->sites));
	json_object_set_new(o, "window_sites", json_integer(a->window_count));
	json_object_set_new(o, "mentions", json_integer(a->mentions));
	json_object_set_new(
	    o, "window_seconds", json_integer(a->window_ms / 1000));
	json_object_set_new(o, "seen", mentions_json(v));
}

static json_t *
payload_json(const struct view *v)
{
	const struct alert *a = v->a;
	json_t *o = json_object(), *list;

	json_object_set_new(o, "version", json_integer(WEBHOOK_VERSION));
	set_str(o, "event_id", v->event.s[OUT_TEXT]);
	set_str(o, "kind", incident_kind_name(v->kind));
	set_str(o, "state", incident_state_name(v->state));
	set_str(o, "severity", incident_severity_name(v->severity));
	set_str(o, "subject", v->subject);
	set_str(o, v->kind == INCIDENT_SOURCE ? "source" : "watch",
	    v->name.s[OUT_TEXT]);
	set_str(o, "lang", v->w->code);
	set_time(o, "at", a->at_ms);
	set_time(o, "started_at", a->started_ms);
	if (v->kind == INCIDENT_SOURCE) {
		set_str(o, "url", v->url.s[OUT_TEXT]);
		json_object_set_new(o, "failures", json_integer(a->failures));
		set_str(o, "last_error", v->last_error.s[OUT_TEXT]);
		return o;
	}
	if (v->kind == INCIDENT_SPREAD) {
		spread_json(o, v);
		return o;
	}
	json_object_set_new(o, "window_count", json_integer(a->window_count));
	json_object_set_new(o, "window_total", json_integer(a->window_total));
	set_real(o, "expected", a->expected);
	set_real(o, "ratio", a->ratio);
	set_real(o, "p_value", a->p);
	json_object_set_new(
	    o, "window_seconds", json_integer(a->window_ms / 1000));
	set_str(o, "reason", detect_reason_name(v->reason));
	json_object_set_new(o, "emotion",
	    v->has_emotion ? json_string(emotion_name(v->emotion))
	                   : json_null());
	/* The window's count whatever the state; the words say it of an
	 * open incident only. */
	json_object_set_new(
	    o, "rumours", json_integer(a->rumours > 0 ? a->rumours : 0));
	if (v->top_author.s[OUT_TEXT][0] != '\0') {
		json_t *t = json_object();

		set_str(t, "name", v->top_author.s[OUT_TEXT]);
		json_object_set_new(t, "profile",
		    v->top_author_profile.s[OUT_TEXT][0]
		        ? json_string(v->top_author_profile.s[OUT_TEXT])
		        : json_null());
		json_object_set_new(t, "followers",
		    a->top_author_followers >= 0
		        ? json_integer(a->top_author_followers)
		        : json_null());
		json_object_set_new(o, "top_author", t);
	} else {
		json_object_set_new(o, "top_author", json_null());
	}
	json_object_set_new(o, "top_mentions", mentions_json(v));
	list = json_array();
	for (size_t i = 0; i < v->nterms; i++)
		json_array_append_new(
		    list, json_string(v->terms[i].s[OUT_TEXT]));
	json_object_set_new(o, "terms", list);
	list = json_array();
	for (size_t i = 0; i < SERIES_LEN; i++)
		json_array_append_new(list, json_integer(v->series[i]));
	json_object_set_new(o, "series", list);
	return o;
}

/* Takes the text of b, without the paragraph breaks at its end. */
static void
slack_section(json_t *blocks, struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
	json_array_append_new(blocks,
	    json_pack("{s:s, s:{s:s, s:s}}", "type", "section", "text", "type",
	        "mrkdwn", "text", b->data));
	buf_clear(b);
}

/* Slack's incoming-webhook shape: "text" for notifications and for the
 * chat tools that read nothing else, blocks for Slack itself. */
static json_t *
payload_slack(const struct view *v)
{
	json_t *o = json_object(), *blocks = json_array();
	char *subject = alert_escape_slack(v->subject);
	struct buf b;
	struct out out = { &b, OUT_SLACK };

	set_str(o, "text", subject);
	buf_init(&b);
	buf_printf(&b, "*%s*\n", subject);
	alert_summary(&out, v);
	slack_section(blocks, &b);
	if (v->kind != INCIDENT_SOURCE && v->ntop > 0) {
		alert_mentions(&out, v);
		slack_section(blocks, &b);
	}
	if (v->kind == INCIDENT_SPIKE) {
		alert_terms(&out, v);
		buf_putc(&b, '`');
		alert_sparkline(&b, v);
		buf_puts(&b, "`");
		slack_section(blocks, &b);
	}
	buf_printf(&b, v->w->footer, v->event.s[OUT_SLACK]);
	json_array_append_new(blocks,
	    json_pack("{s:s, s:[{s:s, s:s}]}", "type", "context", "elements",
	        "type", "mrkdwn", "text", b.data));
	buf_clear(&b);
	json_object_set_new(o, "blocks", blocks);
	free(subject);
	return o;
}

char *
alert_webhook(const struct alert *a, enum webhook_format format)
{
	struct view v;
	json_t *o;
	char *s;

	alert_view_init(&v, a);
	o = format == WEBHOOK_SLACK ? payload_slack(&v) : payload_json(&v);
	s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6))
	              : NULL;
	json_decref(o);
	alert_view_clear(&v);
	return s;
}
