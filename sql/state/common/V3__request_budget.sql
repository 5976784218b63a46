-- The shared request budget: one row per Mixpanel project, locked (SELECT ... FOR UPDATE) while a request
-- slot is reserved, so that processes racing for the last slot of the hour cannot both win.
CREATE TABLE mp_request_budget (
    project_key     VARCHAR(64)  NOT NULL PRIMARY KEY,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- What planning learns from each published day: its decoded size (to size multi-day requests) and an
-- order-independent hash of its lines (to leave a re-fetched day alone when nothing changed).
ALTER TABLE mp_partition ADD COLUMN source_bytes BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE mp_partition ADD COLUMN content_hash VARCHAR(32);
