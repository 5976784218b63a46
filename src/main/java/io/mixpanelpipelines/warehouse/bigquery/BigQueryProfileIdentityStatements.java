package io.mixpanelpipelines.warehouse.bigquery;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentitySql;
import io.mixpanelpipelines.warehouse.ProfileIdentityStatements;
import java.util.ArrayList;
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
                ProfileIdentitySql.eventsResolvedView(this::t, t(eventsTable)));
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
        List<String> sql = new ArrayList<>();
        sql.add("LOAD DATA OVERWRITE " + t("mp_identity_staging") + " (distinct_id STRING, resolved_distinct_id STRING, "
                + "first_seen TIMESTAMP)\nFROM FILES (format = 'PARQUET', uris = [" + uris(day) + "])");
        sql.add("BEGIN TRANSACTION");
        sql.addAll(ProfileIdentitySql.replaceDay(this::t, date(day.date()), t("mp_identity_staging"), "UNION DISTINCT"));
        sql.add(ProfileIdentitySql.remapWithQualify(this::t));
        sql.add("COMMIT TRANSACTION");
        return sql;
    }

    @Override
    public List<String> removeIdentityDay(java.time.LocalDate day) {
        List<String> sql = new ArrayList<>();
        sql.add("BEGIN TRANSACTION");
        sql.addAll(ProfileIdentitySql.removeDay(this::t, date(day)));
        sql.add(ProfileIdentitySql.remapWithQualify(this::t));
        sql.add("COMMIT TRANSACTION");
        return sql;
    }

    @Override
    public String countRows(String table, DatasetFolder folder) {
        return ProfileIdentitySql.countRows(this::t, table, date(folder.date()));
    }

    private String loadProfiles(DatasetFolder f) {
        return "LOAD DATA OVERWRITE " + t("mp_profile_staging") + " (distinct_id STRING, properties STRING, last_seen TIMESTAMP)\n"
                + "FROM FILES (format = 'PARQUET', uris = [" + uris(f) + "])";
    }

    private String latestProfiles() {
        // ranked on the staged text: JSON values cannot be ordered
        return ProfileIdentitySql.latestProfiles("PARSE_JSON(properties, wide_number_mode => 'round')", t("mp_profile_staging"));
    }

    private static String date(java.time.LocalDate day) {
        return "DATE '" + day + "'";
    }

    private static String uris(DatasetFolder f) {
        return f.files().stream().map(Location::toString).map(u -> "'" + u.replace("'", "\\'") + "'")
                .collect(Collectors.joining(", "));
    }

    private String t(String table) {
        return "`" + (projectId == null ? "" : projectId + ".") + dataset + "." + table + "`";
    }
}
