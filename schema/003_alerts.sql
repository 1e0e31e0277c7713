-- 003_alerts: incidents, their history, the detector's state, and the
-- outbox of notifications.
--
-- A notification is written in the same statement as the state change that
-- causes it, then delivered asynchronously from the outbox: a crash, a
-- restart or a mail server that is down loses nothing, and a retried
-- delivery carries the same event id, so that a receiver can drop the
-- duplicate.

-- What the detector learned of each watch (its baseline, the recent
-- buckets, its state), so that a restart resumes where it stopped.
CREATE TABLE detector_tracks (
    watch_id   bigint PRIMARY KEY REFERENCES watches (id) ON DELETE CASCADE,
    track      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('spike', 'source')),
    watch_id    bigint REFERENCES watches (id) ON DELETE CASCADE,
    source_id   bigint REFERENCES sources (id) ON DELETE CASCADE,
    state       text NOT NULL CHECK (state IN ('firing', 'resolved')),
    severity    text NOT NULL CHECK (severity IN ('warning', 'critical')),
    reason      text,
    opened_at   timestamptz NOT NULL,
    resolved_at timestamptz,
    peak_count  integer,
    CHECK ((kind = 'spike') = (watch_id IS NOT NULL)),
    CHECK ((kind = 'source') = (source_id IS NOT NULL))
);

-- One open incident per watch (or source) and kind.
CREATE UNIQUE INDEX incidents_one_open
    ON incidents (kind, (coalesce(watch_id, 0)), (coalesce(source_id, 0)))
    WHERE state = 'firing';
CREATE INDEX incidents_watch ON incidents (watch_id, opened_at DESC);

COMMENT ON TABLE incidents IS 'Spikes of negative mentions, and sources that keep failing.';

CREATE TABLE incident_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    state        text NOT NULL CHECK (state IN ('firing', 'escalated', 'resolved')),
    at           timestamptz NOT NULL,
    window_count integer,
    window_total integer,
    expected     real,
    ratio        real,
    p_value      double precision,
    details      jsonb
);

CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

COMMENT ON TABLE incident_events IS 'Every state change of every incident, with the figures behind it.';

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid NOT NULL REFERENCES incident_events (event_id) ON DELETE CASCADE,
    target          text NOT NULL,   -- the [notify] section
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
    destination     text NOT NULL,   -- addresses, or the webhook URL
    content_type    text NOT NULL,
    body            text NOT NULL,   -- the message as it is sent
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    delivered_at    timestamptz,
    failed_at       timestamptz,     -- given up after a day of failures
    lease_owner     text,
    lease_until     timestamptz,
    UNIQUE (event_id, target, channel)
);

CREATE INDEX outbox_due ON outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

COMMENT ON TABLE outbox IS 'Notifications to deliver, delivered, or given up on, with their last error.';

-- The time at which a mention counts for detection (detect_item_time() in
-- daemon/detect.c): its published time when that lies within one window
-- before it was first seen, its first-seen time when it has no date or
-- claims to come from the future, and NULL (not counted) when it was
-- published long before it was first seen: a new source's backlog or a
-- late feed must not look like a spike.
CREATE FUNCTION mention_time(published timestamptz, first_seen timestamptz,
                             win interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN published IS NULL OR published > first_seen THEN first_seen
        WHEN published >= first_seen - win THEN published
    END
$$;

-- Mentions counted for detection are found by when they were first seen:
-- a mention counts at most a window before that.
CREATE INDEX mentions_first_seen ON mentions (first_seen_at);
