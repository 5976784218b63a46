package io.mixpanelpipelines.it.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.TestPostgres;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People snapshots across processes: a {@code kill -9} mid-snapshot costs at most the page in flight (the
 * rerun continues in the same session), SIGTERM stops after the page in flight with exit 143 and costs no
 * page at all, a second run of the job at once is held back by the job lock, and
 * jobs of one project share the Query budget through PostgreSQL without touching the export budget.
 */
class PeopleProcessesIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void aKilledSnapshotContinuesAtItsLastCheckpointAndASecondRunIsHeldBack() throws Exception {
        String h2 = StateStoreLocation.h2Url(tmp.resolve("state"));
        PeopleWorkspace w = new PeopleWorkspace(Files.createDirectories(tmp.resolve("job")),
                MixpanelSimulator.builder().profiles(25_000), h2, "requestsPerHour: 60");
        try {
            for (int i = 0; i < 60; i++) {
                w.sim.engageFaults().enqueue(Fault.slowFirstByte(Duration.ofMillis(250)));
            }
            // another working directory than the job file's
            Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
            Map<String, String> env = Map.of("IT_SA_USER", "people-user", "IT_SA_SECRET", w.secret);
            List<String> props = List.of("spring.datasource.url=" + h2, "pipelines.state.lock-lease=6s");
            ChildJvm child = ChildJvm.start(elsewhere, "first", env, props, "export", "--job", w.ws.jobFile.toString(),
                    "--only", "people");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (w.served().size() < 8 && System.nanoTime() < deadline && child.process.isAlive()) {
                Thread.sleep(5);
            }
            assertThat(child.process.isAlive()).as("still reading when killed: " + child.err()).isTrue();

            assertThat(w.exportPeople()).as("the job lock holds a second run back: " + w.ws.lastErr).isEqualTo(75);
            assertThat(w.ws.lastErr).contains("error:").contains("it-events");

            child.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            w.sim.engageFaults().clear();
            int beforeRestart = w.served().size();

            int code = w.ws.run("export", "--job", w.ws.jobFile.toString(), "--only", "people", "--wait=2m");

            assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
            Map<String, Long> pages = w.servedPages();
            long again = pages.values().stream().mapToLong(n -> n - 1).sum();
            assertThat(beforeRestart).isGreaterThanOrEqualTo(8);
            assertThat(again).as("at most the page in flight when killed: " + pages).isLessThanOrEqualTo(1);
            assertThat(PeopleWorkspace.read(w.published("people").get(0))).isEqualTo(w.sim.expectedProfiles());
        } finally {
            w.sim.close();
        }
    }

    @Test
    void sigtermStopsTheSnapshotAfterThePageInFlightAndTheNextRunReadsNoPageAgain() throws Exception {
        String h2 = StateStoreLocation.h2Url(tmp.resolve("state"));
        PeopleWorkspace w = new PeopleWorkspace(Files.createDirectories(tmp.resolve("job")),
                MixpanelSimulator.builder().profiles(25_000), h2, "requestsPerHour: 60");
        try {
            for (int i = 0; i < 60; i++) {
                w.sim.engageFaults().enqueue(Fault.slowFirstByte(Duration.ofMillis(300)));
            }
            Map<String, String> env = Map.of("IT_SA_USER", "people-user", "IT_SA_SECRET", w.secret);
            ChildJvm child = ChildJvm.start(Files.createDirectories(tmp.resolve("cwd")), "stopped", env,
                    List.of("spring.datasource.url=" + h2), "export", "--job", w.ws.jobFile.toString(), "--only", "people");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (w.served().size() < 4 && System.nanoTime() < deadline && child.process.isAlive()) {
                Thread.sleep(5);
            }
            assertThat(child.process.isAlive()).as("still reading when signalled: " + child.err()).isTrue();
            int requestsAtSignal = w.sim.engageRequests().size();

            child.process.destroy(); // SIGTERM, as Kubernetes or systemd send it
            assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).as("stopped gracefully").isTrue();

            assertThat(child.process.exitValue()).as(child.out() + child.err()).isEqualTo(143);
            assertThat(child.err()).contains("SIGTERM");
            assertThat(child.out()).contains("STOPPED");
            assertThat(w.sim.engageRequests().size()).as("at most the request in flight after the signal")
                    .isLessThanOrEqualTo(requestsAtSignal + 1);
            assertThat(w.published("people")).isEmpty();
            w.sim.engageFaults().clear();

            int code = w.exportPeople();

            assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
            Map<String, Long> pages = w.servedPages();
            assertThat(pages.values()).as("no page read twice: the page in flight was checkpointed " + pages)
                    .allMatch(n -> n == 1);
            assertThat(PeopleWorkspace.read(w.published("people").get(0))).isEqualTo(w.sim.expectedProfiles());
        } finally {
            w.sim.close();
        }
    }

    @Test
    void jobsOfOneProjectShareTheQueryBudgetInPostgresqlApartFromTheExportBudget() throws Exception {
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("people"));
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(50).profiles(20_000).queryLimit(6)
                        .projectId("123456").serviceAccount("u", "s").build().start(0)) {
            Map<String, Object> db = Map.of("spring.datasource.url", url,
                    "spring.datasource.username", "postgres", "spring.datasource.password", "postgres");
            List<ExportWorkspace> jobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ExportWorkspace ws = new ExportWorkspace(Files.createDirectories(tmp.resolve("w" + i)), db)
                        .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "requestsPerHour: 3",
                                "daysPerRequest: 1");
                Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("name: it-events", "name: job-" + i)
                        + "people:\n  requestsPerHour: 6\n");
                ws.env.put("IT_SA_USER", "u");
                ws.env.put("IT_SA_SECRET", "s");
                jobs.add(ws);
            }
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<Integer>> codes = new ArrayList<>();
            for (ExportWorkspace ws : jobs) {
                codes.add(pool.submit(() -> ws.export("2026-01-01", "2026-01-01")));
            }
            for (Future<Integer> code : codes) {
                assertThat(code.get(180, TimeUnit.SECONDS)).isEqualTo(75);
            }
            pool.shutdown();

            assertThat(sim.engageRequests()).as("the shared Query budget of 6, never a 429").hasSize(6)
                    .allMatch(r -> r.status() == 200);
            assertThat(sim.requests()).as("the events were exported on their own budget").isNotEmpty()
                    .allMatch(r -> r.status() == 200);
            for (ExportWorkspace ws : jobs) {
                assertThat(Files.exists(ws.day("2026-01-01").resolve("_SUCCESS"))).isTrue();
            }
        }
    }
}
