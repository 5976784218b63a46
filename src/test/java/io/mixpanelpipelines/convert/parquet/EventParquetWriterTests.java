package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.support.SampleEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnIndex;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.OffsetIndex;
import org.apache.parquet.format.PageLocation;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes events with {@link EventParquetWriter} and reads them back with DuckDB, an independent reader. */
class EventParquetWriterTests {

    @TempDir
    Path dir;

    private final LocalStorage storage = new LocalStorage();

    /** What a line should come back as. */
    record Expected(String eventName, long timeMicros, String distinctId, String insertId, String deviceId,
            String userId, Long mpProcessingTimeMicros, String properties) {
    }

    @Test
    void roundTripsEveryColumnWithZstd() throws Exception {
        Path file = dir.resolve("out/events.parquet");
        List<Expected> expected = writeEvents(file, ParquetWriterOptions.defaults(), 3_000);

        assertRowsMatch(file, expected);
        try (Connection db = duckdb(); Statement st = db.createStatement()) {
            Map<String, String> types = new HashMap<>();
            try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + file + "')")) {
                while (rs.next()) {
                    types.put(rs.getString("column_name"), rs.getString("column_type"));
                }
            }
            assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "event_name", "VARCHAR",
                    "time", "TIMESTAMP WITH TIME ZONE",
                    "distinct_id", "VARCHAR",
                    "insert_id", "VARCHAR",
                    "device_id", "VARCHAR",
                    "user_id", "VARCHAR",
                    "mp_processing_time", "TIMESTAMP WITH TIME ZONE",
                    "properties", "JSON"));

            Map<String, String> encodings = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT path_in_schema, compression, encodings "
                    + "FROM parquet_metadata('" + file + "')")) {
                while (rs.next()) {
                    assertThat(rs.getString("compression")).isEqualTo("ZSTD");
                    encodings.merge(rs.getString("path_in_schema"), rs.getString("encodings"), (a, b) -> a + "," + b);
                }
            }
            assertThat(encodings.get("insert_id")).doesNotContain("DICTIONARY");
            assertThat(encodings.get("properties")).doesNotContain("DICTIONARY");
            assertThat(encodings.get("time")).doesNotContain("DICTIONARY");
            assertThat(encodings.get("event_name")).contains("DICTIONARY");
            assertThat(encodings.get("distinct_id")).contains("DICTIONARY");

            try (ResultSet rs = st.executeQuery("SELECT value FROM parquet_kv_metadata('" + file + "') "
                    + "WHERE decode(key) = '" + EventSchema.VERSION_KEY + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(new String(rs.getBytes(1), StandardCharsets.UTF_8)).isEqualTo("1");
            }
        }
    }

    @Test
    void statisticsAreCopiesNotViewsOfTheReusedLineBuffer() throws Exception {
        Path file = dir.resolve("stats.parquet");
        List<Expected> expected = writeEvents(file, ParquetWriterOptions.defaults(), 2_000);
        TreeSet<String> ids = new TreeSet<>();
        expected.forEach(e -> {
            if (e.distinctId() != null) {
                ids.add(e.distinctId());
            }
        });
        try (Connection db = duckdb(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT stats_min_value, stats_max_value FROM parquet_metadata('"
                        + file + "') WHERE path_in_schema = 'distinct_id'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(ids.first());
            assertThat(rs.getString(2)).isEqualTo(ids.last());
        }
    }

    @Test
    void roundTripsWithSnappyAndUncompressed() throws Exception {
        for (ParquetWriterOptions.Codec codec : List.of(ParquetWriterOptions.Codec.SNAPPY,
                ParquetWriterOptions.Codec.UNCOMPRESSED)) {
            Path file = dir.resolve(codec + ".parquet");
            List<Expected> expected = writeEvents(file, ParquetWriterOptions.defaults().withCodec(codec), 1_000);
            assertRowsMatch(file, expected);
            try (Connection db = duckdb(); Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + file + "')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(codec.name());
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void smallRowGroupsAndPagesStillRoundTrip() throws Exception {
        Path file = dir.resolve("small.parquet");
        ParquetWriterOptions options = ParquetWriterOptions.defaults().withPageSize(4 * 1024).withRowGroupSize(64 * 1024);
        List<Expected> expected = writeEvents(file, options, 3_000);
        assertRowsMatch(file, expected);
        try (Connection db = duckdb(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isGreaterThan(1);
        }
    }

    @Test
    void abortLeavesNoFile() throws Exception {
        Path file = dir.resolve("aborted/events.parquet");
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        EventParquetWriter writer = new EventParquetWriter(storage.newOutputFile(Location.of(file)),
                ParquetWriterOptions.defaults());
        byte[] line = "{\"event\":\"a\",\"properties\":{\"time\":1}}".getBytes(StandardCharsets.UTF_8);
        ParsedEvent event = parser.parse(line, 0, line.length);
        writer.write(event, line);
        writer.abort();
        writer.abort();

        assertThat(file).doesNotExist();
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertThat(left).isEmpty();
        }
        assertThatThrownBy(() -> writer.write(event, line)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStorageFailureSurfacesAndAbortReachesTheStream() throws Exception {
        FailingFile failing = new FailingFile(100_000);
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        ParsedEvent event = new ParsedEvent();
        EventParquetWriter writer = new EventParquetWriter(failing,
                ParquetWriterOptions.defaults().withPageSize(4 * 1024).withRowGroupSize(16 * 1024));
        Random random = new Random(5);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10_000; i++) {
                byte[] bytes = SampleEvents.varied(random, i).json().getBytes(StandardCharsets.UTF_8);
                parser.parse(bytes, 0, bytes.length, event);
                writer.write(event, bytes);
            }
            writer.close();
        }).isInstanceOf(java.io.IOException.class).hasMessageContaining("disk full");
        writer.abort();
        assertThat(failing.aborted).isTrue();
        assertThat(failing.closed).isFalse();
    }

    /** An output file whose stream fails after a number of bytes, recording how it was ended. */
    private static final class FailingFile implements io.mixpanelpipelines.storage.OutputFile {
        private final long limit;
        boolean aborted;
        boolean closed;

        FailingFile(long limit) {
            this.limit = limit;
        }

        @Override
        public io.mixpanelpipelines.storage.PositionOutputStream create() {
            return new io.mixpanelpipelines.storage.PositionOutputStream() {
                private long pos;

                @Override
                public long getPos() {
                    return pos;
                }

                @Override
                public void write(int b) throws java.io.IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    if (pos + len > limit) {
                        throw new java.io.IOException("disk full");
                    }
                    pos += len;
                }

                @Override
                public void abort() {
                    aborted = true;
                }

                @Override
                public void close() {
                    closed = !aborted;
                }
            };
        }

        @Override
        public Location location() {
            return Location.of(Path.of("/nonexistent/failing.parquet"));
        }
    }

    @Test
    void countsRowsAndSize() throws Exception {
        Path file = dir.resolve("count.parquet");
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        try (EventParquetWriter writer = new EventParquetWriter(storage.newOutputFile(Location.of(file)),
                ParquetWriterOptions.defaults())) {
            assertThat(writer.rows()).isZero();
            byte[] line = "{\"event\":\"a\",\"properties\":{\"time\":1,\"x\":\"some text\"}}".getBytes(StandardCharsets.UTF_8);
            ParsedEvent event = parser.parse(line, 0, line.length);
            for (int i = 0; i < 100; i++) {
                writer.write(event, line);
            }
            assertThat(writer.rows()).isEqualTo(100);
            assertThat(writer.dataSize()).isPositive();
            assertThat(file).as("invisible until closed").doesNotExist();
        }
        assertThat(file).exists();
    }

    @Test
    void emptyFileIsValid() throws Exception {
        Path file = dir.resolve("empty.parquet");
        new EventParquetWriter(storage.newOutputFile(Location.of(file)), ParquetWriterOptions.defaults()).close();
        try (Connection db = duckdb(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + file + "')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void aDictionaryThatOverflowsMidChunkFallsBackWithoutLosingAValue() throws Exception {
        Path file = dir.resolve("fallback.parquet");
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        ParsedEvent event = new ParsedEvent();
        // 8 KiB pages, so an 8 KiB dictionary: 50 ids fit, then unique ids overflow it in the second page.
        ParquetWriterOptions options = ParquetWriterOptions.defaults().withPageSize(8 * 1024);
        List<String> ids = new ArrayList<>();
        try (EventParquetWriter writer = new EventParquetWriter(storage.newOutputFile(Location.of(file)), options)) {
            for (int i = 0; i < 60_000; i++) {
                String id = i < 30_000 ? "user-" + (i % 50) : "unique-" + i;
                ids.add(id);
                byte[] line = ("{\"event\":\"e\",\"properties\":{\"time\":1700000000,\"distinct_id\":\"" + id
                        + "\"}}").getBytes(StandardCharsets.UTF_8);
                parser.parse(line, 0, line.length, event);
                writer.write(event, line);
            }
        }
        try (Connection db = duckdb(); Statement st = db.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT encodings, dictionary_page_offset FROM parquet_metadata('"
                    + file + "') WHERE path_in_schema = 'distinct_id'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1).split(", ")).contains("PLAIN_DICTIONARY", "PLAIN");
                assertThat(rs.getObject(2)).as("dictionary page kept for the pages that use it").isNotNull();
                assertThat(rs.next()).as("one row group").isFalse();
            }
            List<String> actual = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT distinct_id FROM read_parquet('" + file
                    + "', file_row_number = true) ORDER BY file_row_number")) {
                while (rs.next()) {
                    actual.add(rs.getString(1));
                }
            }
            assertThat(actual).isEqualTo(ids);
        }
    }

    @Test
    void eachPageOfTheColumnIndexBoundsItsOwnRows() throws Exception {
        Path file = dir.resolve("index.parquet");
                // Small pages for many pages per chunk; row groups of more than 20,000 rows, so that dictionary
        // columns (whose pages end at 20,000 rows) have several pages too.
        ParquetWriterOptions options = ParquetWriterOptions.defaults().withPageSize(8 * 1024).withRowGroupSize(6 << 20);
        List<Expected> expected = writeEvents(file, options, 70_000);

        FileMetaData footer = readFooter(file);
        assertThat(footer.getRow_groups()).as("several row groups").hasSizeGreaterThan(1);
        Map<String, java.util.function.Function<Expected, byte[]>> columns = Map.of(
                "event_name", e -> utf8(e.eventName()),
                "time", e -> littleEndian(e.timeMicros()),
                "distinct_id", e -> utf8(e.distinctId()),
                "insert_id", e -> utf8(e.insertId()),
                "device_id", e -> utf8(e.deviceId()),
                "user_id", e -> utf8(e.userId()),
                "mp_processing_time", e -> e.mpProcessingTimeMicros() == null ? null
                        : littleEndian(e.mpProcessingTimeMicros()));
        int pagesChecked = 0;
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long rowBase = 0;
            for (RowGroup group : footer.getRow_groups()) {
                for (ColumnChunk chunk : group.getColumns()) {
                    String name = chunk.getMeta_data().getPath_in_schema().get(0);
                    if (name.equals("properties")) {
                        continue; // no min/max kept
                    }
                    assertThat(chunk.isSetColumn_index_offset()).as(name).isTrue();
                    ColumnIndex index = Util.readColumnIndex(new java.io.ByteArrayInputStream(
                            read(in, chunk.getColumn_index_offset(), chunk.getColumn_index_length())));
                    OffsetIndex offsets = Util.readOffsetIndex(new java.io.ByteArrayInputStream(
                            read(in, chunk.getOffset_index_offset(), chunk.getOffset_index_length())));
                    List<PageLocation> pages = offsets.getPage_locations();
                    for (int p = 0; p < pages.size(); p++) {
                        long first = pages.get(p).getFirst_row_index();
                        long end = p + 1 < pages.size() ? pages.get(p + 1).getFirst_row_index() : group.getNum_rows();
                        byte[] min = null;
                        byte[] max = null;
                        long nulls = 0;
                        for (long r = rowBase + first; r < rowBase + end; r++) {
                            byte[] v = columns.get(name).apply(expected.get((int) r));
                            if (v == null) {
                                nulls++;
                            } else {
                                min = min == null || compare(name, v, min) < 0 ? v : min;
                                max = max == null || compare(name, v, max) > 0 ? v : max;
                            }
                        }
                        String where = name + " row group at " + rowBase + ", page " + p;
                        assertThat(index.getNull_counts().get(p)).as(where).isEqualTo(nulls);
                        assertThat(index.getNull_pages().get(p)).as(where).isEqualTo(min == null);
                        if (min != null) {
                            assertThat(bytes(index.getMin_values().get(p))).as(where + " min").isEqualTo(min);
                            assertThat(bytes(index.getMax_values().get(p))).as(where + " max").isEqualTo(max);
                        }
                        pagesChecked++;
                    }
                }
                rowBase += group.getNum_rows();
            }
            assertThat(rowBase).isEqualTo(expected.size());
        }
        assertThat(pagesChecked).isGreaterThan(100);
    }

    private static FileMetaData readFooter(Path file) throws Exception {
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            in.seek(length - 8);
            int footerLength = Integer.reverseBytes(in.readInt());
            return Util.readFileMetaData(new java.io.ByteArrayInputStream(read(in, length - 8 - footerLength, footerLength)));
        }
    }

    private static byte[] read(java.io.RandomAccessFile in, long offset, int length) throws Exception {
        byte[] b = new byte[length];
        in.seek(offset);
        in.readFully(b);
        return b;
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] littleEndian(long v) {
        return java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Parquet's orders: signed for INT64 timestamps, unsigned bytes for text. */
    private static int compare(String column, byte[] a, byte[] b) {
        if (column.equals("time") || column.equals("mp_processing_time")) {
            return Long.compare(java.nio.ByteBuffer.wrap(a).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(),
                    java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        }
        return java.util.Arrays.compareUnsigned(a, b);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private List<Expected> writeEvents(Path file, ParquetWriterOptions options, int count) throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        ParsedEvent event = new ParsedEvent();
        List<Expected> expected = new ArrayList<>();
        Random random = new Random(42);
        // One buffer reused for every line, as the real reader does: anything parquet keeps must be a copy.
        byte[] buffer = new byte[1 << 16];
        EventParquetWriter writer = new EventParquetWriter(storage.newOutputFile(Location.of(file)), options);
        try {
            for (int i = 0; i < count; i++) {
                SampleEvents.Line line = SampleEvents.varied(random, i);
                byte[] bytes = line.json().getBytes(StandardCharsets.UTF_8);
                java.util.Arrays.fill(buffer, (byte) 'x');
                int offset = 3; // not at the start of the buffer
                System.arraycopy(bytes, 0, buffer, offset, bytes.length);
                parser.parse(buffer, offset, bytes.length, event);
                writer.write(event, buffer);
                expected.add(new Expected(line.eventName(), line.timeMicros(), line.distinctId(), line.insertId(),
                        line.deviceId(), line.userId(), line.mpProcessingTimeMicros(), line.properties()));
            }
        } catch (Exception e) {
            writer.abort();
            throw e;
        }
        writer.close();
        return expected;
    }

    private void assertRowsMatch(Path file, List<Expected> expected) throws Exception {
        List<Expected> actual = new ArrayList<>();
        try (Connection db = duckdb(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT event_name, epoch_us(time), distinct_id, insert_id, device_id,"
                        + " user_id, epoch_us(mp_processing_time), properties::VARCHAR FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                long mp = rs.getLong(7);
                Long mpOrNull = rs.wasNull() ? null : mp;
                actual.add(new Expected(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), mpOrNull, rs.getString(8)));
            }
        }
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("row %d", i).isEqualTo(expected.get(i));
        }
    }

    private static Connection duckdb() throws Exception {
        return DriverManager.getConnection("jdbc:duckdb:");
    }
}
