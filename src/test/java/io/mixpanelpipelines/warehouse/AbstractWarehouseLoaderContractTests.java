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

    /** The properties JSON as this warehouse gives it back (PostgreSQL's jsonb normalizes it). */
    abstract String stored(String propertiesJson) throws Exception;

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

    static long micros(java.time.OffsetDateTime t) {
        return t == null ? 0 : t.toInstant().getEpochSecond() * 1_000_000 + t.toInstant().getNano() / 1000;
    }

    static long micros(java.time.Instant t) {
        return t.atOffset(ZoneOffset.UTC).toEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }
}
