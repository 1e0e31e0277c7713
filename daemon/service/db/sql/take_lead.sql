-- Whether this session now runs detection and the partitions'
-- maintenance, one daemon at a time (schema/018): true once taken, for as
-- long as the session lasts.
SELECT take_lead()
