package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.source.MixpanelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The export bodies the benchmark serves: for a day shape ({@code simulator}, {@code web}, {@code mobile}),
 * a number of events per day and a range of days, one gzip file holding every day of the range in order,
 * each day's events timed on that day, as Mixpanel answers {@code from_date..to_date}. Made once and kept
 * under {@code target/benchmark} (the name says shape and its generator's version, size and range), so
 * repeated runs and the rounds of one run time the same bytes. The simulator's shape is the simulator's own answer (gzip at its fastest
 * level); the generated shapes are gzip at the default level, one stream for the whole range.
 */
final class BenchmarkBodies {

    static final List<String> SHAPES = List.of("simulator", "web", "mobile");
    private static final String USER = "bench-user";
    private static final String SECRET = "bench-secret";

    private final Path dir;

    BenchmarkBodies(Path dir) {
        this.dir = dir;
    }

    /** The body of {@code shape} for {@code from..to}, {@code eventsPerDay} events each day; made if missing. */
    synchronized Path body(String shape, long eventsPerDay, LocalDate from, LocalDate to) throws IOException {
        Path gz = file(shape, eventsPerDay, from, to);
        if (Files.exists(gz)) {
            return gz;
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        Path tmp = dir.resolve(gz.getFileName() + ".tmp");
        if (shape.equals("simulator")) {
            fromSimulator(eventsPerDay, from, to, tmp);
        } else {
            generate(events(shape), eventsPerDay, from, to, tmp);
        }
        Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        long decoded;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            decoded = in.transferTo(OutputStream.nullOutputStream());
        }
        long days = to.toEpochDay() - from.toEpochDay() + 1;
        System.out.printf(Locale.ROOT, "generated %s: %d events, %d MB gzip, %d MB decoded, %.0f bytes/event, %.0f s%n",
                gz, eventsPerDay * days, Files.size(gz) >> 20, decoded >> 20, (double) decoded / (eventsPerDay * days),
                (System.nanoTime() - t0) / 1e9);
        return gz;
    }

    /**
     * The part of {@code day}'s body whose events' {@code time} (seconds, UTC) lies in {@code [from, to)}: what
     * Mixpanel sends for a slice's {@code where}. Cut from the day's body (made first if missing) and kept.
     */
    synchronized Path slice(String shape, long eventsPerDay, LocalDate day, long from, long to) throws IOException {
        Path whole = body(shape, eventsPerDay, day, day);
        Path gz = whole.resolveSibling(whole.getFileName().toString().replace(".jsonl.gz", "-" + from + "-" + to + ".jsonl.gz"));
        if (Files.exists(gz)) {
            return gz;
        }
        java.util.regex.Pattern time = java.util.regex.Pattern.compile("\"properties\":\\{\"time\":(\\d+)");
        Path tmp = gz.resolveSibling(gz.getFileName() + ".tmp");
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                new GZIPInputStream(Files.newInputStream(whole), 1 << 16), StandardCharsets.UTF_8), 1 << 16);
                java.io.Writer out = new java.io.OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16),
                        StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                java.util.regex.Matcher m = time.matcher(line);
                if (!m.find()) {
                    throw new IllegalStateException("a line without properties.time: " + line.substring(0, Math.min(200, line.length())));
                }
                long t = Long.parseLong(m.group(1));
                long seconds = t > 100_000_000_000L ? t / 1000 : t; // the body's time is in seconds or milliseconds
                if (seconds >= from && seconds < to) {
                    out.write(line);
                    out.write('\n');
                }
            }
        }
        Files.move(tmp, gz, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return gz;
    }

    /** Whether the body of {@code shape} for {@code from..to} is already made. */
    boolean has(String shape, long eventsPerDay, LocalDate from, LocalDate to) {
        return Files.exists(file(shape, eventsPerDay, from, to));
    }

    private Path file(String shape, long eventsPerDay, LocalDate from, LocalDate to) {
        // the simulator's days change only with the simulator: after changing it, delete target/benchmark
        String kind = shape.equals("simulator") ? shape : shape + ".v" + events(shape).version();
        return dir.resolve(kind + "-" + eventsPerDay + "-" + from + (from.equals(to) ? "" : "_" + to) + ".jsonl.gz");
    }

    /** Decoded bytes per event of a body (for the report). */
    static double bytesPerEvent(Path gz, long events) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            return (double) in.transferTo(OutputStream.nullOutputStream()) / events;
        }
    }

    static SyntheticEvents events(String shape) {
        return switch (shape) {
            case "web" -> new WebDayEvents();
            case "mobile" -> new MobileDayEvents();
            default -> throw new IllegalArgumentException("unknown day shape " + shape + "; known: " + SHAPES);
        };
    }

    private static void generate(SyntheticEvents events, long perDay, LocalDate from, LocalDate to, Path out)
            throws IOException {
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out), 1 << 16) {
                {
                    def.setLevel(Deflater.DEFAULT_COMPRESSION);
                }
            }) {
            StringBuilder sb = new StringBuilder(1 << 17);
            for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                for (long i = 0; i < perDay; i++) {
                    events.appendLine(sb, day, i);
                    if (sb.length() > 1 << 16 || i == perDay - 1) {
                        gz.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                        sb.setLength(0);
                    }
                }
            }
        }
    }

    private static void fromSimulator(long perDay, LocalDate from, LocalDate to, Path out) throws IOException {
        try (MixpanelSimulator sim = MixpanelSimulator.builder().eventsPerDay(perDay).seed(42)
                .serviceAccount(USER, SECRET).build().start(0)) {
            URI uri = URI.create(sim.baseUri() + "/api/2.0/export?from_date=" + from + "&to_date=" + to
                    + "&project_id=" + sim.projectId());
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setRequestProperty("Accept-Encoding", "gzip");
            c.setRequestProperty("Authorization", new MixpanelCredentials(Secret.of(USER), Secret.of(SECRET), true, "")
                    .authorizationHeader());
            if (c.getResponseCode() != 200 || !"gzip".equals(c.getContentEncoding())) {
                throw new IllegalStateException("simulator answered " + c.getResponseCode());
            }
            try (InputStream in = c.getInputStream()) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
