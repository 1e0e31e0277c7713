-- 016_dashboard_plans: a page of the dashboard's list of mentions read
-- in the order it shows.
--
-- The list shows a period's newest fifty mentions. PostgreSQL estimates
-- analytics.mentions' joins (the item on its id and month, the mention's
-- own row for handled) at one row, so it read every mention of the
-- period, joined each to its item and sorted them all: 0.4 s for a month
-- of the busiest watch of bench/sql_bench.py's 10 million mentions, and
-- more than the dashboard's 20 s for a month of every watch. The page's
-- keys are now taken from effective_mentions first, newest first, in
-- the order of these indexes, and stop once the page is full
-- (daemon/service/web/pages.c, docs/BENCHMARKS.md: dashboard pages on 10
-- million mentions). The day before the time: the same order, a day
-- being its time's UTC date, and the views' condition on the day bounds
-- the scan.

-- One watch's mentions of a period, newest (or oldest) first. It begins
-- as mentions_watch_day (005, 007) did and serves every look-up that one
-- served (a watch and its days), so it takes its place: one index more
-- to write for each mention saved, not two.
CREATE INDEX mentions_watch_day_at
    ON mentions (watch_id, analytics.mention_day(published_at, first_seen_at),
                 least(published_at, first_seen_at));
DROP INDEX mentions_watch_day;

-- Every watch's mentions of a period, newest (or oldest) first.
CREATE INDEX mentions_day_at
    ON mentions (analytics.mention_day(published_at, first_seen_at),
                 least(published_at, first_seen_at));

-- The moderation queue (abusive mentions not yet handled, a few in a
-- thousand) in the same way: its 500 newest keys from effective_mentions,
-- which shows handled for that, through this index.
CREATE OR REPLACE VIEW effective_mentions AS
SELECT m.item_id, m.watch_id, m.source_id, m.terms, m.lang, m.sentiment,
       coalesce(m.label_override, m.label) AS label,
       m.label AS detected_label,
       m.label_override IS NOT NULL AS corrected,
       m.abusive, m.published_at, m.first_seen_at, m.matched_at,
       m.emotions, m.rumour, m.handled
  FROM mentions m
 WHERE NOT m.dismissed;

COMMENT ON COLUMN effective_mentions.handled IS 'Whether an editor marked the mention handled (mentions.handled).';

CREATE INDEX mentions_moderation
    ON mentions (analytics.mention_day(published_at, first_seen_at),
                 least(published_at, first_seen_at))
    WHERE abusive AND NOT handled;
