-- 019_story_probe: a save's new mentions cost no look-up of their items
-- for story_mentions.
--
-- On every insert into mentions, schema 017's trigger joined each new
-- mention to its item, to see whether the item belongs to a story of
-- several (story_mentions_sql()). For the mentions a save inserts with
-- its new items the answer is always no: their items were inserted by
-- the same statement, and an item's story is found later by
-- index_items(), in another transaction (whose trigger on items records
-- the story's mentions then). Those mentions are first seen now()
-- (save_fetch.sql), as their items are; a backfill's mentions are first
-- seen when their items were. The insert's look-up is now made for
-- mentions first seen before the transaction only: one index probe less
-- per mention of every save (the author's probe, for source_counts,
-- stays).

CREATE OR REPLACE FUNCTION mentions_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE mention_counts_sql('SELECT n.*, 1 AS k FROM new_rows n');
        EXECUTE story_mentions_sql(
            'SELECT * FROM new_rows WHERE first_seen_at < now()');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE mention_counts_sql('SELECT o.*, -1 AS k FROM old_rows o');
    ELSE
        EXECUTE mention_counts_sql('SELECT n.*, 1 AS k FROM new_rows n'
                                   ' UNION ALL'
                                   ' SELECT o.*, -1 FROM old_rows o');
    END IF;
    RETURN NULL;
END
$$;
