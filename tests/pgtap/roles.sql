-- Roles and rights: the daemon writes, the analyst reads everything and
-- writes nothing, the editor writes corrections and nothing else.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

-- Runs q as role r and rolls it back; returns the SQLSTATE it raised, or
-- VGOK0 when it went through.
CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q;
    RAISE SQLSTATE 'VGOK0';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

CREATE TEMP TABLE rels AS
SELECT n.nspname AS nsp, c.relname AS rel, c.relkind AS kind,
       format('%I.%I', n.nspname, c.relname) AS q,
       (SELECT format('%I', a.attname) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attgenerated = '' AND a.attidentity = ''
         ORDER BY a.attnum LIMIT 1) AS col
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'analytics') AND c.relkind IN ('r', 'p', 'v', 'm');

SELECT cmp_ok((SELECT count(*) FROM rels WHERE kind = 'r'), '>=', 10::bigint,
              'the base tables are all listed');

-- Roles
SELECT has_role(r) FROM unnest(ARRAY['vigie_daemon', 'vigie_analyst', 'vigie_editor']) r;
SELECT is(rolcanlogin, false, rolname || ' cannot log in')
  FROM pg_roles WHERE rolname LIKE 'vigie\_%' ORDER BY rolname;
SELECT is(rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls, false,
          rolname || ' has no administrative attribute')
  FROM pg_roles WHERE rolname LIKE 'vigie\_%' ORDER BY rolname;
SELECT is_member_of('vigie_analyst', 'vigie_editor');
SELECT isnt_member_of('vigie_daemon', 'vigie_analyst');

-- The analyst: every write refused on every table and view...
SELECT is(pg_temp.as_role('vigie_analyst', w.sql), '42501',
          format('vigie_analyst: %s on %s is refused', w.verb, r.q))
  FROM rels r CROSS JOIN LATERAL (VALUES
       ('INSERT', format('INSERT INTO %s DEFAULT VALUES', r.q)),
       ('UPDATE', format('UPDATE %s SET %s = %s', r.q, r.col, r.col)),
       ('DELETE', format('DELETE FROM %s', r.q)),
       ('TRUNCATE', format('TRUNCATE %s', r.q))) w(verb, sql)
 WHERE r.kind IN ('r', 'p')
 ORDER BY r.q, w.verb;
SELECT is(has_table_privilege('vigie_analyst', r.q, p), false,
          format('vigie_analyst has no %s on %s', p, r.q))
  FROM rels r, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                            'REFERENCES', 'TRIGGER']) p
 ORDER BY r.q, p;
SELECT is(has_sequence_privilege('vigie_analyst', format('%I.%I', n.nspname, c.relname), 'USAGE'),
          false, format('vigie_analyst cannot draw from %s', c.relname))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S' AND n.nspname = 'public' ORDER BY c.relname;
SELECT is(pg_temp.as_role('vigie_analyst', f), '42501',
          'vigie_analyst: ' || f || ' is refused')
  FROM unnest(ARRAY['SELECT maintain_partitions(NULL)',
                    'SELECT create_partitions(now(), now())',
                    'SELECT drop_partitions(now())']) f;
-- Webhook URLs carry secrets.
SELECT is(pg_temp.as_role('vigie_analyst', 'SELECT destination FROM outbox'),
          '42501', 'vigie_analyst cannot read the outbox''s destinations');
SELECT is(pg_temp.as_role('vigie_analyst', 'SELECT target, body FROM outbox'),
          'VGOK0', 'but reads the rest of it');
SELECT is(pg_temp.as_role('vigie_analyst', 'CREATE TABLE public.x (a int)'),
          '42501', 'vigie_analyst cannot create tables in public');
SELECT is(pg_temp.as_role('vigie_analyst', 'CREATE VIEW analytics.x AS SELECT 1'),
          '42501', 'vigie_analyst cannot create views in analytics');
-- ...and every table and view readable.
SELECT is(pg_temp.as_role('vigie_analyst', format('SELECT count(*) FROM %s', r.q)),
          'VGOK0', format('vigie_analyst reads %s', r.q))
  FROM rels r ORDER BY r.q;

-- The daemon writes the base tables, but may not empty them wholesale.
SELECT table_privs_are(r.nsp, r.rel, 'vigie_daemon',
                       ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'])
  FROM rels r WHERE r.nsp = 'public' AND r.kind IN ('r', 'p') ORDER BY r.rel;
SELECT is(pg_temp.as_role('vigie_daemon',
          $$INSERT INTO sources (name, url, interval_s) VALUES ('d', 'http://d/', 60)$$),
          'VGOK0', 'vigie_daemon inserts a source (and draws its id)');
SELECT is(pg_temp.as_role('vigie_daemon', 'SELECT maintain_partitions(''400 days'')'),
          'VGOK0', 'vigie_daemon maintains the partitions');
SELECT is(pg_temp.as_role('vigie_daemon', f), '42501',
          'vigie_daemon: ' || f || ' is refused')
  FROM unnest(ARRAY['SELECT create_partitions(now(), now())',
                    'SELECT drop_partitions(now())']) f;
SELECT is(pg_temp.as_role('vigie_daemon', 'TRUNCATE items CASCADE'),
          '42501', 'vigie_daemon cannot truncate');
-- The daemon's dashboard, without logins, reads every view (and writes
-- none: its connection is read-only, and the views are not writable).
SELECT is(pg_temp.as_role('vigie_daemon', format('SELECT count(*) FROM %s', r.q)),
          'VGOK0', format('vigie_daemon reads %s', r.q))
  FROM rels r WHERE r.nsp = 'analytics' ORDER BY r.q;

-- The editor: corrections only.
INSERT INTO sources (name, url, interval_s) VALUES ('s', 'http://s/', 60);
INSERT INTO watches (name, query) VALUES ('w', 'w');
INSERT INTO items (source_id, identity, title)
    SELECT id, 'i', 'w is bad' FROM sources WHERE name = 's';
INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment, label,
                      first_seen_at)
    SELECT i.id, w.id, i.source_id, '{w}', -0.5, 'negative', now()
      FROM items i, watches w;

SELECT column_privs_are('mentions', c, 'vigie_editor', ARRAY['UPDATE', 'SELECT'])
  FROM unnest(ARRAY['label_override', 'dismissed', 'handled']) c;
SELECT is(pg_temp.as_role('vigie_editor',
          'UPDATE mentions SET handled = true'),
          'VGOK0', 'vigie_editor marks an abusive mention handled');
SELECT is(pg_temp.as_role('vigie_editor',
          $$UPDATE mentions SET label_override = 'neutral' WHERE terms = '{w}'$$),
          'VGOK0', 'vigie_editor overrides a tone');
SELECT is(pg_temp.as_role('vigie_editor',
          'UPDATE mentions SET dismissed = true'),
          'VGOK0', 'vigie_editor dismisses a mention');
SELECT is(pg_temp.as_role('vigie_editor', format('UPDATE mentions SET %I = %I', c, c)),
          '42501', format('vigie_editor cannot write mentions.%s', c))
  FROM unnest(ARRAY['label', 'sentiment', 'watch_id', 'corrected_by',
                    'corrected_at', 'handled_by', 'handled_at']) c;
SELECT is(pg_temp.as_role('vigie_editor', q), '42501', 'vigie_editor: ' || q)
  FROM unnest(ARRAY['DELETE FROM mentions',
                    'INSERT INTO mentions SELECT * FROM mentions',
                    'UPDATE items SET title = title',
                    'UPDATE watches SET query = query']) q;
SELECT is(pg_temp.as_role('vigie_editor', format('SELECT count(*) FROM %s', r.q)),
          'VGOK0', format('vigie_editor reads %s', r.q))
  FROM rels r WHERE r.nsp = 'analytics' ORDER BY r.q;

-- Who corrected is recorded by the database, as the login role.
SET LOCAL ROLE vigie_editor;
UPDATE mentions SET label_override = 'positive';
RESET ROLE;
SELECT is((SELECT corrected_by FROM mentions), session_user::text,
          'the correction records who made it');
SELECT cmp_ok((SELECT corrected_at FROM mentions), '=', now(),
              'and when');
SELECT is((SELECT label FROM mentions), 'negative',
          'the detected label is kept');
SET LOCAL ROLE vigie_editor;
UPDATE mentions SET handled = true;
RESET ROLE;
SELECT results_eq($$SELECT handled, handled_by, handled_at = now()
                      FROM mentions$$,
                  $$VALUES (true, session_user::text COLLATE "default", true)$$,
                  'who marked it handled, and when, recorded by the database');
SELECT is((SELECT handled FROM analytics.mentions), true,
          'analytics.mentions shows it handled, still counted');
UPDATE mentions SET corrected_by = NULL, corrected_at = NULL;
UPDATE mentions SET sentiment = -0.6;
SELECT is((SELECT corrected_by FROM mentions), NULL,
          'an update that corrects nothing records no correction');

SELECT * FROM finish();
ROLLBACK;
