package io.mixpanelpipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad {@code pipelines.export.checkpoint-bytes} is one error line and exit 2 before any request: for
 * {@code export} when its context starts (a guard: that was so before), for {@code schedule} at the service's
 * start (not at each run: the service would otherwise serve its probes and fail every scheduled time). The API URL points at a port
 * nobody listens on.
 */
class CheckpointBytesTests {

    static final String ERROR = "error: pipelines.export.checkpoint-bytes must be between 64KB and 8MB: 9437184 bytes";

    @TempDir
    Path tmp;
    Path jobs;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeJob() throws IOException {
        jobs = Files.createDirectories(tmp.resolve("jobs"));
        Files.writeString(jobs.resolve("job.yaml"), """
                name: checkpoints
                mixpanel:
                  projectId: "1"
                  apiUrl: http://127.0.0.1:9
                  auth:
                    projectSecretEnv: CB_SECRET
                export:
                  startDate: 2026-01-01
                  schedule: '@hourly'
                destination:
                  uri: out
                """);
    }

    private int run(String... args) {
        return new Cli(Map.of("CB_SECRET", "s"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("pipelines.export.checkpoint-bytes", "9MB", "server.port", "0"), Clock.systemUTC()).run(args);
    }

    @Test
    void exportRefusesItWithOneLine() {
        assertThat(run("export", "--job", jobs.resolve("job.yaml").toString(), "--from", "2026-01-01", "--to", "2026-01-01"))
                .isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains(ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error:"))).hasSize(1);
    }

    @Test
    void scheduleRefusesItAtStartNotAtEachRun() {
        // before the fix the service started and served until stopped: the timeout fails the test then
        int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run("schedule", "--jobs", jobs.toString()));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
