-- What an item's insert leaves for later (schema/009): the full-text
-- vectors and stories of the oldest items without a vector.
-- $1 how many at most
-- Returns one row: how many were indexed, and the age in seconds of the
-- oldest item left waiting (NULL when none is left).
SELECT indexed, oldest_left_s FROM index_items($1::int)
