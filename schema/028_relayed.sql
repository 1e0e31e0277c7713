-- 028_relayed: an item an alert feed or a news search relays is its
-- publisher's voice, and may continue a story another publisher's item
-- of the same source began.
--
-- Google Alerts, Talkwalker, Bing News and Google News bring many sites'
-- articles through one source. Before this, all of such a source's items
-- were one voice (the source's site, google.com), and, being one
-- source's, never continued one another's story: a wire story taken up
-- by ten papers and seen only through an alert never spread. The save
-- now keeps the publisher's site (items.relayed_site: the site of the
-- article a redirector's link leads to, or of an RSS item's <source
-- url>); the spread check counts it as the voice, and item_stories()
-- lets two items of one source continue each other when their
-- publishers differ. Items of a site's own feeds have none, and are
-- judged as before.
ALTER TABLE items ADD COLUMN relayed_site text;

COMMENT ON COLUMN items.relayed_site IS 'The site that published the item when a source relays it (an alert feed, a news search): the host, without "www.", of the article behind a redirector''s link or of the RSS <source url>; NULL for a site''s own items.';

-- As in schema 026, but "another source" is now "another voice": another
-- source, or another publisher relayed by the same one.
CREATE OR REPLACE FUNCTION item_stories(ids bigint[], seen timestamptz[])
RETURNS TABLE (id bigint, story bigint) LANGUAGE sql STABLE
SET enable_hashjoin = off SET enable_mergejoin = off
SET enable_bitmapscan = off AS $$
    WITH batch AS MATERIALIZED (
        SELECT x.id, x.first_seen_at, x.source_id, x.relayed_site,
               x.url_norm, x.simhash, x.band0, x.band1, x.band2, x.band3
          FROM unnest($1, $2) AS b(id, first_seen_at)
          JOIN items x ON x.id = b.id AND x.first_seen_at = b.first_seen_at
    ), linked AS MATERIALIZED (
        -- ids compared as "o.id + 0", which no index answers: the link's
        -- index stays the only way in (schema 011).
        SELECT b.id, min(ARRAY[o.id, coalesce(o.story_id, o.id)]) AS first
          FROM batch b JOIN items o ON o.url_norm = b.url_norm
         WHERE (o.source_id <> b.source_id OR
                o.relayed_site IS DISTINCT FROM b.relayed_site)
           AND o.id + 0 < b.id
         GROUP BY b.id
    ), near AS (
        SELECT c.id, min(ARRAY[c.o_id, c.story]) AS first FROM (
            SELECT b.id, b.first_seen_at, b.source_id, b.relayed_site,
                   b.simhash, o.id AS o_id,
                   coalesce(o.story_id, o.id) AS story,
                   o.first_seen_at AS o_seen, o.source_id AS o_source,
                   o.relayed_site AS o_relayed, o.simhash AS o_simhash
              FROM batch b JOIN items o ON o.band0 = b.band0
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.relayed_site,
                   b.simhash, o.id, coalesce(o.story_id, o.id),
                   o.first_seen_at, o.source_id, o.relayed_site, o.simhash
              FROM batch b JOIN items o ON o.band1 = b.band1
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.relayed_site,
                   b.simhash, o.id, coalesce(o.story_id, o.id),
                   o.first_seen_at, o.source_id, o.relayed_site, o.simhash
              FROM batch b JOIN items o ON o.band2 = b.band2
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.relayed_site,
                   b.simhash, o.id, coalesce(o.story_id, o.id),
                   o.first_seen_at, o.source_id, o.relayed_site, o.simhash
              FROM batch b JOIN items o ON o.band3 = b.band3) c
         -- The week's bound is a plain comparison on the partition key:
         -- each probe skips older months.
         WHERE c.o_seen > c.first_seen_at - interval '7 days'
           AND (c.o_source <> c.source_id OR
                c.o_relayed IS DISTINCT FROM c.relayed_site)
           AND c.o_id + 0 < c.id
           AND bit_count((c.o_simhash # c.simhash)::bit(64)) <= 3
           AND c.id NOT IN (SELECT l.id FROM linked l)
         GROUP BY c.id
    )
    SELECT id, first[2] FROM linked
    UNION ALL
    SELECT id, first[2] FROM near
$$;

COMMENT ON FUNCTION item_stories(bigint[], timestamptz[]) IS 'The stories the given items (ids and first_seen_at, in the same order) continue: for each that continues one, the id of the story''s first item (another voice''s same normalised link, else a near-duplicate text of the week before; another voice: another source, or another publisher relayed by the same source).';

-- A story's sites are its voices' (docs/SQL.md, question 12): a story
-- seen only through an alert counts the papers that published it.
CREATE OR REPLACE VIEW stories AS
SELECT coalesce(i.story_id, i.id) AS story_id,
       min(i.title) FILTER (WHERE i.story_id IS NULL) AS title,
       count(*) AS items,
       count(DISTINCT coalesce(i.relayed_site, s.family)) AS sites,
       count(DISTINCT i.source_id) AS sources,
       min(i.first_seen_at) AS first_seen_at,
       max(i.first_seen_at) AS last_seen_at
  FROM items i JOIN sources s ON s.id = i.source_id
 GROUP BY 1;

COMMENT ON VIEW stories IS 'Each story with its spread: items, sites (a relayed item''s publisher, else its source''s site), sources, first and last seen.';

-- The spike detector counts a story once per site (schema 006); a relayed
-- item's site is its publisher's, as for spread: ten papers' complaints
-- seen through one alert are ten, not one.
CREATE OR REPLACE FUNCTION detect_counts(from_ms bigint, to_ms bigint,
                                         bucket_ms bigint, window_ms bigint,
                                         only_watch text DEFAULT NULL)
RETURNS TABLE (watch text, bucket bigint, negative bigint, total bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.name,
           (floor(extract(epoch FROM x.t) * 1000 / bucket_ms)
               * bucket_ms)::bigint,
           count(DISTINCT (item_story(i), coalesce(i.relayed_site, s.family)))
               FILTER (WHERE coalesce(m.label_override, m.label) = 'negative'),
           count(DISTINCT (item_story(i), coalesce(i.relayed_site, s.family)))
      FROM mentions m
      JOIN watches w ON w.id = m.watch_id
      JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
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

-- The spreading stories' mentions (the dashboard's stories of a watch
-- count their sites): a relayed item's site is its publisher's too.
CREATE OR REPLACE VIEW analytics.story_mentions AS
SELECT x.watch_id, w.name AS watch, x.day, x.at, x.story_id, x.item_id,
       i.title, i.link, x.source_id, s.name AS source,
       coalesce(i.relayed_site, s.family) AS site, m.label
  FROM story_mentions x
  JOIN effective_mentions m ON m.item_id = x.item_id
                           AND m.watch_id = x.watch_id
                           AND m.first_seen_at = x.first_seen_at
  JOIN items i ON i.id = x.item_id AND i.first_seen_at = x.first_seen_at
  JOIN watches w ON w.id = x.watch_id
  JOIN sources s ON s.id = x.source_id;

COMMENT ON COLUMN analytics.story_mentions.site IS 'The site that published the item: the publisher of an item a source relays (items.relayed_site), else the source''s site (sources.family).';
