-- A changed query must not leave the old query's mentions behind in the
-- window it matches again, merged or still staged (backfill_purge(),
-- schema/031_staged.sql).
-- $1: json array of watch names, $2: the window in seconds
SELECT backfill_purge($1::json, $2::bigint)
