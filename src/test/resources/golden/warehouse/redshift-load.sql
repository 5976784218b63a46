-- prepare (autocommit)
CREATE TABLE IF NOT EXISTS analytics.mixpanel_events (
    event_date DATE NOT NULL,
    event_name VARCHAR(65535) NOT NULL,
    time TIMESTAMPTZ NOT NULL,
    distinct_id VARCHAR(65535),
    insert_id VARCHAR(65535),
    device_id VARCHAR(65535),
    user_id VARCHAR(65535),
    mp_processing_time TIMESTAMPTZ,
    properties SUPER
) SORTKEY (event_date, time);

-- load 2026-01-02 (one transaction)
BEGIN;
DELETE FROM analytics.mixpanel_events WHERE event_date = '2026-01-02'::DATE;
CREATE TEMP TABLE mp_load_20260102 (
    event_name VARCHAR(65535),
    time TIMESTAMPTZ,
    distinct_id VARCHAR(65535),
    insert_id VARCHAR(65535),
    device_id VARCHAR(65535),
    user_id VARCHAR(65535),
    mp_processing_time TIMESTAMPTZ,
    properties VARCHAR(65535)
);
COPY mp_load_20260102 FROM 's3://acme-data/mixpanel/raw/123456/events/event_date=2026-01-02/part-00000-20260103T010203Z-abc123.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
COPY mp_load_20260102 FROM 's3://acme-data/mixpanel/raw/123456/events/event_date=2026-01-02/part-00001-20260103T010203Z-abc123.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
INSERT INTO analytics.mixpanel_events (event_date, event_name, time, distinct_id, insert_id, device_id, user_id, mp_processing_time, properties)
SELECT '2026-01-02'::DATE, event_name, time, distinct_id, insert_id, device_id, user_id, mp_processing_time, JSON_PARSE(properties)
FROM mp_load_20260102;
DROP TABLE mp_load_20260102;
-- then checked against the manifest's 3000 rows:
SELECT COUNT(*) FROM analytics.mixpanel_events WHERE event_date = '2026-01-02'::DATE;
COMMIT;
