-- Leases to $1, for $3 seconds, up to $2 notifications that are due, the
-- longest waiting first; leases are tested as in claim_due.sql.
UPDATE outbox o SET lease_owner = $1,
  lease_until = now() + make_interval(secs => $3::int)
 FROM (SELECT id FROM outbox
  WHERE delivered_at IS NULL AND failed_at IS NULL
    AND next_attempt_at <= now()
    AND NOT lease_held(lease_owner, lease_until,
      ARRAY(SELECT owner_key FROM daemons_alive))
  ORDER BY next_attempt_at LIMIT $2::int FOR UPDATE SKIP LOCKED) d
 WHERE o.id = d.id
 RETURNING o.id, o.event_id, o.target, o.channel, o.destination,
  o.content_type, o.body, o.attempts,
  (extract(epoch FROM o.created_at) * 1000)::bigint
