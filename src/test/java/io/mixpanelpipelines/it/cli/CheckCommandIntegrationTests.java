package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.StaticExportServer;
import io.mixpanelpipelines.support.TestPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --job}: one line per check, exit 0 when all pass and 2 otherwise, and never a request to
 * Mixpanel (a real HTTP server counts them), against real stores: H2 and PostgreSQL state, a local
 * destination, a DuckDB warehouse.
 */
class CheckCommandIntegrationTests {

    @TempDir
    Path tmp;
    StaticExportServer mixpanel;
    ExportWorkspace ws;

    @BeforeEach
    void start() throws Exception {
        mixpanel = new StaticExportServer();
        ws = new ExportWorkspace(tmp, Map.of()).job(mixpanel.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
    }

    @AfterEach
    void stop() {
        mixpanel.close();
    }

    void addWarehouse(String url) throws Exception {
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile) + "warehouse:\n  type: duckdb\n  url: '" + url
                + "'\n  table: analytics.events\n");
    }

    @Test
    void everythingInPlacePassesWithoutARequestAndSaysWhatItCannotCheck() throws Exception {
        addWarehouse("jdbc:duckdb:" + tmp.resolve("wh.duckdb"));
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s3cr3t-value");

        int code = ws.run("check", "--job", ws.jobFile.toString());

        assertThat(code).as(ws.lastOut + ws.lastErr).isZero();
        assertThat(ws.lastOut.lines().toList()).hasSize(6);
        assertThat(ws.lastOut)
                .contains("job file " + ws.jobFile + ": OK (job 'it-events')")
                .contains("credentials: OK (present: environment variable IT_SA_USER, environment variable IT_SA_SECRET)")
                .contains("destination file://" + ws.export + ": OK (wrote and deleted a probe file)")
                .contains("state store H2 file " + tmp.resolve("data/state/pipelines") + ".mv.db: OK (connected; migrations NOT current: a new store")
                .contains("warehouse duckdb:analytics.events: OK (connected; SELECT 1 answered)")
                .contains("Mixpanel secret: NOT CHECKED")
                .doesNotContain("s3cr3t-value");
        assertThat(mixpanel.requests.get()).as("no export request").isZero();
        try (var files = Files.walk(ws.export)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("the probe is deleted").isEmpty();
        }

        assertThat(ws.run("status", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(ws.run("check", "--job", ws.jobFile.toString())).isZero();
        assertThat(ws.lastOut).contains(": OK (connected; migrations current (version ");
    }

    @Test
    void everyFailureIsReportedOnItsOwnLineAndExitsTwo() throws Exception {
        addWarehouse("jdbc:duckdb:" + tmp.resolve("no-such-folder/wh.duckdb"));
        Files.writeString(ws.export, "a file where the destination's folder should be");
        int refused;
        try (ServerSocket s = new ServerSocket(0)) {
            refused = s.getLocalPort();
        }
        ws.springProperties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + refused + "/state?password=pw-in-url");

        int code = ws.run("check", "--job", ws.jobFile.toString());

        assertThat(code).as(ws.lastOut + ws.lastErr).isEqualTo(2);
        assertThat(ws.lastOut)
                .contains("job file " + ws.jobFile + ": OK")
                .contains("credentials: FAILED: ").contains("IT_SA_USER").contains("IT_SA_SECRET")
                .contains("destination file://" + ws.export + ": FAILED: ")
                .contains("state store jdbc:postgresql://127.0.0.1:" + refused + "/state: FAILED: cannot connect")
                .contains("warehouse duckdb:analytics.events: FAILED: ")
                .contains("Mixpanel secret: NOT CHECKED")
                .doesNotContain("pw-in-url");
        assertThat(mixpanel.requests.get()).isZero();
    }

    @Test
    void aPostgresStateStoreIsConnectedAndItsMigrationsReported() throws Exception {
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
        String url = TestPostgres.jdbcUrl(TestPostgres.newDatabase("check"));
        ws.springProperties.put("spring.datasource.url", url);

        assertThat(ws.run("check", "--job", ws.jobFile.toString())).as(ws.lastOut + ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("migrations NOT current: a new store");
        assertThat(ws.run("plan", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(ws.run("check", "--job", ws.jobFile.toString())).isZero();
        assertThat(ws.lastOut).contains("state store jdbc:postgresql:").contains(": OK (connected; migrations current");
    }

    @Test
    void anInvalidJobFileStopsAtItsLine() throws Exception {
        Files.writeString(ws.jobFile, "name: [unclosed\n");

        assertThat(ws.run("check", "--job", ws.jobFile.toString())).isEqualTo(2);
        assertThat(ws.lastOut).startsWith("job file " + ws.jobFile + ": FAILED: ");
        assertThat(ws.lastOut.lines().count()).isEqualTo(ws.lastOut.lines().takeWhile(l -> !l.startsWith("credentials")).count());
    }
}
