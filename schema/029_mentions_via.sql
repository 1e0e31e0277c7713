-- 029_mentions_via: every mention with the site that published its item
-- when its source relays other sites' articles (schema 028), so that the
-- dashboard's list and its CSV say "lemonde.fr" where the source is a
-- Google Alert.
--
-- As in schema 017, with the column added last (a view may only grow at
-- its end).
CREATE OR REPLACE VIEW analytics.mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       m.source_id, s.name AS source, s.family AS site,
       m.label, m.detected_label, m.sentiment, m.terms, m.lang,
       m.corrected, m.abusive, m.emotions, m.rumour,
       coalesce(i.story_id, i.id) AS story_id, i.search,
       m.handled, i.relayed_site AS via
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id;

COMMENT ON COLUMN analytics.mentions.via IS 'The site that published the item when its source relays other sites'' articles (an alert feed, a news search: items.relayed_site); NULL for a site''s own item, whose site is site.';
