package io.mixpanelpipelines.warehouse.postgresql;

import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.LocalParquetFiles;
import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.warehouse.DataSourcePool;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Loads days into a PostgreSQL table partitioned by {@code event_date} (RANGE, one partition per day).
 *
 * <p>A day is loaded in one transaction: a fresh table {@code <table>_YYYYMMDD_<random>} is created with a
 * CHECK constraint on its day, the day's rows are streamed into it with {@code COPY ... FROM STDIN} (read
 * from the Parquet files by DuckDB in this process: parquet-java's reader needs Hadoop), then the parent is
 * locked, the day's old partition (if any) is detached and dropped, and the new table is attached (the
 * CHECK constraint spares PostgreSQL a validation scan). Until the commit, readers see the old partition;
 * after it, the new one: a failed or killed load leaves nothing behind, and loading the same day twice
 * ends in the same rows. Swapping a partition rather than DELETE + COPY into the existing one leaves no
 * dead tuples to vacuum and keeps the old rows readable during the COPY without holding a lock on them.
 *
 * <p><b>What the table holds</b> (every event of a published day loads; nothing is dropped):
 * <ul>
 *   <li>{@code properties} is {@code json}, not {@code jsonb} ({@code V2__properties_json.sql}): the text of
 *       the published file, byte for byte (duplicate keys, key order, numbers beyond int64 and double,
 *       {@code \u0000} and surrogate pair escapes as exported). jsonb would refuse {@code \u0000}
 *       ("unsupported Unicode escape sequence") and numbers beyond numeric's range, failing the whole day.
 *       Broken surrogate escapes never arrive here: the export publishes them as {@code \ufffd}.
 *   <li>The decoded text columns ({@code event_name}, {@code distinct_id}, {@code insert_id},
 *       {@code device_id}, {@code user_id}) cannot hold U+0000 in PostgreSQL: a U+0000 there (from a
 *       {@code \u0000} escape) is stored as U+FFFD; {@code properties} still has the exact value.
 * </ul>
 */
public final class PostgresWarehouseLoader implements WarehouseLoader {

    private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.BASIC_ISO_DATE;
    private static final long PROGRESS_EVERY = 100_000;

    private final DataSource dataSource;
    private final Storage storage;
    private final String schema;
    private final String table;

    /**
     * @param schema and {@code table}: unquoted identifiers, folded to lower case as PostgreSQL does
     */
    public PostgresWarehouseLoader(DataSource dataSource, Storage storage, String schema, String table) {
        this.dataSource = dataSource;
        this.storage = storage;
        this.schema = schema.toLowerCase(Locale.ROOT);
        this.table = table.toLowerCase(Locale.ROOT);
    }

    @Override
    public void prepare() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:sql/warehouse/postgresql")
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                // one history per events table, so several jobs can share a schema
                .table(table + "_schema_history")
                .placeholders(Map.of("schema", schema, "table", table))
                .load()
                .migrate();
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        LocalDate date = day.day();
        String partition = table + "_" + YYYYMMDD.format(date) + "_"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        try (LocalParquetFiles files = LocalParquetFiles.of(day, storage);
                Connection pg = dataSource.getConnection()) {
            pg.setAutoCommit(false);
            try {
                try (Statement s = pg.createStatement()) {
                    s.execute("CREATE TABLE " + q(partition) + " (LIKE " + q(table) + " INCLUDING DEFAULTS)");
                    s.execute("ALTER TABLE " + q(partition) + " ADD CONSTRAINT " + partition + "_day CHECK (event_date >= DATE '"
                            + date + "' AND event_date < DATE '" + date.plusDays(1) + "')");
                }
                long rows = copy(pg, partition, date, files, progress);
                if (rows != day.rows()) {
                    throw new WarehouseLoadException(date + ": the files hold " + rows + " rows, the manifest says " + day.rows());
                }
                swap(pg, date, partition);
                pg.commit();
                return rows;
            } catch (SQLException | IOException | RuntimeException e) {
                pg.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new WarehouseLoadException("loading " + date + " into " + schema + "." + table + " failed: " + e.getMessage(), e);
        }
    }

    private long copy(Connection pg, String partition, LocalDate date, LocalParquetFiles files, LongConsumer progress)
            throws SQLException, IOException {
        String copySql = "COPY " + q(partition) + " (event_date, event_name, time, distinct_id, insert_id, device_id, user_id, "
                + "mp_processing_time, properties) FROM STDIN (FORMAT text)";
        // timestamps leave DuckDB as text with an explicit +00 offset: no session timezone is involved
        String select = "SELECT event_name, " + CopyFromDuckDb.ts("time") + ", distinct_id, insert_id, device_id, user_id, "
                + CopyFromDuckDb.ts("mp_processing_time") + ", properties FROM read_parquet(" + files.duckDbList() + ")";
        String dateText = date.toString();
        long[] rows = {0};
        long copied = CopyFromDuckDb.copy(pg, copySql, select, (rs, w) -> {
            while (rs.next()) {
                w.write(dateText);
                for (int c = 1; c <= 8; c++) {
                    w.write('\t');
                    CopyFromDuckDb.writeText(w, rs.getString(c));
                }
                w.write('\n');
                if (++rows[0] % PROGRESS_EVERY == 0) {
                    progress.accept(rows[0]);
                }
            }
        });
        progress.accept(rows[0]);
        return copied;
    }

    private void swap(Connection pg, LocalDate date, String partition) throws SQLException {
        try (Statement s = pg.createStatement()) {
            // serializes loads of this table: the old partition is looked up under the lock
            s.execute("LOCK TABLE " + q(table) + " IN ACCESS EXCLUSIVE MODE");
        }
        String prefix = table + "_" + YYYYMMDD.format(date) + "_";
        try (PreparedStatement ps = pg.prepareStatement("SELECT c.relname FROM pg_inherits i "
                + "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                + "JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = ? AND p.relname = ? "
                + "AND left(c.relname, ?) = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setInt(3, prefix.length());
            ps.setString(4, prefix);
            try (ResultSet rs = ps.executeQuery(); Statement s = pg.createStatement()) {
                java.util.List<String> old = new java.util.ArrayList<>();
                while (rs.next()) {
                    old.add(rs.getString(1));
                }
                for (String o : old) {
                    s.execute("ALTER TABLE " + q(table) + " DETACH PARTITION " + q(o));
                    s.execute("DROP TABLE " + q(o));
                }
            }
        }
        try (Statement s = pg.createStatement()) {
            s.execute("ALTER TABLE " + q(table) + " ATTACH PARTITION " + q(partition) + " FOR VALUES FROM ('" + date
                    + "') TO ('" + date.plusDays(1) + "')");
        }
    }

    private String q(String name) {
        return schema + "." + name;
    }

    @Override
    public void checkConnection() {
        WarehouseLoader.selectOne(dataSource);
    }

    @Override
    public void close() {
        DataSourcePool.close(dataSource);
    }
}
