-- Plans that must not depend on the statistics: on a month partition
-- never analysed (a new database, the first minutes of a cold start, the
-- start of every month), the look-ups the daemon makes for every item
-- still take their one index each.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

-- The lines of the plan of a statement.
CREATE FUNCTION tap.plan_of(statement text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || statement;
END
$$;

INSERT INTO sources (id, name, url, interval_s)
OVERRIDING SYSTEM VALUE VALUES (1, 'a', 'http://a.example/rss', 600),
                               (2, 'b', 'http://b.example/rss', 600);
-- A cold cycle's worth of items in this month's partition, which has
-- never been analysed: the planner knows its size, not its values.
INSERT INTO items (source_id, identity, url_norm, simhash, band0, band1,
                   band2, band3, title)
SELECT 1 + i % 2, 'i' || i, 'example.com/' || i, i, i % 65536,
       (i * 7) % 65536, (i * 13) % 65536, (i * 17) % 65536,
       repeat('word ', 40)
  FROM generate_series(1, 60000) i;
SELECT is((SELECT reltuples FROM pg_class c JOIN pg_inherits h
             ON h.inhrelid = c.oid
          WHERE h.inhparent = 'items'::regclass
            AND c.relname = to_char(now(), '"items_"YYYY_MM')),
          -1::real, 'this month''s partition was never analysed');

-- item_stories() as index_items() runs it: one plan for every call,
-- made without the arguments' values, under the function's own settings.
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT is((SELECT proconfig FROM pg_proc WHERE proname = 'item_stories'),
          ARRAY['enable_hashjoin=off', 'enable_mergejoin=off',
                'enable_bitmapscan=off'],
          'the story look-up plans each join as a loop over an index');
SELECT ok(bool_and(set_config(split_part(c, '=', 1), split_part(c, '=', 2),
                              true) IS NOT NULL),
          'its settings, applied here')
  FROM pg_proc, unnest(proconfig) c WHERE proname = 'item_stories';
SELECT lives_ok(format(
    'PREPARE stories(bigint[], timestamptz[]) AS %s',
    (SELECT prosrc FROM pg_proc WHERE proname = 'item_stories')),
    'the story look-up, prepared');
CREATE TEMPORARY TABLE stories_plan AS
SELECT l FROM plan_of('EXECUTE stories(ARRAY[100, 101],'
                      ' ARRAY[now(), now()])') l;
SELECT ok(EXISTS (SELECT FROM stories_plan
                   WHERE l ~ ('Index Scan using '
                              || to_char(now(), '"items_"YYYY_MM')
                              || '_pkey')),
          'the batch''s items are read by their primary key');
SELECT ok(EXISTS (SELECT FROM stories_plan
                   WHERE l ~ ('Index Scan using '
                              || to_char(now(), '"items_"YYYY_MM')
                              || '_url_norm')),
          'the story look-up reads the link''s index');
SELECT is((SELECT count(*) FROM stories_plan
            WHERE l ~ ('Index Scan using '
                       || to_char(now(), '"items_"YYYY_MM') || '_band[0-3]')),
          4::bigint, 'the story look-up reads each band''s index');
SELECT is((SELECT string_agg(l, E'\n') FROM stories_plan
            WHERE l ~ ('(Index Scan using|Scan on) '
                       || to_char(now(), '"items_"YYYY_MM'))
              AND l !~ '_(pkey|url_norm|band[0-3])_idx|_pkey'),
          NULL,
          'and no other index nor scan of the month: each would read every '
          'earlier item');
SELECT is((SELECT count(*) FROM stories_plan
            WHERE l ~ '(Hash|Merge) (Left |Right |Full |Anti |Semi )?Join'),
          0::bigint, 'no hash nor merge join: each would read the month');

-- index_items() itself compiles nothing: its estimates (a tenth of the
-- table for a batch whose size is a parameter) reach jit_above_cost.
SELECT is((SELECT proconfig FROM pg_proc WHERE proname = 'index_items'),
          ARRAY['jit=off'], 'the indexer runs without JIT');

SELECT * FROM finish();
ROLLBACK;
