package io.mixpanelpipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every missing credential of a command is reported in one error, exit 2, before anything starts (no state
 * store, no request: the API URL points at a port nobody listens on).
 */
class MissingCredentialsTests {

    @TempDir
    Path tmp;
    Path job;
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeJob() throws IOException {
        job = Files.writeString(tmp.resolve("job.yaml"), """
                name: creds
                mixpanel:
                  projectId: "1"
                  apiUrl: http://127.0.0.1:9
                  auth:
                    serviceAccount:
                      usernameEnv: MC_SA_USER
                      secretEnv: MC_SA_SECRET
                export:
                  startDate: 2026-01-01
                destination:
                  uri: out
                warehouse:
                  type: postgresql
                  url: jdbc:postgresql://127.0.0.1:9/analytics
                  usernameEnv: MC_WH_USER
                  passwordEnv: MC_WH_PASSWORD
                  table: mixpanel.events
                """);
    }

    private int run(Map<String, String> env, String... args) {
        err.reset();
        return new Cli(env, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).run(args);
    }

    @Test
    void exportNamesEveryMissingVariableMixpanelsAndTheWarehousesAtOnce() {
        assertThat(run(Map.of("MC_WH_USER", "someone"), "export", "--job", job.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: 3 credentials are missing:\n"
                + "  - mixpanel.auth.serviceAccount.usernameEnv: environment variable MC_SA_USER is not set or empty\n"
                + "  - mixpanel.auth.serviceAccount.secretEnv: environment variable MC_SA_SECRET is not set or empty\n"
                + "  - warehouse.passwordEnv: environment variable MC_WH_PASSWORD is not set or empty\n")
                .doesNotContain("someone");
        assertThat(tmp.resolve("data")).as("no state store was opened").doesNotExist();
    }

    @Test
    void aCommandThatDoesNotLoadNeedsNoWarehouseCredentials() {
        assertThat(run(Map.of(), "export", "--no-load", "--job", job.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: 2 credentials are missing:\n"
                + "  - mixpanel.auth.serviceAccount.usernameEnv: environment variable MC_SA_USER is not set or empty\n"
                + "  - mixpanel.auth.serviceAccount.secretEnv: environment variable MC_SA_SECRET is not set or empty\n");
    }

    @Test
    void loadNeedsTheWarehousesToo() {
        assertThat(run(Map.of("MC_SA_USER", "u", "MC_SA_SECRET", "s"), "load", "--job", job.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: 2 credentials are missing:\n"
                + "  - warehouse.usernameEnv: environment variable MC_WH_USER is not set or empty\n"
                + "  - warehouse.passwordEnv: environment variable MC_WH_PASSWORD is not set or empty\n");
    }
}
