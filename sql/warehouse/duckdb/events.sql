-- The events table of a DuckDB warehouse file, named by warehouse.table ({schema}, {table}). Idempotent:
-- run before every load. A day is replaced by DELETE + INSERT in one transaction (see DuckDbWarehouseLoader).
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.{table} (
    event_date          DATE        NOT NULL,
    event_name          VARCHAR     NOT NULL,
    time                TIMESTAMPTZ NOT NULL,
    distinct_id         VARCHAR,
    insert_id           VARCHAR,
    device_id           VARCHAR,
    user_id             VARCHAR,
    mp_processing_time  TIMESTAMPTZ,
    properties          JSON
);
