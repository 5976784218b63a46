-- prepare (autocommit)
CREATE TABLE IF NOT EXISTS `acme-analytics.mixpanel.people` (distinct_id STRING NOT NULL, properties JSON, last_seen TIMESTAMP);
CREATE TABLE IF NOT EXISTS `acme-analytics.mixpanel.identity_mapping_days` (mapping_date DATE NOT NULL, distinct_id STRING NOT NULL, resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP NOT NULL) PARTITION BY mapping_date CLUSTER BY distinct_id;
CREATE TABLE IF NOT EXISTS `acme-analytics.mixpanel.identity_mappings` (distinct_id STRING NOT NULL, resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP NOT NULL) CLUSTER BY distinct_id;
CREATE OR REPLACE VIEW `acme-analytics.mixpanel.events_resolved` AS
SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id
FROM `acme-analytics.mixpanel.events` e
LEFT JOIN `acme-analytics.mixpanel.identity_mappings` m ON m.distinct_id = e.distinct_id;

-- people: replace with snapshot 2026-01-02 (one transaction)
LOAD DATA OVERWRITE `acme-analytics.mixpanel.mp_profile_staging` (distinct_id STRING, properties STRING, last_seen TIMESTAMP)
FROM FILES (format = 'PARQUET', uris = ['gs://acme-data/mixpanel/raw/123456/people/snapshot_date=2026-01-02/part-00000.parquet', 'gs://acme-data/mixpanel/raw/123456/people/snapshot_date=2026-01-02/part-00001.parquet']);
BEGIN TRANSACTION;
DELETE FROM `acme-analytics.mixpanel.people` WHERE TRUE;
INSERT INTO `acme-analytics.mixpanel.people` (distinct_id, properties, last_seen)
SELECT distinct_id, PARSE_JSON(properties, wide_number_mode => 'round') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM `acme-analytics.mixpanel.mp_profile_staging`) WHERE rn = 1;
COMMIT TRANSACTION;
SELECT COUNT(*) FROM `acme-analytics.mixpanel.people`;

-- people: merge changes 2026-01-03 (one transaction)
LOAD DATA OVERWRITE `acme-analytics.mixpanel.mp_profile_staging` (distinct_id STRING, properties STRING, last_seen TIMESTAMP)
FROM FILES (format = 'PARQUET', uris = ['gs://acme-data/mixpanel/raw/123456/people_changes/snapshot_date=2026-01-03/part-00000.parquet']);
MERGE `acme-analytics.mixpanel.people` p
USING (SELECT distinct_id, PARSE_JSON(properties, wide_number_mode => 'round') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM `acme-analytics.mixpanel.mp_profile_staging`) WHERE rn = 1) c
ON p.distinct_id = c.distinct_id
WHEN MATCHED THEN UPDATE SET properties = c.properties, last_seen = c.last_seen
WHEN NOT MATCHED THEN INSERT (distinct_id, properties, last_seen) VALUES (c.distinct_id, c.properties, c.last_seen);

-- groups/7: create (autocommit)
CREATE TABLE IF NOT EXISTS `acme-analytics.mixpanel.groups_7` LIKE `acme-analytics.mixpanel.people`;

-- groups/7: replace with snapshot 2026-01-02 (one transaction)
LOAD DATA OVERWRITE `acme-analytics.mixpanel.mp_profile_staging` (distinct_id STRING, properties STRING, last_seen TIMESTAMP)
FROM FILES (format = 'PARQUET', uris = ['gs://acme-data/mixpanel/raw/123456/groups/7/snapshot_date=2026-01-02/part-00000.parquet']);
BEGIN TRANSACTION;
DELETE FROM `acme-analytics.mixpanel.groups_7` WHERE TRUE;
INSERT INTO `acme-analytics.mixpanel.groups_7` (distinct_id, properties, last_seen)
SELECT distinct_id, PARSE_JSON(properties, wide_number_mode => 'round') AS properties, last_seen FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn
    FROM `acme-analytics.mixpanel.mp_profile_staging`) WHERE rn = 1;
COMMIT TRANSACTION;

-- identity_mappings: day 2026-01-02 (one transaction)
LOAD DATA OVERWRITE `acme-analytics.mixpanel.mp_identity_staging` (distinct_id STRING, resolved_distinct_id STRING, first_seen TIMESTAMP)
FROM FILES (format = 'PARQUET', uris = ['gs://acme-data/mixpanel/raw/123456/identity_mappings/date=2026-01-02/part-00000.parquet']);
BEGIN TRANSACTION;
DELETE FROM `acme-analytics.mixpanel.identity_mappings` WHERE distinct_id IN (SELECT distinct_id FROM `acme-analytics.mixpanel.identity_mapping_days` WHERE mapping_date = DATE '2026-01-02' UNION DISTINCT SELECT distinct_id FROM `acme-analytics.mixpanel.mp_identity_staging`);
DELETE FROM `acme-analytics.mixpanel.identity_mapping_days` WHERE mapping_date = DATE '2026-01-02';
INSERT INTO `acme-analytics.mixpanel.identity_mapping_days` (mapping_date, distinct_id, resolved_distinct_id, first_seen)
SELECT DATE '2026-01-02', distinct_id, resolved_distinct_id, first_seen FROM `acme-analytics.mixpanel.mp_identity_staging`;
INSERT INTO `acme-analytics.mixpanel.identity_mappings` (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM `acme-analytics.mixpanel.identity_mapping_days` d
WHERE NOT EXISTS (SELECT 1 FROM `acme-analytics.mixpanel.identity_mappings` m WHERE m.distinct_id = d.distinct_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1;
COMMIT TRANSACTION;
SELECT COUNT(*) FROM `acme-analytics.mixpanel.identity_mapping_days` WHERE mapping_date = DATE '2026-01-02';

-- identity_mappings: day 2026-01-01, its folder gone (one transaction)
BEGIN TRANSACTION;
DELETE FROM `acme-analytics.mixpanel.identity_mappings` WHERE distinct_id IN (SELECT distinct_id FROM `acme-analytics.mixpanel.identity_mapping_days` WHERE mapping_date = DATE '2026-01-01');
DELETE FROM `acme-analytics.mixpanel.identity_mapping_days` WHERE mapping_date = DATE '2026-01-01';
INSERT INTO `acme-analytics.mixpanel.identity_mappings` (distinct_id, resolved_distinct_id, first_seen)
SELECT distinct_id, resolved_distinct_id, first_seen FROM `acme-analytics.mixpanel.identity_mapping_days` d
WHERE NOT EXISTS (SELECT 1 FROM `acme-analytics.mixpanel.identity_mappings` m WHERE m.distinct_id = d.distinct_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1;
COMMIT TRANSACTION;
