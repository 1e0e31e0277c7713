-- Leases to $1, for $3 seconds, up to $2 sources due now, the most
-- overdue first. Rows another daemon has locked are skipped, not waited
-- for; a lease is taken over once it runs out or its daemon is gone
-- (lease_live(), schema/018). Only another daemon's lease that has not
-- run out asks lease_live() whether its daemon is alive: that question
-- reads pg_locks, a table of every lock on the server built for each
-- call, and asked of each of our own sources in flight (a hundred at
-- a time in a cold start), at every claim, it cost about a tenth of the
-- server's time during a cycle (docs/BENCHMARKS.md). Our own lease holds
-- until it runs out: we are alive.
-- Returns: id, name, the URL to fetch (the discovered feed's, else the
-- configured one), etag, last_modified, failures.
UPDATE sources s SET lease_owner = $1,
  lease_until = now() + make_interval(secs => $3::int)
 FROM (SELECT id FROM sources
  WHERE enabled AND in_config AND next_poll_at <= now()
    AND (lease_owner IS NULL OR lease_until < now()
      OR (lease_owner <> $1 AND NOT lease_live(lease_owner, lease_until)))
  ORDER BY next_poll_at LIMIT $2::int FOR UPDATE SKIP LOCKED) due
 WHERE s.id = due.id
 RETURNING s.id, s.name, coalesce(s.feed_url, s.url), s.etag,
  s.last_modified, s.failures
