package io.mixpanelpipelines.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/** The benchmark's generated day shapes are what they claim: valid, sized, on their day, repeatable. */
class DayShapesTests {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 15);
    private static final int EVENTS = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"web, 700, 850, 20, 32", "mobile, 1500, 2000, 30, 45"})
    void linesAreValidEventsOfTheirDayAndSize(String shape, int minBytes, int maxBytes, int minKeys, int maxKeys)
            throws Exception {
        SyntheticEvents events = BenchmarkBodies.events(shape);
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        JsonFactory json = new JsonFactory();
        long bytes = 0;
        long keys = 0;
        int nested = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            sb.setLength(0);
            events.appendLine(sb, DAY, i);
            byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
            bytes += line.length;
            ParsedEvent event = parser.parse(line, 0, line.length - 1);
            assertThat(event.eventDate()).isEqualTo(DAY);
            assertThat(event.insertId()).isNotBlank();
            assertThat(event.distinctId()).isNotBlank();
            assertThat(event.hasMpProcessingTime()).isTrue();
            int depth = 0;
            try (JsonParser p = json.createParser(line, 0, line.length - 1)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        depth++;
                        if (depth > 2 && t == JsonToken.START_OBJECT) {
                            nested++;
                        }
                    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (t == JsonToken.PROPERTY_NAME && depth == 2) {
                        keys++;
                    }
                }
            }
        }
        assertThat(bytes / EVENTS).isBetween((long) minBytes, (long) maxBytes);
        assertThat(keys / EVENTS).isBetween((long) minKeys, (long) maxKeys);
        if (shape.equals("mobile")) {
            assertThat(nested / EVENTS).as("nested objects per event").isGreaterThanOrEqualTo(5);
        } else {
            assertThat(nested).as("the web day is flat but for the odd cart").isLessThan(EVENTS / 5);
        }
    }

    @ParameterizedTest
    @CsvSource({"web", "mobile"})
    void aWindowBodyHoldsEachDayByteForByteAsItsOwnBodyDoes(String shape) throws Exception {
        BenchmarkBodies bodies = new BenchmarkBodies(dir);
        List<String> window = lines(bodies.body(shape, 50, DAY.minusDays(2), DAY));
        List<String> days = new ArrayList<>();
        for (LocalDate d = DAY.minusDays(2); !d.isAfter(DAY); d = d.plusDays(1)) {
            List<String> day = lines(bodies.body(shape, 50, d, d));
            assertThat(day).hasSize(50);
            days.addAll(day);
        }
        assertThat(window).isEqualTo(days);
        assertThat(lines(bodies.body(shape, 50, DAY, DAY))).doesNotContainAnyElementsOf(days.subList(0, 100));
        assertThat(bodies.has(shape, 50, DAY.minusDays(2), DAY)).isTrue();
    }

    private static List<String> lines(Path gz) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
