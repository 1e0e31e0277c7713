-- 009_ingest: what an item's insert used to wait for - its full-text
-- vector and the story it continues - computed after it, in batches.
--
-- Stemming is the dearest part of storing an item: loading a polling
-- cycle's rows again with COPY (bench/poll_bench.py, docs/BENCHMARKS.md)
-- took seven times longer with the generated column than without it, and
-- every save of the cycle waited on it; the story look-up (five index
-- probes per item) came next. Both columns stay where analysts query
-- them (items.search with its GIN index, items.story_id); they are NULL
-- from the insert until the daemon's indexer fills them (index_items()
-- below), within seconds when the daemon is idle and within a minute
-- under load (docs/SQL.md). Mentions, tones and detection do not wait.

-- The values already computed stay; new rows get NULL until indexed.
ALTER TABLE items ALTER COLUMN search DROP EXPRESSION;

-- The same vector as the generated column's: stemmed in the item's
-- language (French, English, else without stemming), over text bounded
-- and stripped of very long runs (encoded blobs) so that no hostile item
-- can fail on tsvector's limits.
CREATE FUNCTION item_search_vector(lang text, title text, summary text,
                                   content text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector(
        CASE lower(left(lang, 2))
            WHEN 'fr' THEN 'french'::regconfig
            WHEN 'en' THEN 'english'::regconfig
            ELSE 'simple'::regconfig
        END,
        regexp_replace(left(coalesce(title, '') || ' ' || coalesce(summary, '')
                            || ' ' || coalesce(content, ''), 100000),
                       '\S{200,}', ' ', 'g'))
$$;

COMMENT ON FUNCTION item_search_vector(text, text, text, text) IS 'The full-text vector of an item: title, summary and text, stemmed in its language (french, english, else simple).';

-- The items still to index, oldest first: the index holds only them, so
-- it stays as small as the backlog.
CREATE INDEX items_unsearched ON items (first_seen_at) WHERE search IS NULL;

-- The story an item continues: the earliest item of another source
-- with the same normalised link, else the earliest near-duplicate text
-- of the last week (SimHash within 3 bits, found by a shared band: only
-- that week's partitions are read), both before it; NULL for none. Each
-- look-up is one equality on one indexed column, so that its index is
-- the cheapest path whatever the statistics: with the bands OR-ed, a
-- month partition without statistics (a new database, a new month) was
-- read through its (source_id, first_seen_at) index, every row of the
-- week once per item. The earliest is taken by min() rather than ORDER BY
-- id LIMIT 1, which the planner may answer by walking the primary key.
-- It takes the item's columns rather than its row: a whole row, text
-- and all, built for every call cost a fifth of the look-up.
CREATE FUNCTION item_continues(id bigint, source_id bigint,
                               first_seen_at timestamptz, url_norm text,
                               simhash bigint, band0 integer, band1 integer,
                               band2 integer, band3 integer)
RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT (min(ARRAY[o.id, coalesce(o.story_id, o.id)]))[2]
           FROM items o
          WHERE o.url_norm = $4 AND o.source_id <> $2 AND o.id < $1),
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
            AND o.source_id <> $2 AND o.id < $1
            AND bit_count((o.simhash # $5)::bit(64)) <= 3))
$$;

COMMENT ON FUNCTION item_continues(bigint, bigint, timestamptz, text, bigint,
                                   integer, integer, integer, integer) IS 'The story an item continues (the id of its first item), from another source: the same normalised link, else a near-duplicate text of the week before; NULL for none.';

-- Completes the oldest `batch` items still without a vector: their
-- vector, and their story unless they have one. Returns how many, and
-- the age in seconds of the oldest item left waiting (NULL when none is
-- left). The daemon calls it in the background; whoever stores items by
-- hand may call it too. Items of one batch find one another as stories,
-- but only as they stood before it: a chain within one batch links to
-- its middle.
--
-- Both steps materialised: inlined into the UPDATE, the join of items
-- with itself was planned as a scan of the month for every item.
CREATE FUNCTION index_items(batch integer,
                            OUT indexed bigint, OUT oldest_left_s float8)
LANGUAGE sql VOLATILE AS $$
    WITH todo AS MATERIALIZED (
        SELECT id, first_seen_at,
               row_number() OVER (ORDER BY first_seen_at, id) AS n
          FROM (SELECT id, first_seen_at FROM items
                 WHERE search IS NULL
                 ORDER BY first_seen_at, id LIMIT batch + 1) t
    ), done AS MATERIALIZED (
        SELECT x.id, x.first_seen_at,
               item_search_vector(coalesce(x.tone_lang, x.lang), x.title,
                                  x.summary, x.content) AS search,
               coalesce(x.story_id,
                        item_continues(x.id, x.source_id, x.first_seen_at,
                                       x.url_norm, x.simhash, x.band0,
                                       x.band1, x.band2, x.band3)) AS story
          FROM todo t
          JOIN items x ON x.id = t.id AND x.first_seen_at = t.first_seen_at
         WHERE t.n <= batch
    ), upd AS (
        UPDATE items i SET search = d.search, story_id = d.story
          FROM done d
         WHERE i.id = d.id AND i.first_seen_at = d.first_seen_at
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM upd),
           (SELECT extract(epoch FROM now() - first_seen_at)::float8
              FROM todo WHERE n > batch)
$$;

COMMENT ON FUNCTION index_items(integer) IS 'Computes items.search, and items.story_id where unset, for the oldest items without a vector, at most batch of them; returns how many, and the age in seconds of the oldest left (NULL: none).';

COMMENT ON COLUMN items.search IS 'Title, summary and text stemmed in the item''s language (french, english, else simple), for @@ queries; NULL until the daemon indexes the item, seconds after its insert (index_items()).';
COMMENT ON COLUMN items.story_id IS 'The first item of the story this item continues (another source''s same link or near-duplicate text of the week before); NULL when it starts one, and until the daemon indexes it (index_items()).';
