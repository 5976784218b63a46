package io.mixpanelpipelines.warehouse.postgresql;

import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.DatasetColumns;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.LocalParquetFiles;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.SqlScript;
import io.mixpanelpipelines.warehouse.DataSourcePool;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Loads people, group profiles and identity mappings into PostgreSQL (tables of
 * {@code sql/warehouse/postgresql/people_identity.sql}, created on the first such load), reading the Parquet files with DuckDB in this process and
 * streaming the rows with {@code COPY ... FROM STDIN}, like {@link PostgresWarehouseLoader}.
 *
 * <p><b>Why DELETE + COPY in one transaction</b> to replace a snapshot, not a staging table renamed over
 * {@code people}: DELETE takes only a ROW EXCLUSIVE lock, which never conflicts with readers, so queries
 * keep running on the old rows (MVCC) during the whole COPY and see the new ones from the commit on; a
 * rename needs an ACCESS EXCLUSIVE lock that queues every new query behind any long-running one, and it
 * gives the table a new identity: the grants, views and foreign keys analysts put on {@code people} would
 * stay on the dropped table. (TRUNCATE would hold ACCESS EXCLUSIVE for the whole load.) The cost is one
 * table's worth of dead rows per snapshot, which autovacuum reclaims.
 */
public final class PostgresProfileIdentityLoader implements ProfileIdentityLoader {

    private final DataSource dataSource;
    private final Storage storage;
    private final String schema;
    private final String eventsTable;

    public PostgresProfileIdentityLoader(DataSource dataSource, Storage storage, String schema, String eventsTable) {
        this.dataSource = dataSource;
        this.storage = storage;
        this.schema = schema.toLowerCase(Locale.ROOT);
        this.eventsTable = eventsTable.toLowerCase(Locale.ROOT);
    }

    @Override
    public void prepare() {
        // the events table first: events_resolved selects from it
        new PostgresWarehouseLoader(dataSource, storage, schema, eventsTable).prepare();
        List<String> ddl = SqlScript.read("sql/warehouse/postgresql/people_identity.sql", schema, eventsTable);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            SqlScript.execute(s, ddl);
        } catch (SQLException e) {
            throw new WarehouseLoadException("cannot create the people and identity tables in " + schema + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void validate(DatasetFolder folder) {
        DatasetColumns.validate(folder, storage);
    }

    @Override
    public long replaceProfiles(String table, DatasetFolder snapshot) {
        return inTransaction(snapshot, (pg, files) -> {
            try (Statement s = pg.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + q(table) + " (LIKE " + q("people") + " INCLUDING ALL)");
                s.execute("DELETE FROM " + q(table));
            }
            return copy(pg, "COPY " + q(table) + " (distinct_id, properties, last_seen) FROM STDIN (FORMAT text)",
                    latestProfiles(files), 3, null);
        });
    }

    @Override
    public long mergeProfiles(String table, DatasetFolder changes) {
        return inTransaction(changes, (pg, files) -> {
            try (Statement s = pg.createStatement()) {
                s.execute("CREATE TEMP TABLE mp_people_changes (LIKE " + q(table) + ") ON COMMIT DROP");
            }
            long rows = copy(pg, "COPY mp_people_changes (distinct_id, properties, last_seen) FROM STDIN (FORMAT text)",
                    latestProfiles(files), 3, null);
            try (Statement s = pg.createStatement()) {
                s.execute("INSERT INTO " + q(table) + " (distinct_id, properties, last_seen) "
                        + "SELECT distinct_id, properties, last_seen FROM mp_people_changes "
                        + "ON CONFLICT (distinct_id) DO UPDATE SET properties = EXCLUDED.properties, last_seen = EXCLUDED.last_seen");
            }
            return rows;
        });
    }

    @Override
    public long loadIdentityDay(DatasetFolder day) {
        String date = "DATE '" + day.date() + "'";
        return inTransaction(day, (pg, files) -> {
            try (Statement s = pg.createStatement()) {
                // the ids the day held before its rerun and the ids it holds now: only their mapping can change
                s.execute("CREATE TEMP TABLE mp_identity_touched ON COMMIT DROP AS SELECT distinct_id FROM "
                        + q("identity_mapping_days") + " WHERE mapping_date = " + date);
                s.execute("DELETE FROM " + q("identity_mapping_days") + " WHERE mapping_date = " + date);
            }
            long rows = files.paths().isEmpty() ? 0 : copy(pg, "COPY " + q("identity_mapping_days") + " (mapping_date, "
                    + "distinct_id, resolved_distinct_id, first_seen) FROM STDIN (FORMAT text)", "SELECT distinct_id, "
                    + "resolved_distinct_id, " + CopyFromDuckDb.ts("first_seen") + " FROM " + files.readParquet(), 3, day.date().toString());
            try (Statement s = pg.createStatement()) {
                s.execute("INSERT INTO mp_identity_touched SELECT distinct_id FROM " + q("identity_mapping_days")
                        + " WHERE mapping_date = " + date);
                s.execute("DELETE FROM " + q("identity_mappings") + " WHERE distinct_id IN (SELECT distinct_id FROM mp_identity_touched)");
                s.execute("INSERT INTO " + q("identity_mappings") + " (distinct_id, resolved_distinct_id, first_seen) "
                        + "SELECT DISTINCT ON (distinct_id) distinct_id, resolved_distinct_id, first_seen FROM "
                        + q("identity_mapping_days") + " WHERE distinct_id IN (SELECT distinct_id FROM mp_identity_touched) "
                        + "ORDER BY distinct_id, first_seen, resolved_distinct_id COLLATE \"C\"");
            }
            return rows;
        });
    }

    @Override
    public void removeIdentityDay(java.time.LocalDate day) {
        loadIdentityDay(DatasetFolder.gone(day));
    }

    /** One row per distinct_id: the latest last_seen (then the smallest properties text, to be deterministic). */
    private static String latestProfiles(LocalParquetFiles files) {
        return "SELECT distinct_id, properties, " + CopyFromDuckDb.ts("last_seen") + " FROM (SELECT *, row_number() OVER (PARTITION BY "
                + "distinct_id ORDER BY last_seen DESC NULLS LAST, properties::VARCHAR) AS rn FROM "
                + files.readParquet() + ") WHERE rn = 1";
    }

    private interface Work {
        long run(Connection pg, LocalParquetFiles files) throws SQLException, IOException;
    }

    private long inTransaction(DatasetFolder folder, Work work) {
        try (LocalParquetFiles files = LocalParquetFiles.of(folder.label(), folder.files(), storage);
                Connection pg = dataSource.getConnection()) {
            pg.setAutoCommit(false);
            try {
                long rows = work.run(pg, files);
                pg.commit();
                return rows;
            } catch (SQLException | IOException | RuntimeException e) {
                pg.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new WarehouseLoadException("loading " + folder.label() + " into " + schema + " failed: " + e.getMessage(), e);
        }
    }

    /** Streams a DuckDB query's rows into a COPY; {@code first}, when not null, is written as the first column of each row. */
    private static long copy(Connection pg, String copySql, String select, int columns, String first)
            throws SQLException, IOException {
        return CopyFromDuckDb.copy(pg, copySql, select, (rs, w) -> {
            while (rs.next()) {
                if (first != null) {
                    w.write(first);
                    w.write('\t');
                }
                for (int c = 1; c <= columns; c++) {
                    if (c > 1) {
                        w.write('\t');
                    }
                    CopyFromDuckDb.writeText(w, rs.getString(c));
                }
                w.write('\n');
            }
        });
    }

    private String q(String name) {
        return schema + "." + name;
    }

    @Override
    public void close() {
        DataSourcePool.close(dataSource);
    }
}
