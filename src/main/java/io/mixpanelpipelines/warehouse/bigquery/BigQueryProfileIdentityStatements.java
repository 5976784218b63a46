package io.mixpanelpipelines.warehouse.bigquery;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentityStatements;
import java.util.List;
import java.util.stream.Collectors;

/**
 * BigQuery's GoogleSQL for people, group profiles and identity mappings. Each list is one script (one
 * query job, {@link BigQueryProfileIdentityLoader}): {@code LOAD DATA OVERWRITE} of the folder's files from
 * GCS into a staging table (a load is atomic on its own, and cannot run inside a transaction), then a
 * multi-statement transaction that replaces or corrects the target from it: readers see the old rows until
 * {@code COMMIT TRANSACTION}. {@code properties} arrives as STRING and is parsed with
 * {@code PARSE_JSON(..., wide_number_mode => 'round')}: numbers beyond FLOAT64's precision are rounded
 * instead of failing the load (see {@link BigQueryLoadJobs} for what the JSON type keeps). Loading the
 * Parquet JSON logical type into a STRING column is to be checked against a real BigQuery.
 */
public final class BigQueryProfileIdentityStatements implements ProfileIdentityStatements {

    private final String projectId;
    private final String dataset;
    private final String eventsTable;

    /** @param projectId null: the client's default project */
    public BigQueryProfileIdentityStatements(String projectId, String dataset, String eventsTable) {
        this.projectId = projectId;
        this.dataset = dataset;
        this.eventsTable = eventsTable;
    }

    @Override
    public List<String> prepare() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + t("people") + " (distinct_id STRING NOT NULL, properties JSON, last_seen TIMESTAMP)",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mapping_days") + " (mapping_date DATE NOT NULL, distinct_id STRING NOT NULL, "
                        + "resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP NOT NULL) PARTITION BY mapping_date CLUSTER BY distinct_id",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mappings") + " (distinct_id STRING NOT NULL, "
                        + "resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP NOT NULL) CLUSTER BY distinct_id",
                "CREATE OR REPLACE VIEW " + t("events_resolved") + " AS\n"
                        + "SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id\n"
                        + "FROM " + t(eventsTable) + " e\nLEFT JOIN " + t("identity_mappings") + " m ON m.distinct_id = e.distinct_id");
    }

    @Override
    public List<String> prepareProfileTable(String table) {
        return List.of("CREATE TABLE IF NOT EXISTS " + t(table) + " LIKE " + t("people"));
    }

    @Override
    public List<String> replaceProfiles(String table, DatasetFolder snapshot) {
        return List.of(
                loadProfiles(snapshot),
                "BEGIN TRANSACTION",
                "DELETE FROM " + t(table) + " WHERE TRUE",
                "INSERT INTO " + t(table) + " (distinct_id, properties, last_seen)\n" + latestProfiles(),
                "COMMIT TRANSACTION");
    }

    @Override
    public List<String> mergeProfiles(String table, DatasetFolder changes) {
        return List.of(
                loadProfiles(changes),
                "MERGE " + t(table) + " p\nUSING (" + latestProfiles() + ") c\nON p.distinct_id = c.distinct_id\n"
                        + "WHEN MATCHED THEN UPDATE SET properties = c.properties, last_seen = c.last_seen\n"
                        + "WHEN NOT MATCHED THEN INSERT (distinct_id, properties, last_seen) VALUES (c.distinct_id, c.properties, c.last_seen)");
    }

    @Override
    public List<String> loadIdentityDay(DatasetFolder day) {
        String date = "DATE '" + day.date() + "'";
        return List.of(
                "LOAD DATA OVERWRITE " + t("mp_identity_staging") + " (distinct_id STRING, resolved_distinct_id STRING, "
                        + "first_seen TIMESTAMP)\nFROM FILES (format = 'PARQUET', uris = [" + uris(day) + "])",
                "BEGIN TRANSACTION",
                "DELETE FROM " + t("identity_mappings") + " WHERE distinct_id IN (SELECT distinct_id FROM "
                        + t("identity_mapping_days") + " WHERE mapping_date = " + date + " UNION DISTINCT SELECT distinct_id FROM "
                        + t("mp_identity_staging") + ")",
                "DELETE FROM " + t("identity_mapping_days") + " WHERE mapping_date = " + date,
                "INSERT INTO " + t("identity_mapping_days") + " (mapping_date, distinct_id, resolved_distinct_id, first_seen)\n"
                        + "SELECT " + date + ", distinct_id, resolved_distinct_id, first_seen FROM " + t("mp_identity_staging"),
                remap(),
                "COMMIT TRANSACTION");
    }

    @Override
    public List<String> removeIdentityDay(java.time.LocalDate day) {
        String date = "DATE '" + day + "'";
        return List.of(
                "BEGIN TRANSACTION",
                "DELETE FROM " + t("identity_mappings") + " WHERE distinct_id IN (SELECT distinct_id FROM "
                        + t("identity_mapping_days") + " WHERE mapping_date = " + date + ")",
                "DELETE FROM " + t("identity_mapping_days") + " WHERE mapping_date = " + date,
                remap(),
                "COMMIT TRANSACTION");
    }

    /** Every id of identity_mapping_days left without a mapping gets its earliest candidate. */
    private String remap() {
        return "INSERT INTO " + t("identity_mappings") + " (distinct_id, resolved_distinct_id, first_seen)\n"
                + "SELECT distinct_id, resolved_distinct_id, first_seen FROM " + t("identity_mapping_days") + " d\n"
                + "WHERE NOT EXISTS (SELECT 1 FROM " + t("identity_mappings") + " m WHERE m.distinct_id = d.distinct_id)\n"
                + "QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1";
    }

    @Override
    public String countRows(String table, DatasetFolder folder) {
        return table.equals("identity_mapping_days")
                ? "SELECT COUNT(*) FROM " + t(table) + " WHERE mapping_date = DATE '" + folder.date() + "'"
                : "SELECT COUNT(*) FROM " + t(table);
    }

    private String loadProfiles(DatasetFolder f) {
        return "LOAD DATA OVERWRITE " + t("mp_profile_staging") + " (distinct_id STRING, properties STRING, last_seen TIMESTAMP)\n"
                + "FROM FILES (format = 'PARQUET', uris = [" + uris(f) + "])";
    }

    private String latestProfiles() {
        // ranked in a subquery: the order is on the staged text (JSON values cannot be ordered)
        return "SELECT distinct_id, PARSE_JSON(properties, wide_number_mode => 'round') AS properties, last_seen FROM (\n"
                + "    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn\n"
                + "    FROM " + t("mp_profile_staging") + ") WHERE rn = 1";
    }

    private static String uris(DatasetFolder f) {
        return f.files().stream().map(Location::toString).map(u -> "'" + u.replace("'", "\\'") + "'")
                .collect(Collectors.joining(", "));
    }

    private String t(String table) {
        return "`" + (projectId == null ? "" : projectId + ".") + dataset + "." + table + "`";
    }
}
