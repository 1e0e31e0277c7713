-- Stories spreading (schema 024, docs/DETECTION.md "Spreading stories"),
-- as one JSON array with a row per story to judge:
--  - each story of a watch with a mention in the watch's last spread
--    window and no spread incident yet (incident null): the first time
--    each of its voices took it up in the last two windows, for the
--    detector to find spread_sites of them within one window;
--  - each spread incident still open (incident: its id), with its
--    story's last mention, for the detector to resolve it once quiet.
-- A voice is an author with a profile (an API's post: on a platform each
-- account speaks for itself), else the site that published a relayed
-- item (items.relayed_site: an alert feed or news search brings many
-- sites' articles through one source), else the source's site
-- (sources.family): a wire story carries one byline on many sites, and a
-- site's several feeds carry one article. Each row also has the story's
-- figures so far (its voices and mentions of the watch), its first item
-- (the first source) and where it was seen, the first ten voices in
-- order.
-- Dismissed mentions are left out, as everywhere detection counts.
-- $1: now, ms; $2: json array of {watch, sites, window_ms}: spread_sites
-- (0: the watch looks for no new spread, its open ones still end) and
-- spread_window
WITH w AS MATERIALIZED (
  SELECT wt.id AS watch_id, x.watch, x.sites,
    make_interval(secs => x.window_ms / 1000.0) AS win,
    to_timestamp($1::bigint / 1000.0) AS now
  FROM json_to_recordset($2::json)
    AS x(watch text, sites integer, window_ms bigint)
  JOIN watches wt ON wt.name = x.watch
), cand AS MATERIALIZED (
  SELECT DISTINCT w.watch_id, w.watch, w.win, w.now, x.story_id,
    NULL::bigint AS incident, NULL::timestamptz AS opened
  FROM w JOIN story_mentions x ON x.watch_id = w.watch_id
  WHERE w.sites > 0
    AND x.day >= ((w.now - w.win) AT TIME ZONE 'UTC')::date
    AND x.at >= w.now - w.win AND x.at <= w.now
    AND NOT EXISTS (SELECT FROM incidents i WHERE i.kind = 'spread'
      AND i.watch_id = w.watch_id AND i.story_id = x.story_id)
  UNION ALL
  SELECT w.watch_id, w.watch, w.win, w.now, i.story_id, i.id, i.opened_at
  FROM w JOIN incidents i ON i.watch_id = w.watch_id
  WHERE i.kind = 'spread' AND i.state = 'firing'
), m AS MATERIALIZED (
  SELECT c.watch_id, c.story_id, x.at, x.item_id, i.title, i.link,
    s.name AS source, i.relayed_site AS via, e.sentiment,
    coalesce(i.author_url, i.relayed_site, s.family, s.id::text) AS voice
  FROM cand c
  JOIN story_mentions x ON x.story_id = c.story_id
    AND x.watch_id = c.watch_id
  JOIN mentions e ON e.item_id = x.item_id AND e.watch_id = x.watch_id
    AND e.first_seen_at = x.first_seen_at AND NOT e.dismissed
  JOIN items i ON i.id = x.item_id AND i.first_seen_at = x.first_seen_at
  JOIN sources s ON s.id = x.source_id
), v AS MATERIALIZED (
  -- Each voice's first mention of the story.
  SELECT DISTINCT ON (watch_id, story_id, voice) *
  FROM m ORDER BY watch_id, story_id, voice, at, item_id
)
SELECT coalesce(json_agg(json_build_object(
  'watch', c.watch,
  'story', c.story_id,
  'incident', c.incident,
  'opened_ms', (extract(epoch FROM c.opened) * 1000)::bigint,
  'times', (SELECT coalesce(json_agg(
        (extract(epoch FROM v.at) * 1000)::bigint ORDER BY v.at), '[]')
      FROM v WHERE v.watch_id = c.watch_id AND v.story_id = c.story_id
        AND v.at >= c.now - 2 * c.win AND v.at <= c.now),
  'voices', (SELECT count(*) FROM v
      WHERE v.watch_id = c.watch_id AND v.story_id = c.story_id),
  'mentions', (SELECT count(*) FROM m
      WHERE m.watch_id = c.watch_id AND m.story_id = c.story_id),
  'last_ms', (SELECT (extract(epoch FROM max(m.at)) * 1000)::bigint FROM m
      WHERE m.watch_id = c.watch_id AND m.story_id = c.story_id),
  'first', coalesce(
    (SELECT json_build_object('source', s.name, 'title', f.title,
        'link', f.link, 'at_ms', (extract(epoch FROM
          least(f.published_at, f.first_seen_at)) * 1000)::bigint)
      FROM items f JOIN sources s ON s.id = f.source_id
      WHERE f.id = c.story_id LIMIT 1),
    -- Its month dropped: the first mention left.
    (SELECT json_build_object('source', v.source, 'title', v.title,
        'link', v.link, 'at_ms', (extract(epoch FROM v.at) * 1000)::bigint)
      FROM v WHERE v.watch_id = c.watch_id AND v.story_id = c.story_id
      ORDER BY v.at, v.item_id LIMIT 1)),
  'seen', (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT v.title, v.source, v.via, v.link, v.sentiment AS score FROM v
      WHERE v.watch_id = c.watch_id AND v.story_id = c.story_id
      ORDER BY v.at, v.item_id LIMIT 10) x)
)), '[]')::text
FROM cand c
