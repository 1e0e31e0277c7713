-- authors (schema 023) as the daemon's save statement writes them
-- (daemon/service/db/sql/save_fetch.sql, given by it_pgtap.py as
-- :save_fetch): one row per author and platform, the same profile across
-- two feeds of one site one author, first and last seen, the latest
-- audience, and a save replayed changing nothing.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

\ir lib/save.sql

INSERT INTO sources (id, name, url, interval_s, family)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'masto tag', 'https://piaille.fr/api/v1/timelines/tag/acme', 600,
     'piaille.fr'),
    (2, 'masto account', 'https://piaille.fr/api/v1/accounts/7/statuses',
     600, 'piaille.fr'),
    (3, 'blog', 'https://blog.example/feed', 600, 'blog.example');
INSERT INTO watches (id, name, query) OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme', 'acme');

-- The posts, by guid. Marc signs two ways through the site's two feeds,
-- his profile written two ways; Lea has no profile, on two sites.
CREATE TEMP TABLE post (guid text PRIMARY KEY, doc jsonb);
INSERT INTO post VALUES
    ('m1', '{"source": 1, "guid": "m1", "title": "Acme nul",
             "author": "Marc", "author_url": "https://piaille.fr/@marc",
             "followers": 2000, "likes": 10, "shares": 3, "replies": 1,
             "mentions": [{"watch": "Acme", "terms": ["acme"],
                           "tone": -0.5, "label": "negative"}]}'),
    ('l1', '{"source": 1, "guid": "l1", "title": "Acme, bof",
             "author": "Lea"}'),
    ('m2', '{"source": 2, "guid": "m2", "title": "Acme, encore",
             "author": "marc_d",
             "author_url": "https://www.piaille.fr/@marc/",
             "followers": 2300, "likes": 5,
             "mentions": [{"watch": "Acme", "terms": ["acme"],
                           "tone": -0.4, "label": "negative"}]}'),
    ('x1', '{"source": 2, "guid": "x1", "title": "Sans auteur"}'),
    ('l2', '{"source": 3, "guid": "l2", "title": "Acme super",
             "author": " Lea ",
             "mentions": [{"watch": "Acme", "terms": ["acme"],
                           "tone": 0.6, "label": "positive"}]}'),
    ('m3', '{"source": 2, "guid": "m3", "title": "Acme rembourse",
             "author": "Marc", "author_url": "http://piaille.fr/@marc",
             "mentions": [{"watch": "Acme", "terms": ["acme"],
                           "tone": 0.5, "label": "positive"}]}');
CREATE FUNCTION pg_temp.posts(guids text[]) RETURNS json
LANGUAGE sql AS $$
SELECT json_agg(p.doc ORDER BY g.n)::json
  FROM unnest(guids) WITH ORDINALITY g(guid, n) JOIN post p USING (guid)
$$;
CREATE VIEW pg_temp.author_rows AS
SELECT platform, key, handle, name, profile_url, followers, first_seen,
       last_seen
  FROM authors;

-- Both feeds of piaille.fr in one statement.
SELECT is(pg_temp.save('{1,2}', pg_temp.posts('{m1,l1,m2,x1}')), 4::bigint,
          'four posts stored');
SELECT results_eq(
    $$SELECT platform, key, handle, followers FROM authors
       ORDER BY platform, key$$,
    $$VALUES ('piaille.fr', 'Lea', NULL, NULL::bigint),
             ('piaille.fr', 'piaille.fr/@marc', '@marc', 2300::bigint)$$,
    'one author per profile across the site''s two feeds, written two ways; '
    'Lea by her name; the largest audience of one save');
SELECT is((SELECT count(DISTINCT author_id) FROM items
            WHERE guid IN ('m1', 'm2')), 1::bigint,
          'both of Marc''s posts point at his one row');
SELECT is((SELECT author_id FROM items WHERE guid = 'x1'), NULL,
          'a post without an author has none');
SELECT is((SELECT count(*) FROM items i JOIN authors a ON a.id = i.author_id
            WHERE i.guid IN ('m1', 'l1', 'm2')), 3::bigint,
          'every post naming an author points at one');

-- Lea on another site: another author. Her name as signed, trimmed.
SELECT is(pg_temp.save('{3}', pg_temp.posts('{l2}')), 1::bigint,
          'Lea''s blog post stored');
SELECT results_eq(
    $$SELECT platform, key FROM authors WHERE key = 'Lea'
       ORDER BY platform$$,
    $$VALUES ('blog.example', 'Lea'), ('piaille.fr', 'Lea')$$,
    'one row per author per platform');
SELECT is((SELECT name FROM authors WHERE platform = 'blog.example'),
          ' Lea ', 'the name kept as signed');

-- A day passes.
UPDATE authors SET first_seen = first_seen - interval '1 day',
                   last_seen = last_seen - interval '1 day';
CREATE TEMP TABLE was AS SELECT * FROM pg_temp.author_rows;

-- The same fetch saved again (a replay from the spool, or the feed
-- polled again): nothing new, nothing changed.
SELECT is(pg_temp.save('{1,2}', pg_temp.posts('{m1,l1,m2,x1}')), 0::bigint,
          'saved again: nothing new');
SELECT results_eq('SELECT * FROM pg_temp.author_rows ORDER BY 1, 2',
                  'SELECT * FROM was ORDER BY 1, 2',
                  'saved again: the authors as they were, last_seen too');
SELECT is((SELECT count(*) FROM items), 5::bigint, 'and no item added');

-- A known post whose author's audience grew: only the audience moves.
UPDATE post SET doc = jsonb_set(doc, '{followers}', '2500')
 WHERE guid = 'm1';
SELECT is(pg_temp.save('{1}', pg_temp.posts('{m1}')), 0::bigint,
          'm1 again, with a new audience');
SELECT results_eq(
    $$SELECT followers, first_seen, last_seen FROM authors
       WHERE key = 'piaille.fr/@marc'$$,
    $$SELECT 2500::bigint, first_seen, last_seen FROM was
       WHERE key = 'piaille.fr/@marc'$$,
    'followers: the latest known; first and last seen unmoved');

-- A new post, by http and without an audience: last_seen moves, the
-- audience stays the latest known, the name is the latest signed.
SELECT is(pg_temp.save('{2}', pg_temp.posts('{m3}')), 1::bigint,
          'm3 stored');
SELECT results_eq(
    $$SELECT name, followers, first_seen, last_seen FROM authors
       WHERE key = 'piaille.fr/@marc'$$,
    $$SELECT 'Marc', 2500::bigint, first_seen, now() FROM was
       WHERE key = 'piaille.fr/@marc'$$,
    'a new post moves last_seen only; no audience given keeps the last');

-- Within a minute of last_seen, a new post that says nothing new of its
-- author leaves the row unwritten (last_seen is kept to the minute);
-- one that gives another name writes it.
INSERT INTO post VALUES
    ('m4', '{"source": 2, "guid": "m4", "title": "Acme encore",
             "author": "Marc", "author_url": "http://piaille.fr/@marc"}'),
    ('m5', '{"source": 2, "guid": "m5", "title": "Acme toujours",
             "author": "Marc D.", "author_url": "http://piaille.fr/@marc"}');
CREATE TEMP TABLE marc AS
SELECT ctid::text AS at, * FROM authors WHERE key = 'piaille.fr/@marc';
SELECT is(pg_temp.save('{2}', pg_temp.posts('{m4}')), 1::bigint,
          'm4 stored');
SELECT is((SELECT ctid::text FROM authors WHERE key = 'piaille.fr/@marc'),
          (SELECT at FROM marc),
          'a post within a minute of the last: its author''s row unwritten');
SELECT is(pg_temp.save('{2}', pg_temp.posts('{m5}')), 1::bigint,
          'm5 stored');
SELECT results_eq(
    $$SELECT ctid::text <> (SELECT at FROM marc), name, last_seen
        FROM authors WHERE key = 'piaille.fr/@marc'$$,
    $$SELECT true, 'Marc D.', last_seen FROM marc$$,
    'another name within the minute: written');
UPDATE authors SET name = 'Marc' WHERE key = 'piaille.fr/@marc';
SELECT is((SELECT count(*) FROM authors), 3::bigint,
          'three authors in all');
SELECT is((SELECT count(*) FROM authors a JOIN was b USING (platform, key)
            WHERE a.key <> 'piaille.fr/@marc'
              AND (a.first_seen, a.last_seen) <> (b.first_seen, b.last_seen)),
          0::bigint, 'the others untouched');

-- What the analysts see.
SELECT results_eq(
    $$SELECT author, platform, profile, followers, mentions, negative,
             positive, reach
        FROM analytics.influencers ORDER BY reach DESC$$,
    $$VALUES ('Marc', 'piaille.fr', 'http://piaille.fr/@marc',
              2500::bigint, 3::bigint, 2::bigint, 1::bigint,
              (2500 + 10 + 2 * 3 + 1 + 5)::numeric),
             (' Lea ', 'blog.example', NULL, NULL, 1::bigint, 0::bigint,
              1::bigint, 0::numeric)$$,
    'analytics.influencers from the authors the saves wrote');
SELECT results_eq(
    $$SELECT platform, handle, name, profile, followers
        FROM analytics.authors ORDER BY platform, name$$,
    $$VALUES ('blog.example', NULL, ' Lea ', NULL, NULL::bigint),
             ('piaille.fr', NULL, 'Lea', NULL, NULL),
             ('piaille.fr', '@marc', 'Marc', 'http://piaille.fr/@marc',
              2500)$$,
    'analytics.authors');

-- link_authors() has nothing left to do after the saves.
SELECT is(link_authors(), 0::bigint, 'link_authors(): nothing left');

-- The keys.
SELECT results_eq(
    $$SELECT author_platform(u, 'f.example'), author_key(u, 'n'),
             author_handle(u)
        FROM unnest(ARRAY['https://www.Reddit.com/user/foo/',
                          'https://news.ycombinator.com/user?id=pg',
                          'https://bsky.app/profile/a.bsky.social#x',
                          'http://127.0.0.1:8080/user/lucie',
                          '/user/relative', NULL]) WITH ORDINALITY u
       ORDER BY ordinality$$,
    $$VALUES ('reddit.com', 'reddit.com/user/foo', 'foo'),
             ('news.ycombinator.com', 'news.ycombinator.com/user?id=pg',
              'pg'),
             ('bsky.app', 'bsky.app/profile/a.bsky.social',
              'a.bsky.social'),
             ('127.0.0.1', '127.0.0.1/user/lucie', 'lucie'),
             ('f.example', 'n', NULL),
             ('f.example', 'n', NULL)$$,
    'platforms, keys and handles: a profile that is no URL counts as none');

SELECT * FROM finish();
ROLLBACK;
