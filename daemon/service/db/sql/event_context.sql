-- What a notification shows: the most negative mentions of the window,
-- the terms they matched, and 24 hourly counts, as one JSON object.
-- $1: the watch, $2: the window's start, $3: now, $4: the window's
-- length; times in ms
WITH neg AS (
  SELECT m.sentiment, m.terms, i.title, i.link, s.name AS source,
    mention_time(m.published_at, m.first_seen_at,
      make_interval(secs => $4::bigint / 1000.0)) AS t
  FROM mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id
    AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
  WHERE w.name = $1 AND NOT m.dismissed
    AND coalesce(m.label_override, m.label) = 'negative'
    AND m.first_seen_at >= to_timestamp($3::bigint / 1000.0)
      - interval '24 hours' - make_interval(secs => $4::bigint / 1000.0)
), recent AS (
  SELECT * FROM neg WHERE t < to_timestamp($3::bigint / 1000.0)
    AND t >= to_timestamp($3::bigint / 1000.0) - interval '24 hours'
)
SELECT json_build_object(
 'top', (SELECT coalesce(json_agg(x), '[]') FROM (
   SELECT title, source, link, sentiment AS score FROM recent
   WHERE t >= to_timestamp($2::bigint / 1000.0)
   ORDER BY sentiment, t DESC LIMIT 5) x),
 'terms', (SELECT coalesce(json_agg(term), '[]') FROM (
   SELECT term FROM recent, unnest(terms) AS term
   WHERE t >= to_timestamp($2::bigint / 1000.0)
   GROUP BY term ORDER BY count(*) DESC, term LIMIT 10) x),
 'series', (SELECT json_agg(coalesce(c.n, 0) ORDER BY g.h)
   FROM generate_series(0, 23) g(h) LEFT JOIN (
     SELECT floor(extract(epoch FROM
       to_timestamp($3::bigint / 1000.0) - t) / 3600)::int AS age,
       count(*) AS n FROM recent GROUP BY 1) c
   ON c.age = 23 - g.h))::text
