package io.mixpanelpipelines.it.slices;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sliced day's export killed with SIGKILL after some of its slices were spooled: the same command run
 * again requests only the slices that were not, and publishes the day exactly.
 */
class SlicedCrashIntegrationTests {

    static final LocalDate DAY = LocalDate.parse("2026-01-02");

    @TempDir
    Path tmp;

    private final String secret = "slice-crash-" + System.nanoTime();

    private ChildJvm start(String name, ExportWorkspace ws) throws Exception {
        Map<String, String> env = Map.of("IT_SA_USER", "crash-user", "IT_SA_SECRET", secret);
        List<String> props = List.of("spring.datasource.url=" + StateStoreLocation.h2Url(tmp.resolve("state")),
                "pipelines.state.lock-lease=6s");
        return ChildJvm.start(tmp, name, env, props, "export", "--job", ws.jobFile.toString(), "--from", DAY.toString(),
                "--to", DAY.toString(), "--wait=2m");
    }

    @Test
    void aKilledSlicedDayRequestsOnlyTheSlicesNotSpooledAgain() throws Exception {
        // 60,000 events: a slice of 3 h is about 7,500, 1.5 MB; one request at a time, at most 3 a second
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(60_000).seed(9).projectId("123456")
                .serviceAccount("crash-user", secret).timezone(ZoneId.of("UTC")).hourlyLimit(0).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "sliceHours: 3",
                            "maxConcurrentRequests: 1", "parallelism: 1");

            ChildJvm first = start("first", ws);
            Path slices = ws.spool.resolve("it-events");
            waitForCompleteSlices(slices, 3, first);
            first.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int sentBeforeKill = sim.requestCount();
            Set<String> spooled = completeSliceWheres(slices);
            assertThat(ws.day(DAY.toString()).resolve("_SUCCESS")).as("killed before the day was published").doesNotExist();
            assertThat(spooled).as("slices complete at the kill").hasSizeBetween(3, 7);
            System.out.printf("killed with %d slices spooled after %d requests%n", spooled.size(), sentBeforeKill);

            ChildJvm second = start("second", ws);
            assertThat(second.process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process.exitValue()).as(second.err()).isZero();

            List<SimulatorRequest> again = sim.requests().subList(sentBeforeKill, sim.requestCount());
            assertThat(again).as("only the slices not spooled are requested again").hasSize(8 - spooled.size());
            Set<String> againWheres = new HashSet<>();
            again.forEach(r -> againWheres.add(r.params().get("where")));
            assertThat(againWheres).hasSize(8 - spooled.size()).doesNotContainAnyElementsOf(spooled);
            ParquetAssertions.assertExactly(ws.events(), Map.of(DAY, sim.expectedLines(DAY, true)));
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(DAY));
        }
    }

    /** The {@code where} of each slice with a complete spool (its manifest is written last), read from the request log. */
    private static Set<String> completeSliceWheres(Path spools) throws Exception {
        Set<String> wheres = new HashSet<>();
        try (Stream<Path> files = Files.walk(spools)) {
            for (Path manifest : files.filter(p -> p.getFileName().toString().equals("complete.json")
                    && p.getParent().getParent().getFileName().toString().endsWith(".slices")).toList()) {
                String name = manifest.getParent().getFileName().toString(); // 2026-01-02T03-06_<hash>
                int from = Integer.parseInt(name.substring(11, 13));
                long start = DAY.atStartOfDay(ZoneId.of("UTC")).toEpochSecond() + from * 3600L;
                wheres.add("properties[\"$time\"] >= datetime(" + start + ") and properties[\"$time\"] < datetime("
                        + (start + 3 * 3600L) + ")");
            }
        }
        return wheres;
    }

    private static void waitForCompleteSlices(Path spools, int count, ChildJvm child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new AssertionError("the export ended before it could be killed: " + child.err());
            }
            try {
                if (Files.isDirectory(spools) && completeSliceWheres(spools).size() >= count) {
                    return;
                }
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException raced) {
                // a folder went while it was listed (a slice's retry, the assembly): look again
            }
            Thread.sleep(5);
        }
        child.process.destroyForcibly();
        throw new AssertionError("no " + count + " slices spooled in time");
    }
}
