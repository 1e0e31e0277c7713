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

-- item_continues() as index_items() runs it: one plan for every call,
-- made without the arguments' values.
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT lives_ok(format(
    'PREPARE continues(bigint, bigint, timestamptz, text, bigint, integer,'
    ' integer, integer, integer) AS %s',
    (SELECT prosrc FROM pg_proc WHERE proname = 'item_continues')),
    'the story look-up, prepared');
SELECT ok(EXISTS (
    SELECT FROM plan_of('EXECUTE continues(100, 1, now(), ''x'', 1, 1, 2,'
                        ' 3, 4)') l
     WHERE l ~ 'url_norm' AND l ~ 'Index'),
    'the story look-up reads the link''s index');
SELECT ok((SELECT count(*) FROM plan_of('EXECUTE continues(100, 1, now(),'
                                        ' ''x'', 1, 1, 2, 3, 4)') l
            WHERE l ~ 'band[0-3]' AND l ~ 'Index') >= 4,
    'the story look-up reads the four bands'' indexes');
SELECT is((SELECT string_agg(l, E'\n') FROM plan_of(
              'EXECUTE continues(100, 1, now(), ''x'', 1, 1, 2, 3, 4)') l
            WHERE l ~ '_pkey|BitmapAnd'
               OR l ~ ('Seq Scan on ' || to_char(now(), '"items_"YYYY_MM'))),
          NULL,
          'and nothing else: not the primary key, whose range scan reads '
          'every earlier item');

SELECT * FROM finish();
ROLLBACK;
