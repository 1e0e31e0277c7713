-- A fetch the database refused (not the connection: the data) is
-- recorded as a failure, so the source's lease goes and it is tried
-- again later, not in a loop, nor never.
-- $1: source id, $2: why, $3: next try in ms
UPDATE sources SET lease_owner = NULL, lease_until = NULL,
  failures = failures + 1, last_error = $2, last_fetch_at = now(),
  next_poll_at = now() + make_interval(secs => $3::bigint / 1000.0)
 WHERE id = $1::bigint
