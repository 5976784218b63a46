-- prepare (autocommit)
CREATE TABLE IF NOT EXISTS analytics.people (distinct_id STRING NOT NULL, properties VARIANT, last_seen TIMESTAMP_TZ);
CREATE TABLE IF NOT EXISTS analytics.mp_profile_staging (distinct_id STRING, properties STRING, last_seen TIMESTAMP_TZ);
CREATE TABLE IF NOT EXISTS analytics.identity_mapping_days (mapping_date DATE NOT NULL, distinct_id STRING NOT NULL, resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP_TZ NOT NULL) CLUSTER BY (mapping_date);
CREATE TABLE IF NOT EXISTS analytics.identity_mappings (distinct_id STRING NOT NULL, resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP_TZ NOT NULL);
CREATE TABLE IF NOT EXISTS analytics.mp_identity_staging (distinct_id STRING, resolved_distinct_id STRING, first_seen TIMESTAMP_TZ);
CREATE OR REPLACE VIEW analytics.events_resolved AS
SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id
FROM analytics.mixpanel_events e
LEFT JOIN analytics.identity_mappings m ON m.distinct_id = e.distinct_id;

-- people: replace with snapshot 2026-01-02 (one transaction)
DELETE FROM analytics.mp_profile_staging;
COPY INTO analytics.mp_profile_staging (distinct_id, properties, last_seen)
FROM (SELECT $1:distinct_id::STRING, $1:properties::STRING, $1:last_seen::TIMESTAMP_TZ
    FROM @analytics.public.mixpanel_stage/123456/people/snapshot_date=2026-01-02/)
FILES = ('part-00000.parquet', 'part-00001.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;
DELETE FROM analytics.people;
INSERT INTO analytics.people (distinct_id, properties, last_seen)
SELECT distinct_id, PARSE_JSON(properties, 'd') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM analytics.mp_profile_staging) WHERE rn = 1;
DELETE FROM analytics.mp_profile_staging;
SELECT COUNT(*) FROM analytics.people;

-- people: merge changes 2026-01-03 (one transaction)
DELETE FROM analytics.mp_profile_staging;
COPY INTO analytics.mp_profile_staging (distinct_id, properties, last_seen)
FROM (SELECT $1:distinct_id::STRING, $1:properties::STRING, $1:last_seen::TIMESTAMP_TZ
    FROM @analytics.public.mixpanel_stage/123456/people_changes/snapshot_date=2026-01-03/)
FILES = ('part-00000.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;
MERGE INTO analytics.people p
USING (SELECT distinct_id, PARSE_JSON(properties, 'd') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM analytics.mp_profile_staging) WHERE rn = 1) c
ON p.distinct_id = c.distinct_id
WHEN MATCHED THEN UPDATE SET p.properties = c.properties, p.last_seen = c.last_seen
WHEN NOT MATCHED THEN INSERT (distinct_id, properties, last_seen) VALUES (c.distinct_id, c.properties, c.last_seen);
DELETE FROM analytics.mp_profile_staging;

-- groups/7: create (autocommit)
CREATE TABLE IF NOT EXISTS analytics.groups_7 LIKE analytics.people;

-- groups/7: replace with snapshot 2026-01-02 (one transaction)
DELETE FROM analytics.mp_profile_staging;
COPY INTO analytics.mp_profile_staging (distinct_id, properties, last_seen)
FROM (SELECT $1:distinct_id::STRING, $1:properties::STRING, $1:last_seen::TIMESTAMP_TZ
    FROM @analytics.public.mixpanel_stage/123456/groups/7/snapshot_date=2026-01-02/)
FILES = ('part-00000.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;
DELETE FROM analytics.groups_7;
INSERT INTO analytics.groups_7 (distinct_id, properties, last_seen)
SELECT distinct_id, PARSE_JSON(properties, 'd') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM analytics.mp_profile_staging) WHERE rn = 1;
DELETE FROM analytics.mp_profile_staging;

-- identity_mappings: day 2026-01-02 (one transaction)
DELETE FROM analytics.mp_identity_staging;
COPY INTO analytics.mp_identity_staging (distinct_id, resolved_distinct_id, first_seen)
FROM (SELECT $1:distinct_id::STRING, $1:resolved_distinct_id::STRING, $1:first_seen::TIMESTAMP_TZ
    FROM @analytics.public.mixpanel_stage/123456/identity_mappings/date=2026-01-02/)
FILES = ('part-00000.parquet')
FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
ON_ERROR = ABORT_STATEMENT
FORCE = TRUE;
DELETE FROM analytics.identity_mappings WHERE distinct_id IN (SELECT distinct_id FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE UNION SELECT distinct_id FROM analytics.mp_identity_staging);
DELETE FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE;
INSERT INTO analytics.identity_mapping_days (mapping_date, distinct_id, resolved_distinct_id, first_seen)
SELECT '2026-01-02'::DATE, distinct_id, resolved_distinct_id, first_seen FROM analytics.mp_identity_staging;
INSERT INTO analytics.identity_mappings (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM analytics.identity_mapping_days d
WHERE NOT EXISTS (SELECT 1 FROM analytics.identity_mappings m WHERE m.distinct_id = d.distinct_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1;
DELETE FROM analytics.mp_identity_staging;
SELECT COUNT(*) FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE;

-- identity_mappings: day 2026-01-01, its folder gone (one transaction)
DELETE FROM analytics.identity_mappings WHERE distinct_id IN (SELECT distinct_id FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-01'::DATE);
DELETE FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-01'::DATE;
INSERT INTO analytics.identity_mappings (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM analytics.identity_mapping_days d
WHERE NOT EXISTS (SELECT 1 FROM analytics.identity_mappings m WHERE m.distinct_id = d.distinct_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1;
