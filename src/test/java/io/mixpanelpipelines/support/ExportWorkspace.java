package io.mixpanelpipelines.support;

import io.mixpanelpipelines.cli.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A folder for one export test: the job file, spool, destination and (by default) the H2 state store,
 * plus an in-process runner of the real command line that captures its output.
 */
public final class ExportWorkspace {

    public final Path dir;
    public final Path jobFile;
    public final Path export;
    public final Path spool;
    public final Map<String, String> env = new HashMap<>();
    public final Map<String, Object> springProperties = new HashMap<>();
    public java.time.Clock clock = java.time.Clock.systemUTC();
    public String lastOut = "";
    public String lastErr = "";

    public ExportWorkspace(Path dir, Map<String, Object> datasource) {
        this.dir = dir;
        this.jobFile = dir.resolve("job.yaml");
        this.export = dir.resolve("export");
        this.spool = dir.resolve("spool");
        springProperties.putAll(datasource);
    }

    /** Writes a job file against {@code apiUrl}; {@code extraExport} lines are added under {@code export:}. */
    public ExportWorkspace job(String apiUrl, String timezone, String auth, String... extraExport) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("name: it-events\n");
        y.append("mixpanel:\n  projectId: \"123456\"\n  region: us\n  apiUrl: ").append(apiUrl).append('\n');
        y.append("  timezone: ").append(timezone).append('\n');
        y.append("  auth:\n").append(auth.indent(4));
        y.append("export:\n  startDate: 2026-01-01\n  spoolDir: ").append(spool).append('\n');
        y.append("  initialBackoff: 10ms\n  maxBackoff: 200ms\n  readTimeout: 20s\n");
        for (String line : extraExport) {
            y.append("  ").append(line).append('\n');
        }
        y.append("destination:\n  uri: file://").append(export).append('\n');
        Files.writeString(jobFile, y.toString());
        return this;
    }

    public static String serviceAccountAuth() {
        return "serviceAccount:\n  usernameEnv: IT_SA_USER\n  secretEnv: IT_SA_SECRET\n";
    }

    /** Runs a command in-process; returns its exit code and keeps its stdout and stderr. */
    public int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new Cli(env, o, e, springProperties, clock).run(args);
        }
        lastOut = out.toString(StandardCharsets.UTF_8);
        lastErr = err.toString(StandardCharsets.UTF_8);
        return code;
    }

    public int export(String from, String to) {
        return run("export", "--job", jobFile.toString(), "--from", from, "--to", to);
    }

    public Path events() {
        return export.resolve("123456").resolve("events");
    }

    public Path day(String day) {
        return events().resolve("event_date=" + day);
    }
}
