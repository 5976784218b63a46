-- Warehouse loads: one row per (job, day, target), the manifest last loaded into that warehouse table.
-- `load` loads a published day whose manifest (run id, content hash) differs from the one recorded here.
CREATE TABLE mp_warehouse_load (
    job_name        VARCHAR(64)  NOT NULL,
    event_date      DATE         NOT NULL,
    target          VARCHAR(200) NOT NULL,  -- type:schema.table, e.g. postgresql:mixpanel.events
    run_id          VARCHAR(64)  NOT NULL,  -- the runId of the manifest loaded
    content_hash    VARCHAR(32),
    rows_loaded     BIGINT       NOT NULL,
    millis          BIGINT       NOT NULL,
    loaded_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (job_name, event_date, target)
);
