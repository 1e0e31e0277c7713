-- Each view's answer on a small known data set, corrections applied;
-- full-text search; retention.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SET LOCAL TimeZone = 'Europe/Paris';
SELECT no_plan();

-- The data set's months (the current ones exist already).
SELECT create_partitions('2025-02-01Z', '2025-04-01Z');

INSERT INTO sources (id, name, url, lang, interval_s, family, failures,
                     last_fetch_at, last_success_at, enabled, created_at)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'forum', 'http://forum.example/rss', 'fr', 600, 'forum.example', 3,
     now() - interval '5 minutes', now() - interval '1 hour', true, '2025-01-01'),
    (2, 'news', 'http://news.example/rss', 'en', 600, 'news.example', 0,
     now() - interval '5 minutes', now() - interval '5 minutes', true, '2025-01-01'),
    (3, 'fresh', 'http://fresh.example/rss', 'en', 600, 'fresh.example', 0,
     NULL, NULL, true, now()),
    (4, 'gone', 'http://gone.example/rss', 'en', 600, 'gone.example', 0,
     now() - interval '1 day', NULL, false, '2025-01-01'),
    (5, 'live', 'http://live.example/rss', 'en', 600, 'live.example', 0,
     now() - interval '5 minutes', now() - interval '5 minutes', true, '2025-01-01');

INSERT INTO fetches (attempt, source_id, started_at, duration_ms, outcome)
SELECT gen_random_uuid(), 1, now() - make_interval(hours => h), 10, o
  FROM (VALUES (1, 'failed'), (2, 'ok'), (30, 'failed')) f(h, o);
INSERT INTO fetches (attempt, source_id, started_at, duration_ms, outcome)
VALUES (gen_random_uuid(), 1, '2025-02-01Z', 10, 'ok');

INSERT INTO watches (id, name, query, tags, compare_group)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'Acme', 'acme', '{brand,market}', 'cola'),
    (2, 'Globex', 'globex', '{market}', 'cola');

INSERT INTO items (id, source_id, identity, title, author, lang,
                   published_at, first_seen_at, link)
OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'i1', 'Acme : une vraie arnaque', 'alice', 'fr',
     '2025-03-01 10:00Z', '2025-03-01 10:05Z', 'http://forum.example/1'),
    (2, 1, 'i2', 'Acme est super', 'bob', 'fr',
     '2025-03-01 12:00Z', '2025-03-01 12:01Z', 'http://forum.example/2'),
    (3, 2, 'i3', 'Acme outage hits customers', 'alice', 'en',
     NULL, '2025-03-02 09:00Z', 'http://news.example/3'),
    -- dated in the future: counted the day it was seen
    (4, 2, 'i4', 'Globex and Acme merge talks', 'carol', 'en',
     '2025-03-05 00:00Z', '2025-03-02 08:00Z', 'http://news.example/4'),
    (5, 1, 'i5', 'Globex, c''est nul', 'dave', 'fr',
     '2025-03-01 15:00Z', '2025-03-01 15:00Z', 'http://forum.example/5'),
    (6, 2, 'i6', 'Acme pastry recipe', NULL, 'en',
     '2025-03-02 11:00Z', '2025-03-02 11:00Z', 'http://news.example/6'),
    (7, 5, 'i7', 'Weather today', 'eve', 'en', now(), now(), NULL);

INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT m.item_id, m.watch_id, i.source_id, '{x}', i.lang, m.sentiment,
       m.label, i.published_at, i.first_seen_at
  FROM (VALUES (1, 1, -0.8, 'negative'), (2, 1, 0.7, 'positive'),
               (3, 1, 0.3, 'positive'), (4, 1, 0.0, 'neutral'),
               (4, 2, 0.0, 'neutral'), (5, 2, -0.5, 'negative'),
               (6, 1, 0.5, 'positive')) m(item_id, watch_id, sentiment, label)
  JOIN items i ON i.id = m.item_id;

-- What the scorer felt toward each watch: item 1 is angry (and abusive:
-- still a negative), item 5 a rumour, item 6 a rumour too.
UPDATE mentions SET emotions = '{anger}', abusive = true WHERE item_id = 1;
UPDATE mentions SET emotions = '{fear,surprise}', rumour = true
 WHERE item_id = 5;
UPDATE mentions SET rumour = true WHERE item_id = 6;

-- An editor's corrections: item 3 is in fact a complaint, item 6 is about
-- a pastry, not the brand.
UPDATE mentions SET label_override = 'negative' WHERE item_id = 3;
UPDATE mentions SET dismissed = true WHERE item_id = 6;

-- effective_mentions
SELECT is((SELECT count(*) FROM effective_mentions), 6::bigint,
          'effective_mentions leaves the dismissed mention out');
SELECT results_eq(
    $$SELECT label, detected_label, corrected FROM effective_mentions
       WHERE item_id = 3$$,
    $$VALUES ('negative', 'positive', true)$$,
    'effective_mentions carries the editor''s tone');

-- mention_volume
SELECT results_eq(
    $$SELECT watch, day, lang, mentions, negative, neutral, positive,
             net_sentiment FROM analytics.mention_volume ORDER BY 1, 2, 3$$,
    $$VALUES ('Acme', '2025-03-01'::date, 'fr', 2::bigint, 1::bigint, 0::bigint, 1::bigint, 0.000),
             ('Acme', '2025-03-02', 'en', 2, 1, 1, 0, -0.500),
             ('Globex', '2025-03-01', 'fr', 1, 1, 0, 0, -1.000),
             ('Globex', '2025-03-02', 'en', 1, 0, 1, 0, 0.000)$$,
    'mention_volume: per watch, day and language, corrections applied');
SELECT is((SELECT sum(mentions) FROM analytics.mention_volume
            WHERE watch = 'Acme' AND day BETWEEN '2025-03-01' AND '2025-03-31'),
          4::numeric, 'a month of one watch is a sum over its days');

-- share_of_voice: among the watches compared with one another
SELECT results_eq(
    $$SELECT compare_group, day, watch, mentions, share
        FROM analytics.share_of_voice ORDER BY 1, 2, 3$$,
    $$VALUES ('cola', '2025-03-01'::date, 'Acme', 2::bigint, 0.6667),
             ('cola', '2025-03-01', 'Globex', 1, 0.3333),
             ('cola', '2025-03-02', 'Acme', 2, 0.6667),
             ('cola', '2025-03-02', 'Globex', 1, 0.3333)$$,
    'share_of_voice: shares among the watches compared');
UPDATE watches SET compare_group = NULL WHERE name = 'Globex';
SELECT results_eq(
    $$SELECT watch, sum(mentions)::int, min(share)
        FROM analytics.share_of_voice GROUP BY 1$$,
    $$VALUES ('Acme', 4, 1.0000)$$,
    'share_of_voice: a watch compared with none (a sub-watch) takes no share');
UPDATE watches SET compare_group = 'cola' WHERE name = 'Globex';

-- share_of_voice_by_tag: among the watches of a tag
SELECT results_eq(
    $$SELECT tag, day, watch, mentions, share
        FROM analytics.share_of_voice_by_tag ORDER BY 1, 2, 3$$,
    $$VALUES ('brand', '2025-03-01'::date, 'Acme', 2::bigint, 1.0000),
             ('brand', '2025-03-02', 'Acme', 2, 1.0000),
             ('market', '2025-03-01', 'Acme', 2, 0.6667),
             ('market', '2025-03-01', 'Globex', 1, 0.3333),
             ('market', '2025-03-02', 'Acme', 2, 0.6667),
             ('market', '2025-03-02', 'Globex', 1, 0.3333)$$,
    'share_of_voice_by_tag: shares among the watches of a tag');
SELECT results_eq(
    $$SELECT watch, share FROM analytics.share_of_voice_by_tag
       WHERE tag = 'market' AND day = '2025-03-02' ORDER BY 1$$,
    $$VALUES ('Acme', 0.6667), ('Globex', 0.3333)$$,
    'share_of_voice_by_tag: a filter on the day keeps the shares of that day');

-- source_volume
SELECT results_eq(
    $$SELECT watch, day, source, site, mentions, negative, positive
        FROM analytics.source_volume ORDER BY 1, 2, 3$$,
    $$VALUES ('Acme', '2025-03-01'::date, 'forum', 'forum.example', 2::bigint, 1::bigint, 1::bigint),
             ('Acme', '2025-03-02', 'news', 'news.example', 2, 1, 0),
             ('Globex', '2025-03-01', 'forum', 'forum.example', 1, 1, 0),
             ('Globex', '2025-03-02', 'news', 'news.example', 1, 0, 0)$$,
    'source_volume: per source');

-- author_volume
SELECT results_eq(
    $$SELECT author, site, sum(mentions), sum(negative)
        FROM analytics.author_volume WHERE watch = 'Acme'
       GROUP BY 1, 2 ORDER BY 4 DESC, 1, 2$$,
    $$VALUES ('alice', 'forum.example', 1::numeric, 1::numeric),
             ('alice', 'news.example', 1, 1),
             ('bob', 'forum.example', 1, 0),
             ('carol', 'news.example', 1, 0)$$,
    'author_volume: detractors first, one name per site');

-- negative_mentions
SELECT results_eq(
    $$SELECT watch, item_id, title, link, source, corrected, at
        FROM analytics.negative_mentions ORDER BY 1, 2$$,
    $$VALUES ('Acme', 1::bigint, 'Acme : une vraie arnaque', 'http://forum.example/1', 'forum', false, '2025-03-01 10:00Z'::timestamptz),
             ('Acme', 3, 'Acme outage hits customers', 'http://news.example/3', 'news', true, '2025-03-02 09:00Z'),
             ('Globex', 5, 'Globex, c''est nul', 'http://forum.example/5', 'forum', false, '2025-03-01 15:00Z')$$,
    'negative_mentions: with links, corrections applied');

SELECT results_eq(
    $$SELECT watch, item_id, emotions, rumour, abusive
        FROM analytics.negative_mentions ORDER BY 1, 2$$,
    $$VALUES ('Acme', 1::bigint, '{anger}'::text[], false, true),
             ('Acme', 3, '{}', false, false),
             ('Globex', 5, '{fear,surprise}', true, false)$$,
    'negative_mentions: emotions and rumour, abusive ones counted');
SELECT is((SELECT sum(negative) FROM analytics.mention_volume
            WHERE watch = 'Acme'), 2::numeric,
          'an abusive mention counts with the negatives');

-- rumours: the dismissed one (item 6) left out, whatever the tone
SELECT results_eq(
    $$SELECT watch, item_id, title, link, source, label, emotions, at
        FROM analytics.rumours ORDER BY 1, 2$$,
    $$VALUES ('Globex', 5::bigint, 'Globex, c''est nul', 'http://forum.example/5', 'forum',
              'negative', '{fear,surprise}'::text[], '2025-03-01 15:00Z'::timestamptz)$$,
    'rumours: with links and tone, dismissed ones left out');
SELECT results_eq(
    $$SELECT watch, item_id FROM analytics.negative_mentions
       WHERE 'anger' = ANY (emotions) ORDER BY 1, 2$$,
    $$VALUES ('Acme', 1::bigint)$$, 'negative mentions in anger');

-- mentions: every one as counted, the dismissed one (item 6) left out,
-- corrections applied, with its item, story and flags
SELECT results_eq(
    $$SELECT watch, item_id, title, link, source, label, detected_label,
             corrected, abusive, rumour, story_id, handled
        FROM analytics.mentions ORDER BY 1, 2$$,
    $$SELECT w.name, m.item_id, i.title, i.link, s.name,
             coalesce(m.label_override, m.label), m.label,
             m.label_override IS NOT NULL, m.abusive, m.rumour,
             coalesce(i.story_id, i.id), false
        FROM mentions m JOIN watches w ON w.id = m.watch_id
        JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
        JOIN sources s ON s.id = m.source_id
       WHERE NOT m.dismissed ORDER BY 1, 2$$,
    'mentions: each counted mention with its item, corrections applied');
SELECT is((SELECT count(*) FROM analytics.mentions WHERE item_id = 6),
          0::bigint, 'mentions: a dismissed mention is left out');
SELECT is((SELECT sum(mentions) FROM analytics.mention_volume),
          (SELECT count(*) FROM analytics.mentions)::numeric,
          'mentions: as many as mention_volume counts');

-- incidents
INSERT INTO incidents (id, kind, watch_id, source_id, state, severity,
                       reason, opened_at, resolved_at, peak_count)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'spike', 1, NULL, 'resolved', 'critical', 'poisson',
     '2025-03-02 09:00Z', '2025-03-02 13:00Z', 9),
    (2, 'source', NULL, 1, 'firing', 'warning', 'failing',
     now() - interval '1 hour', NULL, NULL);
INSERT INTO incident_events (event_id, incident_id, state, at, window_count,
                             details)
VALUES (gen_random_uuid(), 1, 'resolved', '2025-03-02 13:00Z', 1,
        '{"emotion": null, "rumours": 0}'),
       (gen_random_uuid(), 1, 'firing', '2025-03-02 09:00Z', 5,
        '{"emotion": "anger", "rumours": 2}'),
       (gen_random_uuid(), 1, 'escalated', '2025-03-02 10:00Z', 9, NULL);
SELECT results_eq(
    $$SELECT incident_id, kind, watch, source, duration,
             jsonb_path_query_array(timeline, '$[*].state'),
             jsonb_path_query_array(timeline, '$[*].window_count')
        FROM analytics.incidents WHERE incident_id = 1$$,
    $$VALUES (1::bigint, 'spike', 'Acme', NULL::text, interval '4 hours',
              '["firing", "escalated", "resolved"]'::jsonb, '[5, 9, 1]'::jsonb)$$,
    'incidents: the timeline in order');
SELECT results_eq(
    $$SELECT jsonb_path_query_array(timeline, '$[*].emotion'),
             jsonb_path_query_array(timeline, '$[*].rumours')
        FROM analytics.incidents WHERE incident_id = 1$$,
    $$VALUES ('["anger", null, null]'::jsonb, '[2, null, 0]'::jsonb)$$,
    'incidents: each alert''s emotion and rumours in the timeline');
SELECT results_eq(
    $$SELECT watch, source, duration, timeline FROM analytics.incidents
       WHERE incident_id = 2$$,
    $$VALUES (NULL::text, 'forum', interval '1 hour', NULL::jsonb)$$,
    'incidents: a firing source incident, lasting so far');

-- source_health
SELECT results_eq(
    $$SELECT source, status, failures, fetches_24h, failed_24h, last_item_at
        FROM analytics.source_health ORDER BY source_id$$,
    $$VALUES ('forum', 'failing', 3, 2::bigint, 1::bigint, '2025-03-01 15:00Z'::timestamptz),
             ('news', 'silent', 0, 0, 0, '2025-03-02 11:00Z'),
             ('fresh', 'new', 0, 0, 0, NULL),
             ('gone', 'disabled', 0, 0, 0, NULL),
             ('live', 'ok', 0, 0, 0, now())$$,
    'source_health: failing, silent, new, disabled, ok');
SELECT is((SELECT silent_for FROM analytics.source_health WHERE source = 'live'),
          interval '0', 'source_health: silence since the last item');

-- The detector's count, as store.c runs it on effective_mentions: the
-- correction turns item 3 negative and the dismissal removes item 6.
SELECT results_eq(
    $$SELECT w.name,
        count(DISTINCT (item_story(i), s.family)) FILTER (WHERE m.label = 'negative'),
        count(DISTINCT (item_story(i), s.family))
       FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
       JOIN items i ON i.id = m.item_id JOIN sources s ON s.id = m.source_id,
       LATERAL (SELECT mention_time(m.published_at, m.first_seen_at,
                  interval '1 hour') AS t) x
      WHERE w.in_config AND m.first_seen_at >= '2025-03-02'
        AND x.t >= '2025-03-02Z' AND x.t < '2025-03-03Z'
      GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('Acme', 1::bigint, 2::bigint), ('Globex', 0, 1)$$,
    'detection counts corrected mentions');

-- Full-text search, stemmed in each item's language, once the items are
-- indexed (the daemon does it in the background).
SELECT is((SELECT count(*) FROM items WHERE search IS NULL), 7::bigint,
          'an item is stored without its vector');
SELECT results_eq($$SELECT indexed, oldest_left_s IS NULL FROM index_items(5)$$,
    $$VALUES (5::bigint, false)$$, 'index_items: a batch, and more left');
SELECT results_eq($$SELECT indexed, oldest_left_s IS NULL FROM index_items(5)$$,
    $$VALUES (2::bigint, true)$$, 'index_items: the rest, none left');
SELECT results_eq($$SELECT indexed FROM index_items(5)$$,
    $$VALUES (0::bigint)$$, 'index_items: nothing to do');
SELECT results_eq(
    $$SELECT id FROM items WHERE search @@ websearch_to_tsquery('french', 'arnaques')$$,
    $$VALUES (1::bigint)$$, 'French stemming: arnaques finds arnaque');
SELECT results_eq(
    $$SELECT id FROM items WHERE search @@ websearch_to_tsquery('english', 'customer outages')$$,
    $$VALUES (3::bigint)$$, 'English stemming: customer outages');
SELECT results_eq(
    $$SELECT id FROM items
       WHERE search @@ (websearch_to_tsquery('french', 'merge')
                        || websearch_to_tsquery('english', 'merge'))$$,
    $$VALUES (4::bigint)$$, 'one query in both languages');
SELECT lives_ok(
    $$INSERT INTO items (id, source_id, identity, lang, content)
      OVERRIDING SYSTEM VALUE VALUES (100, 1, 'huge', 'fr', repeat('mot ', 400000) || repeat('x', 100000)
                               || repeat(md5('a'), 100000))$$,
    'a huge item with endless words is stored all the same');
SELECT lives_ok($$SELECT index_items(10)$$, 'and indexed all the same');
SELECT ok((SELECT length(search) < 10 FROM items WHERE identity = 'huge'),
          'and its index entry stays small');

-- Stories, found as the items are indexed: the same link on another
-- source, or a text within 3 bits of SimHash (bands as the daemon cuts
-- them: 16 bits each, high first).
INSERT INTO items (id, source_id, identity, url_norm, simhash, band0, band1,
                   band2, band3)
OVERRIDING SYSTEM VALUE VALUES
    (200, 1, 's200', 'example.com/a', 1, 0, 0, 0, 1),
    (201, 2, 's201', 'example.com/a', 99, 0, 0, 0, 99),
    (202, 1, 's202', 'example.com/a', 7777, 0, 0, 0, 7777),
    (203, 2, 's203', NULL, 1 + (1::bigint << 20) + (1::bigint << 40),
     0, 256, 16, 1),
    (204, 2, 's204', 'example.com/b', 1, 0, 0, 0, 1),
    -- A story of its own, and an item continuing it by its link while its
    -- text is near 201's, 203's and 204's: the link comes first, and an
    -- item of the same batch is found as it stood before the batch.
    (205, 2, 's205', 'example.com/d', 5000, 0, 0, 0, 5000),
    (206, 1, 's206', 'example.com/d', 1, 0, 0, 0, 1);
SELECT results_eq($$SELECT indexed FROM index_items(2)$$,
    $$VALUES (2::bigint)$$, 'stories: the first two items indexed');
SELECT results_eq($$SELECT indexed FROM index_items(10)$$,
    $$VALUES (5::bigint)$$, 'stories: then the others');
SELECT results_eq(
    $$SELECT id, story_id FROM items WHERE id >= 200 ORDER BY id$$,
    $$VALUES (200::bigint, NULL::bigint), (201, 200), (202, 200), (203, 200),
             (204, 200), (205, NULL), (206, 205)$$,
    'stories: a link on another source, its story, a near-duplicate text; '
    'never the same source; the link before the text');

-- Items one source relays (an alert feed): another publisher is another
-- voice, the same publisher or the source's own item is not. Indexed in
-- two batches, so that the first story is set before the others look.
INSERT INTO items (id, source_id, identity, relayed_site, url_norm, simhash,
                   band0, band1, band2, band3)
OVERRIDING SYSTEM VALUE VALUES
    (300, 3, 's300', 'lemonde.fr', 'lemonde.fr/x', 4242, 0, 0, 0, 4242),
    (301, 3, 's301', 'lefigaro.fr', 'lefigaro.fr/x', 4243, 0, 0, 0, 4243),
    (302, 3, 's302', 'lemonde.fr', 'lemonde.fr/y', 4242, 0, 0, 0, 4242),
    (303, 3, 's303', 'liberation.fr', 'lefigaro.fr/x', 9999, 0, 0, 0, 9999),
    (304, 3, 's304', 'lemonde.fr', 'lemonde.fr/x', 31337, 0, 0, 0, 31337),
    (310, 1, 's310', NULL, NULL, 8080, 0, 0, 0, 8080),
    (311, 1, 's311', NULL, NULL, 8081, 0, 0, 0, 8081);
SELECT results_eq($$SELECT indexed FROM index_items(2)$$,
    $$VALUES (2::bigint)$$, 'relayed items: the first two indexed');
SELECT results_eq($$SELECT indexed FROM index_items(10)$$,
    $$VALUES (5::bigint)$$, 'relayed items: then the others');
SELECT results_eq(
    $$SELECT id, story_id FROM items WHERE id >= 300 ORDER BY id$$,
    $$VALUES (300::bigint, NULL::bigint), (301, 300), (302, 300), (303, 300),
             (304, NULL), (310, NULL), (311, NULL)$$,
    'stories of one relaying source: another publisher''s near-duplicate '
    'continues one (301), and so does its link (303 by 301''s); the same '
    'publisher''s near-duplicate (302 of 300) is found only through '
    'another''s (301); the same publisher''s link does not (304), nor a '
    'site''s own near-duplicate (311)');

-- The spike detector counts a story once per site: a relayed item's site
-- is its publisher's. Three papers in story 300 through one alert (302 is
-- a second copy of Le Monde's), each complaining: three, where the
-- source's site alone would make one.
INSERT INTO watches (id, name, query) OVERRIDING SYSTEM VALUE
VALUES (30, 'Relayed', 'relayed');
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT i.id, 30, i.source_id, '{x}', 'fr', -0.8, 'negative', NULL,
       i.first_seen_at
  FROM items i WHERE i.id BETWEEN 300 AND 303;
SELECT results_eq(
    $$SELECT sum(negative), sum(total)
        FROM detect_counts(0, (extract(epoch FROM now()) * 1000)::bigint
                              + 60000, 3600000, 3600000, 'Relayed')$$,
    $$VALUES (3::numeric, 3::numeric)$$,
    'detect_counts: one story, counted once per publisher it relays');

-- An item's identity within its source.
SELECT is(item_identity('g', 'http://l/', 't', 's', 'c'), 'g', 'the guid first');
SELECT is(item_identity('', 'http://l/', 't', 's', 'c'), 'http://l/',
          'else the link');
SELECT is(item_identity(NULL, NULL, 't', NULL, 'c'),
          'md5:' || md5(E't\n\nc'), 'else a digest of title and text');
SELECT is(item_identity(NULL, 'http://l/' || repeat('é', 300), NULL, NULL, NULL),
          'sha256:' || encode(sha256(convert_to('http://l/' || repeat('é', 300),
                                                'UTF8')), 'hex'),
          'one over 512 bytes is digested');

-- Retention: whole months go, items, their mentions and fetches alike; a
-- month stays while any of it is younger than the cutoff.
SELECT is(drop_partitions('2025-03-31Z'), 3, 'February goes first, in three tables');
SELECT is((SELECT count(*) FROM fetches WHERE started_at < '2025-03-01Z'),
          0::bigint, 'old fetches are gone');
SELECT results_eq($$SELECT id FROM items WHERE id < 10 ORDER BY id$$,
                  $$VALUES (1::bigint), (2), (3), (4), (5), (6), (7)$$,
                  'March stays while part of it is younger');
SELECT is(drop_partitions('2025-04-01Z'), 3, 'then March, in three tables');
SELECT results_eq($$SELECT id FROM items WHERE id < 10 ORDER BY id$$,
                  $$VALUES (7::bigint)$$, 'this month''s items remain');
SELECT is((SELECT count(*) FROM mentions WHERE first_seen_at < '2025-04-01Z'),
          0::bigint, 'the mentions of dropped items are gone');
SELECT hasnt_table('items_2025_03');
SELECT has_table('items_2025_04');
SELECT is(maintain_partitions(NULL), 0, 'no retention drops nothing');
SELECT is(maintain_partitions('1 day'), 3,
          'a retention of a day drops April''s (empty) partitions');
SELECT has_table(t || to_char(now() AT TIME ZONE 'UTC', '_YYYY_MM'))
  FROM unnest(ARRAY['items', 'mentions', 'fetches']) t;
SELECT is((SELECT count(*) FROM incidents), 2::bigint, 'incidents stay');

SELECT * FROM finish();
ROLLBACK;
