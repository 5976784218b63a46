package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.support.Jdk25;
import io.mixpanelpipelines.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The performance benchmark (issues 5, 15 and 18). For each day shape and day size it makes one day as a
 * gzip file ({@link BenchmarkBodies}: the simulator's day, a flat web-SDK day, a heavy mobile day), then
 * times on that same file, in the same run and alternately round by round: the gunzip floor (a plain
 * single-stream {@code gzip -dc}), the real CLI as a separate JVM against a file-backed stand-in of Mixpanel
 * ({@link StandInServer}) under every JVM set up ({@code java -Xmx512m -jar target/mixpanel-pipelines.jar},
 * the launcher {@code target/mixpanel-pipelines}; with a JDK 25 ({@code java25}, by default the first in
 * {@code /usr/lib/jvm}): JDK 25 plain, with a class-data archive it makes itself and through the launcher,
 * which makes and uses an AOT cache; with {@code baselineJar}: an older build), and DuckDB (2 threads)
 * converting the file to the same columns with zstd. Ratios are DuckDB's time over the
 * project's, per round. Then, optionally, the stages in this JVM ({@link StageRounds}), the 1/6/31-day
 * windows and the daily run ({@link WindowRounds}), and with {@code slices}, one day as 1 request against
 * 4 slices ({@link SliceRounds}).
 *
 * <p>Not part of the test suite (its name matches no Surefire or Failsafe pattern). How to run:
 * <pre>
 * # the full run (quiet machine; about an hour; every shape, both JVMs where a JDK 25 is in /usr/lib/jvm):
 * ./mvnw -B -q -Pbenchmark verify
 * # a quick check on a busy machine (a few minutes):
 * ./mvnw -o -B -q -Pbenchmark verify -Dbenchmark.events=20000 -Dbenchmark.repeat=1 \
 *     -Dbenchmark.windowEvents=20000 -Dbenchmark.stages=false
 * </pre>
 * Options ({@code -Dbenchmark.X}): {@code shapes} (simulator,web,mobile), {@code events} (day sizes),
 * {@code repeat} (rounds), {@code stages} (true), {@code cli} (false: stages only), {@code windows} and
 * {@code daily} (true), {@code windowShape} (web), {@code windowEvents} (events per day of the windows and
 * the daily run, 250000), {@code windowJvm} (the JVM of the windows and the daily run, by its label in the
 * report: {@code java -jar} as issue 18 measured, or e.g. {@code launcher}), {@code java25} (a JDK 25
 * home; by default the first found in {@code /usr/lib/jvm}; {@code none}: JDK 17 only), {@code baselineJar} (an
 * older build's jar, or this one to try flags), {@code baselineJvmArgs} (added to its
 * JVM only, before {@code jvmArgs}: a flag given in both keeps {@code jvmArgs}' value), {@code jvmArgs} (added to
 * every CLI JVM),
 * {@code zstdLevels} (stages), {@code slices} (false; true: the slice rounds), {@code sliceShape} (simulator),
 * {@code sliceEvents} (3000000). {@code shapes=none} skips the single-day rounds, e.g. the slice rounds
 * alone: {@code -Dbenchmark.shapes=none -Dbenchmark.windows=false -Dbenchmark.daily=false -Dbenchmark.slices=true}.
 * Generated bodies stay under {@code target/benchmark} and are reused. The
 * report ends with one summary row per (shape, size), per window and for the daily run; a failed CLI run
 * or a wrong row count is listed as a problem and fails the run after the report.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ExportBenchmark {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 15);
    private static final Path WORK = Path.of("target/benchmark");
    private static final Path JAR = Path.of("target/mixpanel-pipelines.jar");
    /** The launcher: the same jar with -XX:+UseParallelGC, its JIT settings and the build's class-data archive. */
    private static final Path LAUNCHER = Path.of("target/mixpanel-pipelines");

    private final BenchmarkTable table = new BenchmarkTable();

    @Test
    void run() throws Exception {
        int repeat = Integer.getInteger("benchmark.repeat", 2);
        List<String> shapes = List.of(System.getProperty("benchmark.shapes", "simulator,web,mobile").split(","));
        String sizes = System.getProperty("benchmark.events", "1000000,3000000");
        boolean stages = !"false".equals(System.getProperty("benchmark.stages"));
        boolean cli = !"false".equals(System.getProperty("benchmark.cli"));
        long windowEvents = Long.getLong("benchmark.windowEvents", 250_000);
        String windowShape = System.getProperty("benchmark.windowShape", "web");
        Files.createDirectories(WORK);
        List<CliProcess.Jvm> jvms = jvms();
        try (StandInServer server = new StandInServer(new BenchmarkBodies(WORK))) {
            if (cli) {
                train(server, jvms);
            }
            for (String shape : shapes.stream().filter(x -> !x.isBlank() && !x.equals("none")).toList()) {
                for (String size : sizes.split(",")) {
                    long events = Long.parseLong(size.strip());
                    server.serving(shape.strip(), events).prepare(DAY, DAY);
                    String label = shape.strip() + "/" + events;
                    if (cli) {
                        rounds(label, events, server, jvms, repeat);
                    }
                    if (stages || !cli) {
                        new StageRounds(table, WORK).run(label, events, DAY, server.uri());
                    }
                }
            }
            WindowRounds windows = new WindowRounds(table, server, WORK);
            String windowJvm = System.getProperty("benchmark.windowJvm", "java -jar");
            CliProcess.Jvm jvm = jvms.stream().filter(j -> j.label().equals(windowJvm)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("benchmark.windowJvm: no JVM labelled " + windowJvm));
            if (cli && !"false".equals(System.getProperty("benchmark.windows"))) {
                windows.windows(windowShape, windowEvents, DAY, repeat, jvm);
            }
            if (cli && !"false".equals(System.getProperty("benchmark.daily"))) {
                windows.daily(windowShape, windowEvents, repeat, jvm);
            }
            if (cli && "true".equals(System.getProperty("benchmark.slices"))) {
                new SliceRounds(table, server, new BenchmarkBodies(WORK), WORK).run(
                        System.getProperty("benchmark.sliceShape", "simulator"), Long.getLong("benchmark.sliceEvents", 3_000_000),
                        DAY, repeat, jvm);
            }
        }
        table.print(Runtime.getRuntime().availableProcessors());
        if (!table.problems().isEmpty()) {
            throw new AssertionError(table.problems().size() + " problem(s): " + table.problems());
        }
    }

    /** The JVMs the CLI rounds run under, each with the label the report (and {@code windowJvm}) uses. */
    private static List<CliProcess.Jvm> jvms() {
        List<CliProcess.Jvm> jvms = new ArrayList<>();
        jvms.add(new CliProcess.Jvm("java -jar", null, JAR, List.of()));
        if (Files.isExecutable(LAUNCHER)) {
            jvms.add(new CliProcess.Jvm("launcher", null, LAUNCHER, List.of()));
        }
        Path home = java25Home();
        if (home != null) {
            // the build's archive is JDK 17's: JDK 25 runs the jar without it, or with one it makes itself
            jvms.add(new CliProcess.Jvm("JDK 25 java -jar", home, JAR, List.of()));
            Path jsa = WORK.toAbsolutePath().resolve("jdk25-auto.jsa");
            List<String> cds = List.of("-XX:+UseParallelGC", "-XX:+AutoCreateSharedArchive",
                    "-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
            jvms.add(new CliProcess.Jvm("JDK 25 ParallelGC+auto CDS", home, JAR, cds, cds, jsa));
            // the launcher on JDK 25: it makes an AOT cache (JEP 483/514/515: classes loaded and linked, and
            // method profiles) on its first export run, here the untimed training run, and runs with it after
            Path cache = launcherCache(home);
            if (Files.isExecutable(LAUNCHER) && cache != null) {
                jvms.add(new CliProcess.Jvm("JDK 25 launcher", home, LAUNCHER, List.of(), List.of(), cache));
            }
        }
        String baseline = System.getProperty("benchmark.baselineJar", "");
        if (!baseline.isBlank()) {
            String flags = System.getProperty("benchmark.baselineJvmArgs", "").strip();
            jvms.add(new CliProcess.Jvm("baseline java -jar", null, Path.of(baseline),
                    flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"))));
        }
        return jvms;
    }

    /**
     * The JDK 25 to measure besides JDK 17: {@code -Dbenchmark.java25} (a JDK home, or {@code none}), else the
     * first JDK 25 found in {@code /usr/lib/jvm} (where Debian, Ubuntu and Temurin's packages put them), so that
     * the plain command reports both JVMs on a machine that has both.
     */
    static Path java25Home() {
        String given = System.getProperty("benchmark.java25", "").strip();
        if (given.equals("none")) {
            return null;
        }
        return given.isEmpty() ? Jdk25.find() : Path.of(given);
    }

    /**
     * The AOT cache the launcher makes and uses beside the jar under the JVM at {@code home}, named as the
     * launcher names it (JVM version, vendor, architecture, C library, collector, the jar's size and time); null if the JVM's
     * release file does not say.
     */
    private static Path launcherCache(Path home) {
        try {
            List<String> release = Files.readAllLines(home.resolve("release"));
            java.util.function.Function<String, String> field = name -> release.stream()
                    .filter(l -> l.startsWith(name + "=\"") && l.endsWith("\""))
                    .map(l -> l.substring(name.length() + 2, l.length() - 1).replaceAll("[^A-Za-z0-9.+_-]", "_"))
                    .findFirst().orElse("");
            if (field.apply("JAVA_RUNTIME_VERSION").isEmpty()) {
                return null;
            }
            Path jar = JAR.toAbsolutePath();
            return jar.resolveSibling("mixpanel-pipelines-" + field.apply("JAVA_RUNTIME_VERSION") + "-"
                    + field.apply("IMPLEMENTOR") + "-" + field.apply("OS_ARCH") + "-" + field.apply("LIBC") + "-ParallelGC-"
                    + Files.size(jar) + "-"
                    + Files.getLastModifiedTime(jar).toInstant().getEpochSecond() + ".aot");
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * One untimed run of a small day under each JVM that makes its own archive, so that the timed runs use
     * it rather than pay for making it. The old archive is deleted first: one made for an earlier build of
     * the jar is refused, and JDK 25's auto-created archive is then not made again.
     */
    private void train(StandInServer server, List<CliProcess.Jvm> jvms) throws Exception {
        for (CliProcess.Jvm jvm : jvms) {
            if (jvm.archive() != null) {
                Files.deleteIfExists(jvm.archive());
                // the launcher's: a failed or stopped training's traces would keep it from making one
                Files.deleteIfExists(jvm.archive().resolveSibling(jvm.archive().getFileName() + ".failed"));
                TestFiles.deleteTreeIfExists(jvm.archive().resolveSibling(jvm.archive().getFileName() + ".training"));
                server.serving("simulator", 2_000).prepare(DAY, DAY);
                Path dir = WORK.resolve("cli");
                CliProcess.prepare(dir, server.uri(), DAY, "");
                CliProcess.run(dir, jvm.training(), "--from", DAY.toString(), "--to", DAY.toString());
                server.takeRequests();
                if (!Files.exists(jvm.archive())) {
                    table.problem(jvm.label() + ": the training run made no " + jvm.archive());
                }
            }
        }
    }

    private void rounds(String label, long events, StandInServer server, List<CliProcess.Jvm> jvms, int repeat)
            throws Exception {
        Path gz = server.prepare(DAY, DAY);
        List<Double> floor = new ArrayList<>();
        List<Double> duck = new ArrayList<>();
        Map<CliProcess.Jvm, List<Double>> seconds = new LinkedHashMap<>();
        Map<CliProcess.Jvm, List<String>> memory = new LinkedHashMap<>();
        Map<CliProcess.Jvm, CliProcess.Result> last = new LinkedHashMap<>();
        long duckBytes = 0;
        for (int r = 0; r < repeat; r++) {
            floor.add(gunzipSeconds(gz));
            for (CliProcess.Jvm jvm : jvms) {
                Path dir = WORK.resolve("cli");
                CliProcess.prepare(dir, server.uri(), DAY, "");
                CliProcess.Result run;
                try {
                    run = CliProcess.run(dir, jvm, "--from", DAY.toString(), "--to", DAY.toString());
                } catch (CliProcess.Failed e) {
                    table.problem(label + " " + jvm.label() + ": " + e.brief());
                    seconds.computeIfAbsent(jvm, k -> new ArrayList<>()).add(Double.NaN);
                    memory.computeIfAbsent(jvm, k -> new ArrayList<>()).add("FAILED");
                    continue;
                }
                long rows = CliProcess.parquetRows(dir.resolve("export"));
                if (rows != events) {
                    table.problem(label + " " + jvm.label() + ": " + rows + " rows exported, expected " + events);
                }
                seconds.computeIfAbsent(jvm, k -> new ArrayList<>()).add(run.seconds());
                memory.computeIfAbsent(jvm, k -> new ArrayList<>()).add(run.memory());
                last.put(jvm, run);
            }
            Path out = WORK.resolve("duckdb.parquet");
            duck.add(duckdb(gz, out));
            duckBytes = Files.size(out);
            Files.delete(out);
        }
        server.takeRequests();
        double bytesPerEvent = BenchmarkBodies.bytesPerEvent(gz, events);
        table.row(label, "gunzip -c > /dev/null (floor)", floor, events, String.format(Locale.ROOT,
                "gzip %d MB, %.0f bytes/event decoded", Files.size(gz) >> 20, bytesPerEvent));
        table.row(label, "DuckDB 2 threads", duck, events, "parquet " + (duckBytes >> 20) + " MB");
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
                "%-9s %9d events %5.0f B/event | floor %s s | DuckDB %s s", label.substring(0, label.indexOf('/')),
                events, bytesPerEvent, BenchmarkTable.seconds(floor), BenchmarkTable.seconds(duck)));
        for (CliProcess.Jvm jvm : jvms) {
            List<Double> s = seconds.get(jvm);
            CliProcess.Result run = last.get(jvm);
            if (run == null) {
                table.row(label, "CLI " + jvm.label(), s, events, String.join(" | ", memory.get(jvm)));
                summary.append(" | ").append(jvm.label()).append(" FAILED");
                continue;
            }
            table.row(label, "CLI " + jvm.label(), s, events, "parquet " + (run.parquetBytes() >> 20) + " MB; "
                    + String.join(" | ", memory.get(jvm)));
            table.note(label, "  -> DuckDB / " + jvm.label(), BenchmarkTable.ratio(s, duck)
                    + ", gunzip floor / " + jvm.label() + " " + BenchmarkTable.percent(s, floor));
            summary.append(String.format(Locale.ROOT, " | %s %s s = %s DuckDB (CPU %.1f s, heap %d, RSS %d MB)",
                    jvm.label(), BenchmarkTable.seconds(s), BenchmarkTable.ratio(s, duck), run.cpuSeconds(),
                    run.peakHeapMb(), run.peakRssMb()));
        }
        table.summary(summary.toString());
    }

    private static double duckdb(Path gz, Path out) throws Exception {
        Class.forName("org.duckdb.DuckDBDriver");
        long t0 = System.nanoTime();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET threads = 2");
            st.execute("""
                    COPY (SELECT event AS event_name,
                      make_timestamp(CAST(json_extract(properties,'$.time') AS BIGINT)*1000000) AS time,
                      json_extract_string(properties,'$.distinct_id') AS distinct_id,
                      json_extract_string(properties,'$."$insert_id"') AS insert_id,
                      json_extract_string(properties,'$."$device_id"') AS device_id,
                      json_extract_string(properties,'$."$user_id"') AS user_id,
                      make_timestamp(CAST(json_extract(properties,'$.mp_processing_time_ms') AS BIGINT)*1000) AS mp_processing_time,
                      properties
                    FROM read_ndjson('%s', columns={event:'VARCHAR', properties:'JSON'}))
                    TO '%s' (FORMAT parquet, COMPRESSION zstd)""".formatted(gz.toAbsolutePath(), out.toAbsolutePath()));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double gunzipSeconds(Path gz) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("gzip", "-dc", gz.toAbsolutePath().toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("gzip failed");
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
