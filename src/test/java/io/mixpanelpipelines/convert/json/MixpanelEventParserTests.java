package io.mixpanelpipelines.convert.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MixpanelEventParserTests {

    private final MixpanelEventParser utc = new MixpanelEventParser(ZoneOffset.UTC, false);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ParsedEvent parse(MixpanelEventParser parser, String line) throws MalformedEventException {
        byte[] bytes = utf8(line);
        return parser.parse(bytes, 0, bytes.length);
    }

    private ParsedEvent parse(String line) throws MalformedEventException {
        return parse(utc, line);
    }

    @Test
    void extractsTheDocumentedExample() throws Exception {
        String props = "{\"time\":1602611311,\"distinct_id\":\"u1\",\"$insert_id\":\"hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb\","
                + "\"mp_processing_time_ms\":1602625711874}";
        ParsedEvent e = parse("{\"event\":\"Signed up\",\"properties\":" + props + "}");

        assertThat(e.eventName()).isEqualTo("Signed up");
        assertThat(e.time()).isEqualTo(Instant.ofEpochSecond(1602611311));
        assertThat(e.timeMicros()).isEqualTo(1602611311_000000L);
        assertThat(e.eventDate()).isEqualTo(LocalDate.of(2020, 10, 13));
        assertThat(e.distinctId()).isEqualTo("u1");
        assertThat(e.insertId()).isEqualTo("hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb");
        assertThat(e.deviceId()).isNull();
        assertThat(e.userId()).isNull();
        assertThat(e.mpProcessingTimeMicros()).isEqualTo(1602625711874_000L);
        assertThat(e.propertiesJson()).isEqualTo(props);
    }

    @Test
    void propertiesIsTheExactSliceOfTheInput() throws Exception {
        String props = "{ \"time\" : 1, \"big\": 123456789012345678901234567890, \"Plan\":\"a\", \"plan\":\"b\","
                + " \"with space\":1, \"a.b\":2, \"$lib\":\"x\", \"ключ\":\"значение 😀\", \"esc\":\"q\\\"b\\\\s\\u0000\\/\\ud83d\\ude00\","
                + " \"f\": 1.50e+3, \"list\":[1,[2,{}],null,true,false], \"obj\":{\"time\":99,\"distinct_id\":\"nested\"} }";
        String line = "  {\"other\":[1,2],\"properties\":" + props + ",\"event\":\"e\"}\r\n";
        byte[] bytes = utf8(line);
        ParsedEvent e = utc.parse(bytes, 0, bytes.length);

        assertThat(e.propertiesJson()).isEqualTo(props);
        assertThat(new String(bytes, e.propertiesOffset(), e.propertiesLength(), StandardCharsets.UTF_8)).isEqualTo(props);
        assertThat(e.timeMicros()).isEqualTo(1_000_000L);
        assertThat(e.distinctId()).as("nested distinct_id must be ignored").isNull();
    }

    @Test
    void parsesAWindowOfALargerBuffer() throws Exception {
        byte[] bytes = utf8("garbage{\"event\":\"a\",\"properties\":{\"time\":5}}garbage");
        ParsedEvent e = utc.parse(bytes, 7, bytes.length - 14);
        assertThat(e.eventName()).isEqualTo("a");
        assertThat(e.propertiesOffset()).isEqualTo(7 + 26);
        assertThat(e.propertiesJson()).isEqualTo("{\"time\":5}");
    }

    @Test
    void nestedTimeIsIgnored() {
        assertThatThrownBy(() -> parse("{\"event\":\"a\",\"properties\":{\"x\":{\"time\":5}}}"))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("no 'properties.time'");
    }

    @Test
    void decodesEscapesInStrings() throws Exception {
        ParsedEvent e = parse("{\"event\":\"a\\\"b\\\\c\\/d\\u0000e\\ud83d\\ude00\\u00e9\\n\",\"properties\":{\"time\":1,"
                + "\"distinct_id\":\"\\u0075\\u0031\",\"$user_id\":\"lone \\ud800 surrogate\"}}");
        assertThat(e.eventName()).isEqualTo("a\"b\\c/d\u0000e😀é\n");
        assertThat(e.distinctId()).isEqualTo("u1");
        assertThat(e.userId()).isEqualTo("lone \uFFFD surrogate");
    }

    @Test
    void brokenSurrogateEscapesAreRepairedInACopyOfThePropertiesOnly() throws Exception {
        String line = "{\"event\":\"cut \\ud83d\",\"properties\":{\"time\":1,\"$user_id\":\"\\uDFAA\","
                + "\"s\":\"emoji \\ud83d\\ude00 cut \\ud83d\",\"k\\udc00\":[\"\\ud800\\u0061\"]}}";
        byte[] bytes = utf8(line);
        byte[] before = bytes.clone();
        ParsedEvent e = new ParsedEvent();
        utc.parse(bytes, 0, bytes.length, e);

        assertThat(e.repaired()).isTrue();
        assertThat(e.propertiesJson()).isEqualTo("{\"time\":1,\"$user_id\":\"\\ufffd\","
                + "\"s\":\"emoji \\ud83d\\ude00 cut \\ufffd\",\"k\\ufffd\":[\"\\ufffd\\u0061\"]}");
        assertThat(e.eventName()).isEqualTo("cut \uFFFD");
        assertThat(e.userId()).isEqualTo("\uFFFD");
        assertThat(bytes).as("the line itself is left as it was").isEqualTo(before);

        byte[] clean = utf8("{\"event\":\"e\",\"properties\":{\"time\":1,\"s\":\"\\ud83d\\ude00\"}}");
        utc.parse(clean, 0, clean.length, e);
        assertThat(e.repaired()).isFalse();
        assertThat(e.propertiesBuffer()).isSameAs(clean);
        assertThat(e.propertiesJson()).isEqualTo("{\"time\":1,\"s\":\"\\ud83d\\ude00\"}");
    }

    @Test
    void escapedKeysAreMatchedByTheirDecodedName() throws Exception {
        ParsedEvent e = parse("{\"\\u0065vent\":\"a\",\"properties\":{\"ti\\u006de\":7,\"\\u0024insert_id\":\"i\"}}");
        assertThat(e.eventName()).isEqualTo("a");
        assertThat(e.timeMicros()).isEqualTo(7_000_000L);
        assertThat(e.insertId()).isEqualTo("i");
    }

    @Test
    void unicodeStringsAreDecoded() throws Exception {
        ParsedEvent e = parse("{\"event\":\"Заказ 注文 😀\",\"properties\":{\"time\":1,\"$device_id\":\"ü\"}}");
        assertThat(e.eventName()).isEqualTo("Заказ 注文 😀");
        assertThat(e.deviceId()).isEqualTo("ü");
    }

    @Test
    void identifiersOfOtherTypesKeepTheirJsonText() throws Exception {
        ParsedEvent e = parse("{\"event\":\"a\",\"properties\":{\"time\":1,\"distinct_id\":12345,"
                + "\"$insert_id\":123456789012345678901234567890,\"$device_id\":{\"a\": [1, 2]},\"$user_id\":true}}");
        assertThat(e.distinctId()).isEqualTo("12345");
        assertThat(e.insertId()).isEqualTo("123456789012345678901234567890");
        assertThat(e.deviceId()).isEqualTo("{\"a\": [1, 2]}");
        assertThat(e.userId()).isEqualTo("true");

        ParsedEvent f = parse("{\"event\":\"a\",\"properties\":{\"time\":1,\"distinct_id\":null,\"$user_id\":[\"x\"],"
                + "\"mp_processing_time_ms\":null}}");
        assertThat(f.distinctId()).isNull();
        assertThat(f.userId()).isEqualTo("[\"x\"]");
        assertThat(f.mpProcessingTimeMicros()).isNull();
        assertThat(f.hasMpProcessingTime()).isFalse();
    }

    @Test
    void caseDifferingKeysAreDistinct() throws Exception {
        ParsedEvent e = parse("{\"event\":\"a\",\"properties\":{\"Time\":99,\"time\":1,\"Distinct_id\":\"no\",\"$Insert_id\":\"no\"}}");
        assertThat(e.timeMicros()).isEqualTo(1_000_000L);
        assertThat(e.distinctId()).isNull();
        assertThat(e.insertId()).isNull();
    }

    @Test
    void missingOptionalFieldsAreNull() throws Exception {
        ParsedEvent e = parse("{\"event\":\"a\",\"properties\":{\"time\":1}}");
        assertThat(e.distinctId()).isNull();
        assertThat(e.insertId()).isNull();
        assertThat(e.deviceId()).isNull();
        assertThat(e.userId()).isNull();
        assertThat(e.mpProcessingTimeMicros()).isNull();
    }

    @Test
    void reusingAnEventClearsThePreviousValues() throws Exception {
        ParsedEvent e = new ParsedEvent();
        byte[] first = utf8("{\"event\":\"a\",\"properties\":{\"time\":1,\"distinct_id\":\"u\",\"$user_id\":\"x\",\"mp_processing_time_ms\":5}}");
        utc.parse(first, 0, first.length, e);
        byte[] second = utf8("{\"event\":\"b\",\"properties\":{\"time\":2}}");
        utc.parse(second, 0, second.length, e);
        assertThat(e.eventName()).isEqualTo("b");
        assertThat(e.distinctId()).isNull();
        assertThat(e.userId()).isNull();
        assertThat(e.mpProcessingTimeMicros()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
            "1602611311.5, 1602611311500000",
            "1602611311.123456789, 1602611311123456",
            "1602611311.0000001, 1602611311000000",
            "1.6026113115e9, 1602611311500000",
            "0, 0",
            "-1.5, -1500000",
            "-0.0000001, -1",
            "1e-999999999, 0",
            "-1e-999999999, -1",
            "16026113115E-1, 1602611311500000",
            "0.0000000000000000000000001602611311e34, 1602611311000000",
    })
    void secondsWithDecimals(String time, long micros) throws Exception {
        assertThat(parse("{\"event\":\"a\",\"properties\":{\"time\":" + time + "}}").timeMicros()).isEqualTo(micros);
    }

    @Test
    void millisecondMode() throws Exception {
        MixpanelEventParser ms = new MixpanelEventParser(ZoneOffset.UTC, true);
        assertThat(parse(ms, "{\"event\":\"a\",\"properties\":{\"time\":1602611311874}}").timeMicros())
                .isEqualTo(1602611311874_000L);
        assertThat(parse(ms, "{\"event\":\"a\",\"properties\":{\"time\":1602611311874.25}}").timeMicros())
                .isEqualTo(1602611311874_250L);
    }

    @Test
    void processingTimeKeepsFractionsOfMilliseconds() throws Exception {
        assertThat(parse("{\"event\":\"a\",\"properties\":{\"time\":1,\"mp_processing_time_ms\":1602625711874.5}}")
                .mpProcessingTimeMicros()).isEqualTo(1602625711874_500L);
    }

    @Test
    void utcNamedZonesAreTrueEpochs() throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneId.of("UTC"), false);
        ParsedEvent e = parse(parser, "{\"event\":\"a\",\"properties\":{\"time\":1602633599}}");
        assertThat(e.time()).isEqualTo(Instant.parse("2020-10-13T23:59:59Z"));
        assertThat(e.eventDate()).isEqualTo(LocalDate.of(2020, 10, 13));
    }

    /** Local seconds: the wall-clock time in the project zone, written as if it were UTC. */
    private static long localSeconds(String wallClock) {
        return java.time.LocalDateTime.parse(wallClock).toEpochSecond(ZoneOffset.UTC);
    }

    @ParameterizedTest
    @CsvSource({
            // ordinary winter and summer times
            "America/New_York, 2021-01-15T10:00:00, 2021-01-15T15:00:00Z, 2021-01-15",
            "America/New_York, 2021-07-15T10:00:00, 2021-07-15T14:00:00Z, 2021-07-15",
            "America/New_York, 2021-07-15T23:30:00, 2021-07-16T03:30:00Z, 2021-07-15",
            // spring forward 2021-03-14 02:00 -> 03:00: 02:30 does not exist, it moves forward by the gap
            "America/New_York, 2021-03-14T01:59:59, 2021-03-14T06:59:59Z, 2021-03-14",
            "America/New_York, 2021-03-14T02:30:00, 2021-03-14T07:30:00Z, 2021-03-14",
            "America/New_York, 2021-03-14T03:00:00, 2021-03-14T07:00:00Z, 2021-03-14",
            // fall back 2021-11-07 02:00 -> 01:00: 01:30 happens twice, the earlier offset (EDT) wins
            "America/New_York, 2021-11-07T00:59:59, 2021-11-07T04:59:59Z, 2021-11-07",
            "America/New_York, 2021-11-07T01:30:00, 2021-11-07T05:30:00Z, 2021-11-07",
            "America/New_York, 2021-11-07T02:00:00, 2021-11-07T07:00:00Z, 2021-11-07",
            "America/New_York, 2021-11-08T00:00:00, 2021-11-08T05:00:00Z, 2021-11-08",
            // Berlin: spring forward 2021-03-28 02:00 -> 03:00, fall back 2021-10-31 03:00 -> 02:00
            "Europe/Berlin, 2021-03-28T00:30:00, 2021-03-27T23:30:00Z, 2021-03-28",
            "Europe/Berlin, 2021-03-28T02:15:00, 2021-03-28T01:15:00Z, 2021-03-28",
            "Europe/Berlin, 2021-03-28T12:00:00, 2021-03-28T10:00:00Z, 2021-03-28",
            "Europe/Berlin, 2021-10-31T02:30:00, 2021-10-31T00:30:00Z, 2021-10-31",
            "Europe/Berlin, 2021-10-31T03:30:00, 2021-10-31T02:30:00Z, 2021-10-31",
    })
    void localSecondsAreConvertedWithTheZoneRules(String zone, String wallClock, String utcInstant, String date)
            throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneId.of(zone), false);
        ParsedEvent e = parse(parser, "{\"event\":\"a\",\"properties\":{\"time\":" + localSeconds(wallClock) + "}}");
        assertThat(e.time()).isEqualTo(Instant.parse(utcInstant));
        assertThat(e.eventDate()).isEqualTo(LocalDate.parse(date));
    }

    @Test
    void sameDayCacheDoesNotLeakAcrossDays() throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneId.of("America/New_York"), false);
        String[][] cases = {
                {"2021-03-13T12:00:00", "2021-03-13T17:00:00Z"},
                {"2021-03-14T12:00:00", "2021-03-14T16:00:00Z"},
                {"2021-03-13T13:00:00", "2021-03-13T18:00:00Z"},
                {"2021-03-14T00:30:00", "2021-03-14T05:30:00Z"},
                {"2021-03-15T00:30:00", "2021-03-15T04:30:00Z"},
        };
        for (String[] c : cases) {
            ParsedEvent e = parse(parser, "{\"event\":\"a\",\"properties\":{\"time\":" + localSeconds(c[0]) + ".25}}");
            assertThat(e.time()).as(c[0]).isEqualTo(Instant.parse(c[1]).plusMillis(250));
        }
    }

    @Test
    void longLines() throws Exception {
        for (int size : new int[] {70 * 1024, 5 * 1024 * 1024}) {
            StringBuilder props = new StringBuilder("{\"time\":1,\"distinct_id\":\"u\",\"blob\":\"");
            while (props.length() < size) {
                props.append("abcdefghij\\u00e9😀 ");
            }
            props.append("\",\"list\":[");
            for (int i = 0; i < 1000; i++) {
                props.append(i).append(',');
            }
            props.append("0],\"$insert_id\":\"last\"}");
            String line = "{\"event\":\"big\",\"properties\":" + props + "}";
            ParsedEvent e = parse(line);
            assertThat(e.propertiesJson()).isEqualTo(props.toString());
            assertThat(e.insertId()).isEqualTo("last");
            assertThat(e.propertiesLength()).isGreaterThan(size);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "terminated early | not a JSON object",
            "export terminated early | not a JSON object",
            "`` | empty line",
            "[1,2] | not a JSON object",
            "{\"event\":\"a\",\"properties\":{\"time\":1} | truncated line",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":\"abc | truncated line",
            "{\"event\":\"a\",\"properties\":{\"time\":1}}x | trailing content",
            "{\"event\":\"a\",\"properties\":{\"time\":1}}{} | trailing content",
            "{\"properties\":{\"time\":1}} | no 'event'",
            "{\"event\":\"a\"} | no 'properties'",
            "{\"event\":\"a\",\"properties\":{}} | no 'properties.time'",
            "{\"event\":1,\"properties\":{\"time\":1}} | 'event' is not a string",
            "{\"event\":null,\"properties\":{\"time\":1}} | 'event' is not a string",
            "{\"event\":\"a\",\"properties\":[1]} | 'properties' is not an object",
            "{\"event\":\"a\",\"properties\":\"{}\"} | 'properties' is not an object",
            "{\"event\":\"a\",\"properties\":{\"time\":\"1\"}} | 'properties.time' is not a number",
            "{\"event\":\"a\",\"properties\":{\"time\":null}} | 'properties.time' is not a number",
            "{\"event\":\"a\",\"properties\":{\"time\":1e300}} | out of range",
            "{\"event\":\"a\",\"properties\":{\"time\":99999999999999}} | out of range",
            "{\"event\":\"a\",\"properties\":{\"time\":1e99999999999}} | out of range",
            "{\"event\":\"a\",\"properties\":{\"time\":1e999999999}} | out of range",
            // a power of ten small enough for BigInteger (10^99999999) took minutes to compute and then reject
            "{\"event\":\"a\",\"properties\":{\"time\":1e99999999}} | out of range",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"mp_processing_time_ms\":17e31234567}} | out of range",
            "{\"event\":\"a\",\"properties\":{\"time\":01}} | expected ',' or '}'",
            "{\"event\":\"a\",\"properties\":{\"time\":1.}} | invalid number",
            "{\"event\":\"a\",\"properties\":{\"time\":1,}} | expected a key",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":tru}} | expected 'true'",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":[1,]}} | unexpected character",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":\"\\q\"}} | invalid escape",
            "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":\"\\u12G4\"}} | invalid \\u escape",
            "{\"event\":\"a\" \"properties\":{\"time\":1}} | expected ',' or '}'",
            "{'event':'a'} | expected a key",
    })
    void malformedLinesAreRejectedWithAReason(String line, String reason) {
        assertThatThrownBy(() -> parse(line))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void rawControlCharactersAndBadUtf8AreRejected() {
        byte[] control = utf8("{\"event\":\"a\tb\",\"properties\":{\"time\":1}}");
        assertThatThrownBy(() -> utc.parse(control, 0, control.length)).hasMessageContaining("control character");
        byte[] badUtf8 = utf8("{\"event\":\"ab\",\"properties\":{\"time\":1}}");
        badUtf8[11] = (byte) 0xC3; // a lead byte followed by the closing quote
        assertThatThrownBy(() -> utc.parse(badUtf8, 0, badUtf8.length)).hasMessageContaining("invalid UTF-8");
        byte[] overlong = utf8("{\"event\":\"ab\",\"properties\":{\"time\":1}}");
        overlong[10] = (byte) 0xC0;
        overlong[11] = (byte) 0xAF;
        assertThatThrownBy(() -> utc.parse(overlong, 0, overlong.length)).hasMessageContaining("invalid UTF-8");
    }

    @Test
    void everySpecialByteIsSeenAtEveryPositionOfAnEightByteStep() throws Exception {
        // The string scanner steps 8 bytes at a time: put each kind of special byte at every offset of
        // a step, and at the unaligned tail, in a distinct_id whose decoded value is then checked.
        for (int prefix = 0; prefix < 20; prefix++) {
            for (int suffix = 0; suffix < 10; suffix++) {
                String head = "a".repeat(prefix);
                String tail = "b".repeat(suffix);
                assertThat(parse("{\"event\":\"e\",\"properties\":{\"time\":1,\"distinct_id\":\"" + head
                        + "\\\"é😀\\n" + tail + "\"}}").distinctId()).isEqualTo(head + "\"é😀\n" + tail);
                byte[] control = utf8("{\"event\":\"e\",\"properties\":{\"time\":1,\"distinct_id\":\"" + head
                        + "\u0001" + tail + "\"}}");
                assertThatThrownBy(() -> utc.parse(control, 0, control.length)).hasMessageContaining("control character");
                byte[] badUtf8 = utf8("{\"event\":\"e\",\"properties\":{\"time\":1,\"distinct_id\":\"" + head
                        + "x" + tail + "\"}}");
                badUtf8[badUtf8.length - 3 - suffix - 1] = (byte) 0xFF; // the x
                assertThatThrownBy(() -> utc.parse(badUtf8, 0, badUtf8.length)).hasMessageContaining("invalid UTF-8");
                byte[] unterminated = utf8("{\"event\":\"e\",\"properties\":{\"time\":1,\"distinct_id\":\"" + head);
                assertThatThrownBy(() -> utc.parse(unterminated, 0, unterminated.length))
                        .hasMessageContaining("unterminated string");
            }
        }
    }

    @Test
    void propertiesNestAtMost500LevelsTheStrictestWarehouseLimit() throws Exception {
        String ok = "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":" + "[".repeat(499) + "1" + "]".repeat(499) + "}}";
        assertThat(parse(ok).propertiesJson()).endsWith("]}");
        String deeper = "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":" + "[".repeat(500) + "]".repeat(500) + "}}";
        assertThatThrownBy(() -> parse(deeper)).hasMessageContaining("nesting deeper than 500 levels");
    }

    @Test
    void deepNestingIsRejectedWithoutStackOverflow() {
        String deep = "[".repeat(100_000);
        assertThatThrownBy(() -> parse("{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":" + deep + "}}"))
                .hasMessageContaining("nesting deeper");
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 5 * 1024 * 1024})
    void messagesNeverContainTheLine(int size) {
        String line = "{\"event\":\"a\",\"properties\":{\"secret\":\"" + "s".repeat(size) + "\"}}";
        assertThatThrownBy(() -> parse(line))
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain("sss").hasSizeLessThan(200));
    }
}
