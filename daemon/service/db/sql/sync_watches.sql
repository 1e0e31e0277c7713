-- Brings the watches table in line with the configuration; a watch that
-- is new, back in the configuration, or whose query or languages changed
-- is marked for backfill.
-- $1: json array of {name, query, lang, tags, compare}
WITH cfg AS (
  SELECT * FROM json_to_recordset($1::json)
    AS x(name text, query text, lang text[], tags text[], compare text)
), up AS (
  INSERT INTO watches (name, query, lang, tags, compare_group)
  SELECT name, query, lang, coalesce(tags, '{}'), compare FROM cfg
  ON CONFLICT (name) DO UPDATE SET
    query = excluded.query, lang = excluded.lang,
    tags = excluded.tags, compare_group = excluded.compare_group,
    in_config = true,
    backfill_needed = watches.backfill_needed OR NOT watches.in_config
      OR watches.query <> excluded.query
      OR watches.lang IS DISTINCT FROM excluded.lang,
    query_changed_at = CASE WHEN watches.query <> excluded.query
      OR watches.lang IS DISTINCT FROM excluded.lang
      OR NOT watches.in_config
      THEN now() ELSE watches.query_changed_at END
  RETURNING id
)
UPDATE watches SET in_config = false
 WHERE in_config AND id NOT IN (SELECT id FROM up)
