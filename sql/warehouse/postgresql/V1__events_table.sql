-- The events table of a PostgreSQL warehouse, named by warehouse.table (Flyway placeholders ${schema} and
-- ${table}; Flyway creates the schema). Partitioned by event_date, one partition per day: a load builds a
-- day's new partition and swaps it in inside one transaction (see PostgresWarehouseLoader).
-- Columns as in the Parquet files (Mixpanel Data Pipelines' names); properties as jsonb.
CREATE TABLE ${schema}.${table} (
    event_date          DATE        NOT NULL,
    event_name          TEXT        NOT NULL,
    time                TIMESTAMPTZ NOT NULL,
    distinct_id         TEXT,
    insert_id           TEXT,
    device_id           TEXT,
    user_id             TEXT,
    mp_processing_time  TIMESTAMPTZ,
    properties          JSONB
) PARTITION BY RANGE (event_date);

CREATE INDEX ${table}_event_name_time ON ${schema}.${table} (event_name, time);
