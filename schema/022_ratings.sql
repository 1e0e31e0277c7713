-- 022_ratings: reviews' ratings (type = html, preset = reviews: schema.org
-- Review and AggregateRating, docs/SOURCES.md) and the satisfaction
-- indicators a community manager reports from them.

ALTER TABLE items
    ADD COLUMN rating real CHECK (rating BETWEEN 0 AND 1),
    ADD COLUMN rating_count bigint CHECK (rating_count > 0);

COMMENT ON COLUMN items.rating IS 'A review''s rating from 0 (worst) to 1 (best): (value - worst) / (best - worst) on the page''s own scale (1 to 5 when unsaid); NULL for anything but a review.';
COMMENT ON COLUMN items.rating_count IS 'For an aggregate rating (schema.org AggregateRating): how many ratings its rating averages; NULL for a single review.';

-- Single reviews only: an aggregate is the site's own average of many,
-- and would count as one. Stars are the 0-1 rating on a five-star scale
-- (1 + 4 x rating, rounded), whatever scale the page used.
CREATE VIEW analytics.satisfaction AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       count(*) AS reviews,
       avg(i.rating)::real AS rating,
       (1 + 4 * avg(i.rating))::real AS stars,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) = 1) AS stars_1,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) = 2) AS stars_2,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) = 3) AS stars_3,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) = 4) AS stars_4,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) = 5) AS stars_5,
       count(*) FILTER (WHERE round(1 + 4 * i.rating) <= 2) AS low
  FROM effective_mentions m
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN watches w ON w.id = m.watch_id
 WHERE i.rating IS NOT NULL AND i.rating_count IS NULL
 GROUP BY m.watch_id, w.name, 3;

COMMENT ON VIEW analytics.satisfaction IS 'Reviews that mention each watch, per UTC day: how many, their average rating, and how they spread over one to five stars; sums over days give a period''s (the average weighted by reviews).';
COMMENT ON COLUMN analytics.satisfaction.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.satisfaction.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.satisfaction.day IS 'UTC day of the review''s publication (when first seen, when it has no date or a date in the future).';
COMMENT ON COLUMN analytics.satisfaction.reviews IS 'Reviews that mention the watch (single reviews, not aggregates).';
COMMENT ON COLUMN analytics.satisfaction.rating IS 'Their average rating, 0 (worst) to 1 (best).';
COMMENT ON COLUMN analytics.satisfaction.stars IS 'The same on a five-star scale: 1 + 4 x rating.';
COMMENT ON COLUMN analytics.satisfaction.stars_1 IS 'Reviews of one star (a rating below 0.125).';
COMMENT ON COLUMN analytics.satisfaction.stars_2 IS 'Reviews of two stars.';
COMMENT ON COLUMN analytics.satisfaction.stars_3 IS 'Reviews of three stars.';
COMMENT ON COLUMN analytics.satisfaction.stars_4 IS 'Reviews of four stars.';
COMMENT ON COLUMN analytics.satisfaction.stars_5 IS 'Reviews of five stars (a rating of 0.875 or more).';
COMMENT ON COLUMN analytics.satisfaction.low IS 'Reviews of one or two stars: the unhappy customers.';

GRANT SELECT ON analytics.satisfaction TO vigie_analyst, vigie_daemon;
