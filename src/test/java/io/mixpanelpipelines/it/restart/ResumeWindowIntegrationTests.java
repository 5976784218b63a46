package io.mixpanelpipelines.it.restart;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.TestFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 3-day window killed (child JVM, SIGKILL) right after its first day was published: the next run asks
 * only for the days that are not published and not spooled (none when their spools are complete, one
 * request for the two remaining days when they were lost), deletes the staged temporary files of the killed
 * writer, and leaves no spool behind.
 */
class ResumeWindowIntegrationTests {

    private static final LocalDate D1 = LocalDate.parse("2026-01-01");
    private static final LocalDate D2 = LocalDate.parse("2026-01-02");
    private static final LocalDate D3 = LocalDate.parse("2026-01-03");

    @TempDir
    Path tmp;

    private final String secret = "resume-secret-" + System.nanoTime();

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aResumedWindowAsksOnlyForWhatIsNeitherPublishedNorSpooled(boolean spoolsLost) throws Exception {
        // 30,000 events a day: after the first day is published, the next takes about a second to convert (the
        // child converts about 20,000 events a second); the test polls every 2 ms and kills at once
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(30_000).seed(21).projectId("123456")
                .serviceAccount("resume-user", secret).timezone(ZoneId.of("UTC")).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 3",
                            "parallelism: 1", "partSize: 1MB");
            String url = StateStoreLocation.h2Url(tmp.resolve("state"));
            Map<String, String> env = Map.of("IT_SA_USER", "resume-user", "IT_SA_SECRET", secret);
            String[] export = {"export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-03"};
            ChildJvm first = ChildJvm.start(tmp, "first", env,
                    List.of("spring.datasource.url=" + url, "pipelines.state.lock-lease=6s"), export);

            LocalDate published = waitForAPublishedDay(ws, first);
            first.process.destroyForcibly(); // SIGKILL right after a day was published
            first.process.waitFor(30, TimeUnit.SECONDS);
            assertThat(requestsServed(sim)).as("the three days in one request").isEqualTo(1);
            List<LocalDate> rest = Stream.of(D1, D2, D3).filter(d -> !d.equals(published)).toList();
            assertThat(rest).allSatisfy(d -> assertThat(ws.day(d.toString()).resolve("_SUCCESS")).doesNotExist());
            // what a writer killed mid-part leaves in a day's staging folder
            Path staged = ws.export.resolve("123456/_staging/events/event_date=" + rest.get(0));
            Files.createDirectories(staged);
            Files.writeString(staged.resolve(".tmp-3f2a-part-00007-killed.parquet"), "half a part");
            if (spoolsLost) {
                for (LocalDate d : rest) {
                    TestFiles.deleteTreeIfExists(ws.spool.resolve("it-events/" + d + "_" + d));
                }
            }

            ws.env.putAll(env);
            ws.springProperties.put("spring.datasource.url", url);
            String[] waiting = Stream.concat(Stream.of(export), Stream.of("--wait=1m")).toArray(String[]::new);
            assertThat(ws.run(waiting)).as(ws.lastErr).isZero();

            List<SimulatorRequest> requests = sim.requests();
            if (spoolsLost) {
                assertThat(requestsServed(sim)).as("one request for the two days left").isEqualTo(2);
                SimulatorRequest last = requests.get(requests.size() - 1);
                assertThat(List.of(last.fromDate(), last.toDate())).containsExactly(rest.get(0), rest.get(1));
            } else {
                assertThat(requestsServed(sim)).as("no request: the days left were spooled").isEqualTo(1);
            }
            ParquetAssertions.assertExactly(ws.events(), Map.of(D1, sim.expectedLines(D1, true),
                    D2, sim.expectedLines(D2, true), D3, sim.expectedLines(D3, true)));
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(D1, D2, D3));
            assertThat(filesUnder(ws.spool)).as("no spool left behind").isEmpty();
            assertThat(filesUnder(ws.export.resolve("123456/_staging"))).as("no staged file left behind").isEmpty();
        }
    }

    /** The request count as the simulator's own endpoint reports it. */
    private static int requestsServed(MixpanelSimulator sim) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUri() + "/_simulator/stats"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"requests\":(\\d+)").matcher(body);
        if (!m.find()) {
            throw new AssertionError("no request count in " + body);
        }
        return Integer.parseInt(m.group(1));
    }

    private static LocalDate waitForAPublishedDay(ExportWorkspace ws, ChildJvm child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new AssertionError("the export ended before it could be killed: " + child.err());
            }
            for (LocalDate d : List.of(D1, D2, D3)) {
                if (Files.exists(ws.day(d.toString()).resolve("_SUCCESS"))) {
                    return d;
                }
            }
            Thread.sleep(2);
        }
        child.process.destroyForcibly();
        throw new AssertionError("no day was published in time");
    }

    private static List<Path> filesUnder(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
