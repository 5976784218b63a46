package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line as a process, the way Airflow, cron and Kubernetes run it: stdout carries only the
 * command's output (JSON that parses, whichever auth mode and warnings), a refused secret is one line,
 * and SIGTERM stops an export at a checkpoint from which the same command finishes without a request.
 */
class ChildProcessCliIntegrationTests {

    /** Trailing tokens fail: stdout must be exactly one JSON document. */
    private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final Pattern LOG_LINE = Pattern.compile("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR) ");

    @TempDir
    Path tmp;

    private static String auth(String mode) {
        return mode.equals("project-secret") ? "projectSecretEnv: IT_PROJECT_SECRET\n" : ExportWorkspace.serviceAccountAuth();
    }

    private static Map<String, String> credentials(String mode) {
        return mode.equals("project-secret") ? Map.of("IT_PROJECT_SECRET", "ps")
                : Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s");
    }

    private ExportWorkspace workspace(MixpanelSimulator sim, String mode, String... extraExport) throws Exception {
        String url = StateStoreLocation.h2Url(tmp.resolve("state"));
        ExportWorkspace ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", url))
                .job(sim.baseUri().toString(), "UTC", auth(mode), extraExport);
        ws.env.putAll(credentials(mode));
        return ws;
    }

    private ChildJvm child(ExportWorkspace ws, String name, Map<String, String> env, String... args) throws Exception {
        return ChildJvm.startWithJvmOptions(tmp, name, env, ChildJvm.QUICK_START,
                List.of("spring.datasource.url=" + ws.springProperties.get("spring.datasource.url")), args);
    }

    private static int exit(ChildJvm c) throws Exception {
        assertThat(c.process.waitFor(120, TimeUnit.SECONDS)).as("exits").isTrue();
        return c.process.exitValue();
    }

    @org.junit.jupiter.api.Test
    void simulateServesTheProjectIdGivenSaysWhatToConfigureAndCountsEngageRequests() throws Exception {
        ChildJvm sim = ChildJvm.startWithJvmOptions(tmp, "simulate", Map.of(), ChildJvm.QUICK_START, List.of(),
                "simulate", "--port", "0", "--project-id", "777", "--service-account", "u:s", "--profiles", "10");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sim.out().isBlank() && System.nanoTime() < deadline && sim.process.isAlive()) {
                Thread.sleep(50);
            }
            String base = sim.out().strip();
            assertThat(base).as(sim.err()).startsWith("http://127.0.0.1:");
            while (!sim.err().contains("Simulating") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(sim.err()).contains("Simulating Mixpanel project 777: use mixpanel.projectId: \"777\" and "
                    + "mixpanel.apiUrl: " + base);
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("u:s".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String project : List.of("777", "123456")) {
                java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/api/query/engage?project_id=" + project)).header("Authorization", auth)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("page=0")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(project + ": " + r.body()).isEqualTo(project.equals("777") ? 200 : 403);
            }
            String stats = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/_simulator/stats")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(stats).isEqualTo("{\"requests\":0,\"engageRequests\":2}");
        } finally {
            sim.process.destroyForcibly();
            sim.process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"service-account", "project-secret"})
    void everyJsonOutputParsesAndEveryLogLineIsOnStderr(String mode) throws Exception {
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(50).projectId("123456")
                .serviceAccount("u", "s").projectSecret("ps").build().start(0)) {
            ExportWorkspace ws = workspace(sim, mode, "daysPerRequest: 1");
            assertThat(ws.export("2026-01-01", "2026-01-01")).as(ws.lastErr).isZero();

            // the sensor and the calendar read the state only: no credentials given to them
            ChildJvm status = child(ws, "status", Map.of(), "status", "--job", ws.jobFile.toString(), "--json");
            assertThat(exit(status)).as(status.err()).isZero();
            assertThat(JSON.readTree(status.out()).get("counts").get("published").asLong()).isEqualTo(1);
            ChildJvm sensor = child(ws, "sensor", Map.of(), "status", "--job", ws.jobFile.toString(),
                    "--partition", "2026-01-02", "--json");
            assertThat(exit(sensor)).as(sensor.err()).isEqualTo(75);
            assertThat(JSON.readTree(sensor.out()).get("state").asString()).isEqualTo("MISSING");

            for (ChildJvm c : List.of(status, sensor)) {
                assertThat(c.err().contains("uses a project secret")).as(c.err()).isEqualTo(mode.equals("project-secret"));
                assertThat(LOG_LINE.matcher(c.out()).find()).as(c.out()).isFalse();
            }
            if (mode.equals("project-secret")) {
                // logged before Spring configures logging: Logback's own default would have put it on stdout
                assertThat(LOG_LINE.matcher(status.err()).find()).as("the warning is a log line: %s", status.err()).isTrue();
            }
        }
    }

    @Test
    void aRefusedSecretIsOneClearLineWithoutAStackTrace() throws Exception {
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(50).projectId("123456")
                .serviceAccount("u", "s").build().start(0)) {
            ExportWorkspace ws = workspace(sim, "service-account", "daysPerRequest: 1", "maxConcurrentRequests: 1");
            ChildJvm export = child(ws, "refused", Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "wrong"), "export", "--job",
                    ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-02");
            assertThat(exit(export)).as(export.err()).isEqualTo(2);
            String err = export.err();
            assertThat(err).doesNotContain("\tat ").doesNotContainPattern("[a-z]+\\.[A-Za-z.]+Exception");
            assertThat(err.lines().filter(l -> l.contains("401") || l.contains("refused"))).as(err).hasSize(1);
            assertThat(export.out()).contains("2026-01-01  FAILED").contains("2026-01-02  FAILED");
            assertThat(sim.requestCount()).isEqualTo(1);

            ChildJvm debug = child(ws, "refused-debug", Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "wrong"), "--debug",
                    "export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-02");
            assertThat(exit(debug)).as(debug.err()).isEqualTo(2);
            assertThat(debug.err()).contains("MixpanelAuthenticationException").contains("\tat io.mixpanelpipelines.source.http.");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalStopsAnExportAtACheckpointAndTheSameCommandFinishesWithoutARequest(String signal) throws Exception {
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(30_000).projectId("123456")
                .serviceAccount("u", "s").build().start(0)) {
            // one request per day: a multi-day window whose first day is published is fetched again on resume,
            // which is issue 12's "no request for what is published", not the stop's
            ExportWorkspace ws = workspace(sim, "service-account", "daysPerRequest: 1", "parallelism: 1");
            String[] args = {"export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-04"};
            ChildJvm first = child(ws, "first-" + signal, credentials("service-account"), args);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(first.stderr).contains(": published ")) {
                assertThat(first.process.isAlive()).as("still running: %s", first.err()).isTrue();
                assertThat(System.nanoTime()).as("a day was published in time").isLessThan(deadline);
                Thread.sleep(20);
            }
            if (signal.equals("TERM")) {
                first.process.destroy(); // SIGTERM, as Kubernetes and Airflow stop a task
            } else {
                assertThat(new ProcessBuilder("kill", "-INT", Long.toString(first.process.pid())).start().waitFor()).isZero();
            }

            assertThat(exit(first)).as(first.err()).isEqualTo(signal.equals("TERM") ? 143 : 130);
            assertThat(first.err()).contains("SIG" + signal + ": stopping at the next checkpoint");
            assertThat(first.out()).contains("Stopped by SIG" + signal + " at the next checkpoint: ").contains("day(s) not finished");
            Matcher run = Pattern.compile("\\(run ([0-9A-Za-z-]+)\\)").matcher(first.out());
            assertThat(run.find()).as(first.out()).isTrue();
            // the published day, the day in progress, and any day whose step started before the stop reached it
            // (a day's download, once started, finishes into its spool); how many is a matter of timing
            int sentBeforeStop = sim.requestCount();
            assertThat(sentBeforeStop).isBetween(2, 4);

            assertThat(ws.run(args)).as(ws.lastErr).isZero();
            assertThat(ws.lastOut).contains("4 of 4 day(s) published; " + (4 - sentBeforeStop) + " request(s) sent")
                    .contains("Resumed run " + run.group(1) + ": its files carry that run id");
            assertThat(sim.requestCount()).as("what was spooled is not requested again: each day once").isEqualTo(4);
        }
    }
}
