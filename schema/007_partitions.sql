-- 007_partitions: items, mentions and the fetch log partitioned by month,
-- so that retention drops a whole month at once instead of deleting rows.
--
-- Items and mentions are partitioned on the item's first_seen_at (which
-- every mention copies), fetches on started_at; one partition per UTC
-- month, named <table>_YYYY_MM. A mention therefore always lives in the
-- month of its item, and a month goes from both tables together.
--
-- What partitioning costs, and how it is paid:
-- * A unique key of a partitioned table must contain the partition key,
--   so "one item per (source, identity)" can no longer be a constraint of
--   items. Each month's partition has its own unique index on (source_id,
--   identity), and the daemon stores only identities no partition holds
--   (one index probe per partition). A source is written by the daemon
--   holding its lease only (kept while it walks the source's pages), so
--   two writers do not race for one identity.
-- * mentions has no foreign key to items: detaching a referenced partition
--   makes PostgreSQL scan the referencing table, and both tables are
--   partitioned alike and dropped together, so the key would guard
--   nothing retention could break.
-- * items.story_id has no foreign key either: when the first item of a
--   story ages out, the later ones keep the id and so still group as one
--   story.
--
-- Existing rows are copied into the new tables; views are pointed at them
-- in place, so their grants and comments stay.

-- The tables as they were, set aside until their rows are copied.
ALTER TABLE mentions RENAME TO mentions_unpartitioned;
ALTER TABLE items RENAME TO items_unpartitioned;
ALTER TABLE fetches RENAME TO fetches_unpartitioned;

-- The same columns (defaults, identity, generated search column, checks
-- and comments); keys and indexes follow once the rows are in.
CREATE TABLE items (LIKE items_unpartitioned INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY RANGE (first_seen_at);
CREATE TABLE mentions (LIKE mentions_unpartitioned
                       INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY RANGE (first_seen_at);
CREATE TABLE fetches (LIKE fetches_unpartitioned
                      INCLUDING ALL EXCLUDING INDEXES)
    PARTITION BY RANGE (started_at);

COMMENT ON TABLE items IS 'Every item seen, once per source; partitioned by the month it was first seen.';
COMMENT ON TABLE mentions IS 'An item that matches a watch: one row per (item, watch); partitioned by the month its item was first seen.';
COMMENT ON TABLE fetches IS 'Every poll of every source and how it went; partitioned by month.';

-- Partitions ---------------------------------------------------------

-- Creates the month partitions of items, mentions and fetches covering
-- [from_t, to_t] that do not exist yet; returns how many it created.
-- Runs with its owner's rights: the daemon's role may not create tables.
CREATE FUNCTION create_partitions(from_t timestamptz, to_t timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    month timestamp := date_trunc('month', from_t AT TIME ZONE 'UTC');
    parent text;
    part text;
    made integer := 0;
BEGIN
    WHILE month <= to_t AT TIME ZONE 'UTC' LOOP
        FOREACH parent IN ARRAY ARRAY['items', 'mentions', 'fetches'] LOOP
            part := parent || '_' || to_char(month, 'YYYY_MM');
            CONTINUE WHEN to_regclass('public.' || quote_ident(part))
                IS NOT NULL;
            EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I'
                           ' FOR VALUES FROM (%L) TO (%L)', part, parent,
                           month AT TIME ZONE 'UTC',
                           (month + interval '1 month') AT TIME ZONE 'UTC');
            -- One item per (source, identity) within the month; the
            -- daemon looks in the other months before it inserts.
            IF parent = 'items' THEN
                EXECUTE format('CREATE UNIQUE INDEX %I ON public.%I'
                               ' (source_id, identity)',
                               part || '_identity', part);
            END IF;
            made := made + 1;
        END LOOP;
        month := month + interval '1 month';
    END LOOP;
    RETURN made;
END
$$;

COMMENT ON FUNCTION create_partitions(timestamptz, timestamptz) IS 'Creates the missing month partitions of items, mentions and fetches from from_t to to_t; returns how many.';

-- Drops the month partitions of items, mentions and fetches that end at
-- or before cutoff (a month goes once all of it is older); returns how
-- many it dropped.
CREATE FUNCTION drop_partitions(cutoff timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    part record;
    dropped integer := 0;
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
    RETURN dropped;
END
$$;

COMMENT ON FUNCTION drop_partitions(timestamptz) IS 'Drops the month partitions of items, mentions and fetches that end at or before cutoff; returns how many.';

-- What the daemon runs when it connects and every hour: this month's and
-- next month's partitions made ahead of need, and the months older than
-- retention (NULL: keep everything) dropped. Dropping a partition waits
-- for queries reading its table; rather than queue every writer behind a
-- long analyst query, it gives up after a few seconds and is tried again
-- an hour later.
CREATE FUNCTION maintain_partitions(retention interval)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
SET lock_timeout = '5s'
AS $$
BEGIN
    PERFORM create_partitions(now(), now() + interval '1 month');
    IF retention IS NULL THEN
        RETURN 0;
    END IF;
    RETURN drop_partitions(now() - retention);
END
$$;

COMMENT ON FUNCTION maintain_partitions(interval) IS 'Creates this month''s and next month''s partitions and drops those older than retention (NULL: none); returns how many it dropped.';

REVOKE EXECUTE ON FUNCTION create_partitions(timestamptz, timestamptz),
    drop_partitions(timestamptz), maintain_partitions(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION maintain_partitions(interval) TO vigie_daemon;

-- The rows ------------------------------------------------------------

SELECT create_partitions(
    least(now(),
          (SELECT min(first_seen_at) FROM items_unpartitioned),
          (SELECT min(started_at) FROM fetches_unpartitioned)),
    now() + interval '1 month');

-- Every column but the generated one, ids kept; each identity then goes on
-- from the largest id copied.
DO $$
DECLARE
    t text;
    cols text;
BEGIN
    FOREACH t IN ARRAY ARRAY['items', 'mentions', 'fetches'] LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
          INTO cols
          FROM pg_attribute
         WHERE attrelid = (t || '_unpartitioned')::regclass
           AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
        EXECUTE format('INSERT INTO %I (%s) OVERRIDING SYSTEM VALUE'
                       ' SELECT %s FROM %I', t, cols, cols,
                       t || '_unpartitioned');
    END LOOP;
    PERFORM setval(pg_get_serial_sequence('items', 'id'),
                   (SELECT coalesce(max(id), 0) + 1 FROM items), false);
    PERFORM setval(pg_get_serial_sequence('fetches', 'id'),
                   (SELECT coalesce(max(id), 0) + 1 FROM fetches), false);
END
$$;

-- Views that read the old tables read the new ones: each is replaced by
-- its own definition with the table renamed back, so that its grants,
-- comments and dependent views stay.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN
        SELECT DISTINCT r.ev_class::regclass AS view
          FROM pg_depend d
          JOIN pg_rewrite r ON r.oid = d.objid
         WHERE d.classid = 'pg_rewrite'::regclass
           AND d.refobjid IN ('items_unpartitioned'::regclass,
                              'mentions_unpartitioned'::regclass,
                              'fetches_unpartitioned'::regclass)
           AND r.ev_class NOT IN ('items_unpartitioned'::regclass,
                                  'mentions_unpartitioned'::regclass,
                                  'fetches_unpartitioned'::regclass)
    LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %s AS %s', v.view,
                       regexp_replace(pg_get_viewdef(v.view),
                                      '\m(items|mentions|fetches)_unpartitioned\M',
                                      '\1', 'g'));
    END LOOP;
END
$$;

-- item_story() takes an items row: the type of the new table.
DROP FUNCTION item_story(items_unpartitioned);
CREATE FUNCTION item_story(items) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1.story_id, $1.id) $$;

-- The identity of an item within its source: its guid (or id), else its
-- link, else a digest of its title and text; one longer than an index row
-- may hold (a hostile or tracking-laden link) is stored as its digest.
-- PL/pgSQL for its fast path on simple expressions: the daemon calls it
-- for every item of every fetch.
CREATE FUNCTION item_identity(guid text, link text, title text,
                              summary text, content text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    ident text := coalesce(nullif(guid, ''), nullif(link, ''),
                           'md5:' || md5(coalesce(title, '') || E'\n'
                                         || coalesce(summary, '') || E'\n'
                                         || coalesce(content, '')));
BEGIN
    IF octet_length(ident) > 512 THEN
        RETURN 'sha256:' || encode(sha256(convert_to(ident, 'UTF8')), 'hex');
    END IF;
    RETURN ident;
END
$$;

COMMENT ON FUNCTION item_identity(text, text, text, text, text) IS 'An item''s identity within its source: guid, else link, else md5 of title and text; a digest when longer than 512 bytes.';

-- Retention drops partitions now.
DROP FUNCTION purge_before(timestamptz, integer);

DROP TABLE mentions_unpartitioned, items_unpartitioned, fetches_unpartitioned;

-- The identity sequences took a suffix while the old ones existed.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['items', 'fetches'] LOOP
        EXECUTE format('ALTER SEQUENCE %s RENAME TO %I',
                       pg_get_serial_sequence(t, 'id'), t || '_id_seq');
    END LOOP;
END
$$;

-- Keys and indexes ----------------------------------------------------

ALTER TABLE items
    ADD PRIMARY KEY (id, first_seen_at),
    ADD FOREIGN KEY (source_id) REFERENCES sources (id) ON DELETE CASCADE;
CREATE INDEX items_published ON items (coalesce(published_at, first_seen_at));
CREATE INDEX items_url_norm ON items (url_norm);
CREATE INDEX items_band0 ON items (band0);
CREATE INDEX items_band1 ON items (band1);
CREATE INDEX items_band2 ON items (band2);
CREATE INDEX items_band3 ON items (band3);
CREATE INDEX items_story ON items (story_id);
CREATE INDEX items_search ON items USING gin (search);
CREATE INDEX items_first_seen ON items USING brin (first_seen_at);
CREATE INDEX items_source_seen ON items (source_id, first_seen_at);

ALTER TABLE mentions
    ADD PRIMARY KEY (item_id, watch_id, first_seen_at),
    ADD FOREIGN KEY (watch_id) REFERENCES watches (id) ON DELETE CASCADE,
    ADD FOREIGN KEY (source_id) REFERENCES sources (id) ON DELETE CASCADE;
CREATE INDEX mentions_watch_time
    ON mentions (watch_id, (coalesce(published_at, first_seen_at)));
CREATE INDEX mentions_negative
    ON mentions (watch_id, first_seen_at) WHERE label = 'negative';
CREATE INDEX mentions_first_seen ON mentions (first_seen_at);
CREATE INDEX mentions_watch_day
    ON mentions (watch_id, analytics.mention_day(published_at, first_seen_at));

CREATE TRIGGER mentions_corrected
    BEFORE UPDATE OF label_override, dismissed ON mentions
    FOR EACH ROW
    WHEN (OLD.label_override IS DISTINCT FROM NEW.label_override
          OR OLD.dismissed IS DISTINCT FROM NEW.dismissed)
    EXECUTE FUNCTION mentions_corrected();

-- A retried write of one poll is recorded once: the daemon sends the same
-- attempt and start time again.
ALTER TABLE fetches
    ADD PRIMARY KEY (id, started_at),
    ADD UNIQUE (attempt, started_at),
    ADD FOREIGN KEY (source_id) REFERENCES sources (id) ON DELETE CASCADE;
CREATE INDEX fetches_source_time ON fetches (source_id, started_at DESC);

-- Joins from a mention to its item name the month too, so that only that
-- month's partition is searched.
CREATE OR REPLACE VIEW analytics.author_volume AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       i.author, s.family AS site,
       count(*) AS mentions,
       count(*) FILTER (WHERE m.label = 'negative') AS negative,
       count(*) FILTER (WHERE m.label = 'positive') AS positive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE i.author IS NOT NULL AND i.author <> ''
 GROUP BY m.watch_id, w.name, 3, i.author, s.family;

CREATE OR REPLACE VIEW analytics.negative_mentions AS
SELECT m.watch_id, w.name AS watch,
       analytics.mention_day(m.published_at, m.first_seen_at) AS day,
       least(m.published_at, m.first_seen_at) AS at,
       m.item_id, i.title, i.link, i.author,
       s.name AS source, s.family AS site,
       m.sentiment, m.terms, m.lang, m.corrected, m.abusive
  FROM effective_mentions m JOIN watches w ON w.id = m.watch_id
  JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
  JOIN sources s ON s.id = m.source_id
 WHERE m.label = 'negative';

CREATE OR REPLACE FUNCTION detect_counts(from_ms bigint, to_ms bigint,
                                         bucket_ms bigint, window_ms bigint,
                                         only_watch text DEFAULT NULL)
RETURNS TABLE (watch text, bucket bigint, negative bigint, total bigint)
LANGUAGE sql STABLE AS $$
    SELECT w.name,
           (floor(extract(epoch FROM x.t) * 1000 / bucket_ms)
               * bucket_ms)::bigint,
           count(DISTINCT (item_story(i), s.family))
               FILTER (WHERE coalesce(m.label_override, m.label) = 'negative'),
           count(DISTINCT (item_story(i), s.family))
      FROM mentions m
      JOIN watches w ON w.id = m.watch_id
      JOIN items i ON i.id = m.item_id AND i.first_seen_at = m.first_seen_at
      JOIN sources s ON s.id = m.source_id,
           LATERAL (SELECT mention_time(m.published_at, m.first_seen_at,
                       make_interval(secs => window_ms / 1000.0)) AS t) x
     WHERE NOT m.dismissed
       AND (CASE WHEN only_watch IS NULL THEN w.in_config
                 ELSE w.name = only_watch END)
       -- a mention counts at most a window before it was first seen
       AND m.first_seen_at >= to_timestamp(from_ms / 1000.0)
       AND x.t >= to_timestamp(from_ms / 1000.0)
       AND x.t < to_timestamp(to_ms / 1000.0)
     GROUP BY 1, 2
$$;

-- Rights ----------------------------------------------------------------

GRANT SELECT, INSERT, UPDATE, DELETE ON items, mentions, fetches
    TO vigie_daemon;
GRANT USAGE, SELECT ON SEQUENCE items_id_seq, fetches_id_seq TO vigie_daemon;
GRANT SELECT ON items, mentions, fetches TO vigie_analyst;
GRANT UPDATE (label_override, dismissed) ON mentions TO vigie_editor;

-- A webhook's URL is often its secret (Slack's, for one): analysts read
-- every other column of the outbox, not that one.
REVOKE SELECT ON outbox FROM vigie_analyst;
GRANT SELECT (id, event_id, target, channel, content_type, body, created_at,
              next_attempt_at, attempts, last_error, delivered_at, failed_at,
              lease_owner, lease_until)
    ON outbox TO vigie_analyst;
