package io.mixpanelpipelines.convert.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link JsonObjectMembers} on every JSONTestSuite case as a member's value: it accepts exactly what the events'
 * parser accepts in the same place, and reads an accepted value as Jackson decodes it (a string; a number,
 * {@code true} or {@code false} as written; an array's elements the same), with a lone surrogate as U+FFFD.
 */
class JsonObjectMembersTests {

    private static final JsonMapper JACKSON = JsonMapper.builder().build();
    private static final byte[] A = ascii("a");
    private static final byte[] B = ascii("b");
    private final MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);

    @TestFactory
    Stream<DynamicTest> eachCaseAsAValueIsReadAsTheEventsParserAndJacksonDo() throws Exception {
        return JsonTestSuiteConformanceTests.cases().stream().map(file -> DynamicTest.dynamicTest(
                file.getFileName().toString(), () -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> check(file))));
    }

    private void check(Path file) throws Exception {
        byte[] value = Files.readAllBytes(file);
        byte[] props = concat(ascii("{\"time\":1,\"a\":"), value, ascii(",\"b\":"), value, ascii(",\"c\":2}"));
        byte[] line = concat(ascii("{\"event\":\"e\",\"properties\":"), props, ascii("}"));
        boolean parsed;
        try {
            parser.parse(line, 0, line.length);
            parsed = true;
        } catch (MalformedEventException e) {
            parsed = false;
        }
        List<Object> read = new ArrayList<>();
        boolean accepted;
        try {
            JsonObjectMembers m = new JsonObjectMembers(props, 0, props.length);
            while (m.next()) {
                if (m.nameIs(A)) {
                    read.add(String.valueOf(m.text()));
                } else if (m.nameIs(B)) {
                    read.add(String.valueOf(m.texts()));
                }
            }
            accepted = true;
        } catch (MalformedEventException e) {
            accepted = false;
        }
        assertThat(accepted).as("accepted as the events' parser does").isEqualTo(parsed);
        if (!accepted || !file.getFileName().toString().startsWith("y_")) {
            return;
        }
        try (JsonParser p = JACKSON.createParser(value)) { // what the Jackson reader before this one read
            JsonToken t = p.nextToken();
            String text = text(p, t);
            List<String> elements = null;
            if (t == JsonToken.START_ARRAY) {
                elements = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    elements.add(text(p, e));
                }
            }
            assertThat(read).containsExactly(String.valueOf(text), String.valueOf(elements));
        }
    }

    /** A value as an id, as Jackson reads it: strings decoded (a lone surrogate as U+FFFD), numbers and booleans as written. */
    private static String text(JsonParser p, JsonToken v) {
        if (v == JsonToken.VALUE_STRING) {
            StringBuilder b = new StringBuilder();
            p.getString().codePoints().forEach(cp -> b.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xFFFD : cp));
            return b.toString();
        }
        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT || v == JsonToken.VALUE_TRUE
                || v == JsonToken.VALUE_FALSE) {
            return p.getString();
        }
        if (v == JsonToken.START_ARRAY && p.currentToken() == JsonToken.START_ARRAY) {
            return null; // its elements are read by the caller
        }
        p.skipChildren();
        return null;
    }

    @Test
    void numbersAndBooleansAreTheirTextAsWrittenAndOtherValuesNull() throws Exception {
        byte[] json = ascii("{ \"a\" : 1.0E2 , \"b\":[-0, true,\"x\\u00e9\\ud800\",null,{\"y\":[1]},[]], \"a\":false,"
                + "\"c\":{\"d\":1}}");
        JsonObjectMembers m = new JsonObjectMembers(json, 0, json.length);
        List<Object> out = new ArrayList<>();
        while (m.next()) {
            if (m.nameIs(A)) {
                out.add(m.text());
            } else if (m.nameIs(B)) {
                out.add(m.texts());
            }
        }
        assertThat(out).containsExactly("1.0E2", java.util.Arrays.asList("-0", "true", "x\u00e9\ufffd", null, null, null), "false");
    }

    @Test
    void aValueThatIsNotAnObjectHasNoMemberAndMalformedJsonThrows() throws Exception {
        byte[] array = ascii("[1]");
        assertThat(new JsonObjectMembers(array, 0, array.length).next()).isFalse();
        byte[] empty = ascii(" {} ");
        assertThat(new JsonObjectMembers(empty, 0, empty.length).next()).isFalse();
        byte[] cut = ascii("{\"a\":\"b\",\"c\":[1,");
        JsonObjectMembers m = new JsonObjectMembers(cut, 0, cut.length);
        assertThat(m.next()).isTrue();
        assertThatThrownBy(() -> {
            while (m.next()) {
                // skips each value
            }
        }).isInstanceOf(MalformedEventException.class);
    }

    private static byte[] ascii(String s) {
        return JsonTestSuiteConformanceTests.ascii(s);
    }

    private static byte[] concat(byte[]... parts) {
        return JsonTestSuiteConformanceTests.concat(parts);
    }
}
