package io.mixpanelpipelines.it.restart;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A steady-state daily run (the new day and 5 published lookback days in one request) killed with SIGKILL
 * while it converts the new day, whose spool the split kept as plain lines: the same command again converts
 * it from that spool, spends no request, and the data set is exactly what was served.
 */
class DailyRunCrashIntegrationTests {

    @TempDir
    Path tmp;

    private final String secret = "daily-crash-" + System.nanoTime();

    @Test
    void aDailyRunKilledWhileConvertingItsNewDayResumesFromItsPlainSpoolWithoutAnotherRequest() throws Exception {
        // the child JVMs run on the real clock: the new day is yesterday (UTC), its lookback the 5 days before;
        // the test takes well under 3 minutes, so it does not start within 3 minutes of midnight
        long toMidnight = 86_400 - java.time.LocalTime.now(ZoneOffset.UTC).toSecondOfDay();
        if (toMidnight < 180) {
            Thread.sleep((toMidnight + 2) * 1000);
        }
        LocalDate newDay = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        LocalDate first = newDay.minusDays(5);
        // small lookback days, a large new day: the kill falls in the new day's conversion, which is what is tested
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(3_000).eventsOn(newDay, 16_000).seed(11).projectId("123456")
                .serviceAccount("crash-user", secret).timezone(ZoneId.of("UTC")).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of()).job(sim.baseUri().toString(), "UTC",
                    ExportWorkspace.serviceAccountAuth(), "partSize: 1MB", "parallelism: 1", "lookbackDays: 5",
                    "lookbackInterval: 1s", "daysPerRequest: 31");
            Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: " + first));

            ChildJvm lookback = start("lookback", ws, "--from", first.toString(), "--to", newDay.minusDays(1).toString());
            assertThat(lookback.process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(lookback.process.exitValue()).as(lookback.err()).isZero();
            assertThat(sim.requestCount()).isEqualTo(1);
            Thread.sleep(1_100); // past lookbackInterval

            ChildJvm daily = start("daily", ws);
            Path newDaySpool = tmp.resolve("spool/it-events/" + newDay + "_" + newDay);
            // 6 parts of about 1,300 events: past the first commits (one per batch of 2 MB, about 2,500 events)
            Path staged = ChildJvm.waitForStagedParts(tmp.resolve("export/123456/_staging/events"), 6, daily);
            assertThat(staged.getFileName()).as("only the new day is converted").hasToString("event_date=" + newDay);
            daily.process.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            daily.process.waitFor(30, TimeUnit.SECONDS);
            assertThat(Files.readString(newDaySpool.resolve("complete.json"))).as("the new day's spool is plain lines")
                    .contains("\"encoding\":\"identity\"");
            assertThat(ws.day(newDay.toString()).resolve("_SUCCESS")).as("killed before the new day was published").doesNotExist();
            assertThat(sim.requestCount()).as("the daily run's one request").isEqualTo(2);

            ChildJvm again = start("again", ws);
            assertThat(again.process.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(again.process.exitValue()).as(again.err()).isZero();
            assertThat(sim.requestCount()).as("no request after the restart").isEqualTo(2);
            assertThat(again.err()).contains(newDay + ": resuming after");

            Map<LocalDate, List<String>> expected = new HashMap<>();
            for (LocalDate d = first; !d.isAfter(newDay); d = d.plusDays(1)) {
                expected.put(d, sim.expectedLines(d, true));
            }
            ParquetAssertions.assertExactly(ws.events(), expected);
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected.keySet());
        }
    }

    /** Runs {@code export --job} (and {@code args}) in a child JVM, on an H2 state database that both JVMs open. */
    private ChildJvm start(String name, ExportWorkspace ws, String... args) throws Exception {
        Map<String, String> env = Map.of("IT_SA_USER", "crash-user", "IT_SA_SECRET", secret);
        // the killed run's job lock holds the next one back until its lease (short here) runs out: --wait
        List<String> props = List.of("spring.datasource.url=" + StateStoreLocation.h2Url(tmp.resolve("state")),
                "pipelines.state.lock-lease=6s", "pipelines.export.checkpoint-bytes=2MB");
        List<String> command = new java.util.ArrayList<>(List.of("export", "--job", ws.jobFile.toString(), "--wait=2m"));
        command.addAll(List.of(args));
        return ChildJvm.start(tmp, name, env, props, command.toArray(String[]::new));
    }
}
