-- What became of delivery $1: delivered ($2), or the error $3 and a next
-- try in $4 ms, or given up ($5). The lease goes either way.
UPDATE outbox SET attempts = attempts + 1,
  lease_owner = NULL, lease_until = NULL,
  delivered_at = CASE WHEN $2::boolean THEN now() END,
  last_error = CASE WHEN $2::boolean THEN last_error ELSE $3 END,
  failed_at = CASE WHEN NOT $2::boolean AND $5::boolean
    THEN now() END,
  next_attempt_at = CASE WHEN $2::boolean THEN next_attempt_at
    ELSE now() + make_interval(secs => $4::bigint / 1000.0) END
 WHERE id = $1::bigint
