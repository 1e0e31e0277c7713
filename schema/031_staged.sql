-- 031_staged: a save appends its new items and mentions to two staging
-- tables; index_items() moves them into items and mentions in the
-- background, each row written once, with its full-text vector and its
-- story.
--
-- Until now a save inserted each item into items (ten indexes, the
-- counts' and the parents' triggers) and each mention into mentions (six
-- indexes, the same triggers); seconds later index_items() updated every
-- item again for its vector and story, a second row version with an
-- entry in every index. A cold cycle over 2,000 feeds ran at about a
-- tenth of the rate of a bare COPY of its rows, bound by the server's
-- CPU (docs/BENCHMARKS.md, "Polling cycle"). The staging tables have a
-- key and, for items, the identity look-up's index: a save now writes
-- what COPY into bare tables would, plus the identity test and the
-- authors; the indexes, vectors, stories and counts are paid once, by
-- the merge, in batches, off the polling cycle.
--
-- What each reader sees:
-- - detection at once: detect_counts() (restated whole from 028; the
--   only change is that it reads the staged mentions with the merged
--   ones) and the daemon's own queries (its alerts' context, /metrics)
--   read both;
-- - analysts and the dashboard (items, mentions, every view) an item
--   once merged: seconds after its save when the daemon is idle, at most
--   about 20 s under load (docs/SQL.md, "When an item shows"); before
--   031 they saw it at once, unsearchable for as long.
--
-- The staging tables have the columns of items and mentions, in the same
-- order (tests/pgtap/staged.sql checks it): a column added to either
-- must be added to its staging table too. No foreign keys: the merge
-- drops what a source, watch or author deleted meanwhile left staged.

CREATE TABLE staged_items (LIKE items INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE staged_items ADD PRIMARY KEY (id);
-- The save's identity test: which of a fetch's items are known; unique,
-- as in each month of items, so that a bug fails the save rather than the
-- merge.
CREATE UNIQUE INDEX staged_items_identity
    ON staged_items (source_id, identity);

CREATE TABLE staged_mentions
    (LIKE mentions INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE staged_mentions ADD PRIMARY KEY (item_id, watch_id);

COMMENT ON TABLE staged_items IS 'Items saved and not yet merged into items (index_items()): the columns of items, without indexes beyond the identity look-up; empty once the daemon has caught up.';
COMMENT ON TABLE staged_mentions IS 'The mentions of staged items, from their save or a backfill, merged into mentions with their item; detection reads them at once.';

GRANT SELECT, INSERT, UPDATE, DELETE ON staged_items, staged_mentions
    TO vigie_daemon;
-- detect_counts() reads them, and analysts may call it (vigie backtest).
GRANT SELECT ON staged_items, staged_mentions TO vigie_analyst;

-- The indexing of items stored before 031 (their vector and story in an
-- UPDATE, as 026 left it): what index_items() does once nothing is
-- staged, until none is left.
ALTER FUNCTION index_items(integer) RENAME TO index_unsearched;
COMMENT ON FUNCTION index_unsearched(integer) IS 'Computes items.search, and items.story_id where unset, for the oldest items stored without a vector (before schema 031), at most batch of them; returns how many, and the age in seconds of the oldest left (NULL: none).';

-- The merged items whose story is still to be looked up, by id: a
-- batch's stories are looked up among the items merged before it, and
-- two merges side by side (the daemon's two connections, several
-- daemons) do not see each other's batch until both commit. So each merge
-- leaves its ids here, and the stories of the ids below the oldest item
-- still staged (whose merges have all committed) are looked up in id
-- order, one caller at a time (the advisory lock (1986356840, 2)).
CREATE TABLE story_pending (
    id            bigint      PRIMARY KEY,
    first_seen_at timestamptz NOT NULL
);
COMMENT ON TABLE story_pending IS 'Items merged whose story is still to be looked up (index_items()); empty once the daemon has caught up.';
GRANT SELECT, INSERT, UPDATE, DELETE ON story_pending TO vigie_daemon;

-- Merges the oldest staged items no other merge holds (at most batch)
-- into items, with their vector, and their mentions into mentions (the
-- counts' trigger then finds their items); then, if no other caller is
-- doing it, looks up the stories of the merged items whose turn has
-- come; with nothing staged, indexes items stored before 031.
CREATE FUNCTION index_items(batch integer,
                            OUT indexed bigint, OUT oldest_left_s float8)
LANGUAGE plpgsql VOLATILE SET jit = off AS $$
DECLARE
    moved bigint[];
    ids bigint[];
    seen timestamptz[];
BEGIN
    WITH todo AS (
        DELETE FROM staged_items s
         WHERE s.id IN (SELECT id FROM staged_items ORDER BY id
                         LIMIT batch FOR UPDATE SKIP LOCKED)
        RETURNING s.*
    ), kept AS (
        -- A source or author deleted since the save takes its staged
        -- items with it, as it would have merged ones.
        SELECT t.* FROM todo t
         WHERE EXISTS (SELECT FROM sources s WHERE s.id = t.source_id)
           AND (t.author_id IS NULL
                OR EXISTS (SELECT FROM authors a WHERE a.id = t.author_id))
    ), ins AS (
        INSERT INTO items (id, source_id, identity, guid, link, title,
            author, summary, content, lang, published_at, updated_at,
            first_seen_at, sentiment, label, abusive, tone_lang, url_norm,
            simhash, band0, band1, band2, band3, story_id, search,
            emotions, rumour, likes, shares, replies, views,
            author_followers, author_url, rating, rating_count, author_id,
            relayed_site)
        OVERRIDING SYSTEM VALUE
        SELECT id, source_id, identity, guid, link, title, author, summary,
            content, lang, published_at, updated_at, first_seen_at,
            sentiment, label, abusive, tone_lang, url_norm, simhash, band0,
            band1, band2, band3, NULL,
            item_search_vector(coalesce(tone_lang, lang), title, summary,
                               content),
            emotions, rumour, likes, shares, replies, views,
            author_followers, author_url, rating, rating_count, author_id,
            relayed_site
          FROM kept ORDER BY id
        RETURNING id, first_seen_at
    ), pending AS (
        INSERT INTO story_pending SELECT id, first_seen_at FROM ins
    )
    SELECT (SELECT array_agg(id) FROM todo), count(*)
      INTO moved, indexed FROM ins;
    IF pg_try_advisory_xact_lock(1986356840, 2) THEN
        -- The items below the oldest still staged: theirs and every
        -- earlier item's merges have committed (or are this one).
        WITH turn AS (
            DELETE FROM story_pending p
             WHERE p.id IN (SELECT id FROM story_pending
                             WHERE id < coalesce(
                                 (SELECT min(id) FROM staged_items),
                                 9223372036854775807)
                             ORDER BY id LIMIT batch)
            RETURNING p.id, p.first_seen_at
        )
        SELECT array_agg(id ORDER BY id), array_agg(first_seen_at ORDER BY id)
          INTO ids, seen FROM turn;
        IF ids IS NOT NULL THEN
            -- Few continue a story; only they are written again.
            UPDATE items i SET story_id = s.story
              FROM item_stories(ids, seen) s
              JOIN unnest(ids, seen) AS b(id, first_seen_at)
                ON b.id = s.id
             WHERE i.id = s.id AND i.first_seen_at = b.first_seen_at;
        END IF;
    END IF;
    -- The mentions last: the counts' trigger on mentions locks the day's
    -- counts until the end of the transaction, and a merge beside this
    -- one waits for them.
    IF moved IS NOT NULL THEN
        WITH m AS (
            DELETE FROM staged_mentions WHERE item_id = ANY (moved)
            RETURNING *
        )
        INSERT INTO mentions
        SELECT m.* FROM m
         WHERE EXISTS (SELECT FROM items i WHERE i.id = m.item_id
                          AND i.first_seen_at = m.first_seen_at)
           AND EXISTS (SELECT FROM watches w WHERE w.id = m.watch_id);
    ELSE
        SELECT u.indexed INTO indexed FROM index_unsearched(batch) u;
    END IF;
    -- The oldest waiting besides this batch: staged, its story to find,
    -- or stored unindexed. The lowest id is about the oldest, and its
    -- key finds it without reading the whole backlog.
    SELECT extract(epoch FROM now() - min(t))::float8 INTO oldest_left_s
      FROM (SELECT (SELECT first_seen_at FROM staged_items
                     ORDER BY id LIMIT 1) AS t
            UNION ALL
            SELECT (SELECT first_seen_at FROM story_pending
                     ORDER BY id LIMIT 1)
            UNION ALL
            SELECT min(first_seen_at) FROM items WHERE search IS NULL) x;
END
$$;

COMMENT ON FUNCTION index_items(integer) IS 'Merges the oldest staged items no other merge holds (at most batch) into items with their vector, and their mentions into mentions, then looks up the stories of merged items whose turn has come; with none staged, indexes items stored before schema 031. Returns how many it merged or indexed, and the age in seconds of the oldest item left staged, without its story, or unindexed (NULL: none).';

-- A backfill's mentions of recent items (the daemon's
-- service/db/sql/save_mentions.sql): into mentions for a merged item,
-- into staged_mentions for one still staged. The staged items are locked
-- first (a merge moving one is waited for, and then finds it merged; a
-- merge skips those locked), so that none moves between the two inserts,
-- which read after the lock: its mention would be left in staging.
-- $1: as save_mentions.sql's
CREATE FUNCTION backfill_mentions(analysis json) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM 1 FROM staged_items
      WHERE id IN (SELECT x.item FROM json_to_recordset(analysis)
                     AS x(item bigint))
      FOR SHARE;
    -- Items stored before the scorer judged them get their tone.
    UPDATE items i SET sentiment = x.tone, label = x.label,
        abusive = x.abusive, tone_lang = x.tone_lang,
        emotions = x.emotions, rumour = x.rumour
      FROM json_to_recordset(analysis) AS x(item bigint, tone real,
        label text, abusive boolean, tone_lang text, emotions text[],
        rumour boolean)
     WHERE i.id = x.item AND i.sentiment IS NULL;
    WITH found AS (
        SELECT i.staged, i.id, w.id AS watch_id, i.source_id, m.terms,
            coalesce(x.tone_lang, i.lang) AS lang, m.tone, m.label,
            coalesce(m.abusive, false) AS abusive,
            coalesce(m.emotions, '{}') AS emotions,
            coalesce(m.rumour, false) AS rumour, i.published_at,
            i.first_seen_at
          FROM json_to_recordset(analysis) AS x(item bigint,
            tone_lang text, mentions json)
          JOIN (SELECT false AS staged, id, source_id, lang, published_at,
                       first_seen_at FROM items
                UNION ALL
                SELECT true, id, source_id, lang, published_at,
                       first_seen_at FROM staged_items) i ON i.id = x.item
         CROSS JOIN LATERAL json_to_recordset(x.mentions) AS m(watch text,
            terms text[], tone real, label text, abusive boolean,
            emotions text[], rumour boolean)
          JOIN watches w ON w.name = m.watch
    ), merged AS (
        INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,
            sentiment, label, abusive, emotions, rumour, published_at,
            first_seen_at)
        SELECT id, watch_id, source_id, terms, lang, tone, label, abusive,
            emotions, rumour, published_at, first_seen_at
          FROM found WHERE NOT staged
        ON CONFLICT DO NOTHING
        RETURNING 1
    ), staged AS (
        INSERT INTO staged_mentions (item_id, watch_id, source_id, terms,
            lang, sentiment, label, abusive, emotions, rumour,
            published_at, first_seen_at)
        SELECT id, watch_id, source_id, terms, lang, tone, label, abusive,
            emotions, rumour, published_at, first_seen_at
          FROM found WHERE staged
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM merged) + (SELECT count(*) FROM staged)
      INTO n;
    RETURN n;
END
$$;

COMMENT ON FUNCTION backfill_mentions(json) IS 'Writes the mentions a backfill found (the daemon''s analysis as JSON) where each item is, merged or staged; returns how many.';

-- A changed query's old mentions in the window it matches again, merged
-- or staged (the daemon's service/db/sql/backfill_purge.sql): the staged
-- ones first, then, reading after, the merged ones, so that a mention a
-- merge moves meanwhile is deleted where it lands. An editor's
-- correction outlives a new query.
CREATE FUNCTION backfill_purge(names json, window_s bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    DELETE FROM staged_mentions m USING watches w
     WHERE m.watch_id = w.id AND w.backfilled_at IS NOT NULL
       AND w.name IN (SELECT json_array_elements_text(names))
       AND m.first_seen_at > now() - make_interval(secs => window_s);
    DELETE FROM mentions m USING watches w
     WHERE m.watch_id = w.id AND w.backfilled_at IS NOT NULL
       AND w.name IN (SELECT json_array_elements_text(names))
       AND m.first_seen_at > now() - make_interval(secs => window_s)
       AND m.label_override IS NULL AND NOT m.dismissed;
END
$$;

COMMENT ON FUNCTION backfill_purge(json, bigint) IS 'Deletes the mentions, merged or staged, of the named watches (a json array) first seen in the last window_s seconds, but those an editor corrected or dismissed: a changed query''s old mentions, before its backfill.';

-- Detection reads every mention as soon as it is saved: the merged ones
-- and the staged ones. A staged item has no story yet: it counts as its
-- own, as a merged one did until the indexer found its story.
CREATE OR REPLACE FUNCTION detect_counts(from_ms bigint, to_ms bigint,
                                         bucket_ms bigint, window_ms bigint,
                                         only_watch text DEFAULT NULL)
RETURNS TABLE (watch text, bucket bigint, negative bigint, total bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.name,
           (floor(extract(epoch FROM x.t) * 1000 / bucket_ms)
               * bucket_ms)::bigint,
           count(DISTINCT (m.story, coalesce(m.relayed_site, s.family)))
               FILTER (WHERE coalesce(m.label_override, m.label) = 'negative'),
           count(DISTINCT (m.story, coalesce(m.relayed_site, s.family)))
      FROM (SELECT m.watch_id, m.source_id, m.label, m.label_override,
                   m.dismissed, m.published_at, m.first_seen_at,
                   coalesce(i.story_id, i.id) AS story, i.relayed_site
              FROM mentions m
              JOIN items i ON i.id = m.item_id
                          AND i.first_seen_at = m.first_seen_at
            UNION ALL
            SELECT m.watch_id, m.source_id, m.label, m.label_override,
                   m.dismissed, m.published_at, m.first_seen_at, i.id,
                   i.relayed_site
              FROM staged_mentions m
              JOIN staged_items i ON i.id = m.item_id) m
      JOIN watches w ON w.id = m.watch_id
      JOIN sources s ON s.id = m.source_id,
           LATERAL (SELECT mention_time(m.published_at, m.first_seen_at,
                       make_interval(secs => window_ms / 1000.0)) AS t) x
     WHERE NOT m.dismissed
       AND (CASE WHEN only_watch IS NULL THEN w.in_config
                 ELSE w.name = only_watch END)
       -- a mention counts at most a window before it was first seen
       AND m.first_seen_at >= to_timestamp(from_ms / 1000.0)
       AND x.t >= to_timestamp(from_ms / 1000.0)
       AND x.t < to_timestamp(to_ms / 1000.0)
     GROUP BY 1, 2
$$;
