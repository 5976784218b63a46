-- export.workers: remote. mp_worker: one row per live `worker` process, its heartbeat renewed every
-- export.workerHeartbeat (database time); mp_worker_partition: which worker runs (or ran) which partition
-- step execution. The manager gives a partition whose worker stopped beating to another worker.
CREATE TABLE mp_worker (
    worker_id  VARCHAR(200)             NOT NULL,
    host       VARCHAR(255)             NOT NULL,
    pid        BIGINT                   NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (worker_id)
);

CREATE TABLE mp_worker_partition (
    step_execution_id BIGINT                   NOT NULL,
    worker_id         VARCHAR(200)             NOT NULL,
    partition_name    VARCHAR(200)             NOT NULL,
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (step_execution_id)
);
