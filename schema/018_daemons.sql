-- 018_daemons: several daemons on one database - a dead daemon's leases
-- are free at once, and one daemon at a time runs detection and the
-- partitions' maintenance.
--
-- Sources and notifications are leased (lease_owner, lease_until) so that
-- one daemon polls a source or sends a notification. A lease outlived its
-- daemon by its length (three timeouts and five minutes for a source):
-- the sources a killed daemon was polling waited that long. Now each
-- daemon holds, on its first connection and for as long as it runs, the
-- session advisory lock (1986356841, hashtext(its owner name)), taken by
-- daemon_register(); PostgreSQL releases it when the session ends, which
-- for a killed daemon is as soon as the server sees its socket closed. A
-- lease whose owner holds no such lock is void (lease_live()).
--
-- Detection (the incidents' state changes, from counts every daemon
-- could read) and the partitions' maintenance and retention must be done
-- by one daemon at a time: the one that holds the advisory lock
-- (1986356840, 1), taken by take_lead(). A leader that dies frees it with
-- its session, and the next daemon to ask takes over, with the tracks the
-- last leader saved.
--
-- Both locks live in this database only (pg_locks.database), and the two
-- first keys keep them apart from each other and from any other user of
-- advisory locks. hashtext() of two owner names may collide (one chance
-- in four billion per pair): the cost would be a lease left to run out.

CREATE FUNCTION daemon_register(owner text) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
  SELECT pg_try_advisory_lock(1986356841, hashtext(owner))
$$;

CREATE FUNCTION lease_live(owner text, until timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT owner IS NOT NULL AND until >= now() AND EXISTS (
    SELECT 1 FROM pg_catalog.pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_catalog.pg_database
                        WHERE datname = current_database())
      AND l.classid = 1986356841::oid
      AND l.objid = hashtext(owner)::oid)
$$;

COMMENT ON FUNCTION lease_live(text, timestamptz) IS
  'Whether a lease holds: not run out, and its daemon alive (holding the '
  'advisory lock daemon_register() takes).';

CREATE FUNCTION take_lead() RETURNS boolean
LANGUAGE sql VOLATILE AS $$
  SELECT pg_try_advisory_lock(1986356840, 1)
$$;

-- Who leads, for an operator: the leader's backend, its application
-- name and since when it is connected.
CREATE VIEW daemon_leader AS
SELECT a.pid, a.application_name, a.client_addr, a.backend_start
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.classid = 1986356840::oid AND l.objid = 1::oid
  AND l.database = (SELECT oid FROM pg_catalog.pg_database
                    WHERE datname = current_database());

COMMENT ON VIEW daemon_leader IS
  'The daemon that runs detection and the partitions'' maintenance: its '
  'backend''s pid, application name, address and start (none while no '
  'daemon leads).';
