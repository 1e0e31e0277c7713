-- 026_story_batch: the indexer looks up the stories of a whole batch in
-- one query, and never compiles its statements.
--
-- index_items() called item_continues() once per item: five index
-- probes, each behind a function call that started an executor for each
-- of its sub-queries and set and reset the function's planner setting.
-- Over the 69,846 items of a 2,000-feed cold cycle those calls took 7.3 s
-- of the indexer's 24.9 s (batches of 1,000, one connection), more than
-- the stemming (3.2 s). item_stories() asks the same questions of a
-- batch at once: the batch's rows are read by their primary key, then
-- joined to items on the link and on each band, each join a nested loop
-- over that column's index, under settings that leave the planner no
-- other way whatever the statistics (schema 011: a month never analysed
-- looked like one where a band matches a two-hundredth of the rows). The
-- settings are the look-up's own: under them, the trigger on items that
-- index_items()'s UPDATE fires joined its two transition tables in a
-- loop over one another, 94 ms a batch.
--
-- index_items() runs without JIT: its estimates (the batch's size is a
-- parameter, so a tenth of the table) reached jit_above_cost, and
-- compiling its expressions took 126 ms of a 400 ms batch. It answers
-- the same as before, item for item (tests/pgtap/views.sql), in 17.4 s
-- for the same items (docs/BENCHMARKS.md, "Indexing").

-- The story each item of the batch ($1 their ids, $2 their first_seen_at
-- in the same order; by number, so that tests/pgtap/plans.sql prepares
-- the body as it is) continues, for the items that continue one: the
-- earliest item of another source with the same normalised link, else
-- the earliest near-duplicate text of the week before (SimHash within
-- 3 bits, found by a shared band), both before the item; the story is
-- that item's own, or that item. Items of the batch find one another as
-- they stood before it.
CREATE FUNCTION item_stories(ids bigint[], seen timestamptz[])
RETURNS TABLE (id bigint, story bigint) LANGUAGE sql STABLE
SET enable_hashjoin = off SET enable_mergejoin = off
SET enable_bitmapscan = off AS $$
    WITH batch AS MATERIALIZED (
        SELECT x.id, x.first_seen_at, x.source_id, x.url_norm, x.simhash,
               x.band0, x.band1, x.band2, x.band3
          FROM unnest($1, $2) AS b(id, first_seen_at)
          JOIN items x ON x.id = b.id AND x.first_seen_at = b.first_seen_at
    ), linked AS MATERIALIZED (
        -- ids compared as "o.id + 0", which no index answers: the link's
        -- index stays the only way in (schema 011).
        SELECT b.id, min(ARRAY[o.id, coalesce(o.story_id, o.id)]) AS first
          FROM batch b JOIN items o ON o.url_norm = b.url_norm
         WHERE o.source_id <> b.source_id AND o.id + 0 < b.id
         GROUP BY b.id
    ), near AS (
        SELECT c.id, min(ARRAY[c.o_id, c.story]) AS first FROM (
            SELECT b.id, b.first_seen_at, b.source_id, b.simhash,
                   o.id AS o_id, coalesce(o.story_id, o.id) AS story,
                   o.first_seen_at AS o_seen, o.source_id AS o_source,
                   o.simhash AS o_simhash
              FROM batch b JOIN items o ON o.band0 = b.band0
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.simhash, o.id,
                   coalesce(o.story_id, o.id), o.first_seen_at,
                   o.source_id, o.simhash
              FROM batch b JOIN items o ON o.band1 = b.band1
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.simhash, o.id,
                   coalesce(o.story_id, o.id), o.first_seen_at,
                   o.source_id, o.simhash
              FROM batch b JOIN items o ON o.band2 = b.band2
            UNION ALL
            SELECT b.id, b.first_seen_at, b.source_id, b.simhash, o.id,
                   coalesce(o.story_id, o.id), o.first_seen_at,
                   o.source_id, o.simhash
              FROM batch b JOIN items o ON o.band3 = b.band3) c
         -- The week's bound is a plain comparison on the partition key:
         -- each probe skips older months.
         WHERE c.o_seen > c.first_seen_at - interval '7 days'
           AND c.o_source <> c.source_id AND c.o_id + 0 < c.id
           AND bit_count((c.o_simhash # c.simhash)::bit(64)) <= 3
           AND c.id NOT IN (SELECT l.id FROM linked l)
         GROUP BY c.id
    )
    SELECT id, first[2] FROM linked
    UNION ALL
    SELECT id, first[2] FROM near
$$;

COMMENT ON FUNCTION item_stories(bigint[], timestamptz[]) IS 'The stories the given items (ids and first_seen_at, in the same order) continue: for each that continues one, the id of the story''s first item (another source''s same normalised link, else a near-duplicate text of the week before).';

CREATE OR REPLACE FUNCTION index_items(batch integer,
                            OUT indexed bigint, OUT oldest_left_s float8)
LANGUAGE sql VOLATILE SET jit = off AS $$
    WITH todo AS MATERIALIZED (
        SELECT id, first_seen_at, story_id FROM items
         WHERE search IS NULL
         ORDER BY first_seen_at, id LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), stories AS MATERIALIZED (
        SELECT * FROM item_stories(
            ARRAY(SELECT id FROM todo WHERE story_id IS NULL ORDER BY id),
            ARRAY(SELECT first_seen_at FROM todo WHERE story_id IS NULL
                   ORDER BY id))
    ), upd AS (
        UPDATE items i
           SET search = item_search_vector(coalesce(i.tone_lang, i.lang),
                                           i.title, i.summary, i.content),
               story_id = coalesce(t.story_id, s.story)
          FROM todo t LEFT JOIN stories s ON s.id = t.id
         WHERE i.id = t.id AND i.first_seen_at = t.first_seen_at
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM upd),
           -- The oldest waiting besides this batch, another's included.
           (SELECT extract(epoch FROM now() - first_seen_at)::float8
              FROM items
             WHERE search IS NULL AND id NOT IN (SELECT id FROM todo)
             ORDER BY first_seen_at, id LIMIT 1)
$$;

DROP FUNCTION item_continues(bigint, bigint, timestamptz, text, bigint,
                             integer, integer, integer, integer);
