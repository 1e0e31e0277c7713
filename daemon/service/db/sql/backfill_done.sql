-- Clears the backfill mark of the watches named in $1 (a json array),
-- unless their query changed after $2 (backfill_todo's clock): such a
-- watch is backfilled again.
UPDATE watches SET backfill_needed = false, backfilled_at = now()
 WHERE name IN (SELECT json_array_elements_text($1::json))
   AND query_changed_at <= $2::timestamptz
