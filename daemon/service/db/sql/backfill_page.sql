-- A page of the items of the window ($2 seconds), by id after $1, at most
-- $3, first seen up to $4 (when the backfill began: the daemon matched
-- those stored since with the same watches, and a backfill chasing a
-- cold start's inserts would match every item twice); an item without a
-- language of its own gets its source's. Items still staged
-- (schema/031_staged.sql) are read too: a save's items wait there until
-- merged.
SELECT i.id, i.title, i.summary, i.content, i.author, i.link,
  coalesce(i.lang, s.lang)
 FROM (SELECT id, source_id, title, summary, content, author, link, lang,
         first_seen_at FROM items
       UNION ALL
       SELECT id, source_id, title, summary, content, author, link, lang,
         first_seen_at FROM staged_items) i
 JOIN sources s ON s.id = i.source_id
 WHERE i.id > $1::bigint
   AND i.first_seen_at > now() - make_interval(secs => $2::bigint)
   AND i.first_seen_at <= $4::timestamptz
 ORDER BY i.id LIMIT $3::int
