-- 014_report_runs: scheduled reports ([report "NAME"]), sent once per
-- period.
--
-- A report's run is recorded in the same statement as its notifications
-- in the outbox (daemon/service/db/report_runs.c): the insert of
-- the run takes the period (ON CONFLICT DO NOTHING on its key), and only
-- the daemon whose insert took writes the notifications. A restart, a
-- crash between two checks or a second daemon on the same database finds
-- the run and sends nothing again; a run without notifications cannot be
-- left behind, nor notifications without their run.

CREATE TABLE report_runs (
    report       text NOT NULL,        -- the [report "NAME"] section
    period_start date NOT NULL,        -- the period's first local date
    period_end   date NOT NULL,        -- the date after its last
    event_id     uuid NOT NULL UNIQUE, -- its notifications' in the outbox
    written_by   text NOT NULL,        -- the daemon (as in lease_owner)
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report, period_start),
    CHECK (period_end > period_start)
);

COMMENT ON TABLE report_runs IS 'Each period of each scheduled report, once sent to the outbox.';
COMMENT ON COLUMN report_runs.report IS 'The name of its [report] section.';
COMMENT ON COLUMN report_runs.period_start IS 'The first date of the period, in the report''s time zone.';
COMMENT ON COLUMN report_runs.period_end IS 'The date after the last of the period.';
COMMENT ON COLUMN report_runs.event_id IS 'The event id of its notifications (outbox.event_id, X-Vigie-Event).';
COMMENT ON COLUMN report_runs.written_by IS 'The daemon that wrote it: host, process and a random part.';

-- An outbox row was an incident event's: it is now that or a report
-- run's, which the key above makes unique. The outbox keeps what it sent
-- either way.
ALTER TABLE outbox DROP CONSTRAINT outbox_event_id_fkey;
COMMENT ON COLUMN outbox.event_id IS 'The incident event (incident_events.event_id) or the report run (report_runs.event_id) it announces.';

GRANT SELECT, INSERT, UPDATE, DELETE ON report_runs TO vigie_daemon;
GRANT SELECT ON report_runs TO vigie_analyst;

-- The daemon now reads the views a report is made of, as `vigie report`
-- does (daemon/service/db/report_data.c): those, and no other.
GRANT SELECT ON analytics.mention_volume, analytics.share_of_voice,
    analytics.negative_mentions, analytics.source_volume,
    analytics.author_volume, analytics.incidents
    TO vigie_daemon;
