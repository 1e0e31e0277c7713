-- Fetches of several sources at once: each one's new items (with their
-- tone and mentions), then, with a fetch's last chunk of items,
-- the fetch record and the source's new state. The store gathers into one
-- statement the chunks that came while the one before ran
-- (store_sources.c), one per source at most: one plan and one round trip
-- for a whole tick's results rather than one per source. A fetch of many
-- items comes in chunks, each in its own statement, so that other
-- sources' requests pass between them; each statement is all or nothing,
-- and a source's position moves only with its last chunk, so a fetch cut
-- short is fetched again and its stored items are known. Replayed after a
-- lost connection: the attempts' UUIDs and the items' identities make it
-- idempotent.
--  $1 json array of fetches, one per source (store_sources.c's
--     fetch_json): source, attempt (uuid), started (ms), duration (ms),
--     status (HTTP, or null), outcome, error (null on success), bytes,
--     final_url, etag, last_modified, set_validators (replace them),
--     next_ms (next poll in ms; < 0: disable), failures (in a row),
--     disabled (why, or null), feed_url (found on its page, or null),
--     lease_s (> 0: keep the lease this long), owner (of the lease),
--     last (the fetch's last chunk: record it and move the source),
--     prior_new and prior_seen (items new and seen before in the
--     fetch's earlier chunks)
--  $2 to $28: the items, one array per column, the same length each, in
--     the fetches' order (store_rows.c, sent in binary: PostgreSQL
--     copies an array's elements, where it reads JSON a character at a
--     time): each item's source, guid, link, title, author, author_url
--     (their profile), relayed_from, summary, content, lang (its own or
--     else its source's), published and updated (seconds), the counts an
--     API gave (likes, shares, replies, views, followers), a review's
--     rating (0-1) and an aggregate's rating_count, its story identity
--     (url_norm, simhash), and its analysis: the document's tone, label,
--     abusive, emotions (an array literal, text[] once cast), rumour and
--     tone_lang. NULL where unknown.
--  $29 to $36: the items' mentions, one array per column: the place of
--     its item in $2 (from 1), the watch, the terms (an array literal),
--     then the tone toward the watch, its label, abusive, emotions and
--     rumour. Authors are written to authors as a set, below.
-- Returns one row per fetch of $1: its place in $1 (from 1), items new
-- and seen before in this chunk, new mentions negative, neutral and
-- positive; none for a last chunk whose source is gone.
-- New items and their mentions go to staging tables, from which
-- index_items() merges them into items and mentions with their vector
-- and story (schema/031_staged.sql): a save writes each row once, into
-- tables with a key and the identity index only.
WITH f AS (
  SELECT *, row_number() OVER () AS k
  FROM json_to_recordset($1::json) AS f(source bigint,
    attempt uuid, started bigint, duration int, status int, outcome text,
    error text, bytes bigint, final_url text, etag text,
    last_modified text, set_validators boolean, next_ms bigint,
    failures int, disabled text, feed_url text, lease_s int,
    owner text, last boolean, prior_new int, prior_seen int)
), input AS (
  -- The items but their summaries and contents, which go from their
  -- arrays to the insert below (ins): each scan of a CTE copies its
  -- rows, and the texts carried along were most of what a save copied.
  -- The arrays are expanded side by side in the select list, a row at a
  -- time: in FROM (unnest(...) WITH ORDINALITY), each array was first
  -- copied whole into a tuple store of its own, a fifth of the
  -- statement's time.
  SELECT x.source, x.guid, x.link, x.title, x.author, x.author_url,
    x.relayed_from, x.lang, x.published, x.updated, x.likes, x.shares,
    x.replies, x.views, x.followers, x.rating, x.rating_count, x.url_norm,
    x.simhash, x.tone, x.label, x.abusive, x.emotions, x.rumour,
    x.tone_lang, x.n,
    item_identity(guid, link, title, summary, content) AS ident
  FROM (SELECT unnest($2::bigint[]) AS source, unnest($3::text[]) AS guid,
      unnest($4::text[]) AS link, unnest($5::text[]) AS title,
      unnest($6::text[]) AS author, unnest($7::text[]) AS author_url,
      unnest($8::text[]) AS relayed_from, unnest($9::text[]) AS summary,
      unnest($10::text[]) AS content, unnest($11::text[]) AS lang,
      unnest($12::bigint[]) AS published, unnest($13::bigint[]) AS updated,
      unnest($14::bigint[]) AS likes, unnest($15::bigint[]) AS shares,
      unnest($16::bigint[]) AS replies, unnest($17::bigint[]) AS views,
      unnest($18::bigint[]) AS followers, unnest($19::real[]) AS rating,
      unnest($20::bigint[]) AS rating_count,
      unnest($21::text[]) AS url_norm, unnest($22::bigint[]) AS simhash,
      unnest($23::real[]) AS tone, unnest($24::text[]) AS label,
      unnest($25::boolean[]) AS abusive, unnest($26::text[]) AS emotions,
      unnest($27::boolean[]) AS rumour, unnest($28::text[]) AS tone_lang,
      generate_series(1::bigint, cardinality($2::bigint[])) AS n) x
), fresh AS (
  -- The identities no partition holds, nor staging, once each (a feed
  -- may repeat an item), in the feeds' order. Identity is unique per
  -- month partition only (schema/007): an item still in its feed after
  -- the month it was first seen in is known from an earlier partition.
  -- Most items a feed repeats were first seen lately: staging and the
  -- last month's partitions are searched first, the older ones only for
  -- what they did not hold. The source's lease makes this daemon its only
  -- writer.
  --
  -- Every look-up into items here is a scalar subquery, so one index
  -- probe per item whatever the planner believes of the sizes: a month
  -- partition may have no statistics yet, and as an anti-join the same
  -- test was planned as a scan of the whole month.
  --
  -- The first of each identity is chosen by its place alone: sorting the
  -- rows themselves, texts and all, was a twentieth of the statement.
  SELECT x.* FROM input x
  WHERE x.n IN (SELECT DISTINCT ON (y.source, y.ident) y.n
    FROM input y
    WHERE (SELECT true FROM staged_items o WHERE o.source_id = y.source
             AND o.identity = y.ident LIMIT 1) IS NULL
      AND (SELECT true FROM items o WHERE o.source_id = y.source
             AND o.identity = y.ident
             AND o.first_seen_at >= now() - interval '1 month'
           LIMIT 1) IS NULL
      AND (SELECT true FROM items o WHERE o.source_id = y.source
             AND o.identity = y.ident
             AND o.first_seen_at < now() - interval '1 month'
           LIMIT 1) IS NULL
    ORDER BY y.source, y.ident, y.n)
), families AS (
  -- The site of each source of this statement (sources.family), for the
  -- authors who have no profile: one object by source id, looked up per
  -- post. A join would hash the posts themselves, texts and all (see
  -- author_ids below).
  SELECT jsonb_object_agg(s.id, s.family) AS sites
  FROM sources s WHERE s.id IN (SELECT source FROM f)
), ided AS (
  -- Their ids drawn before the insert, in the feeds' order, so that the
  -- mentions find their item's id by its place. With each post's author
  -- as authors knows them (schema/023_authors.sql), to find their id in
  -- author_ids.
  -- The sequence is looked up once (a sub-select), not by name for each
  -- row: that was 3.5 us an item.
  SELECT x.*,
    nextval((SELECT pg_get_serial_sequence('items', 'id')::regclass)) AS id,
    k.author_key,
    CASE WHEN k.author_key IS NOT NULL
      THEN author_platform(x.author_url,
        (SELECT sites FROM families) ->> x.source::text)
      END AS author_platform
  FROM fresh x
  CROSS JOIN LATERAL (SELECT author_key(x.author_url, x.author)
    AS author_key) k
  ORDER BY x.n
), seen AS (
  -- This statement's authors, once each: those of the new posts, and
  -- those whose audience a known post gives (an API's counts change as
  -- it is polled again). A feed polled again, whose posts give no
  -- audience, costs nothing here. Counts of one statement were read at
  -- the same time: the largest is kept. Each with their row, if
  -- authors had it when the statement began (one index probe each).
  SELECT y.*, (SELECT o FROM authors o
      WHERE o.platform = y.platform AND o.key = y.key) AS known
  FROM (SELECT platform, key, max(name) AS name,
      max(profile_url) AS profile_url, max(followers) AS followers,
      bool_or(new) AS new
    FROM (SELECT author_platform AS platform, author_key AS key,
        author AS name, CASE WHEN url_site(author_url) IS NOT NULL
          THEN author_url END AS profile_url, followers, true AS new
      FROM ided
      WHERE author_key IS NOT NULL
      UNION ALL
      SELECT author_platform(x.author_url,
          (SELECT sites FROM families) ->> x.source::text),
        author_key(x.author_url, x.author), x.author,
        CASE WHEN url_site(x.author_url) IS NOT NULL THEN x.author_url END,
        x.followers, false
      FROM input x
      WHERE x.followers IS NOT NULL
        AND author_key(x.author_url, x.author) IS NOT NULL) z
    GROUP BY platform, key) y
), auth AS (
  -- Authors seen for the first time, in key order. Another save may
  -- write the same one meanwhile (the daemon saves on two connections,
  -- and daemons share a database): then the row it wrote is updated
  -- and returned, after waiting for its transaction, which happens
  -- once per author at most.
  INSERT INTO authors AS a (platform, key, handle, name, profile_url,
    followers, first_seen, last_seen)
  SELECT platform, key, author_handle(profile_url), name, profile_url,
    followers, now(), now()
  FROM seen
  WHERE (known).id IS NULL
  ORDER BY platform, key
  ON CONFLICT (platform, key) DO UPDATE SET
    handle = coalesce(excluded.handle, a.handle),
    name = coalesce(excluded.name, a.name),
    profile_url = coalesce(excluded.profile_url, a.profile_url),
    followers = coalesce(excluded.followers, a.followers),
    last_seen = greatest(a.last_seen, excluded.last_seen)
  RETURNING a.id, a.platform, a.key
), author_ids AS (
  -- Every author's id, as one object by platform and key: each new item
  -- finds its author's there, rather than through a join with auth,
  -- which the planner, seeing one row where a fetch gives thousands,
  -- built by hashing the items themselves, texts and all.
  SELECT jsonb_object_agg(platform || E'\n' || key, id) AS ids
  FROM (SELECT platform, key, id FROM auth
    UNION ALL
    SELECT platform, key, (known).id FROM seen
    WHERE (known).id IS NOT NULL) i
), changes AS (
  -- Known authors with something new: an audience that differs from the
  -- stored one, or a post that gives another name or profile, or moves
  -- last_seen by a minute or more; by id, for the update below, which
  -- finds each by the key. last_seen is kept to the minute: an author
  -- who posts on many of a cycle's sources is written once, not once
  -- per save (each update writes the row again, and they were a tenth
  -- of a save's time in a cold cycle).
  SELECT jsonb_object_agg((known).id, jsonb_build_object('new', new,
      'name', name, 'profile', profile_url, 'followers', followers))
    AS rows
  FROM seen
  WHERE (known).id IS NOT NULL
    AND ((followers IS NOT NULL
          AND followers IS DISTINCT FROM (known).followers)
      OR (new AND ((known).last_seen < now() - interval '1 minute'
        OR (name IS NOT NULL AND name IS DISTINCT FROM (known).name)
        OR (profile_url IS NOT NULL
            AND profile_url IS DISTINCT FROM (known).profile_url))))
), locked AS (
  -- Of those, the rows no other save is writing at this moment (SKIP
  -- LOCKED): one that is carries a post of theirs from the same moment,
  -- and waiting for it would make the two connections' saves take turns.
  SELECT l.id FROM authors l
  WHERE l.id = ANY (ARRAY(SELECT jsonb_object_keys(rows)::bigint
    FROM changes))
  FOR NO KEY UPDATE SKIP LOCKED
), touched AS (
  -- Nothing else is written or locked: a feed polled again leaves its
  -- authors alone.
  UPDATE authors a SET
    handle = CASE WHEN (c.rows -> a.id::text ->> 'new')::boolean
      THEN coalesce(author_handle(c.rows -> a.id::text ->> 'profile'),
        a.handle) ELSE a.handle END,
    name = CASE WHEN (c.rows -> a.id::text ->> 'new')::boolean
      THEN coalesce(c.rows -> a.id::text ->> 'name', a.name)
      ELSE a.name END,
    profile_url = CASE WHEN (c.rows -> a.id::text ->> 'new')::boolean
      THEN coalesce(c.rows -> a.id::text ->> 'profile', a.profile_url)
      ELSE a.profile_url END,
    followers = coalesce((c.rows -> a.id::text ->> 'followers')::bigint,
      a.followers),
    last_seen = CASE WHEN (c.rows -> a.id::text ->> 'new')::boolean
      THEN greatest(a.last_seen, now()) ELSE a.last_seen END
  FROM changes c
  WHERE a.id = ANY (ARRAY(SELECT id FROM locked))
), ins AS (
  -- No ON CONFLICT: with the identities tested above and the lease, a
  -- conflict is a bug, and must fail the statement rather than leave
  -- mentions of an item not inserted. Into items, with its full-text
  -- vector and the story it continues, in the background (index_items(),
  -- schema/031_staged.sql).
  INSERT INTO staged_items (id, source_id, identity, guid, link, title,
    author, author_url, summary, content, lang, published_at, updated_at,
    sentiment, label, abusive, tone_lang, emotions, rumour, url_norm, simhash,
    band0, band1, band2, band3, likes, shares, replies, views,
    author_followers, rating, rating_count, author_id, relayed_site)
  SELECT i.id, i.source, i.ident, i.guid, i.link, i.title, i.author,
    i.author_url, t.summary, t.content, i.lang, to_timestamp(i.published),
    to_timestamp(i.updated), i.tone, i.label, i.abusive, i.tone_lang,
    i.emotions::text[], i.rumour, i.url_norm, i.simhash,
    (i.simhash >> 48) & 65535, (i.simhash >> 32) & 65535,
    (i.simhash >> 16) & 65535, i.simhash & 65535, i.likes, i.shares,
    i.replies, i.views, i.followers, i.rating, i.rating_count,
    ((SELECT ids FROM author_ids)
      ->> (i.author_platform || E'\n' || i.author_key))::bigint,
    url_site(i.relayed_from)
  -- In FROM here, unlike input: the ordinality is known to come in
  -- order, so the join with ided merges rather than hashes the texts,
  -- and two arrays cost little to copy.
  FROM unnest($9::text[], $10::text[]) WITH ORDINALITY
    AS t(summary, content, n)
  JOIN ided i ON i.n = t.n
  RETURNING source_id
), men AS (
  -- Only new items get mentions here: known ones got theirs when they
  -- were new, or from a backfill. Their ids are this statement's own, so
  -- no other row can share a key; a watch named twice in one item's
  -- mentions is written once. DISTINCT, not ON CONFLICT DO NOTHING,
  -- which probed the key before each insert: twice a plain insert.
  INSERT INTO staged_mentions (item_id, watch_id, source_id, terms, lang,
    sentiment, label, abusive, emotions, rumour, published_at,
    first_seen_at)
  SELECT DISTINCT ON (i.id, w.id) i.id, w.id, i.source, m.terms::text[],
    coalesce(i.tone_lang, i.lang), m.tone, m.label,
    coalesce(m.abusive, false), coalesce(m.emotions::text[], '{}'),
    coalesce(m.rumour, false), to_timestamp(i.published), now()
  FROM (SELECT unnest($29::int[]) AS n, unnest($30::text[]) AS watch,
      unnest($31::text[]) AS terms, unnest($32::real[]) AS tone,
      unnest($33::text[]) AS label, unnest($34::boolean[]) AS abusive,
      unnest($35::text[]) AS emotions, unnest($36::boolean[]) AS rumour) m
  JOIN ided i ON i.n = m.n
  JOIN watches w ON w.name = m.watch
  ORDER BY i.id, w.id
  RETURNING source_id, label
), counts AS (
  SELECT f.*, coalesce(nn.n, 0) AS n_new, coalesce(na.n, 0) AS n_all,
    coalesce(mc.neg, 0) AS neg, coalesce(mc.neu, 0) AS neu,
    coalesce(mc.pos, 0) AS pos
  FROM f
  LEFT JOIN (SELECT source_id, count(*) AS n FROM ins GROUP BY 1) nn
    ON nn.source_id = f.source
  LEFT JOIN (SELECT source, count(DISTINCT ident) AS n FROM input
    GROUP BY 1) na ON na.source = f.source
  LEFT JOIN (SELECT source_id,
      count(*) FILTER (WHERE label = 'negative') AS neg,
      count(*) FILTER (WHERE label = 'neutral') AS neu,
      count(*) FILTER (WHERE label = 'positive') AS pos
    FROM men GROUP BY 1) mc ON mc.source_id = f.source
), rec AS (
  INSERT INTO fetches (attempt, source_id, started_at, duration_ms,
    http_status, outcome, error, bytes, items_new, items_seen,
    final_url)
  SELECT attempt, source, to_timestamp(started / 1000.0), duration,
    status, outcome, error, bytes, n_new + prior_new,
    n_all - n_new + prior_seen, final_url
  FROM counts
  WHERE last
  ON CONFLICT (attempt, started_at) DO NOTHING
  RETURNING 1
), src AS (
  UPDATE sources s SET
    last_fetch_at = to_timestamp(c.started / 1000.0),
    last_status = c.status, last_error = c.error,
    last_success_at = CASE WHEN c.error IS NULL OR c.outcome = 'partial'
      THEN now() ELSE s.last_success_at END,
    etag = CASE WHEN c.set_validators THEN c.etag ELSE s.etag END,
    feed_url = coalesce(c.feed_url, s.feed_url),
    last_modified = CASE WHEN c.set_validators THEN c.last_modified
      ELSE s.last_modified END,
    failures = c.failures,
    enabled = s.enabled AND c.next_ms >= 0,
    disabled_reason = CASE WHEN c.next_ms < 0 THEN c.disabled
      ELSE s.disabled_reason END,
    next_poll_at = CASE WHEN c.next_ms < 0 THEN s.next_poll_at
      ELSE now() + make_interval(secs => c.next_ms / 1000.0) END,
    items_total = s.items_total + c.n_new + c.prior_new,
    -- A lease another daemon took meanwhile stays its own; ours is kept
    -- while pages follow, so that nobody polls the source while we walk
    -- them.
    lease_owner = CASE WHEN s.lease_owner IS DISTINCT FROM c.owner
      OR c.lease_s > 0 THEN s.lease_owner END,
    lease_until = CASE WHEN s.lease_owner IS DISTINCT FROM c.owner
      THEN s.lease_until WHEN c.lease_s > 0
      THEN now() + make_interval(secs => c.lease_s) END
  FROM counts c
  WHERE s.id = c.source AND c.last
  RETURNING s.id
)
SELECT k, n_new, n_all - n_new, neg, neu, pos FROM counts
WHERE NOT last OR source IN (SELECT id FROM src)
