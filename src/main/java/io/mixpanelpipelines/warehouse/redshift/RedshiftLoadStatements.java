package io.mixpanelpipelines.warehouse.redshift;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.JdbcStatementLoader;
import io.mixpanelpipelines.dataset.PublishedDay;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Redshift's statements, in one transaction: delete the day, {@code COPY ... FORMAT AS PARQUET} each of the
 * manifest's files (one COPY per file: an S3 path in COPY is a prefix, and a day's folder can briefly
 * hold another run's files) into a temporary table with the files' columns, then insert them with the day
 * as {@code event_date} and {@code properties} parsed into SUPER. The files are read with the IAM role.
 *
 * <p><b>Values in {@code properties}</b> ({@code JSON_PARSE} into SUPER; Redshift's documentation,
 * docs.aws.amazon.com/redshift/latest/dg/limitations-super.html):
 * <ul>
 *   <li>Size: the staging column is {@code VARCHAR(65535)}, Redshift's longest VARCHAR, so a
 *       {@code properties} longer than 65,535 bytes fails the COPY and the day (a SUPER value itself holds
 *       up to 16 MB, a string in it up to 16,000,000 bytes). Not fixed here: it needs a load path that
 *       does not go through VARCHAR, to be tried against a real Redshift.
 *   <li>Nesting: SUPER nests at most 1,000 levels; the export rejects lines nested deeper than 500.
 *   <li>Numbers, duplicate keys, {@code \u0000}: not stated in the documentation found; not verified (no
 *       Redshift here). Broken surrogate escapes never arrive: the export publishes them as
 *       {@code \ufffd}; invalid UTF-8 never arrives: it is a rejected line.
 * </ul>
 */
public final class RedshiftLoadStatements implements JdbcStatementLoader.LoadStatements {

    private final String table;
    private final String iamRole;

    public RedshiftLoadStatements(String table, String iamRole) {
        this.table = table;
        this.iamRole = iamRole;
    }

    @Override
    public List<String> prepare() {
        return List.of("CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    event_date DATE NOT NULL,\n"
                + "    event_name VARCHAR(65535) NOT NULL,\n"
                + "    time TIMESTAMPTZ NOT NULL,\n"
                + "    distinct_id VARCHAR(65535),\n"
                + "    insert_id VARCHAR(65535),\n"
                + "    device_id VARCHAR(65535),\n"
                + "    user_id VARCHAR(65535),\n"
                + "    mp_processing_time TIMESTAMPTZ,\n"
                + "    properties SUPER\n"
                + ") SORTKEY (event_date, time)");
    }

    @Override
    public List<String> load(PublishedDay day) {
        String staging = "mp_load_" + DateTimeFormatter.BASIC_ISO_DATE.format(day.day());
        String date = "'" + day.day() + "'::DATE";
        List<String> sql = new ArrayList<>();
        sql.add("DELETE FROM " + table + " WHERE event_date = " + date);
        sql.add("CREATE TEMP TABLE " + staging + " (\n"
                + "    event_name VARCHAR(65535),\n"
                + "    time TIMESTAMPTZ,\n"
                + "    distinct_id VARCHAR(65535),\n"
                + "    insert_id VARCHAR(65535),\n"
                + "    device_id VARCHAR(65535),\n"
                + "    user_id VARCHAR(65535),\n"
                + "    mp_processing_time TIMESTAMPTZ,\n"
                + "    properties VARCHAR(65535)\n"
                + ")");
        for (Location f : day.files()) {
            sql.add("COPY " + staging + " FROM '" + f.toString().replace("'", "''") + "'\n"
                    + "IAM_ROLE '" + iamRole.replace("'", "''") + "'\n"
                    + "FORMAT AS PARQUET");
        }
        sql.add("INSERT INTO " + table + " (event_date, event_name, time, distinct_id, insert_id, device_id, user_id, "
                + "mp_processing_time, properties)\n"
                + "SELECT " + date + ", event_name, time, distinct_id, insert_id, device_id, user_id, mp_processing_time, "
                + "JSON_PARSE(properties)\n"
                + "FROM " + staging);
        sql.add("DROP TABLE " + staging);
        return sql;
    }

    @Override
    public String countRows(PublishedDay day) {
        return "SELECT COUNT(*) FROM " + table + " WHERE event_date = '" + day.day() + "'::DATE";
    }
}
