package io.mixpanelpipelines.warehouse.redshift;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentitySql;
import io.mixpanelpipelines.warehouse.ProfileIdentityStatements;
import java.util.ArrayList;
import java.util.List;

/**
 * Redshift's statements for people, group profiles and identity mappings, each load in one transaction:
 * the folder's files are copied ({@code COPY ... FORMAT AS PARQUET}, one per file, with the IAM role) into a
 * temporary table, then the target is replaced (DELETE + INSERT: readers keep the old rows until the commit)
 * or corrected from it. {@code properties} is parsed into SUPER through a {@code VARCHAR(65535)} staging
 * column, with the limits {@link RedshiftLoadStatements} states for the events.
 */
public final class RedshiftProfileIdentityStatements implements ProfileIdentityStatements {

    private static final String LATEST = ProfileIdentitySql.latestProfiles("JSON_PARSE(properties)", "mp_profile_staging");

    private final String schema;
    private final String eventsTable;
    private final String iamRole;

    public RedshiftProfileIdentityStatements(String schema, String eventsTable, String iamRole) {
        this.schema = schema;
        this.eventsTable = eventsTable;
        this.iamRole = iamRole;
    }

    @Override
    public List<String> prepare() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + t("people") + " (distinct_id VARCHAR(65535) NOT NULL, properties SUPER, "
                        + "last_seen TIMESTAMPTZ) DISTKEY (distinct_id)",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mapping_days") + " (mapping_date DATE NOT NULL, "
                        + "distinct_id VARCHAR(65535) NOT NULL, resolved_distinct_id VARCHAR(65535) NOT NULL, "
                        + "first_seen TIMESTAMPTZ NOT NULL) DISTKEY (distinct_id) SORTKEY (mapping_date)",
                "CREATE TABLE IF NOT EXISTS " + t("identity_mappings") + " (distinct_id VARCHAR(65535) NOT NULL, "
                        + "resolved_distinct_id VARCHAR(65535) NOT NULL, first_seen TIMESTAMPTZ NOT NULL) DISTKEY (distinct_id)",
                ProfileIdentitySql.eventsResolvedView(this::t, eventsTable));
    }

    @Override
    public List<String> prepareProfileTable(String table) {
        return List.of("CREATE TABLE IF NOT EXISTS " + t(table) + " (LIKE " + t("people") + ")");
    }

    @Override
    public List<String> replaceProfiles(String table, DatasetFolder snapshot) {
        List<String> sql = stageProfiles(snapshot);
        sql.add("DELETE FROM " + t(table));
        sql.add("INSERT INTO " + t(table) + " (distinct_id, properties, last_seen)\n" + LATEST);
        sql.add("DROP TABLE mp_profile_staging");
        return sql;
    }

    @Override
    public List<String> mergeProfiles(String table, DatasetFolder changes) {
        List<String> sql = stageProfiles(changes);
        sql.add("DELETE FROM " + t(table) + " WHERE distinct_id IN (SELECT distinct_id FROM mp_profile_staging)");
        sql.add("INSERT INTO " + t(table) + " (distinct_id, properties, last_seen)\n" + LATEST);
        sql.add("DROP TABLE mp_profile_staging");
        return sql;
    }

    @Override
    public List<String> loadIdentityDay(DatasetFolder day) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TEMP TABLE mp_identity_staging (distinct_id VARCHAR(65535), resolved_distinct_id VARCHAR(65535), "
                + "first_seen TIMESTAMPTZ)");
        copy(sql, "mp_identity_staging", day);
        sql.addAll(ProfileIdentitySql.replaceDay(this::t, date(day.date()), "mp_identity_staging", "UNION"));
        sql.add(remap());
        sql.add("DROP TABLE mp_identity_staging");
        return sql;
    }

    @Override
    public List<String> removeIdentityDay(java.time.LocalDate day) {
        List<String> sql = new ArrayList<>(ProfileIdentitySql.removeDay(this::t, date(day)));
        sql.add(remap());
        return sql;
    }

    /** Every id of identity_mapping_days left without a mapping gets its earliest candidate. */
    private String remap() {
        return "INSERT INTO " + t("identity_mappings") + " (distinct_id, resolved_distinct_id, first_seen)\n"
                + "SELECT distinct_id, resolved_distinct_id, first_seen FROM (\n"
                + "    SELECT d.*, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) AS rn\n"
                + "    FROM " + t("identity_mapping_days") + " d\n"
                + "    WHERE NOT EXISTS (SELECT 1 FROM " + t("identity_mappings") + " m WHERE m.distinct_id = d.distinct_id)) WHERE rn = 1";
    }

    @Override
    public String countRows(String table, DatasetFolder folder) {
        return ProfileIdentitySql.countRows(this::t, table, date(folder.date()));
    }

    private List<String> stageProfiles(DatasetFolder f) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE TEMP TABLE mp_profile_staging (distinct_id VARCHAR(65535), properties VARCHAR(65535), last_seen TIMESTAMPTZ)");
        copy(sql, "mp_profile_staging", f);
        return sql;
    }

    private void copy(List<String> sql, String staging, DatasetFolder f) {
        for (Location file : f.files()) {
            sql.add("COPY " + staging + " FROM '" + file.toString().replace("'", "''") + "'\n"
                    + "IAM_ROLE '" + iamRole.replace("'", "''") + "'\nFORMAT AS PARQUET");
        }
    }

    private static String date(java.time.LocalDate day) {
        return "'" + day + "'::DATE";
    }

    private String t(String table) {
        return schema + "." + table;
    }
}
