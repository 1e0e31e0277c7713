-- 023_authors: authors first-class. One row per author and platform,
-- written by the save as their posts arrive (daemon/service/db/sql/
-- save_fetch.sql), so that who speaks of a watch, with what audience and
-- since when, is known without grouping every item they ever wrote.
--
-- The platform is the site an author writes on, named as sources.family
-- names a source's site: a host in lower case without "www." and port
-- ('mastodon.social', 'reddit.com', 'news.ycombinator.com'). It is the
-- host of the author's profile URL when a source gives one (type = json,
-- profile; the platform readers), else the site of the source that
-- carried the post. Not the host of the post's link: an aggregator's
-- links (Hacker News, a feed proxy, an alert) lead to other sites than
-- the one the author wrote on.
--
-- On its platform an author is known by their profile URL, whatever name
-- they sign with and through whichever of the site's feeds; without one,
-- by the name they sign with there. The same person seen once with a
-- profile and once without is two authors: nothing says they are one.

-- The site of an http(s) URL: its host in lower case, without "www.",
-- port or user; NULL for anything else. PL/pgSQL on plain string
-- functions, for the fast path of simple expressions: the save calls it
-- for each post that names a profile, and the regular expressions this
-- was first written with cost four times as much.
CREATE FUNCTION url_site(url text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    h text := split_part(url, '://', 1);
BEGIN
    IF lower(h) NOT IN ('http', 'https') THEN
        RETURN NULL;
    END IF;
    h := lower(split_part(split_part(split_part(split_part(url, '/', 3),
                                                '?', 1), '#', 1), '@', -1));
    IF left(h, 1) = '[' THEN
        h := split_part(h, ']', 1) || ']';
    ELSE
        h := split_part(h, ':', 1);
    END IF;
    IF left(h, 4) = 'www.' THEN
        h := substr(h, 5);
    END IF;
    RETURN nullif(h, '');
END
$$;

-- A profile URL as a key: its site, path and query, without scheme,
-- fragment or a trailing slash, so that http and https, with or without
-- "www.", are one profile. Paths keep their case: YouTube's channel ids
-- and many others are case-sensitive.
CREATE FUNCTION author_profile_key(url text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    site text := url_site(url);
    rest text;
    q integer;
BEGIN
    IF site IS NULL THEN
        RETURN NULL;
    END IF;
    -- What follows the authority, without the fragment.
    rest := split_part(substr(url, strpos(url, '://') + 3), '#', 1);
    rest := substr(rest, length(split_part(split_part(rest, '/', 1), '?', 1))
                         + 1);
    q := strpos(rest, '?');
    IF q = 0 THEN
        RETURN site || rtrim(rest, '/');
    END IF;
    RETURN site || rtrim(left(rest, q - 1), '/') || substr(rest, q);
END
$$;

-- An author's key on their platform: the profile when it is an http(s)
-- URL, else the name they sign with (trimmed); NULL for a post without
-- either.
CREATE FUNCTION author_key(profile text, name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(author_profile_key(profile), nullif(btrim(name), ''))
$$;

-- An author's platform: their profile's site, else that of the source
-- that carried the post (sources.family), else ''. Never NULL, so that
-- the key (platform, key) is unique.
CREATE FUNCTION author_platform(profile text, family text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(url_site(profile), family, '')
$$;

-- The handle a profile URL names: its query's first value when it has a
-- query (news.ycombinator.com/user?id=pg), else its last path segment
-- (@marc, a Reddit or X user name, a Bluesky handle, a YouTube channel).
CREATE FUNCTION author_handle(profile text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN url_site(profile) IS NOT NULL THEN coalesce(
    nullif(substring(profile FROM '^[^?#]*\?[^=&#]*=([^&#]*)'), ''),
    nullif(regexp_replace(rtrim(substring(profile FROM
        '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)'), '/'), '^.*/', ''),
        ''))
END
$$;

COMMENT ON FUNCTION url_site(text) IS 'The site of an http(s) URL: its host in lower case without "www.", port or user; NULL for anything else.';
COMMENT ON FUNCTION author_profile_key(text) IS 'A profile URL as a key: site, path and query, without scheme, fragment or trailing slash; NULL for what is not an http(s) URL.';
COMMENT ON FUNCTION author_key(text, text) IS 'An author''s key on their platform: their profile''s key when it is a URL, else the name they sign with, trimmed; NULL when neither.';
COMMENT ON FUNCTION author_platform(text, text) IS 'An author''s platform: their profile''s site, else the site of the source of the post (sources.family), else ''''.';
COMMENT ON FUNCTION author_handle(text) IS 'The handle a profile URL names: its query''s first value, else its last path segment.';

-- Kept when retention drops the months of an author's posts: one small
-- row per author, and their first_seen stays true.
CREATE TABLE authors (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    text NOT NULL,
    key         text NOT NULL,
    handle      text,
    name        text,
    profile_url text,
    followers   bigint,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    UNIQUE (platform, key)
);

COMMENT ON TABLE authors IS 'One row per author and platform, by profile URL when a source gives one, else by the name signed with; written by the save path as posts arrive.';
COMMENT ON COLUMN authors.platform IS 'The site the author writes on (author_platform()): their profile''s host without "www.", else the site of the source (sources.family).';
COMMENT ON COLUMN authors.key IS 'Who they are on the platform (author_key()): their profile URL without scheme, fragment or trailing slash, else the name they sign with.';
COMMENT ON COLUMN authors.handle IS 'The handle their profile URL names (author_handle()), NULL without a profile.';
COMMENT ON COLUMN authors.name IS 'The name they signed their latest posts with.';
COMMENT ON COLUMN authors.profile_url IS 'Their profile URL as a source last gave it, NULL when none did.';
COMMENT ON COLUMN authors.followers IS 'Their audience (followers, subscribers): the latest a source gave, NULL when none did.';
COMMENT ON COLUMN authors.first_seen IS 'When their first post was first stored.';
COMMENT ON COLUMN authors.last_seen IS 'When their latest post was first stored: a post seen again in a later poll does not move it.';

-- No index on items.author_id: no query reads an author's items without
-- their mentions first, and each index costs every insert (schema 010).
-- Rows of authors are never deleted, so the key's check on delete does
-- not need one either.
ALTER TABLE items ADD COLUMN author_id bigint;

COMMENT ON COLUMN items.author_id IS 'The post''s author (authors.id), NULL when it names none.';

-- Items stored without their author: every item before this migration,
-- and rows written by hand (tests). Set-based: each author once, then
-- each item. An author already there keeps their earliest first_seen and
-- the latest of the rest.
CREATE FUNCTION link_authors() RETURNS bigint
LANGUAGE sql AS $$
WITH x AS MATERIALIZED (
    SELECT i.id, i.first_seen_at, i.author, i.author_url,
           i.author_followers,
           author_platform(i.author_url, s.family) AS platform,
           author_key(i.author_url, i.author) AS key,
           url_site(i.author_url) IS NOT NULL AS profiled
      FROM items i JOIN sources s ON s.id = i.source_id
     WHERE i.author_id IS NULL
       AND author_key(i.author_url, i.author) IS NOT NULL
), a AS (
    INSERT INTO authors AS a (platform, key, handle, name, profile_url,
                              followers, first_seen, last_seen)
    SELECT platform, key, author_handle(profile), name, profile,
           followers, first_seen, last_seen
      FROM (SELECT platform, key,
                   (array_agg(author ORDER BY first_seen_at DESC, id DESC)
                      FILTER (WHERE author IS NOT NULL))[1] AS name,
                   (array_agg(author_url
                              ORDER BY first_seen_at DESC, id DESC)
                      FILTER (WHERE profiled))[1] AS profile,
                   (array_agg(author_followers
                              ORDER BY first_seen_at DESC, id DESC)
                      FILTER (WHERE author_followers IS NOT NULL))[1]
                      AS followers,
                   min(first_seen_at) AS first_seen,
                   max(first_seen_at) AS last_seen
              FROM x GROUP BY platform, key) g
     ORDER BY platform, key
    ON CONFLICT (platform, key) DO UPDATE SET
        first_seen = least(a.first_seen, excluded.first_seen),
        last_seen = greatest(a.last_seen, excluded.last_seen),
        handle = CASE WHEN excluded.last_seen >= a.last_seen
                      THEN coalesce(excluded.handle, a.handle)
                      ELSE coalesce(a.handle, excluded.handle) END,
        name = CASE WHEN excluded.last_seen >= a.last_seen
                    THEN coalesce(excluded.name, a.name)
                    ELSE coalesce(a.name, excluded.name) END,
        profile_url = CASE WHEN excluded.last_seen >= a.last_seen
                           THEN coalesce(excluded.profile_url, a.profile_url)
                           ELSE coalesce(a.profile_url, excluded.profile_url)
                      END,
        followers = CASE WHEN excluded.last_seen >= a.last_seen
                         THEN coalesce(excluded.followers, a.followers)
                         ELSE coalesce(a.followers, excluded.followers) END
    RETURNING a.id, a.platform, a.key
), linked AS (
    UPDATE items i SET author_id = a.id
      FROM x JOIN a ON a.platform = x.platform AND a.key = x.key
     WHERE i.id = x.id AND i.first_seen_at = x.first_seen_at
    RETURNING 1
)
SELECT count(*) FROM linked
$$;

COMMENT ON FUNCTION link_authors() IS 'Links the items stored without their author (before schema 023, or by hand) to their authors, creating them; returns how many items it linked. The daemon''s saves link their own.';

-- The story trigger (schema 017) has nothing to do for this update, and
-- would keep every item's old and new row to find that out.
ALTER TABLE items DISABLE TRIGGER items_count_update;
SELECT link_authors();
ALTER TABLE items ENABLE TRIGGER items_count_update;

-- Checked once, after the backfill, rather than item by item during it.
ALTER TABLE items ADD CONSTRAINT items_author_id_fkey
    FOREIGN KEY (author_id) REFERENCES authors (id);

GRANT SELECT, INSERT, UPDATE, DELETE ON authors TO vigie_daemon;
GRANT USAGE, SELECT ON SEQUENCE authors_id_seq TO vigie_daemon;
GRANT SELECT ON authors TO vigie_analyst;

-- reach = the author's audience (the latest a source gave) plus what
-- their posts about the watch drew: likes, twice the shares (a share
-- carries the post to another audience), and replies. Counts a source
-- did not give count for nothing: a feed's authors have no audience
-- known, so reach 0, and rank by mentions. The same columns as schema
-- 021's, from authors rather than from a grouping of items; author_id
-- appended.
CREATE OR REPLACE VIEW analytics.influencers AS
SELECT m.watch_id, w.name AS watch,
       coalesce(a.name, a.handle) AS author,
       a.platform,
       a.profile_url AS profile,
       a.followers,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive,
       coalesce(a.followers, 0)
         + sum(coalesce(i.likes, 0) + 2 * coalesce(i.shares, 0)
               + coalesce(i.replies, 0)) AS reach,
       CASE WHEN count(*) FILTER (WHERE m.label = 'positive') >= 2
             AND count(*) FILTER (WHERE m.label = 'positive')
                 >= 2 * count(*) FILTER (WHERE m.label = 'negative')
            THEN 'ambassador'
            WHEN count(*) FILTER (WHERE m.label = 'negative') >= 2
             AND count(*) FILTER (WHERE m.label = 'negative')
                 >= 2 * count(*) FILTER (WHERE m.label = 'positive')
            THEN 'detractor'
       END AS role,
       min(m.first_seen_at) AS first_seen,
       max(m.first_seen_at) AS last_seen,
       a.id AS author_id
  FROM effective_mentions m
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN authors a ON a.id = i.author_id
  JOIN watches w ON w.id = m.watch_id
 GROUP BY m.watch_id, w.name, a.id;

COMMENT ON VIEW analytics.influencers IS 'The authors of each watch''s mentions (authors: one per platform, by profile URL when a source gives one, else by name), ranked by reach: audience plus likes, twice the shares and replies of their posts about the watch; ambassadors and detractors by the balance of their tone. All time: for a period, see docs/SQL.md.';
COMMENT ON COLUMN analytics.influencers.author IS 'The name the author signed their latest posts with, else their handle.';
COMMENT ON COLUMN analytics.influencers.platform IS 'The site the author writes on (authors.platform): their profile''s host without "www.", else the site of the source.';
COMMENT ON COLUMN analytics.influencers.profile IS 'The author''s profile URL, when a source gives it.';
COMMENT ON COLUMN analytics.influencers.followers IS 'The author''s audience (followers, subscribers): the latest a source gave, NULL when none did.';
COMMENT ON COLUMN analytics.influencers.first_seen IS 'When the first of the author''s mentions of the watch was first seen (analytics.authors: of any post).';
COMMENT ON COLUMN analytics.influencers.last_seen IS 'When the last of the author''s mentions of the watch was first seen.';
COMMENT ON COLUMN analytics.influencers.author_id IS 'The author (authors.id, analytics.authors).';

CREATE VIEW analytics.authors AS
SELECT id AS author_id, platform, handle, name, profile_url AS profile,
       followers, first_seen, last_seen
  FROM authors;

COMMENT ON VIEW analytics.authors IS 'Every author, one row per platform: who they are there, their audience, and when their first and latest posts arrived.';
COMMENT ON COLUMN analytics.authors.author_id IS 'The author (authors.id; items.author_id, analytics.influencers.author_id).';
COMMENT ON COLUMN analytics.authors.platform IS 'The site they write on: their profile''s host without "www.", else the site of the source of their posts.';
COMMENT ON COLUMN analytics.authors.handle IS 'The handle their profile URL names, NULL without a profile.';
COMMENT ON COLUMN analytics.authors.name IS 'The name they signed their latest posts with.';
COMMENT ON COLUMN analytics.authors.profile IS 'Their profile URL as a source last gave it, NULL when none did.';
COMMENT ON COLUMN analytics.authors.followers IS 'Their audience: the latest a source gave, NULL when none did.';
COMMENT ON COLUMN analytics.authors.first_seen IS 'When their first post was first stored.';
COMMENT ON COLUMN analytics.authors.last_seen IS 'When their latest post was first stored (a post seen again does not move it).';

GRANT SELECT ON analytics.authors TO vigie_analyst, vigie_daemon;
