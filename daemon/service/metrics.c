/*
 * metrics.c - /metrics and /healthz on a loopback listener (see
 * metrics.h). Counters only ever grow; gauges are the last figures read.
 */
#include "service/metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/util.h"
#include "service/net/fetch.h"
#include "service/web/listen.h"

/* The order of the exposition, kept as it always was (not the enum's). */
static const enum fetch_outcome outcome_order[] = {
	OUTCOME_OK,
	OUTCOME_NOT_MODIFIED,
	OUTCOME_FAILED,
	OUTCOME_THROTTLED,
	OUTCOME_GONE,
	OUTCOME_PARTIAL,
	OUTCOME_DENIED,
};

struct metrics {
	struct evhttp *http;
	uint64_t fetches[ARRAY_LEN(outcome_order)]; /* by enum fetch_outcome */
	uint64_t items;
	uint64_t mentions[3]; /* negative, neutral, positive */
	struct metrics_stats stats;
	int have_stats;
	int64_t last_ok_ms; /* last successful poll, realtime */
	int db_up;
	int64_t stale_ms;
	long spool_results;
	int64_t spool_bytes;
	int spool_full;
	int64_t started_ms;
};

static const char *const label_names[3] = { "negative", "neutral", "positive" };

void
metrics_fetch(struct metrics *m, enum fetch_outcome o, int64_t now_ms)
{
	if (m == NULL)
		return;
	if ((unsigned)o < ARRAY_LEN(m->fetches))
		m->fetches[o]++;
	/* A source that answered. */
	if (o == OUTCOME_OK || o == OUTCOME_PARTIAL ||
	    o == OUTCOME_NOT_MODIFIED)
		m->last_ok_ms = now_ms;
}

void
metrics_items(struct metrics *m, long n)
{
	if (m != NULL && n > 0)
		m->items += (uint64_t)n;
}

void
metrics_mentions(struct metrics *m, long negative, long neutral, long positive)
{
	if (m == NULL)
		return;
	m->mentions[0] += (uint64_t)(negative > 0 ? negative : 0);
	m->mentions[1] += (uint64_t)(neutral > 0 ? neutral : 0);
	m->mentions[2] += (uint64_t)(positive > 0 ? positive : 0);
}

void
metrics_stats(struct metrics *m, const struct metrics_stats *s)
{
	if (m == NULL)
		return;
	m->stats = *s;
	m->have_stats = 1;
}

void
metrics_health(struct metrics *m, int db_up, int64_t stale_ms)
{
	if (m == NULL)
		return;
	m->db_up = db_up;
	m->stale_ms = stale_ms;
}

void
metrics_spool(struct metrics *m, long results, int64_t bytes, int full)
{
	if (m == NULL)
		return;
	m->spool_results = results;
	m->spool_bytes = bytes;
	m->spool_full = full;
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *
metrics_render(const struct metrics *m, int64_t now_ms)
{
	struct buf b;
	int64_t since = m->last_ok_ms ? m->last_ok_ms : m->started_ms;

	buf_init(&b);
	family(&b, "vigie_fetches_total", "counter",
	    "Polls of sources, by outcome.");
	for (size_t i = 0; i < ARRAY_LEN(outcome_order); i++)
		buf_printf(&b, "vigie_fetches_total{outcome=\"%s\"} %llu\n",
		    fetch_outcome_name(outcome_order[i]),
		    (unsigned long long)m->fetches[outcome_order[i]]);
	family(&b, "vigie_items_total", "counter", "New items stored.");
	buf_printf(
	    &b, "vigie_items_total %llu\n", (unsigned long long)m->items);
	family(&b, "vigie_mentions_total", "counter",
	    "Mentions of watches stored, by tone.");
	for (int i = 0; i < 3; i++)
		buf_printf(&b, "vigie_mentions_total{label=\"%s\"} %llu\n",
		    label_names[i], (unsigned long long)m->mentions[i]);
	family(&b, "vigie_last_success_age_seconds", "gauge",
	    "Seconds since the last successful poll (since start if none).");
	buf_printf(&b, "vigie_last_success_age_seconds %.3f\n",
	    (double)(now_ms - since) / 1000.0);
	family(&b, "vigie_database_up", "gauge",
	    "1 when the database is reachable.");
	buf_printf(&b, "vigie_database_up %d\n", m->db_up);
	family(&b, "vigie_spool_results", "gauge",
	    "Fetched results waiting for the database.");
	buf_printf(&b, "vigie_spool_results %ld\n", m->spool_results);
	family(&b, "vigie_spool_bytes", "gauge",
	    "Bytes of those results, in memory and in files.");
	buf_printf(&b, "vigie_spool_bytes %lld\n", (long long)m->spool_bytes);
	family(&b, "vigie_spool_full", "gauge",
	    "1 while the spool has no room and polling pauses.");
	buf_printf(&b, "vigie_spool_full %d\n", m->spool_full);
	if (m->have_stats) {
		family(&b, "vigie_sources", "gauge",
		    "Configured sources, by state.");
		buf_printf(&b, "vigie_sources{state=\"ok\"} %ld\n",
		    m->stats.db.sources_ok);
		buf_printf(&b, "vigie_sources{state=\"failing\"} %ld\n",
		    m->stats.db.sources_failing);
		family(&b, "vigie_mentions_last_hour", "gauge",
		    "Mentions first seen in the last hour.");
		buf_printf(&b, "vigie_mentions_last_hour %ld\n",
		    m->stats.db.mentions_hour);
		family(&b, "vigie_incidents_open", "gauge",
		    "Incidents currently firing.");
		buf_printf(&b, "vigie_incidents_open %ld\n",
		    m->stats.db.incidents_open);
		family(&b, "vigie_outbox_pending", "gauge",
		    "Notifications waiting for delivery.");
		buf_printf(&b, "vigie_outbox_pending %ld\n",
		    m->stats.db.outbox_pending);
		family(&b, "vigie_items_set_aside", "gauge",
		    "Items the database refused to merge, set aside and tried "
		    "again later (staged_refused).");
		buf_printf(&b, "vigie_items_set_aside %ld\n",
		    m->stats.db.items_set_aside);
		family(&b, "vigie_database_roundtrip_seconds", "gauge",
		    "Round trip of the last statistics query.");
		buf_printf(&b, "vigie_database_roundtrip_seconds %.6f\n",
		    m->stats.db_seconds);
	}
	return buf_release(&b);
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body)
{
	struct evbuffer *out = evbuffer_new();

	if (out == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evhttp_add_header(
	    evhttp_request_get_output_headers(req), "Content-Type", type);
	evbuffer_add(out, body, strlen(body));
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	char *text = metrics_render(arg, now_real_ms());

	reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", text);
	free(text);
}

static void
on_healthz(struct evhttp_request *req, void *arg)
{
	const struct metrics *m = arg;
	int64_t now = now_real_ms();
	int64_t since = m->last_ok_ms ? m->last_ok_ms : m->started_ms;

	/* Answering at all proves the loop turns. */
	if (!m->db_up)
		reply(req, 503, "Service Unavailable", "text/plain",
		    "database unreachable\n");
	else if (m->stale_ms > 0 && now - since > m->stale_ms)
		reply(req, 503, "Service Unavailable", "text/plain",
		    "no successful poll lately\n");
	else
		reply(req, 200, "OK", "text/plain", "ok\n");
}

struct metrics *
metrics_new(
    struct event_base *base, const char *listen, char *err, size_t errlen)
{
	struct metrics *m;

	err[0] = '\0';
	if (listen == NULL || listen[0] == '\0')
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->started_ms = now_real_ms();
	m->http = http_listen(base, listen, err, errlen);
	if (m->http == NULL) {
		metrics_free(m);
		return NULL;
	}
	evhttp_set_cb(m->http, "/metrics", on_metrics, m);
	evhttp_set_cb(m->http, "/healthz", on_healthz, m);
	return m;
}

struct evhttp *
metrics_http(struct metrics *m)
{
	return m->http;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->http != NULL)
		evhttp_free(m->http);
	free(m);
}
