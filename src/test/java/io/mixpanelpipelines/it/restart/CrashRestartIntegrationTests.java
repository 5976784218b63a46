package io.mixpanelpipelines.it.restart;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.IdentityAssertions;
import io.mixpanelpipelines.support.ParquetAssertions;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills an export in a child JVM in the middle of a day (after some of its parts were checkpointed),
 * starts it again, and checks that the data is exact and that no request was sent twice: the day resumes
 * from its spool and its last checkpoint.
 */
class CrashRestartIntegrationTests {

    @TempDir
    Path tmp;

    private final String secret = "crash-secret-" + System.nanoTime();

    /**
     * {@code eventsPerDay} events a day: a part (1MB) is about 1,300 events, a chunk (one checkpoint commit:
     * {@code pipelines.export.checkpoint-bytes=2MB} here, one batch) about 2,500.
     */
    private MixpanelSimulator simulator(int seed, int eventsPerDay) {
        return MixpanelSimulator.builder().eventsPerDay(eventsPerDay).seed(seed).projectId("123456")
                .serviceAccount("crash-user", secret).timezone(ZoneId.of("UTC")).build().start(0);
    }

    private ExportWorkspace workspace(MixpanelSimulator sim) throws java.io.IOException {
        return new ExportWorkspace(tmp, Map.of())
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "partSize: 1MB", "parallelism: 1");
    }

    /** Runs the export command in a child JVM, on an H2 state database that both JVMs open. */
    private ChildJvm start(String name, ExportWorkspace ws, String from, String to) throws Exception {
        Map<String, String> env = Map.of("IT_SA_USER", "crash-user", "IT_SA_SECRET", secret);
        // the killed run's job lock holds the next one back until its lease (short here) runs out: --wait
        List<String> props = List.of("spring.datasource.url=" + StateStoreLocation.h2Url(tmp.resolve("state")),
                "pipelines.state.lock-lease=6s", "pipelines.export.checkpoint-bytes=2MB");
        return ChildJvm.start(tmp, name, env, props, "export", "--job", ws.jobFile.toString(), "--from", from, "--to", to,
                "--wait=2m");
    }

    private Path staging() {
        return tmp.resolve("export/123456/_staging/events");
    }

    @Test
    void aKilledExportResumesFromItsCheckpointWithoutAnotherRequest() throws Exception {
        // 24,000 events a day (about 18 parts): killed at 12 parts, a day is past its fourth checkpoint with
        // about 6 parts to go
        try (MixpanelSimulator sim = simulator(5, 24_000)) {
            ExportWorkspace ws = workspace(sim);

            ChildJvm first = start("first", ws, "2026-01-01", "2026-01-03");
            // wait for at least two checkpoint commits of the day
            Path stagedDay = ChildJvm.waitForStagedParts(staging(), 12, first);
            first.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            first.process.waitFor(30, TimeUnit.SECONDS);

            LocalDate killedDay = LocalDate.parse(stagedDay.getFileName().toString().substring("event_date=".length()));
            assertThat(ws.day(killedDay.toString()).resolve("_SUCCESS")).as("killed before the day was published").doesNotExist();
            int requestsBeforeRestart = sim.requestCount();

            ChildJvm second = start("second", ws, "2026-01-01", "2026-01-03");
            assertThat(second.process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process.exitValue()).as(second.err()).isZero();

            assertThat(second.err()).contains("using the complete spool").contains(killedDay + ": resuming after");
            assertThat(requestsBeforeRestart).as("the three days were fetched in one request").isEqualTo(1);
            assertThat(sim.requestCount()).as("no request after the restart").isEqualTo(1);
            LocalDate d1 = LocalDate.parse("2026-01-01");
            LocalDate d2 = LocalDate.parse("2026-01-02");
            LocalDate d3 = LocalDate.parse("2026-01-03");
            ParquetAssertions.assertExactly(ws.events(), Map.of(d1, sim.expectedLines(d1, true), d2,
                    sim.expectedLines(d2, true), d3, sim.expectedLines(d3, true)));
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(d1, d2, d3));
            // the killed day's mappings cover its parts converted before the kill too (read back from them)
            for (LocalDate d : Set.of(d1, d2, d3)) {
                IdentityAssertions.assertSimplifiedMappingsOf(tmp.resolve("export/123456"), d);
            }
        }
    }

    @Test
    void aDayKilledWhileDownloadingAndConvertingIsFetchedOnceMoreAndLandsExactly() throws Exception {
        // a one-day request is converted while it downloads: a kill before its body is complete loses that
        // body (the export API cannot resume one), so the restart asks for the day once more
        // 150,000 events: a body long enough to be cut while it downloads
        try (MixpanelSimulator sim = simulator(6, 150_000)) {
            ExportWorkspace ws = workspace(sim);

            ChildJvm first = start("first", ws, "2026-01-02", "2026-01-02");
            ChildJvm.waitForStagedParts(staging(), 4, first);
            first.process.destroyForcibly();
            first.process.waitFor(30, TimeUnit.SECONDS);
            boolean bodyWasComplete = Files.exists(tmp.resolve("spool/it-events/2026-01-02_2026-01-02/complete.json"));

            ChildJvm second = start("second", ws, "2026-01-02", "2026-01-02");
            assertThat(second.process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process.exitValue()).as(second.err()).isZero();

            assertThat(sim.requestCount()).as("the day once more, unless its body had been completed")
                    .isEqualTo(bodyWasComplete ? 1 : 2);
            LocalDate d2 = LocalDate.parse("2026-01-02");
            ParquetAssertions.assertExactly(ws.events(), Map.of(d2, sim.expectedLines(d2, true)));
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(d2));
        }
    }
}
