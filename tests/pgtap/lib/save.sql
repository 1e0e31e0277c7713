-- The daemon's save statement (daemon/service/db/sql/save_fetch.sql,
-- given by it_pgtap.py as :save_fetch) and a function that runs it, for
-- the files that test what it writes (\ir lib/save.sql).
PREPARE save AS :save_fetch;

-- One fetch per source of srcs, each with its items of posts (a json
-- array of objects with a "source", and the keys of the columns the
-- statement takes: "guid", "title", "mentions", an array of objects with
-- "watch", "terms" and "tone"...), saved in one statement as the daemon
-- gathers them, each column an array as the daemon sends them, then,
-- unless merge is false, merged into items as the daemon's indexer does
-- (schema 031); returns the items new.
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
    i record;
    m record;
    r record;
    n bigint := 0;
BEGIN
    SELECT array_agg((p ->> 'source')::bigint ORDER BY k) AS source,
           array_agg(p ->> 'guid' ORDER BY k) AS guid,
           array_agg(p ->> 'link' ORDER BY k) AS link,
           array_agg(p ->> 'title' ORDER BY k) AS title,
           array_agg(p ->> 'author' ORDER BY k) AS author,
           array_agg(p ->> 'author_url' ORDER BY k) AS author_url,
           array_agg(p ->> 'relayed_from' ORDER BY k) AS relayed_from,
           array_agg(p ->> 'summary' ORDER BY k) AS summary,
           array_agg(p ->> 'content' ORDER BY k) AS content,
           array_agg(p ->> 'lang' ORDER BY k) AS lang,
           array_agg((p ->> 'published')::bigint ORDER BY k) AS published,
           array_agg((p ->> 'updated')::bigint ORDER BY k) AS updated,
           array_agg((p ->> 'likes')::bigint ORDER BY k) AS likes,
           array_agg((p ->> 'shares')::bigint ORDER BY k) AS shares,
           array_agg((p ->> 'replies')::bigint ORDER BY k) AS replies,
           array_agg((p ->> 'views')::bigint ORDER BY k) AS views,
           array_agg((p ->> 'followers')::bigint ORDER BY k) AS followers,
           array_agg((p ->> 'rating')::real ORDER BY k) AS rating,
           array_agg((p ->> 'rating_count')::bigint ORDER BY k)
             AS rating_count,
           array_agg(p ->> 'url_norm' ORDER BY k) AS url_norm,
           array_agg((p ->> 'simhash')::bigint ORDER BY k) AS simhash,
           array_agg((p ->> 'tone')::real ORDER BY k) AS tone,
           array_agg(p ->> 'label' ORDER BY k) AS label,
           array_agg((p ->> 'abusive')::boolean ORDER BY k) AS abusive,
           array_agg(pg_temp.literal(p -> 'emotions') ORDER BY k)
             AS emotions,
           array_agg((p ->> 'rumour')::boolean ORDER BY k) AS rumour,
           array_agg(p ->> 'tone_lang' ORDER BY k) AS tone_lang
      INTO i
      FROM json_array_elements(posts) WITH ORDINALITY AS e(p, k);
    SELECT coalesce(array_agg(k ORDER BY k, j), '{}') AS place,
           array_agg(h ->> 'watch' ORDER BY k, j) AS watch,
           array_agg(pg_temp.literal(h -> 'terms') ORDER BY k, j) AS terms,
           array_agg((h ->> 'tone')::real ORDER BY k, j) AS tone,
           array_agg(h ->> 'label' ORDER BY k, j) AS label,
           array_agg((h ->> 'abusive')::boolean ORDER BY k, j) AS abusive,
           array_agg(pg_temp.literal(h -> 'emotions') ORDER BY k, j)
             AS emotions,
           array_agg((h ->> 'rumour')::boolean ORDER BY k, j) AS rumour
      INTO m
      FROM json_array_elements(posts) WITH ORDINALITY AS e(p, k),
           json_array_elements(CASE json_typeof(p -> 'mentions')
             WHEN 'array' THEN p -> 'mentions' ELSE '[]' END)
             WITH ORDINALITY AS x(h, j);
    FOR r IN EXECUTE format('EXECUTE save(' ||
            rtrim(repeat('%L, ', 36), ', ') || ')',
        fetches, coalesce(i.source, '{}'), i.guid, i.link, i.title,
        i.author, i.author_url, i.relayed_from, i.summary, i.content,
        i.lang, i.published, i.updated, i.likes, i.shares, i.replies,
        i.views, i.followers, i.rating, i.rating_count, i.url_norm,
        i.simhash, i.tone, i.label, i.abusive, i.emotions, i.rumour,
        i.tone_lang, m.place::int[], m.watch, m.terms, m.tone, m.label,
        m.abusive, m.emotions, m.rumour) LOOP
        n := n + r.n_new;
    END LOOP;
    IF merge THEN
        PERFORM index_items(100000);
    END IF;
    RETURN n;
END
$$;

-- A JSON array of strings as the statement takes it, an array literal;
-- NULL for none.
CREATE FUNCTION pg_temp.literal(a json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN json_typeof(a) = 'array'
        THEN ARRAY(SELECT json_array_elements_text(a))::text END
$$;
