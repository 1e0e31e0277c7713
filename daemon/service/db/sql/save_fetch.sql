-- One fetch of one source: its new items (with their tone, story and
-- mentions), then, with its last chunk of items, the fetch record and the
-- source's new state. A fetch of many items comes in chunks, one
-- statement each (store_sources.c), so that other sources' requests pass
-- between them; each chunk is all or nothing, and the source's position
-- moves only with the last one, so a fetch cut short is fetched again and
-- its stored items are known. Replayed after a lost connection: the
-- attempt's UUID and the items' identities make it idempotent.
--  $1 source id              $11 etag
--  $2 attempt (uuid)         $12 last_modified
--  $3 started, ms            $13 replace the validators (boolean)
--  $4 duration, ms           $14 next poll in ms; < 0: disable
--  $5 HTTP status or NULL    $15 failures in a row
--  $6 outcome                $16 why it is disabled, or NULL
--  $7 error, NULL on success $17 the source's language, or NULL
--  $8 bytes                  $18 a feed found on its page, or NULL
--  $9 final URL              $19 > 0: keep the lease this many seconds
-- $10 json array of items    $20 owner of the lease
--     (store_sources.c's items_json: item, analysis, story identity;
--     the item's tone is the document's, each mention's the tone
--     toward its watch)
-- $21 the fetch's last chunk (boolean): record it and move the source
-- $22, $23 items new and seen before, in the fetch's earlier chunks
-- Returns one row, this chunk's: items new, items seen before, new
-- mentions negative, neutral and positive; none when the last chunk finds
-- the source gone.
WITH input AS (
  SELECT x.*, item_identity(guid, link, title, summary, content)
    AS ident
  FROM json_to_recordset($10::json) AS x(guid text, link text,
    title text, author text, summary text, content text, lang text,
    published bigint, updated bigint, tone real, label text,
    abusive boolean, tone_lang text, emotions text[], rumour boolean,
    mentions json, url_norm text, simhash bigint)
), ins AS (
  INSERT INTO items (source_id, identity, guid, link, title, author,
    summary, content, lang, published_at, updated_at, sentiment,
    label, abusive, tone_lang, emotions, rumour, url_norm, simhash,
    band0, band1, band2, band3, story_id)
  SELECT $1::bigint, ident, guid, link, title, author, summary,
    content, coalesce(lang, $17), to_timestamp(published),
    to_timestamp(updated), tone, label, abusive, tone_lang,
    emotions, rumour, url_norm, simhash, (simhash >> 48) & 65535,
    (simhash >> 32) & 65535, (simhash >> 16) & 65535,
    simhash & 65535, coalesce(
    -- The story this item continues: an item of another source with the
    -- same normalised link, else a near-duplicate text seen in the last
    -- week (SimHash within 3 bits, found by a shared band: only that
    -- week's partitions are read). Each look-up is one equality on one
    -- indexed column, so that its index is the cheapest path whatever the
    -- statistics: with the bands OR-ed, a month partition without
    -- statistics (a new database, a new month) was read through its
    -- (source_id, first_seen_at) index, every row of the week once per
    -- item, the rows this statement inserts included. The first item is
    -- taken by min() rather than ORDER BY id LIMIT 1, which the planner
    -- may answer by walking the primary key.
    (SELECT (min(ARRAY[o.id, coalesce(o.story_id, o.id)]))[2]
     FROM items o WHERE o.url_norm = x.url_norm AND o.source_id <> $1),
    (SELECT (min(ARRAY[o.id, o.story]))[2] FROM (
       SELECT o.id, coalesce(o.story_id, o.id) AS story, o.simhash,
         o.first_seen_at, o.source_id
       FROM items o WHERE o.band0 = (x.simhash >> 48) & 65535
       UNION ALL
       SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
         o.first_seen_at, o.source_id
       FROM items o WHERE o.band1 = (x.simhash >> 32) & 65535
       UNION ALL
       SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
         o.first_seen_at, o.source_id
       FROM items o WHERE o.band2 = (x.simhash >> 16) & 65535
       UNION ALL
       SELECT o.id, coalesce(o.story_id, o.id), o.simhash,
         o.first_seen_at, o.source_id
       FROM items o WHERE o.band3 = x.simhash & 65535) o
     WHERE o.first_seen_at > now() - interval '7 days'
      AND o.source_id <> $1
      AND bit_count((o.simhash # x.simhash)::bit(64)) <= 3))
  FROM input x
  -- Identity is unique per month partition only (schema/007): an item
  -- still in its feed after the month it was first seen in is known
  -- from an earlier partition. Most items a feed repeats were first
  -- seen lately: the last month's partitions are searched first, the
  -- older ones only for what they did not hold. The source's lease
  -- makes this daemon its only writer.
  WHERE NOT EXISTS (SELECT FROM items o WHERE o.source_id = $1
    AND o.identity = x.ident
    AND o.first_seen_at >= now() - interval '1 month')
  AND NOT EXISTS (SELECT FROM items o WHERE o.source_id = $1
    AND o.identity = x.ident
    AND o.first_seen_at < now() - interval '1 month')
  ON CONFLICT DO NOTHING
  RETURNING id, identity, lang, published_at, first_seen_at
), men AS (
  -- Only new items get mentions here: known ones got theirs when they
  -- were new, or from a backfill.
  INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,
    sentiment, label, abusive, emotions, rumour, published_at,
    first_seen_at)
  SELECT ins.id, w.id, $1::bigint, m.terms,
    coalesce(i.tone_lang, ins.lang), m.tone, m.label,
    coalesce(m.abusive, false), coalesce(m.emotions, '{}'),
    coalesce(m.rumour, false), ins.published_at, ins.first_seen_at
  FROM ins JOIN input i ON i.ident = ins.identity
  CROSS JOIN LATERAL json_to_recordset(i.mentions) AS m(watch text,
    terms text[], tone real, label text, abusive boolean,
    emotions text[], rumour boolean)
  JOIN watches w ON w.name = m.watch
  ON CONFLICT DO NOTHING
  RETURNING label
), counts AS (
  SELECT (SELECT count(*) FROM ins) AS n_new,
         (SELECT count(DISTINCT ident) FROM input) AS n_all,
         (SELECT count(*) FROM men WHERE label = 'negative') AS neg,
         (SELECT count(*) FROM men WHERE label = 'neutral') AS neu,
         (SELECT count(*) FROM men WHERE label = 'positive') AS pos
), rec AS (
  INSERT INTO fetches (attempt, source_id, started_at, duration_ms,
    http_status, outcome, error, bytes, items_new, items_seen,
    final_url)
  SELECT $2::uuid, $1::bigint, to_timestamp($3::bigint / 1000.0),
    $4::int, $5::int, $6, $7, $8::bigint, n_new + $22::int,
    n_all - n_new + $23::int, $9
  FROM counts
  WHERE $21::boolean
  ON CONFLICT (attempt, started_at) DO NOTHING
  RETURNING 1
), src AS (
  UPDATE sources s SET
    last_fetch_at = to_timestamp($3::bigint / 1000.0),
    last_status = $5::int, last_error = $7,
    last_success_at = CASE WHEN $7 IS NULL THEN now()
      ELSE s.last_success_at END,
    etag = CASE WHEN $13::boolean THEN $11 ELSE s.etag END,
    feed_url = coalesce($18, s.feed_url),
    last_modified = CASE WHEN $13::boolean THEN $12
      ELSE s.last_modified END,
    failures = $15::int,
    enabled = s.enabled AND $14::bigint >= 0,
    disabled_reason = CASE WHEN $14::bigint < 0 THEN $16
      ELSE s.disabled_reason END,
    next_poll_at = CASE WHEN $14::bigint < 0 THEN s.next_poll_at
      ELSE now() + make_interval(secs => $14::bigint / 1000.0) END,
    items_total = s.items_total + c.n_new + $22::int,
    -- A lease another daemon took meanwhile stays its own; ours is kept
    -- while pages follow, so that nobody polls the source while we walk
    -- them.
    lease_owner = CASE WHEN s.lease_owner IS DISTINCT FROM $20
      OR $19::int > 0 THEN s.lease_owner END,
    lease_until = CASE WHEN s.lease_owner IS DISTINCT FROM $20
      THEN s.lease_until WHEN $19::int > 0
      THEN now() + make_interval(secs => $19::int) END
  FROM counts c
  WHERE s.id = $1::bigint AND $21::boolean
  RETURNING 1
)
SELECT n_new, n_all - n_new, neg, neu, pos FROM counts
 WHERE NOT $21::boolean OR EXISTS (SELECT FROM src)
