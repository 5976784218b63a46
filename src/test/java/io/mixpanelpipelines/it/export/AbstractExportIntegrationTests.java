package io.mixpanelpipelines.it.export;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The export command end to end, the way a user runs it: the real command line against the built-in
 * Mixpanel simulator over real HTTP, a real state database (one subclass per database), and DuckDB
 * reading back what was written.
 */
abstract class AbstractExportIntegrationTests {

    static final String USER = "it-sa-user";
    static final String SECRET = "S3cr3t-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    static final LocalDate D1 = LocalDate.parse("2026-01-01");
    static final LocalDate D2 = LocalDate.parse("2026-01-02");
    static final LocalDate D3 = LocalDate.parse("2026-01-03");

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;

    /** Spring properties pointing at a fresh, empty state database for one test. */
    abstract Map<String, Object> datasource(Path tmp) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        sim = simulator(ZoneId.of("UTC")).build().start(0);
        ws = new ExportWorkspace(tmp, datasource(tmp))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "partSize: 256KB");
        ws.env.put("IT_SA_USER", USER);
        ws.env.put("IT_SA_SECRET", SECRET);
    }

    static MixpanelSimulator.Builder simulator(ZoneId zone) {
        return MixpanelSimulator.builder().eventsPerDay(3000).seed(11).projectId("123456")
                .serviceAccount(USER, SECRET).timezone(zone).bigEventEvery(997);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    Map<LocalDate, List<String>> served(LocalDate... days) {
        Map<LocalDate, List<String>> m = new LinkedHashMap<>();
        for (LocalDate d : days) {
            m.put(d, sim.expectedLines(d, true));
        }
        return m;
    }

    @Test
    void threeDaysLandExactlyOnceWithAllColumnsRight() throws Exception {
        Path summary = tmp.resolve("summary.json");
        int code = ws.run("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-03",
                "--summary-json", summary.toString());

        assertThat(code).as(ws.lastErr).isZero();
        ParquetAssertions.assertExactly(ws.events(), served(D1, D2, D3));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(D1, D2, D3));
        assertThat(sim.requestCount()).as("consecutive days share one request").isEqualTo(1);
        try (Stream<Path> files = Files.list(ws.day("2026-01-02"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count())
                    .as("parts roll at export.partSize").isGreaterThan(1);
        }
        JsonNode s = JsonMapper.builder().build().readTree(Files.readString(summary));
        assertThat(s.get("exitCode").asInt()).isZero();
        assertThat(s.get("requests").asInt()).isEqualTo(1);
        assertThat(s.get("partitions")).hasSize(3);
        assertThat(s.get("partitions").get(0).get("state").asString()).isEqualTo("PUBLISHED");
        assertThat(s.get("partitions").get(0).get("rows").asLong()).isEqualTo(3000);
        assertThat(ws.lastOut).contains("duckdb -c");
    }

    @Test
    void theIdenticalCommandAgainSendsNoRequest() throws Exception {
        assertThat(ws.export("2026-01-01", "2026-01-03")).isZero();
        int before = sim.requestCount();

        assertThat(ws.export("2026-01-01", "2026-01-03")).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).isEqualTo(before);
        assertThat(ws.lastOut).contains("0 request(s) sent");
        ParquetAssertions.assertExactly(ws.events(), served(D1, D2, D3));
    }

    @Test
    void aCutStreamATerminatedEarlyBodyAndA503AreRetriedAndTheDataIsExact() throws Exception {
        sim.faults().enqueue(Fault.cutMidStream()).enqueue(Fault.terminatedEarly()).enqueue(Fault.status(503));

        int code = ws.export("2026-01-01", "2026-01-03");

        assertThat(code).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("one request, three retries").isEqualTo(4);
        ParquetAssertions.assertExactly(ws.events(), served(D1, D2, D3));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(D1, D2, D3));
    }

    @Test
    void aDayDownloadedWhileConvertedStartsAfreshAfterACutStreamOrATerminatedEarlyBody() throws Exception {
        // one day is its own request: it is converted while it downloads (StreamedFetch); parts roll at
        // 256 KB, so the abandoned attempts leave closed parts and a rejected 'terminated early' line behind
        sim.faults().enqueue(Fault.cutMidStream()).enqueue(Fault.terminatedEarly()).enqueue(Fault.status(503));

        int code = ws.export("2026-01-02", "2026-01-02");

        assertThat(code).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("one request, three retries").isEqualTo(4);
        ParquetAssertions.assertExactly(ws.events(), served(D2));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(D2));
        assertThat(ws.spool.resolve("it-events/_rejected/" + D2 + ".lines")).as("nothing of a void attempt is kept")
                .doesNotExist();
        assertThat(Files.readString(ws.day("2026-01-02").resolve("_SUCCESS"))).contains("\"rejectedLines\" : 0");
    }

    @Test
    void daysOfOneRequestEachDownloadAndConvertInParallelExactly() throws Exception {
        ws.job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(),
                "partSize: 256KB", "daysPerRequest: 1", "parallelism: 3");
        sim.faults().enqueue(Fault.cutMidStream());

        int code = ws.export("2026-01-01", "2026-01-03");

        assertThat(code).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("a request per day, one retried").isEqualTo(4);
        ParquetAssertions.assertExactly(ws.events(), served(D1, D2, D3));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(D1, D2, D3));
        assertThat(ws.export("2026-01-01", "2026-01-03")).isZero();
        assertThat(sim.requestCount()).as("published days cost nothing again").isEqualTo(4);
    }

    @Test
    void aWrongSecretExitsTwoWithinSecondsNamingTheCredentialNotItsValue() throws Exception {
        ws.env.put("IT_SA_SECRET", "wrong-" + SECRET);
        long start = System.nanoTime();

        int code = ws.export("2026-01-01", "2026-01-03");

        assertThat(code).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(ws.lastErr + ws.lastOut).contains("IT_SA_SECRET").doesNotContain(SECRET);
        assertThat(sim.requestCount()).as("no request after the first refusal").isLessThanOrEqualTo(2);
        assertThat(ws.events()).doesNotExist();
    }

    @Test
    void aWrongSecretOnADayDownloadedWhileConvertedExitsTwoAndLeavesNothing() throws Exception {
        ws.env.put("IT_SA_SECRET", "wrong-" + SECRET);

        int code = ws.export("2026-01-02", "2026-01-02");

        assertThat(code).isEqualTo(2);
        assertThat(ws.lastErr + ws.lastOut).contains("IT_SA_SECRET").doesNotContain(SECRET);
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(ws.events()).doesNotExist();
        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--json")).isZero();
        assertThat(ws.lastOut).contains("FAILED");
    }

    @Test
    void aMissingCredentialVariableExitsTwoBeforeAnyRequest() throws Exception {
        ws.env.remove("IT_SA_SECRET");

        assertThat(ws.export("2026-01-01", "2026-01-01")).isEqualTo(2);

        assertThat(ws.lastErr).contains("IT_SA_SECRET").contains("not set");
        assertThat(sim.requestCount()).isZero();
    }

    @Test
    void rerunFetchesTheDayAgainAndReplacesItsFiles() throws Exception {
        assertThat(ws.export("2026-01-01", "2026-01-02")).isZero();
        List<String> before = listDay("2026-01-02");

        int code = ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", "2026-01-02");

        assertThat(code).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("one for both days, one for the rerun").isEqualTo(2);
        List<String> after = listDay("2026-01-02");
        assertThat(after).doesNotContainAnyElementsOf(before.stream().filter(n -> n.endsWith(".parquet")).toList());
        ParquetAssertions.assertExactly(ws.events(), served(D1, D2));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(D1, D2));
    }

    @Test
    void whenMixpanelKeepsAnswering429TheDayIsDeferredAndTheRunExits75() throws Exception {
        sim.close();
        sim = simulator(ZoneId.of("UTC")).hourlyLimit(1).build().start(0);
        ws.job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "parallelism: 1", "maxAttempts: 3",
                "daysPerRequest: 1", "maxConcurrentRequests: 1");

        int code = ws.export("2026-01-01", "2026-01-02");

        assertThat(code).as(ws.lastErr).isEqualTo(75);
        assertThat(ws.lastOut).contains("DEFERRED").contains("run the same command again later");
        assertThat(sim.requestCount()).as("one served, then three refused").isEqualTo(4);
        assertThat(Files.list(ws.events()).count()).as("the day that fitted is published").isEqualTo(1);
    }

    @Test
    void aProjectSecretWorksAndItsDeprecationIsWarnedOncePerRun() throws Exception {
        sim.close();
        sim = MixpanelSimulator.builder().eventsPerDay(500).seed(2).projectId("123456").projectSecret(SECRET).build().start(0);
        ws.job(sim.baseUri().toString(), "UTC", "projectSecretEnv: IT_PROJECT_SECRET\n");
        ws.env.put("IT_PROJECT_SECRET", SECRET);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(io.mixpanelpipelines.source.CredentialsResolver.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            assertThat(ws.export("2026-01-01", "2026-01-03")).as(ws.lastErr).isZero();
        } finally {
            logger.detachAppender(logs);
        }

        assertThat(logs.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("2027-03-03").contains("IT_PROJECT_SECRET").doesNotContain(SECRET));

        ParquetAssertions.assertExactly(ws.events(), served(D1, D2, D3));
        assertThat(sim.requests()).allSatisfy(r -> assertThat(r.params()).doesNotContainKey("project_id"));
    }

    @Test
    void statusShowsEveryPartition() throws Exception {
        ws.export("2026-01-01", "2026-01-02");

        assertThat(ws.run("status", "--job", ws.jobFile.toString())).isZero();

        assertThat(ws.lastOut).contains("2026-01-01  PUBLISHED").contains("2026-01-02  PUBLISHED").contains("3,000");
    }

    @Test
    void aProjectInANonUtcTimezoneGetsTrueUtcInstantsAcrossADstChange() throws Exception {
        sim.close();
        ZoneId ny = ZoneId.of("America/New_York");
        sim = simulator(ny).build().start(0);
        ws.job(sim.baseUri().toString(), "America/New_York", ExportWorkspace.serviceAccountAuth());

        assertThat(ws.export("2026-03-07", "2026-03-09")).as(ws.lastErr).isZero();

        LocalDate a = LocalDate.parse("2026-03-07");
        LocalDate b = LocalDate.parse("2026-03-08");
        LocalDate c = LocalDate.parse("2026-03-09");
        ParquetAssertions.assertExactly(ws.events(), served(a, b, c), "America/New_York");
    }

    private List<String> listDay(String day) throws Exception {
        try (Stream<Path> files = Files.list(ws.day(day))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
