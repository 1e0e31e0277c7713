-- The daemon's save statement (daemon/service/db/sql/save_fetch.sql,
-- given by it_pgtap.py as :save_fetch) and a function that runs it, for
-- the files that test what it writes (\ir lib/save.sql).
PREPARE save AS :save_fetch;

-- One fetch per source of srcs, each with its items of posts (a json
-- array of objects with a "source"), saved in one statement as the
-- daemon gathers them, then, unless merge is false, merged into items as
-- the daemon's indexer does (schema 031); returns the items new.
CREATE FUNCTION pg_temp.save(srcs bigint[], posts json,
                             merge boolean DEFAULT true) RETURNS bigint
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
    r record;
    n bigint := 0;
BEGIN
    FOR r IN EXECUTE format('EXECUTE save(%L, %L)', fetches, posts) LOOP
        n := n + r.n_new;
    END LOOP;
    IF merge THEN
        PERFORM index_items(100000);
    END IF;
    RETURN n;
END
$$;
