-- The detector's saved tracks of the configured watches, as JSON text.
SELECT w.name, t.track::text FROM detector_tracks t
 JOIN watches w ON w.id = t.watch_id WHERE w.in_config
