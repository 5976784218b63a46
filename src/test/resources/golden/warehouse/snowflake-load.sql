-- prepare (autocommit)
CREATE TABLE IF NOT EXISTS analytics.mixpanel_events (
    event_date DATE NOT NULL,
    event_name STRING NOT NULL,
    time TIMESTAMP_TZ NOT NULL,
    distinct_id STRING,
    insert_id STRING,
    device_id STRING,
    user_id STRING,
    mp_processing_time TIMESTAMP_TZ,
    properties VARIANT
) CLUSTER BY (event_date);

-- load 2026-01-02 (one transaction)
BEGIN;
DELETE FROM analytics.mixpanel_events WHERE event_date = '2026-01-02'::DATE;
COPY INTO analytics.mixpanel_events (event_date, event_name, time, distinct_id, insert_id, device_id, user_id, mp_processing_time, properties)
FROM (
    SELECT '2026-01-02'::DATE, $1:event_name::STRING, $1:time::TIMESTAMP_TZ, $1:distinct_id::STRING,
        $1:insert_id::STRING, $1:device_id::STRING, $1:user_id::STRING,
        $1:mp_processing_time::TIMESTAMP_TZ, PARSE_JSON($1:properties::STRING, 'd')
    FROM @analytics.public.mixpanel_stage/123456/events/event_date=2026-01-02/
)
FILES = ('part-00000-20260103T010203Z-abc123.parquet', 'part-00001-20260103T010203Z-abc123.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;
-- then checked against the manifest's 3000 rows:
SELECT COUNT(*) FROM analytics.mixpanel_events WHERE event_date = '2026-01-02'::DATE;
COMMIT;
