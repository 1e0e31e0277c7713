-- The detector's tracks. $1: json array of {watch, track}
WITH x AS (
  SELECT w.id AS watch_id, x.track
  FROM json_to_recordset($1::json) AS x(watch text, track jsonb)
  JOIN watches w ON w.name = x.watch
), peak AS (
  -- An open incident's peak grows between its state changes.
  UPDATE incidents i
  SET peak_count = greatest(i.peak_count, (x.track->>'peak')::int)
  FROM x WHERE i.watch_id = x.watch_id AND i.kind = 'spike'
    AND i.state = 'firing' AND (x.track->>'peak') IS NOT NULL
)
INSERT INTO detector_tracks (watch_id, track)
 SELECT watch_id, track FROM x
 ON CONFLICT (watch_id) DO UPDATE
   SET track = excluded.track, updated_at = now()
