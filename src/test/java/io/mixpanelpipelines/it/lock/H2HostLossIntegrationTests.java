package io.mixpanelpipelines.it.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.H2HostProcess;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The H2 state file is shared by processes in AUTO_SERVER mode: the first to open it hosts it, the others
 * are its clients. When the host ends (a command refused by the job lock exits; a process is killed) while a
 * client runs an export, the client's connections break and H2 reconnects them, one client becoming the new
 * host. The export rides that out as any blink of the state store: it finishes with exit 0, every event
 * exactly once, and not one request more. Here the host is a separate JVM that opened the file first
 * ({@link H2HostProcess}), ended at chosen points of the export's run, by exiting or by {@code kill -9}:
 * from inside the export's own statement (a trigger the host runs: taking the job lock, Spring Batch
 * creating the execution, where CI saw the export exit 1 without an error line), or from the test once the
 * run is downloading or has published a day (while the others convert).
 */
class H2HostLossIntegrationTests {

    private static final List<LocalDate> DAYS = List.of(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-02"),
            LocalDate.parse("2026-01-03"));

    @TempDir
    Path tmp;

    private final String secret = "h2host-secret-" + System.nanoTime();

    @ParameterizedTest(name = "{0}, host {1}")
    @CsvSource({"taking the lock, killed", "creating the run, exits", "creating the run, killed", "downloading, killed",
            "converting, exits", "publishing, killed"})
    void anExportRidesOutTheEndOfItsH2Host(String point, String how) throws Exception {
        // 15,000 events a day where the host ends while the run downloads, converts or publishes (a smaller day
        // could be over before the test sees it); 3,000 where it ends before the run requests anything
        boolean beforeAnyRequest = point.equals("taking the lock") || point.equals("creating the run");
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(beforeAnyRequest ? 3_000 : 15_000).seed(7).projectId("123456")
                .serviceAccount("host-user", secret).timezone(ZoneId.of("UTC")).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 3",
                            "parallelism: 1");
            String url = StateStoreLocation.h2Url(tmp.resolve("state"));
            if (point.equals("downloading")) {
                sim.faults().enqueue(Fault.slowFirstByte(Duration.ofSeconds(4)));
            }
            ExportWorkspace migrate = new ExportWorkspace(tmp, Map.of("spring.datasource.url", url));
            assertThat(migrate.run("status", "--job", ws.jobFile.toString())).as(migrate.lastErr).isZero();
            try (H2HostProcess host = H2HostProcess.start(tmp, url)) {
                if (point.equals("taking the lock")) {
                    host.endOnInsertInto(url, "mp_job_lock", how.equals("exits") ? "exit" : "halt");
                } else if (point.equals("creating the run")) {
                    // where CI saw it: inside Spring Batch's createJobExecution, the job's context being inserted
                    host.endOnInsertInto(url, "BATCH_JOB_EXECUTION_CONTEXT", how.equals("exits") ? "exit" : "halt");
                }
                ChildJvm export = ChildJvm.start(tmp, "export", Map.of("IT_SA_USER", "host-user", "IT_SA_SECRET", secret),
                        List.of("spring.datasource.url=" + url), "export", "--job", ws.jobFile.toString(),
                        "--from", "2026-01-01", "--to", "2026-01-03");
                BooleanSupplier reached = switch (point) {
                    case "creating the run", "taking the lock" -> () -> !host.process().isAlive();
                    case "downloading" -> () -> sim.requestCount() == 1;
                    case "converting" -> () -> anyFile(ws.export, f -> f.contains("_staging/events/"));
                    default -> () -> anyFile(ws.events(), f -> f.endsWith(".parquet") && !f.contains("_staging"));
                };
                await(point, reached, export);
                if (!host.process().isAlive()) {
                    // the host ended itself, inside the export's statement
                    assertThat(sim.requestCount()).as("the host ended before the run requested anything").isZero();
                } else if (how.equals("exits")) {
                    host.exit();
                } else {
                    host.kill();
                }

                assertThat(export.process.waitFor(120, TimeUnit.SECONDS)).as(export.err()).isTrue();
                assertThat(export.process.exitValue()).as(export.out() + export.err()).isZero();
                assertThat(sim.requestCount()).as("one request for the 3-day window, none again").isEqualTo(1);
                Map<LocalDate, List<String>> served = new TreeMap<>();
                for (LocalDate d : DAYS) {
                    served.put(d, sim.expectedLines(d, true));
                }
                ParquetAssertions.assertExactly(ws.events(), served);
                assertThat(export.out() + export.err()).doesNotContain(secret);
            }
        }
    }

    private static void await(String point, BooleanSupplier reached, ChildJvm export) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!reached.getAsBoolean()) {
            if (!export.process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the export was never " + point + ": " + export.err());
            }
            Thread.sleep(10);
        }
    }

    private static boolean anyFile(Path dir, java.util.function.Predicate<String> matches) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> Files.isRegularFile(f) && matches.test(f.toString()));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false; // a file moved while walking: look again
        }
    }
}
