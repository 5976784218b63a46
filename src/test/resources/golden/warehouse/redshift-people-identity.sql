-- prepare (autocommit)
CREATE TABLE IF NOT EXISTS analytics.people (distinct_id VARCHAR(65535) NOT NULL, properties SUPER, last_seen TIMESTAMPTZ) DISTKEY (distinct_id);
CREATE TABLE IF NOT EXISTS analytics.identity_mapping_days (mapping_date DATE NOT NULL, distinct_id VARCHAR(65535) NOT NULL, resolved_distinct_id VARCHAR(65535) NOT NULL, first_seen TIMESTAMPTZ NOT NULL) DISTKEY (distinct_id) SORTKEY (mapping_date);
CREATE TABLE IF NOT EXISTS analytics.identity_mappings (distinct_id VARCHAR(65535) NOT NULL, resolved_distinct_id VARCHAR(65535) NOT NULL, first_seen TIMESTAMPTZ NOT NULL) DISTKEY (distinct_id);
CREATE OR REPLACE VIEW analytics.events_resolved AS
SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id
FROM analytics.mixpanel_events e
LEFT JOIN analytics.identity_mappings m ON m.distinct_id = e.distinct_id;

-- people: replace with snapshot 2026-01-02 (one transaction)
CREATE TEMP TABLE mp_profile_staging (distinct_id VARCHAR(65535), properties VARCHAR(65535), last_seen TIMESTAMPTZ);
COPY mp_profile_staging FROM 's3://acme-data/mixpanel/raw/123456/people/snapshot_date=2026-01-02/part-00000.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
COPY mp_profile_staging FROM 's3://acme-data/mixpanel/raw/123456/people/snapshot_date=2026-01-02/part-00001.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
DELETE FROM analytics.people;
INSERT INTO analytics.people (distinct_id, properties, last_seen)
SELECT distinct_id, JSON_PARSE(properties) AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM mp_profile_staging) WHERE rn = 1;
DROP TABLE mp_profile_staging;
SELECT COUNT(*) FROM analytics.people;

-- people: merge changes 2026-01-03 (one transaction)
CREATE TEMP TABLE mp_profile_staging (distinct_id VARCHAR(65535), properties VARCHAR(65535), last_seen TIMESTAMPTZ);
COPY mp_profile_staging FROM 's3://acme-data/mixpanel/raw/123456/people_changes/snapshot_date=2026-01-03/part-00000.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
DELETE FROM analytics.people WHERE distinct_id IN (SELECT distinct_id FROM mp_profile_staging);
INSERT INTO analytics.people (distinct_id, properties, last_seen)
SELECT distinct_id, JSON_PARSE(properties) AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM mp_profile_staging) WHERE rn = 1;
DROP TABLE mp_profile_staging;

-- groups/7: create (autocommit)
CREATE TABLE IF NOT EXISTS analytics.groups_7 (LIKE analytics.people);

-- groups/7: replace with snapshot 2026-01-02 (one transaction)
CREATE TEMP TABLE mp_profile_staging (distinct_id VARCHAR(65535), properties VARCHAR(65535), last_seen TIMESTAMPTZ);
COPY mp_profile_staging FROM 's3://acme-data/mixpanel/raw/123456/groups/7/snapshot_date=2026-01-02/part-00000.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
DELETE FROM analytics.groups_7;
INSERT INTO analytics.groups_7 (distinct_id, properties, last_seen)
SELECT distinct_id, JSON_PARSE(properties) AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM mp_profile_staging) WHERE rn = 1;
DROP TABLE mp_profile_staging;

-- identity_mappings: day 2026-01-02 (one transaction)
CREATE TEMP TABLE mp_identity_staging (distinct_id VARCHAR(65535), resolved_distinct_id VARCHAR(65535), first_seen TIMESTAMPTZ);
COPY mp_identity_staging FROM 's3://acme-data/mixpanel/raw/123456/identity_mappings/date=2026-01-02/part-00000.parquet'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-mixpanel-load'
FORMAT AS PARQUET;
DELETE FROM analytics.identity_mappings WHERE distinct_id IN (SELECT distinct_id FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE UNION SELECT distinct_id FROM mp_identity_staging);
DELETE FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE;
INSERT INTO analytics.identity_mapping_days (mapping_date, distinct_id, resolved_distinct_id, first_seen)
SELECT '2026-01-02'::DATE, distinct_id, resolved_distinct_id, first_seen FROM mp_identity_staging;
INSERT INTO analytics.identity_mappings (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM (
    SELECT d.*, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) AS rn
    FROM analytics.identity_mapping_days d
    WHERE NOT EXISTS (SELECT 1 FROM analytics.identity_mappings m WHERE m.distinct_id = d.distinct_id)) WHERE rn = 1;
DROP TABLE mp_identity_staging;
SELECT COUNT(*) FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-02'::DATE;

-- identity_mappings: day 2026-01-01, its folder gone (one transaction)
DELETE FROM analytics.identity_mappings WHERE distinct_id IN (SELECT distinct_id FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-01'::DATE);
DELETE FROM analytics.identity_mapping_days WHERE mapping_date = '2026-01-01'::DATE;
INSERT INTO analytics.identity_mappings (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM (
    SELECT d.*, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) AS rn
    FROM analytics.identity_mapping_days d
    WHERE NOT EXISTS (SELECT 1 FROM analytics.identity_mappings m WHERE m.distinct_id = d.distinct_id)) WHERE rn = 1;
