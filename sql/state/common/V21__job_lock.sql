-- One row per job while a run holds its lock (export, rerun, load, a scheduled run): who holds it and until
-- when its lease runs. The holder renews the lease while it runs and deletes the row when it ends; a holder
-- that died stops renewing, and the next run takes the row over once lease_until has passed (database time).
CREATE TABLE mp_job_lock (
    job_name    VARCHAR(200)             NOT NULL,
    token       VARCHAR(64)              NOT NULL,
    host        VARCHAR(255)             NOT NULL,
    pid         BIGINT                   NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_until TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (job_name)
);
