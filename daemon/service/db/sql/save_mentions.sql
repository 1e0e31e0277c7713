-- The mentions a backfill found in stored items, and the tone of those
-- items that had none yet.
-- $1: json array of {item, tone, label, abusive, tone_lang, mentions}
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS x(item bigint,
    tone real, label text, abusive boolean, tone_lang text,
    mentions json)
), tone AS (
  UPDATE items i SET sentiment = x.tone, label = x.label,
    abusive = x.abusive, tone_lang = x.tone_lang
  FROM input x WHERE i.id = x.item AND i.sentiment IS NULL
)
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,
  sentiment, label, abusive, published_at, first_seen_at)
SELECT i.id, w.id, i.source_id,
  ARRAY(SELECT json_array_elements_text(m->'terms')),
  coalesce(x.tone_lang, i.lang), x.tone, x.label,
  coalesce(x.abusive, false), i.published_at, i.first_seen_at
 FROM input x JOIN items i ON i.id = x.item
 CROSS JOIN LATERAL json_array_elements(x.mentions) AS m
 JOIN watches w ON w.name = m->>'watch'
 ON CONFLICT DO NOTHING
