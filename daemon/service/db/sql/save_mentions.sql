-- The mentions a backfill found in recent items, and the tone of those
-- items that had none yet: written where each item is, merged into
-- items or still staged (backfill_mentions(), schema/031_staged.sql).
-- $1: json array of {item, tone, label, abusive, tone_lang, emotions,
--     rumour, mentions}: the document's tone, and each mention's
--     {watch, terms, tone, label, abusive, emotions, rumour} toward its
--     watch (store_codec.c's json_analysis, as for a fetch)
SELECT backfill_mentions($1::json)
