package io.mixpanelpipelines.it.schedule;

import io.mixpanelpipelines.support.TestPostgres;
import io.mixpanelpipelines.support.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code schedule} processes on one PostgreSQL with a job every 10 seconds: each scheduled time is run
 * once between them; {@code /actuator/prometheus} shows the job's metrics; SIGTERM stops both gracefully.
 */
class ScheduleIntegrationTests {

    private static final Pattern STARTED = Pattern.compile("scheduled run of sched-it for (\\S+) started");

    @TempDir
    Path tmp;

    @Test
    void twoReplicasRunEachScheduledTimeOnce() throws Exception {
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("schedule"));
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(200).projectId("123456")
                        .serviceAccount("u", "s").build().start(0)) {
            Path jobs = Files.createDirectories(tmp.resolve("jobs"));
            Files.writeString(jobs.resolve("sched-it.yaml"), """
                    name: sched-it
                    mixpanel:
                      projectId: "123456"
                      apiUrl: %s
                      auth:
                        serviceAccount: {usernameEnv: IT_SA_USER, secretEnv: IT_SA_SECRET}
                    export:
                      startDate: -3d
                      schedule: "*/10 * * * * *"
                      spoolDir: %s
                      initialBackoff: 10ms
                      maxBackoff: 200ms
                    destination:
                      uri: %s
                    """.formatted(sim.baseUri(), tmp.resolve("spool"), tmp.resolve("export")));
            Map<String, String> env = Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s");
            List<ChildJvm> replicas = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                int port = freePort();
                ports.add(port);
                replicas.add(ChildJvm.start(tmp, name, env, List.of(
                        "spring.datasource.url=" + url,
                        "spring.datasource.username=postgres", "spring.datasource.password=postgres",
                        "server.port=" + port, "pipelines.schedule.lock-at-most-for=30s",
                        "spring.lifecycle.timeout-per-shutdown-phase=20s"),
                        "schedule", "--jobs", jobs.toString()));
            }
            for (ChildJvm r : replicas) {
                waitFor(() -> r.err().contains("/actuator/prometheus on port"), 90, r);
            }
            // four scheduled times, counting any run before the second replica was up (10 s apart, not less: a
            // replica firing more than half the interval late may run a time again, and CI's cores are busy)
            waitFor(() -> startedSlots(replicas).size() >= 4, 120, replicas.get(0));

            String metrics = "";
            for (int port : ports) {
                metrics += get(port, "/actuator/prometheus");
                assertThat(get(port, "/actuator/health/liveness")).contains("UP");
                assertThat(get(port, "/actuator/health/readiness")).contains("UP");
            }
            for (ChildJvm r : replicas) {
                r.process.destroy(); // SIGTERM
            }
            for (ChildJvm r : replicas) {
                assertThat(r.process.waitFor(40, TimeUnit.SECONDS)).as("exits within the grace period").isTrue();
            }

            List<String> slots = startedSlots(replicas);
            assertThat(slots).as("each scheduled time run once between the two replicas").doesNotHaveDuplicates();
            assertThat(replicas.get(0).err() + replicas.get(1).err()).contains("skipped: another replica holds its lock");
            String tags = "job=\"sched-it\",project=\"123456\"";
            assertThat(metrics)
                    .containsPattern("mixpanel_pipelines_events_exported_total\\{[^}]*" + tags + "[^}]*} [1-9]")
                    .containsPattern("mixpanel_pipelines_bytes_exported_bytes_total\\{[^}]*" + tags + "[^}]*} [1-9]")
                    .containsPattern("mixpanel_pipelines_requests_sent_total\\{[^}]*" + tags + "[^}]*} [1-9]")
                    .containsPattern("mixpanel_pipelines_budget_remaining\\{[^}]*" + tags + "[^}]*} \\d")
                    .containsPattern("mixpanel_pipelines_partitions\\{[^}]*" + tags + ",state=\"published\"} 3.0")
                    .containsPattern("mixpanel_pipelines_partitions\\{[^}]*" + tags + ",state=\"missing\"} 0.0")
                    .containsPattern("mixpanel_pipelines_freshness_seconds\\{[^}]*" + tags + "[^}]*} \\d")
                    .containsPattern("mixpanel_pipelines_run_duration_seconds_count\\{[^}]*job=\"sched-it\",outcome=\"ok\",project=\"123456\"} [1-9]")
                    .containsPattern("mixpanel_pipelines_run_failures_total\\{[^}]*" + tags + "[^}]*} 0.0");
        }
    }

    @Test
    void sigtermStopsARunAtACheckpointAndTheNextRunResumesItWithoutANewRequest() throws Exception {
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("schedule"));
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(40_000).projectId("123456")
                        .serviceAccount("u", "s").build().start(0)) {
            // 40,000 events a day, a commit every 2 MB of lines: the 3 days take seconds to convert after the
            // download, so SIGTERM (polled every 0.5 s) stops the run before they are all published
            Path jobs = Files.createDirectories(tmp.resolve("jobs"));
            Path job = Files.writeString(jobs.resolve("stop-it.yaml"), """
                    name: stop-it
                    mixpanel:
                      projectId: "123456"
                      apiUrl: %s
                      auth:
                        serviceAccount: {usernameEnv: IT_SA_USER, secretEnv: IT_SA_SECRET}
                    export:
                      startDate: -3d
                      schedule: "*/5 * * * * *"
                      spoolDir: %s
                      parallelism: 1
                      partSize: 2MB
                    destination:
                      uri: %s
                    """.formatted(sim.baseUri(), tmp.resolve("spool"), tmp.resolve("export")));
            Map<String, String> env = Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s");
            List<String> props = List.of("spring.datasource.url=" + url,
                    "spring.datasource.username=postgres", "spring.datasource.password=postgres", "server.port=0",
                    "spring.lifecycle.timeout-per-shutdown-phase=20s", "pipelines.export.checkpoint-bytes=2MB");
            ChildJvm scheduler = ChildJvm.start(tmp, "scheduler", env, props, "schedule", "--jobs", jobs.toString());
            // the body is downloaded and spooled: the days are being converted, chunk by chunk
            waitFor(() -> scheduler.err().contains("received 120000 lines"), 120, scheduler);
            scheduler.process.destroy(); // SIGTERM
            assertThat(scheduler.process.waitFor(30, TimeUnit.SECONDS)).as("exits within the grace period").isTrue();
            assertThat(scheduler.err()).contains("at its next checkpoint").contains("scheduler stopped");
            assertThat(sim.requestCount()).isEqualTo(1);

            ChildJvm export = ChildJvm.start(tmp, "export", env, props, "export", "--job", job.toString());
            assertThat(export.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(export.process.exitValue()).as(export.err()).isZero();
            assertThat(export.err()).contains("resuming the unfinished run of 3 day(s)");
            assertThat(export.out()).contains("3 of 3 day(s) published");
            assertThat(sim.requestCount()).as("resumed from the spool and the checkpoints, not downloaded again").isEqualTo(1);
        }
    }

    private static List<String> startedSlots(List<ChildJvm> replicas) throws Exception {
        List<String> slots = new ArrayList<>();
        for (ChildJvm r : replicas) {
            Matcher m = STARTED.matcher(r.err());
            while (m.find()) {
                slots.add(m.group(1));
            }
        }
        return slots;
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check, int seconds, ChildJvm log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.ok()) {
            if (System.nanoTime() > end || !log.process.isAlive()) {
                throw new AssertionError("timed out; stderr:\n" + log.err());
            }
            Thread.sleep(500);
        }
    }
}
