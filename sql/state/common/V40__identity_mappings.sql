-- Identity mappings (issue 13): one row per (job, event day) whose identity_mappings/date=D/ folder is published,
-- naming the events' content it was derived from. A published events day whose content differs from the one
-- recorded here has stale (or no) mappings: the next run publishes its staged file or rebuilds it from the events.
CREATE TABLE mp_identity_day (
    job_name        VARCHAR(64)  NOT NULL,
    event_date      DATE         NOT NULL,
    events_content  VARCHAR(80)  NOT NULL,  -- the events' content hash, or run-<runId> for days without one
    rows_written    BIGINT       NOT NULL,
    published_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (job_name, event_date)
);
