package io.mixpanelpipelines.it.cli;

import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs full exports in a child JVM (a successful one with retries, then one with a wrong secret) and
 * searches everything they produced for the secret: every log line, every file (spools, Parquet,
 * manifests, the database files), and every row of every table.
 */
class SecretsIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void theSecretAppearsInNoOutputFileOrTable() throws Exception {
        String user = "leak-user";
        String secret = "Leak-" + Long.toHexString(System.nanoTime()) + "-zz";
        String basic = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        String url = "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";WRITE_DELAY=0";
        List<String> needles = List.of(secret, basic);
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(2000).seed(3).projectId("123456")
                .serviceAccount(user, secret).build().start(0)) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
            sim.faults().enqueue(Fault.status(503)).enqueue(Fault.cutMidStream());
            String[] args = {"export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-02",
                    "--summary-json", tmp.resolve("summary.json").toString()};

            ChildJvm ok = ChildJvm.start(tmp, "ok", Map.of("IT_SA_USER", user, "IT_SA_SECRET", secret),
                    List.of("spring.datasource.url=" + url), args);
            assertThat(ok.waitFor()).as(ok.err()).isZero();
            ChildJvm wrong = ChildJvm.start(tmp, "wrong", Map.of("IT_SA_USER", user, "IT_SA_SECRET", secret + "x"),
                    List.of("spring.datasource.url=" + url), "rerun", "--job", ws.jobFile.toString(), "--partition", "2026-01-01");
            assertThat(wrong.waitFor()).isEqualTo(2);
            assertThat(wrong.err()).contains("IT_SA_SECRET");

            List<String> files = new ArrayList<>();
            try (Stream<Path> all = Files.walk(tmp)) {
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    files.add(p.toString());
                    String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                    for (String needle : needles) {
                        assertThat(content).as("file %s", p).doesNotContain(needle);
                    }
                    assertThat(p.toString()).doesNotContain(secret);
                }
            }
            assertThat(files).anyMatch(f -> f.endsWith(".parquet")).anyMatch(f -> f.endsWith(".mv.db"))
                    .anyMatch(f -> f.endsWith("ok.err"));

            int rows = 0;
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                List<String> tables = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                assertThat(tables).contains("BATCH_JOB_EXECUTION_PARAMS", "BATCH_STEP_EXECUTION_CONTEXT", "MP_PARTITION", "MP_REQUEST_LOG");
                for (String table : tables) {
                    try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                        int n = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            rows++;
                            for (int i = 1; i <= n; i++) {
                                String v = rs.getString(i);
                                for (String needle : needles) {
                                    assertThat(v == null ? "" : v).as("%s.%s", table, rs.getMetaData().getColumnName(i)).doesNotContain(needle);
                                }
                            }
                        }
                    }
                }
            }
            assertThat(rows).isGreaterThan(10);
        }
    }
}
