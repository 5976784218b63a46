package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.dataset.DayManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link WarehouseLoader} contract, once for every warehouse that runs here: each subclass supplies a
 * loader on a fresh table and a way to read a day's rows back.
 */
abstract class AbstractWarehouseLoaderContractTests {

    static final LocalDate D1 = LocalDate.parse("2026-01-01");
    static final LocalDate D2 = LocalDate.parse("2026-01-02");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    PublishedDays days;
    WarehouseLoader loader;

    /** A loader on a new, empty table. */
    abstract WarehouseLoader newLoader(Path tmp, PublishedDays days) throws Exception;

    /** A day's rows as {@code event_name|insert_id|distinct_id|device_id|time micros|processing micros|properties}. */
    abstract List<String> rows(LocalDate day) throws Exception;

    /** The properties JSON as this warehouse gives it back. */
    abstract String stored(String propertiesJson) throws Exception;

    /** A decoded text column's value as this warehouse gives it back (PostgreSQL text cannot hold U+0000). */
    abstract String storedText(String decoded);

    @BeforeEach
    void setUp() throws Exception {
        days = new PublishedDays(tmp.resolve("export"));
        loader = newLoader(tmp, days);
        loader.prepare();
    }

    @AfterEach
    void tearDown() {
        loader.close();
    }

    List<String> expected(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode p = JSON.readTree(l).get("properties");
            String props = l.substring(l.indexOf(",\"properties\":") + ",\"properties\":".length(), l.length() - 1);
            long ms = p.get("time").asLong();
            out.add(JSON.readTree(l).get("event").asString() + "|" + p.get("$insert_id").asString() + "|"
                    + p.get("distinct_id").asString() + "|" + (p.has("$device_id") ? p.get("$device_id").asString() : null)
                    + "|" + ms * 1000 + "|" + (p.get("mp_processing_time_ms").asLong() * 1000) + "|" + stored(props));
        }
        out.sort(null);
        return out;
    }

    List<String> sortedRows(LocalDate day) throws Exception {
        List<String> r = new ArrayList<>(rows(day));
        r.sort(null);
        return r;
    }

    @Test
    void aLoadedDayHoldsExactlyTheManifestsRowsEveryColumnIntact() throws Exception {
        List<String> lines = PublishedDays.lines(D1, 500, "a");

        long n = loader.load(days.publish(D1, lines, "run1"), r -> { });

        assertThat(n).isEqualTo(500);
        assertThat(sortedRows(D1)).isEqualTo(expected(lines));
    }

    @Test
    void loadingTheSameDayTwiceChangesNothing() throws Exception {
        List<String> lines = PublishedDays.lines(D1, 300, "a");
        PublishedDay day = days.publish(D1, lines, "run1");
        loader.load(day, r -> { });

        loader.load(day, r -> { });

        assertThat(sortedRows(D1)).isEqualTo(expected(lines));
    }

    @Test
    void aReplacedDayReplacesThatDaysRowsOnly() throws Exception {
        List<String> d1 = PublishedDays.lines(D1, 200, "a");
        List<String> d2 = PublishedDays.lines(D2, 150, "b");
        loader.load(days.publish(D1, d1, "run1"), r -> { });
        loader.load(days.publish(D2, d2, "run1"), r -> { });
        List<String> late = new ArrayList<>(d1);
        late.addAll(PublishedDays.lines(D1, 230, "late").subList(200, 230));

        loader.load(days.publish(D1, late, "run2"), r -> { });

        assertThat(sortedRows(D1)).hasSize(230).isEqualTo(expected(late));
        assertThat(sortedRows(D2)).isEqualTo(expected(d2));
    }

    @Test
    void aFailedLoadLeavesTheDaysPreviousRows() throws Exception {
        List<String> lines = PublishedDays.lines(D1, 100, "a");
        loader.load(days.publish(D1, lines, "run1"), r -> { });
        PublishedDay next = days.publish(D1, PublishedDays.lines(D1, 120, "b"), "run2");
        DayManifest m = next.manifest();
        PublishedDay lying = new PublishedDay(new DayManifest(m.schemaVersion(), m.job(), m.projectId(), m.eventDate(),
                m.timezone(), m.runId(), m.publishedAt(), m.rows() + 1, m.bytes(), m.rejectedLines(), m.repairedLines(), m.files(), m.request(),
                m.contentHash(), m.lateEvents()), next.folder());

        assertThatThrownBy(() -> loader.load(lying, r -> { })).isInstanceOf(WarehouseLoadException.class)
                .hasMessageContaining("121");
        Files.delete(next.files().get(1).toPath());
        assertThatThrownBy(() -> loader.load(next, r -> { })).isInstanceOf(WarehouseLoadException.class);

        assertThat(sortedRows(D1)).isEqualTo(expected(lines));
    }

    @Test
    void anEmptyDayLoadsAsNoRows() throws Exception {
        loader.load(days.publish(D1, PublishedDays.lines(D1, 10, "a"), "run1"), r -> { });

        loader.load(days.publish(D1, List.of(), "run2"), r -> { });

        assertThat(rows(D1)).isEmpty();
    }

    /**
     * Legal values that strict or typed JSON stores trip on: every event of the day is loaded, with its
     * properties as the published file holds them (which is byte for byte the line's, but for broken
     * surrogate escapes, published as {@code \\ufffd}), and the text columns as decoded.
     */
    @Test
    void hostileValuesLoadWithEveryEvent() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> props = new ArrayList<>();
        long ms = D1.toEpochDay() * 86_400_000L;
        String[][] values = {
            {"nul", "\"a\\u0000b\"", "\"a\\u0000b\""},
            {"lone-high", "\"cut \\ud83d\"", "\"cut \\ufffd\""},
            {"lone-low", "\"\\uDFAA\"", "\"\\ufffd\""},
            {"high-then-letter", "[\"\\uD800\\u0061\"]", "[\"\\ufffd\\u0061\"]"},
            {"pair", "\"\\ud83d\\ude00 \uD83D\uDE00\"", "\"\\ud83d\\ude00 \uD83D\uDE00\""},
            {"int128", "-170141183460469231731687303715884105729", null},
            {"beyond-double", "[1e400,-1.5e+9999,123e-10000000,0.4e00669999999999999999999999999999]", null},
            {"deep", "[".repeat(499) + "1" + "]".repeat(499), null}, // properties nest 500 levels: the limit
            {"duplicate-keys", "{\"a\":1,\"a\":2,\"a\":{\"a\":3}}", null},
            {"long-string", "\"" + "\u00e9\\n\\\"x".repeat(200_000) + "\"", null},
        };
        for (int i = 0; i < values.length; i++) {
            String p = "{\"time\":" + (ms + i) + ",\"distinct_id\":\"d\\u0000" + i + "\",\"$insert_id\":\"" + values[i][0]
                    + "\",\"mp_processing_time_ms\":" + (ms + i) + ",\"v\":" + values[i][1] + "}";
            lines.add("{\"event\":\"e\\u0000" + i + "\",\"properties\":" + p + "}");
            props.add(values[i][2] == null ? p : p.replace(values[i][1], values[i][2]));
        }
        byte[] invalidUtf8 = (lines.get(0).replace("\"a\\u0000b\"", "\"\u00e9\"")).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> new io.mixpanelpipelines.convert.json.MixpanelEventParser(ZoneOffset.UTC, true)
                .parse(invalidUtf8, 0, invalidUtf8.length))
                .as("invalid UTF-8 never reaches a warehouse: it is a rejected line upstream")
                .hasMessageContaining("invalid UTF-8");

        assertThat(loader.load(days.publish(D1, lines, "run1"), r -> { })).isEqualTo(values.length);

        List<String> want = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            want.add(storedText("e\u0000" + i) + "|" + values[i][0] + "|" + storedText("d\u0000" + i) + "|null|"
                    + (ms + i) * 1000 + "|" + (ms + i) * 1000 + "|" + stored(props.get(i)));
        }
        want.sort(null);
        assertThat(sortedRows(D1)).isEqualTo(want);
        loader.load(days.publish(D1, lines, "run2"), r -> { });
        assertThat(sortedRows(D1)).as("a second load changes nothing").isEqualTo(want);
    }

    static long micros(java.time.OffsetDateTime t) {
        return t == null ? 0 : t.toInstant().getEpochSecond() * 1_000_000 + t.toInstant().getNano() / 1000;
    }

    static long micros(java.time.Instant t) {
        return t.atOffset(ZoneOffset.UTC).toEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }
}
