package io.mixpanelpipelines.convert.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The JSONTestSuite parsing corpus ({@code ../shared/testdata/json-test-suite/test_parsing}, beside the
 * clone) through {@link MixpanelEventParser}. Each case is embedded as a property value of an otherwise
 * valid event, and again as a top-level member the parser skips:
 * <ul>
 *   <li>{@code y_}: accepted, the {@code properties} bytes exactly those of the line, and valid for DuckDB's
 *       strict JSON reader (the project's independent reader);
 *   <li>{@code n_}: rejected with a {@link MalformedEventException} (which makes the line a rejected line);
 *   <li>{@code i_}: either way within a time bound; when accepted, the properties are strict JSON (valid
 *       UTF-8, no broken surrogate escape) and differ from the line only where a broken surrogate escape
 *       became {@code \ufffd}.
 * </ul>
 * Each case as the whole line is rejected (none is a Mixpanel event) without any other exception.
 *
 * <p>Decision on a missing corpus: the tests are <em>skipped</em> with an assumption message when the
 * folder is absent (a developer's clone without {@code shared/} beside it), and <em>fail</em> when it is
 * there but incomplete, so CI (which has it) cannot pass on an empty folder.
 */
class JsonTestSuiteConformanceTests {

    static final Path CORPUS = Path.of("..", "shared", "testdata", "json-test-suite", "test_parsing");
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final byte[] PREFIX = ascii("{\"event\":\"e\",\"properties\":");
    private static final byte[] PROPS_HEAD = ascii("{\"time\":1,\"distinct_id\":\"d\",\"v\":");

    private static Connection duckdb;
    private final MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);

    @BeforeAll
    static void openDuckDb() throws SQLException {
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
    }

    @AfterAll
    static void closeDuckDb() throws SQLException {
        duckdb.close();
    }

    /** The corpus's files, sorted; skips (assumption) when the folder is absent, fails when it is thin. */
    static List<Path> cases() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(CORPUS), () -> "JSONTestSuite corpus not found at "
                + CORPUS.toAbsolutePath().normalize() + " (shared/ beside the clone): conformance run skipped");
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("JSONTestSuite cases in " + CORPUS).hasSizeGreaterThan(300);
        return files;
    }

    @TestFactory
    Stream<DynamicTest> eachCaseAsAPropertyValue() throws IOException {
        return cases().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> assertTimeoutPreemptively(BOUND, () -> check(file))));
    }

    @TestFactory
    Stream<DynamicTest> eachCaseAsTheWholeLineIsNotAnEvent() throws IOException {
        return cases().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> assertTimeoutPreemptively(BOUND, () -> {
                    byte[] line = Files.readAllBytes(file);
                    assertThatThrownBy(() -> parser.parse(line, 0, line.length))
                            .isInstanceOf(MalformedEventException.class);
                })));
    }

    /** The counts the README quotes; a corpus update that changes them shows here. */
    @TestFactory
    Stream<DynamicTest> corpusHasEveryKind() throws IOException {
        List<Path> files = cases();
        return Stream.of("y_", "n_", "i_").map(kind -> DynamicTest.dynamicTest(kind, () -> assertThat(files)
                .filteredOn(p -> p.getFileName().toString().startsWith(kind)).isNotEmpty()));
    }

    /** Exactly the ten cases with lone or broken surrogate escapes are accepted by repairing them. */
    @org.junit.jupiter.api.Test
    void theRepairedCasesAreTheTenBrokenSurrogateEscapes() throws Exception {
        List<String> repaired = new java.util.ArrayList<>();
        for (Path file : cases()) {
            byte[] line = concat(PREFIX, PROPS_HEAD, Files.readAllBytes(file), ascii("}}"));
            try {
                if (parser.parse(line, 0, line.length).repaired()) {
                    repaired.add(file.getFileName().toString());
                }
            } catch (MalformedEventException e) {
                // rejected: not repaired
            }
        }
        assertThat(repaired).containsExactlyInAnyOrder("i_object_key_lone_2nd_surrogate.json",
                "i_string_1st_surrogate_but_2nd_missing.json", "i_string_1st_valid_surrogate_2nd_invalid.json",
                "i_string_incomplete_surrogate_and_escape_valid.json", "i_string_incomplete_surrogate_pair.json",
                "i_string_incomplete_surrogates_escape_valid.json", "i_string_invalid_lonely_surrogate.json",
                "i_string_invalid_surrogate.json", "i_string_inverted_surrogates_U+1D11E.json",
                "i_string_lone_second_surrogate.json");
    }

    private void check(Path file) throws Exception {
        String name = file.getFileName().toString();
        byte[] value = Files.readAllBytes(file);
        byte[] props = concat(PROPS_HEAD, value, ascii("}"));
        byte[] asProperty = concat(PREFIX, props, ascii("}"));
        byte[] asSkippedMember = concat(ascii("{\"x\":"), value, ascii(","), Arrays.copyOfRange(PREFIX, 1,
                PREFIX.length), props, ascii("}"));
        for (byte[] line : List.of(asProperty, asSkippedMember)) {
            ParsedEvent event = null;
            try {
                event = parser.parse(line, 0, line.length);
            } catch (MalformedEventException e) {
                assertThat(name).as("rejected: " + e.getMessage()).doesNotStartWith("y_");
            }
            if (name.startsWith("n_")) {
                assertThat(event).as(name + " must be rejected").isNull();
            }
            if (event == null) {
                continue;
            }
            byte[] kept = Arrays.copyOfRange(event.propertiesBuffer(), event.propertiesOffset(),
                    event.propertiesOffset() + event.propertiesLength());
            if (name.startsWith("y_")) {
                assertThat(kept).as("properties bytes").isEqualTo(props);
                assertThat(event.repaired()).isFalse();
            } else {
                assertThat(kept).as("properties differ only by repaired escapes").isEqualTo(repairedCopy(props));
                assertThat(event.repaired()).isEqualTo(!Arrays.equals(kept, props));
            }
            assertStrictJson(kept);
            assertThat(event.eventName()).isEqualTo("e");
            assertThat(event.distinctId()).isEqualTo("d");
        }
    }

    /** Valid UTF-8 and accepted by DuckDB's JSON reader (which refuses broken surrogate escapes). */
    private static void assertStrictJson(byte[] json) throws SQLException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("properties are not valid UTF-8", e);
        }
        synchronized (duckdb) {
            try (PreparedStatement st = duckdb.prepareStatement("SELECT json_valid(?)")) {
                st.setString(1, text);
                try (ResultSet r = st.executeQuery()) {
                    r.next();
                    assertThat(r.getBoolean(1)).as("DuckDB json_valid").isTrue();
                }
            }
        }
    }

    /**
     * An independent statement of the repair: every {@code \\uXXXX} surrogate escape not forming a
     * high-low pair becomes {@code \\ufffd}; every other byte stays. Escaped backslashes are skipped as units.
     */
    static byte[] repairedCopy(byte[] json) {
        byte[] out = json.clone();
        String s = new String(json, StandardCharsets.ISO_8859_1); // one char per byte: indexes match
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) != '\\') {
                i++;
                continue;
            }
            if (i + 1 < s.length() && s.charAt(i + 1) == 'u' && i + 6 <= s.length()) {
                int unit = unit(s, i);
                if (unit >= 0xD800 && unit <= 0xDBFF && i + 12 <= s.length() && s.startsWith("\\u", i + 6)
                        && unit(s, i + 6) >= 0xDC00 && unit(s, i + 6) <= 0xDFFF) {
                    i += 12;
                    continue;
                }
                if (unit >= 0xD800 && unit <= 0xDFFF) {
                    System.arraycopy(ascii("\\ufffd"), 0, out, i, 6);
                }
                i += 6;
                continue;
            }
            i += 2;
        }
        return out;
    }

    private static int unit(String s, int i) {
        try {
            return Integer.parseInt(s.substring(i + 2, i + 6), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
