-- Gives back the leases $1 holds, except on the sources whose ids are in
-- $2 (a json array).
UPDATE sources SET lease_owner = NULL, lease_until = NULL
 WHERE lease_owner = $1 AND id NOT IN
  (SELECT json_array_elements_text($2::json)::bigint)
