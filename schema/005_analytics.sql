-- 005_analytics: what analysts and editors read and correct - roles, an
-- editor's corrections of mentions, full-text search over items, the
-- analytics views, and the retention of old items.
--
-- The views are at the grain of a day so that any period is a sum over
-- days; each is filtered on (watch_id, day) by the index on that pair, so
-- that a month of one watch reads that month only, however large the
-- history.

-- Roles are cluster-wide: created once by whichever database is migrated
-- first, granted rights here on this database's objects. They cannot log
-- in: an administrator grants them to the people and services that do.
-- An editor reads what an analyst reads: that membership is cluster-wide
-- too, set once, so that a later database's owner need not administer
-- the roles.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['vigie_daemon', 'vigie_analyst', 'vigie_editor']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role % does not exist and may not be created here', r
                    USING HINT = 'An administrator may create the roles '
                        'vigie_daemon, vigie_analyst and vigie_editor '
                        '(NOLOGIN), then run vigie migrate again.';
            END;
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_auth_members
                    WHERE roleid = 'vigie_analyst'::regrole
                      AND member = 'vigie_editor'::regrole) THEN
        GRANT vigie_analyst TO vigie_editor;
    END IF;
END
$$;

-- Corrections -------------------------------------------------------

-- The detected label is kept beside the editor's so that the scorer's
-- accuracy can still be measured against people's judgement.
ALTER TABLE mentions
    ADD COLUMN label_override text
        CHECK (label_override IN ('negative', 'neutral', 'positive')),
    ADD COLUMN dismissed      boolean NOT NULL DEFAULT false,
    ADD COLUMN corrected_by   text,
    ADD COLUMN corrected_at   timestamptz;

COMMENT ON COLUMN mentions.label_override IS 'Tone set by an editor, in place of label; NULL when not corrected.';
COMMENT ON COLUMN mentions.dismissed IS 'Set by an editor when the item does not speak of the watch (homonym, off-topic): counted nowhere.';
COMMENT ON COLUMN mentions.corrected_by IS 'Login role of the last correction (set by the database, not the editor).';
COMMENT ON COLUMN mentions.corrected_at IS 'Time of the last correction (set by the database, not the editor).';

-- Who corrected is recorded by the database: an editor may only write the
-- correction itself (see the column grants below), so the record cannot
-- be forged.
CREATE FUNCTION mentions_corrected() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.corrected_by := session_user;
    NEW.corrected_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER mentions_corrected
    BEFORE UPDATE OF label_override, dismissed ON mentions
    FOR EACH ROW
    WHEN (OLD.label_override IS DISTINCT FROM NEW.label_override
          OR OLD.dismissed IS DISTINCT FROM NEW.dismissed)
    EXECUTE FUNCTION mentions_corrected();

-- Mentions as everything downstream must count them: dismissed ones gone,
-- the editor's tone in place of the detected one. The detector, the views
-- and analysts read this rather than mentions.
CREATE VIEW effective_mentions AS
SELECT m.item_id, m.watch_id, m.source_id, m.terms, m.lang, m.sentiment,
       coalesce(m.label_override, m.label) AS label,
       m.label AS detected_label,
       m.label_override IS NOT NULL AS corrected,
       m.abusive, m.published_at, m.first_seen_at, m.matched_at
  FROM mentions m
 WHERE NOT m.dismissed;

COMMENT ON VIEW effective_mentions IS 'Mentions as counted: dismissed ones left out, an editor''s tone in place of the detected one.';
COMMENT ON COLUMN effective_mentions.label IS 'The tone counted: the editor''s when set, else the detected one.';
COMMENT ON COLUMN effective_mentions.detected_label IS 'The tone the scorer gave.';
COMMENT ON COLUMN effective_mentions.corrected IS 'Whether an editor set the tone.';

-- Full-text search --------------------------------------------------

-- Stemmed in the item's own language (French or English, else without
-- stemming). The text is bounded and stripped of very long runs (encoded
-- blobs) so that no hostile item can fail its insert on tsvector's limits.
ALTER TABLE items ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector(
        CASE lower(left(coalesce(tone_lang, lang), 2))
            WHEN 'fr' THEN 'french'::regconfig
            WHEN 'en' THEN 'english'::regconfig
            ELSE 'simple'::regconfig
        END,
        regexp_replace(left(coalesce(title, '') || ' ' || coalesce(summary, '')
                            || ' ' || coalesce(content, ''), 100000),
                       '\S{200,}', ' ', 'g'))) STORED;

CREATE INDEX items_search ON items USING gin (search);

COMMENT ON COLUMN items.search IS 'Title, summary and text stemmed in the item''s language (french, english, else simple), for @@ queries.';

-- Indexes for the views and for retention ---------------------------

CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS 'Read-only views for analysts: volumes, tone, share of voice, sources, authors, incidents, source health.';

-- The time a mention is dated at for analysis: when it was published,
-- unless it claims to come from the future; days are UTC days.
CREATE FUNCTION analytics.mention_day(published timestamptz,
                                      first_seen timestamptz)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (least(published, first_seen) AT TIME ZONE 'UTC')::date
$$;

COMMENT ON FUNCTION analytics.mention_day(timestamptz, timestamptz) IS 'UTC day of a mention: its publication, or when it was first seen if undated or dated in the future.';

CREATE INDEX mentions_watch_day
    ON mentions (watch_id, analytics.mention_day(published_at, first_seen_at));

-- Items arrive in first-seen order: a block range index finds old ones for
-- retention at almost no cost.
CREATE INDEX items_first_seen ON items USING brin (first_seen_at);
-- The last item of each source, for source health.
CREATE INDEX items_source_seen ON items (source_id, first_seen_at);

-- Views -------------------------------------------------------------

CREATE VIEW analytics.mention_volume AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       m.lang,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'neutral') AS neutral,
       count(*) FILTER (WHERE m.label = 'positive') AS positive,
       round((count(*) FILTER (WHERE m.label = 'positive')
              - count(*) FILTER (WHERE m.label = 'negative'))::numeric
             / count(*), 3) AS net_sentiment,
       round(avg(m.sentiment)::numeric, 3) AS mean_tone
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
 GROUP BY m.watch_id, w.name, 3, m.lang;

COMMENT ON VIEW analytics.mention_volume IS 'Mentions per watch, day and language, by tone.';
COMMENT ON COLUMN analytics.mention_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.mention_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.mention_volume.day IS 'UTC day of publication (analytics.mention_day).';
COMMENT ON COLUMN analytics.mention_volume.lang IS 'Language of the mention''s text, NULL when unknown.';
COMMENT ON COLUMN analytics.mention_volume.mentions IS 'Mentions counted (dismissed ones excluded).';
COMMENT ON COLUMN analytics.mention_volume.negative IS 'Mentions of negative tone, corrections applied.';
COMMENT ON COLUMN analytics.mention_volume.neutral IS 'Mentions of neutral tone, corrections applied.';
COMMENT ON COLUMN analytics.mention_volume.positive IS 'Mentions of positive tone, corrections applied.';
COMMENT ON COLUMN analytics.mention_volume.net_sentiment IS '(positive - negative) / mentions, from -1 to 1; over several days, recompute it from the sums.';
COMMENT ON COLUMN analytics.mention_volume.mean_tone IS 'Mean compound tone of the scorer, -1 to 1 (not changed by corrections).';

CREATE VIEW analytics.share_of_voice AS
SELECT t.tag,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       m.watch_id, w.name AS watch,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive,
       round(count(*)::numeric
             / sum(count(*)) OVER (PARTITION BY t.tag,
                 analytics.mention_day(m.published_at, m.first_seen_at)), 4)
           AS share
  FROM watches w CROSS JOIN LATERAL unnest(w.tags) AS t(tag)
  JOIN effective_mentions m ON m.watch_id = w.id
 GROUP BY t.tag, 2, m.watch_id, w.name;

COMMENT ON VIEW analytics.share_of_voice IS 'Each watch''s part of the mentions of the watches sharing a tag, per day.';
COMMENT ON COLUMN analytics.share_of_voice.tag IS 'A tag of the watch (watches.tags); a watch with several tags appears under each.';
COMMENT ON COLUMN analytics.share_of_voice.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.share_of_voice.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.share_of_voice.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.share_of_voice.mentions IS 'Mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.negative IS 'Negative mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.positive IS 'Positive mentions of the watch that day.';
COMMENT ON COLUMN analytics.share_of_voice.share IS 'mentions / all mentions of the tag''s watches that day (0 to 1); over a period, recompute it from the sums.';

CREATE VIEW analytics.source_volume AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       m.source_id, s.name AS source, s.family AS site,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN sources s ON s.id = m.source_id
 GROUP BY m.watch_id, w.name, 3, m.source_id, s.name, s.family;

COMMENT ON VIEW analytics.source_volume IS 'Mentions per watch, day and source: the sources that speak most, and most negatively, of a watch.';
COMMENT ON COLUMN analytics.source_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.source_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.source_volume.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.source_volume.source_id IS 'The source (sources.id).';
COMMENT ON COLUMN analytics.source_volume.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.source_volume.site IS 'The site the source belongs to (sources.family).';
COMMENT ON COLUMN analytics.source_volume.mentions IS 'Mentions of the watch in the source that day.';
COMMENT ON COLUMN analytics.source_volume.negative IS 'Negative ones among them.';
COMMENT ON COLUMN analytics.source_volume.positive IS 'Positive ones among them.';

-- An author is known by name on one site only: the same name on two sites
-- is not assumed to be one person.
CREATE VIEW analytics.author_volume AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       i.author, s.family AS site,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id
  JOIN sources s ON s.id = m.source_id
 WHERE i.author IS NOT NULL AND i.author <> ''
 GROUP BY m.watch_id, w.name, 3, i.author, s.family;

COMMENT ON VIEW analytics.author_volume IS 'Mentions per watch, day and author: influencers (volume) and detractors (negative volume).';
COMMENT ON COLUMN analytics.author_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.author_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.author_volume.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.author_volume.author IS 'The author as the feed names them; items without one are left out.';
COMMENT ON COLUMN analytics.author_volume.site IS 'The site the author wrote on (sources.family).';
COMMENT ON COLUMN analytics.author_volume.mentions IS 'Mentions of the watch by the author that day.';
COMMENT ON COLUMN analytics.author_volume.negative IS 'Negative ones among them.';
COMMENT ON COLUMN analytics.author_volume.positive IS 'Positive ones among them.';

CREATE VIEW analytics.negative_mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.terms, m.lang, m.corrected, m.abusive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id
  JOIN sources s ON s.id = m.source_id
 WHERE m.label = 'negative';

COMMENT ON VIEW analytics.negative_mentions IS 'Every negative mention (corrections applied) with its title and link, to read what is said.';
COMMENT ON COLUMN analytics.negative_mentions.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.negative_mentions.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.negative_mentions.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.negative_mentions.at IS 'Time of publication, or first seen when undated or dated in the future.';
COMMENT ON COLUMN analytics.negative_mentions.item_id IS 'The item (items.id), for corrections.';
COMMENT ON COLUMN analytics.negative_mentions.title IS 'The item''s title.';
COMMENT ON COLUMN analytics.negative_mentions.link IS 'The item''s link, as the feed gave it.';
COMMENT ON COLUMN analytics.negative_mentions.author IS 'The item''s author, if named.';
COMMENT ON COLUMN analytics.negative_mentions.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.negative_mentions.site IS 'The site of the source.';
COMMENT ON COLUMN analytics.negative_mentions.sentiment IS 'Compound tone given by the scorer, -1 to 1: the lowest are the harshest.';
COMMENT ON COLUMN analytics.negative_mentions.terms IS 'The query terms that matched.';
COMMENT ON COLUMN analytics.negative_mentions.lang IS 'Language of the text.';
COMMENT ON COLUMN analytics.negative_mentions.corrected IS 'Whether an editor set the tone.';
COMMENT ON COLUMN analytics.negative_mentions.abusive IS 'Insults, slurs or threats: for moderation.';

CREATE VIEW analytics.incidents AS
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
                   'p_value', e.p_value) ORDER BY e.at, e.id)
          FROM incident_events e WHERE e.incident_id = n.id) AS timeline
  FROM incidents n
  LEFT JOIN watches w ON w.id = n.watch_id
  LEFT JOIN sources s ON s.id = n.source_id;

COMMENT ON VIEW analytics.incidents IS 'Every incident with its timeline of state changes and the figures behind each.';
COMMENT ON COLUMN analytics.incidents.incident_id IS 'The incident (incidents.id).';
COMMENT ON COLUMN analytics.incidents.kind IS 'spike (of negative mentions of a watch) or source (a source that keeps failing).';
COMMENT ON COLUMN analytics.incidents.watch_id IS 'The watch of a spike.';
COMMENT ON COLUMN analytics.incidents.watch IS 'The watch''s name, for a spike.';
COMMENT ON COLUMN analytics.incidents.source_id IS 'The source of a source incident.';
COMMENT ON COLUMN analytics.incidents.source IS 'The source''s name, for a source incident.';
COMMENT ON COLUMN analytics.incidents.state IS 'firing or resolved.';
COMMENT ON COLUMN analytics.incidents.severity IS 'warning or critical (the highest reached).';
COMMENT ON COLUMN analytics.incidents.reason IS 'Why it fired, in words.';
COMMENT ON COLUMN analytics.incidents.opened_at IS 'When it fired.';
COMMENT ON COLUMN analytics.incidents.resolved_at IS 'When it was resolved, NULL while firing.';
COMMENT ON COLUMN analytics.incidents.duration IS 'How long it lasted, or has lasted so far.';
COMMENT ON COLUMN analytics.incidents.peak_count IS 'Most negative mentions in one window while it fired.';
COMMENT ON COLUMN analytics.incidents.timeline IS 'State changes in order: [{state, at, window_count, window_total, expected, ratio, p_value}].';

CREATE VIEW analytics.source_health AS
SELECT s.id AS source_id, s.name AS source, coalesce(s.feed_url, s.url) AS url,
       s.family AS site, s.enabled, s.in_config, s.disabled_reason,
       s.last_fetch_at, s.last_success_at, s.last_status, s.last_error,
       s.failures,
       f.fetches_24h, f.failed_24h,
       last.first_seen_at AS last_item_at,
       now() - coalesce(last.first_seen_at, s.created_at) AS silent_for,
       s.items_total,
       CASE
           WHEN NOT s.enabled OR NOT s.in_config THEN 'disabled'
           WHEN s.last_fetch_at IS NULL THEN 'new'
           WHEN s.failures > 0 THEN 'failing'
           -- no new item in ten polling intervals (at least a day)
           WHEN now() - coalesce(last.first_seen_at, s.created_at)
                > greatest(interval '1 day',
                           make_interval(secs => 10 * s.interval_s))
               THEN 'silent'
           ELSE 'ok'
       END AS status
  FROM sources s
  LEFT JOIN LATERAL (
       SELECT i.first_seen_at FROM items i WHERE i.source_id = s.id
        ORDER BY i.first_seen_at DESC LIMIT 1) last ON true
  CROSS JOIN LATERAL (
       SELECT count(*) AS fetches_24h,
              count(*) FILTER (WHERE x.outcome = 'failed') AS failed_24h
         FROM fetches x
        WHERE x.source_id = s.id AND x.started_at > now() - interval '24 hours') f;

COMMENT ON VIEW analytics.source_health IS 'Each source''s state: last success, failures, silence.';
COMMENT ON COLUMN analytics.source_health.source_id IS 'The source (sources.id).';
COMMENT ON COLUMN analytics.source_health.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.source_health.url IS 'The URL polled (the discovered feed when there is one).';
COMMENT ON COLUMN analytics.source_health.site IS 'The site of the source.';
COMMENT ON COLUMN analytics.source_health.enabled IS 'false once disabled (410 Gone, or by hand).';
COMMENT ON COLUMN analytics.source_health.in_config IS 'false once the source left the configuration.';
COMMENT ON COLUMN analytics.source_health.disabled_reason IS 'Why it was disabled.';
COMMENT ON COLUMN analytics.source_health.last_fetch_at IS 'Last poll, whatever its outcome.';
COMMENT ON COLUMN analytics.source_health.last_success_at IS 'Last poll that succeeded.';
COMMENT ON COLUMN analytics.source_health.last_status IS 'HTTP status of the last poll, NULL when no answer came.';
COMMENT ON COLUMN analytics.source_health.last_error IS 'Error of the last poll, NULL when it succeeded.';
COMMENT ON COLUMN analytics.source_health.failures IS 'Consecutive failed polls.';
COMMENT ON COLUMN analytics.source_health.fetches_24h IS 'Polls in the last 24 hours.';
COMMENT ON COLUMN analytics.source_health.failed_24h IS 'Failed polls in the last 24 hours.';
COMMENT ON COLUMN analytics.source_health.last_item_at IS 'When its newest item was first seen, NULL when it never brought one.';
COMMENT ON COLUMN analytics.source_health.silent_for IS 'Time since its newest item (or since it was added).';
COMMENT ON COLUMN analytics.source_health.items_total IS 'Items it ever brought.';
COMMENT ON COLUMN analytics.source_health.status IS 'disabled, new (never polled), failing, silent (no new item in ten intervals and at least a day), or ok.';

-- Retention ---------------------------------------------------------

-- Old items go in batches, their mentions with them, each batch in the
-- caller's transaction: deleting a year at once would hold locks and bloat
-- the log. The caller repeats until it returns less than batch. Incidents
-- and their events stay: they are the record of what happened.
CREATE FUNCTION purge_before(cutoff timestamptz, batch integer)
RETURNS integer LANGUAGE sql AS $$
    WITH old AS (
        DELETE FROM items WHERE id IN (
            SELECT id FROM items WHERE first_seen_at < cutoff LIMIT batch)
        RETURNING 1
    ), fetched AS (
        DELETE FROM fetches WHERE id IN (
            SELECT id FROM fetches WHERE started_at < cutoff LIMIT batch)
        RETURNING 1
    )
    SELECT greatest((SELECT count(*) FROM old), (SELECT count(*) FROM fetched))::integer
$$;

COMMENT ON FUNCTION purge_before(timestamptz, integer) IS 'Deletes up to batch items first seen (and fetches made) before cutoff, with their mentions; returns the larger count.';

-- Rights ------------------------------------------------------------

GRANT USAGE ON SCHEMA public, analytics
    TO vigie_daemon, vigie_analyst, vigie_editor;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
    TO vigie_daemon;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO vigie_daemon;
REVOKE EXECUTE ON FUNCTION purge_before(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_before(timestamptz, integer) TO vigie_daemon;

GRANT SELECT ON ALL TABLES IN SCHEMA public, analytics TO vigie_analyst;

-- An editor may write the correction columns of mentions and nothing
-- else.
GRANT UPDATE (label_override, dismissed) ON mentions TO vigie_editor;

-- Tables and views of later migrations, created by the same owner.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vigie_daemon;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO vigie_daemon;
ALTER DEFAULT PRIVILEGES IN SCHEMA public, analytics
    GRANT SELECT ON TABLES TO vigie_analyst;
