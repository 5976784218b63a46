package io.mixpanelpipelines.warehouse.snowflake;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentitySql;
import io.mixpanelpipelines.warehouse.ProfileIdentityStatements;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Snowflake's statements for people, group profiles and identity mappings. The folder's files are copied
 * ({@code COPY INTO}, through the same external stage as the events, {@code FORCE = TRUE}) into a staging
 * table created once; then, in the same transaction, the target is replaced or corrected from it. Staging
 * tables are permanent because Snowflake commits the open transaction on any DDL, a temporary table
 * included. {@code properties} goes through {@code PARSE_JSON(..., 'd')} as for the events (see
 * {@link SnowflakeLoadStatements} for what VARIANT keeps of the text).
 */
public final class SnowflakeProfileIdentityStatements implements ProfileIdentityStatements {

    private final String schema;
    private final String eventsTable;
    private final String stage;
    private final Location root;

    /**
     * @param schema the warehouse's schema ({@code db.schema} or {@code schema})
     * @param eventsTable {@code schema.table} of the events
     * @param stage the external stage whose URL is the destination's {@code uri}
     */
    public SnowflakeProfileIdentityStatements(String schema, String eventsTable, String stage, Location root) {
        this.schema = schema;
        this.eventsTable = eventsTable;
        this.stage = stage;
        this.root = root;
    }

    @Override
    public List<String> prepare() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + t("people") + " (distinct_id STRING NOT NULL, properties VARIANT, last_seen TIMESTAMP_TZ)",
                "CREATE TABLE IF NOT EXISTS " + t("mp_profile_staging") + " (distinct_id STRING, properties STRING, last_seen TIMESTAMP_TZ)",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mapping_days") + " (mapping_date DATE NOT NULL, distinct_id STRING NOT NULL, "
                        + "resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP_TZ NOT NULL) CLUSTER BY (mapping_date)",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mappings") + " (distinct_id STRING NOT NULL, "
                        + "resolved_distinct_id STRING NOT NULL, first_seen TIMESTAMP_TZ NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + t("mp_identity_staging") + " (distinct_id STRING, resolved_distinct_id STRING, "
                        + "first_seen TIMESTAMP_TZ)",
                ProfileIdentitySql.eventsResolvedView(this::t, eventsTable));
    }

    @Override
    public List<String> prepareProfileTable(String table) {
        return List.of("CREATE TABLE IF NOT EXISTS " + t(table) + " LIKE " + t("people"));
    }

    @Override
    public List<String> replaceProfiles(String table, DatasetFolder snapshot) {
        return List.of(
                "DELETE FROM " + t("mp_profile_staging"),
                copyProfiles(snapshot),
                "DELETE FROM " + t(table),
                "INSERT INTO " + t(table) + " (distinct_id, properties, last_seen)\n" + latestProfiles(),
                "DELETE FROM " + t("mp_profile_staging"));
    }

    @Override
    public List<String> mergeProfiles(String table, DatasetFolder changes) {
        return List.of(
                "DELETE FROM " + t("mp_profile_staging"),
                copyProfiles(changes),
                "MERGE INTO " + t(table) + " p\nUSING (" + latestProfiles() + ") c\nON p.distinct_id = c.distinct_id\n"
                        + "WHEN MATCHED THEN UPDATE SET p.properties = c.properties, p.last_seen = c.last_seen\n"
                        + "WHEN NOT MATCHED THEN INSERT (distinct_id, properties, last_seen) VALUES (c.distinct_id, c.properties, c.last_seen)",
                "DELETE FROM " + t("mp_profile_staging"));
    }

    @Override
    public List<String> loadIdentityDay(DatasetFolder day) {
        List<String> sql = new ArrayList<>();
        sql.add("DELETE FROM " + t("mp_identity_staging"));
        sql.add("COPY INTO " + t("mp_identity_staging") + " (distinct_id, resolved_distinct_id, first_seen)\n"
                + "FROM (SELECT $1:distinct_id::STRING, $1:resolved_distinct_id::STRING, $1:first_seen::TIMESTAMP_TZ\n"
                + "    FROM @" + stage + "/" + relative(day) + "/)\n" + copyOptions(day));
        sql.addAll(ProfileIdentitySql.replaceDay(this::t, date(day.date()), t("mp_identity_staging"), "UNION"));
        sql.add(ProfileIdentitySql.remapWithQualify(this::t));
        sql.add("DELETE FROM " + t("mp_identity_staging"));
        return sql;
    }

    @Override
    public List<String> removeIdentityDay(java.time.LocalDate day) {
        List<String> sql = new ArrayList<>(ProfileIdentitySql.removeDay(this::t, date(day)));
        sql.add(ProfileIdentitySql.remapWithQualify(this::t));
        return sql;
    }

    @Override
    public String countRows(String table, DatasetFolder folder) {
        return ProfileIdentitySql.countRows(this::t, table, date(folder.date()));
    }

    private String copyProfiles(DatasetFolder f) {
        return "COPY INTO " + t("mp_profile_staging") + " (distinct_id, properties, last_seen)\n"
                + "FROM (SELECT $1:distinct_id::STRING, $1:properties::STRING, $1:last_seen::TIMESTAMP_TZ\n"
                + "    FROM @" + stage + "/" + relative(f) + "/)\n" + copyOptions(f);
    }

    private String latestProfiles() {
        return ProfileIdentitySql.latestProfiles("PARSE_JSON(properties, 'd')", t("mp_profile_staging"));
    }

    private static String date(java.time.LocalDate day) {
        return "'" + day + "'::DATE";
    }

    private static String copyOptions(DatasetFolder f) {
        String files = f.files().stream().map(x -> "'" + x.fileName().replace("'", "''") + "'").collect(Collectors.joining(", "));
        return "FILES = (" + files + ")\nFILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)\nON_ERROR = ABORT_STATEMENT\nFORCE = TRUE";
    }

    private String relative(DatasetFolder f) {
        String key = f.folder().key();
        String prefix = root.key();
        return prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
    }

    private String t(String table) {
        return schema + "." + table;
    }
}
