-- Several daemons on one database (schema 018): a lease holds while it
-- has not run out and its daemon's session holds its lock; one session
-- at a time leads. Other sessions are tests/service/it_daemons.py's.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

SELECT ok(NOT lease_live('host:1:aa', now() + interval '1 hour'),
          'a lease whose daemon never registered is void');
SELECT ok(daemon_register('host:1:aa'), 'a daemon registers');
SELECT ok(lease_live('host:1:aa', now() + interval '1 hour'),
          'its lease holds');
SELECT ok(NOT lease_live('host:1:aa', now() - interval '1 second'),
          'until it runs out');
SELECT ok(NOT lease_live('host:2:bb', now() + interval '1 hour'),
          'another daemon''s lease is void while that daemon is gone');
SELECT ok(NOT lease_live(NULL, NULL), 'no lease is no lease');

INSERT INTO sources (id, name, url, interval_s, lease_owner, lease_until)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'held', 'http://a.example/rss', 600, 'host:1:aa',
     now() + interval '1 hour'),
    (2, 'orphan', 'http://b.example/rss', 600, 'host:2:bb',
     now() + interval '1 hour'),
    (3, 'free', 'http://c.example/rss', 600, NULL, NULL);
SELECT bag_eq(
    $$SELECT name FROM sources WHERE NOT lease_live(lease_owner, lease_until)$$,
    $$VALUES ('orphan'), ('free')$$,
    'the claims may take the free source and the dead daemon''s, not the '
    'live one''s');

SELECT ok(take_lead(), 'the first to ask leads');
SELECT ok(take_lead(), 'and still does when it asks again');
SELECT is((SELECT pid FROM daemon_leader), pg_backend_pid(),
          'daemon_leader shows the leading session');
SELECT ok(pg_advisory_unlock(1986356841, hashtext('host:1:aa')),
          'a daemon''s session lets its lock go');
SELECT ok(NOT lease_live('host:1:aa', now() + interval '1 hour'),
          'and its leases are void at once');

SELECT * FROM finish();
ROLLBACK;
