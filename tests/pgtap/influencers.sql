-- analytics.influencers (schemas 021 and 023): authors by site, known by
-- profile when a source gives one, ranked by reach, with their role.
BEGIN;
CREATE SCHEMA tap;
CREATE EXTENSION pgtap SCHEMA tap;
SET LOCAL search_path = public, tap;
SELECT no_plan();

INSERT INTO sources (id, name, url, interval_s, family)
OVERRIDING SYSTEM VALUE VALUES
    (1, 'masto tag', 'https://piaille.fr/api/v1/timelines/tag/acme', 600,
     'piaille.fr'),
    (2, 'masto account', 'https://piaille.fr/api/v1/accounts/7/statuses',
     600, 'piaille.fr'),
    (3, 'blog', 'https://blog.example/feed', 600, 'blog.example');
INSERT INTO watches (id, name, query) OVERRIDING SYSTEM VALUE
VALUES (1, 'Acme', 'acme');

-- Marc signs two ways on one site, through two sources: one author by
-- his profile. Lea writes on a blog: no counts, no profile.
INSERT INTO items (id, source_id, identity, title, author, author_url,
                   author_followers, likes, shares, replies)
OVERRIDING SYSTEM VALUE VALUES
    (1, 1, 'a', 'Acme nul', 'Marc', 'https://piaille.fr/@marc', 2000,
     10, 3, 1),
    (2, 2, 'b', 'Acme, encore', 'marc_d', 'https://piaille.fr/@marc', 2300,
     5, 0, 0),
    (3, 2, 'c', 'Acme rembourse', 'marc_d', 'https://piaille.fr/@marc',
     NULL, NULL, NULL, NULL),
    (4, 3, 'd', 'Acme super', 'Lea', NULL, NULL, NULL, NULL, NULL),
    (5, 3, 'e', 'Acme bravo', 'Lea', NULL, NULL, NULL, NULL, NULL),
    (6, 3, 'f', 'Acme sans auteur', NULL, NULL, NULL, NULL, NULL, NULL);
-- Written by hand, as before schema 023: linked to their authors as the
-- migration linked them (the daemon's saves link their own: authors.sql).
SELECT is(link_authors(), 5::bigint, 'every item naming an author linked');
INSERT INTO mentions (item_id, watch_id, source_id, terms, sentiment, label,
                      first_seen_at)
SELECT i.id, 1, i.source_id, '{acme}', 0, l, i.first_seen_at
  FROM items i JOIN (VALUES (1, 'negative'), (2, 'negative'),
                            (3, 'positive'), (4, 'positive'),
                            (5, 'positive'), (6, 'neutral')) v(id, l)
    ON v.id = i.id;

SELECT results_eq(
    $$SELECT platform, profile, followers, mentions, negative, positive,
             reach, role
        FROM analytics.influencers ORDER BY reach DESC$$,
    $$VALUES ('piaille.fr', 'https://piaille.fr/@marc', 2300::bigint,
              3::bigint, 2::bigint, 1::bigint,
              (2300 + 10 + 2 * 3 + 1 + 5)::numeric, 'detractor'),
             ('blog.example', NULL, NULL, 2::bigint, 0::bigint, 2::bigint,
              0::numeric, 'ambassador')$$,
    'one row per author and site, by profile; reach is the audience plus '
    'likes, twice the shares and replies; roles by the balance of tone');

-- A correction moves the balance: the role follows.
UPDATE mentions SET label_override = 'positive' WHERE item_id = 2;
SELECT is((SELECT role FROM analytics.influencers
            WHERE platform = 'piaille.fr'),
          'ambassador', 'two positives against one negative: an ambassador');
UPDATE mentions SET label_override = 'neutral' WHERE item_id = 3;
SELECT is((SELECT role FROM analytics.influencers
            WHERE platform = 'piaille.fr'),
          NULL, 'one of each: neither');
UPDATE mentions SET dismissed = true WHERE item_id IN (4, 5);
SELECT is((SELECT count(*) FROM analytics.influencers
            WHERE platform = 'blog.example'), 0::bigint,
          'dismissed mentions make no influencer');

SELECT * FROM finish();
ROLLBACK;
