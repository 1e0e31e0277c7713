-- 017_counts: the daily counts kept as mentions are written, behind the
-- same analytics views.
--
-- The views counted every mention again on each question: a month of the
-- busiest watch of bench/sql_bench.py's 10 million mentions is 41,000
-- mentions, each joined to its item, and a watch's page of the dashboard
-- asked nine times (2.8 s); the overview summed 1.65 million mentions
-- (3.5 s; docs/BENCHMARKS.md, dashboard pages on 10 million mentions).
-- The counts per watch and day are now kept in small tables, by
-- language, by source, by author, by term and by emotion, updated by the
-- statement that writes, corrects, dismisses or deletes mentions (one
-- set-based update per statement, not per row), and the views read them
-- with the same columns as before. Items per source and day, and the
-- mentions of stories told on several items, are kept likewise.
--
-- A count row also names the month its mentions were first seen in
-- (seen): a month's partition dropped by retention takes its counts with
-- it (drop_partitions), even those of mentions published months before
-- they were seen.
--
-- The tables have no foreign keys: a deleted source or watch leaves rows
-- that every view drops by its join, and a mention deleted with its
-- source (a cascade) has no item left to name its author by.

CREATE TABLE mention_counts (
    watch_id  bigint  NOT NULL,
    day       date    NOT NULL,
    seen      date    NOT NULL,
    lang      text    NOT NULL,
    mentions  integer NOT NULL,
    negative  integer NOT NULL,
    neutral   integer NOT NULL,
    positive  integer NOT NULL,
    tone_sum  float8  NOT NULL,
    PRIMARY KEY (watch_id, day, seen, lang)
);
CREATE INDEX mention_counts_day ON mention_counts (day);

-- By source and author in one table: the sources' counts are its sums
-- over the authors. Authors rarely write twice the same day of the same
-- watch, so that a table of each would hold about a row per mention
-- twice (2.3 GB for bench/sql_bench.py's 10 million mentions, against
-- 1.0 GB for the two in one).
CREATE TABLE source_counts (
    watch_id  bigint  NOT NULL,
    day       date    NOT NULL,
    seen      date    NOT NULL,
    source_id bigint  NOT NULL,
    author    text    NOT NULL,
    mentions  integer NOT NULL,
    negative  integer NOT NULL,
    positive  integer NOT NULL,
    PRIMARY KEY (watch_id, day, seen, source_id, author)
);

CREATE TABLE term_counts (
    watch_id  bigint  NOT NULL,
    day       date    NOT NULL,
    seen      date    NOT NULL,
    term      text    NOT NULL,
    mentions  integer NOT NULL,
    PRIMARY KEY (watch_id, day, seen, term)
);

CREATE TABLE emotion_counts (
    watch_id  bigint  NOT NULL,
    day       date    NOT NULL,
    seen      date    NOT NULL,
    emotion   text    NOT NULL,
    mentions  integer NOT NULL,
    PRIMARY KEY (watch_id, day, seen, emotion)
);

-- Items first seen per source and UTC day (the day names its month).
CREATE TABLE item_counts (
    source_id bigint  NOT NULL,
    day       date    NOT NULL,
    items     integer NOT NULL,
    PRIMARY KEY (source_id, day)
);

-- Polls per source and UTC hour, and those that failed: a source's
-- polls of the last 24 hours (analytics.source_health) are the whole
-- hours of the counts and the rest of the first hour from fetches,
-- rather than every poll of the day read again (2,000 sources polled
-- every ten minutes: 288,000 rows). Two days are kept.
CREATE TABLE fetch_counts (
    source_id bigint      NOT NULL,
    hour      timestamptz NOT NULL,
    fetches   integer     NOT NULL,
    failed    integer     NOT NULL,
    PRIMARY KEY (source_id, hour)
);

-- The mentions whose item belongs to a story of more than one item (the
-- first item and those continuing it): the few a watch's spreading
-- stories are counted from, without reading its other mentions. Filled
-- when index_items() finds the story, and when a mention of an item
-- already indexed is written (a backfill).
CREATE TABLE story_mentions (
    item_id       bigint      NOT NULL,
    watch_id      bigint      NOT NULL,
    first_seen_at timestamptz NOT NULL,
    story_id      bigint      NOT NULL,
    source_id     bigint      NOT NULL,
    day           date        NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (item_id, watch_id, first_seen_at)
);
CREATE INDEX story_mentions_watch_day ON story_mentions (watch_id, day);

-- The items that continue a story, by the story: whether an item is the
-- first of a story of several (a few items in a hundred; schema 010
-- dropped the index of every item's story_id, which no query used).
CREATE INDEX items_continuing ON items (story_id) WHERE story_id IS NOT NULL;

COMMENT ON TABLE mention_counts IS 'Mentions counted per watch, UTC day, month first seen and language, kept as mentions are written and corrected (analytics.mention_volume reads it).';
COMMENT ON TABLE source_counts IS 'Mentions counted per watch, day, month first seen, source and author (analytics.source_volume, analytics.author_volume).';
COMMENT ON COLUMN source_counts.author IS 'The item''s author; the empty string for none.';
COMMENT ON TABLE term_counts IS 'Mentions counted per watch, day, month first seen and matched term (analytics.term_volume).';
COMMENT ON TABLE emotion_counts IS 'Mentions counted per watch, day, month first seen and emotion (analytics.emotion_volume).';
COMMENT ON TABLE fetch_counts IS 'Polls and failed polls per source and UTC hour, the last two days (analytics.source_health).';
COMMENT ON TABLE item_counts IS 'Items first seen per source and UTC day (analytics.source_items).';
COMMENT ON TABLE story_mentions IS 'Mentions of items that belong to a story of several items (analytics.story_mentions).';
COMMENT ON COLUMN mention_counts.seen IS 'First day of the month the mentions were first seen in: their partition, dropped with it.';
COMMENT ON COLUMN mention_counts.lang IS 'Language of the mentions; the empty string for unknown.';
COMMENT ON COLUMN mention_counts.tone_sum IS 'Sum of the scorer''s compound tone over the mentions counted.';


-- Keeping the counts ------------------------------------------------

-- The statement that adds a set of mentions to the counts, signed: src is
-- a query of mentions rows with k, +1 for a mention as it now is, -1 for
-- one as it was; dismissed ones count for nothing. What a statement left
-- as it was (an UPDATE of handled) adds up to zero and is not written.
-- The counts are written in key order, so that two writers lock their
-- rows in the same order. A function returns the text rather than run it
-- because only the trigger's own statements see its transition tables.
CREATE FUNCTION mention_counts_sql(src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
WITH d AS MATERIALIZED (
    SELECT m.watch_id,
           analytics.mention_day(m.published_at, m.first_seen_at) AS day,
           date_trunc('month', m.first_seen_at AT TIME ZONE 'UTC')::date
               AS seen,
           coalesce(m.lang, '') AS lang, m.source_id, m.item_id,
           m.first_seen_at, m.terms, m.emotions, m.sentiment, m.k,
           CASE coalesce(m.label_override, m.label)
               WHEN 'negative' THEN m.k ELSE 0 END AS neg,
           CASE coalesce(m.label_override, m.label)
               WHEN 'neutral' THEN m.k ELSE 0 END AS neu,
           CASE coalesce(m.label_override, m.label)
               WHEN 'positive' THEN m.k ELSE 0 END AS pos
      FROM (%s) m
     WHERE NOT m.dismissed
), l AS (
    INSERT INTO mention_counts AS c
    SELECT watch_id, day, seen, lang, sum(k), sum(neg), sum(neu), sum(pos),
           sum(k * sentiment::float8)
      FROM d GROUP BY 1, 2, 3, 4
    HAVING sum(abs(k)) > 0
       AND (sum(k) <> 0 OR sum(neg) <> 0 OR sum(neu) <> 0 OR sum(pos) <> 0
            OR sum(k * sentiment::float8) <> 0)
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (watch_id, day, seen, lang) DO UPDATE SET
        mentions = c.mentions + excluded.mentions,
        negative = c.negative + excluded.negative,
        neutral = c.neutral + excluded.neutral,
        positive = c.positive + excluded.positive,
        tone_sum = c.tone_sum + excluded.tone_sum
), s AS (
    -- An item deleted with its source has no author left: its mention
    -- is taken from the source's unnamed authors, which keeps the
    -- source's sums right.
    INSERT INTO source_counts AS c
    SELECT d.watch_id, d.day, d.seen, d.source_id, coalesce(i.author, ''),
           sum(d.k), sum(d.neg), sum(d.pos)
      FROM d LEFT JOIN items i ON i.id = d.item_id
                              AND i.first_seen_at = d.first_seen_at
     GROUP BY 1, 2, 3, 4, 5
    HAVING sum(d.k) <> 0 OR sum(d.neg) <> 0 OR sum(d.pos) <> 0
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (watch_id, day, seen, source_id, author) DO UPDATE SET
        mentions = c.mentions + excluded.mentions,
        negative = c.negative + excluded.negative,
        positive = c.positive + excluded.positive
), t AS (
    INSERT INTO term_counts AS c
    SELECT watch_id, day, seen, term, sum(k)
      FROM d CROSS JOIN LATERAL unnest(d.terms) term
     GROUP BY 1, 2, 3, 4 HAVING sum(k) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (watch_id, day, seen, term) DO UPDATE SET
        mentions = c.mentions + excluded.mentions
)
INSERT INTO emotion_counts AS c
SELECT watch_id, day, seen, emotion, sum(k)
  FROM d CROSS JOIN LATERAL unnest(d.emotions) emotion
 GROUP BY 1, 2, 3, 4 HAVING sum(k) <> 0 ORDER BY 1, 2, 3, 4
ON CONFLICT (watch_id, day, seen, emotion) DO UPDATE SET
    mentions = c.mentions + excluded.mentions
$q$, src)
$f$;

-- The statement that records, of a set of mentions (src, a query of
-- mentions rows), those whose item belongs to a story of several items:
-- an item continuing a story, and an item others continue. The second
-- is looked for among indexed items only (index_items() finds the story
-- of the oldest first, and the first item of a story is older than the
-- rest): a save's new items are not, and cost no look-up.
CREATE FUNCTION story_mentions_sql(src text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
INSERT INTO story_mentions
SELECT m.item_id, m.watch_id, m.first_seen_at, coalesce(i.story_id, i.id),
       m.source_id, analytics.mention_day(m.published_at, m.first_seen_at),
       least(m.published_at, m.first_seen_at)
  FROM (%s) m
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
 WHERE i.story_id IS NOT NULL
    OR (i.search IS NOT NULL
        AND EXISTS (SELECT FROM items c WHERE c.story_id = i.id))
ON CONFLICT DO NOTHING
$q$, src)
$f$;

-- The triggers run as the schema's owner: an editor's correction updates
-- counts the editor may not write.
CREATE FUNCTION mentions_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE mention_counts_sql('SELECT n.*, 1 AS k FROM new_rows n');
        EXECUTE story_mentions_sql('SELECT * FROM new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE mention_counts_sql('SELECT o.*, -1 AS k FROM old_rows o');
    ELSE
        EXECUTE mention_counts_sql('SELECT n.*, 1 AS k FROM new_rows n'
                                   ' UNION ALL'
                                   ' SELECT o.*, -1 FROM old_rows o');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER mentions_count_insert AFTER INSERT ON mentions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_count();
CREATE TRIGGER mentions_count_update AFTER UPDATE ON mentions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_count();
CREATE TRIGGER mentions_count_delete AFTER DELETE ON mentions
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_count();

-- Items counted as they are written; their stories as index_items()
-- finds them (the only writer of items.story_id).
CREATE FUNCTION items_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO item_counts AS c
        SELECT source_id, (first_seen_at AT TIME ZONE 'UTC')::date, count(*)
          FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (source_id, day) DO UPDATE SET
            items = c.items + excluded.items;
    ELSE
        -- The mentions of the items that just joined a story, and of
        -- the first item of each such story, every watch's.
        EXECUTE story_mentions_sql(
            'WITH joined AS MATERIALIZED ('
            ' SELECT n.id, n.first_seen_at, n.story_id FROM new_rows n'
            ' JOIN old_rows o ON o.id = n.id'
            ' AND o.first_seen_at = n.first_seen_at'
            ' WHERE n.story_id IS NOT NULL AND o.story_id IS NULL)'
            ' SELECT m.* FROM mentions m JOIN ('
            ' SELECT id, first_seen_at FROM joined'
            ' UNION SELECT r.id, r.first_seen_at FROM items r'
            ' WHERE r.id IN (SELECT story_id FROM joined)) x'
            ' ON m.item_id = x.id AND m.first_seen_at = x.first_seen_at');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER items_count_insert AFTER INSERT ON items
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION items_count();
CREATE TRIGGER items_count_update AFTER UPDATE ON items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION items_count();

CREATE FUNCTION fetches_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    INSERT INTO fetch_counts AS c
    SELECT source_id, date_trunc('hour', started_at, 'UTC'), count(*),
           count(*) FILTER (WHERE outcome = 'failed')
      FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (source_id, hour) DO UPDATE SET
        fetches = c.fetches + excluded.fetches,
        failed = c.failed + excluded.failed;
    RETURN NULL;
END
$$;

CREATE TRIGGER fetches_count AFTER INSERT ON fetches
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fetches_count();

-- The hourly maintenance also forgets the polls counted two days ago.
CREATE OR REPLACE FUNCTION maintain_partitions(retention interval)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
SET lock_timeout = '5s'
AS $$
BEGIN
    PERFORM create_partitions(now(), now() + interval '1 month');
    DELETE FROM fetch_counts WHERE hour < now() - interval '2 days';
    IF retention IS NULL THEN
        RETURN 0;
    END IF;
    RETURN drop_partitions(now() - retention);
END
$$;

-- Retention drops a month's counts with its partitions.
CREATE OR REPLACE FUNCTION drop_partitions(cutoff timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    part record;
    dropped integer := 0;
    gone date;
BEGIN
    FOR part IN
        SELECT c.relname
          FROM pg_inherits h
          JOIN pg_class c ON c.oid = h.inhrelid
          JOIN pg_class p ON p.oid = h.inhparent
          JOIN pg_namespace n ON n.oid = p.relnamespace
         WHERE n.nspname = 'public'
           AND p.relname IN ('mentions', 'items', 'fetches')
           AND c.relname ~ ('^' || p.relname || '_[0-9]{4}_[0-9]{2}$')
           AND (to_date(right(c.relname, 7), 'YYYY_MM') + interval '1 month')
               AT TIME ZONE 'UTC' <= cutoff
         ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE public.%I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    -- A month ends at or before cutoff when it begins before cutoff's
    -- month: the months whose partitions went above.
    gone := date_trunc('month', cutoff AT TIME ZONE 'UTC')::date;
    DELETE FROM mention_counts WHERE seen < gone;
    DELETE FROM source_counts WHERE seen < gone;
    DELETE FROM term_counts WHERE seen < gone;
    DELETE FROM emotion_counts WHERE seen < gone;
    DELETE FROM item_counts WHERE day < gone;
    DELETE FROM story_mentions
     WHERE first_seen_at < gone::timestamp AT TIME ZONE 'UTC';
    RETURN dropped;
END
$$;

REVOKE EXECUTE ON FUNCTION mention_counts_sql(text), story_mentions_sql(text)
    FROM PUBLIC;

-- The counts of what is stored already.
DO $$
BEGIN
    EXECUTE mention_counts_sql('SELECT m.*, 1 AS k FROM mentions m');
    EXECUTE story_mentions_sql(
        'SELECT * FROM mentions WHERE item_id IN ('
        ' SELECT id FROM items WHERE story_id IS NOT NULL'
        ' UNION SELECT story_id FROM items WHERE story_id IS NOT NULL)');
END
$$;
INSERT INTO item_counts
SELECT source_id, (first_seen_at AT TIME ZONE 'UTC')::date, count(*)
  FROM items GROUP BY 1, 2;
INSERT INTO fetch_counts
SELECT source_id, date_trunc('hour', started_at, 'UTC'), count(*),
       count(*) FILTER (WHERE outcome = 'failed')
  FROM fetches WHERE started_at >= now() - interval '2 days'
 GROUP BY 1, 2;

-- The views, read from the counts: the same columns, the same rows ------

CREATE OR REPLACE VIEW analytics.mention_volume AS
SELECT c.watch_id, w.name AS watch, c.day, nullif(c.lang, '') AS lang,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.neutral) AS neutral,
       sum(c.positive) AS positive,
       round((sum(c.positive) - sum(c.negative))::numeric
             / sum(c.mentions), 3) AS net_sentiment,
       round((sum(c.tone_sum) / sum(c.mentions))::numeric, 3) AS mean_tone
  FROM mention_counts c JOIN watches w ON w.id = c.watch_id
 GROUP BY c.watch_id, w.name, c.day, c.lang
HAVING sum(c.mentions) > 0;

-- mention_volume without the language: a watch's day in one row, what
-- the dashboard's overview and charts read (half the rows to group).
CREATE VIEW analytics.watch_volume AS
SELECT c.watch_id, w.name AS watch, c.day,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.neutral) AS neutral,
       sum(c.positive) AS positive,
       round((sum(c.positive) - sum(c.negative))::numeric
             / sum(c.mentions), 3) AS net_sentiment,
       round((sum(c.tone_sum) / sum(c.mentions))::numeric, 3) AS mean_tone
  FROM mention_counts c JOIN watches w ON w.id = c.watch_id
 GROUP BY c.watch_id, w.name, c.day
HAVING sum(c.mentions) > 0;

COMMENT ON VIEW analytics.watch_volume IS 'Mentions per watch and day, every language together, by tone: analytics.mention_volume summed over its languages.';
COMMENT ON COLUMN analytics.watch_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.watch_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.watch_volume.day IS 'UTC day of publication (analytics.mention_day).';
COMMENT ON COLUMN analytics.watch_volume.mentions IS 'Mentions counted (dismissed ones excluded).';
COMMENT ON COLUMN analytics.watch_volume.negative IS 'Mentions of negative tone, corrections applied.';
COMMENT ON COLUMN analytics.watch_volume.neutral IS 'Mentions of neutral tone, corrections applied.';
COMMENT ON COLUMN analytics.watch_volume.positive IS 'Mentions of positive tone, corrections applied.';
COMMENT ON COLUMN analytics.watch_volume.net_sentiment IS '(positive - negative) / mentions, from -1 to 1; over several days, recompute it from the sums.';
COMMENT ON COLUMN analytics.watch_volume.mean_tone IS 'Mean compound tone of the scorer, -1 to 1 (not changed by corrections).';

CREATE OR REPLACE VIEW analytics.share_of_voice AS
SELECT w.compare_group, c.day, c.watch_id, w.name AS watch,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive,
       round(sum(c.mentions)::numeric
             / sum(sum(c.mentions)) OVER (PARTITION BY w.compare_group, c.day),
             4) AS share
  FROM watches w JOIN mention_counts c ON c.watch_id = w.id
 WHERE w.compare_group IS NOT NULL
 GROUP BY w.compare_group, c.day, c.watch_id, w.name
HAVING sum(c.mentions) > 0;

CREATE OR REPLACE VIEW analytics.share_of_voice_by_tag AS
SELECT t.tag, c.day, c.watch_id, w.name AS watch,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive,
       round(sum(c.mentions)::numeric
             / sum(sum(c.mentions)) OVER (PARTITION BY t.tag, c.day), 4)
           AS share
  FROM watches w CROSS JOIN LATERAL unnest(w.tags) AS t(tag)
  JOIN mention_counts c ON c.watch_id = w.id
 GROUP BY t.tag, c.day, c.watch_id, w.name
HAVING sum(c.mentions) > 0;

CREATE OR REPLACE VIEW analytics.source_volume AS
SELECT c.watch_id, w.name AS watch, c.day,
       c.source_id, s.name AS source, s.family AS site,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive
  FROM source_counts c JOIN watches w ON w.id = c.watch_id
  JOIN sources s ON s.id = c.source_id
 GROUP BY c.watch_id, w.name, c.day, c.source_id, s.name, s.family
HAVING sum(c.mentions) > 0;

CREATE OR REPLACE VIEW analytics.author_volume AS
SELECT c.watch_id, w.name AS watch, c.day, c.author, s.family AS site,
       sum(c.mentions) AS mentions,
       sum(c.negative) AS negative,
       sum(c.positive) AS positive
  FROM source_counts c JOIN watches w ON w.id = c.watch_id
  JOIN sources s ON s.id = c.source_id
 WHERE c.author <> ''
 GROUP BY c.watch_id, w.name, c.day, c.author, s.family
HAVING sum(c.mentions) > 0;

CREATE VIEW analytics.term_volume AS
SELECT c.watch_id, w.name AS watch, c.day, c.term,
       sum(c.mentions) AS mentions
  FROM term_counts c JOIN watches w ON w.id = c.watch_id
 GROUP BY c.watch_id, w.name, c.day, c.term
HAVING sum(c.mentions) > 0;

COMMENT ON VIEW analytics.term_volume IS 'Mentions per watch, day and query term that matched: what is said of a watch, in its own query''s words.';
COMMENT ON COLUMN analytics.term_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.term_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.term_volume.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.term_volume.term IS 'A query term that matched, as written in the query (mentions.terms).';
COMMENT ON COLUMN analytics.term_volume.mentions IS 'Mentions of the watch that day in which the term matched.';

CREATE VIEW analytics.emotion_volume AS
SELECT c.watch_id, w.name AS watch, c.day, c.emotion,
       sum(c.mentions) AS mentions
  FROM emotion_counts c JOIN watches w ON w.id = c.watch_id
 GROUP BY c.watch_id, w.name, c.day, c.emotion
HAVING sum(c.mentions) > 0;

COMMENT ON VIEW analytics.emotion_volume IS 'Mentions per watch, day and dominant emotion toward the watch.';
COMMENT ON COLUMN analytics.emotion_volume.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.emotion_volume.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.emotion_volume.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.emotion_volume.emotion IS 'anger, fear, sadness, disgust, joy or surprise (mentions.emotions).';
COMMENT ON COLUMN analytics.emotion_volume.mentions IS 'Mentions of the watch that day with that emotion among their dominant ones.';

CREATE VIEW analytics.source_items AS
SELECT c.source_id, s.name AS source, s.family AS site, c.day, c.items
  FROM item_counts c JOIN sources s ON s.id = c.source_id;

COMMENT ON VIEW analytics.source_items IS 'Items first seen per source and day, whatever they mention: a source''s rhythm.';
COMMENT ON COLUMN analytics.source_items.source_id IS 'The source (sources.id).';
COMMENT ON COLUMN analytics.source_items.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.source_items.site IS 'The site the source belongs to (sources.family).';
COMMENT ON COLUMN analytics.source_items.day IS 'UTC day the items were first seen.';
COMMENT ON COLUMN analytics.source_items.items IS 'Items first seen that day.';

CREATE VIEW analytics.story_mentions AS
SELECT x.watch_id, w.name AS watch, x.day, x.at, x.story_id, x.item_id,
       i.title, i.link, x.source_id, s.name AS source, s.family AS site,
       m.label
  FROM story_mentions x
  JOIN effective_mentions m ON m.item_id = x.item_id
                           AND m.watch_id = x.watch_id
                           AND m.first_seen_at = x.first_seen_at
  JOIN items i ON i.id = x.item_id AND i.first_seen_at = x.first_seen_at
  JOIN watches w ON w.id = x.watch_id
  JOIN sources s ON s.id = x.source_id;

COMMENT ON VIEW analytics.story_mentions IS 'Mentions of items that belong to a story told by several items (the same article on several sources), as counted: a watch''s spreading stories.';
COMMENT ON COLUMN analytics.story_mentions.watch_id IS 'The watch (watches.id).';
COMMENT ON COLUMN analytics.story_mentions.watch IS 'The watch''s name.';
COMMENT ON COLUMN analytics.story_mentions.day IS 'UTC day of publication.';
COMMENT ON COLUMN analytics.story_mentions.at IS 'Time of publication, or first seen when undated or dated in the future.';
COMMENT ON COLUMN analytics.story_mentions.story_id IS 'The story (stories.story_id: its first item).';
COMMENT ON COLUMN analytics.story_mentions.item_id IS 'The item (items.id).';
COMMENT ON COLUMN analytics.story_mentions.title IS 'The item''s title.';
COMMENT ON COLUMN analytics.story_mentions.link IS 'The item''s link, as the feed gave it (only http and https links are safe to follow).';
COMMENT ON COLUMN analytics.story_mentions.source_id IS 'The source (sources.id).';
COMMENT ON COLUMN analytics.story_mentions.source IS 'The source''s name.';
COMMENT ON COLUMN analytics.story_mentions.site IS 'The site of the source (sources.family).';
COMMENT ON COLUMN analytics.story_mentions.label IS 'The tone counted: the editor''s when set, else the detected one.';

GRANT SELECT ON analytics.watch_volume, analytics.term_volume,
    analytics.emotion_volume,
    analytics.source_items, analytics.story_mentions
    TO vigie_analyst, vigie_daemon;

CREATE OR REPLACE VIEW analytics.source_health AS
SELECT s.id AS source_id, s.name AS source, coalesce(s.feed_url, s.url) AS url,
       s.family AS site, s.enabled, s.in_config, s.disabled_reason,
       s.last_fetch_at, s.last_success_at, s.last_status, s.last_error,
       s.failures,
       h.fetches + p.fetches AS fetches_24h, h.failed + p.failed AS failed_24h,
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
  -- The whole hours of the last 24 hours...
  CROSS JOIN LATERAL (
       SELECT coalesce(sum(c.fetches), 0) AS fetches,
              coalesce(sum(c.failed), 0) AS failed
         FROM fetch_counts c
        WHERE c.source_id = s.id
          AND c.hour > now() - interval '24 hours') h
  -- ... and the end of the hour they begin in.
  CROSS JOIN LATERAL (
       SELECT count(*) AS fetches,
              count(*) FILTER (WHERE x.outcome = 'failed') AS failed
         FROM fetches x
        WHERE x.source_id = s.id
          AND x.started_at > now() - interval '24 hours'
          AND x.started_at < date_trunc('hour', now() - interval '24 hours',
                                        'UTC') + interval '1 hour') p;

-- Every mention with its item, without joining each mention to its own
-- row again for handled: effective_mentions carries it since schema 016.
-- A CSV export of a month of a busy watch reads every one of its rows.
CREATE OR REPLACE VIEW analytics.mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       m.source_id, s.name AS source, s.family AS site,
       m.label, m.detected_label, m.sentiment, m.terms, m.lang,
       m.corrected, m.abusive, m.emotions, m.rumour,
       coalesce(i.story_id, i.id) AS story_id, i.search,
       m.handled
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id;
