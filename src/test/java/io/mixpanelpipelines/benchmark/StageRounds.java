package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.identity.DayIdentities;
import io.mixpanelpipelines.identity.IdentityLayout;
import io.mixpanelpipelines.identity.IdentityManifest;
import io.mixpanelpipelines.identity.IdentityPublisher;
import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import io.mixpanelpipelines.ingest.StreamedFetch;
import io.mixpanelpipelines.job.day.DayLineReader;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.http.ClientSettings;
import io.mixpanelpipelines.source.http.HttpMixpanelExportClient;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.support.TestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * The stages of one day's export, in the benchmark's JVM, one thread each, timed separately on the day
 * the stand-in serves: download+spool, decompress (+ line split), parse, encode+write (per zstd level in
 * {@code -Dbenchmark.zstdLevels}), the identity mappings (offered every parsed event, then merged from their
 * spills and written to Parquet, as a day step does), and all of them at once as export does with a one-day
 * request.
 */
final class StageRounds {

    private final BenchmarkTable table;
    private final Path work;

    StageRounds(BenchmarkTable table, Path work) {
        this.table = table;
        this.work = work;
    }

    void run(String label, long events, LocalDate day, URI uri) throws Exception {
        Path dir = work.resolve("stages");
        TestFiles.deleteTreeIfExists(dir);
        Spool spool = new Spool(dir.resolve("spool"));
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(
                new ClientSettings(uri, "1", Duration.ofSeconds(30), Duration.ofMinutes(5), 1, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), ClientSettings.DEFAULT_MAX_LINE_BYTES),
                new MixpanelCredentials(Secret.of(CliProcess.USER), Secret.of(CliProcess.SECRET), true, "benchmark"),
                RequestRecorder.NONE, d -> { }, ZoneOffset.UTC);
        ExportRequest request = new ExportRequest(day, day, List.of(), null, null, false);
        long t0 = System.nanoTime();
        client.fetch(request, spool);
        stage(label, events, "stage: download+spool (+tail check)", t0);

        t0 = System.nanoTime();
        long lines = 0;
        try (SpoolLineReader reader = new SpoolLineReader(spool.openLines(), 0, 1, SpoolLineReader.BATCH_BYTES,
                SpoolLineReader.MAX_LINE_BYTES)) {
            for (LineBatch b = reader.next(); b != null && !b.isEnd(); b = reader.next()) {
                lines += b.size();
                reader.recycle(b);
            }
        }
        stage(label, events, "stage: decompress+split lines", t0);

        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        t0 = System.nanoTime();
        long cpu0 = cpu.getCurrentThreadCpuTime();
        long parsed = convertAll(spool.openLines(), null, null);
        table.row(label, "stage: ... +parse (own thread)", List.of((System.nanoTime() - t0) / 1e9), events,
                String.format(Locale.ROOT, "consuming thread's CPU %.1f s", (cpu.getCurrentThreadCpuTime() - cpu0) / 1e9));

        // the limits to compare (-Dbenchmark.identityLimits, e.g. 50000,2000000: spilling, and all in memory)
        String limits = System.getProperty("benchmark.identityLimits", "");
        for (String limit : (limits.isBlank() ? String.valueOf(DayIdentities.memoryLimit()) : limits).split(",")) {
            identity(label, events, day, dir, cpu, Integer.parseInt(limit.strip()));
        }

        Path parquet = dir.resolve("out.parquet");
        for (String level : System.getProperty("benchmark.zstdLevels", "1").split(",")) {
            ParquetWriterOptions options = ParquetWriterOptions.defaults().withZstdLevel(Integer.parseInt(level.strip()));
            t0 = System.nanoTime();
            cpu0 = cpu.getCurrentThreadCpuTime();
            try (EventParquetWriter writer = new EventParquetWriter(new LocalStorage().newOutputFile(Location.of(parquet)),
                    options)) {
                convertAll(spool.openLines(), writer, null);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            table.row(label, "stage: ... +encode+write, zstd " + level, List.of(seconds), events,
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
            streamed = convertAll(fetch.nextAttempt(), writer, null);
        }
        table.row(label, "stage: all at once (as export does)", List.of((System.nanoTime() - t0) / 1e9), events,
                "parquet " + Files.size(parquet) / 1000 + " kB");
        Files.delete(parquet);
        if (lines != events || parsed != events || streamed != events) {
            table.problem(label + ": expected " + events + " events, read " + lines + " lines, parsed " + parsed
                    + ", converted while downloading " + streamed);
        }
        TestFiles.deleteTreeIfExists(dir);
    }

    /**
     * The day's identity mappings as a day step derives them, on this thread: every parsed event offered
     * (parsing is the reader's thread's), then the rows merged from the spills and memory and written to
     * Parquet; this thread's CPU for each half.
     */
    private void identity(String label, long events, LocalDate day, Path dir, ThreadMXBean cpu, int limit)
            throws IOException {
        Spool spool = new Spool(dir.resolve("spool"));
        long t0 = System.nanoTime();
        long cpu0 = cpu.getCurrentThreadCpuTime();
        try (DayIdentities ids = new DayIdentities(dir.resolve("identity-spill"), limit)) {
            convertAll(spool.openLines(), null, ids);
            long cpu1 = cpu.getCurrentThreadCpuTime();
            IdentityPublisher publisher = new IdentityPublisher(new LocalStorage(),
                    new IdentityLayout(Location.of(dir.resolve("identity")), "1"), ParquetWriterOptions.defaults());
            IdentityManifest m = publisher.stage(day, "bench", "bench", ids);
            table.row(label, "stage: ... +parse +identity mappings", List.of((System.nanoTime() - t0) / 1e9), events,
                    String.format(Locale.ROOT, "%d mappings (%d kB of Parquet), %d spills of %d in memory (%d MB); CPU offer %.1f s, merge+write %.1f s",
                            m.rows(), CliProcess.parquetBytes(dir.resolve("identity")) / 1000, ids.spills(), limit, ids.spilledBytes() >> 20,
                            (cpu1 - cpu0) / 1e9, (cpu.getCurrentThreadCpuTime() - cpu1) / 1e9));
        }
    }

    /**
     * Reads, parses (on the reader's thread, as {@link DayLineReader} does) and optionally writes every event
     * and offers it to {@code identities}.
     */
    private static long convertAll(InputStream decoded, EventParquetWriter writer, DayIdentities identities)
            throws IOException {
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
                    if (identities != null) {
                        identities.offer(b.event(i));
                    }
                    n++;
                }
                reader.recycle(b);
            }
        }
        return n;
    }

    private void stage(String label, long events, String what, long t0) {
        table.row(label, what, List.of((System.nanoTime() - t0) / 1e9), events, "");
    }
}
