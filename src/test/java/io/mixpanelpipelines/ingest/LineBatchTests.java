package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.convert.json.EventDayPeek;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineBatchTests {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final long D = LocalDate.parse("2026-01-10").toEpochDay();

    private static String line(long day, String rest) {
        return "{\"event\":\"e\",\"properties\":{\"time\":" + (day * 86_400 + 600) + rest + "}}";
    }

    @Test
    void aLineOfADayToOnlyHashIsHashedNotParsedAndEveryOtherIsParsed() {
        List<String> lines = List.of(
                line(D, ",\"a\":1"), // only hashed
                line(D + 1, ",\"a\":1"), // another day, no second time: only hashed
                line(D, ",\"x\":{\"time\":1}"), // a day settled by its hash: only hashed, whatever follows
                line(D, ",\"a\":tru"), // only hashed, though malformed: nothing looks at it
                "{\"event\":\"e\"}", // not the export's shape: parsed, rejected
                line(D + 1, ",\"time\":" + (D * 86_400 + 5))); // another day with a second time: parsed (day D)
        LineBatch batch = LineBatch.withCapacity(1 << 16, 1 << 16);
        for (int i = 0; i < lines.size(); i++) {
            byte[] b = lines.get(i).getBytes(StandardCharsets.UTF_8);
            int start = batch.used();
            batch.append(b, 0, b.length);
            batch.add(start, b.length, i + 1, start, start + b.length + 1);
        }

        batch.parse(new MixpanelEventParser(ZONE, false), new EventDayPeek(ZONE, false), d -> d == D);

        assertThat(List.of(batch.isPeeked(0), batch.isPeeked(1), batch.isPeeked(2), batch.isPeeked(3), batch.isPeeked(4),
                batch.isPeeked(5))).containsExactly(true, true, true, true, false, false);
        assertThat(batch.error(3)).isNull();
        assertThat(batch.error(4)).isNotNull();
        assertThat(batch.error(5)).isNull();
        assertThat(batch.epochDay(5)).as("the parser's day: the last time").isEqualTo(D);
        for (int i = 0; i < 4; i++) {
            assertThat(batch.epochDay(i)).as("line %d", i).isEqualTo(i == 1 ? D + 1 : D);
            // a line of a day settled by its hash is hashed; one only peeked of another day is not (no sum counts it)
            assertThat(batch.hash(i)).as("line %d", i)
                    .isEqualTo(i == 1 ? 0 : LineHash.hash(batch.buffer(), batch.start(i), batch.length(i)));
        }
        assertThat(batch.hash(5)).as("a parsed line is hashed").isEqualTo(LineHash.hash(batch.buffer(), batch.start(5), batch.length(5)));

        batch.parse(new MixpanelEventParser(ZONE, false));
        assertThat(batch.isPeeked(0)).as("a plain parse parses every line").isFalse();
        assertThat(batch.error(3)).isNotNull();
        assertThat(batch.epochDay(0)).isEqualTo(D);
    }
}
