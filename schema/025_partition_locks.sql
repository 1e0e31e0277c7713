-- 025_partition_locks: retention drops its months without ever waiting
-- for a lock while it holds another.
--
-- Dropping a month's partitions locks their parents (items, mentions,
-- fetches) and the tables their foreign keys reference (sources,
-- watches, authors), one after the other, waiting for each. The saves
-- take the same tables in another order (items first), so a drop that
-- held fetches and waited for items, while a save held items and waited
-- for fetches, was a deadlock, and PostgreSQL broke it by failing one of
-- the two: the maintenance or, worse, a save. Now every lock the drops
-- need is asked for at once and without waiting (NOWAIT): when one is
-- taken, those obtained are let go and the whole set is asked for again
-- a little later, within the lock timeout maintain_partitions() sets.
-- Nothing is ever held while waiting, so no cycle can form; the drops
-- then find everything already theirs.
CREATE OR REPLACE FUNCTION drop_partitions(cutoff timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    parts text[];
    budget interval := coalesce(nullif(current_setting('lock_timeout'),
                                       '0'), '5s')::interval;
    deadline timestamptz;
    locked boolean := false;
    part text;
    gone date;
BEGIN
    SELECT array_agg(c.relname ORDER BY c.relname) INTO parts
      FROM pg_inherits h
      JOIN pg_class c ON c.oid = h.inhrelid
      JOIN pg_class p ON p.oid = h.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = 'public'
       AND p.relname IN ('mentions', 'items', 'fetches')
       AND c.relname ~ ('^' || p.relname || '_[0-9]{4}_[0-9]{2}$')
       AND (to_date(right(c.relname, 7), 'YYYY_MM') + interval '1 month')
           AT TIME ZONE 'UTC' <= cutoff;
    IF parts IS NOT NULL THEN
        deadline := clock_timestamp() + budget;
        LOOP
            BEGIN
                -- The parents, the months, and what their keys point at.
                EXECUTE 'LOCK TABLE public.items, public.mentions, '
                    'public.fetches, public.sources, public.watches, '
                    'public.authors, '
                    || (SELECT string_agg(format('public.%I', x), ', ')
                          FROM unnest(parts) x)
                    || ' IN ACCESS EXCLUSIVE MODE NOWAIT';
                locked := true;
            EXCEPTION WHEN lock_not_available THEN
                -- The subtransaction's locks went with it.
                locked := false;
            END;
            EXIT WHEN locked OR clock_timestamp() >= deadline;
            PERFORM pg_sleep(0.05);
        END LOOP;
        IF NOT locked THEN
            RAISE EXCEPTION 'the partitions older than % could not all be '
                'locked within the lock timeout (%): a query still reads '
                'them; they go at the next maintenance', cutoff, budget
                USING ERRCODE = 'lock_not_available';
        END IF;
        FOREACH part IN ARRAY parts LOOP
            EXECUTE format('DROP TABLE public.%I', part);
        END LOOP;
    END IF;
    -- A month ends at or before cutoff when it begins before cutoff's
    -- month: the months whose partitions went above.
    gone := date_trunc('month', cutoff AT TIME ZONE 'UTC')::date;
    DELETE FROM mention_counts WHERE seen < gone;
    DELETE FROM source_counts WHERE seen < gone;
    DELETE FROM term_counts WHERE seen < gone;
    DELETE FROM emotion_counts WHERE seen < gone;
    DELETE FROM item_counts WHERE day < gone;
    DELETE FROM story_mentions
     WHERE first_seen_at < gone::timestamp AT TIME ZONE 'UTC';
    RETURN coalesce(array_length(parts, 1), 0);
END
$$;
