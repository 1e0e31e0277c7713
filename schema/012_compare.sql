-- 012_compare: share of voice among the watches meant to be compared.
--
-- Share of voice was counted among the watches sharing a tag. A brand is
-- tagged "brand" and its competitor "competitor", so the two were never
-- set side by side; and a brand's own sub-watch (its complaints, tagged
-- "brand" too) took a share of the brand's voice. A watch now says which
-- set it is compared in (`compare` in its configuration): share of voice
-- is counted within each set, and a watch in none has none. The count
-- by tag stays, under its own name, for whoever groups watches by tag.

ALTER TABLE watches ADD COLUMN compare_group text;

COMMENT ON COLUMN watches.compare_group IS 'The set of watches this one is compared with in share of voice (the configuration''s compare key, a brand and its competitors); NULL: in none.';

-- The count by tag, its columns and their comments, under its new name.
ALTER VIEW analytics.share_of_voice RENAME TO share_of_voice_by_tag;
COMMENT ON VIEW analytics.share_of_voice_by_tag IS 'Each watch''s part of the mentions of the watches sharing a tag, per day (what share_of_voice was before schema 012).';

CREATE VIEW analytics.share_of_voice AS
SELECT w.compare_group,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       m.watch_id, w.name AS watch,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive,
       round(count(*)::numeric
             / sum(count(*)) OVER (PARTITION BY w.compare_group,
                 analytics.mention_day(m.published_at, m.first_seen_at)), 4)
           AS share
  FROM watches w
  JOIN effective_mentions m ON m.watch_id = w.id
 WHERE w.compare_group IS NOT NULL
 GROUP BY w.compare_group, 2, m.watch_id, w.name;

COMMENT ON VIEW analytics.share_of_voice IS 'Each watch''s part of the mentions of the watches it is compared with (watches.compare_group: a brand and its competitors), per day.';
COMMENT ON COLUMN analytics.share_of_voice.compare_group IS 'The set of watches compared (watches.compare_group).';
COMMENT ON COLUMN analytics.share_of_voice.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.share_of_voice.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.share_of_voice.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.share_of_voice.mentions IS 'Mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.negative IS 'Negative mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.positive IS 'Positive mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.share IS 'mentions / all mentions of the set''s watches that day (0 to 1); over a period, recompute it from the sums.';
