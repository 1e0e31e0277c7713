-- 032_staged_parents: the keys' actions of schema 027 reach the staging
-- tables of schema 031. A source deleted takes its staged items and
-- mentions with it, a watch its staged mentions, and an author whom a
-- staged item names cannot be deleted, as one whom a merged item names
-- cannot: before, the merge dropped a staged item whose author was gone,
-- an item lost for a delete that would have been refused a few seconds
-- later. parents_deleted() is 027's, restated whole; the changes are the
-- staging tables' lines. The merge still drops what a source or watch
-- deleted while a save was writing its rows left staged (the delete does
-- not see rows not yet committed).
CREATE OR REPLACE FUNCTION parents_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'sources' THEN
        DELETE FROM staged_mentions WHERE source_id IN (SELECT id FROM old_rows);
        DELETE FROM staged_items WHERE source_id IN (SELECT id FROM old_rows);
        DELETE FROM mentions WHERE source_id IN (SELECT id FROM old_rows);
        DELETE FROM items WHERE source_id IN (SELECT id FROM old_rows);
    ELSIF TG_TABLE_NAME = 'watches' THEN
        DELETE FROM staged_mentions WHERE watch_id IN (SELECT id FROM old_rows);
        DELETE FROM mentions WHERE watch_id IN (SELECT id FROM old_rows);
    ELSIF EXISTS (SELECT FROM items
                   WHERE author_id IN (SELECT id FROM old_rows))
       OR EXISTS (SELECT FROM staged_items
                   WHERE author_id IN (SELECT id FROM old_rows)) THEN
        RAISE EXCEPTION 'update or delete on table "authors" violates foreign key constraint "items_author_id_fkey" on table "items"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'Items still name these authors.',
                  TABLE = 'items', CONSTRAINT = 'items_author_id_fkey';
    END IF;
    RETURN NULL;
END
$$;
