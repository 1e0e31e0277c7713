-- 008_judgement: what the scorer says beyond the tone - the emotions a
-- text shows and whether it spreads a rumour - and the tone of a mention
-- as the tone toward its watch.
--
-- Until now a mention copied its item's tone. A document can praise one
-- brand and run down another: a mention's sentiment, label and abusive
-- are now those of the sentences that name its watch, and the item keeps
-- the document's. Rows stored before keep the tone they were given.
--
-- Columns with a constant default are added without rewriting a month:
-- PostgreSQL stores the default once, for every existing row.

-- The item's, for the whole document: NULL until it is scored, and on
-- items scored before the scorer judged emotions.
ALTER TABLE items
    ADD COLUMN emotions text[]
        CHECK (emotions <@ ARRAY['anger', 'fear', 'sadness', 'disgust',
                                 'joy', 'surprise']),
    ADD COLUMN rumour   boolean;

COMMENT ON COLUMN items.sentiment IS 'Compound tone of the whole document, -1 to 1; NULL until scored. A mention''s tone is that toward its watch (mentions.sentiment).';
COMMENT ON COLUMN items.label IS 'negative, neutral or positive: the whole document''s tone.';
COMMENT ON COLUMN items.abusive IS 'Insults, slurs or threats anywhere in the document.';
COMMENT ON COLUMN items.emotions IS 'The dominant emotions of the document (anger, fear, sadness, disgust, joy, surprise; several on a tie, empty for none); NULL when not judged.';
COMMENT ON COLUMN items.rumour IS 'Whether the document carries rumour markers ("il paraît que", "fake ?", "partagez avant suppression"); NULL when not judged.';

-- The mention's, toward its watch. Mentions stored before this migration
-- were not judged: no emotion, no rumour.
ALTER TABLE mentions
    ADD COLUMN emotions text[] NOT NULL DEFAULT '{}'
        CHECK (emotions <@ ARRAY['anger', 'fear', 'sadness', 'disgust',
                                 'joy', 'surprise']),
    ADD COLUMN rumour   boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN mentions.sentiment IS 'Compound tone toward the watch (the sentences that name it), -1 (very negative) to 1 (very positive); the document''s is items.sentiment.';
COMMENT ON COLUMN mentions.label IS 'negative, neutral or positive toward the watch (neutral band ±0.05 by default); the document''s is items.label.';
COMMENT ON COLUMN mentions.abusive IS 'Insults, slurs or threats toward the watch: for moderation. An abusive mention is scored negative and counted with the negatives.';
COMMENT ON COLUMN mentions.emotions IS 'The dominant emotions of the sentences naming the watch: anger, fear, sadness, disgust, joy, surprise (several on a tie, empty for none).';
COMMENT ON COLUMN mentions.rumour IS 'Whether the sentences naming the watch carry rumour markers ("il paraît que", "fake ?", "partagez avant suppression").';

-- Rumours are few: this index holds them alone, so that a watch's rumours
-- of a period are found without reading its other mentions
-- (analytics.rumours, docs/SQL.md).
CREATE INDEX mentions_rumour
    ON mentions (watch_id, analytics.mention_day(published_at, first_seen_at))
    WHERE rumour;

-- Views: the new columns appended, every other column as it was.

CREATE OR REPLACE VIEW effective_mentions AS
SELECT m.item_id, m.watch_id, m.source_id, m.terms, m.lang, m.sentiment,
       coalesce(m.label_override, m.label) AS label,
       m.label AS detected_label,
       m.label_override IS NOT NULL AS corrected,
       m.abusive, m.published_at, m.first_seen_at, m.matched_at,
       m.emotions, m.rumour
  FROM mentions m
 WHERE NOT m.dismissed;

COMMENT ON COLUMN effective_mentions.emotions IS 'The dominant emotions toward the watch (mentions.emotions).';
COMMENT ON COLUMN effective_mentions.rumour IS 'Whether the mention spreads a rumour (mentions.rumour).';

CREATE OR REPLACE VIEW analytics.negative_mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.terms, m.lang, m.corrected, m.abusive,
       m.emotions, m.rumour
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE m.label = 'negative';

COMMENT ON COLUMN analytics.negative_mentions.sentiment IS 'Compound tone toward the watch given by the scorer, -1 to 1: the lowest are the harshest.';
COMMENT ON COLUMN analytics.negative_mentions.emotions IS 'The dominant emotions toward the watch: anger, fear, sadness, disgust, joy, surprise (empty for none).';
COMMENT ON COLUMN analytics.negative_mentions.rumour IS 'Whether the mention spreads a rumour.';

-- What each state change's alert said of the incident's emotion and
-- rumours (kept in its details by the daemon) in the timeline; NULL for
-- the events recorded before.
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
                   'rumours', e.details -> 'rumours') ORDER BY e.at, e.id)
          FROM incident_events e WHERE e.incident_id = n.id) AS timeline
  FROM incidents n
  LEFT JOIN watches w ON w.id = n.watch_id
  LEFT JOIN sources s ON s.id = n.source_id;

COMMENT ON COLUMN analytics.incidents.timeline IS 'State changes in order: [{state, at, window_count, window_total, expected, ratio, p_value, emotion, rumours}]; emotion is the dominant emotion of the window''s negative mentions (null for none), rumours how many of them spread a rumour.';

-- Rumours whatever their tone: "il paraît que Acme va fermer" is neutral
-- to the scorer and still worth an answer.
CREATE VIEW analytics.rumours AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.label, m.emotions, m.terms, m.lang, m.corrected,
       m.abusive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE m.rumour;

COMMENT ON VIEW analytics.rumours IS 'Every mention that spreads a rumour (corrections applied), with its title, link and tone, to find and answer them.';
COMMENT ON COLUMN analytics.rumours.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.rumours.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.rumours.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.rumours.at IS 'Time of publication, or first seen when undated or dated in the future.';
COMMENT ON COLUMN analytics.rumours.item_id IS 'The item (items.id), for corrections.';
COMMENT ON COLUMN analytics.rumours.title IS 'The item''s title.';
COMMENT ON COLUMN analytics.rumours.link IS 'The item''s link, as the feed gave it.';
COMMENT ON COLUMN analytics.rumours.author IS 'The item''s author, if named.';
COMMENT ON COLUMN analytics.rumours.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.rumours.site IS 'The site of the source.';
COMMENT ON COLUMN analytics.rumours.sentiment IS 'Compound tone toward the watch given by the scorer, -1 to 1.';
COMMENT ON COLUMN analytics.rumours.label IS 'The tone counted toward the watch: the editor''s when set, else the detected one.';
COMMENT ON COLUMN analytics.rumours.emotions IS 'The dominant emotions toward the watch (empty for none).';
COMMENT ON COLUMN analytics.rumours.terms IS 'The query terms that matched.';
COMMENT ON COLUMN analytics.rumours.lang IS 'Language of the text.';
COMMENT ON COLUMN analytics.rumours.corrected IS 'Whether an editor set the tone.';
COMMENT ON COLUMN analytics.rumours.abusive IS 'Insults, slurs or threats: for moderation.';

-- Default privileges cover a view made by the owner who ran 005; said
-- again for a database migrated since by another owner.
GRANT SELECT ON analytics.rumours TO vigie_analyst;
