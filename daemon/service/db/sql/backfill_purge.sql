-- A changed query must not leave the old query's mentions behind in the
-- window it matches again.
-- $1: json array of watch names, $2: the window in seconds
DELETE FROM mentions m USING watches w
 WHERE m.watch_id = w.id AND w.backfilled_at IS NOT NULL
   AND w.name IN (SELECT json_array_elements_text($1::json))
   AND m.first_seen_at > now() - make_interval(secs => $2::bigint)
   -- An editor's correction outlives a new query.
   AND m.label_override IS NULL AND NOT m.dismissed
