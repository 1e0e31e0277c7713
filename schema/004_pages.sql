-- 004_pages: sources without a clean feed, and stories seen on several
-- sites.

-- The feed found on a page that was configured where a feed was expected
-- (autodiscovery): polled instead of the page from then on.
ALTER TABLE sources ADD COLUMN feed_url text;
-- The site a source belongs to (its host without "www."): a story counts
-- once per site for detection, however many of its feeds carry it.
ALTER TABLE sources ADD COLUMN family text;

COMMENT ON COLUMN sources.feed_url IS 'The feed discovered on the configured page, polled in its place.';
COMMENT ON COLUMN sources.family IS 'The site of the source: one story counts once per site.';

-- The same article syndicated on several sites, or seen through a feed
-- and a page, is one story: every item is kept, linked to the first one
-- by its normalised URL, else by a SimHash of its text within 3 bits.
-- The SimHash is split in four 16-bit bands: two hashes within 3 bits
-- share at least one band, so each band's index finds the candidates.
ALTER TABLE items
    ADD COLUMN url_norm text,
    ADD COLUMN simhash  bigint,
    ADD COLUMN band0    integer,
    ADD COLUMN band1    integer,
    ADD COLUMN band2    integer,
    ADD COLUMN band3    integer,
    ADD COLUMN story_id bigint REFERENCES items (id) ON DELETE SET NULL;

CREATE INDEX items_url_norm ON items (url_norm);
CREATE INDEX items_band0 ON items (band0);
CREATE INDEX items_band1 ON items (band1);
CREATE INDEX items_band2 ON items (band2);
CREATE INDEX items_band3 ON items (band3);
CREATE INDEX items_story ON items (story_id);

COMMENT ON COLUMN items.story_id IS 'The first item of the same story on another source, or NULL when this item is the first.';
COMMENT ON COLUMN items.url_norm IS 'The link normalised (tracking parameters, fragment, case removed).';
COMMENT ON COLUMN items.simhash IS '64-bit SimHash of the text: near-duplicates differ in 3 bits or fewer.';

-- The story of an item: its own id when it is the first.
CREATE FUNCTION item_story(items) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1.story_id, $1.id) $$;

-- Spread of a story: how many items, sites and sources carry it, and over
-- how long.
CREATE VIEW stories AS
SELECT coalesce(i.story_id, i.id) AS story_id,
       min(i.title) FILTER (WHERE i.story_id IS NULL) AS title,
       count(*) AS items,
       count(DISTINCT s.family) AS sites,
       count(DISTINCT i.source_id) AS sources,
       min(i.first_seen_at) AS first_seen_at,
       max(i.first_seen_at) AS last_seen_at
  FROM items i JOIN sources s ON s.id = i.source_id
 GROUP BY 1;

COMMENT ON VIEW stories IS 'Each story with its spread: items, sites, sources, first and last seen.';
