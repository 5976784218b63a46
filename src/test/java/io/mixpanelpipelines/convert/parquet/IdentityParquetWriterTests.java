package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity file as DuckDB (the independent reader) reads it: every row exact over several row groups and
 * pages, from reused byte buffers, with ids past ASCII; each row group's min/max of {@code distinct_id} its
 * first and last (rows come sorted); with every codec; and an aborted file leaves nothing.
 */
class IdentityParquetWriterTests {

    @TempDir
    Path dir;

    private final LocalStorage storage = new LocalStorage();

    record Row(String id, String resolved, long time) {
    }

    /** {@code n} rows sorted by id's UTF-8 bytes, ids and users of varied lengths and scripts. */
    static List<Row> rows(int n) {
        Random r = new Random(5);
        String[] scripts = {"", "\u00e9", "\u6ce8\u6587", "\uD83C\uDF89", "\uE000"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("%08d", i) + scripts[r.nextInt(scripts.length)] + "x".repeat(r.nextInt(40));
            rows.add(new Row(id, "user-" + r.nextInt(1_000) + scripts[r.nextInt(scripts.length)],
                    1_769_904_000_000_000L + r.nextInt(86_400_000) * 1000L));
        }
        return rows;
    }

    private void write(Path file, List<Row> rows, ParquetWriterOptions options) throws Exception {
        IdentityParquetWriter w = new IdentityParquetWriter(storage.newOutputFile(Location.of(file)), options);
        byte[] id = new byte[8];
        byte[] resolved = new byte[8];
        for (Row row : rows) { // one pair of buffers for every row, overwritten each time, as the merge does
            byte[] a = row.id().getBytes(StandardCharsets.UTF_8);
            byte[] b = row.resolved().getBytes(StandardCharsets.UTF_8);
            id = a.length > id.length ? new byte[a.length * 2] : id;
            resolved = b.length > resolved.length ? new byte[b.length * 2] : resolved;
            System.arraycopy(a, 0, id, 0, a.length);
            System.arraycopy(b, 0, resolved, 0, b.length);
            w.write(id, a.length, resolved, b.length, row.time());
        }
        w.close();
        assertThat(w.rows()).isEqualTo(rows.size());
        assertThat(w.fileSize()).isEqualTo(Files.size(file));
    }

    @Test
    void duckDbReadsEveryRowAndEachRowGroupsIdRange() throws Exception {
        List<Row> rows = rows(300_000); // 3 row groups of at most 131,072 rows, pages of at most 20,000
        Path file = dir.resolve("identity.parquet");
        write(file, rows, ParquetWriterOptions.defaults());

        assertThat(read(file)).containsExactlyElementsOf(rows);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT row_group_id, stats_min_value, stats_max_value, row_group_num_rows, "
                        + "compression FROM parquet_metadata('" + file + "') WHERE path_in_schema = 'distinct_id' ORDER BY 1")) {
            int start = 0;
            int groups = 0;
            while (rs.next()) {
                int n = rs.getInt(4);
                assertThat(rs.getString(2)).isEqualTo(rows.get(start).id());
                assertThat(rs.getString(3)).isEqualTo(rows.get(start + n - 1).id());
                assertThat(rs.getString(5)).isEqualTo("ZSTD");
                start += n;
                groups++;
            }
            assertThat(start).isEqualTo(rows.size());
            assertThat(groups).isEqualTo(3);
        }
    }

    @Test
    void everyCodecAndAnAbortedFile() throws Exception {
        List<Row> rows = rows(5_000);
        for (ParquetWriterOptions.Codec codec : ParquetWriterOptions.Codec.values()) {
            Path file = dir.resolve("identity-" + codec + ".parquet");
            write(file, rows, ParquetWriterOptions.defaults().withCodec(codec));
            assertThat(read(file)).as(codec.name()).containsExactlyElementsOf(rows);
        }
        Path aborted = dir.resolve("aborted.parquet");
        IdentityParquetWriter w = new IdentityParquetWriter(storage.newOutputFile(Location.of(aborted)),
                ParquetWriterOptions.defaults());
        w.write(new byte[] {'a'}, 1, new byte[] {'b'}, 1, 1);
        w.abort();
        assertThat(aborted).doesNotExist();
    }

    private static List<Row> read(Path file) throws Exception {
        List<Row> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT distinct_id, resolved_distinct_id, epoch_us(first_seen) FROM read_parquet('"
                        + file + "')")) {
            while (rs.next()) {
                out.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return out;
    }
}
