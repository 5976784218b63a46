-- Issue 13's datasets next to the events table {schema}.{table} of a DuckDB warehouse file. Idempotent: run
-- before every load (see DuckDbProfileIdentityLoader). No primary keys: DuckDB checks them eagerly within a
-- transaction, and every replacement here deletes then inserts the same keys in one transaction.
CREATE TABLE IF NOT EXISTS {schema}.people (
    distinct_id  VARCHAR     NOT NULL,
    properties   JSON,
    last_seen    TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS {schema}.identity_mapping_days (
    mapping_date          DATE        NOT NULL,
    distinct_id           VARCHAR     NOT NULL,
    resolved_distinct_id  VARCHAR     NOT NULL,
    first_seen            TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.identity_mappings (
    distinct_id           VARCHAR     NOT NULL,
    resolved_distinct_id  VARCHAR     NOT NULL,
    first_seen            TIMESTAMPTZ NOT NULL
);
CREATE OR REPLACE VIEW {schema}.events_resolved AS
SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id
FROM {schema}.{table} e
LEFT JOIN {schema}.identity_mappings m ON m.distinct_id = e.distinct_id;
