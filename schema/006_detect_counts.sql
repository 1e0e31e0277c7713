-- 006_detect_counts: what the detector counts, in one place for the
-- daemon and `vigie backtest`: negative and total mentions per watch and
-- bucket, by mention_time(), a story once per site, editors' corrections
-- honoured (a dismissed mention counts nowhere, an overridden tone counts
-- as corrected).

CREATE FUNCTION detect_counts(from_ms bigint, to_ms bigint, bucket_ms bigint,
                              window_ms bigint, only_watch text DEFAULT NULL)
RETURNS TABLE (watch text, bucket bigint, negative bigint, total bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.name,
           (floor(extract(epoch FROM x.t) * 1000 / bucket_ms)
               * bucket_ms)::bigint,
           count(DISTINCT (item_story(i), s.family))
               FILTER (WHERE coalesce(m.label_override, m.label) = 'negative'),
           count(DISTINCT (item_story(i), s.family))
      FROM mentions m
      JOIN watches w ON w.id = m.watch_id
      JOIN items i ON i.id = m.item_id
      JOIN sources s ON s.id = m.source_id,
           LATERAL (SELECT mention_time(m.published_at, m.first_seen_at,
                       make_interval(secs => window_ms / 1000.0)) AS t) x
     WHERE NOT m.dismissed
       AND (CASE WHEN only_watch IS NULL THEN w.in_config
                 ELSE w.name = only_watch END)
       -- a mention counts at most a window before it was first seen
       AND m.first_seen_at >= to_timestamp(from_ms / 1000.0)
       AND x.t >= to_timestamp(from_ms / 1000.0)
       AND x.t < to_timestamp(to_ms / 1000.0)
     GROUP BY 1, 2
$$;

COMMENT ON FUNCTION detect_counts(bigint, bigint, bigint, bigint, text) IS 'Negative and total mentions per watch and bucket, as the spike detector counts them.';

GRANT EXECUTE ON FUNCTION detect_counts(bigint, bigint, bigint, bigint, text)
    TO vigie_daemon, vigie_analyst;
