package io.mixpanelpipelines.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks exported Parquet with an independent reader, DuckDB: every served event exactly once in its
 * day, {@code properties} byte-identical to the served JSON, and each column equal to what DuckDB's own
 * JSON functions extract from {@code properties}.
 */
public final class ParquetAssertions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ParquetAssertions() {
    }

    /** The exact {@code properties} object of a served line. */
    public static String propertiesOf(String line) {
        int i = line.indexOf(",\"properties\":{");
        if (i <= 0 || !line.endsWith("}}")) { // not AssertJ per line: this runs for every served event
            throw new AssertionError("served line has no properties object at its end: "
                    + (line.length() > 200 ? line.substring(0, 200) : line));
        }
        return line.substring(i + ",\"properties\":".length(), line.length() - 1);
    }

    /** The {@code event} of a served line, read by a streaming parser that stops there. */
    public static String eventOf(String line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new AssertionError("served line is not an object: " + line);
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                JsonToken value = p.nextToken();
                if ("event".equals(p.currentName())) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new AssertionError("served line's event is not a string: " + line);
                    }
                    return p.getString();
                }
                p.skipChildren();
            }
            throw new AssertionError("served line has no event: " + line);
        }
    }

    /** Asserts that the dataset holds exactly {@code served} (day -> lines), nothing more, nothing less. */
    public static void assertExactly(Path events, Map<LocalDate, List<String>> served) throws SQLException {
        assertExactly(events, served, "UTC");
    }

    /**
     * As above for a project in {@code zone}: Mixpanel's {@code time} is then local milliseconds, which the
     * {@code time} column must hold as the true instant (events in a spring-forward gap are not compared).
     */
    public static void assertExactly(Path events, Map<LocalDate, List<String>> served, String zone) throws SQLException {
        String glob = events + "/*/*.parquet";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            // 1. the multiset of (day, event, properties) is exactly what was served: compared by the MD5 of each
            //    row's joined string (DuckDB's md5 of its UTF-8), which moves a thirtieth of the bytes through JDBC;
            //    when they differ, the rows themselves are compared to name what differs
            String row = "CAST(event_date AS VARCHAR) || chr(1) || event_name || chr(1) || CAST(properties AS VARCHAR)";
            String from = " FROM read_parquet('" + glob + "', hive_partitioning = true)";
            MessageDigest md5 = md5();
            HexFormat hex = HexFormat.of();
            Map<String, Integer> expected = servedRows(served,
                    key -> hex.formatHex(md5.digest(key.getBytes(StandardCharsets.UTF_8))));
            Map<String, Integer> actual = datasetRows(s, "SELECT md5(" + row + ")" + from);
            if (!actual.equals(expected)) {
                assertSameRows(s, row + from, served);
                throw new AssertionError("dataset differs from what was served in a way only the MD5s show");
            }
            // 2. every column agrees with DuckDB's own reading of the properties JSON
            String mismatches = "SELECT count(*) FROM read_parquet('" + glob + "', hive_partitioning = true) WHERE "
                    + "(epoch_ms(timezone('" + zone + "', time)) <> CAST(json_extract(properties, '$.time') AS BIGINT) "
                    + "  AND NOT (timezone('" + zone + "', time) - INTERVAL 1 HOUR = make_timestamp(CAST(json_extract(properties, '$.time') AS BIGINT) * 1000))) OR "
                    + "CAST(timezone('" + zone + "', time) AS DATE) <> event_date OR "
                    + "distinct_id IS DISTINCT FROM json_extract_string(properties, '$.distinct_id') OR "
                    + "insert_id IS DISTINCT FROM json_extract_string(properties, '$.\"$insert_id\"') OR "
                    + "device_id IS DISTINCT FROM json_extract_string(properties, '$.\"$device_id\"') OR "
                    + "user_id IS DISTINCT FROM json_extract_string(properties, '$.\"$user_id\"') OR "
                    + "epoch_ms(mp_processing_time) IS DISTINCT FROM CAST(json_extract(properties, '$.mp_processing_time_ms') AS BIGINT)";
            try (ResultSet rs = s.executeQuery(mismatches)) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows whose columns disagree with their properties").isZero();
            }
            // 3. the column types a user migrating from Mixpanel Data Pipelines expects
            Map<String, String> types = new TreeMap<>();
            try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + glob + "', hive_partitioning = true)")) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(types).containsEntry("event_name", "VARCHAR").containsEntry("time", "TIMESTAMP WITH TIME ZONE")
                    .containsEntry("distinct_id", "VARCHAR").containsEntry("insert_id", "VARCHAR")
                    .containsEntry("device_id", "VARCHAR").containsEntry("user_id", "VARCHAR")
                    .containsEntry("mp_processing_time", "TIMESTAMP WITH TIME ZONE").containsEntry("properties", "JSON");
        }
    }

    /** The full comparison, for its message: the multiset of joined rows against the served lines. */
    private static void assertSameRows(Statement s, String rows, Map<LocalDate, List<String>> served) throws SQLException {
        Map<String, Integer> expected = servedRows(served, key -> key);
        Map<String, Integer> actual = datasetRows(s, "SELECT " + rows);
        assertThat(actual.size()).as("distinct rows").isEqualTo(expected.size());
        if (!actual.equals(expected)) {
            List<String> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).limit(3).toList();
            List<String> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).limit(3).toList();
            List<String> counted = expected.keySet().stream().filter(k -> !expected.get(k).equals(actual.get(k))).limit(3).toList();
            throw new AssertionError("dataset differs from what was served; missing e.g. " + missing + "; extra e.g. " + extra
                    + "; with another count e.g. " + counted);
        }
    }

    /** The served lines as a multiset of {@code asKey} of their joined (day, event, properties). */
    private static Map<String, Integer> servedRows(Map<LocalDate, List<String>> served, UnaryOperator<String> asKey) {
        Map<String, Integer> rows = new HashMap<>();
        for (Map.Entry<LocalDate, List<String>> e : served.entrySet()) {
            for (String line : e.getValue()) {
                rows.merge(asKey.apply(e.getKey() + "\u0001" + eventOf(line) + "\u0001" + propertiesOf(line)), 1, Integer::sum);
            }
        }
        return rows;
    }

    /** The dataset's rows as the multiset of the one column {@code select} returns. */
    private static Map<String, Integer> datasetRows(Statement s, String select) throws SQLException {
        Map<String, Integer> rows = new HashMap<>();
        try (ResultSet rs = s.executeQuery(select)) {
            while (rs.next()) {
                String row = rs.getString(1); // null when a column is: no served event matches it
                rows.merge(row == null ? "a row with a null day, event or properties" : row, 1, Integer::sum);
            }
        }
        return rows;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts each day folder holds exactly the files its {@code _SUCCESS} manifest names, plus the manifest. */
    public static void assertFoldersMatchManifests(Path events, Set<LocalDate> days) throws Exception {
        for (LocalDate day : days) {
            Path dir = events.resolve("event_date=" + day);
            Path manifest = dir.resolve("_SUCCESS");
            assertThat(manifest).as("manifest of %s", day).isRegularFile();
            JsonNode m = JSON.readTree(Files.readString(manifest));
            List<String> named = new ArrayList<>();
            m.get("files").forEach(f -> named.add(f.get("name").asString()));
            List<String> present;
            try (Stream<Path> files = Files.list(dir)) {
                present = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("_SUCCESS")).sorted().collect(Collectors.toList());
            }
            Collections.sort(named);
            assertThat(present).as("files of %s", day).isEqualTo(named);
            assertThat(m.get("eventDate").asString()).isEqualTo(day.toString());
            assertThat(m.get("schemaVersion").asInt()).isEqualTo(1);
        }
    }
}
