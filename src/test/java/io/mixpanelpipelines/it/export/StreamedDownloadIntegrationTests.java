package io.mixpanelpipelines.it.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day converted while it downloads, with a body of several line batches (2 MiB each): a download attempt
 * given up after whole batches were read leaves nothing of it in the published day, even when those batches
 * were read within the same chunk as the next attempt's first ones.
 */
class StreamedDownloadIntegrationTests {

    static final String USER = "it-sa-user";
    static final String SECRET = "S3cr3t-streamed";
    static final LocalDate DAY = LocalDate.parse("2026-01-02");
    /**
     * About 12 MiB of body: half of it, what a cut attempt delivers, is three whole batches and a part, so
     * the attempt is given up while the step reads the fourth item of a chunk (4 batches).
     */
    static final long EVENTS = 15_000;

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(EVENTS).seed(5).projectId("123456").serviceAccount(USER, SECRET)
                .timezone(ZoneId.of("UTC")).build().start(0);
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";WRITE_DELAY=0"))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "partSize: 1MB");
        ws.env.put("IT_SA_USER", USER);
        ws.env.put("IT_SA_SECRET", SECRET);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void anAttemptCutAfterWholeBatchesLeavesNothingOfItInThePublishedDay() throws Exception {
        sim.faults().enqueue(Fault.cutMidStream()).enqueue(Fault.terminatedEarly());

        int code = ws.export(DAY.toString(), DAY.toString());

        assertThat(code).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("one request, two retries").isEqualTo(3);
        List<String> served = sim.expectedLines(DAY, true);
        long half = served.stream().mapToLong(l -> l.length() + 1).sum() / 2;
        assertThat(half).as("a cut attempt delivers one whole batch, not two").isBetween(4L << 20, 8L << 20);
        ParquetAssertions.assertExactly(ws.events(), Map.of(DAY, served));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), Set.of(DAY));
        assertThat(Files.readString(ws.day(DAY.toString()).resolve("_SUCCESS"))).contains("\"rows\" : " + EVENTS);
    }
}
