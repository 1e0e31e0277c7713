-- 027_parent_checks: the references of items and mentions to their
-- source, author and watch checked once per statement rather than once
-- per row.
--
-- A foreign key checks each row written with a query of its own, which
-- locks the parent row it finds (FOR KEY SHARE). A cold cycle over 2,000
-- feeds writes 69,846 items and 109,130 mentions: about 358,000 such
-- queries, for the few hundred sources, authors and watches they name;
-- dropping the four keys saved 2.7 of the 8.3 s that COPY took to load the
-- cycle's rows into this schema (bench/poll_bench.py --schema-costs,
-- docs/BENCHMARKS.md). The triggers below ask the same of a statement's
-- rows at once: the distinct parents they name are locked FOR KEY SHARE,
-- in key order, as the keys locked them one by one, so that a parent's
-- delete waits for the writing transaction and then removes what it
-- wrote; a parent missing fails the statement as a foreign key would
-- (SQLSTATE 23503, the same constraint names). The actions follow the
-- parents: deleting a source deletes its items and mentions, deleting a
-- watch its mentions; an author whom items name cannot be deleted; no
-- parent's id changes.
--
-- What the keys did and these do not: rows written straight into a month
-- partition (items_2026_12 rather than items) are not checked, as they are
-- not counted (schema 017: a partitioned table's statement triggers fire
-- for statements on it); TRUNCATE of a parent leaves its children; and
-- the catalogue no longer lists the references (docs/SQL.md does).

ALTER TABLE items DROP CONSTRAINT items_source_id_fkey;
ALTER TABLE items DROP CONSTRAINT items_author_id_fkey;
ALTER TABLE mentions DROP CONSTRAINT mentions_source_id_fkey;
ALTER TABLE mentions DROP CONSTRAINT mentions_watch_id_fkey;

-- Locks the rows of parent whose ids are in ids (distinct, no NULL) FOR
-- KEY SHARE, in id order; fails with the foreign key's error for the
-- smallest id it does not hold. Locked and counted in one query: a parent
-- committed between a lock and a later look could be deleted before the
-- writer commits.
CREATE FUNCTION lock_parents(ids bigint[], parent regclass, child regclass,
                             col text, constraint_name text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    locked bigint;
    missing bigint;
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s p'
                   ' WHERE p.id = ANY ($1) ORDER BY p.id FOR KEY SHARE) l',
                   parent)
       INTO locked USING ids;
    IF locked = cardinality(ids) THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT min(x) FROM unnest($1) x'
                   ' WHERE NOT EXISTS (SELECT FROM %s p WHERE p.id = x)',
                   parent)
       INTO missing USING ids;
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                    child, constraint_name
        USING ERRCODE = 'foreign_key_violation',
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                              col, missing, parent),
              TABLE = child::text, COLUMN = col,
              CONSTRAINT = constraint_name;
END
$$;

REVOKE EXECUTE ON FUNCTION lock_parents(bigint[], regclass, regclass, text,
                                        text) FROM PUBLIC;

COMMENT ON FUNCTION lock_parents(bigint[], regclass, regclass, text, text) IS 'Locks FOR KEY SHARE the rows of parent with these ids, in id order; raises a foreign key violation (23503) naming child, col and the constraint for the first id missing.';

-- The parents of a statement's new rows (new_rows), each distinct id
-- once: all of an INSERT's, and those of an UPDATE's rows whose
-- reference changed (the indexer's updates of every batch change none,
-- and lock nothing). As the schema's owner, as a foreign key's check:
-- locking a row takes a right to update its table, which an editor
-- correcting a mention has not on sources.
CREATE FUNCTION items_parents() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    sources_ids bigint[];
    authors_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT source_id),
               array_agg(DISTINCT author_id)
                   FILTER (WHERE author_id IS NOT NULL)
          INTO sources_ids, authors_ids
          FROM new_rows;
    ELSE
        SELECT array_agg(DISTINCT n.source_id)
                   FILTER (WHERE n.source_id <> o.source_id),
               array_agg(DISTINCT n.author_id)
                   FILTER (WHERE n.author_id IS DISTINCT FROM o.author_id
                             AND n.author_id IS NOT NULL)
          INTO sources_ids, authors_ids
          FROM new_rows n
          JOIN old_rows o ON o.id = n.id AND o.first_seen_at = n.first_seen_at;
    END IF;
    PERFORM lock_parents(sources_ids, 'sources', 'items', 'source_id',
                         'items_source_id_fkey');
    PERFORM lock_parents(authors_ids, 'authors', 'items', 'author_id',
                         'items_author_id_fkey');
    RETURN NULL;
END
$$;

CREATE FUNCTION mentions_parents() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    sources_ids bigint[];
    watches_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT source_id), array_agg(DISTINCT watch_id)
          INTO sources_ids, watches_ids
          FROM new_rows;
    ELSE
        SELECT array_agg(DISTINCT n.source_id)
                   FILTER (WHERE n.source_id <> o.source_id),
               array_agg(DISTINCT n.watch_id)
                   FILTER (WHERE n.watch_id <> o.watch_id)
          INTO sources_ids, watches_ids
          FROM new_rows n
          JOIN old_rows o ON o.item_id = n.item_id
                         AND o.watch_id = n.watch_id
                         AND o.first_seen_at = n.first_seen_at;
    END IF;
    PERFORM lock_parents(sources_ids, 'sources', 'mentions', 'source_id',
                         'mentions_source_id_fkey');
    PERFORM lock_parents(watches_ids, 'watches', 'mentions', 'watch_id',
                         'mentions_watch_id_fkey');
    RETURN NULL;
END
$$;

-- After the row triggers and the counts (triggers fire in name order):
-- an error undoes the statement, counts included.
CREATE TRIGGER parents_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION items_parents();
CREATE TRIGGER parents_update AFTER UPDATE ON items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION items_parents();
CREATE TRIGGER parents_insert AFTER INSERT ON mentions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_parents();
CREATE TRIGGER parents_update AFTER UPDATE ON mentions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_parents();

-- The keys' actions, as the owner of the children: whoever may delete a
-- source deletes what it brought. Mentions first, so that the counts
-- they leave still find their items' authors (schema 017).
CREATE FUNCTION parents_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'sources' THEN
        DELETE FROM mentions WHERE source_id IN (SELECT id FROM old_rows);
        DELETE FROM items WHERE source_id IN (SELECT id FROM old_rows);
    ELSIF TG_TABLE_NAME = 'watches' THEN
        DELETE FROM mentions WHERE watch_id IN (SELECT id FROM old_rows);
    ELSIF EXISTS (SELECT FROM items
                   WHERE author_id IN (SELECT id FROM old_rows)) THEN
        RAISE EXCEPTION 'update or delete on table "authors" violates foreign key constraint "items_author_id_fkey" on table "items"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'Items still name these authors.',
                  TABLE = 'items', CONSTRAINT = 'items_author_id_fkey';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER children_deleted AFTER DELETE ON sources
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION parents_deleted();
CREATE TRIGGER children_deleted AFTER DELETE ON watches
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION parents_deleted();
CREATE TRIGGER children_deleted AFTER DELETE ON authors
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION parents_deleted();

-- Identity columns take no value but DEFAULT; that one would orphan the
-- children.
CREATE FUNCTION parent_id_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the id of a row of % does not change', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END
$$;

CREATE TRIGGER id_kept BEFORE UPDATE OF id ON sources
    FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id)
    EXECUTE FUNCTION parent_id_kept();
CREATE TRIGGER id_kept BEFORE UPDATE OF id ON watches
    FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id)
    EXECUTE FUNCTION parent_id_kept();
CREATE TRIGGER id_kept BEFORE UPDATE OF id ON authors
    FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id)
    EXECUTE FUNCTION parent_id_kept();

COMMENT ON FUNCTION items_parents() IS 'Trigger: the sources and authors a statement''s items name exist, and stay until it commits (FOR KEY SHARE).';
COMMENT ON FUNCTION mentions_parents() IS 'Trigger: the sources and watches a statement''s mentions name exist, and stay until it commits (FOR KEY SHARE).';
COMMENT ON FUNCTION parents_deleted() IS 'Trigger: a deleted source takes its items and mentions, a deleted watch its mentions; an author items name is not deleted.';
COMMENT ON FUNCTION parent_id_kept() IS 'Trigger: the id of a source, watch or author never changes.';
