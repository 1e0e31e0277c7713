-- The watches waiting for a backfill, with whether they were matched
-- before (their old mentions are purged first) and the database's clock,
-- which backfill_done compares with query_changed_at (the daemon's clock
-- may differ).
SELECT name, backfilled_at IS NOT NULL, now()::text FROM watches
 WHERE in_config AND backfill_needed ORDER BY id
