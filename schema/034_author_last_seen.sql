-- 034_author_last_seen: authors.last_seen is kept to the minute.
--
-- The save statement (daemon/service/db/sql/save_fetch.sql) wrote every
-- known author of a statement's new posts again, to move last_seen, and
-- an author who posts on many sources was written once per save of a
-- cycle: a tenth of a save's time in a cold cycle (docs/BENCHMARKS.md).
-- It now writes an author when their audience, name or profile changes,
-- or when a new post moves last_seen by a minute or more. Only the
-- column's description changes here.

COMMENT ON COLUMN authors.last_seen IS 'When their latest post was first stored, to the minute: a post within a minute of the last one does not move it, nor does a post seen again in a later poll.';
