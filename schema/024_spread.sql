-- 024_spread: incidents of kind 'spread', a story carried by many sites
-- (or platform accounts) within a short time: the early sign of a rumour
-- or a fake news going viral (docs/DETECTION.md, "Spreading stories").
--
-- A spread incident belongs to a watch and to one story (the id of the
-- story's first item, as items.story_id and story_mentions.story_id hold
-- it). A watch may have several stories spreading at once, so the story
-- is part of "one open incident per kind and subject"; and a story raises
-- one incident per watch, ever: once resolved it is not raised again,
-- whatever it does next (the daemon does not ask; the index refuses).

ALTER TABLE incidents
    ADD COLUMN story_id bigint,
    DROP CONSTRAINT incidents_kind_check,
    DROP CONSTRAINT incidents_check,
    ADD CONSTRAINT incidents_kind_check
        CHECK (kind IN ('spike', 'source', 'spread')),
    ADD CONSTRAINT incidents_watch_check
        CHECK ((kind IN ('spike', 'spread')) = (watch_id IS NOT NULL)),
    ADD CONSTRAINT incidents_story_check
        CHECK ((kind = 'spread') = (story_id IS NOT NULL));

-- No foreign key, as for items.story_id (schema 007): the story keeps
-- its id when its first item's month is dropped.
COMMENT ON COLUMN incidents.story_id IS 'For a spread incident, the story (items.story_id: its first item''s id); NULL otherwise.';
COMMENT ON TABLE incidents IS 'Spikes of negative mentions, stories spreading over many sites, and sources that keep failing.';

DROP INDEX incidents_one_open;
CREATE UNIQUE INDEX incidents_one_open
    ON incidents (kind, (coalesce(watch_id, 0)), (coalesce(source_id, 0)),
                  (coalesce(story_id, 0)))
    WHERE state = 'firing';
CREATE UNIQUE INDEX incidents_one_spread ON incidents (watch_id, story_id)
    WHERE kind = 'spread';

-- The mentions of a story, by the story: the spread check reads each
-- candidate story whole (every voice's first mention), which the index
-- by watch and day could only find by reading all of the watch's.
CREATE INDEX story_mentions_story ON story_mentions (story_id, watch_id);

-- The story of a spread incident, and what its alerts said of its spread
-- (kept in each event's details by the daemon) in the timeline.
CREATE OR REPLACE VIEW analytics.incidents AS
SELECT n.id AS incident_id, n.kind, n.watch_id, w.name AS watch,
       n.source_id, s.name AS source, n.state, n.severity, n.reason,
       n.opened_at, n.resolved_at,
       coalesce(n.resolved_at, now()) - n.opened_at AS duration,
       n.peak_count,
       (SELECT jsonb_agg(jsonb_build_object(
                   'state', e.state, 'at', e.at,
                   'window_count', e.window_count,
                   'window_total', e.window_total,
                   'expected', e.expected, 'ratio', e.ratio,
                   'p_value', e.p_value,
                   'emotion', e.details -> 'emotion',
                   'rumours', e.details -> 'rumours',
                   'sites', e.details -> 'sites') ORDER BY e.at, e.id)
          FROM incident_events e WHERE e.incident_id = n.id) AS timeline,
       n.story_id
  FROM incidents n
  LEFT JOIN watches w ON w.id = n.watch_id
  LEFT JOIN sources s ON s.id = n.source_id;

COMMENT ON VIEW analytics.incidents IS 'Every incident (spikes of negative mentions, stories spreading, sources failing) with its timeline of state changes and the figures behind each.';
COMMENT ON COLUMN analytics.incidents.kind IS 'spike (of negative mentions of a watch), spread (a story of a watch carried by many sites or accounts within a short time) or source (a source that keeps failing).';
COMMENT ON COLUMN analytics.incidents.watch_id IS 'The watch of a spike or a spread.';
COMMENT ON COLUMN analytics.incidents.watch IS 'The watch''s name, for a spike or a spread.';
COMMENT ON COLUMN analytics.incidents.peak_count IS 'Most negative mentions in one window while it fired; for a spread, most sites or accounts that took up the story within its window.';
COMMENT ON COLUMN analytics.incidents.timeline IS 'State changes in order: [{state, at, window_count, window_total, expected, ratio, p_value, emotion, rumours, sites}]; for a spike, emotion is the dominant emotion of the window''s negative mentions (null for none) and rumours how many of them spread a rumour; for a spread, window_count is the sites or accounts that took up the story within its window, window_total the story''s mentions so far and sites the sites or accounts in all.';
COMMENT ON COLUMN analytics.incidents.story_id IS 'For a spread, the story (analytics.story_mentions.story_id); NULL otherwise.';
