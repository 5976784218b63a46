package io.mixpanelpipelines.it.slices;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's sub-day requests against the simulator: a day of 8 slices is 8 requests and exactly the day; a
 * slice cut mid-stream is the only one requested again; the day's content hash is the unsliced day's and a
 * lookback of the sliced day finds it unchanged; both DST days of New York, with events on every hour
 * boundary at millisecond and at second precision; {@code maxRequestSize} slicing a day once the days
 * exported before it say it is too big.
 */
class SlicedExportIntegrationTests {

    static final String USER = "slice-user";
    static final String SECRET = "S3cr3t-slices";
    static final LocalDate DAY = LocalDate.parse("2026-01-05");
    static final Pattern WHERE_BOUNDS = Pattern.compile("datetime\\((\\d+)\\).*datetime\\((\\d+)\\)");

    @TempDir
    Path tmp;
    MixpanelSimulator sim;

    @AfterEach
    void tearDown() {
        if (sim != null) {
            sim.close();
        }
    }

    private MixpanelSimulator simulator(String zone, long events) {
        return MixpanelSimulator.builder().eventsPerDay(events).seed(14).projectId("123456").serviceAccount(USER, SECRET)
                .timezone(ZoneId.of(zone)).hourBoundaryEvents(true).hourlyLimit(0).build().start(0);
    }

    private ExportWorkspace workspace(String name, String zone, String... export) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        ExportWorkspace ws = new ExportWorkspace(dir, Map.of("spring.datasource.url",
                "jdbc:h2:file:" + dir.resolve("state/pipelines") + ";WRITE_DELAY=0"))
                .job(sim.baseUri().toString(), zone, ExportWorkspace.serviceAccountAuth(), export);
        ws.env.put("IT_SA_USER", USER);
        ws.env.put("IT_SA_SECRET", SECRET);
        return ws;
    }

    private static List<String> wheres(List<SimulatorRequest> requests) {
        return requests.stream().map(r -> r.params().get("where")).toList();
    }

    private static String manifest(ExportWorkspace ws, LocalDate day) throws Exception {
        return Files.readString(ws.day(day.toString()).resolve("_SUCCESS"));
    }

    private static String contentHash(String manifest) {
        Matcher m = Pattern.compile("\"contentHash\" : \"([^\"]+)\"").matcher(manifest);
        assertThat(m.find()).as(manifest).isTrue();
        return m.group(1);
    }

    @Test
    void aDayOfEightSlicesIsEightRequestsExactlyOnceAndHashesAsTheUnslicedDay() throws Exception {
        sim = simulator("UTC", 6_000);
        ExportWorkspace ws = workspace("sliced", "UTC", "sliceHours: 3", "partSize: 64KB");
        ws.clock = ticking(DAY.plusDays(1).atTime(6, 0));

        assertThat(ws.export(DAY.toString(), DAY.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).as("8 slices, 8 requests").isEqualTo(8);
        List<String> wheres = wheres(sim.requests());
        assertThat(Set.copyOf(wheres)).as("each slice requested once").hasSize(8).doesNotContainNull();
        long start = DAY.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        assertThat(wheres.stream().map(w -> bounds(w)[0]).sorted().toList())
                .containsExactly(start, start + 10_800, start + 21_600, start + 32_400, start + 43_200, start + 54_000,
                        start + 64_800, start + 75_600);
        assertThat(sim.requests()).allSatisfy(r -> assertThat(r.fromDate()).isEqualTo(DAY).isEqualTo(r.toDate()));
        ParquetAssertions.assertExactly(ws.events(), Map.of(DAY, sim.expectedLines(DAY, true)));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(DAY));
        String sliced = manifest(ws, DAY);
        assertThat(sliced).contains("\"rows\" : 6000").contains("\"window\" : \"2026-01-05/3h\"");
        assertThat(sliceSteps(ws)).as("each slice converted by a partition of its own, into one manifest").hasSize(8)
                .allSatisfy((step, reads) -> assertThat(reads).isPositive());
        for (int h = 0; h < 24; h += 3) {
            assertThat(sliced).contains(String.format("-h%02d.parquet", h));
        }
        assertThat(Files.list(ws.spool.resolve("it-events")).filter(p -> !p.getFileName().toString().startsWith("_")).toList())
                .as("the day's spool and its slices' are deleted once it is published").isEmpty();

        // the same day as one request: the same content hash
        ExportWorkspace whole = workspace("whole", "UTC");
        assertThat(whole.export(DAY.toString(), DAY.toString())).as(whole.lastErr).isZero();
        assertThat(sim.requestCount()).isEqualTo(9);
        assertThat(contentHash(manifest(whole, DAY))).isEqualTo(contentHash(sliced));

        // the daily run of the next day looks back at the sliced day: its 8 slices again, found unchanged; and
        // deletes what a run killed once the day was published left of its slices' spools (another slicing's)
        Path leftSlices = Files.createDirectories(ws.spool.resolve("it-events").resolve(DAY + "_" + DAY + ".slices")
                .resolve("2026-01-05T00-06_0"));
        Files.writeString(leftSlices.resolve("body.gz"), "left by a killed run");
        ws.clock = ticking(DAY.plusDays(2).atTime(6, 0));
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: " + DAY));
        assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("two days of 8 slices").isEqualTo(25);
        assertThat(lastReadCounts(ws)).as("the unchanged day's step reads nothing; the new day's converts")
                .containsEntry(DAY, 0L).hasEntrySatisfying(DAY.plusDays(1), n -> assertThat(n).isPositive());
        assertThat(manifest(ws, DAY)).isEqualTo(sliced);
        ParquetAssertions.assertExactly(ws.events(), Map.of(DAY, sim.expectedLines(DAY, true),
                DAY.plusDays(1), sim.expectedLines(DAY.plusDays(1), true)));
        assertThat(Files.list(ws.spool.resolve("it-events")).filter(p -> !p.getFileName().toString().startsWith("_")).toList())
                .as("no spool left, the slices' a killed run left included").isEmpty();
    }

    @Test
    void aSliceCutMidStreamIsRequestedAgainAlone() throws Exception {
        sim = simulator("UTC", 6_000);
        ExportWorkspace ws = workspace("cut", "UTC", "sliceHours: 3", "maxConcurrentRequests: 2");
        sim.faults().enqueue(Fault.cutMidStream());

        assertThat(ws.export(DAY.toString(), DAY.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).as("8 slices and one retry").isEqualTo(9);
        Map<String, Long> perSlice = wheres(sim.requests()).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(perSlice).hasSize(8);
        String cut = wheres(sim.requests()).get(sim.requests().indexOf(sim.requests().stream()
                .filter(r -> r.injectedFault().isPresent()).findFirst().orElseThrow()));
        assertThat(perSlice).as("only the cut slice twice").containsEntry(cut, 2L)
                .allSatisfy((w, n) -> assertThat(n).isEqualTo(w.equals(cut) ? 2L : 1L));
        ParquetAssertions.assertExactly(ws.events(), Map.of(DAY, sim.expectedLines(DAY, true)));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(DAY));
    }

    @Test
    void bothDstDaysOfNewYorkInHourSlicesKeepEveryBoundaryEventOnceAtMilliseconds() throws Exception {
        sim = simulator("America/New_York", 3_000);
        ExportWorkspace ws = workspace("dst-ms", "America/New_York", "sliceHours: 1", "requestsPerHour: 60");
        LocalDate spring = LocalDate.parse("2026-03-08");
        LocalDate fall = LocalDate.parse("2026-11-01");

        assertThat(ws.export(spring.toString(), spring.toString())).as(ws.lastErr).isZero();
        assertThat(ws.export(fall.toString(), fall.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).as("23 hours, then 24 slices with the repeated hour in one").isEqualTo(47);
        ParquetAssertions.assertExactly(ws.events(), Map.of(spring, sim.expectedLines(spring, true),
                fall, sim.expectedLines(fall, true)), "America/New_York");
    }

    @Test
    void bothDstDaysOfNewYorkInThreeHourSlicesKeepEveryBoundaryEventOnceAtSeconds() throws Exception {
        sim = simulator("America/New_York", 3_000);
        ExportWorkspace ws = workspace("dst-s", "America/New_York", "sliceHours: 3", "timeInMs: false");
        LocalDate spring = LocalDate.parse("2026-03-08");
        LocalDate fall = LocalDate.parse("2026-11-01");

        assertThat(ws.export(spring.toString(), spring.toString())).as(ws.lastErr).isZero();
        assertThat(ws.export(fall.toString(), fall.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).isEqualTo(16);
        assertSameLines(ws.events(), Map.of(spring, sim.expectedLines(spring, false), fall, sim.expectedLines(fall, false)));
    }

    @Test
    void maxRequestSizeSlicesADayExpectedBeyondItFromTheDaysExportedBefore() throws Exception {
        sim = simulator("UTC", 4_000);
        ExportWorkspace ws = workspace("adaptive", "UTC", "daysPerRequest: 1");
        LocalDate d1 = DAY;
        LocalDate d2 = DAY.plusDays(1);
        LocalDate d3 = DAY.plusDays(2);
        assertThat(ws.export(d1.toString(), d2.toString())).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("small days: one request each").isEqualTo(2);

        long avg = (bytes(sim.expectedLines(d1, true)) + bytes(sim.expectedLines(d2, true))) / 2;
        long limit = avg * 2 / 7; // 3.5 limits per day: 4 slices, so 6 h each
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("daysPerRequest: 1", "daysPerRequest: 1\n  maxRequestSize: " + limit + "B"));

        assertThat(ws.run("plan", "--job", ws.jobFile.toString(), "--from", d3.toString(), "--to", d3.toString(), "--json"))
                .as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("\"window\" : \"" + d3 + "/6h\"").contains("\"requests\" : 4")
                .contains("\"slice\" : \"" + d3 + "T18-24\"");
        assertThat(ws.run("plan", "--job", ws.jobFile.toString(), "--from", d3.toString(), "--to", d3.toString()))
                .as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains(d3 + "/6h").contains("4 request(s): 4 slices of 6 h").contains(d3 + "T06-12")
                .contains("this run would send 4 request(s)");

        assertThat(ws.export(d3.toString(), d3.toString())).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("the day in 4 slices").isEqualTo(6);
        assertThat(wheres(sim.requests().subList(2, 6))).doesNotContainNull().doesNotHaveDuplicates();
        ParquetAssertions.assertExactly(ws.events(), Map.of(d1, sim.expectedLines(d1, true), d2, sim.expectedLines(d2, true),
                d3, sim.expectedLines(d3, true)));
    }

    /** A clock that reads {@code at} (UTC) now and ticks on: the budget's per-second pacing needs time to pass. */
    private static Clock ticking(java.time.LocalDateTime at) {
        return Clock.offset(Clock.systemUTC(), java.time.Duration.between(java.time.Instant.now(), at.toInstant(ZoneOffset.UTC)));
    }

    /**
     * Items read by each day's steps of the last run (Spring Batch's own count, a sliced day's slice steps
     * added up): zero when nothing was converted.
     */
    private static Map<LocalDate, Long> lastReadCounts(ExportWorkspace ws) throws Exception {
        Map<LocalDate, Long> reads = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + ws.dir.resolve("state/pipelines"), "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT STEP_NAME, READ_COUNT FROM BATCH_STEP_EXECUTION WHERE "
                        + "JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION) "
                        + "AND STEP_NAME LIKE 'exportDay:%'")) {
            while (rs.next()) { // exportDay:day=2026-01-05 or exportDay:slice=2026-01-05T03-06
                String partition = rs.getString(1).substring(rs.getString(1).indexOf('=') + 1);
                reads.merge(LocalDate.parse(partition.substring(0, 10)), rs.getLong(2), Long::sum);
            }
        }
        return reads;
    }

    /** Items read by each slice step of the last run, by step name. */
    private static Map<String, Long> sliceSteps(ExportWorkspace ws) throws Exception {
        Map<String, Long> reads = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + ws.dir.resolve("state/pipelines"), "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT STEP_NAME, READ_COUNT FROM BATCH_STEP_EXECUTION WHERE "
                        + "JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION) "
                        + "AND STEP_NAME LIKE 'exportDay:slice=%'")) {
            while (rs.next()) {
                reads.put(rs.getString(1), rs.getLong(2));
            }
        }
        return reads;
    }

    private static long bytes(List<String> lines) {
        return lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1L).sum();
    }

    private static long[] bounds(String where) {
        Matcher m = WHERE_BOUNDS.matcher(where);
        assertThat(m.find()).as(where).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** The multiset of (day, event, properties) read back by DuckDB is exactly what was served. */
    private static void assertSameLines(Path events, Map<LocalDate, List<String>> served) throws Exception {
        Map<String, Integer> expected = new TreeMap<>();
        served.forEach((day, lines) -> lines.forEach(l -> expected.merge(day + "\u0001" + ParquetAssertions.eventOf(l)
                + "\u0001" + ParquetAssertions.propertiesOf(l), 1, Integer::sum)));
        Map<String, Integer> actual = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CAST(event_date AS VARCHAR), event_name, CAST(properties AS VARCHAR) "
                        + "FROM read_parquet('" + events + "/*/*.parquet', hive_partitioning = true)")) {
            while (rs.next()) {
                actual.merge(rs.getString(1) + "\u0001" + rs.getString(2) + "\u0001" + rs.getString(3), 1, Integer::sum);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }
}
