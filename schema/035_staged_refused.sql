-- 035_staged_refused: an item the database refuses to merge is set
-- aside, and the backlog behind it goes on.
--
-- index_items() (schema 031) merged its batch in one statement, oldest
-- items first: one item the database refused (a constraint, a trigger of
-- the site's own, a value beyond a limit) failed the whole batch, and
-- every later batch, which took it again. Nothing more became
-- searchable, no story behind it was looked up, and `vigie run --once`,
-- which merges what it stored before it exits, never ended. Now a batch
-- refused for a reason that is an item's (merge_refusal(): SQLSTATE
-- class 22, data; 23, integrity; 54, a limit; P0, a trigger's RAISE) is
-- merged again one item at a time, each in a subtransaction, and the
-- items refused again are set aside in staged_refused with the error:
-- left staged, their mentions still counted by detection, out of the
-- others' way, and tried again after a minute, then two, four, at most
-- ten. Any other refusal (a full disk, a lock not granted, a privilege
-- missing) is not an item's: the batch fails as before and is tried
-- again 5 seconds later, nothing set aside.
CREATE TABLE staged_refused (
    item_id        bigint PRIMARY KEY,
    first_refused  timestamptz NOT NULL DEFAULT now(),
    tries          integer NOT NULL DEFAULT 1,
    retry_at       timestamptz NOT NULL,
    sqlstate       text NOT NULL,
    error          text NOT NULL
);

COMMENT ON TABLE staged_refused IS 'Staged items the database refused to merge into items, set aside so that the others go on (index_items()): tried again at retry_at; a row goes when its item is merged or deleted.';
COMMENT ON COLUMN staged_refused.item_id IS 'The staged item (staged_items.id).';
COMMENT ON COLUMN staged_refused.first_refused IS 'When its merge was first refused.';
COMMENT ON COLUMN staged_refused.tries IS 'How many merges of it were refused.';
COMMENT ON COLUMN staged_refused.retry_at IS 'When its merge is tried again: a minute after the first refusal, then twice as long each time, at most ten minutes.';
COMMENT ON COLUMN staged_refused.sqlstate IS 'The last refusal''s SQLSTATE.';
COMMENT ON COLUMN staged_refused.error IS 'The last refusal''s message.';

GRANT SELECT, INSERT, UPDATE, DELETE ON staged_refused TO vigie_daemon;
GRANT SELECT ON staged_refused TO vigie_analyst;

CREATE FUNCTION merge_refusal(state text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT left(state, 2) IN ('22', '23', '54', 'P0')
$$;

COMMENT ON FUNCTION merge_refusal(text) IS 'Whether an error (its SQLSTATE) refusing a merge is an item''s own: data (22), integrity (23), a limit (54), a trigger''s RAISE (P0). index_items() sets such an item aside; any other error fails the batch.';

-- The staged items ids names, into items with their vector, and their
-- mentions into mentions: 031's merge, for a given set. The mentions now
-- go with their items, before the stories are looked up: the batch or
-- the single item they follow is then one unit to refuse, and
-- story_mentions ends the same (the story's update of items records the
-- mentions already merged, where the mentions' insert recorded those of
-- an item whose story was found).
CREATE FUNCTION merge_staged(ids bigint[], OUT merged bigint,
                             OUT moved bigint[])
LANGUAGE plpgsql VOLATILE SET jit = off AS $$
BEGIN
    WITH todo AS (
        DELETE FROM staged_items s WHERE s.id = ANY (ids)
        RETURNING s.*
    ), kept AS (
        -- What a source or watch deleted while its save was writing left
        -- staged goes (schema 032).
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
      INTO moved, merged FROM ins;
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
    END IF;
END
$$;

COMMENT ON FUNCTION merge_staged(bigint[]) IS 'Merges the named staged items into items with their vector, and their mentions into mentions (index_items()''s unit of work); returns how many items it merged and the ids it took from staging.';

DROP FUNCTION index_items(integer);

-- 031's, with the set-aside items: a batch refused for an item's reason
-- is merged one item at a time; the items set aside, until their next
-- try, are neither taken, nor waited for by the stories of later items,
-- nor counted as waiting.
CREATE FUNCTION index_items(batch integer,
                            OUT indexed bigint, OUT oldest_left_s float8,
                            OUT set_aside bigint, OUT refusal text)
LANGUAGE plpgsql VOLATILE SET jit = off AS $$
DECLARE
    todo bigint[];
    one bigint;
    n bigint;
    state text;
    ids bigint[];
    seen timestamptz[];
BEGIN
    indexed := 0;
    set_aside := 0;
    SELECT array_agg(id ORDER BY id) INTO todo
      FROM (SELECT s.id FROM staged_items s
             WHERE NOT EXISTS (SELECT FROM staged_refused r
                                WHERE r.item_id = s.id
                                  AND r.retry_at > now())
             ORDER BY s.id LIMIT batch
             FOR UPDATE OF s SKIP LOCKED) x;
    IF todo IS NOT NULL THEN
        BEGIN
            SELECT x.merged INTO indexed FROM merge_staged(todo) x;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
            IF NOT merge_refusal(state) THEN
                RAISE;
            END IF;
            -- Some item's: each alone, the others merged.
            indexed := 0;
            FOREACH one IN ARRAY todo LOOP
                BEGIN
                    SELECT x.merged INTO n FROM merge_staged(ARRAY[one]) x;
                    indexed := indexed + n;
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
                                            refusal = MESSAGE_TEXT;
                    IF NOT merge_refusal(state) THEN
                        RAISE;
                    END IF;
                    INSERT INTO staged_refused AS r (item_id, retry_at,
                                                     sqlstate, error)
                    VALUES (one, now() + interval '1 minute', state, refusal)
                    ON CONFLICT (item_id) DO UPDATE SET
                        tries = r.tries + 1,
                        retry_at = now() + least(interval '10 minutes',
                            interval '1 minute' * 2 ^ r.tries),
                        sqlstate = excluded.sqlstate,
                        error = excluded.error;
                    set_aside := set_aside + 1;
                END;
            END LOOP;
        END;
    END IF;
    -- The rows of items merged, or deleted with their source, go.
    IF EXISTS (SELECT FROM staged_refused) THEN
        DELETE FROM staged_refused r
         WHERE NOT EXISTS (SELECT FROM staged_items s
                            WHERE s.id = r.item_id);
    END IF;
    IF pg_try_advisory_xact_lock(1986356840, 2) THEN
        -- The items below the oldest still staged: theirs and every
        -- earlier item's merges have committed (or are this one). An item
        -- set aside is not waited for: its story is looked up once it is
        -- merged, and the items after it do not find theirs in it.
        WITH turn AS (
            DELETE FROM story_pending p
             WHERE p.id IN (SELECT id FROM story_pending
                             WHERE id < coalesce(
                                 -- Not min(): with the anti-join, min()
                                 -- reads the whole backlog; the key's
                                 -- order stops at the first.
                                 (SELECT s.id FROM staged_items s
                                   WHERE NOT EXISTS (
                                       SELECT FROM staged_refused r
                                        WHERE r.item_id = s.id)
                                   ORDER BY s.id LIMIT 1),
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
    IF todo IS NULL THEN
        SELECT u.indexed INTO indexed FROM index_unsearched(batch) u;
    END IF;
    -- The oldest waiting besides this batch: staged (but set aside until
    -- later), its story to find, or stored unindexed. The lowest id is
    -- about the oldest, and its key finds it without reading the whole
    -- backlog.
    SELECT extract(epoch FROM now() - min(t))::float8 INTO oldest_left_s
      FROM (SELECT (SELECT s.first_seen_at FROM staged_items s
                     WHERE NOT EXISTS (SELECT FROM staged_refused r
                                        WHERE r.item_id = s.id
                                          AND r.retry_at > now())
                     ORDER BY s.id LIMIT 1) AS t
            UNION ALL
            SELECT (SELECT first_seen_at FROM story_pending
                     ORDER BY id LIMIT 1)
            UNION ALL
            SELECT min(first_seen_at) FROM items WHERE search IS NULL) x;
END
$$;

COMMENT ON FUNCTION index_items(integer) IS 'Merges the oldest staged items no other merge holds (at most batch) into items with their vector, and their mentions into mentions, then looks up the stories of merged items whose turn has come; with none staged, indexes items stored before schema 031. An item whose merge is refused for a reason of its own is set aside in staged_refused and tried again later, the others merged. Returns how many it merged or indexed, the age in seconds of the oldest item left staged (but set aside), without its story, or unindexed (NULL: none), how many items it set aside, and the last refusal''s message.';
