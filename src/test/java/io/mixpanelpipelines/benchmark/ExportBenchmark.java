package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import io.mixpanelpipelines.ingest.StreamedFetch;
import io.mixpanelpipelines.job.day.DayLineReader;
import com.sun.net.httpserver.HttpServer;
import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.http.ClientSettings;
import io.mixpanelpipelines.source.http.HttpMixpanelExportClient;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The performance benchmark of issue 5: for each day size it has the simulator produce one day as a gzip
 * file, then times on that same file, in the same run and alternately: the real CLI as a separate JVM
 * ({@code java -Xmx512m -jar target/mixpanel-pipelines.jar export}) against a file-backed stand-in of
 * Mixpanel, DuckDB (2 threads) converting the file to the same columns, and a plain single-stream gunzip
 * (the floor). Then the stages in this JVM: download+spool, decompress (+ line split), parse, encode+write.
 *
 * <p>Not part of the test suite (its name matches no Surefire or Failsafe pattern); run it with
 * {@code ./mvnw -B -Pbenchmark verify} ({@code -Dbenchmark.events=1000000,3000000 -Dbenchmark.repeat=2}).
 * Generated data stays under {@code target/benchmark}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class ExportBenchmark {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 15);
    private static final Path WORK = Path.of("target/benchmark");
    private static final Path JAR = Path.of("target/mixpanel-pipelines.jar");
    /** The launcher: the same jar with -XX:+UseParallelGC and the build's class-data archive. */
    private static final Path LAUNCHER = Path.of("target/mixpanel-pipelines");
    private static final String USER = "bench-user";
    private static final String SECRET = "bench-secret";

    private final List<String> table = new ArrayList<>();

    @Test
    void run() throws Exception {
        int repeat = Integer.getInteger("benchmark.repeat", 2);
        String sizes = System.getProperty("benchmark.events", "1000000,3000000");
        boolean stages = !"false".equals(System.getProperty("benchmark.stages"));
        Files.createDirectories(WORK);
        table.add(String.format(Locale.ROOT, "%-9s %-34s %9s %10s %s", "events", "what", "seconds", "events/s", "notes"));
        for (String size : sizes.split(",")) {
            long events = Long.parseLong(size.strip());
            Path gz = dayFile(events);
            benchmark(events, gz, repeat, stages);
        }
        System.out.println();
        System.out.println("== mixpanel-pipelines benchmark (" + Runtime.getRuntime().availableProcessors() + " cores) ==");
        table.forEach(System.out::println);
        System.out.println();
    }

    private void benchmark(long events, Path gz, int repeat, boolean stages) throws Exception {
        List<Double> cli = new ArrayList<>();
        List<Double> tuned = new ArrayList<>();
        List<String> tunedMemory = new ArrayList<>();
        boolean launcher = Files.isExecutable(LAUNCHER);
        List<Double> baseline = new ArrayList<>();
        List<Double> duck = new ArrayList<>();
        List<Double> floor = new ArrayList<>();
        List<String> memory = new ArrayList<>();
        List<String> baselineMemory = new ArrayList<>();
        String baselineJar = System.getProperty("benchmark.baselineJar", "");
        long duckBytes = 0;
        long cliBytes = 0;
        try (FileServer server = new FileServer(gz)) {
            for (int r = 0; r < repeat && Boolean.parseBoolean(System.getProperty("benchmark.cli", "true")); r++) {
                floor.add(gunzipSeconds(gz));
                CliRun run = cli(gz, server.uri(), JAR, "");
                cli.add(run.seconds);
                cliBytes = run.parquetBytes;
                memory.add(run.memory());
                if (launcher) {
                    CliRun t = cli(gz, server.uri(), LAUNCHER, "");
                    tuned.add(t.seconds);
                    tunedMemory.add(t.memory());
                }
                if (!baselineJar.isBlank()) {
                    CliRun before = cli(gz, server.uri(), Path.of(baselineJar), "");
                    baseline.add(before.seconds);
                    baselineMemory.add(before.memory());
                }
                Path out = WORK.resolve("duckdb-" + events + ".parquet");
                duck.add(duckdb(gz, out));
                duckBytes = Files.size(out);
                Files.delete(out);
            }
            if (cli.isEmpty()) {
                stages(events, gz, server.uri());
                return;
            }
            row(events, "gunzip -c > /dev/null (floor)", floor, events, "gzip " + mb(Files.size(gz)) + " MB");
            row(events, "DuckDB 2 threads", duck, events, "parquet " + mb(duckBytes) + " MB");
            row(events, "CLI end to end, JVM start incl.", cli, events, "parquet " + mb(cliBytes) + " MB; " + String.join(" | ", memory));
            table.add(String.format(Locale.ROOT, "%-9s %-34s %s", events, "  -> project / DuckDB",
                    range(events, cli, duck, false)));
            table.add(String.format(Locale.ROOT, "%-9s %-34s %s", events, "  -> fraction of gunzip floor",
                    range(events, cli, floor, true)));
            if (!tuned.isEmpty()) {
                row(events, "CLI, target/mixpanel-pipelines", tuned, events, String.join(" | ", tunedMemory));
                table.add(String.format(Locale.ROOT, "%-9s %-34s %s", events, "  -> project / DuckDB",
                        range(events, tuned, duck, false)));
            }
            if (!baseline.isEmpty()) {
                row(events, "baseline CLI (before)", baseline, events, String.join(" | ", baselineMemory));
                table.add(String.format(Locale.ROOT, "%-9s %-34s %s", events, "  -> baseline / DuckDB",
                        range(events, baseline, duck, false)));
            }
            if (stages) {
                stages(events, gz, server.uri());
            }
        }
    }

    // ---- the stages, in this JVM, one thread each

    private void stages(long events, Path gz, URI uri) throws Exception {
        Path dir = WORK.resolve("stages");
        deleteTree(dir);
        Spool spool = new Spool(dir.resolve("spool"));
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(
                new ClientSettings(uri, "1", Duration.ofSeconds(30), Duration.ofMinutes(5), 1, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), ClientSettings.DEFAULT_MAX_LINE_BYTES),
                new MixpanelCredentials(Secret.of(USER), Secret.of(SECRET), true, "benchmark"), RequestRecorder.NONE,
                d -> { }, ZoneOffset.UTC);
        ExportRequest request = new ExportRequest(DAY, DAY, List.of(), null, null, false);
        long t0 = System.nanoTime();
        client.fetch(request, spool);
        stage(events, "stage: download+spool (+tail check)", t0);

        t0 = System.nanoTime();
        long lines = 0;
        try (SpoolLineReader reader = reader(spool)) {
            for (LineBatch b = reader.next(); b != null && !b.isEnd(); b = reader.next()) {
                lines += b.size();
                reader.recycle(b);
            }
        }
        stage(events, "stage: decompress+split lines", t0);

        t0 = System.nanoTime();
        long parsed = parseAll(spool, null);
        stage(events, "stage: ... +parse (own thread)", t0);

        Path parquet = dir.resolve("out.parquet");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (String level : System.getProperty("benchmark.zstdLevels", "1").split(",")) {
            ParquetWriterOptions options = ParquetWriterOptions.defaults().withZstdLevel(Integer.parseInt(level.strip()));
            t0 = System.nanoTime();
            long cpu0 = cpu.getCurrentThreadCpuTime();
            try (EventParquetWriter writer = new EventParquetWriter(new LocalStorage().newOutputFile(Location.of(parquet)),
                    options)) {
                parseAll(spool, writer);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            row(events, "stage: ... +encode+write, zstd " + level, List.of(seconds), events,
                    String.format(Locale.ROOT, "parquet %d kB, encoding thread's CPU %.1f s", Files.size(parquet) / 1000,
                            (cpu.getCurrentThreadCpuTime() - cpu0) / 1e9));
            Files.delete(parquet);
        }
        // what export does with a one-day request: all of the above at once, the download feeding the rest
        spool.delete();
        t0 = System.nanoTime();
        long streamed;
        try (StreamedFetch fetch = new StreamedFetch(client, request, spool, new java.util.concurrent.Semaphore(1), "bench");
                EventParquetWriter writer = new EventParquetWriter(new LocalStorage().newOutputFile(Location.of(parquet)),
                        ParquetWriterOptions.defaults())) {
            streamed = convertAll(fetch.nextAttempt(), writer);
        }
        row(events, "stage: all at once (as export does)", List.of((System.nanoTime() - t0) / 1e9), events,
                "parquet " + Files.size(parquet) / 1000 + " kB");
        Files.delete(parquet);
        if (lines != events || parsed != events || streamed != events) {
            throw new IllegalStateException("expected " + events + " events, read " + lines + " lines, parsed " + parsed
                    + ", converted while downloading " + streamed);
        }
        deleteTree(dir);
    }

    private static SpoolLineReader reader(Spool spool) throws IOException {
        return new SpoolLineReader(spool.openLines(), 0, 1, SpoolLineReader.BATCH_BYTES, SpoolLineReader.MAX_LINE_BYTES);
    }

    /** Reads, parses (on the reader's thread, as {@link DayLineReader} does) and optionally writes every event. */
    private static long parseAll(Spool spool, EventParquetWriter writer) throws IOException {
        return convertAll(spool.openLines(), writer);
    }

    private static long convertAll(InputStream decoded, EventParquetWriter writer) throws IOException {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        long n = 0;
        try (SpoolLineReader reader = new SpoolLineReader(decoded, 0, 1, SpoolLineReader.BATCH_BYTES,
                SpoolLineReader.MAX_LINE_BYTES, b -> b.parse(parser))) {
            for (LineBatch b = reader.next(); b != null && !b.isEnd(); b = reader.next()) {
                for (int i = 0; i < b.size(); i++) {
                    if (b.error(i) != null) {
                        throw new IllegalStateException("line " + b.lineNumber(i) + ": " + b.error(i));
                    }
                    if (writer != null) {
                        writer.write(b.event(i), b.buffer());
                    }
                    n++;
                }
                reader.recycle(b);
            }
        }
        return n;
    }

    private void stage(long events, String what, long t0) {
        row(events, what, List.of((System.nanoTime() - t0) / 1e9), events, "");
    }

    // ---- the whole process, DuckDB, gunzip

    private record CliRun(double seconds, double cpuSeconds, long peakHeapMb, long liveHeapMb, long peakRssMb,
            long parquetBytes) {
        String memory() {
            return String.format(Locale.ROOT, "CPU %.1f s, heap %d MB (after GC <= %d), RSS %d MB", cpuSeconds,
                    peakHeapMb, liveHeapMb, peakRssMb);
        }
    }

    /**
     * Runs the CLI as its own process, with {@code jvmArgs} (and -Dbenchmark.jvmArgs): {@code java ... -jar
     * jar}, or, when {@code jar} is the launcher script, the script with those options in JAVA_OPTS.
     */
    private CliRun cli(Path gz, URI uri, Path jar, String jvmArgs) throws Exception {
        Path dir = WORK.resolve("cli").toAbsolutePath();
        deleteTree(dir);
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
                destination:
                  uri: %s
                """.formatted(uri, DAY, dir.resolve("spool"), dir.resolve("export")));
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-Xlog:gc:file=" + dir.resolve("gc.log")));
        String extra = jvmArgs + " " + System.getProperty("benchmark.jvmArgs", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.strip().split("\\s+")));
        }
        boolean script = !jar.toString().endsWith(".jar");
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-v"));
        if (script) {
            command.add(jar.toAbsolutePath().toString());
        } else {
            command.add("java");
            command.addAll(options);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        }
        command.addAll(List.of("export", "--job", "job.yaml", "--from", DAY.toString(), "--to", DAY.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        if (script) {
            pb.environment().put("JAVA_OPTS", String.join(" ", options));
        }
        pb.environment().put("BENCH_SA_USERNAME", USER);
        pb.environment().put("BENCH_SA_SECRET", SECRET);
        long t0 = System.nanoTime();
        int code = pb.start().waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        if (code != 0) {
            throw new IllegalStateException("CLI exited with " + code + ":\n" + stderr);
        }
        Matcher rss = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)").matcher(stderr);
        long rssMb = rss.find() ? Long.parseLong(rss.group(1)) / 1024 : -1;
        double cpu = 0;
        Matcher times = Pattern.compile("(User|System) time \\(seconds\\): ([0-9.]+)").matcher(stderr);
        while (times.find()) {
            cpu += Double.parseDouble(times.group(2));
        }
        long heapMb = 0;
        long liveMb = 0;
        Matcher gc = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(dir.resolve("gc.log")));
        while (gc.find()) {
            heapMb = Math.max(heapMb, Long.parseLong(gc.group(1)));
            liveMb = Math.max(liveMb, Long.parseLong(gc.group(2)));
        }
        long bytes;
        try (Stream<Path> files = Files.walk(dir.resolve("export"))) {
            bytes = files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
        Files.copy(dir.resolve("stderr.txt"), WORK.resolve("cli-last-stderr-" + jar.getFileName() + ".txt"), StandardCopyOption.REPLACE_EXISTING);
        deleteTree(dir);
        return new CliRun(seconds, cpu, heapMb, liveMb, rssMb, bytes);
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

    // ---- the day file and its stand-in server

    /** The simulator's day as served with gzip, saved once under target/benchmark. */
    private static Path dayFile(long events) throws Exception {
        Path gz = WORK.resolve("day-" + events + ".jsonl.gz");
        if (Files.exists(gz)) {
            return gz;
        }
        long t0 = System.nanoTime();
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(events).seed(42)
                .serviceAccount(USER, SECRET).build().start(0)) {
            URI uri = URI.create(sim.baseUri() + "/api/2.0/export?from_date=" + DAY + "&to_date=" + DAY
                    + "&project_id=" + sim.projectId());
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setRequestProperty("Accept-Encoding", "gzip");
            c.setRequestProperty("Authorization", new MixpanelCredentials(Secret.of(USER), Secret.of(SECRET), true, "")
                    .authorizationHeader());
            if (c.getResponseCode() != 200 || !"gzip".equals(c.getContentEncoding())) {
                throw new IllegalStateException("simulator answered " + c.getResponseCode());
            }
            Path tmp = WORK.resolve(gz.getFileName() + ".tmp");
            try (InputStream in = c.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE);
        }
        long decoded;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            decoded = in.transferTo(OutputStream.nullOutputStream());
        }
        System.out.printf(Locale.ROOT, "generated %s: %d events, %d MB gzip, %d MB decoded, %.0f bytes/event, %.0f s%n",
                gz, events, mb(Files.size(gz)), mb(decoded), (double) decoded / events, (System.nanoTime() - t0) / 1e9);
        return gz;
    }

    /** Serves one gzip file as the export body of every request, as Mixpanel would (Content-Encoding: gzip). */
    private static final class FileServer implements AutoCloseable {
        private final HttpServer server;

        FileServer(Path gz) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/api/2.0/export", exchange -> {
                try (exchange) {
                    exchange.getResponseHeaders().add("Content-Encoding", "gzip");
                    exchange.sendResponseHeaders(200, Files.size(gz));
                    try (OutputStream out = exchange.getResponseBody()) {
                        Files.copy(gz, out);
                    }
                }
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---- formatting

    private void row(long events, String what, List<Double> seconds, long n, String notes) {
        double min = seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        String s = seconds.size() == 1 ? String.format(Locale.ROOT, "%.1f", min)
                : String.format(Locale.ROOT, "%.1f-%.1f", min, max);
        String rate = seconds.size() == 1 ? String.format(Locale.ROOT, "%.0fk", n / min / 1000)
                : String.format(Locale.ROOT, "%.0f-%.0fk", n / max / 1000, n / min / 1000);
        String line = String.format(Locale.ROOT, "%-9d %-34s %9s %10s %s", events, what, s, rate, notes);
        table.add(line);
        System.out.println(line);
    }

    /** Per-round ratio of speeds (other time / project time), as a range. */
    private static String range(long events, List<Double> project, List<Double> other, boolean percent) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int i = 0; i < project.size(); i++) {
            double r = other.get(i) / project.get(i);
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        return percent ? String.format(Locale.ROOT, "%.0f%%-%.0f%%", lo * 100, hi * 100)
                : String.format(Locale.ROOT, "%.2fx-%.2fx", lo, hi);
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
