-- The daemon's save statement (daemon/service/db/sql/save_fetch.sql,
-- given by it_pgtap.py as :save_fetch) and a function that runs it, for
-- the files that test what it writes (\ir lib/save.sql).
PREPARE save AS :save_fetch;

-- One fetch per source of srcs, each with its items of posts (a json
-- array of objects with a "source"), saved in one statement as the
-- daemon gathers them, then, unless merge is false, merged into items as
-- the daemon's indexer does (schema 031); returns the items new. The
-- posts' summaries and contents go apart, as text arrays ($3 and $4), as
-- the daemon sends them, unless texts_apart is false: then inside the
-- JSON, as a fetch spooled by an earlier version has them.
CREATE FUNCTION pg_temp.save(srcs bigint[], posts json,
                             merge boolean DEFAULT true,
                             texts_apart boolean DEFAULT true) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    fetches json := (SELECT json_agg(json_build_object(
        'source', s, 'attempt', gen_random_uuid(),
        'started', (extract(epoch FROM now()) * 1000)::bigint,
        'duration', 10, 'status', 200, 'outcome', 'ok', 'error', NULL,
        'bytes', 1000, 'final_url', NULL, 'etag', NULL,
        'last_modified', NULL, 'set_validators', false,
        'next_ms', 600000, 'failures', 0, 'disabled', NULL,
        'feed_url', NULL, 'lease_s', 0, 'owner', 'tap', 'last', true,
        'prior_new', 0, 'prior_seen', 0)) FROM unnest(srcs) s);
    items json := posts;
    summaries text[];
    contents text[];
    r record;
    n bigint := 0;
BEGIN
    IF texts_apart THEN
        SELECT coalesce(json_agg(p::jsonb - 'summary' - 'content'
                                 ORDER BY k), '[]'),
               array_agg(p ->> 'summary' ORDER BY k),
               array_agg(p ->> 'content' ORDER BY k)
          INTO items, summaries, contents
          FROM json_array_elements(posts) WITH ORDINALITY AS e(p, k);
    END IF;
    FOR r IN EXECUTE format('EXECUTE save(%L, %L, %L, %L)', fetches, items,
                            summaries, contents) LOOP
        n := n + r.n_new;
    END LOOP;
    IF merge THEN
        PERFORM index_items(100000);
    END IF;
    RETURN n;
END
$$;
