-- The objects of 005_analytics, 007_partitions and 008_judgement: tables'
-- new columns,
-- partitions and constraints, indexes, functions, views, and a comment on
-- every view and column.
BEGIN;
-- In a schema of its own: its views are not the project's.
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

SELECT has_schema('analytics');
SELECT has_column('mentions', 'label_override', 'mentions.label_override');
SELECT col_type_is('mentions', 'label_override', 'text');
SELECT col_has_check('mentions', 'label_override', 'label_override is checked');
SELECT has_column('mentions', 'dismissed', 'mentions.dismissed');
SELECT col_not_null('mentions', 'dismissed');
SELECT col_default_is('mentions', 'dismissed', 'false');
SELECT has_column('mentions', 'corrected_by', 'mentions.corrected_by');
SELECT col_type_is('mentions', 'corrected_at', 'timestamp with time zone');
SELECT has_trigger('mentions', 'mentions_corrected');
SELECT throws_ok(
    $$INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment,
        label, first_seen_at, label_override)
      VALUES (1, 1, 1, '{}', 0, 'neutral', now(), 'angry')$$,
    '23514', NULL, 'an override outside the three tones is refused');

SELECT has_column('items', 'search', 'items.search');
SELECT col_type_is('items', 'search', 'tsvector');
SELECT is((SELECT attgenerated FROM pg_attribute
            WHERE attrelid = 'items'::regclass AND attname = 'search'),
          '', 'items.search is filled after the insert, not generated');
SELECT has_index('items', 'items_unsearched', 'the items waiting for their vector');
SELECT has_function('index_items', ARRAY['integer']);
SELECT has_function('item_stories', ARRAY['bigint[]', 'timestamp with time zone[]']);

SELECT has_index('items', 'items_search', 'GIN index on items.search');
SELECT is((SELECT am.amname::text FROM pg_class c JOIN pg_am am ON am.oid = c.relam
            WHERE c.relname = 'items_search'), 'gin', 'items_search is GIN');
SELECT has_index('items', 'items_source_seen', ARRAY['source_id', 'first_seen_at']);
SELECT has_index('mentions', 'mentions_watch_day_at', 'mentions by watch, day and time');
SELECT hasnt_index('mentions', 'mentions_watch_day', 'the index it extends is gone');
SELECT has_index('mentions', 'mentions_first_seen', ARRAY['first_seen_at']);
SELECT has_index('items', 'items_url_norm', ARRAY['url_norm']);
SELECT has_index('items', 'items_band' || b, ARRAY['band' || b])
  FROM generate_series(0, 3) b;
-- Indexes (010): those no query uses are gone; the rest are listed,
-- each with the questions it serves, in docs/SQL.md.
SELECT hasnt_index(t, i, i || ': no query used it')
  FROM (VALUES ('items', 'items_published'), ('items', 'items_story'),
               ('items', 'items_first_seen'),
               ('mentions', 'mentions_watch_time'),
               ('mentions', 'mentions_negative')) x(t, i);
SELECT bag_eq($$SELECT indexrelid::regclass::text FROM pg_index
                WHERE indrelid IN ('items'::regclass, 'mentions'::regclass)$$,
              ARRAY['items_pkey', 'items_source_seen', 'items_url_norm',
                    'items_band0', 'items_band1', 'items_band2', 'items_band3',
                    'items_search', 'items_unsearched', 'items_continuing',
                    'mentions_pkey',
                    'mentions_first_seen',
                    'mentions_rumour', 'mentions_watch_day_at', 'mentions_day_at',
                    'mentions_moderation'],
              'items and mentions have these indexes and no other');
-- Partitions (007): items, mentions and fetches by month; keys carry the
-- partition key; identity is unique within each month's partition.
SELECT is_partitioned(t) FROM unnest(ARRAY['items', 'mentions', 'fetches']) t;
SELECT is(pg_get_partkeydef(t::regclass), k, t || ' partitioned by ' || k)
  FROM (VALUES ('items', 'RANGE (first_seen_at)'),
               ('mentions', 'RANGE (first_seen_at)'),
               ('fetches', 'RANGE (started_at)')) x(t, k);
SELECT col_is_pk('items', ARRAY['id', 'first_seen_at']);
SELECT col_is_pk('mentions', ARRAY['item_id', 'watch_id', 'first_seen_at']);
SELECT col_is_pk('fetches', ARRAY['id', 'started_at']);
SELECT col_is_unique('fetches', ARRAY['attempt', 'started_at']);
-- Their references to sources, authors and watches are checked by
-- statement (027, tests/pgtap/parents.sql).
SELECT hasnt_fk(t) FROM unnest(ARRAY['items', 'mentions']) t;
SELECT is_partition_of(t || to_char(now() AT TIME ZONE 'UTC', '_YYYY_MM'), t)
  FROM unnest(ARRAY['items', 'mentions', 'fetches']) t;
SELECT is_partition_of(t || to_char((now() + interval '1 month') AT TIME ZONE 'UTC',
                                    '_YYYY_MM'), t)
  FROM unnest(ARRAY['items', 'mentions', 'fetches']) t;
SELECT index_is_unique(c.relname, c.relname || '_identity')
  FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
 WHERE h.inhparent = 'items'::regclass ORDER BY c.relname;
SELECT is(create_partitions('2024-01-15Z', '2024-03-01Z'), 9,
          'three months of three tables created');
SELECT is(create_partitions('2024-01-15Z', '2024-03-01Z'), 0,
          'and not twice');
SELECT throws_ok(
    $$INSERT INTO items (source_id, identity, first_seen_at)
      VALUES (1, 'x', '1999-01-01')$$,
    '23514', NULL, 'an item of a month without a partition is refused');

SELECT has_function('analytics', 'mention_day', ARRAY['timestamp with time zone', 'timestamp with time zone']);
SELECT volatility_is('analytics', 'mention_day', ARRAY['timestamp with time zone', 'timestamp with time zone'], 'immutable');
SELECT is(analytics.mention_day('2025-03-01 23:30+00', '2025-03-02 08:00+00'),
          '2025-03-01'::date, 'a mention is dated by its publication');
SELECT is(analytics.mention_day('2025-03-01 23:30-05', '2025-03-02 08:00+00'),
          '2025-03-02'::date, 'days are UTC days');
SELECT is(analytics.mention_day(NULL, '2025-03-02 08:00+00'),
          '2025-03-02'::date, 'an undated mention is dated when first seen');
SELECT is(analytics.mention_day('2030-01-01', '2025-03-02 08:00+00'),
          '2025-03-02'::date, 'a mention from the future is dated when first seen');
SELECT hasnt_function('purge_before');
SELECT has_function('maintain_partitions', ARRAY['interval']);
SELECT is_definer(f, a) FROM (VALUES
    ('create_partitions', ARRAY['timestamp with time zone', 'timestamp with time zone']),
    ('drop_partitions', ARRAY['timestamp with time zone']),
    ('maintain_partitions', ARRAY['interval'])) x(f, a);

-- Judgement (008): emotions and rumour, on mentions toward the watch and
-- on items for the whole document.
SELECT col_type_is('mentions', 'emotions', 'text[]');
SELECT col_not_null('mentions', 'emotions');
SELECT col_default_is('mentions', 'emotions', '{}');
SELECT col_type_is('mentions', 'rumour', 'boolean');
SELECT col_not_null('mentions', 'rumour');
SELECT col_default_is('mentions', 'rumour', 'false');
SELECT col_type_is('items', 'emotions', 'text[]');
SELECT col_is_null('items', 'emotions');
SELECT col_type_is('items', 'rumour', 'boolean');
SELECT throws_ok(
    $$INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment,
        label, first_seen_at, emotions)
      VALUES (1, 1, 1, '{}', 0, 'neutral', now(), '{anger,rage}')$$,
    '23514', NULL, 'an emotion outside the six is refused');
SELECT has_index('mentions', 'mentions_rumour', 'rumours by watch and day');
-- 016: the dashboard's lists read in their order.
SELECT has_index('mentions', 'mentions_watch_day_at',
                 'mentions by watch, day and time');
SELECT has_index('mentions', 'mentions_day_at', 'mentions by day and time');
SELECT has_index('mentions', 'mentions_moderation',
                 'the moderation queue by day and time');
SELECT is((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'mentions_moderation'::regclass),
          '(abusive AND (NOT handled))',
          'mentions_moderation holds the abusive mentions not handled only');
SELECT is((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
            WHERE i.indexrelid = 'mentions_rumour'::regclass),
          'rumour', 'mentions_rumour holds the rumours only');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relname IN ('mentions', 'items')
       AND a.attname IN ('emotions', 'rumour')
       AND col_description(c.oid, a.attnum) IS NULL$$,
    'the new columns carry their documentation');

SELECT has_view('effective_mentions');
SELECT columns_are('effective_mentions', ARRAY['item_id', 'watch_id',
    'source_id', 'terms', 'lang', 'sentiment', 'label', 'detected_label',
    'corrected', 'abusive', 'published_at', 'first_seen_at', 'matched_at',
    'emotions', 'rumour', 'handled']);
SELECT views_are('analytics', ARRAY['mention_volume', 'share_of_voice',
    'share_of_voice_by_tag', 'source_volume', 'author_volume', 'negative_mentions', 'incidents',
    'source_health', 'rumours', 'mentions', 'watch_volume', 'term_volume',
    'emotion_volume',
    'source_items', 'story_mentions', 'influencers', 'satisfaction',
    'authors']);
SELECT columns_are('analytics', 'satisfaction', ARRAY['watch_id', 'watch',
    'day', 'reviews', 'rating', 'stars', 'stars_1', 'stars_2', 'stars_3',
    'stars_4', 'stars_5', 'low']);
SELECT columns_are('analytics', 'influencers', ARRAY['watch_id', 'watch',
    'author', 'platform', 'profile', 'followers', 'mentions', 'negative',
    'positive', 'reach', 'role', 'first_seen', 'last_seen', 'author_id']);
SELECT columns_are('analytics', 'authors', ARRAY['author_id', 'platform',
    'handle', 'name', 'profile', 'followers', 'first_seen', 'last_seen']);
SELECT columns_are('analytics', 'mention_volume', ARRAY['watch_id', 'watch',
    'day', 'lang', 'mentions', 'negative', 'neutral', 'positive',
    'net_sentiment', 'mean_tone']);
SELECT columns_are('analytics', 'share_of_voice', ARRAY['compare_group',
    'day', 'watch_id', 'watch', 'mentions', 'negative', 'positive', 'share']);
SELECT columns_are('analytics', 'share_of_voice_by_tag', ARRAY['tag', 'day',
    'watch_id', 'watch', 'mentions', 'negative', 'positive', 'share']);
SELECT columns_are('analytics', 'source_volume', ARRAY['watch_id', 'watch',
    'day', 'source_id', 'source', 'site', 'mentions', 'negative', 'positive',
    'via']);
SELECT columns_are('analytics', 'author_volume', ARRAY['watch_id', 'watch',
    'day', 'author', 'site', 'mentions', 'negative', 'positive', 'via']);
SELECT columns_are('analytics', 'negative_mentions', ARRAY['watch_id',
    'watch', 'day', 'at', 'item_id', 'title', 'link', 'author', 'source',
    'site', 'sentiment', 'terms', 'lang', 'corrected', 'abusive',
    'emotions', 'rumour', 'via']);
SELECT columns_are('analytics', 'rumours', ARRAY['watch_id', 'watch', 'day',
    'at', 'item_id', 'title', 'link', 'author', 'source', 'site',
    'sentiment', 'label', 'emotions', 'terms', 'lang', 'corrected',
    'abusive', 'via']);
SELECT columns_are('analytics', 'mentions', ARRAY['watch_id', 'watch', 'day',
    'at', 'item_id', 'title', 'link', 'author', 'source_id', 'source', 'site',
    'label', 'detected_label', 'sentiment', 'terms', 'lang', 'corrected',
    'abusive', 'emotions', 'rumour', 'story_id', 'search', 'handled', 'via']);
SELECT col_type_is('analytics', 'mention_volume', 'day', 'date', 'day is a date');

-- Every view and every column of a view carries its documentation.
SELECT is_empty($$
    SELECT n.nspname || '.' || c.relname FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'v' AND n.nspname IN ('analytics', 'public')
       AND obj_description(c.oid, 'pg_class') IS NULL
       AND c.relname NOT LIKE 'pg\_%'$$, 'every view has a comment');
SELECT is_empty($$
    SELECT c.relname || '.' || a.attname FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
     WHERE c.relkind = 'v' AND n.nspname = 'analytics'
       AND col_description(c.oid, a.attnum) IS NULL$$,
    'every column of every analytics view has a comment');

SELECT * FROM finish();
ROLLBACK;
