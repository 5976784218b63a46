package io.mixpanelpipelines.identity;

import static io.mixpanelpipelines.identity.DayIdentitiesTests.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity file as DuckDB reads it (schema, types, rare strings), staging then publishing, a second
 * publish replacing the first, and the rebuild from events Parquet agreeing with the derivation while converting.
 */
class IdentityPublisherTests {

    private static final LocalDate DAY = LocalDate.parse("2026-02-01");
    private static final long T = 1_769_904_000L;

    @TempDir
    Path tmp;

    private final LocalStorage storage = new LocalStorage();

    private static List<String> lines() {
        return List.of(
                event("Page", T + 10, "\"distinct_id\":\"$device:d1\",\"$device_id\":\"d1\""),
                event("Login", T + 100, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""),
                event("Login", T + 200, "\"distinct_id\":\"u2\",\"$device_id\":\"d1\",\"$user_id\":\"u2\""),
                event("Login", T + 5, "\"$device_id\":\"d\\u0000\\ud83d\\ude00'x\",\"$user_id\":\"u\\\"q\\\\\""),
                event("$identify", T + 3, "\"$anon_distinct_id\":\"a\\ud800\",\"$identified_id\":\"\u00e9\u4e2d\""),
                event("$create_alias", T + 4, "\"distinct_id\":\"user-c\",\"alias\":\"c@example.com\""),
                event("$merge", T + 6, "\"$distinct_ids\":[\"m1\",\"m2\"]"));
    }

    private DayIdentities derived() throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        DayIdentities ids = new DayIdentities(tmp.resolve("derived"));
        for (String l : lines()) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            ids.offer(parser.parse(b, 0, b.length));
        }
        return ids;
    }

    @Test
    void aStagedDayIsPublishedAsOneParquetFileThatDuckDbReadsExactly() throws Exception {
        IdentityLayout layout = new IdentityLayout(Location.of(tmp.resolve("out")), "123");
        IdentityPublisher publisher = new IdentityPublisher(storage, layout, ParquetWriterOptions.defaults());
        DayIdentities ids = derived();

        IdentityManifest staged = publisher.stage(DAY, "7:abc", "run-1", ids);
        assertThat(staged.rows()).isEqualTo(DayIdentitiesTests.rows(ids).size()).isEqualTo(7);
        assertThat(publisher.stagedDays()).containsExactly(DAY);
        assertThat(Files.exists(layout.part(DAY).toPath())).as("nothing published before publish()").isFalse();

        IdentityManifest published = publisher.publish(DAY);
        assertThat(published).isEqualTo(staged);
        assertThat(publisher.read(DAY)).contains(staged);
        assertThat(publisher.stagedDays()).isEmpty();
        assertThat(layout.staging(DAY).toPath()).as("no empty staging folder left").doesNotExist();
        try (Stream<Path> files = Files.list(layout.day(DAY).toPath())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("part-00000.parquet", "_SUCCESS");
        }
        assertThat(duckDb(layout.part(DAY).toPath())).containsExactlyElementsOf(expected(ids));
        assertThat(schema(layout.part(DAY).toPath())).containsExactly(
                "distinct_id BYTE_ARRAY REQUIRED UTF8", "resolved_distinct_id BYTE_ARRAY REQUIRED UTF8",
                "first_seen INT64 REQUIRED TIMESTAMP_MICROS");

        // a rerun of the day: fewer mappings, the file replaced
        DayIdentities fewer = new DayIdentities(tmp.resolve("fewer"));
        fewer.map("x", "y", 1);
        publisher.stage(DAY, "1:def", "run-2", fewer);
        assertThat(publisher.publish(DAY).rows()).isEqualTo(1);
        assertThat(duckDb(layout.part(DAY).toPath())).containsExactly("x|y|1");
        assertThatThrownBy(() -> publisher.publish(DAY)).hasMessageContaining("no staged identity mappings");
    }

    @Test
    void theMappingsReadBackFromEventsParquetAreTheOnesDerivedWhileConverting() throws Exception {
        Location file = Location.of(tmp.resolve("events.parquet"));
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        EventParquetWriter w = new EventParquetWriter(storage.newOutputFile(file), ParquetWriterOptions.defaults());
        ParsedEvent e = new ParsedEvent();
        for (String l : lines()) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            parser.parse(b, 0, b.length, e);
            w.write(e);
        }
        w.close();
        DayIdentities read = new DayIdentities(tmp.resolve("read"));
        new EventsIdentityReader(storage, tmp.resolve("t")).read(List.of(file), read);
        assertThat(DayIdentitiesTests.rows(read)).isEqualTo(DayIdentitiesTests.rows(derived())).hasSize(7);
    }

    private static List<String> expected(DayIdentities ids) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        DayIdentitiesTests.rows(ids).forEach(m -> out.add(m.distinctId() + "|" + m.resolvedDistinctId() + "|" + m.firstSeenMicros()));
        return out;
    }

    static List<String> duckDb(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT distinct_id, resolved_distinct_id, epoch_us(first_seen) FROM read_parquet('"
                        + file + "')")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getLong(3));
            }
        }
        return out;
    }

    private static List<String> schema(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, type, repetition_type, converted_type FROM parquet_schema('"
                        + file + "') WHERE type IS NOT NULL")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
            }
        }
        return out;
    }
}
