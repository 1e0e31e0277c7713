-- 033_daemons_alive: whether a lease's daemon is alive is read from
-- pg_locks once per statement, not once per lease.
--
-- lease_live() (schema 018) reads pg_locks, which PostgreSQL builds whole
-- (every lock of the server) at each read, and, as a function with a
-- sub-select, it is never inlined: the claims called it, and so read
-- pg_locks, for every leased row they passed. In a cold cycle the
-- daemon's own hundred sources in flight, passed at every claim, cost
-- about a tenth of the server's time (docs/BENCHMARKS.md, "Leases");
-- another daemon's sources in flight cost the same.
--
-- lease_held() is the rule, given the daemons alive as an array: a plain
-- expression, which PostgreSQL inlines, so that a claim that passes it
-- ARRAY(SELECT owner_key FROM daemons_alive) reads pg_locks once (an
-- init plan), and only if some lease has not run out. lease_live()
-- answers as before, through it.

CREATE VIEW daemons_alive AS
SELECT l.objid AS owner_key
FROM pg_catalog.pg_locks l
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.database = (SELECT oid FROM pg_catalog.pg_database
                    WHERE datname = current_database())
  AND l.classid = 1986356841::oid;

COMMENT ON VIEW daemons_alive IS 'The daemons alive on this database: those holding the advisory lock daemon_register() takes, by the key of their owner name.';
COMMENT ON COLUMN daemons_alive.owner_key IS 'hashtext(owner)::oid of a daemon alive.';

CREATE FUNCTION lease_held(owner text, until timestamptz, alive oid[])
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT owner IS NOT NULL AND until >= now()
    AND hashtext(owner)::oid = ANY (alive)
$$;

COMMENT ON FUNCTION lease_held(text, timestamptz, oid[]) IS 'Whether a lease holds, given the daemons alive (ARRAY(SELECT owner_key FROM daemons_alive)): not run out, and its daemon among them. Inlined where it is called.';

-- 018's, restated through lease_held(); same answer.
CREATE OR REPLACE FUNCTION lease_live(owner text, until timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT lease_held(owner, until,
                    ARRAY(SELECT owner_key FROM daemons_alive))
$$;
