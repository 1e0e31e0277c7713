-- What a save leaves for later (schema/031, 035): the oldest staged items
-- merged into items with their full-text vectors, then their stories.
-- $1 how many at most
-- Returns one row: how many were merged or indexed, the age in seconds
-- of the oldest item left waiting (NULL when none is left), how many
-- items the database refused and were set aside, and the last refusal.
SELECT indexed, oldest_left_s, set_aside, refusal FROM index_items($1::int)
