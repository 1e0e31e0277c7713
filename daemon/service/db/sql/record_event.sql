-- An incident's state change, its notifications and the detector's
-- state, all or nothing. Event ids are derived from what happened, so a
-- replay after a crash records and sends nothing twice.
--  $1 kind: spike, spread or  $9 window total
--     source
--  $2 the watch or source      $10 expected
--  $3 firing, escalated,       $11 ratio
--     resolved                 $12 p-value
--  $4 event id (uuid)          $13 details (json object)
--  $5 at, ms                   $14 notifications: json array of
--  $6 severity                     {target, channel, destination,
--  $7 reason                       content_type, body}
--  $8 window count             $15 the detector's track (json), or NULL
--                              $16 a spread's story, or NULL
-- Returns the events recorded and the notifications queued (0, 0 for a
-- replay).
WITH subj AS (
  SELECT (SELECT id FROM watches WHERE $1 IN ('spike', 'spread')
      AND name = $2) AS watch_id,
    (SELECT id FROM sources WHERE $1 = 'source' AND name = $2)
      AS source_id,
    $16::bigint AS story_id
), opened AS (
  INSERT INTO incidents (kind, watch_id, source_id, story_id, state,
    severity, reason, opened_at, peak_count)
  SELECT $1, watch_id, source_id, story_id, 'firing', $6, $7,
    to_timestamp($5::bigint / 1000.0), $8::int FROM subj
  WHERE $3 = 'firing' AND coalesce(watch_id, source_id) IS NOT NULL
  ON CONFLICT (kind, (coalesce(watch_id, 0)), (coalesce(source_id, 0)),
    (coalesce(story_id, 0))) WHERE state = 'firing' DO NOTHING
  RETURNING id
), changed AS (
  UPDATE incidents i SET
    state = CASE WHEN $3 = 'resolved' THEN 'resolved' ELSE i.state END,
    resolved_at = CASE WHEN $3 = 'resolved'
      THEN to_timestamp($5::bigint / 1000.0) ELSE i.resolved_at END,
    severity = CASE WHEN $3 = 'escalated' THEN $6 ELSE i.severity END,
    peak_count = greatest(i.peak_count, $8::int)
  FROM subj
  WHERE $3 <> 'firing' AND i.state = 'firing' AND i.kind = $1
    AND i.watch_id IS NOT DISTINCT FROM subj.watch_id
    AND i.source_id IS NOT DISTINCT FROM subj.source_id
    AND i.story_id IS NOT DISTINCT FROM subj.story_id
  RETURNING i.id
), ev AS (
  INSERT INTO incident_events (event_id, incident_id, state, at,
    window_count, window_total, expected, ratio, p_value, details)
  SELECT $4::uuid, id, $3, to_timestamp($5::bigint / 1000.0),
    $8::int, $9::int, $10::real, $11::real, $12::float8, $13::jsonb
  FROM (SELECT id FROM opened UNION ALL SELECT id FROM changed) x
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id
), ob AS (
  INSERT INTO outbox (event_id, target, channel, destination,
    content_type, body)
  SELECT ev.event_id, o.target, o.channel, o.destination,
    o.content_type, o.body
  FROM ev, json_to_recordset($14::json) AS o(target text,
    channel text, destination text, content_type text, body text)
  ON CONFLICT DO NOTHING
  RETURNING 1
), tr AS (
  INSERT INTO detector_tracks (watch_id, track)
  SELECT watch_id, $15::jsonb FROM subj
  WHERE $15 IS NOT NULL AND watch_id IS NOT NULL
  ON CONFLICT (watch_id) DO UPDATE
    SET track = excluded.track, updated_at = now()
  RETURNING 1
)
SELECT (SELECT count(*) FROM ev), (SELECT count(*) FROM ob)
