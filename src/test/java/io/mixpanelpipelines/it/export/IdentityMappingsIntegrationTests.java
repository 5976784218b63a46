package io.mixpanelpipelines.it.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.StaticExportServer;
import io.mixpanelpipelines.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's identity mappings end to end: a day with merges of each kind, a device seen before and after
 * login on one day and again on the next, rare JSON values in ids; each day's file and the project-wide
 * mapping (the consolidation rule applied in SQL) read back by DuckDB; a rerun of the day with changed
 * events; a failure between a day's events and its mappings (what a crash there leaves) repaired by the same
 * command without a request; a day without mappings (an older export) rebuilt from its Parquet; {@code status}.
 */
class IdentityMappingsIntegrationTests {

    private static final LocalDate D1 = LocalDate.parse("2026-02-01");
    private static final LocalDate D2 = D1.plusDays(1);
    private static final LocalDate D3 = D1.plusDays(2);
    private static final String RARE_DEVICE_JSON = "d\\u0000\u00e9\\ud83d\\ude00'x";
    private static final String RARE_DEVICE = "d\u0000\u00e9\ud83d\ude00'x";
    private static final String RARE_USER_JSON = "u\\\"q\\\\";
    private static final String RARE_USER = "u\"q\\";

    @TempDir
    Path tmp;

    private static long ms(LocalDate day, long seconds) {
        return day.toEpochDay() * 86_400_000L + seconds * 1000;
    }

    private static String line(String event, long timeMs, String props) {
        return "{\"event\":\"" + event + "\",\"properties\":{\"time\":" + timeMs + ",\"$insert_id\":\"i" + timeMs + event.length()
                + "\"" + (props.isEmpty() ? "" : ",") + props + "}}";
    }

    private static String login(LocalDate day, long s, String device, String user) {
        return line("Login", ms(day, s), "\"distinct_id\":\"" + user + "\",\"$device_id\":\"" + device + "\",\"$user_id\":\"" + user + "\"");
    }

    private static String day1(boolean changed) {
        List<String> l = new ArrayList<>();
        l.add(line("Page", ms(D1, 10), "\"distinct_id\":\"$device:d1\",\"$device_id\":\"d1\"")); // before login
        if (!changed) {
            l.add(login(D1, 100, "d1", "u1"));
        }
        l.add(login(D1, 200, "d1", "u2")); // after the first login of d1: ignored (the rerun's first)
        l.add(login(D1, 300, "d2", "u2"));
        l.add(line("Page", ms(D1, 350), "\"distinct_id\":\"u2\",\"$user_id\":\"u2\""));
        l.add(line("$identify", ms(D1, 400), "\"distinct_id\":\"user-a\",\"$anon_distinct_id\":\"anon-a\",\"$identified_id\":\"user-a\""));
        l.add(line("$create_alias", ms(D1, 500), "\"distinct_id\":\"user-c\",\"alias\":\"c@example.com\""));
        if (!changed) {
            l.add(line("$merge", ms(D1, 600), "\"distinct_id\":\"m1\",\"$distinct_ids\":[\"m1\",\"m2\"]"));
        }
        l.add(line("Login", ms(D1, 700), "\"distinct_id\":\"" + RARE_USER_JSON + "\",\"$device_id\":\"" + RARE_DEVICE_JSON
                + "\",\"$user_id\":\"" + RARE_USER_JSON + "\""));
        l.add(line("$identify", ms(D1, 800), "\"distinct_id\":\"v\",\"$anon_distinct_id\":\"a\\ud800\",\"$identified_id\":\"v\""));
        return String.join("\n", l) + "\n";
    }

    private static String day2() {
        return String.join("\n",
                line("Page", ms(D2, 1), "\"distinct_id\":\"$device:d3\",\"$device_id\":\"d3\""),
                login(D2, 5, "d1", "u9"), // d1 again, another user: the earlier day's mapping wins project-wide
                login(D2, 10, "d3", "u3"),
                line("$merge", ms(D2, 20), "\"$distinct_ids\":[\"m3\",\"m2\"]")) + "\n";
    }

    private static Clock at(int minutes) {
        return Clock.fixed(D3.plusDays(1).atTime(6, minutes).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    }

    private static String row(String id, String resolved, LocalDate day, long s) {
        return id + "|" + resolved + "|" + ms(day, s) * 1000;
    }

    @Test
    void mappingsFollowTheirDaysThroughExportRerunAFailureBetweenAndAnOlderExport() throws Exception {
        try (StaticExportServer server = new StaticExportServer()) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1");
            ws.env.put("IT_SA_USER", "u");
            ws.env.put("IT_SA_SECRET", "s");
            ws.clock = at(0);
            server.serve(D1.toString(), day1(false)).serve(D2.toString(), day2()).serve(D3.toString(),
                    login(D3, 1, "d4", "u4") + "\n");
            Path mappings = ws.export.resolve("123456").resolve("identity_mappings");

            assertThat(ws.export(D1.toString(), D2.toString())).as(ws.lastErr).isZero();
            List<String> d1 = List.of(row("$device:" + RARE_DEVICE, RARE_USER, D1, 700), row("$device:d1", "u1", D1, 100),
                    row("$device:d2", "u2", D1, 300), row("a\ufffd", "v", D1, 800), row("anon-a", "user-a", D1, 400),
                    row("c@example.com", "user-c", D1, 500), row(RARE_DEVICE, RARE_USER, D1, 700), row("d1", "u1", D1, 100),
                    row("d2", "u2", D1, 300), row("m2", "m1", D1, 600));
            List<String> d2 = List.of(row("$device:d1", "u9", D2, 5), row("$device:d3", "u3", D2, 10), row("d1", "u9", D2, 5),
                    row("d3", "u3", D2, 10), row("m2", "m3", D2, 20));
            assertThat(day(mappings, D1)).containsExactlyInAnyOrderElementsOf(d1);
            assertThat(day(mappings, D2)).containsExactlyInAnyOrderElementsOf(d2);
            assertThat(projectWide(mappings)).containsExactlyInAnyOrder("$device:" + RARE_DEVICE + "|" + RARE_USER,
                    "$device:d1|u1", "$device:d2|u2", "$device:d3|u3", "a\ufffd|v", "anon-a|user-a", "c@example.com|user-c",
                    RARE_DEVICE + "|" + RARE_USER, "d1|u1", "d2|u2", "d3|u3", "m2|m1");
            assertThat(Files.readString(mappings.resolve("date=" + D1).resolve("_SUCCESS"))).contains("\"rows\" : 10");
            assertThat(folder(mappings.resolve("date=" + D1))).containsExactlyInAnyOrder("_SUCCESS", "part-00000.parquet");
            int requests = server.requests.get();

            // a rerun of D1 with changed events: d1 logged in as u2 first, no $merge
            server.serve(D1.toString(), day1(true));
            ws.clock = at(10); // each run a few minutes later: the budget's per-second limit counts on the clock
            assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", D1.toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(requests + 1);
            List<String> d1Changed = new ArrayList<>(d1);
            d1Changed.removeAll(List.of(row("$device:d1", "u1", D1, 100), row("d1", "u1", D1, 100), row("m2", "m1", D1, 600)));
            d1Changed.addAll(List.of(row("$device:d1", "u2", D1, 200), row("d1", "u2", D1, 200)));
            assertThat(day(mappings, D1)).containsExactlyInAnyOrderElementsOf(d1Changed);
            assertThat(day(mappings, D2)).containsExactlyInAnyOrderElementsOf(d2);
            assertThat(projectWide(mappings)).contains("d1|u2", "$device:d1|u2", "m2|m3").doesNotContain("d1|u1", "m2|m1");

            // D3: its mappings cannot be published after its events (their _SUCCESS is blocked), as if the
            // process had died between the two; the same command again publishes them without a request
            Path blocked = mappings.resolve("date=" + D3).resolve("_SUCCESS");
            Files.createDirectories(blocked);
            Files.writeString(blocked.resolve("x"), "x");
            requests = server.requests.get();
            ws.clock = at(20);
            assertThat(ws.export(D3.toString(), D3.toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(requests + 1);
            assertThat(ws.events().resolve("event_date=" + D3).resolve("_SUCCESS")).exists();
            assertThat(ws.run("status", "--job", ws.jobFile.toString())).isZero();
            assertThat(ws.lastOut).contains("Identity mappings: 2 day(s)").contains("without current mappings: " + D3);
            Files.delete(blocked.resolve("x"));
            Files.delete(blocked);
            assertThat(ws.export(D3.toString(), D3.toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).as("no request for a published day").isEqualTo(requests + 1);
            assertThat(day(mappings, D3)).containsExactlyInAnyOrder(row("$device:d4", "u4", D3, 1), row("d4", "u4", D3, 1));
            assertThat(folder(ws.export.resolve("123456").resolve("_staging").resolve("identity_mappings"))).isEmpty();

            // D2 exported before identity mappings existed: an export over its range rebuilds them from its Parquet
            TestFiles.deleteTree(mappings.resolve("date=" + D2));
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + tmp.resolve("state/db"), "sa", "");
                    Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM mp_identity_day WHERE event_date = DATE '" + D2 + "'");
            }
            assertThat(ws.export(D1.toString(), D3.toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(requests + 1);
            assertThat(day(mappings, D2)).containsExactlyInAnyOrderElementsOf(d2);

            assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--json")).isZero();
            assertThat(ws.lastOut.replaceAll("\\s+", "")).contains("\"identity\":{\"days\":3,\"rows\":"
                    + (d1Changed.size() + d2.size() + 2) + ",\"outdated\":[]");
        }
    }

    /** A day's file as DuckDB reads it: id|resolved|first_seen micros. */
    private static List<String> day(Path mappings, LocalDate day) throws Exception {
        return query("SELECT distinct_id, resolved_distinct_id, epoch_us(first_seen) FROM read_parquet('"
                + mappings.resolve("date=" + day).resolve("part-00000.parquet") + "')", 3);
    }

    /** The project-wide mapping: per distinct_id the smallest first_seen over all days (ties: smallest resolved id). */
    private static List<String> projectWide(Path mappings) throws Exception {
        return query("SELECT distinct_id, resolved_distinct_id FROM (SELECT *, row_number() OVER (PARTITION BY distinct_id "
                + "ORDER BY first_seen, resolved_distinct_id) AS n FROM read_parquet('" + mappings + "/*/*.parquet')) WHERE n = 1", 2);
    }

    private static List<String> query(String sql, int columns) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder sb = new StringBuilder(rs.getString(1));
                for (int i = 2; i <= columns; i++) {
                    sb.append('|').append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static List<String> folder(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }
}
