-- 021_influencers: the authors of a watch's mentions ranked by reach, with
-- the balance of their tone: who an answer should go to first.
--
-- An API source can name its post's author's profile (type = json,
-- profile = PATH): kept in items.author_url. An author is then known on a
-- site by that profile, whatever name they sign with, across the site's
-- sources; without one, by the name they sign with on that site.

ALTER TABLE items ADD COLUMN author_url text;

COMMENT ON COLUMN items.author_url IS 'The author''s profile URL when the source says (type = json, profile), else NULL.';

-- reach = the author's audience (the most followers seen) plus what their
-- posts about the watch drew: likes, twice the shares (a share carries
-- the post to another audience), and replies. Counts an API did not give
-- count for nothing, so a feed's authors rank by their audience alone,
-- which they do not have: 0, then by mentions.
CREATE VIEW analytics.influencers AS
SELECT m.watch_id, w.name AS watch,
       max(i.author) AS author,
       s.family AS platform,
       max(i.author_url) AS profile,
       max(i.author_followers) AS followers,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive,
       coalesce(max(i.author_followers), 0)
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
       max(m.first_seen_at) AS last_seen
  FROM effective_mentions m
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN watches w ON w.id = m.watch_id
  JOIN sources s ON s.id = m.source_id
 WHERE coalesce(i.author_url, i.author, '') <> ''
 GROUP BY m.watch_id, w.name, s.family, coalesce(i.author_url, i.author);

COMMENT ON VIEW analytics.influencers IS 'The authors of each watch''s mentions, one row per author and site (by profile URL when the source gives one, else by name), ranked by reach: audience plus likes, twice the shares and replies of their posts about the watch; ambassadors and detractors by the balance of their tone. All time: for a period, see docs/SQL.md.';
COMMENT ON COLUMN analytics.influencers.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.influencers.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.influencers.author IS 'The name the author signs with (the last in sort order if several).';
COMMENT ON COLUMN analytics.influencers.platform IS 'The site the author writes on (sources.family).';
COMMENT ON COLUMN analytics.influencers.profile IS 'The author''s profile URL, when a source gives it.';
COMMENT ON COLUMN analytics.influencers.followers IS 'The author''s audience (followers, subscribers): the most seen, NULL when no source says.';
COMMENT ON COLUMN analytics.influencers.mentions IS 'Mentions of the watch in the author''s posts.';
COMMENT ON COLUMN analytics.influencers.negative IS 'Of them, negative ones (corrections applied).';
COMMENT ON COLUMN analytics.influencers.positive IS 'Of them, positive ones (corrections applied).';
COMMENT ON COLUMN analytics.influencers.reach IS 'followers (0 when unknown) + the sum over those posts of likes + 2 * shares + replies (0 when unknown).';
COMMENT ON COLUMN analytics.influencers.role IS '''ambassador'' with at least two positive mentions and twice as many positive as negative, ''detractor'' the other way round, else NULL.';
COMMENT ON COLUMN analytics.influencers.first_seen IS 'When the first of those mentions was first seen.';
COMMENT ON COLUMN analytics.influencers.last_seen IS 'When the last of those mentions was first seen.';

GRANT SELECT ON analytics.influencers TO vigie_analyst, vigie_daemon;
