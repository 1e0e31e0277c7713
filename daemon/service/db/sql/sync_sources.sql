-- Brings the sources table in line with the configuration: adds and
-- updates the configured sources, marks the others as no longer
-- configured (their rows, items and history stay).
-- $1: json array of {name, url, lang, tags, interval_s, family}
WITH cfg AS (
  SELECT * FROM json_to_recordset($1::json)
    AS x(name text, url text, lang text, tags text[], interval_s int,
      family text)
), up AS (
  INSERT INTO sources (name, url, lang, tags, interval_s, family)
  SELECT name, url, lang, coalesce(tags, '{}'), interval_s, family
  FROM cfg
  ON CONFLICT (name) DO UPDATE SET
    url = excluded.url, lang = excluded.lang, tags = excluded.tags,
    interval_s = excluded.interval_s, in_config = true,
    family = excluded.family,
    feed_url = CASE WHEN sources.url <> excluded.url
      THEN NULL ELSE sources.feed_url END,
    -- A new URL is a new start: what 410 or the validators said was
    -- about the old one. Credentials an API refused (401, 403) are
    -- tried again each time the configuration is read: a fixed token
    -- file does not change it.
    enabled = sources.enabled OR sources.url <> excluded.url
      OR sources.last_status IN (401, 403),
    disabled_reason = CASE WHEN sources.url <> excluded.url
      OR sources.last_status IN (401, 403)
      THEN NULL ELSE sources.disabled_reason END,
    etag = CASE WHEN sources.url <> excluded.url
      THEN NULL ELSE sources.etag END,
    last_modified = CASE WHEN sources.url <> excluded.url
      THEN NULL ELSE sources.last_modified END,
    failures = CASE WHEN sources.url <> excluded.url
      THEN 0 ELSE sources.failures END,
    next_poll_at = CASE WHEN sources.url <> excluded.url
      OR sources.last_status IN (401, 403) THEN now()
      ELSE least(sources.next_poll_at,
        now() + make_interval(secs => excluded.interval_s)) END
  RETURNING id
)
UPDATE sources SET in_config = false
 WHERE in_config AND id NOT IN (SELECT id FROM up)
