package io.mixpanelpipelines.it.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.StaticExportServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a daily run fetches the new day and the 5 lookback days in one request; the lookback days
 * whose content is the published one are left alone before they are converted (their day steps read
 * nothing, no Parquet is written), a lookback day with a late event is converted and republished, and the
 * data set stays exactly what was served.
 */
class UnchangedLookbackIntegrationTests {

    private static final LocalDate D1 = LocalDate.parse("2026-02-01");

    @TempDir
    Path tmp;

    @Test
    void unchangedLookbackDaysAreNotConvertedAndAChangedOneIsRepublished() throws Exception {
        TreeMap<LocalDate, List<String>> served = new TreeMap<>();
        for (int d = 0; d < 8; d++) {
            served.put(D1.plusDays(d), events(D1.plusDays(d), 200 + d));
        }
        try (StaticExportServer server = new StaticExportServer()) {
            ExportWorkspace ws = new ExportWorkspace(tmp,
                    Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "lookbackDays: 5");
            ws.env.put("IT_SA_USER", "u");
            ws.env.put("IT_SA_SECRET", "s");
            Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: " + D1));

            // a 6-day window: D1..D6 in one request
            server.serve(D1.toString(), body(served, D1, 6, 1));
            ws.clock = morningAfter(D1.plusDays(5));
            assertThat(ws.export(D1.toString(), D1.plusDays(5).toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(1);
            assertThat(readCounts(ws)).hasSize(6).allSatisfy((day, reads) -> assertThat(reads).isPositive());

            // the daily run: D7 new, D2..D6 looked back at, served again in another order
            Map<Path, Long> before = modificationTimes(ws);
            server.serve(D1.plusDays(1).toString(), body(served, D1.plusDays(1), 6, 2));
            ws.clock = morningAfter(D1.plusDays(6));
            assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();

            assertThat(server.requests.get()).as("the new day and its lookback: one request").isEqualTo(2);
            Map<LocalDate, Long> reads = readCounts(ws);
            assertThat(reads).containsOnlyKeys(days(D1.plusDays(1), 6));
            assertThat(reads.get(D1.plusDays(6))).as("the new day is converted").isPositive();
            for (LocalDate d : days(D1.plusDays(1), 5)) {
                assertThat(reads.get(d)).as("%s is unchanged: its step reads nothing", d).isZero();
            }
            assertThat(ws.lastOut).contains("6 of 6 day(s) published");
            assertThat(modificationTimes(ws)).as("unchanged days are not rewritten").containsAllEntriesOf(before);
            assertThat(Files.list(ws.spool.resolve("it-events")).filter(p -> !p.getFileName().toString().startsWith("_")).toList())
                    .as("every spool is deleted, the unchanged days' too").isEmpty();
            assertState(ws, served, D1.plusDays(6));

            // the next daily run: a late event of D5 arrived; D8 is new
            served.get(D1.plusDays(4)).add(event(D1.plusDays(4), 9_999, new Random(7)));
            server.serve(D1.plusDays(2).toString(), body(served, D1.plusDays(2), 6, 3));
            Map<Path, Long> beforeLate = modificationTimes(ws);
            ws.clock = morningAfter(D1.plusDays(7));
            assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();

            reads = readCounts(ws);
            assertThat(reads.get(D1.plusDays(4))).as("the changed day is converted").isPositive();
            assertThat(reads.get(D1.plusDays(7))).as("the new day is converted").isPositive();
            for (LocalDate d : List.of(D1.plusDays(2), D1.plusDays(3), D1.plusDays(5), D1.plusDays(6))) {
                assertThat(reads.get(d)).as("%s is unchanged", d).isZero();
            }
            String manifest = Files.readString(ws.day(D1.plusDays(4).toString()).resolve("_SUCCESS"));
            assertThat(manifest).contains("\"rows\" : " + served.get(D1.plusDays(4)).size()).contains("\"lateEvents\" : 1");
            Map<Path, Long> after = modificationTimes(ws);
            beforeLate.forEach((file, time) -> {
                if (!file.toString().contains("event_date=" + D1.plusDays(4))) {
                    assertThat(after).as("%s is left alone", file).containsEntry(file, time);
                }
            });
            assertState(ws, served, D1.plusDays(7));
        }
    }

    /**
     * Each day its own request ({@code daysPerRequest: 1}): a re-fetched published day is only hashed as it
     * downloads, and converted (from its spool) only when it changed.
     */
    @Test
    void lookbackDaysThatAreRequestsOfTheirOwnAreHashedAndOnlyAChangedOneIsConverted() throws Exception {
        TreeMap<LocalDate, List<String>> served = new TreeMap<>();
        for (int d = 0; d < 8; d++) {
            served.put(D1.plusDays(d), events(D1.plusDays(d), 200 + d));
        }
        try (StaticExportServer server = new StaticExportServer()) {
            ExportWorkspace ws = new ExportWorkspace(tmp,
                    Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "lookbackDays: 5",
                            "daysPerRequest: 1");
            ws.env.put("IT_SA_USER", "u");
            ws.env.put("IT_SA_SECRET", "s");
            Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: " + D1));
            served.keySet().forEach(d -> server.serve(d.toString(), body(served, d, 1, d.toEpochDay())));
            ws.clock = tickingMorningAfter(D1.plusDays(5));
            assertThat(ws.export(D1.toString(), D1.plusDays(5).toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(6);

            // the daily run: D7 new, D2..D6 looked back at (served again in another order), one request each
            served.keySet().forEach(d -> server.serve(d.toString(), body(served, d, 1, d.toEpochDay() + 1)));
            Map<Path, Long> before = modificationTimes(ws);
            ws.clock = tickingMorningAfter(D1.plusDays(6));
            assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
            assertThat(server.requests.get()).isEqualTo(12);
            Map<LocalDate, Long> reads = readCounts(ws);
            assertThat(reads).containsOnlyKeys(days(D1.plusDays(1), 6));
            assertThat(reads.get(D1.plusDays(6))).as("the new day is converted").isPositive();
            for (LocalDate d : days(D1.plusDays(1), 5)) {
                assertThat(reads.get(d)).as("%s is unchanged: its step converts nothing", d).isZero();
            }
            assertThat(ws.lastOut).contains("6 of 6 day(s) published");
            assertThat(modificationTimes(ws)).as("unchanged days are not rewritten").containsAllEntriesOf(before);
            assertThat(Files.list(ws.spool.resolve("it-events")).filter(p -> !p.getFileName().toString().startsWith("_")).toList())
                    .as("every spool is deleted, the unchanged days' too").isEmpty();
            assertState(ws, served, D1.plusDays(6));

            // the next daily run: a late event of D5 arrived
            served.get(D1.plusDays(4)).add(event(D1.plusDays(4), 9_999, new Random(7)));
            server.serve(D1.plusDays(4).toString(), body(served, D1.plusDays(4), 1, 3));
            Map<Path, Long> beforeLate = modificationTimes(ws);
            ws.clock = tickingMorningAfter(D1.plusDays(7));
            assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
            reads = readCounts(ws);
            assertThat(reads.get(D1.plusDays(4))).as("the changed day is converted").isPositive();
            for (LocalDate d : List.of(D1.plusDays(2), D1.plusDays(3), D1.plusDays(5), D1.plusDays(6))) {
                assertThat(reads.get(d)).as("%s is unchanged", d).isZero();
            }
            String manifest = Files.readString(ws.day(D1.plusDays(4).toString()).resolve("_SUCCESS"));
            assertThat(manifest).contains("\"rows\" : " + served.get(D1.plusDays(4)).size()).contains("\"lateEvents\" : 1");
            Map<Path, Long> after = modificationTimes(ws);
            beforeLate.forEach((file, time) -> {
                if (!file.toString().contains("event_date=" + D1.plusDays(4))) {
                    assertThat(after).as("%s is left alone", file).containsEntry(file, time);
                }
            });
            assertState(ws, served, D1.plusDays(7));
        }
    }

    /**
     * A daily run whose new day has a malformed line (in the export's shape up to its time) while the lookback
     * days are unchanged: the line is rejected and kept by the new day, which fails (maxRejectedLines 0), not
     * by the window's first day, and the lookback days stay as published, converted by nobody.
     */
    @Test
    void aMalformedLineOfTheNewDayIsKeptByTheNewDayAndTheLookbackDaysStayAsPublished() throws Exception {
        TreeMap<LocalDate, List<String>> served = sevenDays();
        try (StaticExportServer server = new StaticExportServer()) {
            ExportWorkspace ws = firstSixDays(server, served);
            LocalDate newDay = D1.plusDays(6);
            String malformed = "{\"event\":\"bad\",\"properties\":{\"time\":" + (newDay.toEpochDay() * 86_400_000L + 3_600_000)
                    + ",\"a\":tru}}";
            assertThat(dailyRunWith(ws, server, served, malformed)).as(ws.lastErr).isEqualTo(1);

            assertThat(ws.lastOut).contains("FAILED").contains("1 malformed line(s) exceed export.maxRejectedLines=0");
            Path rejected = tmp.resolve("spool/it-events/_rejected");
            assertThat(Files.readAllLines(rejected.resolve(newDay + ".lines"))).containsExactly(malformed);
            assertThat(rejected.resolve(D1.plusDays(1) + ".lines")).as("not the window's first day's").doesNotExist();
            Map<LocalDate, Long> reads = readCounts(ws);
            for (LocalDate d : days(D1.plusDays(1), 5)) {
                assertThat(reads.get(d)).as("%s is unchanged", d).isZero();
            }
            ParquetAssertions.assertExactly(ws.events(), new TreeMap<>(served.headMap(newDay)));
        }
    }

    /**
     * A daily run served a line whose first time falls on the new day and whose second one (the parser's) on a
     * lookback day: that lookback day gains it as a late event, as a parse of every line gives it.
     */
    @Test
    void aLineWithTwoTimesGoesToTheDayTheParserGivesIt() throws Exception {
        TreeMap<LocalDate, List<String>> served = sevenDays();
        try (StaticExportServer server = new StaticExportServer()) {
            ExportWorkspace ws = firstSixDays(server, served);
            LocalDate newDay = D1.plusDays(6);
            String twoTimes = "{\"event\":\"late\",\"properties\":{\"time\":" + (newDay.toEpochDay() * 86_400_000L + 3_600_000)
                    + ",\"distinct_id\":\"u1\",\"$insert_id\":\"two-times\",\"time\":"
                    + (D1.plusDays(3).toEpochDay() * 86_400_000L + 60_000) + "}}";
            assertThat(dailyRunWith(ws, server, served, twoTimes)).as(ws.lastErr).isZero();

            Map<LocalDate, Long> reads = readCounts(ws);
            assertThat(reads.get(D1.plusDays(3))).as("the day the second time names gains a late event").isPositive();
            served.get(D1.plusDays(3)).add(twoTimes);
            // (not ParquetAssertions.assertExactly: DuckDB's json_extract reads the first of two time keys)
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT CAST(event_date AS VARCHAR), count(*), count(*) FILTER (WHERE insert_id = "
                            + "'two-times') FROM read_parquet('" + ws.events() + "/*/*.parquet', hive_partitioning = true) GROUP BY 1")) {
                Map<LocalDate, List<Long>> found = new TreeMap<>();
                while (rs.next()) {
                    found.put(LocalDate.parse(rs.getString(1)), List.of(rs.getLong(2), rs.getLong(3)));
                }
                Map<LocalDate, List<Long>> expected = new TreeMap<>();
                served.forEach((day, lines) -> expected.put(day, List.of((long) lines.size(), day.equals(D1.plusDays(3)) ? 1L : 0L)));
                assertThat(found).isEqualTo(expected);
            }
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), served.keySet());
        }
    }

    /** The daily run after {@link #firstSixDays}: D2..D7 served with {@code extra} last; its exit code. */
    private static int dailyRunWith(ExportWorkspace ws, StaticExportServer server, Map<LocalDate, List<String>> served,
            String extra) throws Exception {
        server.serve(D1.plusDays(1).toString(), body(served, D1.plusDays(1), 6, 2) + extra + "\n");
        ws.clock = morningAfter(D1.plusDays(6));
        return ws.run("export", "--job", ws.jobFile.toString());
    }

    private static TreeMap<LocalDate, List<String>> sevenDays() {
        TreeMap<LocalDate, List<String>> served = new TreeMap<>();
        for (int d = 0; d < 7; d++) {
            served.put(D1.plusDays(d), events(D1.plusDays(d), 200 + d));
        }
        return served;
    }

    /** A workspace whose job starts at D1 (5 lookback days), with D1..D6 exported in one request. */
    private ExportWorkspace firstSixDays(StaticExportServer server, TreeMap<LocalDate, List<String>> served) throws Exception {
        ExportWorkspace ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "lookbackDays: 5");
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: " + D1));
        server.serve(D1.toString(), body(served, D1, 6, 1));
        ws.clock = morningAfter(D1.plusDays(5));
        assertThat(ws.export(D1.toString(), D1.plusDays(5).toString())).as(ws.lastErr).isZero();
        return ws;
    }

    /** The data set is exactly what was served up to {@code last}, and each folder holds what its manifest names. */
    private static void assertState(ExportWorkspace ws, TreeMap<LocalDate, List<String>> served, LocalDate last) throws Exception {
        Map<LocalDate, List<String>> expected = new TreeMap<>(served.headMap(last.plusDays(1)));
        ParquetAssertions.assertExactly(ws.events(), expected);
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected.keySet());
    }

    private static Clock morningAfter(LocalDate day) {
        return Clock.fixed(day.plusDays(1).atTime(6, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    }

    /** As {@link #morningAfter}, but running: requests of their own are spaced by the per-second limit. */
    private static Clock tickingMorningAfter(LocalDate day) {
        return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), morningAfter(day).instant()));
    }

    private static List<LocalDate> days(LocalDate from, int n) {
        return from.datesUntil(from.plusDays(n)).toList();
    }

    private static List<String> events(LocalDate day, int n) {
        Random random = new Random(day.toEpochDay());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(event(day, i, random));
        }
        return lines;
    }

    /** An event of {@code day} (UTC), with Mixpanel's {@code time} in milliseconds. */
    private static String event(LocalDate day, int i, Random random) {
        long time = day.toEpochDay() * 86_400_000L + random.nextInt(86_400_000);
        return "{\"event\":\"E" + random.nextInt(5) + "\",\"properties\":{\"time\":" + time + ",\"distinct_id\":\"u"
                + random.nextInt(50) + "\",\"$insert_id\":\"" + day + "-" + i + "\",\"n\":" + random.nextInt() + "}}";
    }

    /** The lines of {@code n} days from {@code from}, shuffled (Mixpanel's order is not stable). */
    private static String body(Map<LocalDate, List<String>> served, LocalDate from, int n, long seed) {
        List<String> lines = new ArrayList<>();
        days(from, n).forEach(d -> lines.addAll(served.get(d)));
        Collections.shuffle(lines, new Random(seed));
        return String.join("\n", lines) + "\n";
    }

    /** Items read by each day step of the last run (Spring Batch's own count): zero when nothing was converted. */
    private Map<LocalDate, Long> readCounts(ExportWorkspace ws) throws Exception {
        Map<LocalDate, Long> reads = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + tmp.resolve("state/db"), "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT STEP_NAME, READ_COUNT FROM BATCH_STEP_EXECUTION WHERE "
                        + "JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION) "
                        + "AND STEP_NAME LIKE 'exportDay:day=%'")) {
            while (rs.next()) {
                reads.put(LocalDate.parse(rs.getString(1).substring("exportDay:day=".length())), rs.getLong(2));
            }
        }
        return reads;
    }

    private static Map<Path, Long> modificationTimes(ExportWorkspace ws) throws Exception {
        Map<Path, Long> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ws.events())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                m.put(p, Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }
}
