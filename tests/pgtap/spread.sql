-- Spread incidents (schema 024): a story of a watch taken up by many
-- sites. A watch may have several stories spreading at once, each story
-- one incident ever; analytics.incidents shows them with their story.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

INSERT INTO watches (id, name, query) OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme', 'acme'), (2, 'Globex', 'globex');

SELECT lives_ok($$
    INSERT INTO incidents (kind, watch_id, story_id, state, severity,
                           opened_at, peak_count)
    VALUES ('spread', 1, 100, 'firing', 'warning', now(), 5),
           ('spread', 1, 200, 'firing', 'critical', now(), 12),
           ('spread', 2, 100, 'firing', 'warning', now(), 6),
           ('spike', 1, NULL, 'firing', 'warning', now(), 9)$$,
    'several stories of a watch spreading at once, beside its spike');
SELECT throws_ok($$
    INSERT INTO incidents (kind, watch_id, story_id, state, severity,
                           opened_at)
    VALUES ('spread', 1, 100, 'firing', 'warning', now())$$,
    '23505', NULL, 'one open incident per story');
UPDATE incidents SET state = 'resolved', resolved_at = now()
 WHERE kind = 'spread' AND watch_id = 1 AND story_id = 100;
SELECT throws_ok($$
    INSERT INTO incidents (kind, watch_id, story_id, state, severity,
                           opened_at)
    VALUES ('spread', 1, 100, 'firing', 'warning', now())$$,
    '23505', NULL, 'and never a second one, once resolved');
SELECT throws_ok($$
    INSERT INTO incidents (kind, watch_id, state, severity, opened_at)
    VALUES ('spread', 1, 'firing', 'warning', now())$$,
    '23514', NULL, 'a spread names its story');
SELECT throws_ok($$
    INSERT INTO incidents (kind, story_id, state, severity, opened_at)
    VALUES ('spread', 300, 'firing', 'warning', now())$$,
    '23514', NULL, 'and its watch');
SELECT throws_ok($$
    INSERT INTO incidents (kind, watch_id, story_id, state, severity,
                           opened_at)
    VALUES ('spike', 2, 300, 'firing', 'warning', now())$$,
    '23514', NULL, 'a spike has no story');
SELECT throws_ok($$
    INSERT INTO incidents (kind, watch_id, state, severity, opened_at)
    VALUES ('rumour', 1, 'firing', 'warning', now())$$,
    '23514', NULL, 'no other kind');

INSERT INTO incident_events (event_id, incident_id, state, at, window_count,
                             window_total, details)
SELECT gen_random_uuid(), id, 'firing', opened_at, 5, 7,
       '{"story": 200, "sites": 6}'
  FROM incidents WHERE story_id = 200;
SELECT results_eq(
    $$SELECT kind, watch, story_id, peak_count,
             jsonb_path_query_array(timeline, '$[*].sites'),
             jsonb_path_query_array(timeline, '$[*].window_total')
        FROM analytics.incidents WHERE story_id = 200$$,
    $$VALUES ('spread', 'Acme', 200::bigint, 12,
              '[6]'::jsonb, '[7]'::jsonb)$$,
    'analytics.incidents: a spread with its story and its sites');
SELECT is((SELECT count(*) FROM analytics.incidents WHERE kind = 'spread'),
          3::bigint, 'analytics.incidents: every spread');
SELECT columns_are('analytics', 'incidents', ARRAY['incident_id', 'kind',
    'watch_id', 'watch', 'source_id', 'source', 'state', 'severity',
    'reason', 'opened_at', 'resolved_at', 'duration', 'peak_count',
    'timeline', 'story_id']);
SELECT has_index('story_mentions', 'story_mentions_story',
                 ARRAY['story_id', 'watch_id'],
                 'the spread check finds a story''s mentions by the story');

SELECT * FROM finish();
ROLLBACK;
