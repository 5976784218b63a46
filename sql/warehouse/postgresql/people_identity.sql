-- Issue 13's datasets next to the events table {schema}.{table}. Not a Flyway migration (no V prefix: the
-- events' Flyway ignores it): PostgresProfileIdentityLoader runs it, idempotent, before loading people or
-- identity mappings, so an events-only warehouse gets none of these tables. IF NOT EXISTS: several jobs
-- (events tables) may share a schema.
-- people and groups_<id> (created by the loader LIKE people): the latest complete snapshot, replaced by
-- DELETE + COPY in one transaction (see PostgresProfileIdentityLoader: readers are never blocked).
-- properties is json, not jsonb, for the reasons of V2 (byte-exact text, \u0000, huge numbers).
CREATE TABLE IF NOT EXISTS {schema}.people (
    distinct_id  TEXT        NOT NULL PRIMARY KEY,
    properties   JSON,
    last_seen    TIMESTAMPTZ
);

-- Each identity_mappings/date=D/ file as loaded: the candidates of day D (one row per distinct_id).
CREATE TABLE IF NOT EXISTS {schema}.identity_mapping_days (
    mapping_date          DATE        NOT NULL,
    distinct_id           TEXT        NOT NULL,
    resolved_distinct_id  TEXT        NOT NULL,
    first_seen            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (mapping_date, distinct_id)
);
CREATE INDEX IF NOT EXISTS identity_mapping_days_by_id
    ON {schema}.identity_mapping_days (distinct_id, first_seen, resolved_distinct_id COLLATE "C");

-- The project-wide mapping: per distinct_id the candidate with the smallest first_seen over all days (ties:
-- the smallest resolved_distinct_id in byte order), corrected for the ids of each day loaded.
CREATE TABLE IF NOT EXISTS {schema}.identity_mappings (
    distinct_id           TEXT        NOT NULL PRIMARY KEY,
    resolved_distinct_id  TEXT        NOT NULL,
    first_seen            TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE VIEW {schema}.events_resolved AS
SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id
FROM {schema}.{table} e
LEFT JOIN {schema}.identity_mappings m ON m.distinct_id = e.distinct_id;
