-- Sliced days converted one partition per slice (issue 14). mp_sliced_day: one row per (job, day) being
-- assembled, locked (SELECT ... FOR UPDATE) while a slice records itself, so that of two slices staged at
-- once exactly one sees the day complete, also across processes; assembler: the slice that assembles it.
-- mp_day_slice: what each staged slice left in the day's staging area, for the day's one manifest.
-- Both are emptied once the day is published.
CREATE TABLE mp_sliced_day (
    job_name        VARCHAR(64)  NOT NULL,
    event_date      DATE         NOT NULL,
    job_instance_id BIGINT       NOT NULL,
    assembler       VARCHAR(64),
    PRIMARY KEY (job_name, event_date)
);

CREATE TABLE mp_day_slice (
    job_name        VARCHAR(64)      NOT NULL,
    event_date      DATE             NOT NULL,
    slice_label     VARCHAR(64)      NOT NULL,  -- 2026-03-08T03-06
    job_instance_id BIGINT           NOT NULL,  -- the Spring Batch job instance that staged it
    run_id          VARCHAR(64)      NOT NULL,
    parts           VARCHAR(1000000) NOT NULL,  -- PartInfo.encode: name:rows:bytes;...
    hash_sum        BIGINT           NOT NULL,  -- sum of the line hashes of its rows
    rejected_lines  BIGINT           NOT NULL,
    first_rejection VARCHAR(2000),
    repaired_lines  BIGINT           NOT NULL,
    body_lines      BIGINT           NOT NULL,
    decoded_bytes   BIGINT           NOT NULL,
    completed_at    TIMESTAMP WITH TIME ZONE NOT NULL,  -- when its body was received
    PRIMARY KEY (job_name, event_date, slice_label)
);
