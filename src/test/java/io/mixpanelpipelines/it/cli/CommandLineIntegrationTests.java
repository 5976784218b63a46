package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ExportWorkspace;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line's contract with scripts and Airflow, in-process: the sensor's exit codes, usage
 * without a command, commands that need no Mixpanel credentials, {@code --debug}, and a summary that
 * prints no data location when nothing was published.
 */
class CommandLineIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(100).projectId("123456").serviceAccount("u", "s").build().start(0);
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                StateStoreLocation.h2Url(tmp.resolve("state"))))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1", "maxAttempts: 1");
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
        // today is 2026-01-06 in the project timezone; the job starts 2026-01-01
        ws.clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-01-06T12:00:00Z")));
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void theSensorAnswersZeroWhenReadyOneWhenFailedAnd75WhenNotYet() throws Exception {
        assertThat(ws.export("2026-01-02", "2026-01-02")).as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("Data: ").contains("Query it with DuckDB");
        // last, so that no later export resumes (and publishes) the failed day
        sim.faults().enqueue(Fault.status(500));
        assertThat(ws.export("2026-01-01", "2026-01-01")).as(ws.lastErr).isEqualTo(1);
        assertThat(ws.lastOut).contains("2026-01-01  FAILED").doesNotContain("Data:").doesNotContain("DuckDB");
        // the sensor reads the state only: no Mixpanel credentials in its environment
        ws.env.clear();

        assertThat(sensor("2026-01-02")).isZero();
        assertThat(json().get("state").asString()).isEqualTo("PUBLISHED");
        assertThat(json().get("ready").asBoolean()).isTrue();

        assertThat(sensor("2026-01-01")).isEqualTo(1);
        assertThat(json().get("state").asString()).isEqualTo("FAILED");
        assertThat(json().get("lastError").asString()).contains("500");

        assertThat(sensor("2026-01-05")).as("missing, inside the range").isEqualTo(75);
        assertThat(json().get("state").asString()).isEqualTo("MISSING");
        assertThat(json().get("inRange").asBoolean()).isTrue();

        assertThat(sim.requestCount()).isEqualTo(2);
    }

    @Test
    void aDayOutsideTheJobsRangeIsAnErrorTheSensorMustNotWaitFor() throws Exception {
        ws.env.clear();
        assertThat(sensor("2025-12-31")).as("before startDate").isEqualTo(2);
        assertThat(json().get("inRange").asBoolean()).isFalse();
        assertThat(json().get("range").get("from").asString()).isEqualTo("2026-01-01");
        assertThat(ws.lastErr).contains("before export.startDate");
        assertThat(sensor("2026-01-06")).as("today: not over yet").isEqualTo(2);
        assertThat(json().get("range").get("to").asString()).isEqualTo("2026-01-05");
        assertThat(ws.lastErr).contains("not over yet");
    }

    @Test
    void aDeferredDayIsNotYetReady() throws Exception {
        ws.job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1",
                "requestsPerHour: 1");
        assertThat(ws.export("2026-01-01", "2026-01-02")).as(ws.lastErr).isEqualTo(75);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(2026-01-0[12])  DEFERRED").matcher(ws.lastOut);
        assertThat(m.find()).as(ws.lastOut).isTrue();
        ws.env.clear();
        assertThat(sensor(m.group(1))).isEqualTo(75);
        assertThat(json().get("state").asString()).isEqualTo("DEFERRED");
    }

    @Test
    void statusAndPlanNeedNoMixpanelCredentialsButExportDoes() throws Exception {
        ws.env.clear();
        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--json")).as(ws.lastErr).isZero();
        assertThat(JSON.readTree(ws.lastOut).get("counts").get("missing").asLong()).isEqualTo(5);
        assertThat(ws.run("plan", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("this run would send 5 request(s)");

        assertThat(ws.export("2026-01-01", "2026-01-01")).isEqualTo(2);
        assertThat(ws.lastErr).contains("IT_SA_USER");
        assertThat(sim.requestCount()).isZero();
    }

    @Test
    void loadNeedsNoMixpanelCredentials() throws Exception {
        java.nio.file.Files.writeString(ws.jobFile, "warehouse:\n  type: duckdb\n  url: jdbc:duckdb:" + tmp.resolve("a.duckdb")
                + "\n  table: mixpanel.events\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(ws.run("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-01", "--no-load"))
                .as(ws.lastErr).isZero();
        ws.env.clear();
        assertThat(ws.run("load", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("1 day(s) loaded").contains("2026-01-01  LOADED");
    }

    @Test
    void noCommandPrintsTheUsageOnStderrAndExitsTwo() {
        assertThat(ws.run()).isEqualTo(2);
        assertThat(ws.lastOut).isEmpty();
        assertThat(ws.lastErr).contains("error: a command is required").contains("Usage: mixpanel-pipelines")
                .contains("export").contains("status").doesNotContain("Exception");
    }

    @Test
    void anErrorIsOneLineAndItsStackTraceComesOnlyWithDebug() throws Exception {
        String missing = tmp.resolve("nowhere.yaml").toString();
        assertThat(ws.run("status", "--job", missing)).isEqualTo(2);
        assertThat(ws.lastErr.strip().lines().toList()).hasSize(1).allMatch(l -> l.startsWith("error: "));

        assertThat(ws.run("status", "--job", missing, "--debug")).isEqualTo(2);
        assertThat(ws.lastErr).startsWith("error: ").contains("\tat io.mixpanelpipelines.");
    }

    private int sensor(String day) {
        return ws.run("status", "--job", ws.jobFile.toString(), "--partition", day, "--json");
    }

    private JsonNode json() {
        return JSON.readTree(ws.lastOut);
    }
}
