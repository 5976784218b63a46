-- ShedLock's table (net.javacrumbs.shedlock JDBC provider): one row per lock, "export-<job name>" for
-- the scheduler, so that each scheduled run of a job happens once across every replica.
CREATE TABLE shedlock (
    name       VARCHAR(64)  NOT NULL,
    lock_until TIMESTAMP    NOT NULL,
    locked_at  TIMESTAMP    NOT NULL,
    locked_by  VARCHAR(255) NOT NULL,
    PRIMARY KEY (name)
);
