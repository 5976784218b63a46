package io.mixpanelpipelines.convert.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JsonScanner} on its own: value skipping, string ranges and decoding, numbers, broken surrogates. */
class JsonScannerTests {

    private final JsonScanner in = new JsonScanner();

    private JsonScanner at(String json) {
        byte[] b = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8); // a window of a larger buffer
        in.reset(b, 2, b.length - 4);
        return in;
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.5e+3", "\"s\"", "true", "false", "null", "[]", "{}", "[1,[2,{\"a\":[]}],null]",
            "{\"a\" : 1 , \"a\":2}", "\"\\ud83d\\ude00\""})
    void skipsAWholeValue(String json) throws Exception {
        JsonScanner s = at(json);
        s.skipValue(0);
        assertThat(s.pos).isEqualTo(s.end);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1,]|unexpected character where a value should be",
        "{\"a\"1}|expected ':' after a key",
        "[1 2]|expected ',' or ']' in an array",
        "tru|truncated line: expected 'true'",
        "01|",  // a valid 0, then the caller sees trailing content
        "1.|truncated line: invalid number",
        "-|truncated line: invalid number",
        "1e|truncated line: invalid number",
        "1.x|invalid number",
        "\"a\\x\"|invalid escape in a string",
        "\"\\u12G4\"|invalid \\u escape",
        "\"abc|truncated line: unterminated string"})
    void rejectsWithAReasonAndPosition(String json, String reason) throws Exception {
        JsonScanner s = at(json);
        if (reason == null) {
            s.skipValue(0);
            assertThat(s.pos).isLessThan(s.end);
            return;
        }
        assertThatThrownBy(() -> s.skipValue(0)).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith(reason)
                .satisfies(e -> assertThat(((MalformedEventException) e).position()).isBetween(0, json.length()));
    }

    @Test
    void nestingBeyondTheLimitIsRejected() {
        JsonScanner s = at("[".repeat(JsonScanner.MAX_DEPTH + 2) + "]".repeat(JsonScanner.MAX_DEPTH + 2));
        assertThatThrownBy(() -> s.skipValue(0)).hasMessageContaining("nesting deeper than 500");
        JsonScanner ok = at("[".repeat(JsonScanner.MAX_DEPTH) + "1" + "]".repeat(JsonScanner.MAX_DEPTH));
        assertThat(ok).satisfies(x -> x.skipValue(1)); // containers at levels 1..500, a scalar inside
    }

    @Test
    void aStringReportsItsContentRangeAndWhetherItHadEscapes() throws Exception {
        JsonScanner s = at("\"plain\"");
        s.scanString();
        assertThat(new String(s.buf, s.strStart, s.strEnd - s.strStart, StandardCharsets.UTF_8)).isEqualTo("plain");
        assertThat(s.strEscaped).isFalse();

        s = at("\"a\\n\\\"\\u00e9\\ud83d\\ude00\\/\"");
        s.scanString();
        assertThat(s.strEscaped).isTrue();
        byte[] out = new byte[s.strEnd - s.strStart];
        int n = s.decodeString(out);
        assertThat(new String(out, 0, n, StandardCharsets.UTF_8)).isEqualTo("a\n\"é😀/");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"\\ud83d\\ude00\"|",          // a pair
        "\"\\uD834\\uDD1E\\u0061\"|",   // a pair, then an ordinary escape
        "\"\\ud800\"|1",
        "\"\\uDFAA\"|1",
        "\"\\uD888\\u1234\"|1",
        "\"\\uDd1e\\uD834\"|1,7",        // inverted: both broken
        "\"\\uD800\\uD800\\uDC00\"|1",   // the second high surrogate pairs with the low one
        "\"x\\\\ud800\"|",               // an escaped backslash, then text
        "\"\\ud800\\n\"|1"})
    void brokenSurrogateEscapesAreRecordedWhereTheyStart(String json, String expected) throws Exception {
        JsonScanner s = at(json);
        s.scanString();
        int[] found = Arrays.stream(Arrays.copyOf(s.brokenAt, s.brokenCount)).map(p -> p - s.lineStart).toArray();
        int[] want = expected == null ? new int[0] : Arrays.stream(expected.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(found).containsExactly(want);
        assertThat(s.pos).isEqualTo(s.end);
    }

    @Test
    void resetForgetsTheBrokenEscapesOfThePreviousLine() throws Exception {
        JsonScanner s = at("\"\\ud800\\ud800\\ud800\\ud800\\ud800\"");
        s.scanString();
        assertThat(s.brokenCount).isEqualTo(5); // the array grew past its first size
        s = at("\"ok\"");
        assertThat(s.brokenCount).isZero();
    }

    @ParameterizedTest
    @CsvSource({
        "1602611311, 6, 1602611311000000",
        "1.5, 6, 1500000",
        "-1.5, 6, -1500000",
        "0.0000019, 6, 1",
        "-0.0000001, 6, -1",
        "1602611311874, 3, 1602611311874000",
        "1.5e3, 6, 1500000000",
        "15e-1, 6, 1500000",
        "1e-999999, 6, 0"})
    void scaledNumbersRoundTowardsThePast(String number, int scale, long expected) throws Exception {
        JsonScanner s = at(number);
        s.scanNumber();
        assertThat(s.scaledNumber(scale)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e19", "99999999999999999999", "1e999999999999", "-1e30"})
    void numbersBeyondALongAreArithmeticErrors(String number) throws Exception {
        JsonScanner s = at(number);
        s.scanNumber();
        assertThatThrownBy(() -> s.scaledNumber(6)).isInstanceOf(ArithmeticException.class);
    }
}
