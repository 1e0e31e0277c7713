-- Figures for /metrics and systemd's STATUS=: sources ok and failing,
-- mentions of the last hour, open incidents, pending notifications, items
-- the merge set aside (schema 035).
SELECT
 (SELECT count(*) FROM sources
   WHERE in_config AND enabled AND failures = 0),
 (SELECT count(*) FROM sources
   WHERE in_config AND (failures > 0 OR NOT enabled)),
 (SELECT count(*) FROM mentions
   WHERE first_seen_at > now() - interval '1 hour')
 + (SELECT count(*) FROM staged_mentions
   WHERE first_seen_at > now() - interval '1 hour'),
 (SELECT count(*) FROM incidents WHERE state = 'firing'),
 (SELECT count(*) FROM outbox
   WHERE delivered_at IS NULL AND failed_at IS NULL),
 (SELECT count(*) FROM staged_refused)
