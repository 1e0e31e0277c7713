-- 001_init: sources, their fetch history, and the items they carry.
--
-- Scheduling state lives here, not in the daemon's memory, so that a
-- restart resumes where it stopped and several daemons can share one
-- database: a source is polled by whoever holds its lease.

CREATE TABLE sources (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    url             text NOT NULL,
    lang            text,
    tags            text[] NOT NULL DEFAULT '{}',
    interval_s      integer NOT NULL CHECK (interval_s > 0),
    -- false when the source left the configuration or answered 410 Gone
    enabled         boolean NOT NULL DEFAULT true,
    in_config       boolean NOT NULL DEFAULT true,
    disabled_reason text,
    -- scheduling
    next_poll_at    timestamptz NOT NULL DEFAULT now(),
    failures        integer NOT NULL DEFAULT 0,
    lease_owner     text,
    lease_until     timestamptz,
    -- HTTP validators, advanced only together with the items they cover
    etag            text,
    last_modified   text,
    -- what happened last, so that SQL can say why a source is silent
    last_fetch_at   timestamptz,
    last_success_at timestamptz,
    last_status     integer,
    last_error      text,
    items_total     bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sources_due ON sources (next_poll_at) WHERE enabled;

COMMENT ON TABLE sources IS 'One row per configured feed or page.';
COMMENT ON COLUMN sources.next_poll_at IS 'When the source is next due.';
COMMENT ON COLUMN sources.failures IS 'Consecutive failed fetches; 0 after a success.';
COMMENT ON COLUMN sources.lease_owner IS 'Daemon currently polling the source, if any.';

CREATE TABLE fetches (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- chosen by the daemon so that a retried write is not recorded twice
    attempt     uuid NOT NULL UNIQUE,
    source_id   bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    started_at  timestamptz NOT NULL,
    duration_ms integer NOT NULL,
    http_status integer,        -- NULL when no HTTP answer came
    outcome     text NOT NULL,  -- ok, not_modified, gone, throttled, failed
    error       text,
    bytes       bigint NOT NULL DEFAULT 0,
    items_new   integer NOT NULL DEFAULT 0,
    items_seen  integer NOT NULL DEFAULT 0,
    final_url   text
);

CREATE INDEX fetches_source_time ON fetches (source_id, started_at DESC);

COMMENT ON TABLE fetches IS 'Every poll of every source and how it went.';

CREATE TABLE items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id     bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- stable identity within the source: guid/id, else link, else a
    -- digest of title and text (see docs/ARCHITECTURE.md)
    identity      text NOT NULL,
    guid          text,
    link          text,
    title         text,
    author        text,
    summary       text,
    content       text,
    lang          text,
    published_at  timestamptz,
    updated_at    timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, identity)
);

CREATE INDEX items_published ON items (coalesce(published_at, first_seen_at));

COMMENT ON TABLE items IS 'Every item seen, once per source.';
