-- This daemon, as $1 (its lease owner's name), is alive for as long as
-- this session lasts: its leases hold (lease_live(), schema/018). Sent
-- first on every connection of the daemon's first store. Returns whether
-- the lock was taken (false only for a name already in use).
SELECT daemon_register($1)
