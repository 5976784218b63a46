package io.mixpanelpipelines.it.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a scheduled job's sequence at a bounded heap, in a child JVM as a user runs it. A 6-day window
 * in one request, then daily runs (the new day plus 5 lookback days in one request, the lookback found
 * unchanged), every one of which must exit 0. The days are smaller than the (250,000 events of
 * about 800 bytes at -Xmx512m) and the heap is scaled down with them, so that the writers' and readers'
 * fixed buffers, which do not shrink with the day, press as they did: before the fix, runs failed with
 * "Java heap space" at these settings. {@code -Dmemory.eventsPerDay}, {@code -Dmemory.xmx} and
 * {@code -Dmemory.dailyRuns} run it at other sizes (the issue's: 250000, 512m).
 */
class DailyRunMemoryIntegrationTests {

    @TempDir
    Path tmp;

    private final String secret = "memory-secret-" + System.nanoTime();

    @Test
    void aWindowThenDailyRunsWithTheirLookbackAllSucceedAtABoundedHeap() throws Exception {
        long eventsPerDay = Long.getLong("memory.eventsPerDay", 40_000);
        String xmx = System.getProperty("memory.xmx", "256m");
        int dailyRuns = Integer.getInteger("memory.dailyRuns", 2);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(eventsPerDay).seed(18)
                .projectId("123456").serviceAccount("memory-user", secret).timezone(ZoneId.of("UTC"))
                .build().start(0)) {
            Path job = tmp.resolve("job.yaml");
            Files.writeString(job, """
                    name: it-memory
                    mixpanel:
                      projectId: "123456"
                      region: us
                      apiUrl: %s
                      timezone: UTC
                      auth:
                        serviceAccount:
                          usernameEnv: IT_SA_USER
                          secretEnv: IT_SA_SECRET
                    export:
                      startDate: -7d
                      lookbackDays: 5
                      lookbackInterval: 1s
                      daysPerRequest: 31
                      spoolDir: %s
                    destination:
                      uri: file://%s
                    """.formatted(sim.baseUri(), tmp.resolve("spool"), tmp.resolve("export")));
            List<String> peaks = new ArrayList<>();
            run(job, xmx, "window", peaks, "--from", today.minusDays(7).toString(), "--to", today.minusDays(2).toString());
            for (int i = 1; i <= dailyRuns; i++) {
                Thread.sleep(1_100); // past lookbackInterval: each run looks back again
                run(job, xmx, "daily-" + i, peaks);
            }
            System.out.println("issue 18 sequence, " + eventsPerDay + " events/day at -Xmx" + xmx + ": peak heap (MB, GC log) "
                    + String.join(", ", peaks));
            assertThat(sim.requestCount()).as("one request per run").isEqualTo(1 + dailyRuns);
        }
    }

    private void run(Path job, String xmx, String name, List<String> peaks, String... range) throws Exception {
        Path gc = tmp.resolve(name + "-gc.log");
        List<String> args = new ArrayList<>(List.of("export", "--job", job.toString()));
        args.addAll(List.of(range));
        ChildJvm cli = ChildJvm.startWithJvmOptions(tmp, name, Map.of("IT_SA_USER", "memory-user", "IT_SA_SECRET", secret),
                List.of("-Xmx" + xmx, "-Xlog:gc:file=" + gc),
                List.of("spring.datasource.url=jdbc:h2:file:" + tmp.resolve("state/pipelines")), args.toArray(String[]::new));
        assertThat(cli.process.waitFor(240, TimeUnit.SECONDS)).as(name + " finished").isTrue();
        assertThat(cli.process.exitValue()).as(name + " exit code; stderr:\n" + cli.err()).isZero();
        // the window and the first daily run: 6 days; later daily runs: the 5 lookback days
        assertThat(cli.out()).containsPattern("([56]) of \\1 day\\(s\\) published");
        peaks.add(name + " " + peakHeapMb(gc));
    }

    /** The highest heap occupancy before a collection in a {@code -Xlog:gc} log. */
    static long peakHeapMb(Path gcLog) throws java.io.IOException {
        Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        long peak = 0;
        while (m.find()) {
            peak = Math.max(peak, Long.parseLong(m.group(1)));
        }
        return peak;
    }
}
