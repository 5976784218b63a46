package io.mixpanelpipelines.convert.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EventDayPeek}'s promise: for every line the parser accepts, a day it reads is the parser's day unless
 * the line has a second time or properties key, which {@link EventDayPeek#mayHideAnotherKey} never misses; and
 * it does read the shape Mixpanel exports (else it would save nothing).
 */
class EventDayPeekTests {

    private static final long DAY = LocalDate.parse("2026-03-08").toEpochDay(); // DST starts in Los Angeles
    private static final long T = DAY * 86_400 + 7_200; // 02:00 local: inside the spring-forward gap there

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The parser's day, or null when it rejects the line. */
    private static Long parsed(MixpanelEventParser parser, String line) {
        byte[] b = utf8(line);
        try {
            return parser.parse(b, 0, b.length).eventEpochDay();
        } catch (MalformedEventException e) {
            return null;
        }
    }

    private static long peeked(EventDayPeek peek, String line) {
        byte[] b = utf8(line);
        return peek.epochDay(b, 0, b.length);
    }

    /**
     * The promise, on one line: a day read is the parser's day whenever the parser accepts the line and
     * {@link EventDayPeek#mayHideAnotherKey} says no. Returns whether the peek and the parser disagree.
     */
    private static boolean assertKept(ZoneId zone, boolean ms, String line) {
        Long day = parsed(new MixpanelEventParser(zone, ms), line);
        EventDayPeek peek = new EventDayPeek(zone, ms);
        byte[] b = utf8(line);
        long peeked = peek.epochDay(b, 0, b.length);
        if (day == null || peeked == EventDayPeek.UNSURE || peeked == day) {
            return false;
        }
        assertThat(peek.mayHideAnotherKey(b, 0, b.length)).as("%s: peek %d, parser %d", line, peeked, day).isTrue();
        return true;
    }

    private static boolean mayHide(String line) {
        EventDayPeek peek = new EventDayPeek(ZoneId.of("UTC"), false);
        byte[] b = utf8(line);
        assertThat(peek.epochDay(b, 0, b.length)).as(line).isNotEqualTo(EventDayPeek.UNSURE);
        return peek.mayHideAnotherKey(b, 0, b.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"})
    void readsTheDayOfTheExportShapeAsTheParserDoes(String zoneId) {
        ZoneId zone = ZoneId.of(zoneId);
        Random random = new Random(zoneId.hashCode());
        for (boolean ms : new boolean[] {false, true}) {
            EventDayPeek peek = new EventDayPeek(zone, ms);
            MixpanelEventParser parser = new MixpanelEventParser(zone, ms);
            for (int i = 0; i < 2_000; i++) {
                String line = SampleEvents.realistic(random, i);
                long time = (DAY - 2) * 86_400 + random.nextInt(5 * 86_400);
                line = line.replaceFirst("\"time\":[0-9]+", "\"time\":" + (ms ? time * 1000 + random.nextInt(1000) : time));
                long day = peeked(peek, line);
                assertThat(day).as(line).isNotEqualTo(EventDayPeek.UNSURE).isEqualTo(parsed(parser, line));
            }
        }
    }

    @Test
    void isUnsureOutsideTheExportShape() {
        EventDayPeek peek = new EventDayPeek(ZoneId.of("UTC"), false);
        List<String> unsure = List.of(
                "{\"event\":\"e\",\"properties\":{\"time\":" + T + ".5}}", // decimals
                "{\"event\":\"e\",\"properties\":{\"time\":-" + T + "}}",
                "{\"event\":\"e\",\"properties\":{\"time\":1e9}}",
                "{\"event\":\"e\",\"properties\":{\"time\":99999999999999}}", // after year 9999
                "{\"event\":\"e\",\"properties\":{\"time\": " + T + "}}",
                " {\"event\":\"e\",\"properties\":{\"time\":" + T + "}}",
                "{\"properties\":{\"time\":" + T + "},\"event\":\"e\"}",
                "{\"event\":\"e\",\"properties\":{\"distinct_id\":\"u\",\"time\":" + T + "}}",
                "{\"event\":\"e\",\"properties\":{\"\\u0074ime\":" + T + "}}",
                "{\"event\":\"e\",\"properties\":{\"time\":\"" + T + "\"}}",
                "{\"event\":\"e\",\"properties\":{\"time\":" + T, // cut short
                "{\"event\":\"e");
        byte[] plain = utf8("{\"event\":\"e\",\"properties\":{\"time\":" + T + ",\"a\":1}}");
        for (String line : unsure) {
            assertThat(peeked(peek, line)).as(line).isEqualTo(EventDayPeek.UNSURE);
            byte[] b = utf8(line);
            assertThat(peek.mayHideAnotherKey(b, 0, b.length)).as("asked after no day: " + line).isTrue();
            assertThat(peek.mayHideAnotherKey(plain, 0, plain.length)).as("asked of another line").isTrue();
        }
        String head = "{\"event\":\"e\",\"properties\":{\"time\":" + T;
        assertThat(mayHide(head + ",\"$time\":1,\"timezone\":\"time\\n\\u00e9\\\"\",\"pro\":\"times\"}}"))
                .as("texts that only look alike").isFalse();
        assertThat(mayHide(head + ",\"nested\":{\"time\":1}}}")).as("a nested time: maybe").isTrue();
        assertThat(peeked(peek, head + ",\"nested\":{\"time\":1},\"$time\":1,\"pro\":\"times\"}}"))
                .as("only a top-level time counts").isEqualTo(DAY).isEqualTo(parsed(new MixpanelEventParser(ZoneId.of("UTC"), false),
                        head + ",\"nested\":{\"time\":1},\"$time\":1,\"pro\":\"times\"}}"));
        assertThat(peeked(peek, "{\"event\":\"a \\\"quoted\\\\\\\" name\",\"properties\":{\"time\":" + T + "}}"))
                .isEqualTo(DAY);
    }

    /**
     * Where a line has a second time (or properties) key, the parser takes the last one and the peek the first:
     * the day given is not the parser's, and {@link EventDayPeek#mayHideAnotherKey} says so. Mixpanel's export
     * never writes such a line (WindowSplitterTests: where it goes).
     */
    @Test
    void readsTheFirstTimeOfALineWithTwo() {
        EventDayPeek peek = new EventDayPeek(ZoneId.of("UTC"), false);
        MixpanelEventParser parser = new MixpanelEventParser(ZoneId.of("UTC"), false);
        String head = "{\"event\":\"e\",\"properties\":{\"time\":" + T;
        for (String line : List.of(head + ",\"a\":1,\"time\":86400}}", head + ",\"a\":1,\"ti\\u006De\":86400}}",
                head + "},\"properties\":{\"time\":86400}}")) {
            assertThat(peeked(peek, line)).as(line).isEqualTo(DAY);
            assertThat(parsed(parser, line)).as(line).isEqualTo(1L);
            assertThat(mayHide(line)).as(line).isTrue();
        }
    }

    @Test
    void aLineItReadsMayStillBeOneTheParserRejects() {
        String line = "{\"event\":\"e\",\"properties\":{\"time\":" + T + ",\"a\":tru}}";
        assertThat(peeked(new EventDayPeek(ZoneId.of("UTC"), false), line)).isEqualTo(DAY);
        assertThat(parsed(new MixpanelEventParser(ZoneId.of("UTC"), false), line)).isNull();
    }

    /**
     * Export lines with snippets spliced in anywhere: wherever the parser accepts a line and the peek gives it
     * another day, {@link EventDayPeek#mayHideAnotherKey} says so.
     */
    @Test
    void disagreesWithTheParserOnlyWhereItSaysALineMayHideAnotherKey() {
        String[] snippets = {",\"time\":86400", ",\"time\":" + (T + 86_400), "\"time\"", ",\"\\u0074ime\":1",
            "},\"properties\":{\"time\":1}", ",\"properties\":{\"time\":1}", "\\u0074", "\\u00", "\"", "\\", "}", "{",
            ",", ":", " ", ".5", "e3", "-", "0", "\\\"", "\"t", "\"p", ",\"x\":{\"time\":1}"};
        Random random = new Random(8);
        int accepted = 0;
        int disagreed = 0;
        for (String zoneId : new String[] {"UTC", "America/Los_Angeles"}) {
            ZoneId zone = ZoneId.of(zoneId);
            for (int i = 0; i < 10_000; i++) {
                StringBuilder line = new StringBuilder(SampleEvents.realistic(random, i)
                        .replaceFirst("\"time\":[0-9]+", "\"time\":" + (T + random.nextInt(86_400) - 43_200)));
                for (int k = 1 + random.nextInt(2); k > 0; k--) {
                    line.insert(random.nextInt(line.length() + 1), snippets[random.nextInt(snippets.length)]);
                }
                String s = line.toString();
                if (parsed(new MixpanelEventParser(zone, false), s) != null) {
                    accepted++;
                }
                if (assertKept(zone, false, s)) {
                    disagreed++;
                }
            }
        }
        assertThat(accepted).as("some mutated lines are still valid events").isGreaterThan(1_000);
        assertThat(disagreed).as("some have a second time on another day").isGreaterThan(0);
    }
}
