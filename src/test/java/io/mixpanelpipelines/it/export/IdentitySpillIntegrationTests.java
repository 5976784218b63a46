package io.mixpanelpipelines.it.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.IdentityAssertions;
import io.mixpanelpipelines.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Days mapping far more ids than a day step holds in memory (the limit set to 80 here; the simulator gives
 * most events a new device, so 20,000 events map about 24,000 ids): two days converted at once, each spilling
 * over a hundred runs, 128 of them merged into one, publish exactly the mappings DuckDB derives in SQL from the
 * published events; so does a day whose mappings are rebuilt from its published Parquet. No spill file stays.
 */
class IdentitySpillIntegrationTests {

    private static final String LIMIT = "pipelines.identity.maxIdsPerDay";

    @TempDir
    Path tmp;

    @Test
    void daysFarBeyondTheInMemoryLimitPublishExactlyTheMappingsOfTheirEvents() throws Exception {
        String before = System.getProperty(LIMIT);
        System.setProperty(LIMIT, "80"); // a device login holds one candidate for its two ids
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(20_000).seed(31).projectId("123456")
                .serviceAccount("spill-user", "spill-secret").timezone(ZoneId.of("UTC")).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "parallelism: 2");
            ws.env.put("IT_SA_USER", "spill-user");
            ws.env.put("IT_SA_SECRET", "spill-secret");
            LocalDate d1 = LocalDate.parse("2026-01-01");
            LocalDate d2 = d1.plusDays(1);
            Path project = ws.export.resolve("123456");

            // the log goes to System.err as it is at each line (logback's console target): captured for the export
            java.io.PrintStream realErr = System.err;
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                assertThat(ws.export(d1.toString(), d2.toString())).as(ws.lastErr).isZero();
            } finally {
                System.setErr(realErr);
                realErr.print(log.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
            // each day spilled more than 128 runs (so 128 were merged into one), and nothing was given up
            assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("IdentityMaintenance")).map(l -> l.substring(l.indexOf(" - ") + 3)
                            .replaceAll("\\d{2,} identity mappings", "N identity mappings").replaceAll(" in \\d+ ms,", " in T ms,")
                            .replaceAll("from (12[89]|1[3-9]\\d|[2-9]\\d\\d) runs", "from 128+ runs").replaceAll(" \\(\\d+ MB\\)", "")))
                    .containsExactlyInAnyOrder(
                            d1 + ": N identity mappings staged in T ms, merged from 128+ runs spilled to local disk",
                            d2 + ": N identity mappings staged in T ms, merged from 128+ runs spilled to local disk");
            for (LocalDate d : new LocalDate[] {d1, d2}) {
                IdentityAssertions.assertSimplifiedMappingsOf(project, d);
                assertThat(rows(project, d)).as("far more than held in memory").isGreaterThan(20_000);
            }
            assertThat(spillFiles(ws)).as("spill files of published days").isEmpty();

            // d2's mappings lost (as if exported before they existed): rebuilt from its Parquet, spilling too
            TestFiles.deleteTree(project.resolve("identity_mappings").resolve("date=" + d2));
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + tmp.resolve("state/db"), "sa", "");
                    Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM mp_identity_day WHERE event_date = DATE '" + d2 + "'");
            }
            int requests = sim.requestCount();
            assertThat(ws.export(d1.toString(), d2.toString())).as(ws.lastErr).isZero();
            assertThat(sim.requestCount()).as("rebuilt without a request").isEqualTo(requests);
            IdentityAssertions.assertSimplifiedMappingsOf(project, d2);
            assertThat(spillFiles(ws)).as("spill files of the rebuild").isEmpty();
            assertThat(ws.run("status", "--job", ws.jobFile.toString())).isZero();
            assertThat(ws.lastOut).contains("Identity mappings: 2 day(s)").doesNotContain("without current mappings");
        } finally {
            if (before == null) {
                System.clearProperty(LIMIT);
            } else {
                System.setProperty(LIMIT, before);
            }
        }
    }

    /**
     * The mappings are staged on a thread of their own while the day's last events part closes: when staging
     * them fails there, the day is not published (no events without their mappings), no spill file stays, and
     * the same command publishes both, from the spool kept, without a request.
     */
    @Test
    void aDayWhoseMappingsCannotBeStagedIsNotPublishedAndTheSameCommandRepairsItWithoutARequest() throws Exception {
        String before = System.getProperty(LIMIT);
        System.setProperty(LIMIT, "80");
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(5_000).seed(37).projectId("123456")
                .serviceAccount("spill-user", "spill-secret").timezone(ZoneId.of("UTC")).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db")))
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
            ws.env.put("IT_SA_USER", "spill-user");
            ws.env.put("IT_SA_SECRET", "spill-secret");
            String day = "2026-01-01";
            Path project = ws.export.resolve("123456");
            Path blocked = project.resolve("_staging").resolve("identity_mappings"); // a file: no folder can go below it
            Files.createDirectories(blocked.getParent());
            Files.writeString(blocked, "x");

            assertThat(ws.export(day, day)).as(ws.lastErr).isNotZero();
            assertThat(ws.lastOut).contains(day + "  FAILED").contains("identity_mappings/date=" + day + ": Not a directory");
            assertThat(project.resolve("events").resolve("event_date=" + day)).doesNotExist();
            assertThat(project.resolve("identity_mappings").resolve("date=" + day)).doesNotExist();
            assertThat(spillFiles(ws)).as("spill files of the failed day").isEmpty();
            int requests = sim.requestCount();
            assertThat(requests).isEqualTo(1);

            Files.delete(blocked);
            assertThat(ws.export(day, day)).as(ws.lastErr).isZero();
            assertThat(sim.requestCount()).as("converted again from the spool kept").isEqualTo(requests);
            assertThat(project.resolve("events").resolve("event_date=" + day).resolve("_SUCCESS")).exists();
            IdentityAssertions.assertSimplifiedMappingsOf(project, LocalDate.parse(day));
            assertThat(spillFiles(ws)).as("spill files of the published day").isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(LIMIT);
            } else {
                System.setProperty(LIMIT, before);
            }
        }
    }

    private static long rows(Path project, LocalDate day) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM read_parquet('"
                        + project.resolve("identity_mappings").resolve("date=" + day).resolve("part-00000.parquet") + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every file under the job's local identity scratch folder (spilled runs, DuckDB's downloads). */
    private static java.util.List<Path> spillFiles(ExportWorkspace ws) throws Exception {
        Path scratch = ws.spool.resolve("it-events").resolve("_identity");
        if (!Files.exists(scratch)) {
            return java.util.List.of();
        }
        try (Stream<Path> s = Files.walk(scratch)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
