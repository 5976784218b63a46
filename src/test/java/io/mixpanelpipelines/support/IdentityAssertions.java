package io.mixpanelpipelines.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a day's identity mappings against an independent derivation: DuckDB applies the Simplified ID Merge
 * rule in SQL to the day's published events ({@code device_id} and {@code $device:<device_id>} to the
 * {@code user_id} of the earliest event carrying both; ties: smallest user id). For events without Original ID
 * Merge events, as the simulator serves.
 */
public final class IdentityAssertions {

    private IdentityAssertions() {
    }

    /** @param project {@code <destination>/<projectId>} */
    public static void assertSimplifiedMappingsOf(Path project, LocalDate day) throws Exception {
        String events = project.resolve("events").resolve("event_date=" + day) + "/*.parquet";
        String logins = "SELECT device_id AS d, user_id AS u, \"time\" AS t FROM read_parquet('" + events
                + "') WHERE device_id <> '' AND user_id <> '' AND device_id <> user_id";
        String expected = "SELECT distinct_id, u, epoch_us(t) FROM (SELECT *, row_number() OVER (PARTITION BY distinct_id "
                + "ORDER BY t, u) AS n FROM (SELECT d AS distinct_id, u, t FROM (" + logins + ") UNION ALL "
                + "SELECT '$device:' || d, u, t FROM (" + logins + ") WHERE NOT starts_with(d, '$device:'))) WHERE n = 1";
        String actual = "SELECT distinct_id, resolved_distinct_id, epoch_us(first_seen) FROM read_parquet('"
                + project.resolve("identity_mappings").resolve("date=" + day).resolve("part-00000.parquet") + "')";
        List<String> want = rows(expected);
        assertThat(want).as("the day has logged-in devices").isNotEmpty();
        List<String> got = rows(actual);
        // sorted and compared as lists: the same check as "exactly, in any order", without AssertJ's
        // quadratic matching, which takes minutes on a 150,000-event day
        want.sort(null);
        got.sort(null);
        assertThat(got).as("identity mappings of %s", day).hasSameSizeAs(want);
        assertThat(got).as("identity mappings of %s", day).isEqualTo(want);
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3));
            }
        }
        return out;
    }
}
