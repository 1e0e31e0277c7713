-- Gives back $2's lease on source $1 (kept while its pages were
-- followed).
UPDATE sources SET lease_owner = NULL, lease_until = NULL
 WHERE id = $1::bigint AND lease_owner = $2
