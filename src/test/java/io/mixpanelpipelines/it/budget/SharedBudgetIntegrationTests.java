package io.mixpanelpipelines.it.budget;

import io.mixpanelpipelines.support.TestPostgres;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one PostgreSQL, two jobs of the same Mixpanel project, against a server whose hourly
 * limit equals their shared budget: no 429, never more requests than the budget, every day published once.
 */
class SharedBudgetIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void twoJvmsShareOneBudgetWithoutA429() throws Exception {
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("budget"));
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(200).projectId("123456")
                        .serviceAccount("u", "s").hourlyLimit(4).build().start(0)) {
            List<String> props = List.of("spring.datasource.url=" + url,
                    "spring.datasource.username=postgres", "spring.datasource.password=postgres");
            Map<String, String> env = Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s");
            Path a = Files.createDirectories(tmp.resolve("a"));
            Path b = Files.createDirectories(tmp.resolve("b"));
            ExportWorkspace wa = new ExportWorkspace(a, Map.of()).job(sim.baseUri().toString(), "UTC",
                    ExportWorkspace.serviceAccountAuth(), "requestsPerHour: 4", "daysPerRequest: 1");
            ExportWorkspace wb = new ExportWorkspace(b, Map.of()).job(sim.baseUri().toString(), "UTC",
                    ExportWorkspace.serviceAccountAuth(), "requestsPerHour: 4", "daysPerRequest: 1");
            Files.writeString(wb.jobFile, Files.readString(wb.jobFile).replace("name: it-events", "name: other-events"));

            ChildJvm ja = ChildJvm.start(a, "a", env, props, "export", "--job", wa.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-05");
            ChildJvm jb = ChildJvm.start(b, "b", env, props, "export", "--job", wb.jobFile.toString(), "--from", "2026-02-01", "--to", "2026-02-05");
            assertThat(ja.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(jb.process.waitFor(120, TimeUnit.SECONDS)).isTrue();

            assertThat(sim.requests()).as("no request refused").noneMatch(r -> r.status() == 429);
            assertThat(sim.requestCount()).isEqualTo(4);
            assertThat(ja.process.exitValue()).as(ja.err()).isEqualTo(75);
            assertThat(jb.process.exitValue()).as(jb.err()).isEqualTo(75);
            assertThat(published(wa) + published(wb)).as("one day per request, each once").isEqualTo(4);
        }
    }

    @Test
    void threadsOfOneProcessShareTheBudgetToo() throws Exception {
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("budget"));
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(100).projectId("123456")
                        .serviceAccount("u", "s").hourlyLimit(5).build().start(0)) {
            Map<String, Object> db = Map.of("spring.datasource.url", url,
                    "spring.datasource.username", "postgres", "spring.datasource.password", "postgres");
            java.util.List<ExportWorkspace> workspaces = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ExportWorkspace ws = new ExportWorkspace(Files.createDirectories(tmp.resolve("w" + i)), db)
                        .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "requestsPerHour: 5",
                                "daysPerRequest: 1");
                Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("name: it-events", "name: job-" + i));
                ws.env.put("IT_SA_USER", "u");
                ws.env.put("IT_SA_SECRET", "s");
                workspaces.add(ws);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            java.util.List<java.util.concurrent.Future<Integer>> codes = new java.util.ArrayList<>();
            for (ExportWorkspace ws : workspaces) {
                codes.add(pool.submit(() -> ws.export("2026-01-01", "2026-01-03")));
            }
            for (java.util.concurrent.Future<Integer> code : codes) {
                assertThat(code.get(120, TimeUnit.SECONDS)).isIn(0, 75);
            }
            pool.shutdown();

            assertThat(sim.requests()).as("no request refused").noneMatch(r -> r.status() == 429);
            assertThat(sim.requestCount()).isEqualTo(5);
            long published = 0;
            for (ExportWorkspace ws : workspaces) {
                published += published(ws);
            }
            assertThat(published).as("one day per request, each once").isEqualTo(5);
        }
    }

    private static long published(ExportWorkspace ws) throws Exception {
        if (!Files.isDirectory(ws.events())) {
            return 0;
        }
        try (Stream<Path> days = Files.list(ws.events())) {
            return days.filter(d -> Files.exists(d.resolve("_SUCCESS"))).count();
        }
    }
}
