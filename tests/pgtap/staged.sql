-- The staged write (schema 031): a save's items and mentions wait in
-- staged_items and staged_mentions, where detection counts them at once;
-- index_items() merges them into items and mentions with their vector and
-- story, drops what a deleted source or watch left, and indexes items
-- stored before 031; a backfill writes its mentions where each item is.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

\ir lib/save.sql

-- The same columns, in the same order: the merge copies rows whole.
CREATE FUNCTION pg_temp.columns(t regclass) RETURNS text[]
LANGUAGE sql AS $$
SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod)
                 ORDER BY attnum)
  FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND NOT attisdropped
$$;
SELECT is(pg_temp.columns('staged_items'), pg_temp.columns('items'),
          'staged_items has the columns of items, in their order');
SELECT is(pg_temp.columns('staged_mentions'), pg_temp.columns('mentions'),
          'staged_mentions has the columns of mentions, in their order');

INSERT INTO sources (id, name, url, interval_s, family)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'forum', 'https://forum.example/rss', 600, 'forum.example'),
    (2, 'news', 'https://news.example/rss', 600, 'news.example'),
    (3, 'gone', 'https://gone.example/rss', 600, 'gone.example');
INSERT INTO watches (id, name, query, in_config) OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme', 'acme', true), (2, 'Old', 'old', true);

CREATE FUNCTION pg_temp.post(source int, guid text, title text,
                             link text, label text, watches text[])
RETURNS json LANGUAGE sql AS $$
SELECT json_build_object('source', source, 'guid', guid, 'title', title,
    'link', link, 'url_norm', link, 'simhash', 0, 'lang', 'fr',
    'tone', -0.5, 'label', label,
    'published', extract(epoch FROM now())::bigint,
    'mentions', (SELECT json_agg(json_build_object('watch', w,
        'terms', ARRAY[lower(w)], 'tone', -0.5, 'label', label))
        FROM unnest(watches) w))
$$;

-- Saved, not merged: staged, counted by detection, not in items.
SELECT is(pg_temp.save('{1,2,3}', json_build_array(
    pg_temp.post(1, 'a', 'Acme ferme', 'https://x.example/1', 'negative',
                 '{Acme}'),
    pg_temp.post(2, 'b', 'Acme ferme son usine', 'https://x.example/1',
                 'negative', '{Acme,Old}'),
    pg_temp.post(3, 'c', 'Acme ailleurs', 'https://gone.example/c',
                 'negative', '{Acme}')), false), 3::bigint,
    'three items saved');
SELECT is((SELECT count(*) FROM staged_items), 3::bigint,
          'the items are staged');
SELECT is((SELECT count(*) FROM staged_mentions), 4::bigint,
          'and their mentions');
SELECT is((SELECT count(*) FROM items) + (SELECT count(*) FROM mentions),
          0::bigint, 'nothing merged yet');
SELECT is((SELECT sum(total) FROM detect_counts(
              (extract(epoch FROM now() - interval '1 hour') * 1000)::bigint,
              (extract(epoch FROM now() + interval '1 hour') * 1000)::bigint,
              60000, 600000) WHERE watch = 'Acme'), 3::numeric,
          'detection counts the staged mentions at once');
SELECT is(pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'a', 'Acme ferme', 'https://x.example/1', 'negative',
                 '{Acme}')), false), 0::bigint,
    'a staged item is known: saved again, nothing new');
-- A watch named twice in an item's mentions (a bug of the caller's) is
-- written once, the save not refused.
SELECT is(pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'tw', 'Acme deux fois', 'https://x.example/tw',
                 'negative', '{Acme,Acme}')), false), 1::bigint,
    'an item whose mentions name a watch twice is saved');
SELECT is((SELECT count(*) FROM staged_mentions m
             JOIN staged_items i ON i.id = m.item_id WHERE i.guid = 'tw'),
          1::bigint, 'with one mention of it');
DELETE FROM staged_mentions WHERE item_id =
    (SELECT id FROM staged_items WHERE guid = 'tw');
DELETE FROM staged_items WHERE guid = 'tw';

-- The merge comes after the save, in a transaction of its own: this
-- file's one transaction sees its save a minute back.
UPDATE staged_items SET first_seen_at = first_seen_at - interval '1 minute';
UPDATE staged_mentions SET first_seen_at = first_seen_at - interval '1 minute';
-- A source and a watch deleted before the merge take their staged rows
-- (schema 032); an author a staged item names may not go.
INSERT INTO authors (id, platform, key, first_seen, last_seen)
OVERRIDING SYSTEM VALUE VALUES (77, 'forum.example', 'Jo', now(), now());
UPDATE staged_items SET author_id = 77 WHERE guid = 'a';
SELECT throws_ok('DELETE FROM authors WHERE id = 77', '23503', NULL,
                 'an author a staged item names cannot be deleted');
DELETE FROM sources WHERE id = 3;
DELETE FROM watches WHERE id = 2;
SELECT is((SELECT count(*) FROM staged_items WHERE source_id = 3) +
          (SELECT count(*) FROM staged_mentions
            WHERE source_id = 3 OR watch_id = 2), 0::bigint,
          'the deleted source''s and watch''s staged rows go with them');
SELECT results_eq('SELECT indexed FROM index_items(1000)',
                  'VALUES (2::bigint)', 'the merge moves two items');
SELECT is((SELECT count(*) FROM staged_items) +
          (SELECT count(*) FROM staged_mentions), 0::bigint,
          'staging is empty after the merge');
SELECT results_eq(
    'SELECT guid, search IS NOT NULL FROM items ORDER BY id',
    $$VALUES ('a', true), ('b', true)$$,
    'each item merged once, with its vector; the deleted source''s dropped');
SELECT is((SELECT story_id FROM items WHERE guid = 'b'),
          (SELECT id FROM items WHERE guid = 'a'),
          'the second source''s copy continues the first''s story');
SELECT results_eq(
    'SELECT i.guid, m.watch_id FROM mentions m JOIN items i ON i.id = m.item_id ORDER BY 1',
    $$VALUES ('a', 1::bigint), ('b', 1::bigint)$$,
    'the mentions follow their items; the deleted watch''s dropped');
SELECT is((SELECT sum(mentions) FROM analytics.mention_volume), 2::numeric,
          'the counts count them once merged');
SELECT is((SELECT count(*) FROM analytics.story_mentions), 2::bigint,
          'the story''s mentions are known');
SELECT is((SELECT sum(total) FROM detect_counts(
              (extract(epoch FROM now() - interval '1 hour') * 1000)::bigint,
              (extract(epoch FROM now() + interval '1 hour') * 1000)::bigint,
              60000, 600000) WHERE watch = 'Acme'), 2::numeric,
          'detection counts the merged ones, each story and site once');
SELECT ok((SELECT oldest_left_s IS NULL FROM index_items(1000)),
          'nothing left: no age');

-- A backfill's mentions go where the item is.
SELECT pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'd', 'Acme encore', 'https://x.example/4', 'neutral',
                 '{}')), false);
INSERT INTO watches (id, name, query, in_config) OVERRIDING SYSTEM VALUE
VALUES (3, 'New', 'acme', true);
SELECT is(backfill_mentions(json_build_array(
    json_build_object('item', (SELECT id FROM items WHERE guid = 'a'),
        'mentions', json_build_array(json_build_object('watch', 'New',
            'terms', '{acme}', 'tone', 0.1, 'label', 'neutral'))),
    json_build_object('item', (SELECT id FROM staged_items WHERE guid = 'd'),
        'mentions', json_build_array(json_build_object('watch', 'New',
            'terms', '{acme}', 'tone', 0.1, 'label', 'neutral'))))),
    2::bigint, 'a backfill writes two mentions');
SELECT is((SELECT count(*) FROM mentions WHERE watch_id = 3), 1::bigint,
          'the merged item''s into mentions');
SELECT is((SELECT count(*) FROM staged_mentions WHERE watch_id = 3),
          1::bigint, 'the staged item''s into staging, to follow it');
SELECT index_items(1000);
SELECT is((SELECT count(*) FROM mentions WHERE watch_id = 3), 2::bigint,
          'merged with its item');

-- A changed query's old mentions go, merged or staged.
UPDATE watches SET backfilled_at = now() WHERE id = 3;
SELECT pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'e', 'Acme toujours', 'https://x.example/5', 'neutral',
                 '{New}')), false);
SELECT backfill_purge('["New"]', 3600);
SELECT is((SELECT count(*) FROM mentions WHERE watch_id = 3) +
          (SELECT count(*) FROM staged_mentions WHERE watch_id = 3),
          0::bigint, 'purged, merged and staged');
SELECT index_items(1000);

-- An item stored before 031, without a vector: indexed once nothing is
-- staged.
INSERT INTO items (source_id, identity, title, lang)
VALUES (1, 'old', 'Acme avant', 'fr');
SELECT results_eq('SELECT indexed FROM index_items(1000)',
                  'VALUES (1::bigint)', 'an old item indexed');
SELECT is((SELECT count(*) FROM items WHERE search IS NULL), 0::bigint,
          'every item has its vector');

-- The texts, each in its column's array as the daemon sends them, with
-- quotes, a backslash and a line break, or none; an item without guid or
-- link known by them when saved again; a mention's terms and emotions,
-- array literals, with the same.
CREATE FUNCTION pg_temp.text_post(guid text, summary text, content text)
RETURNS json LANGUAGE sql AS $$
SELECT json_build_object('source', 1, 'guid', guid, 'title', 'Acme',
    'summary', summary, 'content', content, 'lang', 'fr', 'tone', 0,
    'label', 'neutral', 'emotions', ARRAY['joy'],
    'mentions', json_build_array(json_build_object('watch', 'Acme',
        'terms', ARRAY['acme', E'"cité" \\ ok'], 'tone', 0.25,
        'label', 'neutral', 'emotions', ARRAY['anger', 'fear'])))
$$;
SELECT is(pg_temp.save('{1}', json_build_array(
    pg_temp.text_post('t1', 'Résumé', E'Texte\n"cité" \\ ok'),
    pg_temp.text_post('t2', NULL, 'Sans résumé'),
    pg_temp.text_post('t3', 'Sans texte', NULL),
    pg_temp.text_post(NULL, 'Sans guid', 'ni lien')), false), 4::bigint,
    'four items saved with their texts');
SELECT results_eq(
    $$SELECT guid, summary, content, emotions FROM staged_items
       WHERE title = 'Acme' ORDER BY id$$,
    $$VALUES ('t1', 'Résumé', E'Texte\n"cité" \\ ok', '{joy}'::text[]),
             ('t2', NULL, 'Sans résumé', '{joy}'),
             ('t3', 'Sans texte', NULL, '{joy}'),
             (NULL, 'Sans guid', 'ni lien', '{joy}')$$,
    'each item with its own texts and emotions');
SELECT results_eq(
    $$SELECT m.terms, m.emotions, m.sentiment FROM staged_mentions m
       JOIN staged_items i ON i.id = m.item_id WHERE i.guid = 't1'$$,
    $$VALUES (ARRAY['acme', E'"cité" \\ ok'], '{anger,fear}'::text[],
              0.25::real)$$,
    'a mention with its terms, emotions and tone');
SELECT is(pg_temp.save('{1}', json_build_array(
    pg_temp.text_post(NULL, 'Sans guid', 'ni lien')), false),
    0::bigint, 'an item known by its texts is known again');

-- An item the database refuses to merge for a reason of its own is set
-- aside (schema 035): the others are merged, its mention stays staged,
-- the stories after it are looked up, and it is tried again later; a
-- refusal that is not an item's fails the batch, nothing set aside.
SELECT index_items(1000);
CREATE FUNCTION pg_temp.poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.title = 'POISON' THEN
        RAISE EXCEPTION 'poisoned item' USING
            ERRCODE = current_setting('test.poison_state');
    END IF;
    RETURN NEW;
END $$;
SET LOCAL test.poison_state = 'check_violation';
CREATE TRIGGER poison BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION pg_temp.poison();
SELECT is(pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'r1', 'Acme avant', 'https://x.example/r1', 'negative',
                 '{Acme}'),
    pg_temp.post(1, 'r2', 'POISON', 'https://x.example/r2', 'negative',
                 '{Acme}'),
    pg_temp.post(1, 'r3', 'Acme après', 'https://x.example/r3', 'negative',
                 '{Acme}')), false), 3::bigint, 'three more saved');
UPDATE staged_items SET first_seen_at = first_seen_at - interval '1 minute';
UPDATE staged_mentions SET first_seen_at = first_seen_at - interval '1 minute';
SELECT results_eq(
    'SELECT indexed, set_aside, refusal, oldest_left_s FROM index_items(1000)',
    $$VALUES (2::bigint, 1::bigint, 'poisoned item', NULL::float8)$$,
    'two merged, the refused one set aside and not counted as waiting');
SELECT results_eq(
    $$SELECT i.title, r.tries, r.sqlstate, r.error,
             r.retry_at - now() = interval '1 minute'
        FROM staged_refused r JOIN staged_items i ON i.id = r.item_id$$,
    $$VALUES ('POISON', 1, '23514', 'poisoned item', true)$$,
    'set aside with its error, tried again in a minute');
SELECT results_eq(
    $$SELECT guid FROM items WHERE guid IN ('r1', 'r2', 'r3') ORDER BY 1$$,
    $$VALUES ('r1'), ('r3')$$, 'the others are merged');
SELECT is((SELECT count(*) FROM staged_mentions m
             JOIN staged_items i ON i.id = m.item_id
            WHERE i.title = 'POISON'), 1::bigint,
          'its mention stays staged, where detection counts it');
SELECT is((SELECT count(*) FROM story_pending), 0::bigint,
          'the stories of the items after it are looked up');
SELECT results_eq('SELECT indexed, set_aside FROM index_items(1000)',
                  'VALUES (0::bigint, 0::bigint)',
                  'not tried again before its time');
UPDATE staged_refused SET retry_at = now() - interval '1 second';
SELECT ok((SELECT oldest_left_s >= 60 FROM index_items(0)),
          'once its time has come it waits again');
SELECT results_eq('SELECT indexed, set_aside FROM index_items(1000)',
                  'VALUES (0::bigint, 1::bigint)', 'refused again');
SELECT results_eq(
    $$SELECT tries, retry_at - now() = interval '2 minutes'
        FROM staged_refused$$,
    $$VALUES (2, true)$$, 'then tried again twice as late');
UPDATE staged_refused SET retry_at = now() - interval '1 second';
SET LOCAL test.poison_state = 'disk_full';
SELECT throws_ok('SELECT index_items(1000)', '53100', 'poisoned item',
                 'a refusal that is not the item''s fails the batch');
SELECT is((SELECT tries FROM staged_refused), 2,
          'and sets nothing aside');
DROP TRIGGER poison ON items;
SELECT results_eq('SELECT indexed, set_aside FROM index_items(1000)',
                  'VALUES (1::bigint, 0::bigint)',
                  'merged once the database takes it');
SELECT is((SELECT count(*) FROM staged_refused) +
          (SELECT count(*) FROM staged_items), 0::bigint,
          'nothing set aside or staged left');
SELECT is((SELECT count(*) FROM mentions m JOIN items i ON i.id = m.item_id
            WHERE i.guid = 'r2'), 1::bigint, 'with its mention');
-- An item set aside whose source is deleted goes with it, and so does
-- its row of staged_refused at the next merge.
SELECT pg_temp.save('{2}', json_build_array(
    pg_temp.post(2, 'r9', 'Acme aside', 'https://x.example/r9', 'negative',
                 '{Acme}')), false);
INSERT INTO staged_refused (item_id, retry_at, sqlstate, error)
SELECT id, now() + interval '1 hour', '23514', 'refused'
  FROM staged_items WHERE guid = 'r9';
DELETE FROM sources WHERE id = 2;
SELECT results_eq('SELECT indexed, set_aside FROM index_items(1000)',
                  'VALUES (0::bigint, 0::bigint)',
                  'nothing to merge once its source is gone');
SELECT is((SELECT count(*) FROM staged_refused), 0::bigint,
          'the set-aside row of a deleted item goes');

-- Retention (schema 036): the staged rows of the months it drops go with
-- them, those of the months it keeps stay.
SELECT pg_temp.save('{1}', json_build_array(
    pg_temp.post(1, 'old', 'Acme old', 'https://x.example/old', 'negative',
                 '{Acme}'),
    pg_temp.post(1, 'new', 'Acme new', 'https://x.example/new', 'negative',
                 '{Acme}')), false);
UPDATE staged_items SET first_seen_at = now() - interval '100 days'
 WHERE guid = 'old';
UPDATE staged_mentions m SET first_seen_at = i.first_seen_at
  FROM staged_items i WHERE i.id = m.item_id AND i.guid = 'old';
INSERT INTO staged_refused (item_id, retry_at, sqlstate, error)
SELECT id, now() + interval '1 hour', '23514', 'no partition'
  FROM staged_items WHERE guid = 'old';
SELECT lives_ok($$SELECT maintain_partitions('60 days')$$,
                'the maintenance with a retention of 60 days');
SELECT results_eq('SELECT guid FROM staged_items', $$VALUES ('new')$$,
                  'the staged item of a month dropped goes, a new one stays');
SELECT results_eq(
    'SELECT i.guid FROM staged_mentions m JOIN staged_items i ON i.id = m.item_id',
    $$VALUES ('new')$$, 'and so do their mentions');
SELECT is((SELECT count(*) FROM staged_refused), 0::bigint,
          'and the refusal of the one gone');
SELECT is((SELECT count(*) FROM staged_mentions), 1::bigint,
          'no mention of it left behind');

SELECT * FROM finish();
ROLLBACK;
