package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.support.TestFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real CLI as a process of its own, measured the way a user's machine would see it: wall time, CPU
 * (user+sys) and peak RSS from {@code /usr/bin/time -v}, peak heap (before a collection) and the largest
 * heap left after one from the JVM's own GC log ({@code -Xlog:gc}). Always at {@code -Xmx512m}. A working
 * folder holds the job file, the state (H2, by default under the working folder), the spool and the
 * exported days; it persists between runs so that a second run sees the first one's state.
 */
final class CliProcess {

    static final String USER = "bench-user";
    static final String SECRET = "bench-secret";

    /**
     * How the CLI is started: {@code program} is the jar ({@code java OPTIONS -jar program}) or the launcher
     * script (options in JAVA_OPTS); {@code javaHome} null means the {@code java} on the PATH. A JVM with an
     * {@code archive} (a class-data archive or AOT cache it makes itself) first gets an untimed training run
     * with {@code trainingOptions}, which must leave that archive behind.
     */
    record Jvm(String label, Path javaHome, Path program, List<String> options, List<String> trainingOptions,
            Path archive) {
        Jvm(String label, Path javaHome, Path program, List<String> options) {
            this(label, javaHome, program, options, List.of(), null);
        }

        boolean script() {
            return !program.toString().endsWith(".jar");
        }

        Jvm training() {
            return new Jvm(label + " (training)", javaHome, program, trainingOptions, List.of(), null);
        }
    }

    /** {@code cpuSeconds}: user+sys of the process and its children (igzip); {@code systemSeconds}: the sys part. */
    record Result(double seconds, double cpuSeconds, double systemSeconds, long peakHeapMb, long liveHeapMb, long peakRssMb,
            long parquetBytes, String output) {
        String memory() {
            return String.format(Locale.ROOT, "CPU %.1f s (sys %.1f), heap %d MB (after GC <= %d), RSS %d MB", cpuSeconds,
                    systemSeconds, peakHeapMb, liveHeapMb, peakRssMb);
        }
    }

    /** The CLI exited with an error; the message is its exit code, {@link #output} all it printed. */
    static final class Failed extends IllegalStateException {
        final String output;
        private final String exit;

        Failed(String exit, String output) {
            super(exit + ":\n" + output);
            this.exit = exit;
            this.output = output;
        }

        /** The exit code and the first few error lines: enough for the report. */
        String brief() {
            List<String> errors = output.lines().filter(l -> l.contains("ERROR") || l.contains("Error")
                    || l.contains("published")).limit(4).toList();
            return exit + ": " + String.join(" / ", errors);
        }
    }

    private CliProcess() {
    }

    /** A fresh working folder {@code dir} with a job file for the stand-in at {@code uri}; extra export keys. */
    static void prepare(Path folder, URI uri, LocalDate startDate, String exportKeys) throws IOException {
        Path dir = folder.toAbsolutePath();
        TestFiles.deleteTreeIfExists(dir);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("job.yaml"), """
                name: bench
                mixpanel:
                  projectId: "1"
                  region: us
                  apiUrl: %s
                  timezone: UTC
                  auth:
                    serviceAccount:
                      usernameEnv: BENCH_SA_USERNAME
                      secretEnv: BENCH_SA_SECRET
                export:
                  startDate: %s
                  timeInMs: false
                  spoolDir: %s
                %sdestination:
                  uri: %s
                """.formatted(uri, startDate, dir.resolve("spool"), exportKeys.indent(2), dir.resolve("export")));
    }

    /** Runs {@code mixpanel-pipelines ARGS} in {@code dir} (see {@link #prepare}); fails unless it exits 0. */
    static Result run(Path folder, Jvm jvm, String... args) throws Exception {
        Path dir = folder.toAbsolutePath();
        Path gcLog = dir.resolve("gc.log");
        Files.deleteIfExists(gcLog);
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-Xlog:gc:file=" + gcLog));
        options.addAll(jvm.options());
        String extra = System.getProperty("benchmark.jvmArgs", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.strip().split("\\s+")));
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-v"));
        if (jvm.script()) {
            command.add(jvm.program().toAbsolutePath().toString());
        } else {
            command.add(jvm.javaHome() == null ? "java" : jvm.javaHome().resolve("bin/java").toString());
            command.addAll(options);
            command.addAll(List.of("-jar", jvm.program().toAbsolutePath().toString()));
        }
        command.addAll(List.of("export", "--job", "job.yaml"));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        if (jvm.script()) {
            pb.environment().put("JAVA_OPTS", String.join(" ", options));
            if (jvm.javaHome() != null) {
                pb.environment().put("JAVA_HOME", jvm.javaHome().toString());
            }
        }
        pb.environment().put("BENCH_SA_USERNAME", USER);
        pb.environment().put("BENCH_SA_SECRET", SECRET);
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String err = Files.readString(stderr);
        String output = Files.readString(stdout) + err;
        Files.copy(stderr, dir.getParent().resolve("cli-last-stderr-" + jvm.label().replaceAll("[^A-Za-z0-9.-]+", "_")
                + ".txt"), StandardCopyOption.REPLACE_EXISTING);
        if (code != 0) {
            throw new Failed(jvm.label() + " exited with " + code, output);
        }
        Matcher rss = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)").matcher(err);
        long rssMb = rss.find() ? Long.parseLong(rss.group(1)) / 1024 : -1;
        double[] cpu = cpuSeconds(err);
        long heapMb = 0;
        long liveMb = 0;
        Matcher gc = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        while (gc.find()) {
            heapMb = Math.max(heapMb, Long.parseLong(gc.group(1)));
            liveMb = Math.max(liveMb, Long.parseLong(gc.group(2)));
        }
        return new Result(seconds, cpu[0], cpu[1], heapMb, liveMb, rssMb, parquetBytes(dir.resolve("export")), output);
    }

    /** User+sys and sys seconds from what {@code /usr/bin/time -v} printed (the process and the children it waited for). */
    static double[] cpuSeconds(String timeOutput) {
        double cpu = 0;
        double system = 0;
        Matcher times = Pattern.compile("(User|System) time \\(seconds\\): ([0-9.]+)").matcher(timeOutput);
        while (times.find()) {
            double t = Double.parseDouble(times.group(2));
            cpu += t;
            system += times.group(1).equals("System") ? t : 0;
        }
        return new double[] {cpu, system};
    }

    /** Rows in the events' Parquet files under {@code export} (not the identity mappings'), from their footers by DuckDB. */
    static long parquetRows(Path export) throws Exception {
        Class.forName("org.duckdb.DuckDBDriver");
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata('"
                        + export.toAbsolutePath() + "/*/events/**/*.parquet')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long parquetBytes(Path export) throws IOException {
        if (!Files.exists(export)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(export)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
