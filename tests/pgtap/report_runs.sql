-- report_runs (014_report_runs): one run per report and period, taken by
-- one insert only; the outbox takes a run's notifications.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

SELECT has_table('report_runs');
SELECT col_is_pk('report_runs', ARRAY['report', 'period_start']);
SELECT col_is_unique('report_runs', 'event_id');
SELECT col_not_null('report_runs', c) FROM unnest(ARRAY['report',
    'period_start', 'period_end', 'event_id', 'written_by']) c;
SELECT col_type_is('report_runs', 'period_start', 'date');
SELECT throws_ok(
    $$INSERT INTO report_runs (report, period_start, period_end, event_id,
        written_by)
      VALUES ('r', '2026-12-02', '2026-12-01',
        '00000000-0000-5000-8000-000000000009', 'a')$$,
    '23514', NULL, 'a period ends after it starts');

-- The insert the daemon makes (daemon/service/db/report_runs.c), as
-- daemon who: how many rows it took.
CREATE FUNCTION pg_temp.take(who text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    WITH run AS (
        INSERT INTO report_runs (report, period_start, period_end,
          event_id, written_by)
        VALUES ('hebdo', '2026-11-23', '2026-11-30',
          '00000000-0000-5000-8000-000000000001', who)
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO n FROM run;
    RETURN n;
END
$$;

-- The first insert of a period takes it; a second, as another daemon's,
-- takes nothing (and so writes no notification).
SELECT is(pg_temp.take('a'), 1::bigint, 'a period is taken once');
SELECT is(pg_temp.take('b'), 0::bigint, 'and not again by another daemon');
SELECT is((SELECT written_by FROM report_runs WHERE report = 'hebdo'), 'a',
          'the first writer keeps it');
SELECT lives_ok(
    $$INSERT INTO outbox (event_id, target, channel, destination,
        content_type, body)
      VALUES ('00000000-0000-5000-8000-000000000001', 'direction', 'email',
        'com@example.com', 'message/rfc822', 'x')$$,
    'the outbox takes a report run''s notifications');

SELECT table_privs_are('report_runs', 'vigie_daemon',
    ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
SELECT table_privs_are('report_runs', 'vigie_analyst', ARRAY['SELECT']);
-- The daemon reads the views its reports are made of, and writes none.
SELECT table_privs_are('analytics', v, 'vigie_daemon', ARRAY['SELECT'])
  FROM unnest(ARRAY['mention_volume', 'share_of_voice', 'negative_mentions',
                    'source_volume', 'author_volume', 'incidents']) v;

SELECT * FROM finish();
ROLLBACK;
