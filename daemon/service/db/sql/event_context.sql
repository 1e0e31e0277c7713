-- What a notification shows: the most negative mentions of the window,
-- the terms they matched, how many of them show each emotion and how
-- many spread a rumour, the author among them whose voice carries
-- furthest (analytics.influencers' reach, schema 021: audience + likes
-- + 2 x shares + replies, then the most mentions), and 24 hourly
-- counts, as one JSON object. The
-- incident is made of the window's negative mentions: their emotions
-- and rumours are its own (positive ones would drown them).
-- $1: the watch, $2: the window's start, $3: now, $4: the window's
-- length; times in ms
WITH neg AS (
  SELECT m.sentiment, m.terms, m.emotions, m.rumour, m.title, m.link,
    s.name AS source, m.relayed_site AS via, m.author, m.author_url,
    m.author_followers,
    coalesce(m.likes, 0) + 2 * coalesce(m.shares, 0)
      + coalesce(m.replies, 0) AS echo,
    mention_time(m.published_at, m.first_seen_at,
      make_interval(secs => $4::bigint / 1000.0)) AS t
  -- Mentions merged and still staged (schema/031_staged.sql): what
  -- detection counted.
  FROM (SELECT m.watch_id, m.source_id, m.sentiment, m.terms, m.emotions,
      m.rumour, m.label, m.label_override, m.dismissed, m.published_at,
      m.first_seen_at, i.title, i.link, i.relayed_site, i.author,
      i.author_url, i.author_followers, i.likes, i.shares, i.replies
    FROM mentions m JOIN items i ON i.id = m.item_id
      AND i.first_seen_at = m.first_seen_at
    UNION ALL
    SELECT m.watch_id, m.source_id, m.sentiment, m.terms, m.emotions,
      m.rumour, m.label, m.label_override, m.dismissed, m.published_at,
      m.first_seen_at, i.title, i.link, i.relayed_site, i.author,
      i.author_url, i.author_followers, i.likes, i.shares, i.replies
    FROM staged_mentions m JOIN staged_items i ON i.id = m.item_id) m
  JOIN watches w ON w.id = m.watch_id
  JOIN sources s ON s.id = m.source_id
  WHERE w.name = $1 AND NOT m.dismissed
    AND coalesce(m.label_override, m.label) = 'negative'
    AND m.first_seen_at >= to_timestamp($3::bigint / 1000.0)
      - interval '24 hours' - make_interval(secs => $4::bigint / 1000.0)
), recent AS (
  SELECT * FROM neg WHERE t < to_timestamp($3::bigint / 1000.0)
    AND t >= to_timestamp($3::bigint / 1000.0) - interval '24 hours'
), win AS (
  SELECT * FROM recent WHERE t >= to_timestamp($2::bigint / 1000.0)
)
SELECT json_build_object(
 'top', (SELECT coalesce(json_agg(x), '[]') FROM (
   SELECT title, source, via, link, sentiment AS score FROM win
   ORDER BY sentiment, t DESC LIMIT 5) x),
 'terms', (SELECT coalesce(json_agg(term), '[]') FROM (
   SELECT term FROM win, unnest(terms) AS term
   GROUP BY term ORDER BY count(*) DESC, term LIMIT 10) x),
 'emotions', (SELECT coalesce(json_object_agg(emotion, n), '{}') FROM (
   SELECT emotion, count(*) AS n FROM win, unnest(emotions) AS emotion
   GROUP BY emotion) x),
 'rumours', (SELECT count(*) FROM win WHERE rumour),
 'top_author', (SELECT row_to_json(x) FROM (
   SELECT max(author) AS name, max(author_url) AS profile,
     max(author_followers) AS followers
   FROM win WHERE coalesce(author_url, author, '') <> ''
   GROUP BY coalesce(author_url, author)
   ORDER BY coalesce(max(author_followers), 0) + sum(echo) DESC,
     count(*) DESC, 1 LIMIT 1) x),
 'series', (SELECT json_agg(coalesce(c.n, 0) ORDER BY g.h)
   FROM generate_series(0, 23) g(h) LEFT JOIN (
     SELECT floor(extract(epoch FROM
       to_timestamp($3::bigint / 1000.0) - t) / 3600)::int AS age,
       count(*) AS n FROM recent GROUP BY 1) c
   ON c.age = 23 - g.h))::text
