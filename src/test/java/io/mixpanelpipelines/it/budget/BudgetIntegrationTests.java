package io.mixpanelpipelines.it.budget;

import io.mixpanelpipelines.it.export.RejectedLinesIntegrationTests;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.StaticExportServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export limit as a budget: what a run takes, what it defers, and what it never spends twice. */
class BudgetIntegrationTests {

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;

    void start(MixpanelSimulator.Builder builder, String... export) throws Exception {
        sim = builder.projectId("123456").serviceAccount("u", "s").build().start(0);
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0"))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), export);
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    long publishedDays() throws Exception {
        if (!Files.isDirectory(ws.events())) {
            return 0;
        }
        try (Stream<Path> days = Files.list(ws.events())) {
            return days.filter(d -> Files.exists(d.resolve("_SUCCESS"))).count();
        }
    }

    @Test
    void tenDaysOnABudgetOfThreeSendThreeRequestsAndDeferTheRest() throws Exception {
        start(MixpanelSimulator.builder().eventsPerDay(200), "requestsPerHour: 3", "daysPerRequest: 1");

        int first = ws.export("2026-01-01", "2026-01-10");

        assertThat(first).as(ws.lastErr).isEqualTo(75);
        assertThat(sim.requestCount()).isEqualTo(3);
        assertThat(publishedDays()).isEqualTo(3);
        assertThat(ws.lastOut).contains("DEFERRED").contains("Budget: 0 of 3 export requests left this hour; the next request fits at");

        int second = ws.export("2026-01-01", "2026-01-10");

        assertThat(second).isEqualTo(75);
        assertThat(sim.requestCount()).as("an immediate second run sends nothing").isEqualTo(3);
        assertThat(ws.run("status", "--job", ws.jobFile.toString())).isZero();
        assertThat(ws.lastOut).contains("DEFERRED").contains("export budget spent");
    }

    @Test
    void aDeferredDaySaysWhenTheBudgetReallyFreesASlot() throws Exception {
        java.time.Instant start = java.time.Instant.parse("2026-04-01T06:00:00Z");
        java.time.Clock clock = java.time.Clock.fixed(start, ZoneOffset.UTC);
        start(MixpanelSimulator.builder().eventsPerDay(50).clock(clock), "requestsPerHour: 3", "daysPerRequest: 1");
        ws.clock = clock;

        assertThat(ws.export("2026-01-01", "2026-01-05")).as(ws.lastErr).isEqualTo(75);

        assertThat(sim.requestCount()).isEqualTo(3);
        String freed = "next request at " + start.plusSeconds(3600);
        assertThat(ws.lastOut).as("the run's three requests fill the hour: not now, but an hour after the first")
                .contains(freed).doesNotContain("next request at " + start);
        assertThat(ws.run("status", "--job", ws.jobFile.toString())).isZero();
        assertThat(ws.lastOut).contains("DEFERRED").contains(freed).contains("the next request fits at " + start.plusSeconds(3600));
    }

    @Test
    void aServerLimitBelowTheBudgetStopsTheRunAfterThreeRejections() throws Exception {
        start(MixpanelSimulator.builder().eventsPerDay(200).hourlyLimit(2), "daysPerRequest: 1", "maxConcurrentRequests: 1",
                "parallelism: 1");

        int code = ws.export("2026-01-01", "2026-01-06");

        assertThat(code).as(ws.lastErr).isEqualTo(75);
        long rejected = sim.requests().stream().filter(r -> r.status() == 429).count();
        assertThat(rejected).isBetween(1L, 3L);
        assertThat(sim.requestCount()).isEqualTo(2 + (int) rejected);
        assertThat(publishedDays()).as("the days that were served are kept").isEqualTo(2);
    }

    @Test
    void aSixtyDayBackfillCostsTwoRequestsAndTheNextRunLeavesUnchangedDaysAlone() throws Exception {
        start(MixpanelSimulator.builder().eventsPerDay(50), "lookbackInterval: 1ms");
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: -60d"));

        assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).isEqualTo(2);
        assertThat(publishedDays()).isEqualTo(60);
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        Map<LocalDate, java.util.List<String>> served = new TreeMap<>();
        for (int i = 1; i <= 60; i++) {
            served.put(yesterday.minusDays(i - 1), sim.expectedLines(yesterday.minusDays(i - 1), true));
        }
        ParquetAssertions.assertExactly(ws.events(), served);
        Map<Path, Long> before = modificationTimes();

        assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();

        assertThat(sim.requestCount()).as("the late-data lookback: one request").isEqualTo(3);
        SimulatorRequest lookback = sim.requests().get(2);
        assertThat(lookback.fromDate()).isEqualTo(yesterday.minusDays(4));
        assertThat(lookback.toDate()).isEqualTo(yesterday);
        assertThat(modificationTimes()).as("unchanged days are not rewritten").isEqualTo(before);
    }

    private Map<Path, Long> modificationTimes() throws Exception {
        Map<Path, Long> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ws.events())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                m.put(p, Files.getLastModifiedTime(p).toMillis());
            }
        }
        return m;
    }

    @Test
    void aThirtyDayBackfillCostsOneRequestAndAWeekOfDailyRunsOneEach() throws Exception {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-04-01T06:00:00Z"));
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        start(MixpanelSimulator.builder().eventsPerDay(50).clock(clock));
        ws.clock = clock;
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("startDate: 2026-01-01", "startDate: 2026-03-02"));

        assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(sim.requestCount()).as("30 days of backfill").isEqualTo(1);
        assertThat(publishedDays()).isEqualTo(30);

        for (int day = 1; day <= 7; day++) {
            now.set(now.get().plus(java.time.Duration.ofDays(1)));
            assertThat(ws.run("export", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
            assertThat(sim.requestCount()).as("daily run %d", day).isEqualTo(1 + day);
        }
        assertThat(publishedDays()).isEqualTo(37);
        assertThat(sim.requests().get(7).fromDate()).as("the new day and the 5-day lookback")
                .isEqualTo(LocalDate.parse("2026-04-02"));
        assertThat(sim.requests().get(7).toDate()).isEqualTo(LocalDate.parse("2026-04-07"));
    }

    @Test
    void aChangedDayIsReplacedAndItsLateEventsCounted() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(1).serviceAccount("u", "s").build().start(0);
        try (StaticExportServer server = new StaticExportServer()) {
            String day = RejectedLinesIntegrationTests.DAY;
            ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
            ws.env.put("IT_SA_USER", "u");
            ws.env.put("IT_SA_SECRET", "s");
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                body.append(RejectedLinesIntegrationTests.event(i)).append('\n');
            }
            server.serve(day, body.toString());
            assertThat(ws.export(day, day)).as(ws.lastErr).isZero();
            for (int i = 3; i < 5; i++) {
                body.append(RejectedLinesIntegrationTests.event(i)).append('\n');
            }
            server.serve(day, body.toString());

            assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", day)).as(ws.lastErr).isZero();

            String manifest = Files.readString(ws.day(day).resolve("_SUCCESS"));
            assertThat(manifest).contains("\"rows\" : 5").contains("\"lateEvents\" : 2");
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                lines.add(RejectedLinesIntegrationTests.event(i));
            }
            ParquetAssertions.assertExactly(ws.events(), Map.of(LocalDate.parse(day), lines));
            ParquetAssertions.assertFoldersMatchManifests(ws.events(), java.util.Set.of(LocalDate.parse(day)));
        }
    }
}
