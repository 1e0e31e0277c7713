-- 036_staged_retention: retention deletes what staging still holds of
-- the months it drops.
--
-- Staging empties within seconds; only an item the database refused to
-- merge (schema 035) grows old there. Once retention has dropped its
-- month, no partition of items can take it: its merge was refused again,
-- and logged, every ten minutes for ever. The maintenance now deletes
-- the staged items of the months it drops, with their mentions and their
-- refusal, as it deletes the items of those months.
--
-- Before the drops, and only rows no merge holds (SKIP LOCKED): the
-- drops lock items and mentions, which a merge holding staged rows
-- waits for, so deleting after them could wait for a merge that waits
-- for us. A row a merge holds is refused by it (no partition for the
-- row), set aside, and deleted at the next maintenance.
CREATE OR REPLACE FUNCTION maintain_partitions(retention interval)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
SET lock_timeout = '5s'
AS $$
DECLARE
    -- drop_partitions()'s months: those that begin before the cutoff's.
    gone timestamptz := date_trunc('month',
        (now() - retention) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
BEGIN
    PERFORM create_partitions(now(), now() + interval '1 month');
    DELETE FROM fetch_counts WHERE hour < now() - interval '2 days';
    IF retention IS NULL THEN
        RETURN 0;
    END IF;
    WITH old AS (
        DELETE FROM staged_items
         WHERE id IN (SELECT id FROM staged_items
                       WHERE first_seen_at < gone
                         FOR UPDATE SKIP LOCKED)
        RETURNING id
    ), m AS (
        DELETE FROM staged_mentions WHERE item_id IN (SELECT id FROM old)
    )
    DELETE FROM staged_refused WHERE item_id IN (SELECT id FROM old);
    RETURN drop_partitions(now() - retention);
END
$$;

COMMENT ON FUNCTION maintain_partitions(interval) IS 'The hourly maintenance: creates the month partitions ahead of need, forgets the polls counted two days ago and, with a retention, deletes the staged items of the months older than it and drops those months (drop_partitions()); returns how many partitions went.';
