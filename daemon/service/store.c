/*
 * store.c - the asynchronous PostgreSQL client (see store.h).
 *
 * One connection, one request in flight at a time, a FIFO of requests
 * behind it. That is enough: each request is a single set-based statement
 * (a whole fetch with all its items is one round trip), and it keeps the
 * reconnection story simple: after a loss, the request that was in flight
 * goes back to the head of the queue and everything is sent again in
 * order. All SQL lives in the statements table below, with parameters;
 * none is ever assembled from strings.
 */
#include "service/store.h"

#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>

#include "core/base/log.h"
#include "core/base/util.h"
#include "core/config/conf.h"
#include "core/judge/analyze.h"
#include "core/judge/story.h"
#include "core/read/date.h"
#include "core/read/feed.h"
#include "core/read/text.h"
#include "core/read/url.h"
#include "service/migrate.h"

#define RECONNECT_MIN_MS 500
#define RECONNECT_MAX_MS 30000
#define MAX_PARAMS 20

enum stmt {
	STMT_SYNC,
	STMT_CLAIM_DUE,
	STMT_CLAIM_ONCE,
	STMT_SAVE,
	STMT_RELEASE,
	STMT_RELEASE_ONE,
	STMT_SYNC_WATCHES,
	STMT_BACKFILL_TODO,
	STMT_BACKFILL_PURGE,
	STMT_BACKFILL_PAGE,
	STMT_SAVE_MENTIONS,
	STMT_BACKFILL_DONE,
	STMT_DETECT_COUNTS,
	STMT_LOAD_TRACKS,
	STMT_SAVE_TRACKS,
	STMT_EVENT_CONTEXT,
	STMT_RECORD_EVENT,
	STMT_OUTBOX_CLAIM,
	STMT_OUTBOX_RESULT,
	STMT_STATS,
	STMT_MAINTAIN,
	STMT_SAVE_FAILED,
	STMT_COUNT
};

static const struct {
	const char *name;
	const char *sql;
} statements[STMT_COUNT] = {
	[STMT_SYNC] = { "sync_sources",
	    "WITH cfg AS ("
	    "  SELECT * FROM json_to_recordset($1::json)"
	    "    AS x(name text, url text, lang text, tags text[], interval_s int,"
	    "      family text)"
	    "), up AS ("
	    "  INSERT INTO sources (name, url, lang, tags, interval_s, family)"
	    "  SELECT name, url, lang, coalesce(tags, '{}'), interval_s, family"
	    "  FROM cfg"
	    "  ON CONFLICT (name) DO UPDATE SET"
	    "    url = excluded.url, lang = excluded.lang, tags = excluded.tags,"
	    "    interval_s = excluded.interval_s, in_config = true,"
	    "    family = excluded.family,"
	    "    feed_url = CASE WHEN sources.url <> excluded.url"
	    "      THEN NULL ELSE sources.feed_url END,"
	    /* A new URL is a new start: what 410 or the validators said
	     * was about the old one. */
	    "    enabled = sources.enabled OR sources.url <> excluded.url,"
	    "    disabled_reason = CASE WHEN sources.url <> excluded.url"
	    "      THEN NULL ELSE sources.disabled_reason END,"
	    "    etag = CASE WHEN sources.url <> excluded.url"
	    "      THEN NULL ELSE sources.etag END,"
	    "    last_modified = CASE WHEN sources.url <> excluded.url"
	    "      THEN NULL ELSE sources.last_modified END,"
	    "    failures = CASE WHEN sources.url <> excluded.url"
	    "      THEN 0 ELSE sources.failures END,"
	    "    next_poll_at = CASE WHEN sources.url <> excluded.url THEN now()"
	    "      ELSE least(sources.next_poll_at,"
	    "        now() + make_interval(secs => excluded.interval_s)) END"
	    "  RETURNING id"
	    ")"
	    "UPDATE sources SET in_config = false"
	    " WHERE in_config AND id NOT IN (SELECT id FROM up)" },
	[STMT_CLAIM_DUE] = { "claim_due",
	    "UPDATE sources s SET lease_owner = $1,"
	    "  lease_until = now() + make_interval(secs => $3::int)"
	    " FROM (SELECT id FROM sources"
	    "  WHERE enabled AND in_config AND next_poll_at <= now()"
	    "    AND (lease_until IS NULL OR lease_until < now())"
	    "  ORDER BY next_poll_at LIMIT $2::int FOR UPDATE SKIP LOCKED) due"
	    " WHERE s.id = due.id"
	    " RETURNING s.id, s.name, coalesce(s.feed_url, s.url), s.etag,"
	    "  s.last_modified, s.failures" },
	[STMT_CLAIM_ONCE] = { "claim_once",
	    "UPDATE sources s SET lease_owner = $1,"
	    "  lease_until = now() + make_interval(secs => $3::int)"
	    " FROM (SELECT id FROM sources"
	    "  WHERE enabled AND in_config"
	    "    AND coalesce(last_fetch_at, '-infinity')"
	    "      < to_timestamp($4::bigint / 1000.0)"
	    "    AND (lease_until IS NULL OR lease_until < now())"
	    "  ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED) due"
	    " WHERE s.id = due.id"
	    " RETURNING s.id, s.name, coalesce(s.feed_url, s.url), s.etag,"
	    "  s.last_modified, s.failures" },
	[STMT_SAVE] = { "save_fetch",
	    "WITH input AS ("
	    "  SELECT x.*, item_identity(guid, link, title, summary, content)"
	    "    AS ident"
	    "  FROM json_to_recordset($10::json) AS x(guid text, link text,"
	    "    title text, author text, summary text, content text, lang text,"
	    "    published bigint, updated bigint, tone real, label text,"
	    "    abusive boolean, tone_lang text, mentions json, url_norm text,"
	    "    simhash bigint)"
	    "), ins AS ("
	    "  INSERT INTO items (source_id, identity, guid, link, title, author,"
	    "    summary, content, lang, published_at, updated_at, sentiment,"
	    "    label, abusive, tone_lang, url_norm, simhash, band0, band1,"
	    "    band2, band3, story_id)"
	    "  SELECT $1::bigint, ident, guid, link, title, author, summary,"
	    "    content, coalesce(lang, $17), to_timestamp(published),"
	    "    to_timestamp(updated), tone, label, abusive, tone_lang,"
	    "    url_norm, simhash, (simhash >> 48) & 65535,"
	    "    (simhash >> 32) & 65535, (simhash >> 16) & 65535,"
	    "    simhash & 65535, coalesce("
	    /* The story this item continues: an item of another source with
	     * the same normalised link, else a near-duplicate text seen in
	     * the last week (SimHash within 3 bits, found by a shared band:
	     * only that week's partitions are read). */
	    "    (SELECT coalesce(o.story_id, o.id) FROM items o"
	    "     WHERE o.url_norm = x.url_norm AND o.source_id <> $1"
	    "     ORDER BY o.id LIMIT 1),"
	    "    (SELECT coalesce(o.story_id, o.id) FROM items o"
	    "     WHERE o.first_seen_at > now() - interval '7 days'"
	    "      AND o.source_id <> $1 AND (o.band0 = (x.simhash >> 48) & 65535"
	    "      OR o.band1 = (x.simhash >> 32) & 65535"
	    "      OR o.band2 = (x.simhash >> 16) & 65535"
	    "      OR o.band3 = x.simhash & 65535)"
	    "      AND bit_count((o.simhash # x.simhash)::bit(64)) <= 3"
	    "     ORDER BY o.id LIMIT 1))"
	    "  FROM input x"
	    /* Identity is unique per month partition only (schema/007): an
	     * item still in its feed after the month it was first seen in is
	     * known from an earlier partition. Most items a feed repeats were
	     * first seen lately: the last month's partitions are searched
	     * first, the older ones only for what they did not hold. The
	     * source's lease makes this daemon its only writer. */
	    "  WHERE NOT EXISTS (SELECT FROM items o WHERE o.source_id = $1"
	    "    AND o.identity = x.ident"
	    "    AND o.first_seen_at >= now() - interval '1 month')"
	    "  AND NOT EXISTS (SELECT FROM items o WHERE o.source_id = $1"
	    "    AND o.identity = x.ident"
	    "    AND o.first_seen_at < now() - interval '1 month')"
	    "  ON CONFLICT DO NOTHING"
	    "  RETURNING id, identity, lang, published_at, first_seen_at"
	    "), men AS ("
	    /* Only new items get mentions here: known ones got theirs when
	     * they were new, or from a backfill. */
	    "  INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,"
	    "    sentiment, label, abusive, published_at, first_seen_at)"
	    "  SELECT ins.id, w.id, $1::bigint,"
	    "    ARRAY(SELECT json_array_elements_text(m->'terms')),"
	    "    coalesce(i.tone_lang, ins.lang), i.tone, i.label,"
	    "    coalesce(i.abusive, false), ins.published_at, ins.first_seen_at"
	    "  FROM ins JOIN input i ON i.ident = ins.identity"
	    "  CROSS JOIN LATERAL json_array_elements(i.mentions) AS m"
	    "  JOIN watches w ON w.name = m->>'watch'"
	    "  ON CONFLICT DO NOTHING"
	    "  RETURNING label"
	    "), counts AS ("
	    "  SELECT (SELECT count(*) FROM ins) AS n_new,"
	    "         (SELECT count(DISTINCT ident) FROM input) AS n_all,"
	    "         (SELECT count(*) FROM men WHERE label = 'negative') AS neg,"
	    "         (SELECT count(*) FROM men WHERE label = 'neutral') AS neu,"
	    "         (SELECT count(*) FROM men WHERE label = 'positive') AS pos"
	    "), rec AS ("
	    "  INSERT INTO fetches (attempt, source_id, started_at, duration_ms,"
	    "    http_status, outcome, error, bytes, items_new, items_seen,"
	    "    final_url)"
	    "  SELECT $2::uuid, $1::bigint, to_timestamp($3::bigint / 1000.0),"
	    "    $4::int, $5::int, $6, $7, $8::bigint, n_new, n_all - n_new, $9"
	    "  FROM counts"
	    "  ON CONFLICT (attempt, started_at) DO NOTHING"
	    "  RETURNING 1"
	    ")"
	    "UPDATE sources s SET"
	    "  last_fetch_at = to_timestamp($3::bigint / 1000.0),"
	    "  last_status = $5::int, last_error = $7,"
	    "  last_success_at = CASE WHEN $7 IS NULL THEN now()"
	    "    ELSE s.last_success_at END,"
	    "  etag = CASE WHEN $13::boolean THEN $11 ELSE s.etag END,"
	    "  feed_url = coalesce($18, s.feed_url),"
	    "  last_modified = CASE WHEN $13::boolean THEN $12"
	    "    ELSE s.last_modified END,"
	    "  failures = $15::int,"
	    "  enabled = s.enabled AND $14::bigint >= 0,"
	    "  disabled_reason = CASE WHEN $14::bigint < 0 THEN $16"
	    "    ELSE s.disabled_reason END,"
	    "  next_poll_at = CASE WHEN $14::bigint < 0 THEN s.next_poll_at"
	    "    ELSE now() + make_interval(secs => $14::bigint / 1000.0) END,"
	    "  items_total = s.items_total + c.n_new,"
	    /* A lease another daemon took meanwhile stays its own; ours is
	     * kept while pages follow, so that nobody polls the source while
	     * we walk them. */
	    "  lease_owner = CASE WHEN s.lease_owner IS DISTINCT FROM $20"
	    "    OR $19::int > 0 THEN s.lease_owner END,"
	    "  lease_until = CASE WHEN s.lease_owner IS DISTINCT FROM $20"
	    "    THEN s.lease_until WHEN $19::int > 0"
	    "    THEN now() + make_interval(secs => $19::int) END"
	    " FROM counts c"
	    " WHERE s.id = $1::bigint"
	    " RETURNING c.n_new, c.n_all - c.n_new, c.neg, c.neu, c.pos" },
	[STMT_RELEASE] = { "release_leases",
	    "UPDATE sources SET lease_owner = NULL, lease_until = NULL"
	    " WHERE lease_owner = $1 AND id NOT IN"
	    "  (SELECT json_array_elements_text($2::json)::bigint)" },
	[STMT_RELEASE_ONE] = { "release_lease",
	    "UPDATE sources SET lease_owner = NULL, lease_until = NULL"
	    " WHERE id = $1::bigint AND lease_owner = $2" },
	[STMT_SYNC_WATCHES] = { "sync_watches",
	    "WITH cfg AS ("
	    "  SELECT * FROM json_to_recordset($1::json)"
	    "    AS x(name text, query text, lang text[], tags text[])"
	    "), up AS ("
	    "  INSERT INTO watches (name, query, lang, tags)"
	    "  SELECT name, query, lang, coalesce(tags, '{}') FROM cfg"
	    "  ON CONFLICT (name) DO UPDATE SET"
	    "    query = excluded.query, lang = excluded.lang,"
	    "    tags = excluded.tags, in_config = true,"
	    "    backfill_needed = watches.backfill_needed OR NOT watches.in_config"
	    "      OR watches.query <> excluded.query"
	    "      OR watches.lang IS DISTINCT FROM excluded.lang,"
	    "    query_changed_at = CASE WHEN watches.query <> excluded.query"
	    "      OR watches.lang IS DISTINCT FROM excluded.lang"
	    "      OR NOT watches.in_config"
	    "      THEN now() ELSE watches.query_changed_at END"
	    "  RETURNING id"
	    ")"
	    "UPDATE watches SET in_config = false"
	    " WHERE in_config AND id NOT IN (SELECT id FROM up)" },
	[STMT_BACKFILL_TODO] = { "backfill_todo",
	    "SELECT name, backfilled_at IS NOT NULL, now()::text FROM watches"
	    " WHERE in_config AND backfill_needed ORDER BY id" },
	/* A changed query must not leave the old query's mentions behind in
	 * the window it matches again. */
	[STMT_BACKFILL_PURGE] = { "backfill_purge",
	    "DELETE FROM mentions m USING watches w"
	    " WHERE m.watch_id = w.id AND w.backfilled_at IS NOT NULL"
	    "   AND w.name IN (SELECT json_array_elements_text($1::json))"
	    "   AND m.first_seen_at > now() - make_interval(secs => $2::bigint)"
	    /* An editor's correction outlives a new query. */
	    "   AND m.label_override IS NULL AND NOT m.dismissed" },
	[STMT_BACKFILL_PAGE] = { "backfill_page",
	    "SELECT i.id, i.title, i.summary, i.content, i.author, i.link,"
	    "  coalesce(i.lang, s.lang)"
	    " FROM items i JOIN sources s ON s.id = i.source_id"
	    " WHERE i.id > $1::bigint"
	    "   AND i.first_seen_at > now() - make_interval(secs => $2::bigint)"
	    " ORDER BY i.id LIMIT $3::int" },
	[STMT_SAVE_MENTIONS] = { "save_mentions",
	    "WITH input AS ("
	    "  SELECT * FROM json_to_recordset($1::json) AS x(item bigint,"
	    "    tone real, label text, abusive boolean, tone_lang text,"
	    "    mentions json)"
	    "), tone AS ("
	    "  UPDATE items i SET sentiment = x.tone, label = x.label,"
	    "    abusive = x.abusive, tone_lang = x.tone_lang"
	    "  FROM input x WHERE i.id = x.item AND i.sentiment IS NULL"
	    ")"
	    "INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,"
	    "  sentiment, label, abusive, published_at, first_seen_at)"
	    "SELECT i.id, w.id, i.source_id,"
	    "  ARRAY(SELECT json_array_elements_text(m->'terms')),"
	    "  coalesce(x.tone_lang, i.lang), x.tone, x.label,"
	    "  coalesce(x.abusive, false), i.published_at, i.first_seen_at"
	    " FROM input x JOIN items i ON i.id = x.item"
	    " CROSS JOIN LATERAL json_array_elements(x.mentions) AS m"
	    " JOIN watches w ON w.name = m->>'watch'"
	    " ON CONFLICT DO NOTHING" },
	[STMT_BACKFILL_DONE] = { "backfill_done",
	    "UPDATE watches SET backfill_needed = false, backfilled_at = now()"
	    " WHERE name IN (SELECT json_array_elements_text($1::json))"
	    "   AND query_changed_at <= $2::timestamptz" },
	/* Negative and total mentions per watch and bucket, by the time a
	 * mention counts for detection (detect_item_time(), mirrored). */
	/* detect_counts() (schema/006) is shared with vigie backtest. */
	[STMT_DETECT_COUNTS] = { "detect_counts",
	    "SELECT watch, bucket, negative, total FROM detect_counts("
	    "  $1::bigint, $2::bigint, $3::bigint, $4::bigint)" },
	[STMT_LOAD_TRACKS] = { "load_tracks",
	    "SELECT w.name, t.track::text FROM detector_tracks t"
	    " JOIN watches w ON w.id = t.watch_id WHERE w.in_config" },
	[STMT_SAVE_TRACKS] = { "save_tracks",
	    "WITH x AS ("
	    "  SELECT w.id AS watch_id, x.track"
	    "  FROM json_to_recordset($1::json) AS x(watch text, track jsonb)"
	    "  JOIN watches w ON w.name = x.watch"
	    "), peak AS ("
	    /* An open incident's peak grows between its state changes. */
	    "  UPDATE incidents i"
	    "  SET peak_count = greatest(i.peak_count, (x.track->>'peak')::int)"
	    "  FROM x WHERE i.watch_id = x.watch_id AND i.kind = 'spike'"
	    "    AND i.state = 'firing' AND (x.track->>'peak') IS NOT NULL"
	    ")"
	    "INSERT INTO detector_tracks (watch_id, track)"
	    " SELECT watch_id, track FROM x"
	    " ON CONFLICT (watch_id) DO UPDATE"
	    "   SET track = excluded.track, updated_at = now()" },
	/* What a notification shows: the most negative mentions of the
	 * window, the terms they matched, and 24 hourly counts. */
	[STMT_EVENT_CONTEXT] = { "event_context",
	    "WITH neg AS ("
	    "  SELECT m.sentiment, m.terms, i.title, i.link, s.name AS source,"
	    "    mention_time(m.published_at, m.first_seen_at,"
	    "      make_interval(secs => $4::bigint / 1000.0)) AS t"
	    "  FROM mentions m JOIN watches w ON w.id = m.watch_id"
	    "  JOIN items i ON i.id = m.item_id"
	    "    AND i.first_seen_at = m.first_seen_at"
	    "  JOIN sources s ON s.id = m.source_id"
	    "  WHERE w.name = $1 AND NOT m.dismissed"
	    "    AND coalesce(m.label_override, m.label) = 'negative'"
	    "    AND m.first_seen_at >= to_timestamp($3::bigint / 1000.0)"
	    "      - interval '24 hours' - make_interval(secs => $4::bigint / 1000.0)"
	    "), recent AS ("
	    "  SELECT * FROM neg WHERE t < to_timestamp($3::bigint / 1000.0)"
	    "    AND t >= to_timestamp($3::bigint / 1000.0) - interval '24 hours'"
	    ")"
	    "SELECT json_build_object("
	    " 'top', (SELECT coalesce(json_agg(x), '[]') FROM ("
	    "   SELECT title, source, link, sentiment AS score FROM recent"
	    "   WHERE t >= to_timestamp($2::bigint / 1000.0)"
	    "   ORDER BY sentiment, t DESC LIMIT 5) x),"
	    " 'terms', (SELECT coalesce(json_agg(term), '[]') FROM ("
	    "   SELECT term FROM recent, unnest(terms) AS term"
	    "   WHERE t >= to_timestamp($2::bigint / 1000.0)"
	    "   GROUP BY term ORDER BY count(*) DESC, term LIMIT 10) x),"
	    " 'series', (SELECT json_agg(coalesce(c.n, 0) ORDER BY g.h)"
	    "   FROM generate_series(0, 23) g(h) LEFT JOIN ("
	    "     SELECT floor(extract(epoch FROM"
	    "       to_timestamp($3::bigint / 1000.0) - t) / 3600)::int AS age,"
	    "       count(*) AS n FROM recent GROUP BY 1) c"
	    "   ON c.age = 23 - g.h))::text" },
	/* An incident's state change, its notifications and the detector's
	 * state, all or nothing. Event ids are derived from what happened,
	 * so a replay after a crash records and sends nothing twice. */
	[STMT_RECORD_EVENT] = { "record_event",
	    "WITH subj AS ("
	    "  SELECT (SELECT id FROM watches WHERE $1 = 'spike' AND name = $2)"
	    "      AS watch_id,"
	    "    (SELECT id FROM sources WHERE $1 = 'source' AND name = $2)"
	    "      AS source_id"
	    "), opened AS ("
	    "  INSERT INTO incidents (kind, watch_id, source_id, state, severity,"
	    "    reason, opened_at, peak_count)"
	    "  SELECT $1, watch_id, source_id, 'firing', $6, $7,"
	    "    to_timestamp($5::bigint / 1000.0), $8::int FROM subj"
	    "  WHERE $3 = 'firing' AND coalesce(watch_id, source_id) IS NOT NULL"
	    "  ON CONFLICT (kind, (coalesce(watch_id, 0)), (coalesce(source_id, 0)))"
	    "    WHERE state = 'firing' DO NOTHING"
	    "  RETURNING id"
	    "), changed AS ("
	    "  UPDATE incidents i SET"
	    "    state = CASE WHEN $3 = 'resolved' THEN 'resolved' ELSE i.state END,"
	    "    resolved_at = CASE WHEN $3 = 'resolved'"
	    "      THEN to_timestamp($5::bigint / 1000.0) ELSE i.resolved_at END,"
	    "    severity = CASE WHEN $3 = 'escalated' THEN $6 ELSE i.severity END,"
	    "    peak_count = greatest(i.peak_count, $8::int)"
	    "  FROM subj"
	    "  WHERE $3 <> 'firing' AND i.state = 'firing' AND i.kind = $1"
	    "    AND i.watch_id IS NOT DISTINCT FROM subj.watch_id"
	    "    AND i.source_id IS NOT DISTINCT FROM subj.source_id"
	    "  RETURNING i.id"
	    "), ev AS ("
	    "  INSERT INTO incident_events (event_id, incident_id, state, at,"
	    "    window_count, window_total, expected, ratio, p_value, details)"
	    "  SELECT $4::uuid, id, $3, to_timestamp($5::bigint / 1000.0),"
	    "    $8::int, $9::int, $10::real, $11::real, $12::float8, $13::jsonb"
	    "  FROM (SELECT id FROM opened UNION ALL SELECT id FROM changed) x"
	    "  ON CONFLICT (event_id) DO NOTHING"
	    "  RETURNING event_id"
	    "), ob AS ("
	    "  INSERT INTO outbox (event_id, target, channel, destination,"
	    "    content_type, body)"
	    "  SELECT ev.event_id, o.target, o.channel, o.destination,"
	    "    o.content_type, o.body"
	    "  FROM ev, json_to_recordset($14::json) AS o(target text,"
	    "    channel text, destination text, content_type text, body text)"
	    "  ON CONFLICT DO NOTHING"
	    "  RETURNING 1"
	    "), tr AS ("
	    "  INSERT INTO detector_tracks (watch_id, track)"
	    "  SELECT watch_id, $15::jsonb FROM subj"
	    "  WHERE $15 IS NOT NULL AND watch_id IS NOT NULL"
	    "  ON CONFLICT (watch_id) DO UPDATE"
	    "    SET track = excluded.track, updated_at = now()"
	    "  RETURNING 1"
	    ")"
	    "SELECT (SELECT count(*) FROM ev), (SELECT count(*) FROM ob)" },
	[STMT_OUTBOX_CLAIM] = { "outbox_claim",
	    "UPDATE outbox o SET lease_owner = $1,"
	    "  lease_until = now() + make_interval(secs => $3::int)"
	    " FROM (SELECT id FROM outbox"
	    "  WHERE delivered_at IS NULL AND failed_at IS NULL"
	    "    AND next_attempt_at <= now()"
	    "    AND (lease_until IS NULL OR lease_until < now())"
	    "  ORDER BY next_attempt_at LIMIT $2::int FOR UPDATE SKIP LOCKED) d"
	    " WHERE o.id = d.id"
	    " RETURNING o.id, o.event_id, o.target, o.channel, o.destination,"
	    "  o.content_type, o.body, o.attempts,"
	    "  (extract(epoch FROM o.created_at) * 1000)::bigint" },
	[STMT_OUTBOX_RESULT] = { "outbox_result",
	    "UPDATE outbox SET attempts = attempts + 1,"
	    "  lease_owner = NULL, lease_until = NULL,"
	    "  delivered_at = CASE WHEN $2::boolean THEN now() END,"
	    "  last_error = CASE WHEN $2::boolean THEN last_error ELSE $3 END,"
	    "  failed_at = CASE WHEN NOT $2::boolean AND $5::boolean"
	    "    THEN now() END,"
	    "  next_attempt_at = CASE WHEN $2::boolean THEN next_attempt_at"
	    "    ELSE now() + make_interval(secs => $4::bigint / 1000.0) END"
	    " WHERE id = $1::bigint" },
	[STMT_STATS] = { "stats",
	    "SELECT"
	    " (SELECT count(*) FROM sources"
	    "   WHERE in_config AND enabled AND failures = 0),"
	    " (SELECT count(*) FROM sources"
	    "   WHERE in_config AND (failures > 0 OR NOT enabled)),"
	    " (SELECT count(*) FROM mentions"
	    "   WHERE first_seen_at > now() - interval '1 hour'),"
	    " (SELECT count(*) FROM incidents WHERE state = 'firing'),"
	    " (SELECT count(*) FROM outbox"
	    "   WHERE delivered_at IS NULL AND failed_at IS NULL)" },
	/* A fetch the database refused (not the connection: the data) is
	 * recorded as a failure, so the source's lease goes and it is tried
	 * again later, not in a loop, nor never. */
	[STMT_SAVE_FAILED] = { "save_failed",
	    "UPDATE sources SET lease_owner = NULL, lease_until = NULL,"
	    "  failures = failures + 1, last_error = $2, last_fetch_at = now(),"
	    "  next_poll_at = now() + make_interval(secs => $3::bigint / 1000.0)"
	    " WHERE id = $1::bigint" },
	[STMT_MAINTAIN] = { "maintain",
	    "SELECT maintain_partitions("
	    "  make_interval(secs => $1::bigint / 1000.0))" },
};

struct op;
/* res is NULL on failure; error is NULL too when the connection was lost
 * (which store_lost reports once, for every request). */
typedef void (*op_result_fn)(struct op *, PGresult *, const char *error);

enum op_kind {
	OP_VERSION, /* schema version check, first thing on a connection */
	OP_PREPARE,
	OP_EXEC,
};

struct op {
	enum op_kind kind;
	enum stmt stmt;
	int nparams;
	char *params[MAX_PARAMS];
	/* Requests that change nothing when repeated are sent again after a
	 * reconnection; the others fail with the connection. */
	int replay;
	op_result_fn on_result;
	void (*cb)(void); /* the caller's callback, of the op's own type */
	void *arg;
	TAILQ_ENTRY(op) entry;
};

TAILQ_HEAD(op_queue, op);

struct store {
	struct event_base *base;
	char *conninfo;
	store_event_cb on_event;
	void *event_arg;
	PGconn *conn;
	int up; /* connected, checked and prepared */
	int fatal; /* stop trying: a person must act */
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_retry;
	int64_t retry_ms;
	struct op_queue queue; /* head may be in flight */
	struct op *inflight;
	PGresult *result; /* last result of the op in flight */
	char *error; /* its error, if any */
	char error_state[6]; /* and that error's SQLSTATE */
};

static void store_kick(struct store *);
static void store_lost(struct store *, const char *why);
static void connect_step(evutil_socket_t, short, void *);

static void
op_free(struct op *op)
{
	for (int i = 0; i < op->nparams; i++)
		free(op->params[i]);
	free(op);
}

static struct op *
op_new(enum op_kind kind, enum stmt stmt, op_result_fn fn, void (*cb)(void),
    void *arg)
{
	struct op *op = xcalloc(1, sizeof *op);

	op->kind = kind;
	op->stmt = stmt;
	op->on_result = fn;
	op->cb = cb;
	op->arg = arg;
	return op;
}

/* value as PostgreSQL will take it: invalid UTF-8 (a server's header, a
 * message cut mid-character) would fail the whole statement, so each bad
 * byte becomes U+FFFD. */
static char *
valid_utf8(const char *value)
{
	struct buf b;
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value), i = 0;

	buf_init(&b);
	while (i < len) {
		size_t n = text_utf8_seq(s + i, len - i);

		if (n == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_append(&b, s + i, n);
			i += n;
		}
	}
	return buf_release(&b);
}

/* Appends a parameter; NULL stays SQL NULL. */
static void
op_param(struct op *op, const char *value)
{
	op->params[op->nparams++] = value ? valid_utf8(value) : NULL;
}

static void
op_paramf(struct op *op, long long value)
{
	op->params[op->nparams++] = xasprintf("%lld", value);
}

static void
store_submit(struct store *st, struct op *op)
{
	TAILQ_INSERT_TAIL(&st->queue, op, entry);
	store_kick(st);
}

size_t
store_pending(const struct store *st)
{
	size_t n = 0;
	const struct op *op;

	TAILQ_FOREACH(op, &st->queue, entry)
	if (op->kind == OP_EXEC)
		n++;
	return n;
}

static void
emit(struct store *st, enum store_event ev, const char *msg)
{
	if (st->on_event != NULL)
		st->on_event(ev, msg, st->event_arg);
}

static void
on_notice(void *arg, const char *message)
{
	(void)arg;
	log_debug("database: %s", message);
}

static void
drop_connection(struct store *st)
{
	if (st->ev_read != NULL)
		event_free(st->ev_read);
	if (st->ev_write != NULL)
		event_free(st->ev_write);
	st->ev_read = st->ev_write = NULL;
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
	st->up = 0;
	if (st->result != NULL)
		PQclear(st->result);
	st->result = NULL;
	free(st->error);
	st->error = NULL;
}

/* Removes the connection-setup ops left from a lost connection: a new
 * connection queues its own. */
static void
drop_setup_ops(struct store *st)
{
	struct op *op, *next;

	for (op = TAILQ_FIRST(&st->queue); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->kind != OP_EXEC) {
			TAILQ_REMOVE(&st->queue, op, entry);
			op_free(op);
		}
	}
}

static void
schedule_reconnect(struct store *st)
{
	struct timeval tv;
	int64_t delay = st->retry_ms;

	/* Jitter spreads the reconnections of several daemons. */
	delay += (int64_t)arc4random_uniform((uint32_t)(delay / 2 + 1));
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(st->ev_retry, &tv);
	st->retry_ms = st->retry_ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS
	                                                   : st->retry_ms * 2;
}

static void
fail_unreplayable(struct store *st)
{
	struct op *op, *next;

	for (op = TAILQ_FIRST(&st->queue); op != NULL; op = next) {
		next = TAILQ_NEXT(op, entry);
		if (op->kind == OP_EXEC && !op->replay) {
			TAILQ_REMOVE(&st->queue, op, entry);
			/* No error text: the loss itself was reported once. */
			op->on_result(op, NULL, NULL);
			op_free(op);
		}
	}
}

static void
store_lost(struct store *st, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof msg, "%s", why);
	/* Keep only the first line of libpq's often multi-line message. */
	msg[strcspn(msg, "\n")] = '\0';
	drop_connection(st);
	st->inflight = NULL;
	drop_setup_ops(st);
	emit(st, STORE_DOWN, msg);
	fail_unreplayable(st);
	if (!st->fatal)
		schedule_reconnect(st);
}

static void
start_connect(struct store *st)
{
	drop_connection(st);
	st->conn = PQconnectStart(st->conninfo);
	if (st->conn == NULL) {
		store_lost(st, "cannot allocate a database connection");
		return;
	}
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	PQsetNoticeProcessor(st->conn, on_notice, st);
	/* The first step of PQconnectPoll waits for writability. */
	st->ev_write =
	    event_new(st->base, PQsocket(st->conn), EV_WRITE, connect_step, st);
	event_add(st->ev_write, NULL);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_connect(arg);
}

static void on_readable(evutil_socket_t, short, void *);
static void on_writable(evutil_socket_t, short, void *);

static void
queue_setup_ops(struct store *st)
{
	/* Inserted at the head in reverse order: version check first, then
	 * every statement, then whatever was waiting. */
	struct op *op;

	for (int i = STMT_COUNT - 1; i >= 0; i--) {
		op = op_new(OP_PREPARE, (enum stmt)i, NULL, NULL, NULL);
		TAILQ_INSERT_HEAD(&st->queue, op, entry);
	}
	op = op_new(OP_VERSION, STMT_COUNT, NULL, NULL, NULL);
	TAILQ_INSERT_HEAD(&st->queue, op, entry);
}

static void
connect_step(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	PostgresPollingStatusType ps;

	(void)fd;
	(void)what;
	if (st->ev_read != NULL)
		event_free(st->ev_read);
	if (st->ev_write != NULL)
		event_free(st->ev_write);
	st->ev_read = st->ev_write = NULL;

	ps = PQconnectPoll(st->conn);
	switch (ps) {
	case PGRES_POLLING_READING:
	case PGRES_POLLING_WRITING:
		/* The socket can change between calls (several hosts, or
		 * a retry without SSL): watch the current one. */
		st->ev_write = event_new(st->base, PQsocket(st->conn),
		    ps == PGRES_POLLING_READING ? EV_READ : EV_WRITE,
		    connect_step, st);
		event_add(st->ev_write, NULL);
		return;
	case PGRES_POLLING_OK:
		break;
	default:
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	if (PQsetnonblocking(st->conn, 1) == -1) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	st->ev_read = event_new(st->base, PQsocket(st->conn),
	    EV_READ | EV_PERSIST, on_readable, st);
	st->ev_write =
	    event_new(st->base, PQsocket(st->conn), EV_WRITE, on_writable, st);
	event_add(st->ev_read, NULL);
	queue_setup_ops(st);
	store_kick(st);
}

static int
send_op(struct store *st, struct op *op)
{
	int n = op->nparams;

	switch (op->kind) {
	case OP_VERSION:
		return PQsendQueryParams(st->conn,
		    "SELECT coalesce(max(version), 0) FROM schema_migrations",
		    0, NULL, NULL, NULL, NULL, 0);
	case OP_PREPARE:
		return PQsendPrepare(st->conn, statements[op->stmt].name,
		    statements[op->stmt].sql, 0, NULL);
	case OP_EXEC:
		return PQsendQueryPrepared(st->conn, statements[op->stmt].name,
		    n, (const char *const *)op->params, NULL, NULL, 0);
	}
	return 0;
}

static void
flush_output(struct store *st)
{
	int rc = PQflush(st->conn);

	if (rc == -1)
		store_lost(st, PQerrorMessage(st->conn));
	else if (rc == 1)
		event_add(st->ev_write, NULL);
}

/* Sends the next request when the connection is idle. */
static void
store_kick(struct store *st)
{
	struct op *op;

	if (st->conn == NULL || st->ev_read == NULL || st->inflight != NULL)
		return;
	op = TAILQ_FIRST(&st->queue);
	if (op == NULL || (op->kind == OP_EXEC && !st->up))
		return;
	if (!send_op(st, op)) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	st->inflight = op;
	flush_output(st);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_output(arg);
}

static int
connection_error(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	/* Class 08 (connection exception) and 57P (operator intervention:
	 * shutdown, crash, restart) are about the link, not the request. */
	return state == NULL || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "57P", 3) == 0;
}

static void
finish_setup_op(struct store *st, struct op *op, PGresult *res)
{
	char msg[512];
	/* An empty database has no schema_migrations table at all. */
	int empty = op->kind == OP_VERSION && st->error != NULL &&
	    strcmp(st->error_state, "42P01") == 0;

	if (st->error != NULL && !empty) {
		snprintf(msg, sizeof msg, "cannot prepare statement %s: %s",
		    op->kind == OP_PREPARE ? statements[op->stmt].name
		                           : "version",
		    st->error);
		st->fatal = 1;
		emit(st, STORE_FATAL, msg);
		return;
	}
	if (op->kind == OP_VERSION) {
		int have = empty ? 0 : atoi(PQgetvalue(res, 0, 0));
		int want = migrate_latest();

		if (have != want) {
			snprintf(msg, sizeof msg,
			    have < want
			        ? "database schema is at version %d, this vigie "
			          "needs %d: run 'vigie migrate -c FILE' first"
			        : "database schema is at version %d, newer than "
			          "this vigie (%d): upgrade vigie",
			    have, want);
			st->fatal = 1;
			emit(st, STORE_FATAL, msg);
		}
		return;
	}
	if (op->stmt == STMT_COUNT - 1) {
		st->up = 1;
		st->retry_ms = RECONNECT_MIN_MS;
		emit(st, STORE_UP, NULL);
	}
}

static void
complete_inflight(struct store *st)
{
	struct op *op = st->inflight;
	PGresult *res = st->result;

	st->inflight = NULL;
	st->result = NULL;
	TAILQ_REMOVE(&st->queue, op, entry);
	if (op->kind == OP_EXEC)
		op->on_result(op, st->error ? NULL : res, st->error);
	else
		finish_setup_op(st, op, res);
	if (res != NULL)
		PQclear(res);
	free(st->error);
	st->error = NULL;
	op_free(op);
	if (st->fatal) {
		drop_connection(st);
		return;
	}
	store_kick(st);
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	PGresult *res;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(st->conn) || PQstatus(st->conn) == CONNECTION_BAD) {
		store_lost(st, PQerrorMessage(st->conn));
		return;
	}
	while (st->inflight != NULL && !PQisBusy(st->conn)) {
		res = PQgetResult(st->conn);
		if (res == NULL) {
			complete_inflight(st);
			if (st->conn == NULL)
				return;
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			if (st->result != NULL)
				PQclear(st->result);
			st->result = res;
			break;
		default:
			if (connection_error(res)) {
				char *why = xstrdup(PQresultErrorMessage(res));
				PQclear(res);
				store_lost(st, why);
				free(why);
				return;
			}
			if (st->error == NULL) {
				const char *state =
				    PQresultErrorField(res, PG_DIAG_SQLSTATE);
				st->error = xstrdup(PQresultErrorMessage(res));
				snprintf(st->error_state,
				    sizeof st->error_state, "%s",
				    state ? state : "");
			}
			st->error[strcspn(st->error, "\n")] = '\0';
			PQclear(res);
			break;
		}
	}
}

struct store *
store_new(
    struct event_base *base, const char *conninfo, store_event_cb cb, void *arg)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->base = base;
	st->conninfo = xstrdup(conninfo ? conninfo : "");
	st->on_event = cb;
	st->event_arg = arg;
	st->retry_ms = RECONNECT_MIN_MS;
	TAILQ_INIT(&st->queue);
	st->ev_retry = evtimer_new(base, on_retry, st);
	if (st->ev_retry == NULL) {
		store_free(st);
		return NULL;
	}
	/* Connect from the loop, so that the owner hears of the outcome only
	 * once it holds the store. */
	event_active(st->ev_retry, EV_TIMEOUT, 0);
	return st;
}

void
store_free(struct store *st)
{
	struct op *op;

	if (st == NULL)
		return;
	drop_connection(st);
	while ((op = TAILQ_FIRST(&st->queue)) != NULL) {
		TAILQ_REMOVE(&st->queue, op, entry);
		op_free(op);
	}
	if (st->ev_retry != NULL)
		event_free(st->ev_retry);
	free(st->conninfo);
	free(st);
}

/* --- requests --- */

static void
done_result(struct op *op, PGresult *res, const char *error)
{
	store_done_cb cb = (store_done_cb)op->cb;

	if (error != NULL)
		log_err("database: %s: %s", statements[op->stmt].name, error);
	if (cb != NULL)
		cb(res != NULL, op->arg);
}

static json_t *
json_text(const char *s)
{
	/* Feeds can carry invalid UTF-8 that PostgreSQL would refuse:
	 * jansson validates, and a string it refuses is stored as NULL
	 * rather than failing the whole batch. */
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

static char *
json_dump_owned(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (s == NULL)
		s = xstrdup("[]");
	return s;
}

/* The site of a URL: its host without "www.". */
static json_t *
json_family(const char *url)
{
	char *host = url_host(url);
	json_t *j;

	if (host == NULL)
		return json_null();
	j = json_text(strncmp(host, "www.", 4) == 0 ? host + 4 : host);
	free(host);
	return j;
}

static json_t *
json_tags(const char *list)
{
	json_t *arr = json_array();
	char *copy, *save = NULL;

	if (list == NULL)
		return arr;
	copy = xstrdup(list);
	for (char *t = strtok_r(copy, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_text(t));
	free(copy);
	return arr;
}

void
store_sync_sources(
    struct store *st, const struct conf *conf, store_done_cb cb, void *arg)
{
	json_t *arr = json_array();
	struct op *op =
	    op_new(OP_EXEC, STMT_SYNC, done_result, (void (*)(void))cb, arg);

	for (size_t i = 0; i < conf->nsources; i++) {
		const struct conf_source *s = &conf->sources[i];
		json_t *tags = json_tags(s->tags);
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(s->name));
		json_object_set_new(o, "url", json_text(s->url));
		json_object_set_new(o, "lang", json_text(s->lang));
		json_object_set_new(o, "tags", tags);
		json_object_set_new(o, "interval_s",
		    json_integer((json_int_t)(s->interval_ms / 1000)));
		json_object_set_new(o, "family", json_family(s->url));
		json_array_append_new(arr, o);
	}
	op->params[op->nparams++] = json_dump_owned(arr);
	op->replay = 1;
	store_submit(st, op);
}

static void
claim_result(struct op *op, PGresult *res, const char *error)
{
	store_claim_cb cb = (store_claim_cb)op->cb;
	struct claimed_source *rows;
	long n;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: claiming sources: %s", error);
		cb(NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	rows = xcalloc((size_t)n + 1, sizeof *rows);
	for (long i = 0; i < n; i++) {
		rows[i].id = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
		rows[i].name = xstrdup(PQgetvalue(res, (int)i, 1));
		rows[i].url = xstrdup(PQgetvalue(res, (int)i, 2));
		if (!PQgetisnull(res, (int)i, 3))
			rows[i].etag = xstrdup(PQgetvalue(res, (int)i, 3));
		if (!PQgetisnull(res, (int)i, 4))
			rows[i].last_modified =
			    xstrdup(PQgetvalue(res, (int)i, 4));
		rows[i].failures = atoi(PQgetvalue(res, (int)i, 5));
	}
	cb(rows, n, op->arg);
}

void
store_claim(struct store *st, const char *owner, int limit, int lease_s,
    int64_t once_since_ms, store_claim_cb cb, void *arg)
{
	struct op *op = op_new(OP_EXEC,
	    once_since_ms >= 0 ? STMT_CLAIM_ONCE : STMT_CLAIM_DUE, claim_result,
	    (void (*)(void))cb, arg);

	op_param(op, owner);
	op_paramf(op, limit);
	op_paramf(op, lease_s);
	if (once_since_ms >= 0)
		op_paramf(op, once_since_ms);
	/* Not replayed: a claim whose answer was lost leaves leases we do
	 * not know about, which store_release_leases gives back. */
	store_submit(st, op);
}

void
store_claimed_free(struct claimed_source *rows, long n)
{
	for (long i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].url);
		free(rows[i].etag);
		free(rows[i].last_modified);
	}
	free(rows);
}

static json_t *
json_date(int64_t t)
{
	return t == DATE_NONE ? json_null() : json_integer((json_int_t)t);
}

/* The tone and mentions of one item, as the statements expect them. */
static void
json_analysis(
    json_t *o, const struct item_analysis *ia, const struct analyzer *an)
{
	json_t *mentions = json_array();

	for (size_t i = 0; ia != NULL && i < ia->nmentions; i++) {
		const struct match_hit *h = &ia->mentions[i];
		json_t *m = json_object(), *terms = json_array();

		for (size_t t = 0; t < h->nterms; t++)
			json_array_append_new(terms, json_text(h->terms[t]));
		json_object_set_new(
		    m, "watch", json_text(analyzer_watch_name(an, h->watch)));
		json_object_set_new(m, "terms", terms);
		json_array_append_new(mentions, m);
	}
	json_object_set_new(o, "mentions", mentions);
	if (ia == NULL || !ia->scored)
		return;
	json_object_set_new(o, "tone", json_real(ia->tone.compound));
	json_object_set_new(
	    o, "label", json_text(sentiment_label_name(ia->tone.label)));
	json_object_set_new(o, "abusive", json_boolean(ia->tone.abusive));
	json_object_set_new(o, "tone_lang", json_text(ia->tone.lang));
}

/* What links an item to the same story elsewhere (story.h). */
static void
json_story(json_t *o, const struct item *it)
{
	char *norm = it->link ? story_normalize_url(it->link) : NULL;
	struct buf text;
	uint64_t h;

	buf_init(&text);
	if (it->title != NULL)
		buf_printf(&text, "%s\n", it->title);
	if (it->content != NULL || it->summary != NULL)
		buf_puts(&text, it->content ? it->content : it->summary);
	h = story_simhash(text.data ? text.data : "", text.len);
	buf_free(&text);
	/* Past this it would not fit an index row: such links are compared
	 * by their text's hash only. */
	if (norm != NULL && strlen(norm) > 1024) {
		free(norm);
		norm = NULL;
	}
	json_object_set_new(o, "url_norm", json_text(norm));
	/* bigint in the database: the same 64 bits, signed. */
	json_object_set_new(o, "simhash",
	    h ? json_integer((json_int_t)(int64_t)h) : json_null());
	free(norm);
}

static char *
items_json(const struct fetch_record *r)
{
	const struct feed *feed = r->feed;
	json_t *arr = json_array();

	for (size_t i = 0; feed != NULL && i < feed->nitems; i++) {
		const struct item *it = &feed->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "guid", json_text(it->id));
		json_object_set_new(o, "link", json_text(it->link));
		json_object_set_new(o, "title", json_text(it->title));
		json_object_set_new(o, "author", json_text(it->author));
		json_object_set_new(o, "summary", json_text(it->summary));
		json_object_set_new(o, "content", json_text(it->content));
		json_object_set_new(o, "lang", json_text(it->lang));
		json_object_set_new(o, "published", json_date(it->published));
		json_object_set_new(o, "updated", json_date(it->updated));
		json_story(o, it);
		json_analysis(
		    o, r->analysis ? &r->analysis[i] : NULL, r->analyzer);
		json_array_append_new(arr, o);
	}
	return json_dump_owned(arr);
}

static void
saved_result(struct op *op, PGresult *res, const char *error)
{
	store_saved_cb cb = (store_saved_cb)op->cb;

	if (res == NULL || PQntuples(res) != 1) {
		log_err("database: storing fetch of source %s: %s",
		    op->params[0], error ? error : "source no longer exists");
		cb(0, 0, 0, NULL, op->arg);
		return;
	}
	long mentions[3];
	for (int i = 0; i < 3; i++)
		mentions[i] = strtol(PQgetvalue(res, 0, 2 + i), NULL, 10);
	cb(1, strtol(PQgetvalue(res, 0, 0), NULL, 10),
	    strtol(PQgetvalue(res, 0, 1), NULL, 10), mentions, op->arg);
}

void
store_save_fetch(struct store *st, const struct fetch_record *r,
    store_saved_cb cb, void *arg)
{
	struct op *op =
	    op_new(OP_EXEC, STMT_SAVE, saved_result, (void (*)(void))cb, arg);

	op_paramf(op, r->source_id); /* $1 */
	op_param(op, r->attempt); /* $2 */
	op_paramf(op, r->started_ms); /* $3 */
	op_paramf(op, r->duration_ms); /* $4 */
	if (r->http_status > 0) /* $5 */
		op_paramf(op, r->http_status);
	else
		op_param(op, NULL);
	op_param(op, r->outcome); /* $6 */
	op_param(op, r->error); /* $7 */
	op_paramf(op, r->bytes); /* $8 */
	op_param(op, r->final_url); /* $9 */
	op->params[op->nparams++] = items_json(r); /* $10 */
	op_param(op, r->etag); /* $11 */
	op_param(op, r->last_modified); /* $12 */
	op_param(op, r->set_validators ? "true" : "false"); /* $13 */
	op_paramf(op, r->next_delay_ms); /* $14 */
	op_paramf(op, r->failures); /* $15 */
	op_param(op, r->next_delay_ms < 0 ? r->error : NULL); /* $16 */
	op_param(op, r->lang); /* $17 */
	op_param(op, r->feed_url); /* $18 */
	op_paramf(op, r->lease_s); /* $19 */
	op_param(op, r->owner); /* $20 */
	op->replay = 1;
	store_submit(st, op);
}

void
store_release_lease(struct store *st, int64_t source_id, const char *owner)
{
	struct op *op =
	    op_new(OP_EXEC, STMT_RELEASE_ONE, done_result, NULL, NULL);

	op_paramf(op, source_id);
	op_param(op, owner);
	op->replay = 1;
	store_submit(st, op);
}

void
store_release_leases(struct store *st, const char *owner, const int64_t *keep,
    size_t nkeep, store_done_cb cb, void *arg)
{
	struct op *op =
	    op_new(OP_EXEC, STMT_RELEASE, done_result, (void (*)(void))cb, arg);
	json_t *ids = json_array();

	for (size_t i = 0; i < nkeep; i++)
		json_array_append_new(ids, json_integer((json_int_t)keep[i]));
	op_param(op, owner);
	op->params[op->nparams++] = json_dump_owned(ids);
	op->replay = 1;
	store_submit(st, op);
}

static char *
json_names(const char *const *names, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_text(names[i]));
	return json_dump_owned(arr);
}

void
store_sync_watches(
    struct store *st, const struct conf *conf, store_done_cb cb, void *arg)
{
	json_t *arr = json_array();
	struct op *op = op_new(
	    OP_EXEC, STMT_SYNC_WATCHES, done_result, (void (*)(void))cb, arg);

	for (size_t i = 0; i < conf->nwatches; i++) {
		const struct conf_watch *w = &conf->watches[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(w->name));
		json_object_set_new(o, "query", json_text(w->query));
		json_object_set_new(
		    o, "lang", w->lang ? json_tags(w->lang) : json_null());
		json_object_set_new(o, "tags", json_tags(w->tags));
		json_array_append_new(arr, o);
	}
	op->params[op->nparams++] = json_dump_owned(arr);
	op->replay = 1;
	store_submit(st, op);
}

static void
todo_result(struct op *op, PGresult *res, const char *error)
{
	store_names_cb cb = (store_names_cb)op->cb;
	long n;
	char **names;
	unsigned char *purge;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: backfill: %s", error);
		cb(NULL, NULL, -1, NULL, op->arg);
		return;
	}
	n = PQntuples(res);
	names = xcalloc((size_t)n + 1, sizeof *names);
	purge = xcalloc((size_t)n + 1, 1);
	for (long i = 0; i < n; i++) {
		names[i] = xstrdup(PQgetvalue(res, (int)i, 0));
		purge[i] = PQgetvalue(res, (int)i, 1)[0] == 't';
	}
	cb(names, purge, n, n > 0 ? PQgetvalue(res, 0, 2) : NULL, op->arg);
}

void
store_backfill_todo(struct store *st, store_names_cb cb, void *arg)
{
	store_submit(st,
	    op_new(OP_EXEC, STMT_BACKFILL_TODO, todo_result, (void (*)(void))cb,
	        arg));
}

void
store_names_free(char **names, unsigned char *purge, long n)
{
	for (long i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(purge);
}

void
store_backfill_purge(struct store *st, const char *const *names, size_t n,
    int64_t window_ms, store_done_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_BACKFILL_PURGE, done_result, (void (*)(void))cb, arg);

	op->params[op->nparams++] = json_names(names, n);
	op_paramf(op, window_ms / 1000);
	op->replay = 1;
	store_submit(st, op);
}

static char *
value_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL
	                                  : xstrdup(PQgetvalue(res, row, col));
}

static void
page_result(struct op *op, PGresult *res, const char *error)
{
	store_page_cb cb = (store_page_cb)op->cb;
	struct stored_item *items;
	long n;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: backfill: %s", error);
		cb(NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	items = xcalloc((size_t)n + 1, sizeof *items);
	for (int i = 0; i < (int)n; i++) {
		struct item *it = &items[i].item;

		items[i].id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		it->title = value_or_null(res, i, 1);
		it->summary = value_or_null(res, i, 2);
		it->content = value_or_null(res, i, 3);
		it->author = value_or_null(res, i, 4);
		it->link = value_or_null(res, i, 5);
		it->lang = value_or_null(res, i, 6);
		it->published = it->updated = DATE_NONE;
	}
	cb(items, n, op->arg);
}

void
store_backfill_page(struct store *st, int64_t after_id, int64_t window_ms,
    int limit, store_page_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_BACKFILL_PAGE, page_result, (void (*)(void))cb, arg);

	op_paramf(op, after_id);
	op_paramf(op, window_ms / 1000);
	op_paramf(op, limit);
	op->replay = 1;
	store_submit(st, op);
}

void
store_page_free(struct stored_item *items, long n)
{
	for (long i = 0; i < n; i++) {
		struct item *it = &items[i].item;
		free(it->title);
		free(it->summary);
		free(it->content);
		free(it->author);
		free(it->link);
		free(it->lang);
	}
	free(items);
}

void
store_save_mentions(struct store *st, const struct stored_item *items,
    const struct item_analysis *analysis, size_t n, const struct analyzer *an,
    store_done_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_SAVE_MENTIONS, done_result, (void (*)(void))cb, arg);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o;

		if (analysis[i].nmentions == 0)
			continue;
		o = json_object();
		json_object_set_new(o, "item", json_integer(items[i].id));
		json_analysis(o, &analysis[i], an);
		json_array_append_new(arr, o);
	}
	op->params[op->nparams++] = json_dump_owned(arr);
	op->replay = 1;
	store_submit(st, op);
}

void
store_backfill_done(struct store *st, const char *const *names, size_t n,
    const char *as_of, store_done_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_BACKFILL_DONE, done_result, (void (*)(void))cb, arg);

	op->params[op->nparams++] = json_names(names, n);
	op_param(op, as_of);
	op->replay = 1;
	store_submit(st, op);
}

static void
counts_result(struct op *op, PGresult *res, const char *error)
{
	store_counts_cb cb = (store_counts_cb)op->cb;
	struct bucket_count *rows;
	long n;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: detection: %s", error);
		cb(NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	rows = xcalloc((size_t)n + 1, sizeof *rows);
	for (int i = 0; i < (int)n; i++) {
		rows[i].watch = xstrdup(PQgetvalue(res, i, 0));
		rows[i].bucket_ms = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		rows[i].negative = atoi(PQgetvalue(res, i, 2));
		rows[i].total = atoi(PQgetvalue(res, i, 3));
	}
	cb(rows, n, op->arg);
}

void
store_detect_counts(struct store *st, int64_t from_ms, int64_t to_ms,
    int64_t bucket_ms, int64_t window_ms, store_counts_cb cb, void *arg)
{
	struct op *op = op_new(OP_EXEC, STMT_DETECT_COUNTS, counts_result,
	    (void (*)(void))cb, arg);

	op_paramf(op, from_ms);
	op_paramf(op, to_ms);
	op_paramf(op, bucket_ms);
	op_paramf(op, window_ms);
	op->replay = 1;
	store_submit(st, op);
}

void
store_counts_free(struct bucket_count *rows, long n)
{
	for (long i = 0; i < n; i++)
		free(rows[i].watch);
	free(rows);
}

static void
pairs_result(struct op *op, PGresult *res, const char *error)
{
	store_pairs_cb cb = (store_pairs_cb)op->cb;
	char **names, **values;
	long n;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: %s: %s", statements[op->stmt].name,
			    error);
		cb(NULL, NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	names = xcalloc((size_t)n + 1, sizeof *names);
	values = xcalloc((size_t)n + 1, sizeof *values);
	for (int i = 0; i < (int)n; i++) {
		names[i] = xstrdup(PQgetvalue(res, i, 0));
		values[i] = xstrdup(PQgetvalue(res, i, 1));
	}
	cb(names, values, n, op->arg);
}

void
store_load_tracks(struct store *st, store_pairs_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_LOAD_TRACKS, pairs_result, (void (*)(void))cb, arg);

	op->replay = 1;
	store_submit(st, op);
}

void
store_pairs_free(char **names, char **values, long n)
{
	for (long i = 0; i < n; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(names);
	free(values);
}

void
store_save_tracks(
    struct store *st, const char *tracks, store_done_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_SAVE_TRACKS, done_result, (void (*)(void))cb, arg);

	op_param(op, tracks);
	op->replay = 1;
	store_submit(st, op);
}

static void
text_result(struct op *op, PGresult *res, const char *error)
{
	store_text_cb cb = (store_text_cb)op->cb;

	if (res == NULL || PQntuples(res) != 1) {
		if (error != NULL)
			log_err("database: %s: %s", statements[op->stmt].name,
			    error);
		cb(NULL, op->arg);
		return;
	}
	cb(xstrdup(PQgetvalue(res, 0, 0)), op->arg);
}

void
store_event_context(struct store *st, const char *watch, int64_t window_from_ms,
    int64_t at_ms, store_text_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_EVENT_CONTEXT, text_result, (void (*)(void))cb, arg);

	op_param(op, watch);
	op_paramf(op, window_from_ms);
	op_paramf(op, at_ms);
	op_paramf(op, at_ms - window_from_ms);
	op->replay = 1;
	store_submit(st, op);
}

static char *
real_text(double d)
{
	/* NaN and infinities are not numbers to PostgreSQL's real. */
	return isfinite(d) ? xasprintf("%.9g", d) : NULL;
}

void
store_record_event(
    struct store *st, const struct event_record *e, store_done_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_RECORD_EVENT, done_result, (void (*)(void))cb, arg);

	op_param(op, e->kind); /* $1 */
	op_param(op, e->subject); /* $2 */
	op_param(op, e->state); /* $3 */
	op_param(op, e->event_id); /* $4 */
	op_paramf(op, e->at_ms); /* $5 */
	op_param(op, e->severity); /* $6 */
	op_param(op, e->reason); /* $7 */
	op_paramf(op, e->window_count); /* $8 */
	op_paramf(op, e->window_total); /* $9 */
	op->params[op->nparams++] = real_text(e->expected); /* $10 */
	op->params[op->nparams++] = real_text(e->ratio); /* $11 */
	op->params[op->nparams++] = real_text(e->p); /* $12 */
	op_param(op, e->details); /* $13 */
	op_param(op, e->outbox ? e->outbox : "[]"); /* $14 */
	op_param(op, e->track); /* $15 */
	op->replay = 1;
	store_submit(st, op);
}

static void
outbox_result(struct op *op, PGresult *res, const char *error)
{
	store_outbox_cb cb = (store_outbox_cb)op->cb;
	struct outbox_row *rows;
	long n;

	if (res == NULL) {
		if (error != NULL)
			log_err("database: outbox: %s", error);
		cb(NULL, -1, op->arg);
		return;
	}
	n = PQntuples(res);
	rows = xcalloc((size_t)n + 1, sizeof *rows);
	for (int i = 0; i < (int)n; i++) {
		rows[i].id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		rows[i].event_id = xstrdup(PQgetvalue(res, i, 1));
		rows[i].target = xstrdup(PQgetvalue(res, i, 2));
		rows[i].channel = xstrdup(PQgetvalue(res, i, 3));
		rows[i].destination = xstrdup(PQgetvalue(res, i, 4));
		rows[i].content_type = xstrdup(PQgetvalue(res, i, 5));
		rows[i].body = xstrdup(PQgetvalue(res, i, 6));
		rows[i].attempts = atoi(PQgetvalue(res, i, 7));
		rows[i].created_ms = strtoll(PQgetvalue(res, i, 8), NULL, 10);
	}
	cb(rows, n, op->arg);
}

void
store_outbox_claim(struct store *st, const char *owner, int limit, int lease_s,
    store_outbox_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_OUTBOX_CLAIM, outbox_result, (void (*)(void))cb, arg);

	op_param(op, owner);
	op_paramf(op, limit);
	op_paramf(op, lease_s);
	/* Not replayed, like source claims: a lost lease lapses. */
	store_submit(st, op);
}

void
store_outbox_free(struct outbox_row *rows, long n)
{
	for (long i = 0; i < n; i++) {
		free(rows[i].event_id);
		free(rows[i].target);
		free(rows[i].channel);
		free(rows[i].destination);
		free(rows[i].content_type);
		free(rows[i].body);
	}
	free(rows);
}

void
store_outbox_result(struct store *st, int64_t id, int delivered,
    const char *error, int64_t retry_ms, int give_up, store_done_cb cb,
    void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_OUTBOX_RESULT, done_result, (void (*)(void))cb, arg);

	op_paramf(op, id);
	op_param(op, delivered ? "true" : "false");
	op_param(op, error);
	op_paramf(op, retry_ms);
	op_param(op, give_up ? "true" : "false");
	op->replay = 1;
	store_submit(st, op);
}

static void
stats_result(struct op *op, PGresult *res, const char *error)
{
	store_stats_cb cb = (store_stats_cb)op->cb;
	long v[5];

	if (res == NULL || PQntuples(res) != 1) {
		if (error != NULL)
			log_err("database: stats: %s", error);
		cb(NULL, -1, op->arg);
		return;
	}
	for (int i = 0; i < 5; i++)
		v[i] = strtol(PQgetvalue(res, 0, i), NULL, 10);
	cb(v, 5, op->arg);
}

void
store_stats(struct store *st, store_stats_cb cb, void *arg)
{
	store_submit(st,
	    op_new(OP_EXEC, STMT_STATS, stats_result, (void (*)(void))cb, arg));
}

void
store_save_failed(
    struct store *st, int64_t source_id, const char *why, int64_t retry_ms)
{
	struct op *op =
	    op_new(OP_EXEC, STMT_SAVE_FAILED, done_result, NULL, NULL);

	op_paramf(op, source_id);
	op_param(op, why);
	op_paramf(op, retry_ms);
	op->replay = 1;
	store_submit(st, op);
}

static void
maintain_result(struct op *op, PGresult *res, const char *error)
{
	store_count_cb cb = (store_count_cb)op->cb;

	if (res == NULL || PQntuples(res) != 1) {
		if (error != NULL)
			log_warn("database: partition maintenance: %s", error);
		cb(-1, op->arg);
		return;
	}
	cb(strtol(PQgetvalue(res, 0, 0), NULL, 10), op->arg);
}

void
store_maintain(
    struct store *st, int64_t retention_ms, store_count_cb cb, void *arg)
{
	struct op *op = op_new(
	    OP_EXEC, STMT_MAINTAIN, maintain_result, (void (*)(void))cb, arg);

	if (retention_ms > 0)
		op_paramf(op, retention_ms);
	else
		op_param(op, NULL); /* keep everything */
	store_submit(st, op);
}

void
store_new_attempt(char out[37])
{
	unsigned char b[16];

	arc4random_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}
