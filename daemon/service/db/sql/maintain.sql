-- Month partitions created ahead of need, those wholly older than $1 ms
-- dropped (none when $1 is NULL): maintain_partitions() is schema/007's.
-- Returns how many partitions went.
SELECT maintain_partitions(
  make_interval(secs => $1::bigint / 1000.0))
