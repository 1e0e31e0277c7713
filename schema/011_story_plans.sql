-- 011_story_plans: the story look-up, one index probe per item whatever
-- the statistics.
--
-- On a month partition not yet analysed (a new database, the first days
-- of every month, a cold start's first minute), the planner does not
-- know that a band or a link matches a handful of rows; it guessed a
-- two-hundredth of the table and added the primary key's range scan for
-- "o.id < $1" to each probe (a BitmapAnd): every probe read the ids of
-- every earlier item. Indexing got slower with every batch - 0.4 s for
-- the first thousand items of a cold cycle over 2,000 feeds, 6.9 s for
-- the fifteenth - until autovacuum analysed the partition; the cycle's
-- items waited 89 s to be searchable instead of 28 (docs/BENCHMARKS.md).
-- "o.id + 0" is no index condition: each probe is the equality alone.

CREATE OR REPLACE FUNCTION item_continues(id bigint, source_id bigint,
                               first_seen_at timestamptz, url_norm text,
                               simhash bigint, band0 integer, band1 integer,
                               band2 integer, band3 integer)
RETURNS bigint LANGUAGE sql STABLE AS $$
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
