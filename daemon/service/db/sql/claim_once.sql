-- As claim_due, for a single pass (vigie run --once): every enabled
-- source not fetched since $4 (ms since the epoch), due or not.
-- Returns the columns of claim_due; leases are tested as there.
UPDATE sources s SET lease_owner = $1,
  lease_until = now() + make_interval(secs => $3::int)
 FROM (SELECT id FROM sources
  WHERE enabled AND in_config
    AND coalesce(last_fetch_at, '-infinity')
      < to_timestamp($4::bigint / 1000.0)
    AND NOT lease_held(lease_owner, lease_until,
      ARRAY(SELECT owner_key FROM daemons_alive))
  ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED) due
 WHERE s.id = due.id
 RETURNING s.id, s.name, coalesce(s.feed_url, s.url), s.etag,
  s.last_modified, s.failures
