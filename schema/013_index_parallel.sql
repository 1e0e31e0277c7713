-- 013_index_parallel: index_items() may run on two connections at once.
--
-- A backlog after a cold start is indexed by one server process, one CPU,
-- while the daemon has nothing else to do and the other CPU waits: 69,846
-- items of a 2,000-feed cycle took 22 s after the cycle, 700,960 items
-- fifteen minutes (docs/BENCHMARKS.md). A batch now takes the oldest
-- items no other batch holds (FOR UPDATE SKIP LOCKED): two batches at
-- once index two sets, neither waiting for the other, and the daemon
-- sends a second one on its saves' connection when that is idle. A batch
-- locks only its own items: the oldest one left is looked for apart.

CREATE OR REPLACE FUNCTION index_items(batch integer,
                            OUT indexed bigint, OUT oldest_left_s float8)
LANGUAGE sql VOLATILE AS $$
    WITH todo AS MATERIALIZED (
        SELECT id, first_seen_at FROM items
         WHERE search IS NULL
         ORDER BY first_seen_at, id LIMIT batch
           FOR UPDATE SKIP LOCKED
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
    ), upd AS (
        UPDATE items i SET search = d.search, story_id = d.story
          FROM done d
         WHERE i.id = d.id AND i.first_seen_at = d.first_seen_at
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM upd),
           -- The oldest waiting besides this batch, another's included.
           (SELECT extract(epoch FROM now() - first_seen_at)::float8
              FROM items
             WHERE search IS NULL AND id NOT IN (SELECT id FROM todo)
             ORDER BY first_seen_at, id LIMIT 1)
$$;
