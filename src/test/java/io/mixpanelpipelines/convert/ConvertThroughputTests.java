package io.mixpanelpipelines.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/**
 * Prints single-thread throughput of parse and parse+write for ~750-byte events (not asserted: shared CI
 * machines vary). The Jackson figure is a baseline: only tokenizing each line with Jackson 3 streaming, less
 * work than our parser does, to show what a Jackson-based parser would cost at best.
 */
class ConvertThroughputTests {

    private static final int EVENTS = 200_000;

    @TempDir
    Path dir;

    @Test
    void printsThroughput() throws Exception {
        Random random = new Random(7);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int[] starts = new int[EVENTS + 1];
        for (int i = 0; i < EVENTS; i++) {
            starts[i] = all.size();
            all.write(SampleEvents.realistic(random, i).getBytes(StandardCharsets.UTF_8));
        }
        starts[EVENTS] = all.size();
        byte[] data = all.toByteArray();
        double avgBytes = (double) data.length / EVENTS;

        MixpanelEventParser parser = new MixpanelEventParser(ZoneId.of("America/New_York"), false);
        ParsedEvent event = new ParsedEvent();
        JsonFactory jackson = new JsonFactory();

        for (int round = 0; round < 2; round++) { // the first round warms up the JIT
            long t0 = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                parser.parse(data, starts[i], starts[i + 1] - starts[i], event);
            }
            long parseNanos = System.nanoTime() - t0;

            t0 = System.nanoTime();
            long tokens = 0;
            for (int i = 0; i < EVENTS; i++) {
                try (JsonParser p = jackson.createParser(data, starts[i], starts[i + 1] - starts[i])) {
                    while (p.nextToken() != null) {
                        tokens++;
                    }
                }
            }
            long jacksonNanos = System.nanoTime() - t0;

            Path file = dir.resolve("throughput-" + round + ".parquet");
            t0 = System.nanoTime();
            try (EventParquetWriter writer = new EventParquetWriter(
                    new LocalStorage().newOutputFile(Location.of(file)), ParquetWriterOptions.defaults())) {
                for (int i = 0; i < EVENTS; i++) {
                    parser.parse(data, starts[i], starts[i + 1] - starts[i], event);
                    writer.write(event, data);
                }
            }
            long writeNanos = System.nanoTime() - t0;

            assertThat(tokens).isPositive();
            System.out.printf("[throughput round %d] %d events of %.0f bytes: parse %s, jackson tokenize only %s, "
                            + "parse+write zstd %s; file %.1f MB (%.1fx smaller)%n",
                    round, EVENTS, avgBytes, rate(parseNanos, data.length), rate(jacksonNanos, data.length),
                    rate(writeNanos, data.length), Files.size(file) / 1e6, data.length / (double) Files.size(file));
        }
    }

    private static String rate(long nanos, long bytes) {
        double seconds = nanos / 1e9;
        return String.format("%,.0f ev/s (%.0f MB/s)", EVENTS / seconds, bytes / 1e6 / seconds);
    }
}
