-- The counts kept as mentions are written (schema 017): after every kind
-- of write, each view read from them answers what counting the mentions
-- again answers.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

SELECT create_partitions('2025-02-01Z', '2025-05-01Z');
-- The polls of the last three days, whatever today is.
SELECT create_partitions(now() - interval '3 days', now());

INSERT INTO sources (id, name, url, interval_s, family)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'forum', 'http://forum.example/rss', 600, 'forum.example'),
    (2, 'news', 'http://news.example/rss', 600, 'news.example'),
    (3, 'blog', 'http://blog.example/rss', 600, 'news.example');
INSERT INTO watches (id, name, query, tags, compare_group)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'Acme', 'acme', '{brand}', 'cola'),
    (2, 'Globex', 'globex', '{rival}', 'cola'),
    (3, 'Initech', 'initech', '{brand}', NULL);

-- Two queries' rows as text, compared as sets (their columns unnamed).
CREATE FUNCTION tap.rows_eq(got text, want text, name text) RETURNS text
LANGUAGE sql AS $$
    SELECT set_eq('SELECT q::text FROM (' || got || ') q',
                  'SELECT q::text FROM (' || want || ') q', name)
$$;

-- What each view counted before schema 017, from the mentions themselves.
CREATE FUNCTION tap.counts_agree(step text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.mention_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  m.lang, count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'neutral'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  round((count(*) FILTER (WHERE m.label = 'positive')
                         - count(*) FILTER (WHERE m.label = 'negative'))::numeric
                        / count(*), 3),
                  round(avg(m.sentiment)::numeric, 3)
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
            GROUP BY 1, 2, 3, 4$q$,
        step || ': mention_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.watch_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'neutral'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  round((count(*) FILTER (WHERE m.label = 'positive')
                         - count(*) FILTER (WHERE m.label = 'negative'))::numeric
                        / count(*), 3),
                  round(avg(m.sentiment)::numeric, 3)
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
            GROUP BY 1, 2, 3$q$,
        step || ': watch_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.share_of_voice',
        $q$SELECT w.compare_group,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  m.watch_id, w.name, count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  round(count(*)::numeric / sum(count(*)) OVER (
                      PARTITION BY w.compare_group,
                      analytics.mention_day(m.published_at, m.first_seen_at)),
                      4)
             FROM watches w JOIN effective_mentions m ON m.watch_id = w.id
            WHERE w.compare_group IS NOT NULL
            GROUP BY 1, 2, 3, 4$q$,
        step || ': share_of_voice');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.share_of_voice_by_tag',
        $q$SELECT t.tag,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  m.watch_id, w.name, count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  round(count(*)::numeric / sum(count(*)) OVER (
                      PARTITION BY t.tag,
                      analytics.mention_day(m.published_at, m.first_seen_at)),
                      4)
             FROM watches w CROSS JOIN LATERAL unnest(w.tags) t(tag)
             JOIN effective_mentions m ON m.watch_id = w.id
            GROUP BY 1, 2, 3, 4$q$,
        step || ': share_of_voice_by_tag');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.source_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  m.source_id, s.name, s.family, count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  i.relayed_site
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
             JOIN items i ON i.id = m.item_id
                         AND i.first_seen_at = m.first_seen_at
             JOIN sources s ON s.id = m.source_id
            GROUP BY 1, 2, 3, 4, 5, 6, i.relayed_site$q$,
        step || ': source_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.author_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  i.author, s.family, count(*),
                  count(*) FILTER (WHERE m.label = 'negative'),
                  count(*) FILTER (WHERE m.label = 'positive'),
                  i.relayed_site
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
             JOIN items i ON i.id = m.item_id
                         AND i.first_seen_at = m.first_seen_at
             JOIN sources s ON s.id = m.source_id
            WHERE i.author <> ''
            GROUP BY 1, 2, 3, 4, 5, i.relayed_site$q$,
        step || ': author_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.term_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  t, count(*)
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id,
                  unnest(m.terms) t
            GROUP BY 1, 2, 3, 4$q$,
        step || ': term_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT * FROM analytics.emotion_volume',
        $q$SELECT m.watch_id, w.name,
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  e, count(*)
             FROM effective_mentions m JOIN watches w ON w.id = m.watch_id,
                  unnest(m.emotions) e
            GROUP BY 1, 2, 3, 4$q$,
        step || ': emotion_volume');
    RETURN NEXT tap.rows_eq(
        'SELECT source_id, day, items FROM analytics.source_items',
        $q$SELECT source_id, (first_seen_at AT TIME ZONE 'UTC')::date,
                  count(*)::integer
             FROM items GROUP BY 1, 2$q$,
        step || ': source_items');
    RETURN NEXT tap.rows_eq(
        'SELECT watch_id, item_id, story_id, day, at, site, label'
        '  FROM analytics.story_mentions',
        $q$SELECT m.watch_id, m.item_id, coalesce(i.story_id, i.id),
                  analytics.mention_day(m.published_at, m.first_seen_at),
                  least(m.published_at, m.first_seen_at), s.family, m.label
             FROM effective_mentions m
             JOIN items i ON i.id = m.item_id
                         AND i.first_seen_at = m.first_seen_at
             JOIN sources s ON s.id = m.source_id
            WHERE i.story_id IS NOT NULL
               OR EXISTS (SELECT FROM items c WHERE c.story_id = i.id)$q$,
        step || ': story_mentions');
END
$$;

-- Items and their mentions written in one statement, as a save does.
WITH ins AS (
    INSERT INTO items (id, source_id, identity, title, author, lang,
                       published_at, first_seen_at, relayed_site)
    OVERRIDING SYSTEM VALUE
    SELECT g, 1 + g % 3, 'i' || g, 'title ' || g,
           CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'author' || g % 5 END,
           CASE WHEN g % 5 = 0 THEN NULL WHEN g % 2 = 0 THEN 'fr' ELSE 'en' END,
           -- some undated, some dated in the future, some backdated into
           -- the month before
           CASE g % 7 WHEN 0 THEN NULL
                      WHEN 1 THEN timestamptz '2025-03-10Z' + g * interval '1 hour'
                      WHEN 2 THEN timestamptz '2025-02-20Z'
                      ELSE timestamptz '2025-03-01Z' + g * interval '5 hours' END,
           timestamptz '2025-03-01Z' + g * interval '5 hours' + interval '1 minute',
           -- the source of news relays two papers' articles besides its
           -- own (schema 030)
           CASE WHEN g % 3 = 1 AND g % 4 = 1 THEN 'lemonde.fr'
                WHEN g % 3 = 1 AND g % 4 = 2 THEN 'lefigaro.fr' END
      FROM generate_series(1, 60) g
    RETURNING id, source_id, lang, published_at, first_seen_at
)
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, emotions, published_at, first_seen_at)
SELECT i.id, w, i.source_id,
       CASE WHEN i.id % 3 = 0 THEN '{acme,price}'::text[] ELSE '{acme}' END, i.lang,
       ((i.id % 5) - 2) / 2.5,
       (ARRAY['negative', 'neutral', 'positive'])[1 + (i.id + w) % 3],
       CASE i.id % 4 WHEN 0 THEN '{anger}'::text[] WHEN 1 THEN '{anger,fear}'
                     ELSE '{}' END,
       i.published_at, i.first_seen_at
  FROM ins i, (VALUES (1), (2), (3)) x(w)
 WHERE (i.id + w) % 4 <> 0;

SELECT * FROM tap.counts_agree('written');
SELECT is((SELECT string_agg(DISTINCT via, ' ' ORDER BY via)
             FROM analytics.source_volume WHERE source_id = 2),
          'lefigaro.fr lemonde.fr',
          'a relaying source''s mentions counted by publisher');

-- One more statement into the same days: counts add up.
INSERT INTO items (id, source_id, identity, title, author, lang,
                   published_at, first_seen_at)
OVERRIDING SYSTEM VALUE
SELECT g, 2, 'i' || g, 'title ' || g, 'author1', 'en',
       timestamptz '2025-03-02Z' + g * interval '1 minute',
       timestamptz '2025-03-02Z' + g * interval '1 minute'
  FROM generate_series(61, 70) g;
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT id, 1, source_id, '{acme}', lang, 0.5, 'positive', published_at,
       first_seen_at
  FROM items WHERE id > 60;
SELECT * FROM tap.counts_agree('written again');

-- An editor's corrections, dismissals and their undoing, handled marks.
UPDATE mentions SET label_override = 'negative' WHERE item_id % 5 = 1;
SELECT * FROM tap.counts_agree('tone corrected');
UPDATE mentions SET dismissed = true WHERE item_id % 7 = 3;
SELECT * FROM tap.counts_agree('dismissed');
UPDATE mentions SET dismissed = false, label_override = NULL
 WHERE item_id % 14 = 3;
SELECT * FROM tap.counts_agree('dismissal undone');
UPDATE mentions SET handled = true WHERE item_id % 2 = 0;
SELECT * FROM tap.counts_agree('handled');
SELECT is((SELECT count(*) FROM mention_counts WHERE mentions < 0
                                                  OR negative < 0), 0::bigint,
          'no count goes below zero');

-- A changed query's mentions removed (a backfill's purge).
DELETE FROM mentions WHERE watch_id = 2 AND item_id % 3 = 0;
SELECT * FROM tap.counts_agree('deleted');
SELECT is((SELECT count(*) FROM mention_counts m
            WHERE NOT EXISTS (SELECT FROM effective_mentions e
                               WHERE e.watch_id = m.watch_id
                                 AND analytics.mention_day(e.published_at,
                                         e.first_seen_at) = m.day)
              AND m.mentions <> 0), 0::bigint,
          'a day with nothing left counts nothing');

-- Stories: index_items() finds them; a backfill then mentions an item
-- others continue.
UPDATE items SET search = to_tsvector('simple', title);
UPDATE items SET story_id = 2 WHERE id IN (8, 14);
UPDATE items SET story_id = 5 WHERE id = 20;
SELECT * FROM tap.counts_agree('stories found');
SELECT ok((SELECT count(*) FROM analytics.story_mentions) > 0,
          'stories have mentions');
UPDATE items SET story_id = 30 WHERE id = 31;
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
SELECT id, 3, source_id, '{initech}', lang, -0.5, 'negative', published_at,
       first_seen_at
  FROM items WHERE id IN (30, 31)
ON CONFLICT DO NOTHING;
SELECT * FROM tap.counts_agree('backfilled');
SELECT ok(EXISTS (SELECT FROM analytics.story_mentions
                   WHERE watch_id = 3 AND item_id = 30 AND story_id = 30),
          'a backfilled mention of a story''s first item is in its story');

-- An editor's correction writes counts the editor may not write itself.
SET LOCAL ROLE vigie_editor;
UPDATE mentions SET label_override = 'positive' WHERE item_id = 2;
RESET ROLE;
SELECT * FROM tap.counts_agree('corrected by an editor');

-- Polls of the last 24 hours: whole hours from the counts, the hour
-- they begin in from the polls themselves.
INSERT INTO fetches (attempt, source_id, started_at, duration_ms, outcome)
SELECT gen_random_uuid(), 1 + g % 3,
       now() - make_interval(mins => g * 7), 10,
       CASE WHEN g % 4 = 0 THEN 'failed' ELSE 'ok' END
  FROM generate_series(0, 500) g;
SELECT tap.rows_eq(
    'SELECT source_id, fetches_24h, failed_24h FROM analytics.source_health',
    $q$SELECT s.id, count(x.*),
              count(x.*) FILTER (WHERE x.outcome = 'failed')
         FROM sources s LEFT JOIN fetches x ON x.source_id = s.id
          AND x.started_at > now() - interval '24 hours'
        GROUP BY s.id$q$,
    'source_health: polls of the last 24 hours, as counted from fetches');
SELECT is(maintain_partitions(NULL), 0, 'maintenance drops nothing');
SELECT is((SELECT count(*) FROM fetch_counts
            WHERE hour < now() - interval '2 days'), 0::bigint,
          'hours older than two days are forgotten');
SELECT ok((SELECT count(*) FROM fetch_counts) > 0, 'recent hours are kept');

-- Retention: March goes, with the counts of its mentions, also those
-- dated in February; April's stay.
INSERT INTO items (id, source_id, identity, title, author, lang,
                   published_at, first_seen_at)
OVERRIDING SYSTEM VALUE VALUES
    (100, 1, 'i100', 'late', 'author2', 'fr', '2025-03-30Z', '2025-04-02Z');
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang, sentiment,
                      label, published_at, first_seen_at)
VALUES (100, 1, 1, '{acme}', 'fr', -0.9, 'negative', '2025-03-30Z',
        '2025-04-02Z');
SELECT * FROM tap.counts_agree('before retention');
SELECT ok(drop_partitions('2025-04-01Z') > 0, 'the old months are dropped');
SELECT * FROM tap.counts_agree('after retention');
SELECT is((SELECT sum(mentions) FROM analytics.mention_volume
            WHERE day = '2025-03-30'), 1::numeric,
          'a mention dated in a dropped month but seen after it is kept');

SELECT * FROM finish();
ROLLBACK;
