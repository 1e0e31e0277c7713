-- The references of items and mentions to their sources, authors and
-- watches (schema 027): checked once per statement, with a foreign key's
-- error and locks, and the keys' actions when a parent goes.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
CREATE EXTENSION pgrowlocks SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

INSERT INTO sources (id, name, url, interval_s) OVERRIDING SYSTEM VALUE
VALUES (1, 'one', 'http://one.example/', 600),
       (2, 'two', 'http://two.example/', 600),
       (3, 'three', 'http://three.example/', 600);
INSERT INTO watches (id, name, query) OVERRIDING SYSTEM VALUE
VALUES (1, 'brand', 'brand'), (2, 'rival', 'rival'),
       (3, 'unused', 'unused');
INSERT INTO authors (id, platform, key, first_seen, last_seen)
OVERRIDING SYSTEM VALUE VALUES (1, 'web', 'ann', now(), now());

-- The keys are gone; the triggers stand in for them.
SELECT hasnt_fk('items');
SELECT hasnt_fk('mentions');
SELECT has_trigger('items', t) FROM unnest(ARRAY['parents_insert',
                                                 'parents_update']) t;
SELECT has_trigger('mentions', t) FROM unnest(ARRAY['parents_insert',
                                                    'parents_update']) t;
SELECT has_trigger(t, 'children_deleted')
  FROM unnest(ARRAY['sources', 'watches', 'authors']) t;

-- Rows naming parents that exist go in, several sources in one statement.
SELECT lives_ok($$
    INSERT INTO items (source_id, identity, title, author_id)
    VALUES (1, 'a', 'one a', 1), (1, 'b', 'one b', NULL),
           (2, 'a', 'two a', 1), (3, 'a', 'three a', NULL)$$,
    'items of three sources and one author');
SELECT lives_ok($$
    INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment,
                          label, first_seen_at)
    SELECT i.id, w.id, i.source_id, '{brand}', -0.5, 'negative',
           i.first_seen_at
      FROM items i CROSS JOIN watches w WHERE w.id < 3$$,
    'mentions of two watches');

-- The statement locks the parents it names, as a key's check would: a
-- delete of one waits for it.
SELECT bag_eq($$SELECT p.id, l.modes::text FROM pgrowlocks('sources') l
                  JOIN sources p ON p.ctid = l.locked_row$$,
              $$VALUES (1::bigint, '{"For Key Share"}'),
                       (2, '{"For Key Share"}'), (3, '{"For Key Share"}')$$,
              'the sources named are locked FOR KEY SHARE');
SELECT bag_eq($$SELECT p.id, l.modes::text FROM pgrowlocks('watches') l
                  JOIN watches p ON p.ctid = l.locked_row$$,
              $$VALUES (1::bigint, '{"For Key Share"}'),
                       (2, '{"For Key Share"}')$$,
              'and the watches, and no other');

-- A missing parent fails the whole statement, with the key's error.
SELECT throws_ok($$
    INSERT INTO items (source_id, identity, title)
    VALUES (1, 'c', 'fine'), (99, 'c', 'no such source'),
           (98, 'c', 'nor this one')$$,
    '23503',
    'insert or update on table "items" violates foreign key constraint "items_source_id_fkey"',
    'an item of a missing source is refused');
SELECT is((SELECT count(*) FROM items WHERE identity = 'c'), 0::bigint,
          'and so is the rest of its statement');
SELECT throws_ok($$
    INSERT INTO items (source_id, identity, author_id) VALUES (1, 'd', 42)$$,
    '23503',
    'insert or update on table "items" violates foreign key constraint "items_author_id_fkey"',
    'an item of a missing author is refused');
SELECT throws_ok($$
    INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment,
                          label, first_seen_at)
    SELECT id, 7, source_id, '{}', 0, 'neutral', first_seen_at FROM items
     WHERE source_id = 1 AND identity = 'a'$$,
    '23503',
    'insert or update on table "mentions" violates foreign key constraint "mentions_watch_id_fkey"',
    'a mention of a missing watch is refused');
SELECT throws_ok($$
    INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment,
                          label, first_seen_at)
    SELECT id, 3, 8, '{}', 0, 'neutral', first_seen_at FROM items
     WHERE source_id = 1 AND identity = 'b'$$,
    '23503',
    'insert or update on table "mentions" violates foreign key constraint "mentions_source_id_fkey"',
    'a mention of a missing source is refused');
SELECT throws_ok($$UPDATE items SET source_id = 99 WHERE source_id = 1$$,
    '23503', NULL, 'an item is not moved to a missing source');
-- (The next id drawn is not 3 whatever the files before this one drew.)
SELECT setval(pg_get_serial_sequence('sources', 'id'), 100);
SELECT throws_ok($$UPDATE sources SET id = DEFAULT WHERE id = 3$$,
    '23503', 'the id of a row of sources does not change',
    'a source keeps its id');

-- The first failing id is named.
CREATE FUNCTION pg_temp.detail(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN foreign_key_violation THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END
$$;
SELECT is(pg_temp.detail($$INSERT INTO items (source_id, identity)
                           VALUES (99, 'e'), (98, 'e')$$),
          'Key (source_id)=(98) is not present in table "sources".',
          'the error names the smallest missing key');

-- An editor's correction passes the check, though the editor may not
-- lock sources themselves.
SET LOCAL ROLE vigie_editor;
UPDATE mentions SET label_override = 'positive'
 WHERE source_id = 3 AND watch_id = 1;
RESET ROLE;
SELECT is((SELECT label_override FROM mentions
            WHERE source_id = 3 AND watch_id = 1), 'positive',
          'an editor corrects a mention');

-- A source deleted takes its items and mentions, and their counts.
SELECT is((SELECT sum(mentions) FROM mention_counts), 8::bigint,
          'eight mentions counted');
DELETE FROM sources WHERE id = 1;
SELECT is((SELECT count(*) FROM items WHERE source_id = 1), 0::bigint,
          'a deleted source''s items go with it');
SELECT is((SELECT count(*) FROM mentions WHERE source_id = 1), 0::bigint,
          'and its mentions');
SELECT is((SELECT count(*) FROM items), 2::bigint,
          'the other sources keep theirs');
SELECT is((SELECT sum(mentions) FROM mention_counts), 4::bigint,
          'four mentions counted');

-- A watch deleted takes its mentions.
DELETE FROM watches WHERE id = 2;
SELECT is((SELECT array_agg(DISTINCT watch_id) FROM mentions), '{1}'::bigint[],
          'a deleted watch''s mentions go with it');

-- An author named by items stays.
SELECT throws_ok($$DELETE FROM authors WHERE id = 1$$, '23503',
    'update or delete on table "authors" violates foreign key constraint "items_author_id_fkey" on table "items"',
    'an author items name is not deleted');
UPDATE items SET author_id = NULL;
SELECT lives_ok($$DELETE FROM authors WHERE id = 1$$,
                'an author no item names is');

SELECT * FROM finish();
ROLLBACK;
