package io.mixpanelpipelines.benchmark;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.support.SampleEvents;
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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/**
 * Prints single-thread throughput of parse and parse+write for ~750-byte events (not asserted: shared CI
 * machines vary). The Jackson figure is a baseline: only tokenizing each line with Jackson 3 streaming, less
 * work than our parser does, to show what a Jackson-based parser would cost at best.
 *
 * <p>Takes about 20 s, so it only runs when asked:
 * {@code ./mvnw -B -q test -Dtest=ConvertThroughputTests -Dconvert.throughput=true}.
 */
@EnabledIfSystemProperty(named = "convert.throughput", matches = "true")
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

        // Best of several rounds: the first ones warm up the JIT, and the build machine is shared.
        long parseNanos = Long.MAX_VALUE;
        long jacksonNanos = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                parser.parse(data, starts[i], starts[i + 1] - starts[i], event);
            }
            parseNanos = Math.min(parseNanos, System.nanoTime() - t0);

            t0 = System.nanoTime();
            long tokens = 0;
            for (int i = 0; i < EVENTS; i++) {
                try (JsonParser p = jackson.createParser(data, starts[i], starts[i + 1] - starts[i])) {
                    while (p.nextToken() != null) {
                        tokens++;
                    }
                }
            }
            jacksonNanos = Math.min(jacksonNanos, System.nanoTime() - t0);
            assertThat(tokens).isPositive();
        }
        System.out.printf("[throughput] %d events of %.0f bytes, one thread: parse %s; jackson tokenize only %s%n",
                EVENTS, avgBytes, rate(parseNanos, data.length), rate(jacksonNanos, data.length));

        for (ParquetWriterOptions.Codec codec : ParquetWriterOptions.Codec.values()) {
            long writeNanos = Long.MAX_VALUE;
            long size = 0;
            for (int round = 0; round < 3; round++) {
                Path file = dir.resolve("throughput-" + codec + ".parquet");
                long t0 = System.nanoTime();
                try (EventParquetWriter writer = new EventParquetWriter(new LocalStorage().newOutputFile(
                        Location.of(file)), ParquetWriterOptions.defaults().withCodec(codec))) {
                    for (int i = 0; i < EVENTS; i++) {
                        parser.parse(data, starts[i], starts[i + 1] - starts[i], event);
                        writer.write(event, data);
                    }
                }
                writeNanos = Math.min(writeNanos, System.nanoTime() - t0);
                size = Files.size(file);
                Files.delete(file);
            }
            System.out.printf("[throughput]   parse+write %s: %s; file %.1f MB (%.1fx smaller)%n",
                    codec, rate(writeNanos, data.length), size / 1e6, data.length / (double) size);
        }
    }

    private static String rate(long nanos, long bytes) {
        double seconds = nanos / 1e9;
        return String.format("%,.0f ev/s (%.0f MB/s)", EVENTS / seconds, bytes / 1e6 / seconds);
    }
}
