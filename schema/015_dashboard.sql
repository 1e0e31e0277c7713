-- 015_dashboard: what the dashboard lists and what an editor does there
-- without writing SQL.

-- An abusive mention waits for an editor, who answers or reports it and
-- then marks it handled, or dismisses it (mentions.dismissed) when it does
-- not speak of the watch. Who handled it and when are set by the
-- database, like a correction's (mentions_corrected), so that an editor
-- may write the flag and nothing else.
ALTER TABLE mentions
    ADD COLUMN handled    boolean NOT NULL DEFAULT false,
    ADD COLUMN handled_by text,
    ADD COLUMN handled_at timestamptz;

COMMENT ON COLUMN mentions.handled IS 'Set by an editor once an abusive mention has been dealt with (answered, reported): off the moderation queue, still counted.';
COMMENT ON COLUMN mentions.handled_by IS 'The role that marked the mention handled (set by the database).';
COMMENT ON COLUMN mentions.handled_at IS 'When the mention was marked handled (set by the database).';

CREATE FUNCTION mentions_handled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.handled_by := session_user;
    NEW.handled_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER mentions_handled
    BEFORE UPDATE OF handled ON mentions
    FOR EACH ROW
    WHEN (OLD.handled IS DISTINCT FROM NEW.handled)
    EXECUTE FUNCTION mentions_handled();

GRANT UPDATE (handled) ON mentions TO vigie_editor;

-- Every mention as counted, with its item: the dashboard's list of
-- mentions and its CSV, and an analyst's. The full-text vector is the
-- item's (items.search), matched with websearch_to_tsquery in French and
-- English alike (docs/SQL.md, full-text search).
CREATE VIEW analytics.mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       m.source_id, s.name AS source, s.family AS site,
       m.label, m.detected_label, m.sentiment, m.terms, m.lang,
       m.corrected, m.abusive, m.emotions, m.rumour,
       coalesce(i.story_id, i.id) AS story_id, i.search,
       x.handled
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
  JOIN mentions x ON x.item_id = m.item_id AND x.watch_id = m.watch_id
                 AND x.first_seen_at = m.first_seen_at;

COMMENT ON VIEW analytics.mentions IS 'Every mention as counted (dismissed ones left out, an editor''s tone in place of the detected one), with its item and source: the dashboard''s list.';
COMMENT ON COLUMN analytics.mentions.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.mentions.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.mentions.day IS 'UTC day of publication, as every analytics view counts it.';
COMMENT ON COLUMN analytics.mentions.at IS 'Time of publication, or first seen when undated or dated in the future.';
COMMENT ON COLUMN analytics.mentions.item_id IS 'The item (items.id), for corrections.';
COMMENT ON COLUMN analytics.mentions.title IS 'The item''s title.';
COMMENT ON COLUMN analytics.mentions.link IS 'The item''s link, as the feed gave it (only http and https links are safe to follow).';
COMMENT ON COLUMN analytics.mentions.author IS 'The item''s author, if named.';
COMMENT ON COLUMN analytics.mentions.source_id IS 'The source (sources.id).';
COMMENT ON COLUMN analytics.mentions.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.mentions.site IS 'The site of the source.';
COMMENT ON COLUMN analytics.mentions.label IS 'The tone counted: the editor''s when set, else the detected one.';
COMMENT ON COLUMN analytics.mentions.detected_label IS 'The tone the scorer gave.';
COMMENT ON COLUMN analytics.mentions.sentiment IS 'Compound tone toward the watch given by the scorer, -1 to 1.';
COMMENT ON COLUMN analytics.mentions.terms IS 'The query terms that matched.';
COMMENT ON COLUMN analytics.mentions.lang IS 'Language of the text.';
COMMENT ON COLUMN analytics.mentions.corrected IS 'Whether an editor set the tone.';
COMMENT ON COLUMN analytics.mentions.abusive IS 'Insults, slurs or threats: for moderation.';
COMMENT ON COLUMN analytics.mentions.emotions IS 'The dominant emotions toward the watch (empty for none).';
COMMENT ON COLUMN analytics.mentions.rumour IS 'Whether the mention spreads a rumour.';
COMMENT ON COLUMN analytics.mentions.story_id IS 'The story the item belongs to (stories.story_id): the same article on several sites.';
COMMENT ON COLUMN analytics.mentions.search IS 'The item''s full-text vector (items.search); NULL until indexed.';
COMMENT ON COLUMN analytics.mentions.handled IS 'Whether an editor marked the mention handled (moderation).';

GRANT SELECT ON analytics.mentions TO vigie_analyst;

-- The daemon serves the dashboard (docs/DASHBOARD.md): without logins its
-- local, read-only user reads every view through the daemon's own
-- connection. The daemon reads every table these views read already;
-- the views give it no other right.
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO vigie_daemon;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics
    GRANT SELECT ON TABLES TO vigie_daemon;
