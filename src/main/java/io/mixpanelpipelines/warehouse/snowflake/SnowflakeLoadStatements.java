package io.mixpanelpipelines.warehouse.snowflake;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.JdbcStatementLoader;
import io.mixpanelpipelines.dataset.PublishedDay;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Snowflake's statements: {@code COPY INTO} the table from the day's files through an external stage over
 * the destination's root (on S3 or GCS), after deleting the day, in one transaction. {@code FORCE = TRUE}
 * because Snowflake skips files it loaded in the last 64 days, and a day deleted then loaded again needs
 * them again. Only the manifest's files are named ({@code FILES = (...)}).
 *
 * <p><b>Values in {@code properties}</b> ({@code PARSE_JSON} into VARIANT; Snowflake's documentation,
 * docs.snowflake.com/en/sql-reference/functions/parse_json):
 * <ul>
 *   <li>Duplicate keys: {@code PARSE_JSON} refuses them by default (parameter {@code 's'}), which with
 *       {@code ON_ERROR = ABORT_STATEMENT} would fail the whole day; the load passes {@code 'd'}: the last
 *       value of a repeated key is kept (the rule the export's own parser applies), the others are dropped.
 *   <li>Numbers: a decimal that fits Snowflake's fixed-point NUMBER is kept exactly; numbers in scientific
 *       notation or beyond NUMBER's range or scale are stored as DOUBLE (precision lost). What happens
 *       beyond DOUBLE's range ({@code 1e400}) is not stated there: not verified.
 *   <li>Size: {@code PARSE_JSON} takes at most 64 MB (compressed) of input; a VARIANT value is limited in
 *       size too (16 MB in the long-standing documentation), so a larger {@code properties} fails the day.
 *   <li>Not stated in the documentation found (not verified, no Snowflake here): {@code \u0000} inside a
 *       string, and nesting depth. Broken surrogate escapes never arrive: the export publishes them as
 *       {@code \ufffd}; invalid UTF-8 never arrives: it is a rejected line.
 * </ul>
 */
public final class SnowflakeLoadStatements implements JdbcStatementLoader.LoadStatements {

    private final String table;
    private final String stage;
    private final Location root;

    /**
     * @param table {@code schema.table}
     * @param stage the external stage whose URL is the destination's {@code uri}
     * @param root the destination's {@code uri}: paths in the stage are relative to it
     */
    public SnowflakeLoadStatements(String table, String stage, Location root) {
        this.table = table;
        this.stage = stage;
        this.root = root;
    }

    @Override
    public List<String> prepare() {
        return List.of("CREATE TABLE IF NOT EXISTS " + table + " (\n"
                + "    event_date DATE NOT NULL,\n"
                + "    event_name STRING NOT NULL,\n"
                + "    time TIMESTAMP_TZ NOT NULL,\n"
                + "    distinct_id STRING,\n"
                + "    insert_id STRING,\n"
                + "    device_id STRING,\n"
                + "    user_id STRING,\n"
                + "    mp_processing_time TIMESTAMP_TZ,\n"
                + "    properties VARIANT\n"
                + ") CLUSTER BY (event_date)");
    }

    @Override
    public List<String> load(PublishedDay day) {
        String files = day.files().stream().map(f -> "'" + f.fileName().replace("'", "''") + "'")
                .collect(Collectors.joining(", "));
        String date = "'" + day.day() + "'::DATE";
        return List.of(
                "DELETE FROM " + table + " WHERE event_date = " + date,
                "COPY INTO " + table + " (event_date, event_name, time, distinct_id, insert_id, device_id, user_id, "
                        + "mp_processing_time, properties)\n"
                        + "FROM (\n"
                        + "    SELECT " + date + ", $1:event_name::STRING, $1:time::TIMESTAMP_TZ, $1:distinct_id::STRING,\n"
                        + "        $1:insert_id::STRING, $1:device_id::STRING, $1:user_id::STRING,\n"
                        + "        $1:mp_processing_time::TIMESTAMP_TZ, PARSE_JSON($1:properties::STRING, 'd')\n"
                        + "    FROM @" + stage + "/" + relative(day) + "/\n"
                        + ")\n"
                        + "FILES = (" + files + ")\n"
                        + "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)\n"
                        + "ON_ERROR = ABORT_STATEMENT\n"
                        + "FORCE = TRUE");
    }

    @Override
    public String countRows(PublishedDay day) {
        return "SELECT COUNT(*) FROM " + table + " WHERE event_date = '" + day.day() + "'::DATE";
    }

    private String relative(PublishedDay day) {
        String key = day.folder().key();
        String prefix = root.key();
        return prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
    }
}
