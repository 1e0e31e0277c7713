/*
 * monitor.c - detection and alerting on the daemon's loop (see
 * monitor.h).
 *
 * A cycle runs once per closed bucket: one query counts every watch's
 * mentions over the buckets that are new or still in the window (late
 * mentions revise the latter), the tracks are stepped, and each state
 * change becomes an event. Each watch has its own parameters; watches
 * whose bucket or window differ are counted on a different grid, so a
 * cycle counts the watches of one grid, and those of another grid have
 * their own cycle at the next tick. Events are handled one at a time:
 * the context of a notification is read, the messages are rendered for
 * each target, and the event, its notifications and the track are stored
 * in one statement. Event ids are derived from what happened (watch, state,
 * bucket), so replaying a cycle after a crash stores and sends nothing
 * twice.
 *
 * Between cycles, once per bucket, the stories of the watches are judged
 * (core/detect/spread.h): one query finds the stories taken up lately
 * and the spread incidents still open, and each story found spreading,
 * or gone quiet, becomes an event the same way.
 */
#include "service/monitor.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "core/alert/alert.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/detect/detect.h"
#include "core/detect/incident.h"
#include "core/detect/spread.h"
#include "core/judge/sentiment.h"
#include "core/read/date.h"
#include "service/db/store.h"
#include "service/outbox.h"

/* Counted only once a bucket is closed and this settled: mentions stored
 * in its last seconds are in. */
#define SETTLE_MS 2000
#define TOP_MENTIONS 5
/* Where a story was taken up, listed in its alert. */
#define SPREAD_SEEN 10

struct track {
	char *watch;
	/* The watch's, copied: an event or a reload may outlive the
	 * configuration they came from. */
	struct detect_params p;
	struct detect_track t;
	int64_t opened_ms; /* of the open or last incident */
	int64_t closed; /* the last bucket a cycle counted it to, or -1 */
	int counting; /* in the cycle whose counts are awaited */
};

struct event {
	enum incident_kind kind;
	char *subject;
	enum incident_state state;
	char id[37];
	int64_t at_ms;
	int64_t started_ms;
	int64_t window_from_ms;
	int64_t window_ms; /* the watch's window */
	enum incident_severity severity;
	int notify; /* recent enough to tell anyone */
	struct detect_info info;
	enum detect_reason reason;
	char *track_json;
	/* source */
	char *url;
	int failures;
	char *last_error;
	/* spread: the story, and its row of sql/spread_check.sql (first,
	 * sites, mentions, seen) */
	int64_t story_id;
	json_t *story;
	TAILQ_ENTRY(event) entry;
};

TAILQ_HEAD(event_queue, event);

struct monitor {
	struct store *store;
	const struct conf *conf;
	struct track *tracks; /* sorted by watch name (strcmp) */
	size_t ntracks;
	int loaded; /* tracks read back from the database */
	int loading;
	int reload; /* read them again once no cycle is being stored */
	int cycling;
	int counted; /* the cycle's counts are in: its events may go */
	int64_t last_closed; /* the bucket the cycle counts to */
	int spreading; /* the stories' check is awaited */
	int64_t spread_now_ms; /* the time it judges them at */
	int64_t spread_due_ms; /* when the stories are checked next */
	struct event_queue events;
	struct event *current; /* being stored */
	char host[128];
};

static void next_event(struct monitor *);

/* The detector's change as an incident's state (step() never passes
 * DETECT_NONE). */
static enum incident_state
spike_state(enum detect_event ev)
{
	switch (ev) {
	case DETECT_FIRED:
		return INCIDENT_FIRING;
	case DETECT_ESCALATED:
		return INCIDENT_ESCALATED;
	case DETECT_RESOLVED:
	case DETECT_NONE:
		break;
	}
	return INCIDENT_RESOLVED;
}

/* The id of an event, from what identifies it: the same event, seen
 * again after a restart, has the same id. */
static void
event_id(char out[ALERT_UUID_LEN], enum incident_kind kind, const char *subject,
    int64_t story_id, enum incident_state state, int64_t at_ms)
{
	/* The unit separator cannot occur in names read from the
	 * configuration. A watch has an incident per story spreading. */
	char *key = kind == INCIDENT_SPREAD
	    ? xasprintf("%s\x1f%s\x1f%lld\x1f%s\x1f%lld",
	          incident_kind_name(kind), subject, (long long)story_id,
	          incident_state_name(state), (long long)at_ms)
	    : xasprintf("%s\x1f%s\x1f%s\x1f%lld", incident_kind_name(kind),
	          subject, incident_state_name(state), (long long)at_ms);

	alert_uuid(key, out);
	free(key);
}

/* --- tracks and their JSON form --- */

static json_t *
ring_json(const struct detect_track *t, const int *ring)
{
	json_t *a = json_array();

	/* Oldest first, whatever the ring's head: the form outlives it. */
	for (int i = 0; i < t->nwindow; i++)
		json_array_append_new(
		    a, json_integer(ring[(t->head + i) % t->nwindow]));
	return a;
}

static char *
track_json(const struct track *tr)
{
	const struct detect_track *t = &tr->t;
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "state", json_integer(t->state));
	json_object_set_new(o, "reason", json_integer(t->reason));
	json_object_set_new(o, "baseline", json_real(t->baseline));
	json_object_set_new(o, "dispersion", json_real(t->dispersion));
	json_object_set_new(o, "cusum", json_real(t->cusum));
	json_object_set_new(o, "history_ms", json_integer(t->history_ms));
	json_object_set_new(o, "last_bucket", json_integer(t->last_bucket));
	json_object_set_new(o, "first_bucket", json_integer(t->first_bucket));
	json_object_set_new(o, "nwindow", json_integer(t->nwindow));
	json_object_set_new(o, "window", ring_json(t, t->window));
	json_object_set_new(o, "total", ring_json(t, t->total));
	json_object_set_new(o, "state_since", json_integer(t->state_since));
	json_object_set_new(o, "below_since", json_integer(t->below_since));
	json_object_set_new(o, "notified", json_integer(t->notified));
	json_object_set_new(o, "notified_at", json_integer(t->notified_at));
	json_object_set_new(o, "peak", json_integer(t->peak));
	json_object_set_new(o, "opened_ms", json_integer(tr->opened_ms));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s ? s : xstrdup("{}");
}

/* Restores a saved track; one saved under other bucket or window
 * settings starts afresh. */
static void
track_from_json(
    struct track *tr, const char *text, const struct detect_params *p)
{
	json_t *o = json_loads(text, 0, NULL);
	json_t *win, *tot;
	struct detect_track *t = &tr->t;

	detect_track_init(t, p);
	if (o == NULL)
		return;
	win = json_object_get(o, "window");
	tot = json_object_get(o, "total");
	if (json_integer_value(json_object_get(o, "nwindow")) == t->nwindow &&
	    json_array_size(win) == (size_t)t->nwindow &&
	    json_array_size(tot) == (size_t)t->nwindow) {
		t->state = (enum detect_state)json_integer_value(
		    json_object_get(o, "state"));
		t->reason = (enum detect_reason)json_integer_value(
		    json_object_get(o, "reason"));
		t->baseline = json_number_value(json_object_get(o, "baseline"));
		t->dispersion =
		    json_number_value(json_object_get(o, "dispersion"));
		t->cusum = json_number_value(json_object_get(o, "cusum"));
		t->history_ms =
		    json_integer_value(json_object_get(o, "history_ms"));
		t->last_bucket =
		    json_integer_value(json_object_get(o, "last_bucket"));
		t->first_bucket =
		    json_integer_value(json_object_get(o, "first_bucket"));
		for (int i = 0; i < t->nwindow; i++) {
			t->window[i] = (int)json_integer_value(
			    json_array_get(win, (size_t)i));
			t->total[i] = (int)json_integer_value(
			    json_array_get(tot, (size_t)i));
		}
		t->head = 0;
		t->state_since =
		    json_integer_value(json_object_get(o, "state_since"));
		t->below_since =
		    json_integer_value(json_object_get(o, "below_since"));
		t->notified =
		    (int)json_integer_value(json_object_get(o, "notified"));
		t->notified_at =
		    json_integer_value(json_object_get(o, "notified_at"));
		t->peak = (int)json_integer_value(json_object_get(o, "peak"));
		tr->opened_ms =
		    json_integer_value(json_object_get(o, "opened_ms"));
	}
	json_decref(o);
}

static int
track_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct track *)a)->watch, ((const struct track *)b)->watch);
}

static struct track *
find_track(struct monitor *d, const char *watch)
{
	struct track key = { .watch = (char *)watch };

	if (d->ntracks == 0)
		return NULL;
	return bsearch(
	    &key, d->tracks, d->ntracks, sizeof *d->tracks, track_cmp);
}

/* Whether counts made for a are counts for b. */
static int
same_grid(const struct detect_params *a, const struct detect_params *b)
{
	return a->bucket_ms == b->bucket_ms && a->window_ms == b->window_ms;
}

/* One track per configured watch: kept if it exists on the same grid,
 * fresh otherwise. */
static void
align_tracks(struct monitor *d)
{
	const struct conf *c = d->conf;
	struct track *old = d->tracks;
	size_t nold = d->ntracks;

	d->tracks = xcalloc(c->nwatches + 1, sizeof *d->tracks);
	d->ntracks = 0;
	for (size_t i = 0; i < c->nwatches; i++) {
		struct track key = { .watch = c->watches[i].name };
		/* bsearch must not be handed a NULL array, even empty. */
		struct track *prev = nold == 0
		    ? NULL
		    : bsearch(&key, old, nold, sizeof *old, track_cmp);
		struct track *tr = &d->tracks[d->ntracks++];

		tr->watch = xstrdup(c->watches[i].name);
		tr->p = c->watches[i].detect;
		/* Other parameters take effect at the next step; another
		 * grid makes the counts so far meaningless. */
		if (prev != NULL && same_grid(&prev->p, &tr->p)) {
			tr->t = prev->t;
			tr->opened_ms = prev->opened_ms;
			tr->closed = prev->closed;
			tr->counting = prev->counting;
		} else {
			detect_track_init(&tr->t, &tr->p);
			tr->closed = -1;
		}
	}
	if (d->ntracks > 1)
		qsort(d->tracks, d->ntracks, sizeof *d->tracks, track_cmp);
	for (size_t i = 0; i < nold; i++)
		free(old[i].watch);
	free(old);
}

/* --- events --- */

static void
event_free(struct event *e)
{
	free(e->subject);
	free(e->track_json);
	free(e->url);
	free(e->last_error);
	json_decref(e->story);
	free(e);
}

/* A spike's severity, under its watch's thresholds. */
static enum incident_severity
severity(const struct detect_params *p, const struct event *e)
{
	if (e->state == INCIDENT_RESOLVED)
		return SEVERITY_WARNING;
	if (e->reason == REASON_COLD ||
	    (e->info.ratio >= 2 * p->min_ratio &&
	        e->info.window_count >= 2 * p->min_count))
		return SEVERITY_CRITICAL;
	return SEVERITY_WARNING;
}

static void
push_spike(struct monitor *d, struct track *tr, enum detect_event ev,
    int64_t bucket, const struct detect_info *info, int64_t closed)
{
	const struct detect_params *p = &tr->p;
	struct event *e = xcalloc(1, sizeof *e);

	e->kind = INCIDENT_SPIKE;
	e->subject = xstrdup(tr->watch);
	e->state = spike_state(ev);
	e->at_ms = bucket + p->bucket_ms;
	if (ev == DETECT_FIRED)
		tr->opened_ms = e->at_ms;
	e->started_ms = tr->opened_ms ? tr->opened_ms : e->at_ms;
	e->window_from_ms = e->at_ms - p->window_ms;
	e->window_ms = p->window_ms;
	/* A change found while catching up on old history is recorded,
	 * not announced. */
	e->notify = bucket + p->window_ms > closed;
	e->info = *info;
	e->reason = ev == DETECT_FIRED ? info->reason : tr->t.reason;
	/* A new watch's first window is all it knows: no usual level, so
	 * nothing to compare with (null in the webhook, unsaid in the
	 * email). */
	if (e->reason == REASON_COLD)
		e->info.expected = e->info.ratio = e->info.p = NAN;
	e->severity = severity(p, e);
	e->track_json = track_json(tr);
	event_id(e->id, e->kind, e->subject, e->story_id, e->state, e->at_ms);
	TAILQ_INSERT_TAIL(&d->events, e, entry);
}

/* Renders the alert for every target of the list. */
static char *
render_outbox(struct monitor *d, struct alert *a, const char *targets)
{
	const struct conf *c = d->conf;
	json_t *rows = json_array();
	char *copy, *out;
	const char *names[64];
	size_t n;

	if (targets != NULL) {
		copy = xstrdup(targets);
		n = outbox_split(copy, names, ARRAY_LEN(names));
		for (size_t i = 0; i < n; i++) {
			const struct conf_notify *t =
			    conf_find_notify(c, names[i]);
			if (t == NULL)
				continue;
			a->lang = t->lang ? t->lang : "en";
			if (t->email != NULL && c->smtp.from != NULL) {
				char *to_copy = xstrdup(t->email);
				const char *to[64];
				size_t nto =
				    outbox_split(to_copy, to, ARRAY_LEN(to));
				outbox_add_row(rows, t->name, "email", t->email,
				    "message/rfc822",
				    alert_email(
				        a, c->smtp.from, to, nto, d->host));
				free(to_copy);
			}
			if (t->webhook != NULL)
				outbox_add_row(rows, t->name, "webhook",
				    t->webhook, "application/json",
				    alert_webhook(a,
				        t->slack ? WEBHOOK_SLACK
				                 : WEBHOOK_JSON));
		}
		free(copy);
	}
	out = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	return out ? out : xstrdup("[]");
}

static void
on_recorded(int ok, void *arg)
{
	struct monitor *d = arg;
	struct event *e = d->current;

	if (ok && e->kind == INCIDENT_SPREAD)
		log_notice("spread %s, story %lld: %s%s", e->subject,
		    (long long)e->story_id, incident_state_name(e->state),
		    e->notify ? "" : " (history: not announced)");
	else if (ok)
		log_notice("%s %s: %s%s", incident_kind_name(e->kind),
		    e->subject, incident_state_name(e->state),
		    e->notify ? "" : " (history: not announced)");
	d->current = NULL;
	event_free(e);
	next_event(d);
}

static void
record(
    struct monitor *d, struct event *e, const char *outbox, const char *details)
{
	struct event_record r = {
		.kind = e->kind,
		.subject = e->subject,
		.state = e->state,
		.event_id = e->id,
		.at_ms = e->at_ms,
		.severity = e->severity,
		.reason = e->reason,
		.window_count = e->info.window_count,
		.window_total = e->info.window_total,
		.expected = e->info.expected,
		.ratio = e->info.ratio,
		.p = e->info.p,
		.details = details,
		.outbox = outbox,
		.track = e->track_json,
		.story_id = e->story_id,
	};

	store_record_event(d->store, &r, on_recorded, d);
}

/* The mentions an event's context lists (event_context.sql's rows), at
 * most max, into m; their number. They point into rows. */
static size_t
alert_mentions(json_t *rows, struct alert_mention *m, size_t max)
{
	size_t i;

	for (i = 0; i < json_array_size(rows) && i < max; i++) {
		json_t *r = json_array_get(rows, i);

		m[i].title = json_string_value(json_object_get(r, "title"));
		m[i].source = json_string_value(json_object_get(r, "source"));
		m[i].via = json_string_value(json_object_get(r, "via"));
		m[i].link = json_string_value(json_object_get(r, "link"));
		m[i].score = json_number_value(json_object_get(r, "score"));
	}
	return i;
}

static void
fill_alert(const struct event *e, struct alert *a)
{
	memset(a, 0, sizeof *a);
	a->event_id = e->id;
	a->kind = e->kind;
	a->state = e->state;
	a->severity = e->severity;
	a->subject = e->subject;
	a->at_ms = e->at_ms;
	a->started_ms = e->started_ms;
	a->window_count = e->info.window_count;
	a->window_total = e->info.window_total;
	a->expected = e->info.expected;
	a->ratio = e->info.ratio;
	a->p = e->info.p;
	a->reason = e->reason;
	a->window_ms = e->window_ms;
	a->failures = e->failures;
	a->last_error = e->last_error;
	a->url = e->url;
}

/* The emotion most of the window's negative mentions show, from
 * {"anger": n, ...}; on a tie the first in the enum's order, so that the
 * same counts always say the same. 0 when none shows one. */
static int
dominant_emotion(json_t *counts, enum emotion *out)
{
	const char *name;
	json_t *n;
	json_int_t best = 0;

	json_object_foreach(counts, name, n)
	{
		int e = emotion_parse(name);
		json_int_t c = json_integer_value(n);

		if (e < 0)
			continue;
		if (c > best || (c == best && c > 0 && e < (int)*out)) {
			best = c;
			*out = (enum emotion)e;
		}
	}
	return best > 0;
}

static void
on_context(char *text, void *arg)
{
	struct monitor *d = arg;
	struct event *e = d->current;
	const struct conf_watch *w = conf_find_watch(d->conf, e->subject);
	json_t *ctx = text ? json_loads(text, 0, NULL) : NULL;
	json_t *top = json_object_get(ctx, "top");
	json_t *terms = json_object_get(ctx, "terms");
	json_t *series = json_object_get(ctx, "series");
	json_t *author;
	struct alert_mention m[TOP_MENTIONS];
	const char *t[16];
	int hours[24];
	struct alert a;
	char *outbox, *details;
	json_t *det;
	size_t i;

	free(text);
	fill_alert(e, &a);
	a.top = m;
	a.ntop = alert_mentions(top, m, TOP_MENTIONS);
	for (i = 0; i < json_array_size(terms) && i < ARRAY_LEN(t); i++)
		t[i] = json_string_value(json_array_get(terms, i));
	a.terms = t;
	a.nterms = i;
	for (i = 0; i < 24; i++)
		hours[i] = (int)json_integer_value(json_array_get(series, i));
	a.series = hours;
	a.nseries = 24;
	a.has_emotion =
	    dominant_emotion(json_object_get(ctx, "emotions"), &a.emotion);
	a.rumours = (int)json_integer_value(json_object_get(ctx, "rumours"));
	author = json_object_get(ctx, "top_author");
	a.top_author = json_string_value(json_object_get(author, "name"));
	a.top_author_profile =
	    json_string_value(json_object_get(author, "profile"));
	a.top_author_followers =
	    json_is_integer(json_object_get(author, "followers"))
	    ? json_integer_value(json_object_get(author, "followers"))
	    : -1;
	outbox = e->notify && w != NULL ? render_outbox(d, &a, w->notify)
	                                : xstrdup("[]");
	det = json_object();
	json_object_set_new(
	    det, "terms", terms ? json_copy(terms) : json_array());
	json_object_set_new(det, "cusum", json_real(e->info.cusum));
	json_object_set_new(det, "emotion",
	    a.has_emotion ? json_string(emotion_name(a.emotion)) : json_null());
	json_object_set_new(det, "rumours", json_integer(a.rumours));
	details = json_dumps(det, JSON_COMPACT);
	json_decref(det);
	record(d, e, outbox, details);
	free(outbox);
	free(details);
	json_decref(ctx);
}

static void
on_tracks_saved(int ok, void *arg)
{
	struct monitor *d = arg;

	(void)ok;
	d->cycling = 0;
}

static void
save_tracks(struct monitor *d)
{
	json_t *arr = json_array();
	char *s;

	for (size_t i = 0; i < d->ntracks; i++) {
		json_t *o = json_object();
		char *tj = track_json(&d->tracks[i]);
		json_object_set_new(
		    o, "watch", json_string(d->tracks[i].watch));
		json_object_set_new(o, "track", json_loads(tj, 0, NULL));
		free(tj);
		json_array_append_new(arr, o);
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	store_save_tracks(d->store, s ? s : "[]", on_tracks_saved, d);
	free(s);
}

/* A spread's alert, from its story's row: nothing more to read. */
static void
record_spread(struct monitor *d, struct event *e)
{
	const struct conf_watch *w = conf_find_watch(d->conf, e->subject);
	json_t *first = json_object_get(e->story, "first");
	json_t *seen = json_object_get(e->story, "seen");
	struct alert_mention m[SPREAD_SEEN];
	struct alert a;
	char *outbox, *details;
	json_t *det;

	fill_alert(e, &a);
	a.story_id = e->story_id;
	a.first_source = json_string_value(json_object_get(first, "source"));
	a.first_title = json_string_value(json_object_get(first, "title"));
	a.first_link = json_string_value(json_object_get(first, "link"));
	a.first_ms = json_integer_value(json_object_get(first, "at_ms"));
	a.sites = (int)json_integer_value(json_object_get(e->story, "voices"));
	a.mentions = e->info.window_total;
	a.top = m;
	a.ntop = alert_mentions(seen, m, SPREAD_SEEN);
	outbox = e->notify && w != NULL ? render_outbox(d, &a, w->notify)
	                                : xstrdup("[]");
	det = json_object();
	json_object_set_new(det, "story", json_integer(e->story_id));
	json_object_set_new(det, "sites", json_integer(a.sites));
	json_object_set_new(det, "first_source",
	    a.first_source ? json_string(a.first_source) : json_null());
	json_object_set_new(det, "first_link",
	    a.first_link ? json_string(a.first_link) : json_null());
	details = json_dumps(det, JSON_COMPACT);
	json_decref(det);
	record(d, e, outbox, details);
	free(outbox);
	free(details);
}

/* Stores the queued events one after the other, then the tracks. */
static void
next_event(struct monitor *d)
{
	struct event *e = TAILQ_FIRST(&d->events);

	if (e == NULL) {
		/* The tracks follow the cycle's events, once they are all
		 * stored, not before its counts are even in. */
		if (d->cycling && d->counted)
			save_tracks(d);
		return;
	}
	TAILQ_REMOVE(&d->events, e, entry);
	d->current = e;
	if (e->kind == INCIDENT_SPIKE) {
		store_event_context(d->store, e->subject, e->window_from_ms,
		    e->at_ms, on_context, d);
	} else if (e->kind == INCIDENT_SPREAD) {
		record_spread(d, e);
	} else {
		struct alert a;
		json_t *det = json_object();
		char *outbox, *details;

		fill_alert(e, &a);
		a.lang = "en";
		outbox = render_outbox(d, &a, d->conf->poll.notify);
		json_object_set_new(det, "url", json_string(e->url));
		json_object_set_new(det, "failures", json_integer(e->failures));
		if (e->last_error != NULL)
			json_object_set_new(
			    det, "last_error", json_string(e->last_error));
		details = json_dumps(det, JSON_COMPACT);
		json_decref(det);
		record(d, e, outbox, details);
		free(outbox);
		free(details);
	}
}

/* --- the cycle --- */

static void
step(struct monitor *d, struct track *tr, int64_t bucket, int negative,
    int total, int64_t closed)
{
	struct detect_info info;
	enum detect_event ev =
	    detect_step(&tr->p, &tr->t, bucket, negative, total, &info);

	/* What an incident's end waits for, when it does not come. */
	if (tr->t.state != DETECT_OK)
		log_debug("detect %s: %s%s, %d in the window, %.1f expected",
		    tr->watch,
		    tr->t.state == DETECT_FIRING ? "firing" : "cooling down",
		    ev != DETECT_NONE ? " (changed)" : "", info.window_count,
		    info.expected);
	if (ev != DETECT_NONE)
		push_spike(d, tr, ev, bucket, &info, closed);
}

static void
on_counts(struct bucket_count *rows, long n, void *arg)
{
	struct monitor *d = arg;
	int64_t closed = d->last_closed;
	long i = 0;

	if (n < 0) {
		/* The next bucket's cycle counts from each track's last
		 * stepped bucket, so it catches up on this one; retrying
		 * at once could go on for ever in --once, which runs one
		 * cycle per grid and then ends. */
		for (size_t t = 0; t < d->ntracks; t++)
			d->tracks[t].counting = 0;
		d->cycling = 0;
		return;
	}
	while (i < n) {
		long j = i;
		struct track *tr = find_track(d, rows[i].watch);

		while (j < n && strcmp(rows[j].watch, rows[i].watch) == 0)
			j++;
		/* The counts are on this cycle's grid: a watch on another
		 * one (or moved to another by a reload) has its own. */
		if (tr != NULL && !tr->counting)
			tr = NULL;
		for (long k = i; tr != NULL && k < j; k++) {
			if (rows[k].bucket_ms <= tr->t.last_bucket)
				detect_revise(&tr->p, &tr->t, rows[k].bucket_ms,
				    rows[k].negative, rows[k].total);
			else
				step(d, tr, rows[k].bucket_ms, rows[k].negative,
				    rows[k].total, closed);
		}
		i = j;
	}
	/* Every watch of the cycle reaches the closed bucket, quiet ones
	 * included. */
	for (size_t t = 0; t < d->ntracks; t++) {
		if (d->tracks[t].counting &&
		    d->tracks[t].t.last_bucket < closed)
			step(d, &d->tracks[t], closed, 0, 0, closed);
		d->tracks[t].counting = 0;
	}
	store_counts_free(rows, n);
	d->counted = 1;
	/* A source event being stored goes on by itself, and the cycle's
	 * events after it: one chain at a time. */
	if (d->current == NULL)
		next_event(d);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct bucket_count *x = a, *y = b;
	int c = strcmp(x->watch, y->watch);

	if (c != 0)
		return c;
	return (x->bucket_ms > y->bucket_ms) - (x->bucket_ms < y->bucket_ms);
}

/* The rows come in the database's collation; the tracks are in strcmp's
 * order, and so must the groups be. */
static void
on_counts_sorted(struct bucket_count *rows, long n, void *arg)
{
	if (n > 0)
		qsort(rows, (size_t)n, sizeof *rows, row_cmp);
	on_counts(rows, n, arg);
}

/* The start of the last bucket closed (and settled) at now_ms. */
static int64_t
closed_bucket(const struct detect_params *p, int64_t now_ms)
{
	return (now_ms - SETTLE_MS) / p->bucket_ms * p->bucket_ms -
	    p->bucket_ms;
}

/* --- spreading stories --- */

static struct event *
push_spread(struct monitor *d, const struct conf_watch *w, json_t *row,
    enum incident_state state, int64_t at_ms, int peak)
{
	struct event *e = xcalloc(1, sizeof *e);

	e->kind = INCIDENT_SPREAD;
	e->subject = xstrdup(w->name);
	e->story_id = json_integer_value(json_object_get(row, "story"));
	e->story = json_incref(row);
	e->state = state;
	e->at_ms = at_ms;
	e->started_ms = at_ms;
	e->window_ms = w->detect.spread_window_ms;
	e->info.window_count = peak;
	e->info.window_total =
	    (int)json_integer_value(json_object_get(row, "mentions"));
	e->info.expected = e->info.ratio = e->info.p = NAN;
	e->notify = 1;
	/* Taken up twice as widely as the threshold within the window. */
	e->severity =
	    state != INCIDENT_RESOLVED && peak >= 2 * w->detect.spread_sites
	    ? SEVERITY_CRITICAL
	    : SEVERITY_WARNING;
	event_id(e->id, e->kind, e->subject, e->story_id, e->state, e->at_ms);
	TAILQ_INSERT_TAIL(&d->events, e, entry);
	return e;
}

/* One row of sql/spread_check.sql: a story taken up lately, found
 * spreading or not, or an open spread incident, over or not. */
static void
judge_story(struct monitor *d, json_t *row, int64_t now_ms)
{
	const char *name = json_string_value(json_object_get(row, "watch"));
	const struct conf_watch *w =
	    name != NULL ? conf_find_watch(d->conf, name) : NULL;
	json_t *times = json_object_get(row, "times");
	json_t *last = json_object_get(row, "last_ms");
	size_t n = json_array_size(times);
	int64_t *t, at;
	struct spread_verdict v;
	struct event *e;

	if (w == NULL)
		return;
	t = xcalloc(n + 1, sizeof *t);
	for (size_t i = 0; i < n; i++)
		t[i] = json_integer_value(json_array_get(times, i));
	spread_judge(&w->detect, t, n, &v);
	free(t);
	if (json_is_integer(json_object_get(row, "incident"))) {
		at = spread_quiet(&w->detect,
		    json_is_integer(last) ? json_integer_value(last)
		                          : INT64_MIN,
		    now_ms);
		if (at == INT64_MIN)
			return;
		e = push_spread(d, w, row, INCIDENT_RESOLVED, at, v.peak);
		e->started_ms =
		    json_integer_value(json_object_get(row, "opened_ms"));
		return;
	}
	if (v.reached_ms == INT64_MIN)
		return;
	e = push_spread(d, w, row, INCIDENT_FIRING, v.reached_ms, v.peak);
	/* Found while the daemon was away, past its window: recorded, not
	 * announced. */
	e->notify = spread_recent(&w->detect, v.reached_ms, now_ms);
}

static void
on_spread(char *text, void *arg)
{
	struct monitor *d = arg;
	json_t *rows = text != NULL ? json_loads(text, 0, NULL) : NULL;
	json_t *row;
	size_t i;

	free(text);
	d->spreading = 0;
	log_debug("spread: %zu stories judged", json_array_size(rows));
	json_array_foreach(rows, i, row) judge_story(d, row, d->spread_now_ms);
	json_decref(rows);
	if (d->current == NULL)
		next_event(d);
}

/* Judges the stories once per bucket (the shortest of the watches'),
 * between the cycles: 1 if a check started. */
static int
spread_tick(struct monitor *d, int64_t now_ms)
{
	const struct conf *c = d->conf;
	json_t *arr;
	int64_t every = 0;
	char *s;

	if (now_ms < d->spread_due_ms)
		return 0;
	arr = json_array();
	for (size_t i = 0; i < c->nwatches; i++) {
		const struct detect_params *p = &c->watches[i].detect;
		json_t *o = json_object();

		/* A watch that no longer looks for spreads still has its
		 * open ones resolved. */
		json_object_set_new(
		    o, "watch", json_string(c->watches[i].name));
		json_object_set_new(o, "sites", json_integer(p->spread_sites));
		json_object_set_new(
		    o, "window_ms", json_integer(p->spread_window_ms));
		json_array_append_new(arr, o);
		if (every == 0 || p->bucket_ms < every)
			every = p->bucket_ms;
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	d->spread_due_ms = now_ms + every;
	d->spread_now_ms = now_ms;
	d->spreading = 1;
	store_spread_check(d->store, now_ms, s ? s : "[]", on_spread, d);
	free(s);
	return 1;
}

static void load_tracks(struct monitor *);

int
monitor_tick(struct monitor *d, int64_t now_ms)
{
	const struct detect_params *p = NULL;
	int64_t closed = 0, from;

	if (d->reload && !monitor_busy(d)) {
		d->reload = 0;
		d->loaded = 0;
	}
	/* Tracks whose reading failed are read again: without them no
	 * incident would ever open or end. */
	if (!d->loaded)
		load_tracks(d);
	if (d->conf == NULL || !d->loaded || monitor_busy(d) ||
	    d->conf->nwatches == 0)
		return 0;
	/* The first watch with a bucket closed since its last cycle sets
	 * the grid; every watch on that grid is counted with it. */
	for (size_t i = 0; p == NULL && i < d->ntracks; i++) {
		closed = closed_bucket(&d->tracks[i].p, now_ms);
		if (closed > d->tracks[i].closed)
			p = &d->tracks[i].p;
	}
	if (p == NULL)
		return spread_tick(d, now_ms);
	from = closed;
	for (size_t i = 0; i < d->ntracks; i++) {
		struct track *tr = &d->tracks[i];
		const struct detect_track *t = &tr->t;
		/* A watch new to the detector learns from the history it
		 * has (a warmup and a window), not from the whole of it. */
		int64_t oldest = closed - tr->p.warmup_ms - p->window_ms;
		int64_t want = t->last_bucket < 0
		    ? oldest
		    : t->last_bucket - p->window_ms + p->bucket_ms;

		if (!same_grid(&tr->p, p) || tr->closed >= closed)
			continue;
		tr->counting = 1;
		tr->closed = closed;
		if (want < oldest)
			want = oldest;
		if (want < from)
			from = want;
	}
	d->cycling = 1;
	d->counted = 0;
	d->last_closed = closed;
	store_detect_counts(d->store, from, closed + p->bucket_ms, p->bucket_ms,
	    p->window_ms, on_counts_sorted, d);
	return 1;
}

/* --- setup --- */

static void
on_tracks(char **names, char **values, long n, void *arg)
{
	struct monitor *d = arg;

	d->loading = 0;
	if (n < 0) {
		log_warn("detection: the saved tracks could not be read; "
		         "reading them again");
		return;
	}
	for (long i = 0; i < n; i++) {
		struct track *tr = find_track(d, names[i]);
		if (tr != NULL)
			track_from_json(tr, values[i], &tr->p);
	}
	store_pairs_free(names, values, n);
	d->loaded = 1;
}

/* Tracks are read when this daemon takes the lead: afterwards memory is
 * ahead of the database, which only catches up. */
static void
load_tracks(struct monitor *d)
{
	if (d->loaded || d->loading || d->conf == NULL)
		return;
	d->loading = 1;
	store_load_tracks(d->store, on_tracks, d);
}

void
monitor_lead(struct monitor *d)
{
	d->reload = 1;
	if (!monitor_busy(d)) {
		d->reload = 0;
		d->loaded = 0;
		load_tracks(d);
	}
}

void
monitor_set_conf(struct monitor *d, const struct conf *c)
{
	d->conf = c;
	align_tracks(d);
}

int
monitor_busy(const struct monitor *d)
{
	return d->cycling || d->spreading || d->current != NULL || d->loading ||
	    !TAILQ_EMPTY(&d->events);
}

void
monitor_source_event(struct monitor *d, const char *source, const char *url,
    enum incident_state state, int failures, const char *last_error,
    int64_t at_ms)
{
	struct event *e = xcalloc(1, sizeof *e);
	int idle = d->current == NULL && !d->cycling && TAILQ_EMPTY(&d->events);

	e->kind = INCIDENT_SOURCE;
	e->subject = xstrdup(source);
	/* A source fires or recovers: it has no escalation. */
	e->state =
	    state == INCIDENT_FIRING ? INCIDENT_FIRING : INCIDENT_RESOLVED;
	e->at_ms = at_ms;
	e->started_ms = at_ms;
	e->severity = SEVERITY_WARNING; /* a source is never critical */
	e->notify = 1;
	e->url = xstrdup(url);
	e->failures = failures;
	e->last_error = last_error ? xstrdup(last_error) : NULL;
	event_id(e->id, e->kind, e->subject, e->story_id, e->state, e->at_ms);
	TAILQ_INSERT_TAIL(&d->events, e, entry);
	if (idle)
		next_event(d);
}

struct monitor *
monitor_new(struct store *st)
{
	struct monitor *d = xcalloc(1, sizeof *d);

	d->store = st;
	d->last_closed = -1;
	TAILQ_INIT(&d->events);
	if (gethostname(d->host, sizeof d->host - 1) != 0 || !d->host[0])
		snprintf(d->host, sizeof d->host, "localhost");
	return d;
}

void
monitor_free(struct monitor *d)
{
	struct event *e;

	if (d == NULL)
		return;
	while ((e = TAILQ_FIRST(&d->events)) != NULL) {
		TAILQ_REMOVE(&d->events, e, entry);
		event_free(e);
	}
	if (d->current != NULL)
		event_free(d->current);
	for (size_t i = 0; i < d->ntracks; i++)
		free(d->tracks[i].watch);
	free(d->tracks);
	free(d);
}
