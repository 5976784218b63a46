-- People profiles (issue 13): one row per snapshot a job reads through Mixpanel's engage query, and one per
-- independent query of it (a $last_seen range, or the profiles without $last_seen). A query's row is
-- updated after every page spooled, so that a rerun continues at the next page instead of re-reading any.
CREATE TABLE mp_people_snapshot (
    job_name        VARCHAR(64)  NOT NULL,
    dataset         VARCHAR(100) NOT NULL,  -- people, people_changes, groups/<data_group_id>
    snapshot_date   DATE         NOT NULL,
    state           VARCHAR(16)  NOT NULL,  -- RUNNING, PUBLISHED
    changes_since   VARCHAR(32),            -- changes mode: the $last_seen lower bound (UTC, yyyy-MM-ddTHH:mm:ss)
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    rows_count      BIGINT       DEFAULT 0 NOT NULL,
    files_count     INT          DEFAULT 0 NOT NULL,
    bytes_count     BIGINT       DEFAULT 0 NOT NULL,
    run_id          VARCHAR(64),
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    published_at    TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (job_name, dataset, snapshot_date)
);

CREATE TABLE mp_people_query (
    job_name        VARCHAR(64)  NOT NULL,
    dataset         VARCHAR(100) NOT NULL,
    snapshot_date   DATE         NOT NULL,
    query_no        INT          NOT NULL,
    lower_bound     VARCHAR(32),            -- inclusive $last_seen; null: unbounded
    upper_bound     VARCHAR(32),            -- exclusive $last_seen; null: unbounded
    unset           BOOLEAN      NOT NULL,  -- the profiles without $last_seen (bounds are then null)
    state           VARCHAR(16)  NOT NULL,  -- PENDING, SPLIT, DONE
    total           BIGINT       DEFAULT -1 NOT NULL,
    pages_done      INT          DEFAULT 0 NOT NULL,
    rows_done       BIGINT       DEFAULT 0 NOT NULL,
    session_id      VARCHAR(200),
    PRIMARY KEY (job_name, dataset, snapshot_date, query_no)
);
