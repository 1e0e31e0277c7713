-- Leases to $1, for $3 seconds, up to $2 sources due now, the most
-- overdue first. Rows another daemon has locked are skipped, not waited
-- for; a lease is taken over once it runs out or its daemon is gone
-- (schema/018). The daemons alive are read once per claim, not for each
-- lease it passes (lease_held(), schema/033).
-- Returns: id, name, the URL to fetch (the discovered feed's, else the
-- configured one), etag, last_modified, failures.
UPDATE sources s SET lease_owner = $1,
  lease_until = now() + make_interval(secs => $3::int)
 FROM (SELECT id FROM sources
  WHERE enabled AND in_config AND next_poll_at <= now()
    AND NOT lease_held(lease_owner, lease_until,
      ARRAY(SELECT owner_key FROM daemons_alive))
  ORDER BY next_poll_at LIMIT $2::int FOR UPDATE SKIP LOCKED) due
 WHERE s.id = due.id
 RETURNING s.id, s.name, coalesce(s.feed_url, s.url), s.etag,
  s.last_modified, s.failures
