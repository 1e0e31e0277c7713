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
SELECT set_eq($$SELECT owner_key FROM daemons_alive$$,
              ARRAY[hashtext('host:1:aa')::oid],
              'daemons_alive lists the daemon registered, by its key');
SELECT ok(lease_held('host:2:bb', now() + interval '1 hour',
                     ARRAY[hashtext('host:2:bb')::oid]),
          'lease_held: a lease holds when its daemon is among those given');
SELECT ok(NOT lease_held('host:2:bb', now() + interval '1 hour',
                         ARRAY[hashtext('host:1:aa')::oid]),
          'and not otherwise');

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

-- The daemon's claims (daemon/service/db/sql/claim_due.sql and
-- claim_once.sql) as daemon host:1:aa: a lease holds until it runs out
-- while its daemon is alive, the daemons alive read once per claim
-- (lease_held(), schema 033).
SELECT ok(daemon_register('host:3:cc'), 'a second daemon registers');
INSERT INTO sources (id, name, url, interval_s, lease_owner, lease_until)
OVERRIDING SYSTEM VALUE VALUES
    (4, 'mine, run out', 'http://d.example/rss', 600, 'host:1:aa',
     now() - interval '1 second'),
    (5, 'alive', 'http://e.example/rss', 600, 'host:3:cc',
     now() + interval '1 hour'),
    (6, 'alive, run out', 'http://f.example/rss', 600, 'host:3:cc',
     now() - interval '1 second');
PREPARE claim_due AS :claim_due;
PREPARE claim_once AS :claim_once;
-- The names of the sources a claim (an EXECUTE) takes: a cursor, which
-- pgTAP reads results through, cannot run an UPDATE.
CREATE FUNCTION pg_temp.claimed(claim text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN EXECUTE claim LOOP
        RETURN NEXT r.name;
    END LOOP;
END
$$;
SAVEPOINT claims;
SELECT bag_eq(
    $$SELECT pg_temp.claimed('EXECUTE claim_due(''host:1:aa'', 10, 60)')$$,
    $$VALUES ('mine, run out'), ('orphan'), ('free'), ('alive, run out')$$,
    'claim_due takes the free sources, its own lease that ran out, a dead '
    'daemon''s and a live one''s that ran out, not its own live lease nor '
    'another live daemon''s');
SELECT is((SELECT count(*) FROM sources WHERE lease_owner = 'host:1:aa'
             AND lease_until > now()), 5::bigint,
          'and leases them to itself');
ROLLBACK TO SAVEPOINT claims;
SELECT bag_eq(
    format('SELECT pg_temp.claimed(%L)',
           format('EXECUTE claim_once(%L, 10, 60, %s)', 'host:1:aa',
                  (extract(epoch FROM now()) * 1000)::bigint + 1)),
    $$VALUES ('mine, run out'), ('orphan'), ('free'), ('alive, run out')$$,
    'claim_once tests the leases as claim_due does');
ROLLBACK TO SAVEPOINT claims;

-- The outbox's claim (outbox_claim.sql) tests a notification's lease by
-- the same rule; what is delivered, given up on or not yet due is not
-- taken.
INSERT INTO incidents (id, kind, source_id, state, severity, opened_at)
OVERRIDING SYSTEM VALUE VALUES (1, 'source', 3, 'firing', 'warning', now());
INSERT INTO incident_events (event_id, incident_id, state, at)
VALUES ('00000000-0000-0000-0000-000000000001', 1, 'firing', now());
INSERT INTO outbox (event_id, target, channel, destination, content_type,
                    body, next_attempt_at, delivered_at, failed_at,
                    lease_owner, lease_until)
SELECT '00000000-0000-0000-0000-000000000001', t, 'webhook',
       'http://hook.example/', 'application/json', '{}', due, delivered,
       failed, owner, until
  FROM (VALUES
    ('free', now(), NULL::timestamptz, NULL::timestamptz, NULL, NULL::timestamptz),
    ('mine, run out', now(), NULL, NULL, 'host:1:aa', now() - interval '1 second'),
    ('mine, live', now(), NULL, NULL, 'host:1:aa', now() + interval '1 hour'),
    ('alive', now(), NULL, NULL, 'host:3:cc', now() + interval '1 hour'),
    ('alive, run out', now(), NULL, NULL, 'host:3:cc', now() - interval '1 second'),
    ('dead daemon', now(), NULL, NULL, 'host:2:bb', now() + interval '1 hour'),
    ('delivered', now(), now(), NULL, NULL, NULL),
    ('given up', now(), NULL, now(), NULL, NULL),
    ('later', now() + interval '1 hour', NULL, NULL, NULL, NULL))
    AS o(t, due, delivered, failed, owner, until);
PREPARE outbox_claim AS :outbox_claim;
CREATE FUNCTION pg_temp.outbox_claimed() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN EXECUTE 'EXECUTE outbox_claim(''host:1:aa'', 20, 60)' LOOP
        RETURN NEXT (SELECT target FROM outbox WHERE id = r.id);
    END LOOP;
END
$$;
SELECT bag_eq(
    $$SELECT pg_temp.outbox_claimed()$$,
    $$VALUES ('free'), ('mine, run out'), ('alive, run out'),
             ('dead daemon')$$,
    'outbox_claim takes what is due and free, run out or a dead daemon''s, '
    'not a live lease, nor what is delivered, given up on or not yet due');
SELECT is((SELECT count(*) FROM outbox WHERE lease_owner = 'host:1:aa'
             AND lease_until > now()), 5::bigint,
          'and leases them to itself');
ROLLBACK TO SAVEPOINT claims;

SELECT ok(take_lead(), 'the first to ask leads');
SELECT ok(take_lead(), 'and still does when it asks again');
SELECT is((SELECT pid FROM daemon_leader), pg_backend_pid(),
          'daemon_leader shows the leading session');
SELECT ok(pg_advisory_unlock(1986356841, hashtext('host:1:aa')),
          'a daemon''s session lets its lock go');
SELECT ok(NOT lease_live('host:1:aa', now() + interval '1 hour'),
          'and its leases are void at once');
SELECT ok(NOT EXISTS (SELECT FROM daemons_alive
                       WHERE owner_key = hashtext('host:1:aa')::oid),
          'it is no longer among the daemons alive');

SELECT * FROM finish();
ROLLBACK;
