package io.mixpanelpipelines.warehouse;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The statements that BigQuery, Snowflake and Redshift share for the tables of {@link ProfileIdentityLoader}
 * (their {@link ProfileIdentityStatements} differ in types, staging and transactions, not in these). Each
 * method takes how the warehouse names a table of its schema ({@code table}: {@code people} to
 * {@code analytics.people}) and, where a day is involved, its DATE literal. Stateless.
 */
public final class ProfileIdentitySql {

    private ProfileIdentitySql() {
    }

    /** Creates or replaces the view {@code events_resolved} over {@code eventsTable} (already qualified). */
    public static String eventsResolvedView(UnaryOperator<String> table, String eventsTable) {
        return "CREATE OR REPLACE VIEW " + table.apply("events_resolved") + " AS\n"
                + "SELECT e.*, COALESCE(m.resolved_distinct_id, e.distinct_id) AS resolved_distinct_id\n"
                + "FROM " + eventsTable + " e\nLEFT JOIN " + table.apply("identity_mappings") + " m ON m.distinct_id = e.distinct_id";
    }

    /**
     * Replaces a day's candidates with those of {@code staging}: the mappings of the ids the day held or holds
     * are deleted, then the day's rows. The mappings are corrected afterwards (the warehouse's remap).
     *
     * @param union the warehouse's distinct UNION ({@code UNION}, BigQuery's {@code UNION DISTINCT})
     */
    public static List<String> replaceDay(UnaryOperator<String> table, String date, String staging, String union) {
        String days = table.apply("identity_mapping_days");
        return List.of(
                "DELETE FROM " + table.apply("identity_mappings") + " WHERE distinct_id IN (SELECT distinct_id FROM "
                        + days + " WHERE mapping_date = " + date + " " + union + " SELECT distinct_id FROM " + staging + ")",
                "DELETE FROM " + days + " WHERE mapping_date = " + date,
                "INSERT INTO " + days + " (mapping_date, distinct_id, resolved_distinct_id, first_seen)\n"
                        + "SELECT " + date + ", distinct_id, resolved_distinct_id, first_seen FROM " + staging);
    }

    /** Deletes a day's candidates and the mappings of its ids; the mappings are corrected afterwards. */
    public static List<String> removeDay(UnaryOperator<String> table, String date) {
        String days = table.apply("identity_mapping_days");
        return List.of(
                "DELETE FROM " + table.apply("identity_mappings") + " WHERE distinct_id IN (SELECT distinct_id FROM "
                        + days + " WHERE mapping_date = " + date + ")",
                "DELETE FROM " + days + " WHERE mapping_date = " + date);
    }

    /**
     * Every id of identity_mapping_days left without a mapping gets its earliest candidate, with
     * {@code QUALIFY} (BigQuery, Snowflake).
     */
    public static String remapWithQualify(UnaryOperator<String> table) {
        return "INSERT INTO " + table.apply("identity_mappings") + " (distinct_id, resolved_distinct_id, first_seen)\n"
                + "SELECT distinct_id, resolved_distinct_id, first_seen FROM " + table.apply("identity_mapping_days") + " d\n"
                + "WHERE NOT EXISTS (SELECT 1 FROM " + table.apply("identity_mappings") + " m WHERE m.distinct_id = d.distinct_id)\n"
                + "QUALIFY ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY first_seen, resolved_distinct_id) = 1";
    }

    /**
     * One profile per distinct_id of {@code staging}: the latest last_seen, then the smallest properties text.
     * Ranked in a subquery: the order is on the staged text, not on the parsed value of the same name.
     *
     * @param parsedProperties the expression that parses the staged {@code properties} text
     */
    public static String latestProfiles(String parsedProperties, String staging) {
        return "SELECT distinct_id, " + parsedProperties + " AS properties, last_seen FROM (\n"
                + "    SELECT *, ROW_NUMBER() OVER (PARTITION BY distinct_id ORDER BY last_seen DESC NULLS LAST, properties) AS rn\n"
                + "    FROM " + staging + ") WHERE rn = 1";
    }

    /** See {@link ProfileIdentityStatements#countRows}: for identity_mapping_days, the rows of {@code folder}'s day. */
    public static String countRows(UnaryOperator<String> table, String name, String date) {
        return name.equals("identity_mapping_days")
                ? "SELECT COUNT(*) FROM " + table.apply(name) + " WHERE mapping_date = " + date
                : "SELECT COUNT(*) FROM " + table.apply(name);
    }
}
