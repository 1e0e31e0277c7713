-- The mentions a backfill found in stored items, and the tone of those
-- items that had none yet.
-- $1: json array of {item, tone, label, abusive, tone_lang, emotions,
--     rumour, mentions}: the document's tone, and each mention's
--     {watch, terms, tone, label, abusive, emotions, rumour} toward its
--     watch (store_codec.c's json_analysis, as for a fetch)
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS x(item bigint,
    tone real, label text, abusive boolean, tone_lang text,
    emotions text[], rumour boolean, mentions json)
), tone AS (
  UPDATE items i SET sentiment = x.tone, label = x.label,
    abusive = x.abusive, tone_lang = x.tone_lang,
    emotions = x.emotions, rumour = x.rumour
  FROM input x WHERE i.id = x.item AND i.sentiment IS NULL
)
INSERT INTO mentions (item_id, watch_id, source_id, terms, lang,
  sentiment, label, abusive, emotions, rumour, published_at,
  first_seen_at)
SELECT i.id, w.id, i.source_id, m.terms,
  coalesce(x.tone_lang, i.lang), m.tone, m.label,
  coalesce(m.abusive, false), coalesce(m.emotions, '{}'),
  coalesce(m.rumour, false), i.published_at, i.first_seen_at
 FROM input x JOIN items i ON i.id = x.item
 CROSS JOIN LATERAL json_to_recordset(x.mentions) AS m(watch text,
   terms text[], tone real, label text, abusive boolean,
   emotions text[], rumour boolean)
 JOIN watches w ON w.name = m.watch
 ON CONFLICT DO NOTHING
