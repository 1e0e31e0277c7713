-- 030_site_counts: the counts by source and author also say which site
-- published a relayed item (schema 028), so that "which sites drive the
-- criticism?" names lemonde.fr rather than the Google Alert that brought
-- its article, as the stories and the dashboard's list of mentions do
-- since 028 and 029.
--
-- source_counts gains via in its key: items.relayed_site, the empty string
-- for a site's own item (a key column cannot be NULL). The authors' rows
-- already make it about a row per mention; an alert's items, which rarely
-- name an author, add about a row per publisher and day.
--
-- mention_counts_sql() is 017's, restated whole; the only change is the
-- via column of source_counts (named in its INSERT, since it comes last
-- in the table, and in its GROUP BY, ORDER BY and ON CONFLICT). The
-- views analytics.source_volume, analytics.author_volume (017),
-- analytics.negative_mentions and analytics.rumours (008) are restated
-- with via added last (a view may only grow at its end), as
-- analytics.mentions gained it in 029: their site stays the source's.

ALTER TABLE source_counts ADD COLUMN via text NOT NULL DEFAULT '';
ALTER TABLE source_counts DROP CONSTRAINT source_counts_pkey,
    ADD PRIMARY KEY (watch_id, day, seen, source_id, author, via);
COMMENT ON COLUMN source_counts.via IS 'The site that published a relayed item (items.relayed_site); the empty string for a site''s own.';

CREATE OR REPLACE FUNCTION mention_counts_sql(src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
WITH d AS MATERIALIZED (
    SELECT m.watch_id,
           analytics.mention_day(m.published_at, m.first_seen_at) AS day,
           date_trunc('month', m.first_seen_at AT TIME ZONE 'UTC')::date
               AS seen,
           coalesce(m.lang, '') AS lang, m.source_id, m.item_id,
           m.first_seen_at, m.terms, m.emotions, m.sentiment, m.k,
           CASE coalesce(m.label_override, m.label)
               WHEN 'negative' THEN m.k ELSE 0 END AS neg,
           CASE coalesce(m.label_override, m.label)
               WHEN 'neutral' THEN m.k ELSE 0 END AS neu,
           CASE coalesce(m.label_override, m.label)
               WHEN 'positive' THEN m.k ELSE 0 END AS pos
      FROM (%s) m
     WHERE NOT m.dismissed
), l AS (
    INSERT INTO mention_counts AS c
    SELECT watch_id, day, seen, lang, sum(k), sum(neg), sum(neu), sum(pos),
           sum(k * sentiment::float8)
      FROM d GROUP BY 1, 2, 3, 4
    HAVING sum(abs(k)) > 0
       AND (sum(k) <> 0 OR sum(neg) <> 0 OR sum(neu) <> 0 OR sum(pos) <> 0
            OR sum(k * sentiment::float8) <> 0)
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (watch_id, day, seen, lang) DO UPDATE SET
        mentions = c.mentions + excluded.mentions,
        negative = c.negative + excluded.negative,
        neutral = c.neutral + excluded.neutral,
        positive = c.positive + excluded.positive,
        tone_sum = c.tone_sum + excluded.tone_sum
), s AS (
    -- An item deleted with its source has no author left: its mention
    -- is taken from the source's unnamed authors, which keeps the
    -- source's sums right.
    INSERT INTO source_counts AS c (watch_id, day, seen, source_id, author,
                                    via, mentions, negative, positive)
    SELECT d.watch_id, d.day, d.seen, d.source_id, coalesce(i.author, ''),
           coalesce(i.relayed_site, ''), sum(d.k), sum(d.neg), sum(d.pos)
      FROM d LEFT JOIN items i ON i.id = d.item_id
                              AND i.first_seen_at = d.first_seen_at
     GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(d.k) <> 0 OR sum(d.neg) <> 0 OR sum(d.pos) <> 0
     ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (watch_id, day, seen, source_id, author, via) DO UPDATE SET
        mentions = c.mentions + excluded.mentions,
        negative = c.negative + excluded.negative,
        positive = c.positive + excluded.positive
), t AS (
    INSERT INTO term_counts AS c
    SELECT watch_id, day, seen, term, sum(k)
      FROM d CROSS JOIN LATERAL unnest(d.terms) term
     GROUP BY 1, 2, 3, 4 HAVING sum(k) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (watch_id, day, seen, term) DO UPDATE SET
        mentions = c.mentions + excluded.mentions
)
INSERT INTO emotion_counts AS c
SELECT watch_id, day, seen, emotion, sum(k)
  FROM d CROSS JOIN LATERAL unnest(d.emotions) emotion
 GROUP BY 1, 2, 3, 4 HAVING sum(k) <> 0 ORDER BY 1, 2, 3, 4
ON CONFLICT (watch_id, day, seen, emotion) DO UPDATE SET
    mentions = c.mentions + excluded.mentions
$q$, src)
$f$;

-- The relayed items stored since 028 were counted under the empty via:
-- their groups (watch, day, month first seen, source) are counted again
-- from their mentions, as the trigger counts them.
CREATE TEMPORARY TABLE relayed_groups ON COMMIT DROP AS
SELECT DISTINCT m.watch_id,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       date_trunc('month', m.first_seen_at AT TIME ZONE 'UTC')::date AS seen,
       m.source_id
  FROM items i JOIN mentions m ON m.item_id = i.id
                              AND m.first_seen_at = i.first_seen_at
 WHERE i.relayed_site IS NOT NULL;

DELETE FROM source_counts c USING relayed_groups g
 WHERE c.watch_id = g.watch_id AND c.day = g.day AND c.seen = g.seen
   AND c.source_id = g.source_id;

INSERT INTO source_counts (watch_id, day, seen, source_id, author, via,
                           mentions, negative, positive)
SELECT g.watch_id, g.day, g.seen, g.source_id, coalesce(i.author, ''),
       coalesce(i.relayed_site, ''), count(*),
       count(*) FILTER (WHERE coalesce(m.label_override, m.label)
                              = 'negative'),
       count(*) FILTER (WHERE coalesce(m.label_override, m.label)
                              = 'positive')
  FROM relayed_groups g
  JOIN mentions m ON m.watch_id = g.watch_id AND m.source_id = g.source_id
   AND analytics.mention_day(m.published_at, m.first_seen_at) = g.day
   AND date_trunc('month', m.first_seen_at AT TIME ZONE 'UTC')::date = g.seen
  LEFT JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
 WHERE NOT m.dismissed
 GROUP BY 1, 2, 3, 4, 5, 6;

CREATE OR REPLACE VIEW analytics.source_volume AS
SELECT c.watch_id, w.name AS watch, c.day,
       c.source_id, s.name AS source, s.family AS site,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive,
       nullif(c.via, '') AS via
  FROM source_counts c JOIN watches w ON w.id = c.watch_id
  JOIN sources s ON s.id = c.source_id
 GROUP BY c.watch_id, w.name, c.day, c.source_id, s.name, s.family, c.via
HAVING sum(c.mentions) > 0;

CREATE OR REPLACE VIEW analytics.author_volume AS
SELECT c.watch_id, w.name AS watch, c.day, c.author, s.family AS site,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive,
       nullif(c.via, '') AS via
  FROM source_counts c JOIN watches w ON w.id = c.watch_id
  JOIN sources s ON s.id = c.source_id
 WHERE c.author <> ''
 GROUP BY c.watch_id, w.name, c.day, c.author, s.family, c.via
HAVING sum(c.mentions) > 0;

CREATE OR REPLACE VIEW analytics.negative_mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.terms, m.lang, m.corrected, m.abusive,
       m.emotions, m.rumour, i.relayed_site AS via
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE m.label = 'negative';

CREATE OR REPLACE VIEW analytics.rumours AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.label, m.emotions, m.terms, m.lang, m.corrected,
       m.abusive, i.relayed_site AS via
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE m.rumour;

COMMENT ON VIEW analytics.source_volume IS 'Mentions per watch, day and source, and for a source that relays other sites'' articles per publisher (via): the sources and sites that speak most, and most negatively, of a watch.';
COMMENT ON COLUMN analytics.source_volume.via IS 'The site that published the mentions when the source relays other sites'' articles (an alert feed, a news search: items.relayed_site); NULL for the source''s own, whose site is site.';
COMMENT ON VIEW analytics.author_volume IS 'Mentions per watch, day and author (and publisher, via, for a source that relays others''): influencers (volume) and detractors (negative volume).';
COMMENT ON COLUMN analytics.author_volume.via IS 'The site that published the author''s mentions when the source relays other sites'' articles (items.relayed_site); NULL for the source''s own.';
COMMENT ON COLUMN analytics.negative_mentions.via IS 'The site that published the item when its source relays other sites'' articles (items.relayed_site); NULL for a site''s own item, whose site is site.';
COMMENT ON COLUMN analytics.rumours.via IS 'The site that published the item when its source relays other sites'' articles (items.relayed_site); NULL for a site''s own item, whose site is site.';
