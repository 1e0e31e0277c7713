-- 011_story_plans: the story look-up, one index probe per item whatever
-- the statistics.
--
-- On a month partition not yet analysed (a new database, the first days
-- of every month, a cold start's first minutes), the planner does not
-- know that a band or a link matches a handful of rows: it guesses a
-- two-hundredth of the table, and combines each probe with another
-- index's scan (a BitmapAnd) - the primary key's range for "o.id < $1",
-- or the whole of items_source_seen for the week's first_seen_at - that
-- reads every earlier item. Indexing got slower batch after batch, from
-- 0.3 s for a thousand items to 10 or 20 s, until autovacuum analysed
-- the month; a cold cycle's items over 2,000 feeds waited 78 to 89 s to
-- be searchable (docs/BENCHMARKS.md). The look-up now plans without
-- bitmap scans, so that each probe is its equality's index alone, and
-- compares ids as "o.id + 0", which no index answers. The week's bound
-- stays a plain comparison on the partition key: it is what lets the
-- look-up skip older months.

CREATE OR REPLACE FUNCTION item_continues(id bigint, source_id bigint,
                               first_seen_at timestamptz, url_norm text,
                               simhash bigint, band0 integer, band1 integer,
                               band2 integer, band3 integer)
RETURNS bigint LANGUAGE sql STABLE
SET enable_bitmapscan = off AS $$
    SELECT coalesce(
        (SELECT (min(ARRAY[o.id, coalesce(o.story_id, o.id)]))[2]
           FROM items o
          WHERE o.url_norm = $4 AND o.source_id <> $2 AND o.id + 0 < $1),
        (SELECT (min(ARRAY[o.id, o.story]))[2] FROM (
            SELECT o.id, coalesce(o.story_id, o.id) AS story, o.simhash,
                   o.first_seen_at, o.source_id
              FROM items o WHERE o.band0 = $6
            UNION ALL
            SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
                   o.first_seen_at, o.source_id
              FROM items o WHERE o.band1 = $7
            UNION ALL
            SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
                   o.first_seen_at, o.source_id
              FROM items o WHERE o.band2 = $8
            UNION ALL
            SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
                   o.first_seen_at, o.source_id
              FROM items o WHERE o.band3 = $9) o
          WHERE o.first_seen_at > $3 - interval '7 days'
            AND o.source_id <> $2 AND o.id + 0 < $1
            AND bit_count((o.simhash # $5)::bit(64)) <= 3))
$$;
